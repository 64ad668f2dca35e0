"""Ways out of the building: email, webhook, Apprise and in-app notifications.

Each sender takes a subscription and a rendered Message, and either returns or raises
TransientDeliveryError (retrying later may help) or PermanentDeliveryError (it will
not). Nothing here touches Delivery rows or runs inside a transaction.
"""

import dataclasses
import hashlib
import hmac
import ipaddress
import json
import smtplib
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import apprise
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from stories import fetching, netguard, policy
from stories.models import Notification, Subscription

SIGNATURE_HEADER = "X-Newsroom-Signature"
TIMESTAMP_HEADER = "X-Newsroom-Timestamp"
KEY_HEADER = "X-Newsroom-Idempotency-Key"
EVENT_HEADER = "X-Newsroom-Event"
# Apprise schemes whose host is a plain web address we should guard like a webhook,
# with the web scheme each one speaks.
APPRISE_HTTP_SCHEMES = {
    "json": "http",
    "jsons": "https",
    "xml": "http",
    "xmls": "https",
    "form": "http",
    "forms": "https",
}
# Apprise services whose host the subscriber names (their own server), as opposed
# to a vendor's API (tgram://TOKEN/...): the host must pass the same address rules
# as a webhook, or a subscription could make us call 169.254.169.254 or an intranet.
APPRISE_OWN_HOST_SCHEMES = frozenset(
    f"{name}{s}"
    for name in (
        "ntfy",
        "gotify",
        "hassio",
        "matrix",
        "mmost",
        "rocket",
        "apprise",
        "mqtt",
        "nctalk",
        "ncloud",
        "signal",
        "synology",
        "kodi",
        "xbmc",
        "mailto",
        "lametric",
        "rsyslog",
        "syslog",
        "opsgenie",
        "misskey",
        "mastodon",
        "notica",
        "ryver",
    )
    for s in ("", "s")
)


MAIL_SCHEMES = frozenset({"mailto", "mailtos"})
# Mail goes to an SMTP server: submission (587), SMTPS (465) and plain SMTP (25).
MAIL_PORTS = frozenset({25, 465, 587})
# Services that act on the machine running Apprise (desktop pop-ups, its syslog).
APPRISE_LOCAL_SCHEMES = frozenset(
    {"syslog", "dbus", "kde", "qt", "glib", "gnome", "macosx", "windows"}
)


@dataclass(frozen=True)
class Message:
    """One outgoing alert: one or more changes for one subscription."""

    key: str  # idempotency key, stable across retries of the same message
    subject: str
    text: str
    html: str
    url: str  # where the reader should go (story or article page)
    payload: dict[str, Any] = field(default_factory=dict)  # webhook JSON
    headers: dict[str, str] = field(default_factory=dict)  # extra email headers


class DeliveryError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class TransientDeliveryError(DeliveryError):
    """Timeout, refused connection, 5xx, 429, SMTP 4xx: try again later."""


class PermanentDeliveryError(DeliveryError):
    """Bad address, refused private host, 4xx, SMTP 5xx: retrying will not help."""


def send(subscription: Subscription, message: Message) -> None:
    """Send one message through the subscription's channel."""
    senders = {
        Subscription.Channel.EMAIL: send_email,
        Subscription.Channel.WEBHOOK: send_webhook,
        Subscription.Channel.APPRISE: send_apprise,
        Subscription.Channel.IN_APP: send_in_app,
    }
    sender = senders.get(subscription.channel)
    if sender is None:
        raise PermanentDeliveryError(f"unknown channel {subscription.channel!r}")
    sender(subscription, message)


# --- email ---------------------------------------------------------------------------


def send_email(subscription: Subscription, message: Message) -> None:
    address = subscription.email_address
    if not address:
        raise PermanentDeliveryError("no email address")
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        to=[address],
        headers={KEY_HEADER: message.key, **message.headers},
    )
    email.attach_alternative(message.html, "text/html")
    try:
        email.send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise PermanentDeliveryError(f"email refused: {exc}") from exc
    except smtplib.SMTPResponseException as exc:
        reason = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
        if 400 <= exc.smtp_code < 500:
            raise TransientDeliveryError(reason) from exc
        raise PermanentDeliveryError(reason) from exc
    except (smtplib.SMTPException, OSError) as exc:
        # Disconnects, refused connections and timeouts: the server may come back.
        raise TransientDeliveryError(f"email failed: {exc!r}") from exc


# --- webhook -------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Newsroom-Signature value: HMAC-SHA256 over "<timestamp>.<body>"."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance: int = 300,
    now: float | None = None,
) -> bool:
    """What a receiver does: constant-time compare, and refuse stale timestamps."""
    try:
        age = abs((now or time.time()) - int(timestamp))
    except ValueError:
        return False
    expected = sign(secret, timestamp, body)
    return age <= tolerance and hmac.compare_digest(expected, signature)


def send_webhook(subscription: Subscription, message: Message) -> None:
    body = json.dumps(message.payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": settings.NEWSROOM_WEBHOOK_USER_AGENT,
        EVENT_HEADER: "changes",
        TIMESTAMP_HEADER: timestamp,
        KEY_HEADER: message.key,
        "Idempotency-Key": message.key,
        SIGNATURE_HEADER: sign(subscription.webhook_secret, timestamp, body),
    }
    # No redirects are followed: a redirect could point anywhere, receivers get one go.
    try:
        response = fetching.post(
            subscription.target, content=body, headers=headers, policy=_policy()
        )
    except fetching.TransientFetchError as exc:
        raise TransientDeliveryError(f"webhook failed: {exc}") from exc
    except fetching.PermanentFetchError as exc:
        raise PermanentDeliveryError(str(exc)) from exc
    status = response.status
    if response.ok:
        return
    reason = f"webhook answered HTTP {status}"
    if status in (408, 409, 425, 429) or status >= 500:
        raise TransientDeliveryError(reason)
    raise PermanentDeliveryError(reason)


