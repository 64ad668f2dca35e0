"""Real delivery through each channel: webhook, email, Apprise, in-app."""

import json
import socket
import time

import pytest

from stories import alerts, channels, messages
from stories.models import Delivery, Notification, Subscription
from tests.factories import (
    KILLED_32_TO_100,
    ArticleFactory,
    ChangeFactory,
    StoryFactory,
    SubscriptionFactory,
)

HOSTILE_TITLE = 'Armenië meldt <script>alert("x")</script> doden'


@pytest.fixture
def hostile_change(db):
    story = StoryFactory(title="Nagorno-Karabakh <b>ceasefire</b>")
    article = ArticleFactory(title=HOSTILE_TITLE)
    article.stories.add(story)
    return ChangeFactory(article=article)


@pytest.fixture
def local_server(httpserver, allow_host):
    allow_host(httpserver.url_for("/"))
    return httpserver


def send_pending(subscription: Subscription) -> str:
    return alerts.deliver_due(subscription.pk).outcome


@pytest.mark.django_db
def test_webhook_receives_signed_json_that_verifies(hostile_change, local_server):
    local_server.expect_request("/signed-hook", method="POST").respond_with_data("ok")
    subscription = SubscriptionFactory(
        channel="webhook", target=local_server.url_for("/signed-hook")
    )
    alerts.send_for_change(hostile_change.pk)

    assert send_pending(subscription) == "sent"

    # The server is shared by the session: look only at this test's endpoint.
    (request,) = [r for r, _ in local_server.log if r.path == "/signed-hook"]
    body = request.get_data()
    headers = request.headers
    assert channels.verify(
        subscription.webhook_secret,
        headers["X-Newsroom-Timestamp"],
        body,
        headers["X-Newsroom-Signature"],
    )
    assert abs(int(headers["X-Newsroom-Timestamp"]) - time.time()) < 60
    assert not channels.verify(
        "wrong secret",
        headers["X-Newsroom-Timestamp"],
        body,
        headers["X-Newsroom-Signature"],
    )
    payload = json.loads(body)
    delivery = Delivery.objects.get()
    assert payload["idempotency_key"] == delivery.message_key
    assert headers["Idempotency-Key"] == delivery.message_key
    assert payload["type"] == "newsroom.changes"
    (change,) = payload["changes"]
    assert change["id"] == hostile_change.pk
    assert change["article"]["title"] == HOSTILE_TITLE  # JSON carries the raw text
    assert change["diff_excerpt"] == [
        ["equal", "Armenië meldt "],
        ["delete", "32"],
        ["insert", "bijna 100"],
        ["equal", " doden en meer dan 200 gewonden."],
    ]
    assert change["story"]["title"] == "Nagorno-Karabakh <b>ceasefire</b>"


def test_signature_refuses_stale_timestamps():
    body = b'{"a": 1}'
    old = str(int(time.time()) - 3600)
    assert not channels.verify("s", old, body, channels.sign("s", old, body))
    assert not channels.verify("s", "not-a-number", body, "sha256=00")


@pytest.mark.django_db
def test_email_has_subject_text_body_and_escaped_html(hostile_change, mailoutbox):
    subscription = SubscriptionFactory(target="reader@example.org")
    alerts.send_for_change(hostile_change.pk)

    assert send_pending(subscription) == "sent"

    (email,) = mailoutbox
    assert email.to == ["reader@example.org"]
    assert email.subject == f"Text changed: {HOSTILE_TITLE}"
    assert HOSTILE_TITLE in email.body  # plain text is not HTML-escaped
    assert "Armenië meldt [-32-][+bijna 100+] doden en meer dan 200 gewonden." in (
        email.body
    )
    assert "Unsubscribe: http://localhost:8000/alerts/link/" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<del style" in html and "32</del>" in html
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.extra_headers["List-Unsubscribe"].startswith(
        "<http://localhost:8000/alerts/link/"
    )


@pytest.mark.django_db
def test_email_lists_figure_changes(mailoutbox):
    change = ChangeFactory(
        kind="figure",
        summary="killed: 32 → nearly 100 (per Armenia)",
        diff_ops=[],
        details={"figures": [KILLED_32_TO_100]},
    )
    subscription = SubscriptionFactory(trigger="figure_reaches", threshold=100)
    alerts.send_for_change(change.pk)

    assert send_pending(subscription) == "sent"

    assert "- killed: 32 → nearly 100 (per Armenia)" in mailoutbox[0].body


