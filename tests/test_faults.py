"""Faults with the real services: Redis and PostgreSQL restarted under a real worker.

The guarantee, with Redis keeping nothing on disk:

- A check queued in Redis can be lost when Redis restarts. The database claim is the
  recovery: a claimed article's next_check_at is claim time + CLAIM_LEASE
  (NEWSROOM_CLAIM_LEASE_SECONDS), so the first beat tick after the lease passes
  claims it again. Before that, beat ticks do not enqueue it twice.
- A worker reconnects to a restarted Redis by itself and takes new work.
- A worker whose PostgreSQL connection died mid-check retries the check on a new
  connection (CONN_HEALTH_CHECKS, tasks.DB_ERRORS); the check completes once.
- Nothing stays claimed: afterwards every article is scheduled from its last check.

These tests restart the shared services, so they wait while a benchmark or soak runs
and always leave both services running.
"""

import os
import signal
import subprocess
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from stories import pipeline, tasks
from stories.models import Article, Version
from tests.factories import ArticleFactory, SourceFactory
from tests.test_worker import StallOnce, wait_for, worker_process
from tests.test_worker import queue as queue  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.faults,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

PAGE = (
    Path(pipeline.__file__).parent / "demo" / "nagorno-karabakh-2023" / "v1.html"
).read_bytes()
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/tmp",
    "--logfile",
    "/tmp/newsroom-redis.log",
]
PG_RESTART = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]
LEASE = timedelta(seconds=4)


@pytest.fixture(autouse=True)
def _real_services_only():
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith(
        "redis"
    ):
        pytest.skip("needs PostgreSQL and Redis shared with a worker process")
    # Others' benchmarks and soaks use the same servers: never restart under them.
    deadline = time.monotonic() + 900
    while _busy():
        if time.monotonic() > deadline:
            pytest.skip("a benchmark or soak kept running; not restarting services")
        time.sleep(5)


def _busy() -> bool:
    for script in ("bench/run.py", "bench/soak.py"):
        found = subprocess.run(
            ["pgrep", "-f", script], capture_output=True, check=False
        )
        if found.stdout.strip():
            return True
    return False


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2)


def _redis_up() -> bool:
    try:
        return bool(_redis().ping())
    except redis.RedisError:
        return False


def ensure_redis() -> None:
    if not _redis_up():
        subprocess.run(REDIS_START, check=False, capture_output=True)
    assert wait_for(_redis_up, 20, 0.1), "Redis did not come back"


def restart_redis() -> None:
    try:
        subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"],
            check=False,
            capture_output=True,
            timeout=10,
        )
        assert wait_for(lambda: not _redis_up(), 10, 0.1), "Redis did not stop"
    finally:
        ensure_redis()


def _postgres_up() -> bool:
    try:
        connection.close()
        connection.ensure_connection()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not yet"
        return False


def restart_postgres() -> None:
    connection.close()
    try:
        subprocess.run(PG_RESTART, check=False, capture_output=True, timeout=60)
    finally:
        if not wait_for(_postgres_up, 30, 0.2):
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "start"],
                check=False,
                capture_output=True,
                timeout=60,
            )
        assert wait_for(_postgres_up, 30, 0.2), "PostgreSQL did not come back"


class ArticleSite:
    """The fixture article at any path, over real HTTP on 127.0.0.1."""

    def __init__(self) -> None:
        self.hits = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(handler) -> None:  # noqa: N802, N805
                self.hits += 1
                handler.send_response(200)
                handler.send_header("Content-Type", "text/html; charset=utf-8")
                handler.send_header("Content-Length", str(len(PAGE)))
                handler.end_headers()
                handler.wfile.write(PAGE)

            def log_message(handler, *args) -> None:  # noqa: N805
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def worker_env(netloc: str) -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        ),
        "NEWSROOM_ALLOWED_PRIVATE_HOSTS": netloc,
        "NEWSROOM_ALLOW_PRIVATE_HOSTS": "0",
        "NEWSROOM_CLAIM_LEASE_SECONDS": str(int(LEASE.total_seconds())),
    }


