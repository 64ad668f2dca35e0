"""No way in for strangers: headers, CSRF, logins, rate limits, signed links, ports."""

import json
import re
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import lxml.html
import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.core.exceptions import FieldError
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from stories import alert_urls, channels, fetching, messages, security
from stories import urls as story_urls
from stories.models import Notification, Subscription, Version
from tests.factories import (
    ArticleFactory,
    ChangeFactory,
    StoryFactory,
    SubscriptionFactory,
)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-test-password-1"


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(
        "reader", "reader@example.org", PASSWORD
    )


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser(
        "editor", "editor@example.org", PASSWORD
    )


@pytest.fixture
def story_with_version():
    story = StoryFactory(title="Storm on the coast")
    article = ArticleFactory(title="Storm hits coast")
    article.stories.add(story)
    Version.objects.create(
        article=article,
        number=1,
        fetched_at=timezone.now(),
        url=article.url,
        title=article.title,
        text="Body",
        content_hash="hash-1",
        raw_html_compressed=Version.compress(b"<html><body><p>Body</p></body></html>"),
    )
    return story, article


def csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


# --- headers -------------------------------------------------------------------------


def assert_common_headers(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Referrer-Policy" in response


def assert_site_csp(response) -> None:
    policy = response["Content-Security-Policy"]
    assert policy == django_settings.NEWSROOM_CSP
    directives = {
        part.split()[0]: part.split()[1:] for part in policy.split("; ") if part
    }
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe" not in policy
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_every_main_page_sends_the_security_headers(client, user, story_with_version):
    story, article = story_with_version
    anonymous_pages = [
        reverse("stories:story-list"),
        reverse("stories:story-detail", kwargs={"slug": story.slug}),
        reverse("stories:article-detail", kwargs={"pk": article.pk}),
        reverse("login"),
        reverse("admin:login"),
        reverse("alerts:feed-changes"),
    ]
    for url in anonymous_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_common_headers(response)
        assert_site_csp(response)

    client.force_login(user)
    for url in [
        reverse("alerts:subscription-list"),
        reverse("alerts:notification-list"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_common_headers(response)
        assert_site_csp(response)


@pytest.mark.django_db
def test_admin_pages_send_the_security_headers(client, staff, story_with_version):
    client.force_login(staff)
    for url in [
        reverse("admin:index"),
        reverse("admin:stories_article_changelist"),
        reverse("admin:stories_subscription_changelist"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_common_headers(response)
        assert_site_csp(response)


@pytest.mark.django_db
def test_raw_page_keeps_its_sandbox_policy(client, story_with_version):
    _, article = story_with_version
    url = reverse("stories:version-raw", kwargs={"pk": article.pk, "number": 1})
    response = client.get(url)
    assert response.status_code == 200
    assert_common_headers(response)
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox;")
    assert "default-src 'none'" in policy
    assert "script-src" not in policy  # falls back to default-src 'none'
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.django_db
def test_hsts_is_sent_over_https_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    secure = client.get(reverse("stories:story-list"), secure=True)
    assert secure["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains"
    )
    plain = client.get(reverse("stories:story-list"))
    assert "Strict-Transport-Security" not in plain  # browsers ignore it over http


def test_templates_have_no_inline_script_or_style():
    """The CSP has no 'unsafe-inline': inline code would silently stop working."""
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\bhx-on|javascript:|\sstyle\s*=|<style",
        re.IGNORECASE,
    )
    found = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "emails" in path.parts:  # mail clients, not browsers under our CSP
            continue
        found += [
            f"{path.relative_to(ROOT)}: {m}" for m in inline.findall(path.read_text())
        ]
    assert found == []


@pytest.mark.django_db
def test_htmx_injects_no_style_and_evaluates_nothing(client):
    StoryFactory(title="Ceasefire")
    response = client.get(reverse("stories:story-list"))

    page = lxml.html.fromstring(response.content)
    (meta,) = page.xpath('//meta[@name="htmx-config"]')
    config = json.loads(meta.get("content"))
    assert config["includeIndicatorStyles"] is False  # no <style> element injected
    assert config["allowEval"] is False  # no hx-on / js: / eval() of page text
    assert config["allowScriptTags"] is False  # swapped <script> is not run
    # The policy the browser enforces would block both anyway, and the page itself
    # needs neither: no inline style or script of its own.
    policy = dict(
        part.strip().split(" ", 1)
        for part in response["Content-Security-Policy"].split(";")
    )
    assert "'unsafe-inline'" not in policy["style-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert not page.xpath("//style | //*[@style] | //script[not(@src)]")


# --- login rate limiting -------------------------------------------------------------


def login(
    client: Client, password: str, *, url: str = "/accounts/login/", ip="10.1.1.1"
):
    return client.post(
        url, {"username": "reader", "password": password}, REMOTE_ADDR=ip
    )


@pytest.mark.django_db
def test_login_is_refused_after_repeated_failures_even_with_the_right_password(
    client, user, settings
):
    settings.NEWSROOM_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        failed = login(client, "wrong")
        assert failed.status_code == 200
        assert b"Please enter a correct username and password" in failed.content

    locked = login(client, PASSWORD)
    assert locked.status_code == 200
    assert b"Too many failed logins" in locked.content
    assert b"Try again in 15 minutes" in locked.content
    assert "_auth_user_id" not in client.session

    # Another address (a colleague behind another NAT) is not locked out.
    elsewhere = login(Client(), PASSWORD, ip="10.2.2.2")
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_lockout_ends_after_the_window(client, user, settings):
    settings.NEWSROOM_LOGIN_MAX_FAILURES = 2
    settings.NEWSROOM_LOGIN_LOCKOUT_SECONDS = 2
    # Failures recorded directly: two password hashes on a loaded machine can take
    # longer than the window, which would end the lockout before it is looked at.
    request = _request("10.1.1.1")
    for _ in range(2):
        security.record_failure(request, "reader")
    assert security.is_locked_out(request, "reader")
    assert login(client, PASSWORD).status_code == 200  # locked out
    time.sleep(2.2)  # the cache entry's own timeout ends the lockout
    assert login(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_successful_login_clears_the_failure_count(client, user, settings):
    settings.NEWSROOM_LOGIN_MAX_FAILURES = 3
    login(client, "wrong")
    login(client, "wrong")
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    login(client, "wrong")
    login(client, "wrong")
    assert login(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_admin_login_is_rate_limited_too(client, staff, settings):
    settings.NEWSROOM_LOGIN_MAX_FAILURES = 2
    url = reverse("admin:login")
    for _ in range(2):
        response = client.post(
            url, {"username": "editor", "password": "wrong"}, REMOTE_ADDR="10.1.1.1"
        )
        assert response.status_code == 200
    locked = client.post(
        url, {"username": "editor", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert locked.status_code == 200
    assert b"Too many failed logins" in locked.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", ["ｒｅａｄｅｒ", "READER", "Reader ", "ʳᵉᵃᵈᵉʳ"])
def test_another_spelling_of_a_locked_username_is_locked_too(
    client, user, settings, spelling
):
    # Authentication sees the username NFKC-normalised (and the database compares
    # case-insensitively on some backends): the counter must see the same name.
    settings.NEWSROOM_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        login(client, "wrong")

    attempt = client.post(
        "/accounts/login/",
        {"username": spelling, "password": PASSWORD},
        REMOTE_ADDR="10.1.1.1",
    )

    assert attempt.status_code == 200
    assert b"Too many failed logins" in attempt.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_failures_under_another_spelling_count_against_the_same_account(
    client, user, settings
):
    settings.NEWSROOM_LOGIN_MAX_FAILURES = 2
    for spelling in ("ｒｅａｄｅｒ", "READER"):
        client.post(
            "/accounts/login/",
            {"username": spelling, "password": "wrong"},
            REMOTE_ADDR="10.1.1.1",
        )
    assert login(client, PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session


def _request(ip: str):
    from django.test import RequestFactory

    return RequestFactory().get("/", REMOTE_ADDR=ip)


# --- CSRF ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_every_state_changing_view_refuses_a_post_without_csrf_token(
    user, staff, story_with_version, htmx
):
    story, article = story_with_version
    subscription = SubscriptionFactory(user=user)
    Notification.objects.create(user=user, key="k-1", title="x", body="y", url="/")
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    as_user = [
        (reverse("logout"), {}),
        (
            reverse("alerts:subscription-create"),
            {
                "scope": "story",
                "story": story.pk,
                "trigger": "any",
                "channel": "in_app",
            },
        ),
        (reverse("alerts:subscription-action", args=[subscription.pk, "pause"]), {}),
        (reverse("alerts:subscription-action", args=[subscription.pk, "delete"]), {}),
        (reverse("alerts:notification-read"), {}),
    ]
    client = csrf_client(user)
    for url, data in as_user:
        response = client.post(url, data, **headers)
        assert response.status_code == 403, url

    admin_posts = [
        (
            reverse("admin:stories_article_changelist"),
            {"action": "delete_selected", "_selected_action": [article.pk]},
        ),
        (
            reverse("admin:stories_subscription_changelist"),
            {"action": "pause_subscriptions", "_selected_action": [subscription.pk]},
        ),
        (reverse("admin:stories_story_delete", args=[story.pk]), {"post": "yes"}),
        (reverse("admin:logout"), {}),
    ]
    admin = csrf_client(staff)
    for url, data in admin_posts:
        response = admin.post(url, data, **headers)
        assert response.status_code == 403, url

    subscription.refresh_from_db()
    assert subscription.paused_at is None
    assert Notification.objects.filter(user=user, read_at=None).exists()
    assert article.__class__.objects.filter(pk=article.pk).exists()


@pytest.mark.django_db
def test_the_same_post_with_the_token_from_the_page_goes_through(user):
    subscription = SubscriptionFactory(user=user)
    client = csrf_client(user)
    page = client.get(reverse("alerts:subscription-list"))
    token = re.search(rb'"x-csrftoken": "([^"]+)"', page.content).group(1).decode()
    response = client.post(
        reverse("alerts:subscription-action", args=[subscription.pk, "pause"]),
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=token,  # what htmx sends from <body hx-headers>
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.paused_at is not None


# --- who may see what ----------------------------------------------------------------

# Every named URL of stories/urls.py and stories/alert_urls.py, and what an anonymous
# visitor gets with NEWSROOM_PUBLIC_STORIES=0. A new URL must be added here.
LOGIN = "login"
EXPECTED_ANONYMOUS = {
    "stories:story-list": LOGIN,
    "stories:story-detail": LOGIN,
    "stories:story-timeline": LOGIN,
    "stories:story-updates": LOGIN,
    "stories:article-detail": LOGIN,
    "stories:source-detail": LOGIN,
    "stories:version-raw": LOGIN,
    "alerts:subscription-list": LOGIN,
    "alerts:subscription-create": LOGIN,
    "alerts:subscription-action": LOGIN,
    "alerts:notification-list": LOGIN,
    "alerts:notification-read": LOGIN,
    "alerts:feed-changes": LOGIN,
    "alerts:feed-story": LOGIN,
    # Polling fragment: tells htmx to stop (286), no data.
    "alerts:notification-bell": 286,
    # The signed token is the credential (links in emails work without a login).
    "alerts:signed-action": 200,
}


def _all_named_urls() -> list[tuple[str, URLPattern]]:
    named = []
    for module in (story_urls, alert_urls):
        for pattern in module.urlpatterns:
            named.append((f"{module.app_name}:{pattern.name}", pattern))
    return named


@pytest.mark.django_db
def test_every_url_requires_a_login_when_stories_are_private(
    client, settings, story_with_version
):
    settings.NEWSROOM_PUBLIC_STORIES = False
    story, article = story_with_version
    subscription = SubscriptionFactory()
    values = {
        "slug": story.slug,
        "pk": article.pk,
        "number": 1,
        "action": "pause",
        "token": messages.action_token(subscription, "mute"),
    }
    names = {name for name, _ in _all_named_urls()}
    assert names == set(EXPECTED_ANONYMOUS), "add the new URL to EXPECTED_ANONYMOUS"

    for name, pattern in _all_named_urls():
        kwargs = {key: values[key] for key in pattern.pattern.converters}
        if name == "alerts:subscription-action":
            kwargs["pk"] = subscription.pk
        url = reverse(name, kwargs=kwargs)
        expected = EXPECTED_ANONYMOUS[name]
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code == 405:
                continue  # the other method is the one that does something
            if expected == LOGIN:
                assert response.status_code == 302, (name, method)
                assert response["Location"].startswith("/accounts/login/"), name
            else:
                assert response.status_code == expected, (name, method)
        # htmx fragments send the whole tab to the login page, never a login form.
        if expected == LOGIN and name.startswith("stories:"):
            response = client.get(url, HTTP_HX_REQUEST="true")
            assert response.status_code == 200, name
            assert response["HX-Redirect"].startswith("/accounts/login/"), name

    subscription.refresh_from_db()
    assert subscription.paused_at is None  # the login-only action did nothing


@pytest.mark.django_db
def test_admin_is_for_staff_only(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    client.logout()
    refused = client.post(
        reverse("admin:login"), {"username": "reader", "password": PASSWORD}
    )
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session


# --- webhook secrets and signed links ------------------------------------------------


@pytest.mark.django_db
def test_webhook_secret_is_shown_once_at_creation_and_never_again(
    client, user, staff, settings, story_with_version
):
    settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = True
    story, _ = story_with_version
    client.force_login(user)
    data = {
        "scope": "story",
        "story": story.pk,
        "trigger": "any",
        "channel": "webhook",
        "target": "https://hooks.example.org/newsroom",
        "mode": "immediate",
    }
    created = client.post(
        reverse("alerts:subscription-create"), data, HTTP_HX_REQUEST="true"
    )
    assert created.status_code == 200, created.content
    subscription = Subscription.objects.get(user=user, channel="webhook")
    secret = subscription.webhook_secret
    assert secret.encode() in created.content

    listing = client.get(reverse("alerts:subscription-list"))
    assert secret.encode() not in listing.content
    paused = client.post(
        reverse("alerts:subscription-action", args=[subscription.pk, "pause"]),
        HTTP_HX_REQUEST="true",
    )
    assert secret.encode() not in paused.content

    client.force_login(staff)
    for url in [
        reverse("admin:stories_subscription_change", args=[subscription.pk]),
        reverse("admin:stories_subscription_changelist"),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert secret.encode() not in response.content, url


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookup",
    [
        "webhook_secret",
        "webhook_secret__startswith",
        "webhook_secret__istartswith",
        "webhook_secret__contains",
        "webhook_secret__regex",
        "webhook_secret__gte",
    ],
)
def test_staff_cannot_probe_a_webhook_secret_through_admin_filters(
    client, staff, lookup
):
    subscription = SubscriptionFactory(channel="webhook", target="https://h.example/")
    secret = subscription.webhook_secret
    client.force_login(staff)
    url = reverse("admin:stories_subscription_changelist")

    # The attack: a guess that matches must look exactly like one that does not.
    right, wrong = (
        (secret, "x" + secret) if lookup == "webhook_secret" else (secret[:1], "\x01")
    )
    answers = [client.get(url, {lookup: guess}) for guess in (right, wrong)]

    assert [answer.status_code for answer in answers] == [400, 400]  # refused


@pytest.mark.django_db
def test_webhook_secret_is_encrypted_at_rest_and_still_signs():
    from django.db import connection

    subscription = SubscriptionFactory(channel="webhook", target="https://h.example/")
    secret = subscription.webhook_secret
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT webhook_secret FROM stories_subscription WHERE id = %s",
            [subscription.pk],
        )
        (stored,) = cursor.fetchone()

    assert secret not in stored and len(stored) > 100
    fresh = Subscription.objects.get(pk=subscription.pk)
    assert fresh.webhook_secret == secret
    body, stamp = b"{}", "1700000000"
    signature = channels.sign(fresh.webhook_secret, stamp, body)
    assert channels.verify(secret, stamp, body, signature, now=1700000000)
    with pytest.raises(FieldError, match="refused"):
        list(Subscription.objects.filter(webhook_secret__startswith=secret[:1]))


@pytest.mark.django_db
def test_webhook_secret_survives_a_secret_key_rotation(settings):
    subscription = SubscriptionFactory(channel="webhook", target="https://h.example/")
    secret = subscription.webhook_secret
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-for-this-test-only-0123456789"

    assert Subscription.objects.get(pk=subscription.pk).webhook_secret == secret


@pytest.mark.django_db
def test_webhook_secret_shown_once_without_htmx_too(client, user, settings):
    settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = True
    story = StoryFactory()
    client.force_login(user)
    data = {
        "scope": "story",
        "story": story.pk,
        "trigger": "any",
        "channel": "webhook",
        "target": "https://hooks.example.org/newsroom",
        "mode": "immediate",
    }
    created = client.post(reverse("alerts:subscription-create"), data, follow=True)
    secret = Subscription.objects.get(user=user).webhook_secret
    assert secret.encode() in created.content
    again = client.get(reverse("alerts:subscription-list"))
    assert secret.encode() not in again.content


@pytest.mark.django_db
def test_signed_links_expire(client, settings, monkeypatch):
    settings.NEWSROOM_ALERT_LINK_MAX_AGE_DAYS = 60
    subscription = SubscriptionFactory()
    issued = timezone.now() - timedelta(days=61)
    monkeypatch.setattr(signing.time, "time", lambda: issued.timestamp())
    old = messages.action_token(subscription, "unsubscribe")
    monkeypatch.undo()
    fresh = messages.action_token(subscription, "unsubscribe")

    assert client.get(reverse("alerts:signed-action", args=[fresh])).status_code == 200
    expired = client.post(reverse("alerts:signed-action", args=[old]))
    assert expired.status_code == 404
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None


@pytest.mark.django_db
def test_unsubscribe_link_is_signed(client):
    subscription = SubscriptionFactory()
    token = messages.action_token(subscription, "unsubscribe")
    other = SubscriptionFactory()
    payload, rest = token.split(":", 1)
    forged = signing.dumps({"s": other.pk, "a": "unsubscribe"}, salt="another salt")
    for bad in (forged, payload[::-1] + ":" + rest, token[:-2] + "xx", "unsubscribe"):
        response = client.post(reverse("alerts:signed-action", args=[bad]))
        assert response.status_code == 404
    subscription.refresh_from_db()
    other.refresh_from_db()
    assert subscription.unsubscribed_at is None and other.unsubscribed_at is None


# --- SSRF: ports ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34:8080/article",
        "https://93.184.216.34:22/",
        "http://[2606:2800:220:1:248:1893:25c8:1946]:6379/",
    ],
)
def test_fetch_refuses_ports_other_than_80_and_443(url):
    with pytest.raises(fetching.PermanentFetchError) as refused:
        fetching.fetch(url, policy=fetching.FetchPolicy(timeout=2))
    assert refused.value.code == "refused_port"


class _Redirector:
    def __init__(self, location: str) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.hostport = f"127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_redirect_to_another_port_is_refused():
    server = _Redirector("http://93.184.216.34:2375/containers/json")
    try:
        policy = fetching.FetchPolicy(
            timeout=5, allowed_hosts=frozenset({server.hostport})
        )
        with pytest.raises(fetching.PermanentFetchError) as refused:
            fetching.fetch(f"http://{server.hostport}/a", policy=policy)
    finally:
        server.close()
    assert refused.value.code == "refused_port"
    assert "redirect to port 2375" in str(refused.value)


def test_a_host_without_port_entry_gets_only_the_standard_ports():
    policy = fetching.FetchPolicy(timeout=2, allowed_hosts=frozenset({"127.0.0.1"}))
    with pytest.raises(fetching.PermanentFetchError) as refused:
        fetching.fetch("http://127.0.0.1:6379/", policy=policy)
    assert refused.value.code == "refused_port"


def test_allow_private_or_a_host_port_entry_opens_a_port():
    server = _Redirector("/elsewhere")
    try:
        for policy in (
            fetching.FetchPolicy(timeout=5, allow_private=True, max_redirects=0),
            fetching.FetchPolicy(
                timeout=5, allowed_hosts=frozenset({server.hostport}), max_redirects=0
            ),
        ):
            with pytest.raises(fetching.FetchError) as stopped:
                fetching.fetch(f"http://{server.hostport}/a", policy=policy)
            # Got past the address and port checks to the redirect itself.
            assert stopped.value.code == "too_many_redirects"
    finally:
        server.close()


def test_webhook_to_another_port_is_refused(settings):
    settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = False
    settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS = []
    for url in ["https://93.184.216.34:8443/hook", "http://93.184.216.34:25/"]:
        with pytest.raises(channels.PermanentDeliveryError, match="port"):
            channels.check_address(url)
    channels.check_address("https://93.184.216.34/hook")  # public, standard port


def test_webhook_port_is_allowed_by_a_host_port_entry_or_private_hosts(settings):
    settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = False
    settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS = ["93.184.216.34:8443"]
    channels.check_address("https://93.184.216.34:8443/hook")
    with pytest.raises(channels.PermanentDeliveryError, match="port"):
        channels.check_address("https://93.184.216.34:8444/hook")
    settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = True
    channels.check_address("http://127.0.0.1:8025/hook")


# --- hostile query strings and stored pages -----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    [
        "9999-12-31T23:59:59-14:00~1",
        "0001-01-01T00:00:00+14:00~1",
        "2023-09-20T12:00:00+00:00~99999999999999999999999",
        "2023-02-30T12:00:00+00:00~1",
        "2023-09-20T25:00:00+00:00~1",
    ],
)
@pytest.mark.parametrize("name", ["stories:story-detail", "stories:story-timeline"])
def test_out_of_range_timeline_cursor_is_refused_not_a_crash(
    client, story_with_version, cursor, name
):
    story, _ = story_with_version
    ChangeFactory(article=story.articles.get())

    response = client.get(reverse(name, args=[story.slug]), {"before": cursor})

    assert response.status_code in (200, 400)
    if name == "stories:story-timeline":
        assert response.status_code == 400


@pytest.mark.django_db
def test_raw_page_drops_base_href(client):
    article = ArticleFactory(title="Base")
    Version.objects.create(
        article=article,
        number=1,
        fetched_at=timezone.now(),
        url=article.url,
        title="Base",
        text="Body",
        content_hash="hash-base",
        raw_html_compressed=Version.compress(
            b'<html><head><base href="https://evil.example/"></head>'
            b'<body><p>Body <a href="login">log in</a></p></body></html>'
        ),
    )

    response = client.get(reverse("stories:version-raw", args=[article.pk, 1]))

    assert response.status_code == 200
    assert b"<base" not in response.content.lower()
    assert b"evil.example" not in response.content


# --- email alerts to someone else's address wait for that address ------------------


@pytest.mark.django_db
def test_email_alert_to_another_address_sends_nothing_until_confirmed(
    client, user, story_with_version, mailoutbox
):
    from stories import alerts, tasks

    story, article = story_with_version
    client.force_login(user)
    data = {
        "scope": "story",
        "story": story.pk,
        "trigger": "any",
        "channel": "email",
        "target": "victim@example.net",
        "mode": "immediate",
    }

    created = client.post(reverse("alerts:subscription-create"), data, follow=True)

    assert b"We sent a confirmation link to victim@example.net" in created.content
    subscription = Subscription.objects.get(user=user)
    assert not subscription.is_confirmed
    change = ChangeFactory(article=article)
    alerts.send_for_change(change.pk)
    assert not subscription.deliveries.exists()  # the attack: nothing reaches victim

    assert tasks.send_confirmation.apply(args=[subscription.pk]).get() == "sent"
    (email,) = mailoutbox
    assert email.to == ["victim@example.net"]
    assert "If this was not you, ignore this message" in email.body
    link = re.search(r"http://\S+/alerts/link/\S+/", email.body).group(0)
    path = link.removeprefix(django_settings.NEWSROOM_BASE_URL)
    asked = Client().get(path)
    assert b"Confirm this alert?" in asked.content
    assert not Subscription.objects.get(pk=subscription.pk).is_confirmed  # GET asks

    Client().post(path)

    assert Subscription.objects.get(pk=subscription.pk).is_confirmed
    alerts.send_for_change(ChangeFactory(article=article).pk)
    assert subscription.deliveries.count() == 1


@pytest.mark.django_db
def test_email_alert_to_your_own_address_needs_no_confirmation(
    client, user, story_with_version, mailoutbox
):
    story, _ = story_with_version
    client.force_login(user)
    for target in ("", "Reader@Example.org"):
        client.post(
            reverse("alerts:subscription-create"),
            {
                "scope": "story",
                "story": story.pk,
                "trigger": "any",
                "channel": "email",
                "target": target,
                "mode": "immediate",
            },
        )

    assert list(Subscription.objects.values_list("is_confirmed", flat=True)) == [
        True,
        True,
    ]
    assert not mailoutbox
