"""The one guarded HTTP client: polite GETs with caps and redirects, and bare POSTs.

``fetch`` is a conditional GET of pages (HTML by default; feeds and robots.txt pass
their own ``content_types``), ``post`` sends one request body (webhooks) and
``check_url`` is the address check on its own (for validating a URL before saving
it). Pure of Django: every policy is a parameter, callers pass values from settings.

Safety rules, all enforced here so callers cannot forget them:

- Only http/https. Every URL (the first and each redirect hop) is resolved and must
  resolve only to public addresses, unless the policy allows private hosts; ports
  other than the policy's ``allowed_ports`` are refused too. ``post`` never follows
  a redirect: it returns the 3xx to the caller.
- One wall-clock deadline covers connect, redirects, headers and body.
- The body is decoded here (gzip, deflate, br) with bounded output, so a compression
  bomb costs at most about one network read past ``max_bytes`` in memory.

The default client (``client=None``, shared by ``fetch`` and ``post``) adds two
guards that a passed-in client lacks: each socket read/write is clamped to the
deadline (so a server dripping header bytes cannot stall a fetch), and addresses
are re-resolved and checked at connect time and the socket is pinned to a checked
address (so DNS rebinding between the check and the connect cannot reach a private
address).

DNS failures raise ``TransientFetchError("connection")``: a resolver hiccup looks the
same as a missing name, and the pipeline's failure counting and backoff retire a host
that never comes back. Name resolution itself is a blocking libc call and is not
bounded by the deadline.
"""

from __future__ import annotations

import contextlib
import contextvars
import email.utils
import ipaddress
import logging
import math
import os
import socket
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Protocol

import httpcore
import httpx

try:
    import brotli
except ImportError:  # pragma: no cover - httpx[brotli] is a dependency
    brotli = None

logger = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "NewsroomBot/0.1 (+https://github.com/newsroom; change tracking)"

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",  # RSS 1.0
        "application/xml",
        "text/xml",
    }
)
ALLOWED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
SNIFF_BYTES = 1024

# Bounded brotli decoding needs Decompressor.process(output_buffer_limit=...) from
# brotli 1.2; without it we do not advertise br rather than risk an unbounded inflate.
_BROTLI_BOUNDED = brotli is not None and hasattr(
    brotli.Decompressor, "can_accept_more_data"
)
_DECODE_ERRORS = (zlib.error, brotli.error) if brotli is not None else (zlib.error,)
ACCEPT_ENCODING = "gzip, br" if _BROTLI_BOUNDED else "gzip"
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
POST_RESPONSE_BYTES = 64_000  # what post() keeps of an answer; the rest is dropped


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 20.0  # whole fetch: connect, redirects, headers and body
    connect_timeout: float = 5.0
    max_bytes: int = 5_000_000  # decoded body
    max_redirects: int = 5
    allow_private: bool = False
    allowed_hosts: frozenset[str] = frozenset()  # "host" or "host:port"
    allowed_ports: frozenset[int] = frozenset({80, 443})  # for any public host
    user_agent: str = DEFAULT_USER_AGENT


@dataclass(frozen=True)
class FetchResult:
    url: str  # final URL after redirects
    status: int  # 200 (or another 2xx), 304, 404 or 410
    body: bytes  # decoded; b"" unless 2xx
    content_type: str  # media type without parameters, "" if the server sent none
    encoding: str | None  # charset from the Content-Type header
    etag: str  # "" if none; on a 304 without one, the etag that was sent
    last_modified: str  # same rule as etag
    elapsed_ms: float  # whole fetch, redirects included

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def gone(self) -> bool:
        return self.status in (404, 410)


@dataclass(frozen=True)
class PostResult:
    url: str
    status: int  # any status, 3xx included: post() follows no redirects
    body: bytes  # raw, at most max_response_bytes of it
    content_type: str  # media type without parameters, "" if the server sent none
    retry_after: int | None  # from a Retry-After header, in seconds
    elapsed_ms: float

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class FetchError(Exception):
    """Base: ``str(exc)`` is a short reason for the article, ``code`` a machine code,
    ``status_code`` the HTTP status when the server answered (None when it did not)."""

    def __init__(
        self, code: str, reason: str, *, status_code: int | None = None
    ) -> None:
        # Both in args so the exception pickles (Celery moves it between processes);
        # keyword attributes travel in the instance dict.
        super().__init__(code, reason)
        self.code = code
        self.reason = reason
        self.status_code = status_code

    def __str__(self) -> str:
        return self.reason


