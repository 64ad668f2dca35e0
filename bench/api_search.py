"""Full-text search and the API's change list on PostgreSQL, at scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anything .venv/bin/python \
        bench/api_search.py [--articles 2000] [--versions 100000] [--changes 5000]
                            [--requests 200] [--keep] [--reuse]

Uses its own database, bench_api, on the server DATABASE_URL names (created, migrated,
filled and dropped again unless --keep; --reuse measures a kept one again). Articles
are written in nl/en/de/fr from the real sentences of the figures dev set plus
article-specific words, and every version rewrites a sentence or a number of the one
before, as news articles do. Prints server times (p50/p95 over --requests calls,
through Django's test client: URL routing, auth, queries, JSON) and index sizes;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from common import admin_url, database_url, out, recreate_database

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "bench_api"
FACTS = ROOT / "tests" / "fixtures" / "facts_dev.jsonl"
LANGUAGES = ("nl", "en", "de", "fr")
SENTENCES_PER_VERSION = 18
SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "tus",
    "len",
    "var",
    "dor",
    "est",
    "pa",
    "li",
    "quo",
    "zan",
    "bre",
    "tol",
    "sim",
    "ur",
    "neo",
    "fa",
    "gi",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--versions", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep bench_api")
    parser.add_argument("--reuse", action="store_true", help="measure a kept bench_api")
    args = parser.parse_args()

    db_url = database_url(BENCH_DB, "", "api_search")
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    try:
        if args.reuse:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        else:
            recreate_database(db_url)
            started = time.perf_counter()
            _seed(db_url, args)
            out(f"seeded in {time.perf_counter() - started:.0f} s")
        _measure(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(admin_url(db_url), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


# -- data ---------------------------------------------------------------------------


def _pools(rng: random.Random) -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for line in FACTS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("lang") in pools:
            pools[row["lang"]].append(row["text"])
    return pools


def _made_up_sentence(rng: random.Random, words: list[str]) -> str:
    picked = rng.choices(words, k=rng.randint(8, 16))
    return " ".join(picked).capitalize() + "."


def _article_text(rng: random.Random, pool: list[str]) -> list[str]:
    # Each article has its own names and places next to the shared news sentences.
    own = ["".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(12)]
    return [
        rng.choice(pool) if n % 3 else _made_up_sentence(rng, own)
        for n in range(SENTENCES_PER_VERSION)
    ]


def _next_version(rng: random.Random, sentences: list[str], pool: list[str]) -> None:
    where = rng.randrange(len(sentences))
    if rng.random() < 0.5:
        sentences[where] = rng.choice(pool)
    else:
        sentences[where] = sentences[where].replace(
            str(rng.randint(1, 9)), str(rng.randint(10, 999)), 1
        )


def _seed(db_url: str, args: argparse.Namespace) -> None:
    from django.db import connections

    rng = random.Random(19)
    pools = _pools(rng)
    per_article = max(args.versions // args.articles, 1)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    article_ids = _seed_articles(args.articles, start)
    connections.close_all()
    # Bulk load: the search indexes are built after the rows, as pg_restore does.
    indexes = _drop_search_indexes(db_url)
    with (
        psycopg.connect(db_url) as conn,
        conn.cursor().copy(
            "COPY stories_version (article_id, number, fetched_at, url, http_status, "
            "title, byline, text, language, content_hash, raw_html_compressed, "
            "figures) FROM STDIN"
        ) as copy,
    ):
        for n, article_id in enumerate(article_ids):
            lang = LANGUAGES[n % len(LANGUAGES)]
            sentences = _article_text(rng, pools[lang])
            for number in range(1, per_article + 1):
                if number > 1:
                    _next_version(rng, sentences, pools[lang])
                at = start + timedelta(hours=n % 500, minutes=number * 7)
                copy.write_row(
                    (article_id, number, at, f"https://outlet.example/{n}", 200)
                    + (sentences[0][:200], "", "\n\n".join(sentences), lang)
                    + (f"{article_id}-{number}", b"", "[]")
                )
    with psycopg.connect(db_url, autocommit=True) as conn:
        for definition in indexes:
            conn.execute(definition)
    _seed_changes(rng, article_ids[:100], args.changes, start)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _drop_search_indexes(db_url: str) -> list[str]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        found = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'stories_version' AND indexdef LIKE '%search_vector%'"
        ).fetchall()
        for name, _ in found:
            conn.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def _seed_articles(articles: int, start: datetime) -> list[int]:
    from stories.models import Article, Source, Story

    source = Source.objects.create(name="Outlet", domain="outlet.example")
    stories = Story.objects.bulk_create(
        Story(title=f"Story {n}", slug=f"story-{n}") for n in range(1, 41)
    )
    made = Article.objects.bulk_create(
        (
            Article(
                url=f"https://outlet.example/{n}",
                source=source,
                title=f"Article {n}",
                first_seen_at=start,
                state=Article.State.RETIRED,
            )
            for n in range(articles)
        ),
        batch_size=1000,
    )
    # story-1 (the one with 5,000 changes) holds 100 articles; the rest are spread.
    links = Article.stories.through
    links.objects.bulk_create(
        links(
            article_id=article.pk,
            story_id=stories[0 if n < 100 else 1 + n % (len(stories) - 1)].pk,
        )
        for n, article in enumerate(made)
    )
    return [article.pk for article in made]


def _seed_changes(
    rng: random.Random, article_ids: list[int], changes: int, start: datetime
) -> None:
    from stories.models import Change, Version

    versions = {
        (v.article_id, v.number): v.pk
        for v in Version.objects.filter(article_id__in=article_ids).only(
            "article_id", "number"
        )
    }
    made = []
    for (article_id, number), version_id in sorted(versions.items()):
        for kind in ("text", "headline", "figure") if number > 1 else ():
            if len(made) >= changes:
                break
            details = {
                "figures": [{"kind": "killed", "old": number, "new": number + 3}]
            }
            made.append(
                Change(
                    article_id=article_id,
                    from_version_id=versions[(article_id, number - 1)],
                    to_version_id=version_id,
                    kind=kind,
                    detected_at=start
                    + timedelta(minutes=len(made), seconds=rng.random()),
                    words_added=rng.randint(1, 40),
                    words_removed=rng.randint(0, 20),
                    summary=f"+{number} words",
                    details=details if kind == "figure" else {},
                    significance=rng.random(),
                    alerts_planned_at=start,
                )
            )
    Change.objects.bulk_create(made, batch_size=1000)


# -- measurements -------------------------------------------------------------------


def _backend_cpu_ms() -> float:
    """CPU time used so far by this connection's PostgreSQL backend (same machine)."""
    from django.db import connection

    if not hasattr(_backend_cpu_ms, "pid"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            _backend_cpu_ms.pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{_backend_cpu_ms.pid}/stat").read_text().rsplit(")", 1)[1]
    utime, stime = fields.split()[11:13]
    return (int(utime) + int(stime)) * 1000 / os.sysconf("SC_CLK_TCK")


