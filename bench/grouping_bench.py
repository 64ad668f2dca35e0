"""Grouping throughput (articles/s) with 100, 1,000 and 10,000 active stories.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anything .venv/bin/python \
        bench/grouping_bench.py [--stories 100,1000,10000] [--articles 100]

Uses its own database, newsroom_grouping_bench, on the server DATABASE_URL names
(created and migrated, dropped at the end). For each size it fills the window with
that many active stories of three articles each (keys drawn from a vocabulary of
names, places and events, stored and indexed as grouping stores them), then times
grouping.group_pending over new articles with text (each shares names with a few
stories). "window s" is what a run reads once (grouping.open_window). Prints
numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

import psycopg
from common import admin_url, database_url, out, recreate_database

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "newsroom_grouping_bench"
EVENTS = ["earthquake", "flood", "election", "truce", "trial", "storm", "fire"]


def fill(stories: int, rng: random.Random) -> None:
    from django.utils import timezone

    from stories.models import Article, ArticleKey, Source, Story

    source = Source.objects.create(name="Bench", domain="bench.example", language="en")
    now = timezone.now()
    made = Story.objects.bulk_create(
        Story(
            title=f"Story {n}",
            slug=f"bench-{n}",
            origin=Story.Origin.GROUPING,
            last_article_at=now,
        )
        for n in range(stories)
    )
    through = Article.stories.through
    articles, links = [], []
    for story in made:
        names = [f"N:name{rng.randrange(stories * 3)}" for _ in range(4)]
        for k in range(3):
            keys = names + [f"E:{rng.choice(EVENTS)}", f"P:C{rng.randrange(200)}"]
            articles.append(
                Article(
                    url=f"https://bench.example/{story.pk}/{k}",
                    source=source,
                    story_keys={"keys": keys, "lang": "en", "headline": story.title},
                    grouped_at=now,
                )
            )
    Article.objects.bulk_create(articles, batch_size=2000)
    for n, article in enumerate(articles):
        links.append(through(article_id=article.pk, story_id=made[n // 3].pk))
    through.objects.bulk_create(links, batch_size=5000)
    ArticleKey.objects.bulk_create(
        (
            ArticleKey(article_id=a.pk, key=key, seen_at=now)
            for a in articles
            for key in set(a.story_keys["keys"])
        ),
        batch_size=5000,
    )


def new_articles(count: int, stories: int, rng: random.Random) -> None:
    from django.utils import timezone

    from stories.models import Article, Source, Version

    source = Source.objects.create(name="New", domain="new.example", language="en")
    for n in range(count):
        names = " and ".join(f"Name{rng.randrange(stories * 3)}" for _ in range(3))
        text = (
            f"Officials said {names} met in Country{rng.randrange(200)} after the "
            f"{rng.choice(EVENTS)} on Monday. Rescuers from Red Cross joined them."
        )
        article = Article.objects.create(url=f"https://new.example/{n}", source=source)
        Version.objects.create(
            article=article,
            number=1,
            fetched_at=timezone.now(),
            url=article.url,
            title=f"Update {n}",
            text=text,
            language="en",
            content_hash=str(n),
            raw_html_compressed=Version.compress(b"<html></html>"),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", default="100,1000,10000")
    parser.add_argument("--articles", type=int, default=100)
    args = parser.parse_args()
    db_url = database_url(BENCH_DB, "", "grouping_bench")
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from stories import grouping, matching

    matching.warm_up()  # CLDR place names and wordfreq, once per process
    out("active stories  window s  articles/s  ms/article")
    try:
        for size in (int(s) for s in args.stories.split(",")):
            recreate_database(db_url)
            rng = random.Random(size)
            fill(size, rng)
            new_articles(args.articles, size, rng)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
            started = time.perf_counter()
            grouping.open_window(django.utils.timezone.now())
            loaded = time.perf_counter() - started
            started = time.perf_counter()
            grouped = len(grouping.group_pending(limit=args.articles))
            spent = time.perf_counter() - started
            out(
                f"{size:>14,}  {loaded:>8.3f}  {grouped / spent:>10.1f}  "
                f"{1000 * spent / grouped:>10.1f}"
            )
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url(db_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
