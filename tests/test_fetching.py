"""fetching.fetch against real HTTP servers on loopback; nothing here reaches out."""

import gzip
import pickle
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import brotli
import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from stories import fetching
from stories.fetching import FetchPolicy, PermanentFetchError, TransientFetchError

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = (FIXTURES / "pages" / "bbc-like-storm.html").read_bytes()
# 1 GiB of zeros as brotli, 1.6 KB on the wire; regenerate with brotli.Compressor
# fed 1024 chunks of bytes(1 << 20).
BROTLI_BOMB = (FIXTURES / "fetching" / "zeros-1gb.br").read_bytes()
ETAG = '"v1-abc"'
LAST_MODIFIED = "Wed, 20 Sep 2023 10:00:00 GMT"


@pytest.fixture
def policy(httpserver: HTTPServer) -> FetchPolicy:
    """Strict policy that lets through exactly the pytest-httpserver host:port."""
    return FetchPolicy(
        timeout=5.0, allowed_hosts=frozenset({f"{httpserver.host}:{httpserver.port}"})
    )


class _TrickleHandler(BaseHTTPRequestHandler):
    """Misbehaving endpoints the werkzeug-based httpserver cannot express."""

    protocol_version = "HTTP/1.1"
    server: "_TrickleServer"

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        try:
            if self.path == "/slow":
                self.server.stop.wait(5)
                self._send_page(b"<html>too late</html>")
            elif self.path == "/drip-body":
                self.wfile.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                    b"Connection: close\r\n\r\n<html>"
                )
                self._drip(b"x", every=0.2)
            elif self.path == "/drip-headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
                self._drip(b"x", every=0.1)
            elif self.path in self.server.pages:
                self._send_page(*self.server.pages[self.path])
            else:
                self._send_page(b"<html>witness</html>")
        except OSError:
            pass  # the client gave up, which is the point of most of these

    def _send_page(self, body: bytes, content_encoding: str = "") -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if content_encoding:
            self.send_header("Content-Encoding", content_encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drip(self, byte: bytes, *, every: float) -> None:
        for _ in range(300):
            if self.server.stop.wait(every):
                return
            self.wfile.write(byte)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _TrickleServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _TrickleHandler)
        self.stop = threading.Event()
        self.paths: list[str] = []
        self.pages: dict[str, tuple[bytes, str]] = {}  # path -> (body, encoding)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def trickle_server() -> Iterator[_TrickleServer]:
    server = _TrickleServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.stop.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Resolve *.test names from a table of successive answers; others really."""
    real_getaddrinfo = socket.getaddrinfo
    answers: dict[str, list[str]] = {}

    def getaddrinfo(host: object, port: object, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".test"):
            queue = answers.get(host)
            if not queue:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            host = queue.pop(0) if len(queue) > 1 else queue[0]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def _chunks(total: int, size: int = 16_384) -> Iterator[bytes]:
    yield b"<html><body>"
    for _ in range(total // size):
        yield b"a" * size


# --- Successful fetches ---------------------------------------------------------------


def test_html_page_is_returned_with_its_validators(httpserver, policy):
    httpserver.expect_request("/article").respond_with_data(
        PAGE,
        content_type="text/html; charset=utf-8",
        headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED},
    )

    result = fetching.fetch(httpserver.url_for("/article"), policy=policy)

    assert result.status == 200
    assert result.body == PAGE
    assert result.url == httpserver.url_for("/article")
    assert result.content_type == "text/html"
    assert result.encoding == "utf-8"
    assert result.etag == ETAG
    assert result.last_modified == LAST_MODIFIED
    assert not result.not_modified
    assert not result.gone
    assert result.elapsed_ms > 0


def test_request_identifies_the_bot_and_asks_for_compressed_html(httpserver, policy):
    httpserver.expect_request(
        "/article",
        headers={
            "User-Agent": "TestBot/1.0",
            "Accept-Encoding": "gzip, br",
        },
    ).respond_with_data(PAGE, content_type="text/html")

    custom = FetchPolicy(allowed_hosts=policy.allowed_hosts, user_agent="TestBot/1.0")
    result = fetching.fetch(httpserver.url_for("/article"), policy=custom)

    assert result.body == PAGE


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("br", brotli.compress)],
)
def test_compressed_body_is_decoded(httpserver, policy, encoding, compress):
    httpserver.expect_request("/article").respond_with_data(
        compress(PAGE),
        content_type="text/html",
        headers={"Content-Encoding": encoding},
    )

    result = fetching.fetch(httpserver.url_for("/article"), policy=policy)

    assert result.body == PAGE


@pytest.mark.parametrize(
    ("content_type", "media_type", "encoding"),
    [
        ("text/html; charset=ISO-8859-1", "text/html", "iso-8859-1"),
        ("application/xhtml+xml", "application/xhtml+xml", None),
    ],
)
def test_html_flavours_are_accepted_with_their_charset(
    httpserver, policy, content_type, media_type, encoding
):
    httpserver.expect_request("/article").respond_with_data(
        PAGE, content_type=content_type
    )

    result = fetching.fetch(httpserver.url_for("/article"), policy=policy)

    charset = result.encoding.lower() if result.encoding else None
    assert (result.content_type, charset) == (media_type, encoding)


def test_html_without_content_type_is_accepted_by_sniffing(httpserver, policy):
    response = Response(PAGE)
    del response.headers["Content-Type"]
    httpserver.expect_request("/article").respond_with_response(response)

    result = fetching.fetch(httpserver.url_for("/article"), policy=policy)

    assert result.body == PAGE
    assert result.content_type == ""


def test_passed_in_client_is_used(httpserver, policy):
    httpserver.expect_request(
        "/article", headers={"X-Client": "own"}
    ).respond_with_data(PAGE, content_type="text/html")

    with httpx.Client(headers={"X-Client": "own"}) as client:
        result = fetching.fetch(
            httpserver.url_for("/article"), policy=policy, client=client
        )

    assert result.body == PAGE


def test_passed_in_client_that_follows_redirects_still_gets_each_hop_checked(
    httpserver, policy
):
    httpserver.expect_request("/article").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/"}
    )

    with (
        httpx.Client(follow_redirects=True) as client,
        pytest.raises(PermanentFetchError) as caught,
    ):
        fetching.fetch(httpserver.url_for("/article"), policy=policy, client=client)

    assert caught.value.code == "refused_private"


def test_allow_private_reaches_a_local_server(httpserver):
    httpserver.expect_request("/article").respond_with_data(
        PAGE, content_type="text/html"
    )

    result = fetching.fetch(
        httpserver.url_for("/article"), policy=FetchPolicy(allow_private=True)
    )

    assert result.status == 200


# --- Conditional GET and removed pages ------------------------------------------------


def test_conditional_get_sends_validators_and_304_has_empty_body(httpserver, policy):
    httpserver.expect_request(
        "/article",
        headers={"If-None-Match": ETAG, "If-Modified-Since": LAST_MODIFIED},
    ).respond_with_data("", status=304, headers={"ETag": ETAG})

    result = fetching.fetch(
        httpserver.url_for("/article"),
        etag=ETAG,
        last_modified=LAST_MODIFIED,
        policy=policy,
    )

    assert result.not_modified
    assert result.body == b""
    assert result.etag == ETAG
    assert result.last_modified == LAST_MODIFIED  # kept: the server did not repeat it


@pytest.mark.parametrize("status", [404, 410])
def test_missing_page_is_returned_as_gone(httpserver, policy, status):
    httpserver.expect_request("/article").respond_with_data(
        "<html>gone</html>", status=status, content_type="text/html"
    )

    result = fetching.fetch(httpserver.url_for("/article"), policy=policy)

    assert result.status == status
    assert result.gone
    assert result.body == b""


# --- Redirects and the private-address guard -----------------------------------------


def test_redirects_on_the_allowed_server_are_followed_to_the_final_url(
    httpserver, policy
):
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/news/moved")}
    )
    httpserver.expect_request("/news/moved").respond_with_data(
        "",
        status=302,
        headers={"Location": "final?x=1"},  # relative to /news/
    )
    httpserver.expect_request("/news/final").respond_with_data(
        PAGE, content_type="text/html"
    )

    result = fetching.fetch(httpserver.url_for("/old"), policy=policy)

    assert result.status == 200
    assert result.url == httpserver.url_for("/news/final?x=1")
    assert result.body == PAGE


def test_redirect_to_another_loopback_port_is_refused_without_contacting_it(
    httpserver, policy, trickle_server
):
    witness = f"{trickle_server.base_url}/witness"
    httpserver.expect_request("/article").respond_with_data(
        "", status=302, headers={"Location": witness}
    )

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(httpserver.url_for("/article"), policy=policy)

    assert caught.value.code == "refused_private"
    assert str(caught.value) == "refused: redirect to private address 127.0.0.1"
    assert "/witness" not in trickle_server.paths


@pytest.mark.parametrize(
    ("target", "address"),
    [
        ("http://127.0.0.1:1/", "127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://10.0.0.1/", "10.0.0.1"),
        ("http://100.100.100.200/latest/meta-data/", "100.100.100.200"),
        ("http://[::1]:1/", "::1"),
        ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254"),
        ("http://0.0.0.0:1/", "0.0.0.0"),
        ("http://224.0.0.1/", "224.0.0.1"),
    ],
)
def test_redirect_to_a_private_address_is_refused(httpserver, policy, target, address):
    httpserver.expect_request("/article").respond_with_data(
        "", status=302, headers={"Location": target}
    )

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(httpserver.url_for("/article"), policy=policy)

    assert caught.value.code == "refused_private"
    assert address in str(caught.value)


@pytest.mark.parametrize(
    "target",
    ["file:///etc/passwd", "ftp://example.com/article", "data:text/html,<p>hi</p>"],
)
def test_redirect_to_a_non_http_scheme_is_refused(httpserver, policy, target):
    httpserver.expect_request("/article").respond_with_data(
        "", status=302, headers={"Location": target}
    )

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(httpserver.url_for("/article"), policy=policy)

    assert caught.value.code == "refused_scheme"
    assert str(caught.value).startswith("refused: redirect to ")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/"])
def test_first_url_with_a_non_http_scheme_is_refused(url):
    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(url)

    assert caught.value.code == "refused_scheme"


@pytest.mark.parametrize(
    "host",
    ["{host}", "127.0.0.1", "127.1", "2130706433", "0x7f.0.0.1", "[::ffff:127.0.0.1]"],
)
def test_private_first_url_is_refused_without_contacting_it(httpserver, host):
    httpserver.expect_request("/article").respond_with_data(
        PAGE, content_type="text/html"
    )
    url = f"http://{host.format(host=httpserver.host)}:{httpserver.port}/article"

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(url, policy=FetchPolicy(allow_private=False))

    assert caught.value.code == "refused_private"
    assert str(caught.value).startswith("refused: private address ")
    assert httpserver.log == []


def test_allowed_hosts_entry_covers_only_its_own_port(httpserver, trickle_server):
    only_trickle = FetchPolicy(
        allowed_hosts=frozenset({f"127.0.0.1:{trickle_server.server_address[1]}"})
    )
    url = f"http://127.0.0.1:{httpserver.port}/article"

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(url, policy=only_trickle)

    assert caught.value.code == "refused_private"


def test_dns_rebinding_to_a_private_address_is_refused_at_connect_time(
    httpserver, fake_dns
):
    # The first lookup (the URL check) sees a public address, the second (the
    # connect) a loopback one: the socket must never be opened.
    fake_dns["rebind.test"] = ["93.184.216.34", "127.0.0.1"]
    httpserver.expect_request("/article").respond_with_data(
        PAGE, content_type="text/html"
    )

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(
            f"http://rebind.test:{httpserver.port}/article",
            policy=FetchPolicy(allowed_ports=frozenset({80, 443, httpserver.port})),
        )

    assert caught.value.code == "refused_private"
    assert "127.0.0.1" in str(caught.value)
    assert httpserver.log == []


def test_endless_redirect_loop_is_too_many_redirects(httpserver, policy):
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    limited = FetchPolicy(allowed_hosts=policy.allowed_hosts, max_redirects=3)

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(httpserver.url_for("/loop"), policy=limited)

    assert caught.value.code == "too_many_redirects"
    assert len(httpserver.log) == 4  # the first request and three redirects


def test_cookies_set_during_redirects_last_only_for_that_fetch(httpserver, policy):
    httpserver.expect_request("/article").respond_with_handler(_consent_wall)
    httpserver.expect_request("/consent").respond_with_data(
        "",
        status=302,
        headers={"Location": "/article", "Set-Cookie": "consent=yes; Path=/"},
    )
    url = httpserver.url_for("/article")

    first = fetching.fetch(url, policy=policy)
    second = fetching.fetch(url, policy=policy)

    assert first.body == second.body == PAGE
    cookies = [request.headers.get("Cookie") for request, _ in httpserver.log]
    assert cookies == [None, None, "consent=yes"] * 2


def _consent_wall(request: Request) -> Response:
    if request.cookies.get("consent") == "yes":
        return Response(PAGE, content_type="text/html")
    return Response("", status=302, headers={"Location": "/consent"})


# --- Content type, size and encoding --------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png"])
def test_non_html_is_refused_without_reading_the_body(httpserver, policy, content_type):
    httpserver.expect_request("/file").respond_with_response(
        Response(_chunks(50_000_000), content_type=content_type)
    )
    started = time.monotonic()

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(httpserver.url_for("/file"), policy=policy)

    assert caught.value.code == "not_html"
    assert content_type in str(caught.value)
    assert time.monotonic() - started < 1


def test_binary_without_content_type_is_refused_as_not_html(httpserver, policy):
    response = Response(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    del response.headers["Content-Type"]
    httpserver.expect_request("/file").respond_with_response(response)

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(httpserver.url_for("/file"), policy=policy)

    assert caught.value.code == "not_html"


RSS = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
    b"<title>Outlet</title><item><link>https://example.org/a</link></item>"
    b"</channel></rss>"
)


@pytest.mark.parametrize(
    "content_type", ["application/rss+xml", "application/atom+xml", "text/xml"]
)
def test_feed_content_type_is_accepted_only_when_asked_for(
    httpserver, policy, content_type
):
    httpserver.expect_request("/feed").respond_with_data(
        RSS, content_type=f"{content_type}; charset=utf-8"
    )
    url = httpserver.url_for("/feed")

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(url, policy=policy)
    result = fetching.fetch(url, policy=policy, content_types=fetching.FEED_TYPES)

    assert caught.value.code == "not_html"
    assert result.body == RSS
    assert result.content_type == content_type
    feed_request = httpserver.log[-1][0]
    assert "application/rss+xml" in feed_request.headers["Accept"]
    assert not feed_request.headers["Accept"].startswith("text/html")


def test_feed_fetch_refuses_html_and_sniffs_a_feed_without_content_type(
    httpserver, policy
):
    httpserver.expect_request("/page").respond_with_data(PAGE, content_type="text/html")
    bare = Response(RSS)
    del bare.headers["Content-Type"]
    httpserver.expect_request("/bare-feed").respond_with_response(bare)
    feeds = fetching.FEED_TYPES

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(httpserver.url_for("/page"), policy=policy, content_types=feeds)
    result = fetching.fetch(
        httpserver.url_for("/bare-feed"), policy=policy, content_types=feeds
    )
    with pytest.raises(PermanentFetchError) as as_html:
        fetching.fetch(httpserver.url_for("/bare-feed"), policy=policy)

    assert caught.value.code == "wrong_type"
    assert "text/html" in str(caught.value)
    assert result.body == RSS
    assert as_html.value.code == "not_html"


def test_streamed_body_over_the_cap_is_too_large(httpserver, policy):
    httpserver.expect_request("/big").respond_with_response(
        Response(_chunks(1_000_000), content_type="text/html")  # chunked, no length
    )
    capped = FetchPolicy(allowed_hosts=policy.allowed_hosts, max_bytes=100_000)

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(httpserver.url_for("/big"), policy=capped)

    assert caught.value.code == "too_large"


def test_declared_length_over_the_cap_is_refused_before_reading(httpserver, policy):
    httpserver.expect_request("/big").respond_with_data(
        b"<html>" + b"a" * 1_000_000, content_type="text/html"
    )
    capped = FetchPolicy(allowed_hosts=policy.allowed_hosts, max_bytes=100_000)

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(httpserver.url_for("/big"), policy=capped)

    assert caught.value.code == "too_large"
    assert "Content-Length" in str(caught.value)


@pytest.mark.parametrize(
    ("encoding", "bomb"),
    [
        ("gzip", gzip.compress(bytes(20_000_000), compresslevel=6)),  # ~20 KB
        ("br", BROTLI_BOMB),
    ],
)
def test_compression_bomb_is_cut_at_the_cap_in_bounded_memory(
    trickle_server, encoding, bomb
):
    trickle_server.pages[f"/bomb-{encoding}"] = (bomb, encoding)

    code, peak = _fetch_in_fresh_process(
        f"{trickle_server.base_url}/bomb-{encoding}", max_bytes=100_000
    )

    assert code == "too_large"
    assert peak < 5_000_000  # inflating either bomb in one go takes 20 MB to 1 GB


def _fetch_in_fresh_process(url: str, *, max_bytes: int) -> tuple[str, int]:
    """Fetch in a child process and return (outcome, peak traced bytes).

    tracemalloc counts every thread, and the servers in this process allocate
    megabytes per request at unpredictable moments, so measure where none run.
    """
    script = f"""
