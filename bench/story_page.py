"""Server time of the story page for a story with 5,000 changes, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anything .venv/bin/python \
        bench/story_page.py [--changes 5000] [--requests 60] [--keep]

Uses its own database, newsroom_bench, on the server DATABASE_URL names (created,
migrated and dropped again unless --keep). Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg
from common import admin_url, database_url, recreate_database

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "newsroom_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="keep newsroom_bench")
    args = parser.parse_args()

    db_url = database_url(BENCH_DB, "", "story_page")
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    recreate_database(db_url)
    try:
        _run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(admin_url(db_url), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def _run(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    story = _seed(args.changes)
    client = Client()
    page = story.get_absolute_url()
    cases = {
        "story page": page,
        "story page, kind=figure": page + "?kind=figure",
        "story page, significance=major": page + "?significance=major",
        "timeline fragment (htmx)": page + "?kind=text",
    }
    out = sys.stdout
    out.write(f"story with {args.changes:,} changes, {args.requests} requests each\n")
    out.write(f"{'case':34} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KB':>7}\n")
    for name, target in cases.items():
        headers = {"HX-Request": "true"} if "htmx" in name else {}
        for _ in range(5):  # warm caches and connections
            client.get(target, headers=headers)
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(target, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            response = client.get(target, headers=headers)
        timings.sort()
        p95 = timings[max(0, round(len(timings) * 0.95) - 1)]
        out.write(
            f"{name:34} {statistics.median(timings):8.1f} {p95:8.1f} "
            f"{len(queries.captured_queries):8d} {len(response.content) / 1024:7.0f}\n"
        )


def _seed(count: int):
    from django.utils import timezone

    from stories.models import Article, Change, Source, Story, Version

    now = timezone.now()
    story = Story.objects.create(title="Benchmark story", slug="bench")
    sources = [
        Source.objects.create(name=f"Outlet {n}", domain=f"outlet{n}.example")
        for n in range(5)
    ]
    text = " ".join(f"Word{n} in a sentence of a long article." for n in range(300))
    articles, versions = [], []
    for n in range(20):
        article = Article.objects.create(
            url=f"https://outlet{n % 5}.example/a/{n}",
            source=sources[n % 5],
            title=f"Article {n} about the offensive",
        )
        article.stories.add(story)
        articles.append(article)
        versions.append(
            Version.objects.create(
                article=article,
                number=1,
                fetched_at=now - timedelta(days=30),
                url=article.url,
                title=article.title,
                text=text,
                content_hash=f"h{n}",
                raw_html_compressed=Version.compress(text.encode()),
            )
        )
    kinds = ["text"] * 6 + ["headline", "figure", "removed", "restored"]
    # Realistic diff_ops: the timeline must not pay for loading them.
    ops = [["equal", text[:2000]], ["delete", "32"], ["insert", "200"]] * 3

    def figure(n: int) -> dict:
        # The toll is revised upwards every few figure changes, per claimant.
        return {
            "figures": [
                {
                    "kind": "killed",
                    "change": "revised",
                    "old": 32 + n // 40,
                    "new": 32 + n // 40 + 1,
                    "old_qualifier": "exact",
                    "new_qualifier": "more_than",
                    "attributed_to": f"claimant {n % 3}",
                }
            ]
        }

    Change.objects.bulk_create(
        [
            Change(
                article=articles[n % 20],
                from_version=versions[n % 20],
                kind=kinds[n % len(kinds)],
                detected_at=now - timedelta(minutes=5 * (count - n)),
                words_added=n % 40,
                words_removed=n % 9,
                summary=f"+{n % 40} −{n % 9} words, 1 sentence touched",
                diff_ops=ops if kinds[n % len(kinds)] in ("text", "headline") else [],
                details=figure(n) if kinds[n % len(kinds)] == "figure" else {},
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return story


if __name__ == "__main__":
    main()