class PermanentFetchError(FetchError):
    """Retrying soon will not help: refused address, wrong type, too large, 4xx."""


class TransientFetchError(FetchError):
    """Worth retrying later: timeout, connection trouble, 5xx, 429."""

    def __init__(
        self,
        code: str,
        reason: str,
        *,
        retry_after: int | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(code, reason, status_code=status_code)
        self.retry_after = retry_after


_DEFAULT_POLICY = FetchPolicy()


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    policy: FetchPolicy = _DEFAULT_POLICY,
    client: httpx.Client | None = None,
    content_types: frozenset[str] = HTML_TYPES,
    accept: str = "",
) -> FetchResult:
    """GET url politely; returns 200/304/404/410 results, raises FetchError else.

    A 2xx body is read only if its Content-Type is one of ``content_types``; without
    a Content-Type its first bytes must look like one of them (HTML or XML markup,
    or for text/plain no NUL bytes). ``accept`` defaults to one built from them.
    """
    started = time.monotonic()
    http = client if client is not None else _default_client()
    accept = accept or _accept_for(content_types)
    token = _active_fetch.set(_ActiveFetch(policy, started + policy.timeout))
    try:
        result = _fetch(
            http, url, etag, last_modified, policy, started, content_types, accept
        )
    except FetchError as exc:
        logger.info("fetch failed url=%s code=%s reason=%s", url, exc.code, exc)
        raise
    finally:
        _active_fetch.reset(token)
    logger.info(
        "fetched url=%s final=%s status=%s bytes=%d ms=%.0f",
        url,
        result.url,
        result.status,
        len(result.body),
        result.elapsed_ms,
    )
    return result


def post(
    url: str,
    *,
    content: bytes,
    headers: Mapping[str, str],
    policy: FetchPolicy = _DEFAULT_POLICY,
    client: httpx.Client | None = None,
    max_response_bytes: int = POST_RESPONSE_BYTES,
) -> PostResult:
    """POST content once; returns any HTTP answer, raises FetchError if there is none.

    Same guards as ``fetch`` (address and port checks, connect-time re-check, one
    deadline), no redirects followed, and at most ``max_response_bytes`` of the
    answer kept, undecoded. Deciding what a status means is the caller's business.
    """
    started = time.monotonic()
    deadline = started + policy.timeout
    http = client if client is not None else _default_client()
    token = _active_fetch.set(_ActiveFetch(policy, deadline))
    try:
        with _translate_errors(policy, what="answer"):
            target = check_url(url, policy)
            request = http.build_request(
                "POST",
                target,
                content=content,
                headers=_post_headers(policy, headers),
                timeout=_timeout(policy, deadline, what="answer"),
            )
            response = _send(http, request)
            try:
                body = bytearray()
                for chunk in response.iter_raw():
                    body.extend(chunk[: max_response_bytes - len(body)])
                    if len(body) >= max_response_bytes:
                        break
                    if time.monotonic() > deadline:
                        raise _timeout_error(policy, what="answer")
            finally:
                response.close()
    except FetchError as exc:
        logger.info("post failed url=%s code=%s reason=%s", url, exc.code, exc)
        raise
    finally:
        _active_fetch.reset(token)
    result = PostResult(
        url=str(target),
        status=response.status_code,
        body=bytes(body),
        content_type=_media_type(response.headers.get("Content-Type", "")),
        retry_after=_parse_retry_after(response.headers.get("Retry-After")),
        elapsed_ms=(time.monotonic() - started) * 1000,
    )
    logger.info(
        "posted url=%s status=%s ms=%.0f", url, result.status, result.elapsed_ms
    )
    return result