import tracemalloc
from stories import fetching
policy = fetching.FetchPolicy(allow_private=True, max_bytes={max_bytes})
tracemalloc.start()
try:
    fetching.fetch({url!r}, policy=policy)
    outcome = "ok"
except fetching.FetchError as exc:
    outcome = exc.code
print(outcome, tracemalloc.get_traced_memory()[1])
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parents[1],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    outcome, peak = done.stdout.split()
    return outcome, int(peak)


def test_corrupt_compressed_body_is_a_bad_encoding(httpserver, policy):
    httpserver.expect_request("/article").respond_with_data(
        b"this is not gzip at all",
        content_type="text/html",
        headers={"Content-Encoding": "gzip"},
    )

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(httpserver.url_for("/article"), policy=policy)

    assert caught.value.code == "bad_encoding"


# --- Time limits ----------------------------------------------------------------------


def _fast_policy(timeout: float) -> FetchPolicy:
    return FetchPolicy(timeout=timeout, connect_timeout=timeout, allow_private=True)


def test_slow_server_times_out_quickly(trickle_server):
    started = time.monotonic()

    with pytest.raises(TransientFetchError) as caught:
        fetching.fetch(f"{trickle_server.base_url}/slow", policy=_fast_policy(0.5))

    assert caught.value.code == "timeout"
    assert time.monotonic() - started < 1.5


