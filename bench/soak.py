"""Soak: many articles on a local site, checked every minute by real beat + worker.

    make soak            # Makefile: soak: ... $(BIN)/python bench/soak.py $(SOAK_ARGS)
    .venv/bin/python bench/soak.py [--articles 500] [--minutes 10] [--interval 60]

1. starts bench/newsite.py on 127.0.0.1 (a subprocess; ETag on, so an unchanged
   article answers 304 the way a versioning CMS would),
2. recreates and migrates the database ``newsroom_soak`` (only that name, on the
   server DATABASE_URL points at), seeds one Article per page, all due now,
3. empties its Redis database (db 6 by default) and starts one ``celery beat`` and
   one ``celery worker`` subprocess with a check interval of exactly --interval,
4. every --round-every seconds advances the site (``POST /_round``: a tenth of the
   articles really change; rounds come slower than checks so every change is seen
   before the next one lands on the same article), and every minute prints the
   queue length, the worker's RSS (main process and pool children) and the versions
   recorded against the site's truth,
5. after --minutes stops changing the site, waits until every article was checked
   after the last round, and compares per article: versions recorded == 1 + rounds
   in which the site changed its text or headline. Exits 1 if a change was missed
   or recorded twice, the queue grew without bound or memory grew.

Every subprocess runs in its own process group and is stopped in a finally block.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import psutil
from common import (
    database_url,
    out,
    recreate_database,
    site_call,
    stop_group,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SOAK_DB = "newsroom_soak"
DEFAULT_DB = f"postgres://postgres@127.0.0.1:5432/{SOAK_DB}"
DEFAULT_BROKER = "redis://127.0.0.1:6379/6"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--interval", type=int, default=60, help="check interval, s")
    parser.add_argument("--round-every", type=int, default=120, help="site edits, s")
    parser.add_argument("--change-fraction", type=float, default=0.1)
    parser.add_argument("--noisy-fraction", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--tick", type=int, default=5, help="beat tick, s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--report-every", type=int, default=60, help="s")
    return parser.parse_args()


def soak_database_url() -> str:
    return database_url(SOAK_DB, DEFAULT_DB, "soak")


def start_site(args: argparse.Namespace) -> tuple[subprocess.Popen, int]:
    cmd = [
        sys.executable,
        str(ROOT / "bench" / "newsite.py"),
        f"--articles={args.articles}",
        f"--change-fraction={args.change_fraction}",
        f"--noisy-fraction={args.noisy_fraction}",
        f"--seed={args.seed}",
        "--port=0",
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, text=True, start_new_session=True, cwd=ROOT
    )
    line = proc.stdout.readline().strip()
    if not line.startswith("listening "):
        stop_group(proc)
        sys.exit(f"newsite did not start: {line!r}")
    return proc, int(line.split()[1])


def seed_articles(port: int, n: int, interval: int) -> dict[int, int]:
    """One due Article per page; returns {article id: page number}."""
    from django.utils import timezone

    from stories.models import Article, Source

    source = Source.objects.create(
        name="Soak site", domain="127.0.0.1", default_check_interval=interval
    )
    now = timezone.now()
    Article.objects.bulk_create(
        [
            Article(
                url=f"http://127.0.0.1:{port}/a/{k}",
                source=source,
                next_check_at=now,
                check_interval=interval,
            )
            for k in range(n)
        ],
        batch_size=1000,
    )
    return {
        pk: int(url.rsplit("/", 1)[1])
        for pk, url in Article.objects.values_list("id", "url")
    }


def celery(kind: str, env: dict, log: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "celery", "-A", "newsroom", kind, "-l", "INFO"]
    handle = log.open("wb")
    return subprocess.Popen(
        [*cmd, *extra],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def tree_rss_mb(proc: subprocess.Popen) -> float:
    try:
        root = psutil.Process(proc.pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for item in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += item.memory_info().rss
    return total / 1e6


def expected_versions(truth: dict, pages: dict[int, int]) -> dict[int, int]:
    """{article id: 1 + rounds in which the page's text or headline changed}."""
    per_page = truth["articles"]
    return {
        pk: 1 + len(set(per_page[str(k)]["text"]) | set(per_page[str(k)]["headline"]))
        for pk, k in pages.items()
    }


def recorded_versions() -> dict[int, int]:
    from django.db.models import Count

    from stories.models import Article

    rows = Article.objects.annotate(n=Count("versions")).values_list("id", "n")
    return dict(rows)


def main() -> int:  # noqa: C901 - one linear script
    args = parse_args()
    db_url = soak_database_url()
    broker = os.environ.get("SOAK_BROKER_URL") or DEFAULT_BROKER
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-soak-"))
    site = beat = worker = None
    try:
        site, port = start_site(args)
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "DATABASE_URL": db_url,
            "CELERY_BROKER_URL": broker,
            "NEWSROOM_VAR_DIR": str(workdir),
            "NEWSROOM_ALLOW_PRIVATE_HOSTS": "0",
            "NEWSROOM_ALLOWED_PRIVATE_HOSTS": f"127.0.0.1:{port}",
            "NEWSROOM_MIN_INTERVAL": str(args.interval),
            "NEWSROOM_MAX_INTERVAL": str(args.interval),
            "NEWSROOM_TICK_SECONDS": str(args.tick),
            # All pages share one host; let a tick take a minute's worth of them.
            "NEWSROOM_PER_SOURCE_PER_TICK": str(
                max(4, args.articles * args.tick // args.interval * 2)
            ),
            "LOG_LEVEL": "INFO",
        }
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
        import django

        django.setup()
        import redis
        from django.db.models import Count
        from django.utils import timezone

        from stories.models import Article

        recreate_database(db_url)
        pages = seed_articles(port, args.articles, args.interval)
        # bench/newsite.py's Site draws its noisy pages first from Random(seed).
        noisy_pages = set(
            random.Random(args.seed).sample(
                range(args.articles), round(args.articles * args.noisy_fraction)
            )
        )
        queue = redis.Redis.from_url(broker)
        queue.delete("celery", "unacked", "unacked_index", "unacked_mutex")

        out(
            f"soak: {args.articles} articles, interval {args.interval}s, site edits "
            f"every {args.round_every}s ({args.change_fraction:.0%} of pages), "
            f"{args.minutes:g} min, worker prefork x{args.concurrency}, "
            f"db {SOAK_DB}, broker {broker}, logs in {workdir}"
        )
        worker = celery(
            "worker",
            env,
            workdir / "worker.log",
            f"--concurrency={args.concurrency}",
            "--pool=prefork",
            "--without-mingle",
            "--without-gossip",
        )
        beat = celery(
            "beat", env, workdir / "beat.log", "-s", str(workdir / "beat-schedule")
        )

        started = time.monotonic()
        end = started + args.minutes * 60
        next_round = started + args.round_every
        next_report = started + args.report_every
        samples: list[tuple[float, int, float]] = []  # (minute, queue, rss)
        out(
            f"{'min':>4} {'round':>5} {'queue':>6} {'rss MB':>7} {'checked':>8} "
            f"{'versions':>9} {'truth':>6}"
        )
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_round:
                site_call(port, "/_round", "POST")
                next_round += args.round_every
            if now >= next_report:
                truth = site_call(port, "/_truth")
                expected = sum(expected_versions(truth, pages).values())
                recorded = sum(recorded_versions().values())
                checked = Article.objects.exclude(last_checked_at=None).count()
                length = queue.llen("celery")
                rss = tree_rss_mb(worker)
                minute = (now - started) / 60
                samples.append((minute, length, rss))
                out(
                    f"{minute:4.1f} {truth['round']:5d} {length:6d} {rss:7.1f} "
                    f"{checked:8d} {recorded:9d} {expected:6d}"
                )
                next_report += args.report_every
            if worker.poll() is not None or beat.poll() is not None:
                out("a celery process exited early; see the logs")
                return 1
            time.sleep(0.5)

        # Drain: every article checked after the last edit landed.
        last_edit = timezone.now()
        deadline = time.monotonic() + args.interval * 2 + 60
        while time.monotonic() < deadline:
            behind = Article.objects.filter(last_checked_at__lt=last_edit).count()
            behind += Article.objects.filter(last_checked_at=None).count()
            if behind == 0:
                break
            time.sleep(2)
        drained_after = time.monotonic() - (deadline - args.interval * 2 - 60)

        truth = site_call(port, "/_truth")
        expected = expected_versions(truth, pages)
        recorded = recorded_versions()
        missed = {pk for pk in pages if recorded.get(pk, 0) < expected[pk]}
        extra = {pk for pk in pages if recorded.get(pk, 0) > expected[pk]}
        extra_noisy = {pk for pk in extra if pages[pk] in noisy_pages}
        changes = sum(expected.values()) - len(pages)
        now_db = timezone.now()
        stuck = Article.objects.filter(
            next_check_at__gt=now_db + timedelta(seconds=args.interval * 2)
        ).count()
        behind = Article.objects.filter(last_checked_at__lt=last_edit).count()
        queue_max = max(s[1] for s in samples) if samples else 0
        queue_end = queue.llen("celery")
        first_rss = samples[0][2] if samples else 0.0
        last_rss = samples[-1][2] if samples else 0.0
        # After the first minute (imports, first extraction of every page) the
        # worker should hold still; allow 15% for allocator noise.
        steady = samples[1] if len(samples) > 1 else samples[0]
        memory_flat = last_rss <= steady[2] * 1.15
        queue_bounded = queue_max <= args.articles and queue_end <= args.articles
        outcomes = dict(
            Article.objects.order_by()
            .values("last_status")
            .annotate(n=Count("id"))
            .values_list("last_status", "n")
        )

        out("")
        out(f"rounds {truth['round']}, real changes on the site {changes}")
        out(
            f"versions recorded {sum(recorded.values())}, expected "
            f"{sum(expected.values())} (one first version per article + changes)"
        )
        out(
            f"missed {len(missed)} articles, recorded twice/false {len(extra)} "
            f"({len(extra_noisy)} of them on the {len(noisy_pages)} noisy pages)"
        )
        out(
            f"checked after the last edit: all but {behind} (drained in "
            f"{drained_after:.0f}s); claimed past 2 intervals: {stuck}"
        )
        out(f"queue: max {queue_max}, at end {queue_end}")
        out(
            f"worker RSS MB: first {first_rss:.1f}, after 1 min {steady[2]:.1f}, "
            f"last {last_rss:.1f}"
        )
        out(f"last status: {outcomes}")
        ok = (
            not missed
            and not (extra - extra_noisy)
            and queue_bounded
            and memory_flat
            and not stuck
            and not behind
        )
        out(
            "RESULT "
            + ("ok" if ok else "FAILED")
            + f": every real change recorded once={not missed and not extra}, "
            f"queue bounded={queue_bounded}, memory flat={memory_flat}"
        )
        if missed:
            sample = sorted(missed)[:10]
            out(
                "missed (article: recorded/expected): "
                + ", ".join(
                    f"{pk}: {recorded.get(pk, 0)}/{expected[pk]}" for pk in sample
                )
            )
        if extra:
            sample = sorted(extra)[:10]
            out(
                "extra (article: recorded/expected): "
                + ", ".join(f"{pk}: {recorded[pk]}/{expected[pk]}" for pk in sample)
            )
        return 0 if ok else 1
    finally:
        stop_group(beat)
        stop_group(worker)
        stop_group(site)


if __name__ == "__main__":
    sys.exit(main())
