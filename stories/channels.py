"""Ways out of the building: email, webhook, Apprise and in-app notifications.

Each sender takes a subscription and a rendered Message, and either returns or raises
TransientDeliveryError (retrying later may help) or PermanentDeliveryError (it will
not). Nothing here touches Delivery rows or runs inside a transaction.
"""

import hashlib
import hmac
import ipaddress
import json
import smtplib
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import apprise
import httpcore
import httpx
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from stories.models import Notification, Subscription

SIGNATURE_HEADER = "X-Newsroom-Signature"
TIMESTAMP_HEADER = "X-Newsroom-Timestamp"
KEY_HEADER = "X-Newsroom-Idempotency-Key"
EVENT_HEADER = "X-Newsroom-Event"
# Apprise schemes whose host is a plain web address we should guard like a webhook.
APPRISE_HTTP_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})


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
    url = subscription.target
    check_address(url)
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
    try:
        with _client() as client:
            response = client.post(url, content=body, headers=headers)
    except (httpx.TimeoutException, httpx.NetworkError, httpx.ProtocolError) as exc:
        raise TransientDeliveryError(f"webhook failed: {exc!r}") from exc
    except httpx.HTTPError as exc:
        raise PermanentDeliveryError(f"webhook failed: {exc!r}") from exc
    except _Refused as exc:
        raise PermanentDeliveryError(str(exc)) from exc
    status = response.status_code
    if 200 <= status < 300:
        return
    reason = f"webhook answered HTTP {status}"
    if status in (408, 409, 425, 429) or status >= 500:
        raise TransientDeliveryError(reason)
    raise PermanentDeliveryError(reason)


# --- Apprise -------------------------------------------------------------------------


def send_apprise(subscription: Subscription, message: Message) -> None:
    url = subscription.target
    scheme = urlsplit(url).scheme.lower()
    if scheme in APPRISE_HTTP_SCHEMES:
        check_address(url, scheme_ports={"json": 80, "xml": 80, "form": 80})
    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise PermanentDeliveryError("not a valid Apprise URL")
    # Apprise reports only success or failure; a failure may be a down endpoint.
    if not notifier.notify(
        title=message.subject,
        body=message.text,
        body_format=apprise.NotifyFormat.TEXT,
    ):
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


class _Refused(Exception):
    pass


def check_address(url: str, scheme_ports: dict[str, int] | None = None) -> None:
    """Refuse URLs that are not http(s) to a public address (unless allowed)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    ports = {"http": 80, "https": 443, **(scheme_ports or {})}
    for secure in ("jsons", "xmls", "forms"):
        ports.setdefault(secure, 443)
    if scheme not in ports:
        raise PermanentDeliveryError(f"refused: scheme {scheme or '(none)'!r}")
    host = (parts.hostname or "").lower()
    if not host:
        raise PermanentDeliveryError("refused: no host in URL")
    try:
        port = parts.port or ports[scheme]
    except ValueError as exc:
        raise PermanentDeliveryError("refused: bad port") from exc
    if not _is_exempt(host, port):
        try:
            _public_addresses(host, port)
        except _Refused as exc:
            raise PermanentDeliveryError(str(exc)) from exc
    # Only the standard web ports unless allowed (private hosts allowed, or a
    # "host:port" entry): a webhook must not probe mail, database or admin ports.
    hostport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if port not in (80, 443) and not (
        settings.NEWSROOM_ALLOW_PRIVATE_HOSTS
        or hostport
        in {entry.lower() for entry in settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS}
    ):
        raise PermanentDeliveryError(f"refused: port {port} (only 80 and 443)")


def _is_exempt(host: str, port: int) -> bool:
    if settings.NEWSROOM_ALLOW_PRIVATE_HOSTS:
        return True
    hostport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    allowed = {entry.lower() for entry in settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS}
    return host in allowed or hostport in allowed


def _public_addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise _Refused(f"cannot resolve {host}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            raise _Refused(f"refused: private address {address}")
    return addresses


class _GuardedBackend(httpcore.SyncBackend):
    """Checks the address again at connect time, so DNS cannot swap in a private one."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = [host] if _is_exempt(host, port) else _public_addresses(host, port)
        error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error


def _client() -> httpx.Client:
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx has no public hook for the network backend (same approach as fetching).
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        network_backend=_GuardedBackend(),
    )
    return httpx.Client(
        transport=transport,
        trust_env=False,
        follow_redirects=False,  # a redirect could point anywhere; receivers get one go
        timeout=settings.NEWSROOM_WEBHOOK_TIMEOUT,
    )
