"""Replay a folder of feeds and pages through discovery and grouping, locally.

The folder holds a ``replay.json`` (sources with their feed paths, stories with
rules, and optionally the expected story per article path) and the files to serve.
``{BASE}`` in any served file becomes the local server's address. Everything runs
in one transaction that is rolled back at the end unless ``--keep`` is given, so the
replay never leaves rows behind.
"""

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings

from stories import discovery, grouping, pipeline
from stories.models import Article, Feed, Source, Story, StoryMatch, StoryRule

CONTENT_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
}


class _Rollback(Exception):
    pass


def serve_folder(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    """Serve folder on 127.0.0.1 with ETags and 304s; returns (server, base URL)."""
    root = folder.resolve()
    holder: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = (root / urlsplit(self.path).path.lstrip("/")).resolve()
            if not path.is_relative_to(root) or not path.is_file():
                self._send(404, b"not found", "text/plain")
                return
            body = path.read_bytes().replace(b"{BASE}", holder["base"].encode())
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
            self._send(200, body, content_type, etag)

        def _send(
            self, status: int, body: bytes, content_type: str, etag: str = ""
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["base"] = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, holder["base"]


class Command(BaseCommand):
    help = "Replay a folder of feeds + pages (served locally) and print the grouping."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--keep", action="store_true", help="Keep the rows instead of rolling back."
        )

    def handle(self, *args: object, **options: object) -> None:
        folder: Path = options["folder"]
        manifest_path = folder / "replay.json"
        if not manifest_path.is_file():
            raise CommandError(f"{manifest_path} not found")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        server, base = serve_folder(folder)
        host = urlsplit(base).netloc
        try:
            with (
                override_settings(
                    NEWSROOM_ALLOW_PRIVATE_HOSTS=False,
                    NEWSROOM_ALLOWED_PRIVATE_HOSTS=[host],
                ),
                transaction.atomic(),
            ):
                self._replay(manifest, base)
                if not options["keep"]:
                    raise _Rollback
        except _Rollback:
            self.stdout.write("(rolled back; use --keep to keep the rows)")
        finally:
            server.shutdown()
            server.server_close()

    def _replay(self, manifest: dict, base: str) -> None:
        feeds = []
        for spec in manifest["sources"]:
            source, _ = Source.objects.update_or_create(
                domain=spec["domain"],
                defaults={
                    "name": spec["name"],
                    "language": spec.get("language", ""),
                    "article_url_pattern": spec.get("article_url_pattern", ""),
                },
            )
            for feed_spec in spec["feeds"]:
                feed, _ = Feed.objects.update_or_create(
                    url=base + feed_spec["path"],
                    defaults={"source": source, "kind": feed_spec.get("kind", "feed")},
                )
                feeds.append(feed)
        for spec in manifest.get("stories", []):
            story, _ = Story.objects.update_or_create(
                slug=spec["slug"], defaults={"title": spec["title"]}
            )
            for rule in spec.get("rules", []):
                StoryRule.objects.get_or_create(
                    story=story,
                    language=rule.get("language", ""),
                    keywords="\n".join(rule.get("keywords", [])),
                )
        new_ids: list[int] = []
        for feed in feeds:
            result = discovery.poll_feed(
                Feed.objects.select_related("source").get(pk=feed.pk)
            )
            self.stdout.write(f"poll {feed.url.removeprefix(base)}: {result.message}")
            new_ids += result.new_article_ids
        articles = list(
            Article.objects.filter(pk__in=new_ids)
            .select_related("source")
            .order_by("first_seen_at", "id")
        )
        for article in articles:
            checked = pipeline.check_article(article)
            if checked.outcome != "new_version":
                self.stdout.write(f"check {article.url}: {checked.message}")
        while grouping.pending_articles():
            for result in grouping.group_pending():
                for story in result.formed:
                    self.stdout.write(f"formed “{story.title}”: {story.formation_note}")
        self._report(articles, base, manifest.get("expected", {}))

    def _report(self, articles: list[Article], base: str, expected: dict) -> None:
        matches: dict[int, list[StoryMatch]] = {}
        for match in StoryMatch.objects.filter(article__in=articles).select_related(
            "story"
        ):
            matches.setdefault(match.article_id, []).append(match)
        self.stdout.write("")
        right = wrong = 0
        for article in articles:
            path = urlsplit(article.url).path
            found = matches.get(article.pk, [])
            shown = (
                "; ".join(
                    f"{m.status} {m.story.slug} {m.score:.2f} ({m.method})"
                    for m in sorted(found, key=lambda m: -m.score)
                )
                or "no story"
            )
            verdict = ""
            if path in expected:
                got = _outcome(found)
                ok = got == expected[path]
                right, wrong = right + ok, wrong + (not ok)
                verdict = "  OK" if ok else f"  WRONG (expected {expected[path]})"
            self.stdout.write(
                f"{path}\n    {article.title[:70]}\n    -> {shown}{verdict}"
            )
        for story in (
            Story.objects.filter(articles__in=articles).distinct().order_by("id")
        ):
            members = story.articles.filter(pk__in=[a.pk for a in articles]).count()
            self.stdout.write(
                f"\nstory {story.slug} ({story.get_status_display().lower()}): "
                f"{members} article(s)"
            )
            if story.formation_note:
                self.stdout.write(f"    {story.formation_note}")
        if expected:
            self.stdout.write(f"\ngrouping: {right} right, {wrong} wrong")


def _outcome(found: list[StoryMatch]) -> str | None:
    """The listed story the article is in (a one-outlet candidate is no story)."""
    accepted = [
        m
        for m in found
        if m.status == StoryMatch.Status.ACCEPTED
        and m.story.status != Story.Status.CANDIDATE
    ]
    if accepted:
        return max(accepted, key=lambda m: m.score).story.slug
    proposed = [m for m in found if m.status == StoryMatch.Status.PROPOSED]
    if proposed:
        return "proposed:" + max(proposed, key=lambda m: m.score).story.slug
    return None