def test_body_dripping_past_the_deadline_times_out(trickle_server):
    started = time.monotonic()

    with pytest.raises(TransientFetchError) as caught:
        fetching.fetch(f"{trickle_server.base_url}/drip-body", policy=_fast_policy(1))

    assert caught.value.code == "timeout"
    assert 0.9 < time.monotonic() - started < 2


def test_headers_dripping_past_the_deadline_time_out(trickle_server):
    started = time.monotonic()

    with pytest.raises(TransientFetchError) as caught:
        fetching.fetch(
            f"{trickle_server.base_url}/drip-headers", policy=_fast_policy(0.6)
        )

    assert caught.value.code == "timeout"
    assert time.monotonic() - started < 1.5


# --- Error statuses and connection trouble --------------------------------------------


def test_server_error_is_transient(httpserver, policy):
    httpserver.expect_request("/article").respond_with_data("down", status=503)

    with pytest.raises(TransientFetchError) as caught:
        fetching.fetch(httpserver.url_for("/article"), policy=policy)

    assert caught.value.code == "http_error"
    assert str(caught.value) == "HTTP 503"


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [("120", range(120, 121)), ("Wed, 21 Oct 2099 07:28:00 GMT", range(10**9, 10**10))],
)
def test_rate_limit_is_transient_with_retry_after(
    httpserver, policy, retry_after, expected
):
    httpserver.expect_request("/article").respond_with_data(
        "slow down", status=429, headers={"Retry-After": retry_after}
    )

    with pytest.raises(TransientFetchError) as caught:
        fetching.fetch(httpserver.url_for("/article"), policy=policy)

    assert caught.value.code == "rate_limited"
    assert caught.value.retry_after in expected


