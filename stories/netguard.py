"""Connect-time address checks for libraries that open their own sockets (Apprise).

Apprise reaches its ~130 services through requests, smtplib, paho-mqtt and raw
sockets, follows HTTP redirects, splits one target into several, lets a URL
parameter (``mailto://…?smtp=``) replace the host, and takes no transport of ours.
Checking the URL before the send cannot see all of that, so the guard sits under
every one of them: inside ``guarded(policy)``, each socket ``connect`` and datagram
``sendto`` made in this context, and in the worker threads Apprise starts (it runs
them in a copy of the caller's context), is checked when it happens:

- the address must pass ``fetching.check_url`` under the policy (public, or listed
  in ``allowed_hosts``; port in ``allowed_ports`` or listed as "host:port");
- a host name passed to ``connect`` is resolved here, every address checked, and
  the socket connects to a checked address, so a DNS answer that changes between
  the check and the connect (rebinding) reaches nothing;
- Unix sockets are refused.

A refused connect raises ``RefusedConnection`` (a ``ConnectionRefusedError``, which
every client library already handles as "could not connect") and is recorded on
the guard, so the caller can report the reason instead of a bare failure.
Outside a guarded context the patched methods pass straight through.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import errno
import ipaddress
import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

from stories import fetching

logger = logging.getLogger(__name__)


class RefusedConnection(ConnectionRefusedError):
    """A connect or send the guard did not let through."""


@dataclasses.dataclass
class Guard:
    policy: fetching.FetchPolicy
    refused: list[str] = dataclasses.field(default_factory=list)

    def check(self, sock: socket.socket, address: Any) -> Any:
        """Return the address to use instead (host resolved to a checked address)."""
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            self._refuse("refused: not an internet socket")
        host, port, *rest = address
        checked = []
        for ip in _resolve(host, port, sock):
            literal = f"[{ip}]" if ":" in ip else ip
            try:
                fetching.check_url(f"http://{literal}:{port}/", self.policy)
            except fetching.FetchError as exc:
                self._refuse(f"{exc} (while connecting to {host})")
            checked.append(ip)
        return (checked[0], port, *rest)

    def _refuse(self, reason: str) -> None:
        self.refused.append(reason)
        logger.warning("guarded connection %s", reason)
        raise RefusedConnection(errno.ECONNREFUSED, reason)


_active: contextvars.ContextVar[Guard | None] = contextvars.ContextVar(
    "newsroom_netguard", default=None
)
_install_lock = threading.Lock()
_original: dict[str, Any] = {}


@contextlib.contextmanager
def guarded(policy: fetching.FetchPolicy) -> Iterator[Guard]:
    """Check every socket this context opens against ``policy`` (see module doc).

    Names in ``policy.allowed_hosts`` are resolved once here, because at connect
    time only addresses are known.
    """
    _install()
    guard = Guard(_by_address(policy))
    token = _active.set(guard)
    try:
        yield guard
    finally:
        _active.reset(token)


def _by_address(policy: fetching.FetchPolicy) -> fetching.FetchPolicy:
    entries = set(policy.allowed_hosts)
    for entry in policy.allowed_hosts:
        host, port = _split_entry(entry)
        try:
            infos = socket.getaddrinfo(host, port or None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            continue
        for info in infos:
            ip = str(info[4][0])
            literal = f"[{ip}]" if ":" in ip else ip
            entries.add(f"{literal}:{port}" if port else ip)
    return dataclasses.replace(policy, allowed_hosts=frozenset(entries))


def _split_entry(entry: str) -> tuple[str, int]:
    """ "host", "host:port", "[v6]:port" or a bare v6 address -> (host, port or 0)."""
    if entry.startswith("["):
        host, _, port = entry[1:].partition("]:")
        return host.rstrip("]"), int(port) if port.isdigit() else 0
    host, sep, port = entry.rpartition(":")
    if sep and port.isdigit() and ":" not in host:
        return host, int(port)
    return entry, 0


def _resolve(host: Any, port: Any, sock: socket.socket) -> list[str]:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    try:
        return [str(ipaddress.ip_address(host.split("%", 1)[0]))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, sock.family, sock.type)
    except (OSError, UnicodeError) as exc:
        raise socket.gaierror(socket.EAI_NONAME, f"cannot resolve {host}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


# --- the patched socket methods --------------------------------------------------


def _connect(self: socket.socket, address: Any) -> None:
    guard = _active.get()
    if guard is not None:
        address = guard.check(self, address)
    _original["connect"](self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    guard = _active.get()
    if guard is not None:
        try:
            address = guard.check(self, address)
        except RefusedConnection:
            return errno.ECONNREFUSED
    return _original["connect_ex"](self, address)


def _sendto(self: socket.socket, data: Any, *args: Any) -> int:
    guard = _active.get()
    if guard is not None and args:
        args = (*args[:-1], guard.check(self, args[-1]))
    return _original["sendto"](self, data, *args)


def _install() -> None:
    with _install_lock:
        if _original:
            return
        for name, patched in (
            ("connect", _connect),
            ("connect_ex", _connect_ex),
            ("sendto", _sendto),
        ):
            _original[name] = getattr(socket.socket, name)
            setattr(socket.socket, name, patched)