def _post_headers(policy: FetchPolicy, extra: Mapping[str, str]) -> httpx.Headers:
    # Identity, so the kept bytes are the answer as sent and nothing is inflated.
    headers = httpx.Headers(
        {"User-Agent": policy.user_agent, "Accept-Encoding": "identity"}
    )
    headers.update(extra)  # case-insensitive: the caller's values win
    return headers


def _accept_for(content_types: frozenset[str]) -> str:
    if content_types == HTML_TYPES:
        return ACCEPT
    return ", ".join([*sorted(content_types), "*/*;q=0.1"])


def _fetch(
    http: httpx.Client,
    url: str,
    etag: str,
    last_modified: str,
    policy: FetchPolicy,
    started: float,
    content_types: frozenset[str],
    accept: str,
) -> FetchResult:
    deadline = started + policy.timeout
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": accept,
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    # Cookies live for one fetch only: enough for consent redirects that set a cookie
    # and bounce back, without carrying state from one check to the next.
    cookies = httpx.Cookies()
    current = _parse_url(url)
    with _translate_errors(policy):
        for hop in range(policy.max_redirects + 1):
            check_url(current, policy, redirected=hop > 0)
            request = http.build_request(
                "GET", current, headers=headers, timeout=_timeout(policy, deadline)
            )
            cookies.set_cookie_header(request)
            response = _send(http, request)
            try:
                cookies.extract_cookies(response)
                if response.next_request is not None:
                    logger.debug(
                        "redirect url=%s status=%s location=%s",
                        current,
                        response.status_code,
                        response.headers["Location"],
                    )
                    current = response.next_request.url
                    continue
                return _read_result(
                    response,
                    current,
                    etag,
                    last_modified,
                    policy,
                    started,
                    content_types,
                )
            finally:
                response.close()
    raise PermanentFetchError(
        "too_many_redirects", f"too many redirects (more than {policy.max_redirects})"
    )


def _read_result(
    response: httpx.Response,
    url: httpx.URL,
    etag: str,
    last_modified: str,
    policy: FetchPolicy,
    started: float,
    content_types: frozenset[str],
) -> FetchResult:
    deadline = started + policy.timeout
    status = response.status_code
    content_type = _media_type(response.headers.get("Content-Type", ""))
    body = b""
    if status == 304:
        # Servers may omit validators on a 304; the ones we sent are still current.
        etag = response.headers.get("ETag", etag)
        last_modified = response.headers.get("Last-Modified", last_modified)
    elif status in (404, 410):
        etag = last_modified = ""
    elif status == 429:
        retry_after = _parse_retry_after(response.headers.get("Retry-After"))
        suffix = f" (retry after {retry_after} s)" if retry_after is not None else ""
        raise TransientFetchError(
            "rate_limited",
            f"rate limited: HTTP 429{suffix}",
            retry_after=retry_after,
            status_code=status,
        )
    elif status >= 500:
        raise TransientFetchError(
            "http_error",
            f"HTTP {status}",
            retry_after=_parse_retry_after(response.headers.get("Retry-After")),
            status_code=status,
        )
    elif not 200 <= status < 300:
        raise PermanentFetchError("http_error", f"HTTP {status}", status_code=status)
    else:
        if content_type and content_type not in content_types:
            raise _wrong_type(content_types, content_type)
        body = _read_body(
            response, policy, deadline, sniff=None if content_type else content_types
        )
        etag = response.headers.get("ETag", "")
        last_modified = response.headers.get("Last-Modified", "")
    return FetchResult(
        url=str(url),
        status=status,
        body=body,
        content_type=content_type,
        encoding=response.charset_encoding,
        etag=etag,
        last_modified=last_modified,
        elapsed_ms=(time.monotonic() - started) * 1000,
    )