def beat_tick(queue_name: str) -> list[int]:
    """What the beat's enqueue_due_articles does, onto this test's own queue."""
    ids = pipeline.claim_due_articles()
    for article_id in ids:
        tasks.check_article.apply_async([article_id], queue=queue_name)
    return ids


def stop(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def assert_nothing_claimed(articles: list[Article]) -> None:
    for article in Article.objects.filter(pk__in=[a.pk for a in articles]):
        assert article.last_checked_at is not None, article.pk
        # Scheduled from its check by the adaptive interval, not parked by a claim.
        assert article.next_check_at >= article.last_checked_at + timedelta(
            seconds=min(settings.NEWSROOM_MIN_INTERVAL, 60)
        ), article.pk


def test_checks_lost_with_a_redis_restart_are_reclaimed_after_the_lease(
    queue,  # noqa: F811
    monkeypatch,
    settings,
):
    monkeypatch.setattr(pipeline, "CLAIM_LEASE", LEASE)
    settings.NEWSROOM_PER_SOURCE_PER_TICK = 10  # all five in one tick
    site = ArticleSite()
    source = SourceFactory(default_check_interval=600)
    articles = [
        ArticleFactory(url=f"{site.base}/a/{n}", source=source) for n in range(5)
    ]
    worker = None
    try:
        claimed_at = time.monotonic()
        assert sorted(beat_tick(queue)) == sorted(a.pk for a in articles)
        assert _redis().llen(queue) == 5

        restart_redis()  # nothing on disk: the five queued checks are gone
        assert _redis().llen(queue) == 0

        worker = worker_process(worker_env(urlsplit(site.base).netloc), queue)
        # While the lease holds, a tick does not enqueue the claimed articles again.
        if time.monotonic() - claimed_at < LEASE.total_seconds() - 1:
            assert beat_tick(queue) == []

        def all_checked() -> bool:
            beat_tick(queue)
            done = Version.objects.filter(article__in=articles)
            return done.values("article").distinct().count() == 5

        assert wait_for(all_checked, 90, 1.0), "claimed checks were never redone"

        # The worker rode out a second restart by itself and takes new work.
        restart_redis()
        Article.objects.filter(pk=articles[0].pk).update(next_check_at=timezone.now())
        before = Article.objects.get(pk=articles[0].pk).last_checked_at

        def rechecked() -> bool:
            beat_tick(queue)
            return Article.objects.get(pk=articles[0].pk).last_checked_at > before

        assert wait_for(rechecked, 90, 1.0), "the worker did not reconnect to Redis"
    finally:
        stop(worker)
        ensure_redis()
        site.close()

    for article in articles:
        assert Version.objects.filter(article=article).count() == 1
    assert_nothing_claimed(articles)


def test_worker_survives_a_postgres_restart_mid_check(queue, monkeypatch):  # noqa: F811
    monkeypatch.setattr(pipeline, "CLAIM_LEASE", LEASE)
    server = StallOnce()  # the first fetch hangs 8 s: PostgreSQL restarts meanwhile
    article = ArticleFactory(url=server.url)
    worker = worker_process(worker_env(urlsplit(server.url).netloc), queue)
    try:
        assert beat_tick(queue) == [article.pk]
        assert server.first_request.wait(60), "the worker never fetched the page"
        restart_postgres()

        def stored() -> bool:
            try:
                return Version.objects.filter(article=article).exists()
            except Exception:  # noqa: BLE001
                connection.close()
                return False

        assert wait_for(stored, 90, 0.5), "the check never completed"
    finally:
        stop(worker)
        server.server.shutdown()
        ensure_postgres_for_teardown()

    assert Version.objects.filter(article=article).count() == 1
    assert_nothing_claimed([article])
    article.refresh_from_db()
    assert article.consecutive_failures == 0


def ensure_postgres_for_teardown() -> None:
    if not _postgres_up():
        restart_postgres()
