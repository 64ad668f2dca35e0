"""Serve tests/fixtures/feeds over real HTTP (pytest-httpserver), with ETags."""

import hashlib
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FEEDS_DIR = Path(__file__).resolve().parent / "fixtures" / "feeds"
CONTENT_TYPES = {".xml": "application/rss+xml", ".html": "text/html; charset=utf-8"}


class FeedSite:
    """Every fixture file at its path; counts requests and 304s per path."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.base = server.url_for("").rstrip("/")
        self.requests: dict[str, int] = {}
        self.not_modified: dict[str, int] = {}
        for path in sorted(FEEDS_DIR.rglob("*")):
            if path.is_file() and path.suffix in CONTENT_TYPES:
                url_path = "/" + path.relative_to(FEEDS_DIR).as_posix()
                server.expect_request(url_path).respond_with_handler(
                    self._handler(url_path, path)
                )

    def url(self, path: str) -> str:
        return self.base + path

    def _handler(self, url_path: str, path: Path):  # noqa: ANN202
        def handle(request: Request) -> Response:
            self.requests[url_path] = self.requests.get(url_path, 0) + 1
            body = path.read_bytes().replace(b"{BASE}", self.base.encode())
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if request.headers.get("If-None-Match") == etag:
                self.not_modified[url_path] = self.not_modified.get(url_path, 0) + 1
                return Response(status=304, headers={"ETag": etag})
            return Response(
                body, content_type=CONTENT_TYPES[path.suffix], headers={"ETag": etag}
            )

        return handle