def _read_body(
    response: httpx.Response,
    policy: FetchPolicy,
    deadline: float,
    *,
    sniff: frozenset[str] | None,  # the types to sniff for if no Content-Type
) -> bytes:
    max_bytes = policy.max_bytes
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(f"Content-Length {declared} exceeds {max_bytes} bytes")
    decoder = _decoder_for(response.headers.get("Content-Encoding", ""))
    body = bytearray()

    def take(chunk: bytes) -> None:
        nonlocal sniff
        body.extend(chunk)
        if len(body) > max_bytes:
            raise _too_large(f"body exceeds {max_bytes} bytes")
        if sniff and len(body) >= SNIFF_BYTES:
            _require_sniff(body, sniff)
            sniff = None

    # iter_raw + our own bounded decoder: httpx decodes each network read in one
    # go, and 2 KB of brotli can inflate to gigabytes in that single call.
    for raw in response.iter_raw():
        take(decoder.decode(raw, max_bytes - len(body) + 1))
        if time.monotonic() > deadline:
            raise _timeout_error(policy)
    take(decoder.finish(max_bytes - len(body) + 1))
    if sniff:
        _require_sniff(body, sniff)
    return bytes(body)


def _too_large(detail: str) -> PermanentFetchError:
    return PermanentFetchError("too_large", f"too large: {detail}")


def _timeout_error(policy: FetchPolicy, what: str = "page") -> TransientFetchError:
    return TransientFetchError(
        "timeout", f"timeout: no complete {what} in {policy.timeout:g} s"
    )


def _wrong_type(content_types: frozenset[str], content_type: str) -> FetchError:
    if content_types == HTML_TYPES:
        return PermanentFetchError("not_html", f"not HTML: {content_type}")
    return PermanentFetchError(
        "wrong_type",
        f"wrong content type: {content_type} (wanted {_names(content_types)})",
    )


def _names(content_types: frozenset[str]) -> str:
    return ", ".join(sorted(content_types))


def _require_sniff(body: bytearray, content_types: frozenset[str]) -> None:
    prefix = bytes(body[:SNIFF_BYTES])
    if any(_looks_like(prefix, content_type) for content_type in content_types):
        return
    if content_types == HTML_TYPES:
        raise PermanentFetchError(
            "not_html", "not HTML: no content type and body not HTML"
        )
    raise PermanentFetchError(
        "wrong_type",
        f"wrong content type: none, and body not like {_names(content_types)}",
    )


def _looks_like(prefix: bytes, content_type: str) -> bool:
    """Whether a body without a content type could be of this one."""
    if content_type in HTML_TYPES:
        return _looks_like_html(prefix)
    if content_type.endswith(("/xml", "+xml")):
        return _looks_like_xml(prefix)
    if content_type == "text/plain":
        return b"\x00" not in prefix
    return False


def _looks_like_html(prefix: bytes) -> bool:
    """Whether the first bytes of a body without a content type look like HTML."""
    head = prefix.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return True
    return head.startswith(b"<") and any(
        tag in head for tag in (b"<html", b"<head", b"<body")
    )


def _looks_like_xml(prefix: bytes) -> bool:
    head = prefix.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    return head.startswith(b"<?xml") or any(
        head.startswith(tag)
        for tag in (b"<rss", b"<feed", b"<rdf:rdf", b"<urlset", b"<sitemapindex")
    )


def _media_type(header: str) -> str:
    return header.split(";", 1)[0].strip().lower()


def _parse_retry_after(value: str | None) -> int | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, math.ceil((when - datetime.now(UTC)).total_seconds()))


# --- URL and address checks ---------------------------------------------------------


