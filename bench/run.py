"""End-to-end benchmark of article checks: simulator -> Celery workers -> PostgreSQL.

    make bench BENCH_ARGS="--quick"
    .venv/bin/python bench/run.py --articles 1000 --rounds 3 --pool prefork,threads \
        --concurrency 2,8

For each article count and each (pool, concurrency) pair it:

1. starts bench/newsite.py on 127.0.0.1 (a subprocess),
2. recreates and migrates the database ``newsroom_bench`` (only that name, on the
   server DATABASE_URL points at) and seeds one Article per simulated page,
3. empties its Redis database (CELERY_BROKER_URL, db 10 by default) and starts
   ``--workers`` real ``celery -A newsroom worker`` subprocesses,
4. drives rounds: round 0 is the first fetch of every article; rounds 1..R each
   advance the simulator (``POST /_round``: a known fraction of articles really
   change); a last "quiet" round changes nothing. Every round makes every article
   due and enqueues it the way the beat task does (``pipeline.claim_due_articles``
   then ``tasks.enqueue_checks``: batches of ``NEWSROOM_CHECK_BATCH`` checks per
   task), then waits for one
   ``check article=ID outcome=... cpu_ms={...}`` log line per article,
5. prints one row per round and a stage split, then the floor (raw async fetch and
   bare lexbor parse of the same pages), and once, server time of the story page
   with 5,000 changes and of an article page.

All traffic stays on 127.0.0.1. Every subprocess runs in its own process group and
is stopped in a finally block. Numbers only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import psutil
from common import (
    database_url,
    out,
    recreate_database,
    site_call,
    stop_group,
)

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "newsroom_bench"
DEFAULT_DB = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
DEFAULT_BROKER = "redis://127.0.0.1:6379/10"
STAGES = ("fetch", "fingerprint", "extract", "figures", "locate", "diff", "db")
CHECK_LINE = re.compile(r"check article=(\d+) outcome=(\w+) cpu_ms=(\{[^}]*\})")
# A batch task's end: its unchanged checks' bookkeeping is written by then.
BATCH_DONE = re.compile(r"Task stories\.tasks\.check_articles\[[^\]]+\] succeeded")
ASCTIME = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})")
FLOOR_PAGES = 1000
# What the bench simulator's furniture needs left out (fingerprint.locate_region
# learns this per page in the pipeline).
SKIP = (
    "script",
    "style",
    "nav",
    "aside",
    "header",
    "footer",
    "time",
    "div.comment-counter",
    "div.related-inline",
    "~div.article-body > p:nth-of-type(1)",
)


# --- arguments and environment ---------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--articles", default="1000,10000", help="comma list of article counts"
    )
    parser.add_argument("--rounds", type=int, default=3, help="change rounds")
    parser.add_argument("--change-fraction", type=float, default=0.1)
    parser.add_argument("--noisy-fraction", type=float, default=0.05)
    parser.add_argument(
        "--furniture-fraction",
        type=float,
        default=0.9,
        help="articles with changing furniture inside the article body",
    )
    parser.add_argument(
        "--old-layout",
        action="store_true",
        help="the simulator's layout before issue 14: no furniture in the article",
    )
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument(
        "--concurrency", default="2", help="comma list; paired with --pool"
    )
    parser.add_argument(
        "--pool", default="prefork", help="comma list of prefork|threads|gevent"
    )
    parser.add_argument("--etag", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="200 articles, 3 rounds")
    parser.add_argument(
        "--server-time", action=argparse.BooleanOptionalAction, default=True
    )
    parser.add_argument(
        "--round-timeout", type=float, default=0, help="seconds; 0 = by size"
    )
    args = parser.parse_args()
    if args.quick:
        args.articles = "200"
        args.rounds = 3
    args.sizes = [int(n) for n in args.articles.split(",") if n]
    pools = args.pool.split(",")
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    # Every pool with every concurrency: "--pool prefork,threads --concurrency 2,8".
    args.configs = [(p, c) for p in pools for c in concurrencies]
    return args


def bench_database_url() -> str:
    """DATABASE_URL when its database is named like a bench one (a shared machine:
    each developer benches in their own database), else newsroom_bench. Only a
    database whose name contains "bench" is ever dropped."""
    name = urlsplit(os.environ.get("DATABASE_URL") or "").path.lstrip("/")
    return database_url(name if "bench" in name else BENCH_DB, DEFAULT_DB, "bench")


# --- processes -------------------------------------------------------------------


def start_site(args: argparse.Namespace, n: int) -> tuple[subprocess.Popen, int]:
    cmd = [
        sys.executable,
        str(ROOT / "bench" / "newsite.py"),
        f"--articles={n}",
        f"--change-fraction={args.change_fraction}",
        f"--noisy-fraction={args.noisy_fraction}",
        f"--furniture-fraction={args.furniture_fraction}",
        *(["--old-layout"] if args.old_layout else []),
        f"--seed={args.seed}",
        "--etag" if args.etag else "--no-etag",
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    line = proc.stdout.readline() if proc.stdout else ""
    if not line.startswith("listening "):
        stop_group(proc)
        sys.exit(f"simulator did not start: {line!r}")
    return proc, int(line.split()[1])


def worker_env(port: int, db_url: str, broker: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        CELERY_BROKER_URL=broker,
        NEWSROOM_ALLOWED_PRIVATE_HOSTS=f"127.0.0.1:{port}",
        NEWSROOM_ALLOW_PRIVATE_HOSTS="0",
        NEWSROOM_VAR_DIR=str(Path(tempfile.gettempdir()) / "newsroom-bench"),
        LOG_LEVEL="INFO",
        DEBUG="0",
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS="testserver,127.0.0.1",
        SECURE_SSL_REDIRECT="0",
    )
    return env


def start_workers(
    args: argparse.Namespace, pool: str, concurrency: int, env: dict, logdir: Path
) -> list[tuple[subprocess.Popen, Path]]:
    workers = []
    for k in range(args.workers):
        log = logdir / f"worker{k}.log"
        cmd = [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "newsroom",
            "worker",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "-Q",
            "celery",
            "-n",
            f"bench{k}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "INFO",
        ]
        with log.open("wb") as sink:
            proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        workers.append((proc, log))
    deadline = time.monotonic() + 60
    for proc, log in workers:
        while b"ready." not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"worker did not start:\n{tail}")
            time.sleep(0.2)
    return workers


def tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) of the worker process trees."""
    total = 0.0
    for pid in pids:
        for proc in tree(pid):
            try:
                times = proc.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
    return total