@pytest.mark.parametrize("status", [401, 403, 451])
def test_other_client_errors_are_permanent(httpserver, policy, status):
    httpserver.expect_request("/article").respond_with_data("no", status=status)

    with pytest.raises(PermanentFetchError) as caught:
        fetching.fetch(httpserver.url_for("/article"), policy=policy)

    assert caught.value.code == "http_error"
    assert str(caught.value) == f"HTTP {status}"


def test_refused_connection_is_transient():
    with pytest.raises(TransientFetchError) as caught:
        fetching.fetch("http://127.0.0.1:1/", policy=_fast_policy(2))

    assert caught.value.code == "connection"


def test_unresolvable_host_is_a_transient_connection_error(fake_dns):
    with pytest.raises(TransientFetchError) as caught:
        fetching.fetch("http://no-such-host.test/article")

    assert caught.value.code == "connection"
    assert "no-such-host.test" in str(caught.value)


def test_fetch_errors_survive_pickling_for_celery():
    error = TransientFetchError(
        "rate_limited", "rate limited: HTTP 429", retry_after=9, status_code=429
    )

    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is TransientFetchError
    assert (copy.code, str(copy), copy.retry_after, copy.status_code) == (
        "rate_limited",
        "rate limited: HTTP 429",
        9,
        429,
    )


