"""A tiny local news site that serves the demo article, advancing through its versions.

Used by `manage.py demo_site` (the demo of `make run`) and by the tests, which serve
the same pages to the real pipeline over HTTP.
"""

import hashlib
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

DEMO_DIR = Path(__file__).resolve().parent / "nagorno-karabakh-2023"


def load_story(directory: Path = DEMO_DIR) -> dict:
    return json.loads((directory / "truth.json").read_text(encoding="utf-8"))


def article_path(directory: Path = DEMO_DIR) -> str:
    return urlsplit(load_story(directory)["articles"][0]["url"]).path


class VersionedPage:
    """The article's successive versions, and which one the site serves now."""

    def __init__(self, directory: Path = DEMO_DIR) -> None:
        article = load_story(directory)["articles"][0]
        self.versions = [
            (v["http_status"], (directory / v["file"]).read_bytes())
            for v in article["versions"]
        ]
        self.index = 0
        self.requests = 0
        self.use_etag = True
        self.override: tuple[int, bytes] | None = None  # e.g. (410, b"...")

    def current(self) -> tuple[int, bytes]:
        if self.override is not None:
            return self.override
        return self.versions[min(self.index, len(self.versions) - 1)]


def make_handler(page: VersionedPage, path: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if urlsplit(self.path).path != path:
                self._send(404, b"<html><body><h1>Niet gevonden</h1></body></html>")
                return
            page.requests += 1
            status, body = page.current()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if not page.use_etag:
                etag = ""
            if etag and status == 200 and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self._send(status, body, etag)

        def _send(self, status: int, body: bytes, etag: str = "") -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def serve(
    host: str = "127.0.0.1", port: int = 0, directory: Path = DEMO_DIR
) -> tuple[ThreadingHTTPServer, VersionedPage, str]:
    """Start the site in a background thread; returns (server, page, article URL)."""
    page = VersionedPage(directory)
    path = article_path(directory)
    server = ThreadingHTTPServer((host, port), make_handler(page, path))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://{host}:{server.server_address[1]}{path}"
    return server, page, url


def advance_forever(
    page: VersionedPage, every: float, on_advance: Callable[[int], None]
) -> None:
    """Move to the next version every `every` seconds until the last one."""
    while page.index < len(page.versions) - 1:
        time.sleep(every)
        page.index += 1
        on_advance(page.index + 1)