# --- database --------------------------------------------------------------------


def seed_articles(port: int, n: int) -> dict[int, int]:
    """One Article per simulated page, not due; returns {article id: page number}."""
    from datetime import timedelta

    from django.utils import timezone

    from stories.models import Article, Source

    source = Source.objects.create(name="Bench site", domain="127.0.0.1")
    later = timezone.now() + timedelta(days=365)
    Article.objects.bulk_create(
        [
            Article(
                url=f"http://127.0.0.1:{port}/a/{k}",
                source=source,
                next_check_at=later,
            )
            for k in range(n)
        ],
        batch_size=2000,
    )
    return {
        pk: int(url.rsplit("/", 1)[1])
        for pk, url in Article.objects.values_list("id", "url")
    }


# --- one round -------------------------------------------------------------------


@dataclass
class Check:
    outcome: str
    timings: dict[str, float]
    latency_ms: float


@dataclass
class RoundResult:
    label: str
    checks: dict[int, Check] = field(default_factory=dict)
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss: dict[int, int] = field(default_factory=dict)
    timed_out: bool = False
    precision: float | None = None
    recall: float | None = None
    truth_counts: str = ""


class LogTail:
    """Reads new check lines from the worker log files as they grow."""

    def __init__(self, paths: list[Path]) -> None:
        self.files = [path.open("rb") for path in paths]
        for f in self.files:
            f.seek(0, os.SEEK_END)
        self.partial = [b"" for _ in paths]
        self.batches_done = 0

    def lines(self) -> list[tuple[int, str, dict, float]]:
        found = []
        now = time.time()
        for k, f in enumerate(self.files):
            data = self.partial[k] + f.read()
            *complete, self.partial[k] = data.split(b"\n")
            for raw in complete:
                line = raw.decode("utf-8", "replace")
                if BATCH_DONE.search(line):
                    self.batches_done += 1
                    continue
                match = CHECK_LINE.search(line)
                if not match:
                    continue
                stamp = ASCTIME.search(line)
                done = now
                if stamp:
                    parsed = datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S,%f")
                    done = parsed.timestamp()
                found.append(
                    (
                        int(match.group(1)),
                        match.group(2),
                        json.loads(match.group(3)),
                        done,
                    )
                )
        return found

    def close(self) -> None:
        for f in self.files:
            f.close()