# --- Apprise -------------------------------------------------------------------------


def send_apprise(subscription: Subscription, message: Message) -> None:
    url = subscription.target
    plugin = check_apprise_address(url)
    notifier = apprise.Apprise()
    notifier.add(plugin)
    # Every connection Apprise makes (redirects, smtp= hosts, any service) is
    # checked when it connects; the check above only gives an early, clear reason.
    with netguard.guarded(_apprise_policy(url)) as guard:
        delivered = notifier.notify(
            title=message.subject,
            body=message.text,
            body_format=apprise.NotifyFormat.TEXT,
        )
    if guard.refused:
        raise PermanentDeliveryError(guard.refused[0])
    # Apprise reports only success or failure; a failure may be a down endpoint.
    if not delivered:
        raise TransientDeliveryError("Apprise could not deliver the notification")


# --- in-app --------------------------------------------------------------------------


def send_in_app(subscription: Subscription, message: Message) -> None:
    if not subscription.user_id:
        raise PermanentDeliveryError("in-app notifications need a user")
    # The unique key makes a repeated send a no-op.
    Notification.objects.get_or_create(
        key=message.key,
        defaults={
            "user_id": subscription.user_id,
            "subscription": subscription,
            "title": message.subject[:500],
            "body": message.text,
            # In-app links stay on this site, whatever NEWSROOM_BASE_URL says.
            "url": message.url.removeprefix(settings.NEWSROOM_BASE_URL)[:500],
        },
    )


# --- address guard -------------------------------------------------------------------


def check_address(url: str) -> None:
    """Refuse a webhook (or Apprise web) URL that fetching would refuse to reach.

    Http(s) only, to a public address on an allowed port (NEWSROOM_ALLOWED_PORTS),
    unless the settings allow private hosts or list this host (or "host:port"). For
    saving a subscription: the send goes through ``fetching.post``, which checks
    again, and once more when it connects.
    """
    scheme, sep, rest = url.partition("://")
    web_scheme = APPRISE_HTTP_SCHEMES.get(scheme.lower())
    if sep and web_scheme:
        url = f"{web_scheme}://{rest}"
    try:
        fetching.check_url(url, _policy())
    except fetching.FetchError as exc:
        raise PermanentDeliveryError(str(exc)) from exc


def check_apprise_address(url: str) -> Any:
    """Return the one Apprise service a target names, or refuse it with a reason.

    For saving a subscription and before each send: one URL (Apprise would split
    "a b" or "a,b" into two), a service that goes over the network, and no host
    the URL names on a private address or port (web targets are checked as
    webhooks; mail by its SMTP server). The send itself runs under
    ``netguard.guarded``, which checks every connection whatever the service.
    """
    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise PermanentDeliveryError("not a valid Apprise URL")
    if len(notifier) != 1:
        raise PermanentDeliveryError(
            f"one Apprise URL per subscription (this target holds {len(notifier)})"
        )
    plugin = notifier[0]
    scheme = urlsplit(url).scheme.lower()
    if scheme in APPRISE_LOCAL_SCHEMES:
        raise PermanentDeliveryError(f"{scheme}: notifies this server, not a person")
    if scheme in APPRISE_HTTP_SCHEMES:
        check_address(url)
        return plugin
    for host in _apprise_hosts(plugin, scheme):
        port = getattr(plugin, "port", None)
        web = "https" if getattr(plugin, "secure", False) else "http"
        literal = f"[{host}]" if ":" in host else host
        target = f"{web}://{literal}" + (f":{port}" if port else "") + "/"
        try:
            fetching.check_url(target, _apprise_policy(url))
        except fetching.FetchError as exc:
            raise PermanentDeliveryError(f"{scheme}: {exc}") from exc
    return plugin


def _apprise_hosts(plugin: Any, scheme: str) -> list[str]:
    """The hosts an Apprise service will connect to that the URL itself names.

    A vendor's API (tgram://TOKEN/…) keeps a token where the host goes, so a host
    is taken at its word only for services that talk to the subscriber's own server,
    or when it is an IP address, whatever the service.
    """
    host = str(getattr(plugin, "host", "") or "")
    hosts = [getattr(plugin, "smtp_host", "") or host] if scheme in MAIL_SCHEMES else []
    if not hosts and scheme in APPRISE_OWN_HOST_SCHEMES:
        if not host:
            raise PermanentDeliveryError("not a valid Apprise URL")
        hosts = [host]
    if not hosts and _is_ip(host):
        hosts = [host]
    return [h for h in hosts if h]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _apprise_policy(url: str) -> fetching.FetchPolicy:
    """The webhook rules, plus the SMTP ports for mail services."""
    rules = _policy()
    if urlsplit(url).scheme.lower() in MAIL_SCHEMES:
        rules = dataclasses.replace(
            rules, allowed_ports=rules.allowed_ports | MAIL_PORTS
        )
    return rules


def _policy() -> fetching.FetchPolicy:
    """The fetch rules from settings, with the webhook's own deadline."""
    return dataclasses.replace(
        policy.fetch_policy(), timeout=settings.NEWSROOM_WEBHOOK_TIMEOUT
    )