def check_url(
    url: str | httpx.URL, policy: FetchPolicy, *, redirected: bool = False
) -> httpx.URL:
    """Return url parsed if it is http(s) to a host and port the policy allows.

    Raises PermanentFetchError (``refused_scheme``, ``invalid_url``,
    ``refused_private``, ``refused_port``) or, when the host does not resolve,
    TransientFetchError(``connection``). Checks the address as resolved now: a
    request still needs ``fetch`` or ``post`` for the connect-time re-check.
    """
    if not isinstance(url, httpx.URL):
        url = _parse_url(url)
    via = "redirect to " if redirected else ""
    if url.scheme not in ALLOWED_SCHEMES:
        raise PermanentFetchError(
            "refused_scheme", f"refused: {via}scheme {url.scheme or '(none)'!r}"
        )
    if not url.raw_host:
        raise PermanentFetchError("invalid_url", f"invalid URL: no host in {url}")
    host = url.raw_host.decode("ascii")
    port = url.port or DEFAULT_PORTS[url.scheme]
    if not _is_exempt(host, port, policy):
        _resolve_public(host, port, via=via)
    # Other ports reach admin panels, mail and databases on public hosts too; only
    # allow_private, a "host:port" entry in allowed_hosts or allowed_ports opens one.
    if port not in policy.allowed_ports and not (
        policy.allow_private
        or _host_port(host, port) in {entry.lower() for entry in policy.allowed_hosts}
    ):
        allowed = ", ".join(str(p) for p in sorted(policy.allowed_ports)) or "none"
        raise PermanentFetchError(
            "refused_port", f"refused: {via}port {port} (allowed ports: {allowed})"
        )
    return url


def _host_port(host: str, port: int) -> str:
    host = host.lower()
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _resolve_public(host: str, port: int, *, via: str = "") -> list[str]:
    """Resolve host; return its addresses if every one is public, else refuse."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TransientFetchError(
            "connection", f"connection failed: cannot resolve {host}"
        ) from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        if _is_forbidden_address(address):
            raise PermanentFetchError(
                "refused_private", f"refused: {via}private address {address}"
            )
    return addresses


def _is_forbidden_address(address: str) -> bool:
    """Whether an IP address is private, loopback, link-local, reserved or the like."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        # not is_global also catches shared space 100.64/10 (carrier NAT, and some
        # clouds' metadata endpoints such as 100.100.100.200).
        or not ip.is_global
    )


def _is_exempt(host: str, port: int, policy: FetchPolicy) -> bool:
    if policy.allow_private:
        return True
    host = host.lower()
    hostport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    allowed = {entry.lower() for entry in policy.allowed_hosts}
    return host in allowed or hostport in allowed


def _parse_url(url: str) -> httpx.URL:
    try:
        return httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise PermanentFetchError("invalid_url", f"invalid URL: {exc}") from exc


# --- Errors and timeouts --------------------------------------------------------------


def _send(http: httpx.Client, request: httpx.Request) -> httpx.Response:
    # httpx resolves the Location header itself (response.next_request), even with
    # follow_redirects=False, and fails inside send() when it cannot.
    try:
        return http.send(request, stream=True, follow_redirects=False)
    except httpx.InvalidURL as exc:
        # A Location with a scheme but no host that httpx cannot graft the current
        # host onto: data:, javascript:, mailto: and the like.
        raise PermanentFetchError(
            "refused_scheme", "refused: redirect to a non-HTTP location"
        ) from exc
    except httpx.RemoteProtocolError as exc:
        if str(exc).startswith("Invalid URL in location header"):
            raise PermanentFetchError(
                "invalid_url", "invalid URL: bad redirect location"
            ) from exc
        raise


def _timeout(policy: FetchPolicy, deadline: float, what: str = "page") -> httpx.Timeout:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _timeout_error(policy, what)
    return httpx.Timeout(remaining, connect=min(policy.connect_timeout, remaining))


@contextlib.contextmanager
def _translate_errors(policy: FetchPolicy, what: str = "page") -> Iterator[None]:
    try:
        yield
    except httpx.TimeoutException as exc:
        raise _timeout_error(policy, what) from exc
    except httpx.InvalidURL as exc:
        raise PermanentFetchError("invalid_url", f"invalid URL: {exc}") from exc
    except httpx.UnsupportedProtocol as exc:
        raise PermanentFetchError("refused_scheme", f"refused: {exc}") from exc
    except httpx.TransportError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TransientFetchError("connection", f"connection failed: {detail}") from exc
    except _DECODE_ERRORS as exc:
        raise PermanentFetchError(
            "bad_encoding", f"bad encoding: corrupt compressed body ({exc})"
        ) from exc


# --- Bounded content decoding ---------------------------------------------------------


class _Decoder(Protocol):
    def decode(self, data: bytes, limit: int) -> bytes: ...

    def finish(self, limit: int) -> bytes: ...