def run_round(
    label: str, pids: list[int], tail: LogTail, timeout: float
) -> RoundResult:
    from django.conf import settings
    from django.utils import timezone

    from stories import pipeline, tasks
    from stories.models import Article

    result = RoundResult(label)
    cpu_before = tree_cpu(pids)
    started = time.monotonic()
    # Make every article due, then enqueue exactly as the beat task does.
    Article.objects.update(next_check_at=timezone.now())
    enqueued: dict[int, float] = {}
    batches = tail.batches_done
    size = settings.NEWSROOM_CHECK_BATCH
    while ids := pipeline.claim_due_articles(limit=500):
        for article_id in ids:
            enqueued[article_id] = time.time()
        tasks.enqueue_checks(ids)  # batches of NEWSROOM_CHECK_BATCH, as beat does
        batches += -(-len(ids) // size)
    deadline = started + timeout
    peak: dict[int, int] = {}
    next_sample = 0.0
    # Done when every check logged its line and every batch task ended (a batch
    # writes its unchanged checks' bookkeeping at its end).
    while len(result.checks) < len(enqueued) or tail.batches_done < batches:
        for article_id, outcome, timings, done in tail.lines():
            if article_id in enqueued and article_id not in result.checks:
                latency = (done - enqueued[article_id]) * 1000
                result.checks[article_id] = Check(outcome, timings, latency)
        if time.monotonic() >= next_sample:
            for pid in pids:
                for proc in tree(pid):
                    try:
                        rss = proc.memory_info().rss
                    except psutil.NoSuchProcess:
                        continue
                    peak[proc.pid] = max(peak.get(proc.pid, 0), rss)
            next_sample = time.monotonic() + 0.25
        if time.monotonic() > deadline:
            result.timed_out = True
            break
        time.sleep(0.05)
    result.wall_s = time.monotonic() - started
    result.cpu_s = tree_cpu(pids) - cpu_before
    result.peak_rss = peak
    return result


def score_round(
    result: RoundResult, round_no: int, truth: dict, page_of: dict[int, int], since: int
) -> int:
    """Precision/recall of Change rows created this round against the truth."""
    from stories.models import Change

    detected: set[int] = set()
    last = since
    for change_id, article_id, kind in Change.objects.filter(id__gt=since).values_list(
        "id", "article_id", "kind"
    ):
        last = max(last, change_id)
        if kind in ("text", "headline", "figure"):
            detected.add(page_of[article_id])
    actual = {
        int(page)
        for page, rounds in truth["articles"].items()
        if round_no in rounds["text"] or round_no in rounds["headline"]
    }
    hits = len(detected & actual)
    result.precision = hits / len(detected) if detected else None
    result.recall = hits / len(actual) if actual else None
    result.truth_counts = (
        f"tp={hits} fp={len(detected - actual)} fn={len(actual - detected)}"
    )
    return last


# --- reporting -------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(len(values) * q) - 1))]


def fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def print_rounds(results: list[RoundResult], pids_main: list[int]) -> None:
    out(
        f"{'round':>6} {'checks':>6} {'chk/s':>7} {'cpu ms':>7} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'new':>5} {'unch':>5} {'304':>5} {'fail':>4} "
        f"{'prec':>5} {'recall':>6} {'rss MB':>7} {'cheap%':>6}  truth"
    )
    for r in results:
        checks = list(r.checks.values())
        count = len(checks)
        lat = [c.latency_ms for c in checks]
        outcomes = [c.outcome for c in checks]
        workers_rss = [v for pid, v in r.peak_rss.items() if pid not in pids_main]
        rss = max(workers_rss or list(r.peak_rss.values()) or [0]) / 2**20
        out(
            f"{r.label:>6} {count:6d} {count / r.wall_s:7.1f} "
            f"{(r.cpu_s * 1000 / count) if count else float('nan'):7.2f} "
            f"{statistics.median(lat) if lat else float('nan'):8.0f} "
            f"{pct(lat, 0.95):8.0f} "
            f"{outcomes.count('new_version'):5d} {outcomes.count('unchanged'):5d} "
            f"{outcomes.count('not_modified'):5d} {outcomes.count('failed'):4d} "
            f"{fmt(r.precision):>5} {fmt(r.recall):>6} {rss:7.0f} "
            f"{fmt(cheap_share(checks), '6.1%')}  "
            f"{r.truth_counts}{' TIMED OUT' if r.timed_out else ''}"
        )


def cheap_share(checks: list[Check]) -> float | None:
    """Share of unchanged checks that took the cheap path (no extraction ran)."""
    unchanged = [c for c in checks if c.outcome == "unchanged"]
    if not unchanged:
        return None
    return sum(1 for c in unchanged if "extract" not in c.timings) / len(unchanged)


def stage_means(checks: list[Check]) -> dict[str, float]:
    keys = (*STAGES, "total")
    if not checks:
        return dict.fromkeys(keys, float("nan"))
    return {
        key: sum(c.timings.get(key, 0.0) for c in checks) / len(checks) for key in keys
    }


def print_stages(results: list[RoundResult]) -> None:
    out("in-task CPU ms per check, by stage (mean of the cpu_ms log lines)")
    header = " ".join(f"{s[:8]:>8}" for s in (*STAGES, "total"))
    out(f"{'round / outcome':>24} {'n':>6} {header}")
    for r in results:
        means = stage_means(list(r.checks.values()))
        row = " ".join(f"{means[s]:8.2f}" for s in (*STAGES, "total"))
        out(f"{'round ' + r.label:>24} {len(r.checks):6d} {row}")
    by_outcome: dict[str, list[Check]] = {}
    for r in results[1:]:  # round 0 is the first fetch of everything
        for c in r.checks.values():
            by_outcome.setdefault(c.outcome, []).append(c)
    for outcome, checks in sorted(by_outcome.items()):
        means = stage_means(checks)
        row = " ".join(f"{means[s]:8.2f}" for s in (*STAGES, "total"))
        out(f"{'rounds 1+: ' + outcome:>24} {len(checks):6d} {row}")


# --- the floor -------------------------------------------------------------------


def _fingerprint(module, body: bytes) -> str | None:
    try:
        return module.fingerprint(body, "div.article-body", SKIP)
    except TypeError:  # a revision before learned furniture (--against runs)
        return module.fingerprint(body, "div.article-body")


def measure_floor(port: int, n: int) -> dict[str, float]:
    """CPU ms per page of a raw async fetch (32 concurrent) and a bare lexbor parse."""
    import hashlib

    import aiohttp
    import httpx
    import trafilatura
    from selectolax.lexbor import LexborHTMLParser

    from stories import fingerprint

    urls = [f"http://127.0.0.1:{port}/a/{k}" for k in range(min(n, FLOOR_PAGES))]
    bodies: list[bytes] = []

    async def with_aiohttp() -> None:
        semaphore = asyncio.Semaphore(32)
        connector = aiohttp.TCPConnector(limit=32)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as s:

            async def one(url: str) -> None:
                async with semaphore, s.get(url) as response:
                    bodies.append(await response.read())

            await asyncio.gather(*(one(url) for url in urls))

    async def with_httpx() -> None:
        semaphore = asyncio.Semaphore(32)
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:

            async def one(url: str) -> None:
                async with semaphore:
                    response = await client.get(url)
                    response.read()

            await asyncio.gather(*(one(url) for url in urls))

    floor: dict[str, float] = {}
    for name, job in (("aiohttp", with_aiohttp), ("httpx", with_httpx)):
        runs = []
        for _ in range(3):
            bodies.clear()
            started = time.process_time()
            asyncio.run(job())
            runs.append((time.process_time() - started) * 1000 / len(urls))
        floor[f"fetch {name} (32 concurrent)"] = statistics.median(runs)
    pages = list(bodies) or []
    if not pages:  # httpx ran last and keeps nothing; fetch once more
        asyncio.run(with_aiohttp())
        pages = list(bodies)
    for name, job in (
        ("parse lexbor (bytes)", lambda b: LexborHTMLParser(b)),
        (
            "parse lexbor + region text",
            lambda b: LexborHTMLParser(b).css_first("div.article-body").text(),
        ),
        (
            "fingerprint.fingerprint()",
            lambda b: _fingerprint(fingerprint, b),
        ),
        (
            "trafilatura fast + sha256",
            lambda b: hashlib.sha256(
                (
                    trafilatura.extract(b, fast=True, include_comments=False) or ""
                ).encode()
            ).hexdigest(),
        ),
    ):
        runs = []
        for _ in range(3):
            started = time.process_time()
            for body in pages:
                job(body)
            runs.append((time.process_time() - started) * 1000 / len(pages))
        floor[name] = statistics.median(runs)
    floor["pages"] = len(pages)
    floor["mean KB"] = sum(map(len, pages)) / len(pages) / 1024
    return floor


# --- server time -----------------------------------------------------------------


def measure_server_time(requests: int = 60, changes: int = 5000) -> list[str]:
    """p50/p95 of the story page with `changes` changes and of an article page."""
    from django.conf import settings
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    warnings.filterwarnings("ignore", message="No directory at")
    # DEBUG is off (as in production) but no collectstatic ran: plain static URLs.
    storages = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    with override_settings(STORAGES=storages):
        return _server_time(requests, changes)


def _server_time(requests: int, changes: int) -> list[str]:
    from datetime import timedelta

    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from stories.models import Article, Change, Story, Version

    now = timezone.now()
    articles = list(
        Article.objects.annotate(n=Count("versions"))
        .filter(n__gte=1)
        .order_by("-n", "id")[:20]
    )
    story = Story.objects.create(title="Benchmark story", slug="bench-story")
    story.articles.add(*articles)
    first = {
        v.article_id: v for v in Version.objects.filter(article__in=articles, number=1)
    }
    kinds = ["text"] * 6 + ["headline", "figure", "removed", "restored"]
    ops = [["equal", "woorden " * 200], ["delete", "32"], ["insert", "45"]] * 3

    def figure_details(k: int) -> dict:
        # The shape changes.changes_between stores (asdict of a FigureDelta).
        return {
            "figures": [
                {
                    "kind": "killed",
                    "change": "revised",
                    "old": 32 + k // 40,
                    "new": 32 + k // 40 + 1,
                    "old_qualifier": "exact",
                    "new_qualifier": "more_than",
                    "attributed_to": f"claimant {k % 3}",
                }
            ]
        }

    rows = []
    for k in range(changes):
        article = articles[k % len(articles)]
        kind = kinds[k % len(kinds)]
        rows.append(
            Change(
                article=article,
                from_version=first[article.pk],
                kind=kind,
                detected_at=now - timedelta(minutes=5 * (changes - k)),
                words_added=k % 40,
                words_removed=k % 9,
                summary=f"+{k % 40} -{k % 9} words, 1 sentence touched",
                diff_ops=ops if kind in ("text", "headline") else [],
                details=figure_details(k) if kind == "figure" else {},
            )
        )
    # The bench changes are real ones; these are extra rows for one story page.
    Change.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    cases = {
        f"story page ({changes:,} changes)": reverse(
            "stories:story-detail", args=[story.slug]
        ),
        "article page (latest diff)": reverse(
            "stories:article-detail", args=[articles[0].pk]
        ),
    }
    lines = [f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KB':>6}"]
    for name, target in cases.items():
        for _ in range(5):
            client.get(target)
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(target)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                lines.append(f"{name}: HTTP {response.status_code}")
                break
        with CaptureQueriesContext(connection) as queries:
            response = client.get(target)
        lines.append(
            f"{name:34} {statistics.median(timings):8.1f} {pct(timings, 0.95):8.1f} "
            f"{len(queries.captured_queries):8d} {len(response.content) / 1024:6.0f}"
        )
    return lines


# --- one scenario ----------------------------------------------------------------


def db_bytes_per_version() -> tuple[float, int]:
    from django.db import connection

    from stories.models import Version

    count = Version.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [Version._meta.db_table])
        size = cursor.fetchone()[0]
    return (size / count if count else float("nan")), count


def run_scenario(
    args: argparse.Namespace,
    n: int,
    pool: str,
    concurrency: int,
    db_url: str,
    broker: str,
    with_floor: bool,
    with_server_time: bool,
) -> dict:
    site, port = start_site(args, n)
    logdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    summary: dict = {"n": n, "pool": pool, "concurrency": concurrency}
    try:
        _run_scenario(
            args,
            n,
            pool,
            concurrency,
            db_url,
            broker,
            port,
            logdir,
            summary,
            with_floor,
            with_server_time,
        )
    finally:
        stop_group(site)
    return summary


def _run_scenario(
    args: argparse.Namespace,
    n: int,
    pool: str,
    concurrency: int,
    db_url: str,
    broker: str,
    port: int,
    logdir: Path,
    summary: dict,
    with_floor: bool,
    with_server_time: bool,
) -> None:
    import redis

    workers: list[tuple[subprocess.Popen, Path]] = []
    tail: LogTail | None = None
    try:
        recreate_database(db_url)
        page_of = seed_articles(port, n)
        redis.Redis.from_url(broker).flushdb()
        env = worker_env(port, db_url, broker)
        workers = start_workers(args, pool, concurrency, env, logdir)
        pids = [proc.pid for proc, _ in workers]
        tail = LogTail([log for _, log in workers])
        timeout = args.round_timeout or max(90.0, n * 0.08)
        labels = ["0", *(str(r) for r in range(1, args.rounds + 1)), "quiet"]
        results = []
        last_change = 0
        for round_no, label in enumerate(labels):
            if round_no:
                site_call(
                    port, "/_round" + ("?quiet=1" if label == "quiet" else ""), "POST"
                )
            result = run_round(label, pids, tail, timeout)
            if round_no:
                truth = site_call(port, "/_truth")
                last_change = score_round(result, round_no, truth, page_of, last_change)
            else:
                from stories.models import Change

                last_change = max(
                    Change.objects.values_list("id", flat=True), default=0
                )
            results.append(result)
        per_version, versions = db_bytes_per_version()
        out(
            f"\n== {n:,} articles, pool={pool} concurrency={concurrency} "
            f"workers={args.workers} etag={'on' if args.etag else 'off'} "
            f"change-fraction={args.change_fraction} "
            f"noisy-fraction={args.noisy_fraction} "
            f"furniture-fraction={0.0 if args.old_layout else args.furniture_fraction}"
        )
        print_rounds(results, pids)
        print_stages(results)
        out(
            f"DB: {versions:,} versions, {per_version / 1024:.1f} KB per stored "
            "version (pg_total_relation_size of the version table / versions)"
        )
        quiet = results[-1]
        changed = results[1:-1]
        summary["quiet_cpu_ms"] = quiet.cpu_s * 1000 / max(1, len(quiet.checks))
        summary["quiet_cheap"] = cheap_share(list(quiet.checks.values()))
        summary["quiet_rate"] = len(quiet.checks) / quiet.wall_s
        summary["quiet_task_ms"] = stage_means(list(quiet.checks.values()))["total"]
        total_checks = sum(len(r.checks) for r in changed)
        summary["change_cpu_ms"] = (
            sum(r.cpu_s for r in changed) * 1000 / max(1, total_checks)
        )
        summary["change_rate"] = total_checks / max(
            1e-9, sum(r.wall_s for r in changed)
        )
        lat = [c.latency_ms for r in changed for c in r.checks.values()]
        summary["p95"] = pct(lat, 0.95)
        summary["rss"] = (
            max((v for r in results for v in r.peak_rss.values()), default=0) / 2**20
        )
        tps = [r.truth_counts for r in changed]
        summary["truth"] = tps
    finally:
        if tail:
            tail.close()
        for proc, _ in workers:
            stop_group(proc, grace=20)
        for proc, log in workers:
            if proc.returncode not in (0, None, -signal.SIGTERM):
                out(f"worker exit {proc.returncode}; log kept at {log}")
    if with_floor:
        floor = measure_floor(port, n)
        summary["floor"] = floor
        out(
            f"\nfloor on this machine ({floor['pages']:.0f} pages of "
            f"{floor['mean KB']:.0f} KB mean), CPU ms per page, median of 3:"
        )
        for name, value in floor.items():
            if name not in ("pages", "mean KB"):
                out(f"  {name:34} {value:7.3f}")
        base = floor["fetch aiohttp (32 concurrent)"] + floor["parse lexbor (bytes)"]
        reference = (
            floor["fetch aiohttp (32 concurrent)"] + floor["trafilatura fast + sha256"]
        )
        quiet = summary["quiet_cpu_ms"]
        out(
            f"  {'reference = aiohttp + traf. + sha256':34} {reference:7.3f}\n"
            f"unchanged check (quiet round), whole worker CPU: {quiet:.2f} ms = "
            f"{quiet / reference:.2f}x the reference pipeline; cheap path on "
            f"{fmt(summary['quiet_cheap'], '.1%')} of unchanged checks"
        )
        out(
            f"  {'floor = aiohttp fetch + lexbor parse':34} {base:7.3f}\n"
            f"unchanged check (quiet round), whole worker CPU: "
            f"{summary['quiet_cpu_ms']:.2f} ms = "
            f"{summary['quiet_cpu_ms'] / base:.1f}x floor; "
            f"in-task only: {summary['quiet_task_ms']:.2f} ms = "
            f"{summary['quiet_task_ms'] / base:.1f}x floor"
        )
    if with_server_time:
        out("\nserver time, Django test Client in-process, PostgreSQL:")
        for line in measure_server_time():
            out("  " + line)


def main() -> None:
    args = parse_args()
    db_url = bench_database_url()
    broker = os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER
    if not broker.startswith("redis://"):
        sys.exit("bench needs Redis: set CELERY_BROKER_URL=redis://...")
    os.environ.update(worker_env(0, db_url, broker))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    out(
        f"newsroom bench: {os.cpu_count()} CPUs, python {sys.version.split()[0]}, "
        f"db {urlsplit(db_url).hostname}{urlsplit(db_url).path}, broker {broker}"
    )
    summaries = []
    started = time.monotonic()
    for index, n in enumerate(args.sizes):
        for config_no, (pool, concurrency) in enumerate(args.configs):
            summaries.append(
                run_scenario(
                    args,
                    n,
                    pool,
                    concurrency,
                    db_url,
                    broker,
                    with_floor=config_no == 0,
                    with_server_time=args.server_time and index == 0 and config_no == 0,
                )
            )
    out("\n== summary (rounds 1..R with changes; quiet = last round, no changes)")
    out(
        f"{'articles':>8} {'pool':>8} {'conc':>4} {'chk/s':>7} {'cpu ms':>7} "
        f"{'quiet chk/s':>11} {'quiet cpu ms':>12} {'p95 ms':>7} {'peak rss MB':>11}"
    )
    for s in summaries:
        out(
            f"{s['n']:8d} {s['pool']:>8} {s['concurrency']:4d} "
            f"{s['change_rate']:7.1f} {s['change_cpu_ms']:7.2f} "
            f"{s['quiet_rate']:11.1f} {s['quiet_cpu_ms']:12.2f} {s['p95']:7.0f} "
            f"{s['rss']:11.0f}"
        )
    out(f"total wall time {time.monotonic() - started:.0f} s")
    from django.db import connections

    connections.close_all()


if __name__ == "__main__":
    main()