@pytest.mark.django_db
def test_apprise_json_endpoint_receives_the_notification(
    hostile_change, local_server, allow_host
):
    local_server.expect_request("/notify", method="POST").respond_with_data("ok")
    port = local_server.port
    allow_host(f"http://127.0.0.1:{port}/")
    subscription = SubscriptionFactory(
        channel="apprise", target=f"json://127.0.0.1:{port}/notify"
    )
    alerts.send_for_change(hostile_change.pk)

    assert send_pending(subscription) == "sent"

    ((request, _),) = local_server.log
    body = json.loads(request.get_data())
    assert body["title"] == f"Text changed: {HOSTILE_TITLE}"
    assert "[-32-][+bijna 100+]" in body["message"]


@pytest.mark.django_db
def test_apprise_endpoint_down_is_retried(hostile_change, local_server, allow_host):
    local_server.expect_request("/notify").respond_with_data("down", status=503)
    port = local_server.port
    allow_host(f"http://127.0.0.1:{port}/")
    subscription = SubscriptionFactory(
        channel="apprise", target=f"json://127.0.0.1:{port}/notify"
    )
    alerts.send_for_change(hostile_change.pk)

    assert send_pending(subscription) == "retry"


@pytest.mark.django_db
def test_in_app_notification_is_created_once(hostile_change, django_user_model):
    user = django_user_model.objects.create_user("reader")
    subscription = SubscriptionFactory(channel="in_app", target="", user=user)
    alerts.send_for_change(hostile_change.pk)
    assert send_pending(subscription) == "sent"
    deliveries = list(Delivery.objects.select_related("change__article"))
    message = messages.render_message(
        subscription, [d.change for d in deliveries], deliveries[0].message_key
    )

    channels.send(subscription, message)  # the same message again

    notification = Notification.objects.get()
    assert notification.user == user
    assert notification.title == f"Text changed: {HOSTILE_TITLE}"
    assert notification.url.startswith("/stories/")


@pytest.mark.django_db
def test_email_without_address_fails_permanently(hostile_change):
    subscription = SubscriptionFactory(target="")
    alerts.send_for_change(hostile_change.pk)
    assert send_pending(subscription) == "failed"
    assert Delivery.objects.get().error == "no email address"


# --- webhook and Apprise addresses go through fetching's guard -----------------------


@pytest.mark.django_db
def test_webhook_redirect_is_not_followed(hostile_change, local_server):
    local_server.expect_request("/moved-hook", method="POST").respond_with_data(
        "", status=302, headers={"Location": local_server.url_for("/elsewhere")}
    )
    local_server.expect_request("/elsewhere").respond_with_data("ok")
    subscription = SubscriptionFactory(
        channel="webhook", target=local_server.url_for("/moved-hook")
    )
    alerts.send_for_change(hostile_change.pk)

    assert send_pending(subscription) == "failed"
    assert Delivery.objects.get().error == "webhook answered HTTP 302"
    paths = [request.path for request, _ in local_server.log]
    assert "/elsewhere" not in paths


@pytest.mark.django_db
def test_webhook_host_that_does_not_resolve_is_retried(hostile_change, monkeypatch):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    subscription = SubscriptionFactory(
        channel="webhook", target="https://hooks.example.org/newsroom"
    )
    alerts.send_for_change(hostile_change.pk)

    assert send_pending(subscription) == "retry"
    assert "cannot resolve hooks.example.org" in Delivery.objects.get().error


def test_apprise_web_targets_are_checked_like_webhooks(settings):
    settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = False
    settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS = []

    channels.check_address("json://93.184.216.34/notify")
    channels.check_address("forms://93.184.216.34/notify")
    with pytest.raises(channels.PermanentDeliveryError, match="private address"):
        channels.check_address("json://127.0.0.1:8080/notify")
    with pytest.raises(channels.PermanentDeliveryError, match=r"port 8443 \(allowed"):
        channels.check_address("jsons://93.184.216.34:8443/notify")
    with pytest.raises(channels.PermanentDeliveryError, match="scheme 'ftp'"):
        channels.check_address("ftp://93.184.216.34/hook")


@pytest.mark.parametrize(
    "target",
    [
        "ntfy://169.254.169.254:80/topic",
        "gotify://10.0.0.5/token",
        "hassio://127.0.0.1/accesstoken",
        "mailto://user:pass@192.168.1.10",
    ],
)
def test_apprise_service_on_a_private_host_is_refused(target, settings):
    settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = False
    settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS = []
    with pytest.raises(channels.PermanentDeliveryError, match="refused"):
        channels.check_apprise_address(target)


def test_apprise_vendor_api_targets_need_no_address_check():
    # The "host" of tgram:// is a bot token; Telegram's API host is fixed.
    channels.check_apprise_address("tgram://123456789:ABCdefGHI/987654")
