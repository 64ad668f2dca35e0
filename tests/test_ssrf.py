"""SSRF through alert targets: whatever an Apprise target says, the worker's own
network gets nothing.

Each attack aims at a loopback listener that records every connection; the guard is
on (no private hosts allowed, default ports). The listener must receive nothing and
the delivery must end as a readable, permanent failure.
"""

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import apprise
import pytest

from stories import alerts, channels, netguard
from stories.models import Delivery
from tests.factories import ChangeFactory, SubscriptionFactory


class Listener:
    """A TCP port on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    victim = Listener()
    yield victim
    victim.sock.close()


@pytest.fixture
def guard_on(settings):
    settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = False
    settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS = []
    return settings


def redirecting_server(location: str) -> ThreadingHTTPServer:
    """An endpoint the subscriber may use, answering every POST with a 307."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.send_response(307)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def deliver(target: str) -> Delivery:
    subscription = SubscriptionFactory(channel="apprise", target=target)
    alerts.send_for_change(ChangeFactory().pk)
    alerts.deliver_due(subscription.pk)
    return Delivery.objects.get(subscription=subscription)


# Services that take a host and were not on any own-host list, IPs and names.
SERVICES = [
    "bark://{host}:{port}/device",
    "toot://token@{host}:{port}",
    "gorush://{host}:{port}/token",
    "jellyfin://user@{host}:{port}",
    "emby://user@{host}:{port}",
    "enigma2://{host}:{port}",
    "pjet://{host}:{port}/secret",
]


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
@pytest.mark.parametrize("template", SERVICES)
def test_service_aimed_at_loopback_reaches_nothing(guard_on, listener, template, host):
    delivery = deliver(template.format(host=host, port=listener.port))

    assert listener.connections == 0
    assert delivery.sent_at is None
    assert delivery.error.startswith(("refused", template.split(":")[0]))
    assert "private address 127.0.0.1" in delivery.error


@pytest.mark.parametrize("template", SERVICES)
def test_the_send_time_guard_alone_stops_every_service(guard_on, listener, template):
    # Without the save-time check, by a name: the connection itself is refused.
    notifier = apprise.Apprise()
    notifier.add(template.format(host="localhost", port=listener.port))

    with netguard.guarded(channels._apprise_policy("x://")) as guard:
        delivered = notifier.notify(title="t", body="b")

    assert not delivered
    assert listener.connections == 0
    assert guard.refused and "private address 127.0.0.1" in guard.refused[0]


@pytest.mark.django_db
def test_allowed_endpoint_redirecting_to_loopback_reaches_nothing(
    guard_on, listener, allow_host
):
    server = redirecting_server(f"http://127.0.0.1:{listener.port}/steal")
    allowed = f"127.0.0.1:{server.server_address[1]}"
    allow_host(f"http://{allowed}/")
    try:
        delivery = deliver(f"json://{allowed}/notify")
    finally:
        server.shutdown()

    assert listener.connections == 0
    assert delivery.sent_at is None
    assert "private address 127.0.0.1" in delivery.error


@pytest.mark.django_db
@pytest.mark.parametrize("separator", [" ", ",", ", "])
def test_second_url_in_one_target_is_refused(
    guard_on, listener, allow_host, httpserver, separator
):
    httpserver.expect_request("/ok").respond_with_data("ok")
    allow_host(httpserver.url_for("/"))
    first = f"json://127.0.0.1:{httpserver.port}/ok"
    second = f"json://127.0.0.1:{listener.port}/steal"

    delivery = deliver(first + separator + second)

    assert listener.connections == 0
    assert delivery.error == "one Apprise URL per subscription (this target holds 2)"
    with pytest.raises(channels.PermanentDeliveryError, match="one Apprise URL"):
        channels.check_apprise_address(first + separator + second)


@pytest.mark.django_db
@pytest.mark.parametrize("port_param", ["&port={port}", "&port={port}&mode=ssl"])
def test_mail_smtp_parameter_pointing_at_loopback_reaches_nothing(
    guard_on, listener, port_param
):
    # The mail domain is a public address; smtp= names the server actually used.
    target = "mailto://user:pass@93.184.216.34?smtp=127.0.0.1" + port_param.format(
        port=listener.port
    )

    delivery = deliver(target)

    assert listener.connections == 0
    assert delivery.sent_at is None
    assert "private address 127.0.0.1" in delivery.error


def test_mail_to_a_public_server_on_an_odd_port_is_refused(guard_on):
    with pytest.raises(channels.PermanentDeliveryError, match=r"port 2525"):
        channels.check_apprise_address(
            "mailto://user:pass@example.com?smtp=93.184.216.34&port=2525"
        )
    channels.check_apprise_address(
        "mailto://user:pass@example.com?smtp=93.184.216.34&port=587"
    )


def test_local_services_are_refused(guard_on):
    with pytest.raises(channels.PermanentDeliveryError, match="this server"):
        channels.check_apprise_address("syslog://")


def test_a_listed_private_host_is_still_reachable(settings, httpserver):
    httpserver.expect_request("/notify", method="POST").respond_with_data("ok")
    settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = False
    settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS = [f"localhost:{httpserver.port}"]
    notifier = apprise.Apprise()
    notifier.add(f"json://localhost:{httpserver.port}/notify")

    with netguard.guarded(channels._apprise_policy("json://")) as guard:
        assert notifier.notify(title="t", body="b")

    assert guard.refused == []
    assert len(httpserver.log) == 1


def test_outside_a_guard_sockets_are_untouched(listener):
    with socket.create_connection(("127.0.0.1", listener.port), timeout=5):
        pass
    assert netguard._active.get() is None