def _timed(call: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall times and CPU times (this process + its database backend), in ms."""
    call()  # warm up caches and connections
    walls, cpus = [], []
    for _ in range(runs):
        cpu, db = time.process_time(), _backend_cpu_ms()
        started = time.perf_counter()
        call()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000 + _backend_cpu_ms() - db)
    return walls, cpus


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(int(round(len(ordered) * q)) - 1, 0)]


def _line(label: str, walls: list[float], cpus: list[float], note: str) -> str:
    return (
        f"  {label:<17} wall p50 {_p(walls, 0.5):6.1f} p95 {_p(walls, 0.95):6.1f}"
        f"   cpu p50 {_p(cpus, 0.5):6.1f} p95 {_p(cpus, 0.95):6.1f}  {note}"
    )


def _queries(rng: random.Random) -> dict[str, list[str]]:
    pools = _pools(rng)
    words = {
        lang: [w.strip(".,;:()\"'") for s in pool for w in s.split() if len(w) > 5]
        for lang, pool in pools.items()
    }
    phrases = []
    for pool in pools.values():
        for sentence in rng.sample(pool, 10):
            tokens = sentence.split()
            at = rng.randrange(max(len(tokens) - 3, 1))
            phrases.append('"' + " ".join(tokens[at : at + 3]).strip(".,") + '"')
    return {
        "one word": [rng.choice(words[lang]) for lang in LANGUAGES for _ in range(10)],
        "two words": [
            f"{rng.choice(words[lang])} {rng.choice(words[lang])}"
            for lang in LANGUAGES
            for _ in range(10)
        ],
        "phrase": phrases,
        "word -excluded": [
            f"{rng.choice(words[lang])} -{rng.choice(words[lang])}"
            for lang in LANGUAGES
            for _ in range(10)
        ],
        "made-up name": ["".join(rng.choices(SYLLABLES, k=3)) for _ in range(20)],
    }


def _measure(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.NEWSROOM_API_REQUESTS_PER_MINUTE = 10**9
    settings.NEWSROOM_API_ANONYMOUS_PER_MINUTE = 10**9
    client = Client()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), (SELECT sum(pg_relation_size(indexname::regclass)) "
            "FROM pg_indexes WHERE tablename = 'stories_version' "
            "AND indexdef LIKE '%search_vector%'), "
            "sum(pg_column_size(search_vector)), sum(pg_column_size(text)) "
            "FROM stories_version"
        )
        versions, index_bytes, vector_bytes, text_bytes = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM stories_change")
        changes = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM stories_change c JOIN stories_article_stories s "
            "ON s.article_id = c.article_id WHERE s.story_id = 1"
        )
        story_changes = cursor.fetchone()[0]
    out(f"versions: {versions:,}; changes: {changes:,} ({story_changes:,} in story-1)")
    out(
        f"load average while measuring: {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    out(
        f"search indexes (GIN) per version: {index_bytes / versions:,.0f} B "
        f"(total {index_bytes / 2**20:,.1f} MiB); stored tsvector per version: "
        f"{vector_bytes / versions:,.0f} B; text per version: "
        f"{text_bytes / versions:,.0f} B"
    )
    _measure_search(client, args)
    _measure_changes(client, args, story_changes)


def _measure_search(client, args: argparse.Namespace) -> None:
    rng = random.Random(7)
    all_walls, all_cpus = [], []
    out("search, GET /api/v1/search?q=… (ms; one call per query after a warm-up):")
    for label, queries in _queries(rng).items():
        walls, cpus = [], []
        for query in queries:
            wall, cpu = _timed(lambda q=query: _ok(client, "/api/v1/search", q), 1)
            walls += wall
            cpus += cpu
        all_walls += walls
        all_cpus += cpus
        out(_line(label, walls, cpus, f"({len(queries)} queries)"))
    out(_line("all", all_walls, all_cpus, "(target p95 < 50)"))


def _ok(client, path: str, query: str = "", **params: str) -> None:
    response = client.get(path, {"q": query, **params} if query else params)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}: {response.content}")


def _measure_changes(client, args: argparse.Namespace, story_changes: int) -> None:
    pages = client.get("/api/v1/changes", {"story": "story-1", "limit": 500}).json()
    cursors = [pages["next_cursor"]]
    while pages["has_more"]:
        pages = client.get(
            "/api/v1/changes", {"story": "story-1", "limit": 500, "cursor": cursors[-1]}
        ).json()
        cursors.append(pages["next_cursor"])
    rng = random.Random(3)
    runs = max(args.requests // 4, 10)
    cases = {
        "first page": {"story": "story-1"},
        "page at a cursor": {"story": "story-1", "cursor": rng.choice(cursors)},
        "kind=figure": {"story": "story-1", "kind": "figure"},
        "poll at the end": {"story": "story-1", "cursor": cursors[-1]},
    }
    out(
        f"change list, GET /api/v1/changes?story=…&limit=100 "
        f"({story_changes:,} changes in the story; server time, ms):"
    )
    for label, params in cases.items():
        walls, cpus = _timed(lambda p=params: _ok(client, "/api/v1/changes", **p), runs)
        out(_line(label, walls, cpus, "(target p95 < 30)"))


if __name__ == "__main__":
    main()