class _IdentityDecoder:
    def decode(self, data: bytes, limit: int) -> bytes:
        return data

    def finish(self, limit: int) -> bytes:
        return b""


class _ZlibDecoder:
    """gzip or zlib ("deflate" per RFC 9110); output per call capped at ``limit``."""

    def __init__(self, wbits: int) -> None:
        self._inflater = zlib.decompressobj(wbits)

    def decode(self, data: bytes, limit: int) -> bytes:
        # Output under the limit means all input was consumed; at the limit the
        # caller stops anyway (too large), so the unconsumed tail never matters.
        return self._inflater.decompress(data, limit)

    def finish(self, limit: int) -> bytes:
        if not self._inflater.eof:
            raise TransientFetchError(
                "connection", "connection failed: compressed body truncated"
            )
        return b""


class _BrotliDecoder:
    def __init__(self) -> None:
        self._inflater = brotli.Decompressor()

    def decode(self, data: bytes, limit: int) -> bytes:
        out = self._inflater.process(data, output_buffer_limit=limit)
        while len(out) < limit and not self._inflater.can_accept_more_data():
            out += self._inflater.process(b"", output_buffer_limit=limit - len(out))
        return out

    def finish(self, limit: int) -> bytes:
        if not self._inflater.is_finished():
            raise TransientFetchError(
                "connection", "connection failed: compressed body truncated"
            )
        return b""


def _decoder_for(content_encoding: str) -> _Decoder:
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return _IdentityDecoder()
    if encoding in ("gzip", "x-gzip"):
        return _ZlibDecoder(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _ZlibDecoder(zlib.MAX_WBITS)
    if encoding == "br" and _BROTLI_BOUNDED:
        return _BrotliDecoder()
    raise PermanentFetchError(
        "bad_encoding", f"bad encoding: unsupported Content-Encoding {encoding!r}"
    )


# --- Default client: deadline-clamped sockets, connect-time address check ----------


@dataclass(frozen=True)
class _ActiveFetch:
    policy: FetchPolicy
    deadline: float


_active_fetch: contextvars.ContextVar[_ActiveFetch] = contextvars.ContextVar(
    "newsroom_active_fetch"
)


def _remaining(timeout: float | None, exc_class: type[Exception]) -> float | None:
    active = _active_fetch.get(None)
    if active is None:
        return timeout
    remaining = active.deadline - time.monotonic()
    if remaining <= 0:
        raise exc_class("fetch deadline passed")
    return remaining if timeout is None else min(timeout, remaining)


class _GuardedStream(httpcore.NetworkStream):
    """Clamps every read/write to the current fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _remaining(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _remaining(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, _remaining(timeout, httpcore.ConnectTimeout)
        )
        return _GuardedStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Re-checks addresses at connect time and connects to a checked address only."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        active = _active_fetch.get(None)
        if active is None or _is_exempt(host, port, active.policy):
            addresses = [host]
        else:
            addresses = _resolve_public(host, port)
        error: Exception | None = None
        for address in addresses:
            attempt_timeout = _remaining(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._inner.connect_tcp(
                    address, port, attempt_timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            return _GuardedStream(stream)
        assert error is not None
        raise error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used for fetching")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _new_client() -> httpx.Client:
    # httpx has no public hook for httpcore's network backend, so the transport's
    # pool is rebuilt with ours (httpx is pinned <0.29; tests cover the guards).
    transport = httpx.HTTPTransport(trust_env=False)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=_GuardedBackend(),
    )
    # A jar that accepts nothing: per-fetch cookies are handled in _fetch.
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.Client(
        transport=transport,
        trust_env=False,
        follow_redirects=False,
        cookies=no_cookies,
    )


_client: httpx.Client | None = None
_client_lock = threading.Lock()


def _default_client() -> httpx.Client:
    global _client
    with _client_lock:
        if _client is None:
            _client = _new_client()
        return _client


def _forget_client_after_fork() -> None:
    # A forked worker must not share keep-alive sockets with its parent.
    global _client, _client_lock
    _client = None
    _client_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_client_after_fork)
