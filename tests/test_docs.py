"""The code in docs/ runs as printed."""

import hashlib
import hmac
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from stories import alerts
from tests.factories import ChangeFactory, SubscriptionFactory

DOCS = Path(__file__).resolve().parent.parent / "docs"


def docs_verify() -> Callable[..., bool]:
    """The webhook `verify()` example of docs/alerts.md, executed as printed."""
    text = (DOCS / "alerts.md").read_text(encoding="utf-8")
    after = text.split("Verifying, in Python:", 1)[1]
    code = after.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "docs/alerts.md", "exec"), namespace)  # noqa: S102
    return namespace["verify"]


@pytest.fixture
def delivered(httpserver, allow_host):
    """(secret, headers, body) of a real webhook message sent to a local server."""
    allow_host(httpserver.url_for("/"))
    httpserver.expect_request("/docs-hook", method="POST").respond_with_data("ok")
    subscription = SubscriptionFactory(
        channel="webhook", target=httpserver.url_for("/docs-hook")
    )
    alerts.send_for_change(ChangeFactory().pk)
    assert alerts.deliver_due(subscription.pk).outcome == "sent"
    (request,) = [r for r, _ in httpserver.log if r.path == "/docs-hook"]
    return subscription.webhook_secret, dict(request.headers), request.get_data()


@pytest.mark.django_db
def test_docs_verify_accepts_a_real_message_and_refuses_a_forged_one(delivered):
    verify = docs_verify()
    secret, headers, body = delivered

    assert verify(secret, headers, body) is True
    assert verify("another secret", headers, body) is False
    assert verify(secret, headers, body + b" ") is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "broken",
    [
        {"X-Newsroom-Timestamp": None},
        {"X-Newsroom-Timestamp": "soon"},
        {"X-Newsroom-Timestamp": "１２３"},  # digits, but not ASCII ones
        {"X-Newsroom-Signature": None},
    ],
)
def test_docs_verify_returns_false_on_a_missing_or_odd_header(delivered, broken):
    verify = docs_verify()
    secret, headers, body = delivered
    for name, value in broken.items():
        if value is None:
            headers.pop(name)
        else:
            headers[name] = value

    assert verify(secret, headers, body) is False


def test_docs_verify_refuses_a_replayed_old_message():
    verify = docs_verify()
    old = str(int(time.time()) - 3600)
    mac = hmac.new(b"s3cret", old.encode() + b"." + b"{}", hashlib.sha256)
    headers = {
        "X-Newsroom-Timestamp": old,
        "X-Newsroom-Signature": "sha256=" + mac.hexdigest(),
    }

    assert verify("s3cret", headers, b"{}") is False
    assert verify("s3cret", headers, b"{}", tolerance=7200) is True