# --- POST ----------------------------------------------------------------------------


def test_post_sends_the_body_and_headers_once_and_caps_the_answer(httpserver, policy):
    httpserver.expect_request(
        "/hook", method="POST", data=b'{"a": 1}', headers={"X-Test": "yes"}
    ).respond_with_data("x" * 10_000, status=202, content_type="text/plain")

    result = fetching.post(
        httpserver.url_for("/hook"),
        content=b'{"a": 1}',
        headers={"X-Test": "yes", "user-agent": "HookBot/1.0"},
        policy=policy,
        max_response_bytes=100,
    )

    assert (result.status, result.ok, result.content_type) == (202, True, "text/plain")
    assert result.body == b"x" * 100
    ((request, _),) = httpserver.log
    assert request.headers["User-Agent"] == "HookBot/1.0"  # the caller's value wins


def test_post_does_not_follow_redirects(httpserver, policy):
    httpserver.expect_request("/hook", method="POST").respond_with_data(
        "", status=307, headers={"Location": httpserver.url_for("/elsewhere")}
    )
    httpserver.expect_request("/elsewhere").respond_with_data("reached")

    result = fetching.post(
        httpserver.url_for("/hook"), content=b"{}", headers={}, policy=policy
    )

    assert result.status == 307
    assert not result.ok
    assert [request.path for request, _ in httpserver.log] == ["/hook"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_post_to_a_private_address_is_refused_without_connecting(httpserver, host):
    httpserver.expect_request("/hook").respond_with_data("ok")

    with pytest.raises(PermanentFetchError) as caught:
        fetching.post(
            f"http://{host}:{httpserver.port}/hook",
            content=b"{}",
            headers={},
            policy=FetchPolicy(allowed_ports=frozenset({80, 443, httpserver.port})),
        )

    assert caught.value.code == "refused_private"
    assert str(caught.value).startswith("refused: private address ")
    assert httpserver.log == []


def test_post_refuses_dns_rebinding_at_connect_time(httpserver, fake_dns):
    fake_dns["rebind.test"] = ["93.184.216.34", "127.0.0.1"]
    httpserver.expect_request("/hook").respond_with_data("ok")

    with pytest.raises(PermanentFetchError) as caught:
        fetching.post(
            f"http://rebind.test:{httpserver.port}/hook",
            content=b"{}",
            headers={},
            policy=FetchPolicy(allowed_ports=frozenset({80, 443, httpserver.port})),
        )

    assert caught.value.code == "refused_private"
    assert httpserver.log == []


def test_post_to_a_closed_port_is_transient():
    with pytest.raises(TransientFetchError) as caught:
        fetching.post(
            "http://127.0.0.1:1/hook", content=b"{}", headers={}, policy=_fast_policy(2)
        )

    assert caught.value.code == "connection"


def test_check_url_returns_the_parsed_url_or_refuses():
    strict = FetchPolicy()

    assert fetching.check_url("https://93.184.216.34/hook", strict).host == (
        "93.184.216.34"
    )
    for url, code in [
        ("ftp://93.184.216.34/", "refused_scheme"),
        ("http://10.0.0.1/", "refused_private"),
        ("https://93.184.216.34:8443/", "refused_port"),
        ("http://[::1", "invalid_url"),
    ]:
        with pytest.raises(PermanentFetchError) as caught:
            fetching.check_url(url, strict)
        assert caught.value.code == code, url
