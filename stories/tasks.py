"""Thin Celery tasks: load by id, call one pipeline function, decide what comes next."""

import json
import logging
import random
import time
from collections import Counter
from datetime import datetime, timedelta

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from stories import alerts, channels, fastpath, messages, pipeline
from stories.models import Article, Subscription

logger = logging.getLogger(__name__)

# Database hiccups (a PostgreSQL restart) are retried by Celery; page problems are
# recorded on the article by the pipeline and retried here with backoff.
DB_ERRORS = (OperationalError, InterfaceError)
MAX_RETRY_COUNTDOWN = 300
# Every task is safe to run twice, so acks_late, and a DB hiccup is retried.
DB_RETRYING = {
    "acks_late": True,
    "autoretry_for": DB_ERRORS,
    "retry_backoff": 5,
    "max_retries": 3,
}
CHECK_TASK = {**DB_RETRYING, "bind": True, "retry_jitter": True}
TIME_LIMIT_STATUS = "check stopped: it ran past the task's time limit"


@shared_task(**CHECK_TASK)
def check_article(self, article_id: int) -> str:
    article = Article.objects.select_related("source").filter(pk=article_id).first()
    if article is None:
        return "article deleted"  # deleted after it was queued
    try:
        result = _check_and_alert(article)
    except SoftTimeLimitExceeded:
        return pipeline.record_crash(article, TIME_LIMIT_STATUS).outcome
    if _retry_soon(result) and self.request.retries < self.max_retries:
        countdown = result.retry_after or 30 * 2**self.request.retries
        raise self.retry(countdown=countdown + random.uniform(0, 5))
    return result.outcome


@shared_task(**CHECK_TASK)
def check_articles(
    self, article_ids: list[int], claimed_at: str | None = None
) -> dict[str, int]:
    """Check a batch of articles in one task: one message, ack and DB connection
    check per batch instead of per article, which is most of a quiet check's cost.

    A transient failure is retried as its own `check_article`; articles left when
    the batch's time budget runs out are queued as a new batch, so a batch of slow
    sites never reaches the task time limit. One article cannot take the batch down:
    a crash is recorded on it (status, backoff) and the batch goes on; one that runs
    into the soft time limit is recorded the same way and the rest is queued anew.
    Running it twice is harmless (every check is idempotent), and a batch that
    waited in a queue longer than the claim lease skips what a newer claim of the
    same articles already checked.
    """
    started = time.monotonic()
    since = datetime.fromisoformat(claimed_at) if claimed_at else None
    outcomes: Counter[str] = Counter()
    articles = (
        Article.objects.select_related("source")
        .filter(pk__in=article_ids)
        .order_by("id")
    )
    bookkeeping = fastpath.Bookkeeping()  # unchanged checks: one UPDATE per batch
    try:
        for article in articles:
            checked = sum(outcomes.values())
            if checked and time.monotonic() - started > settings.NEWSROOM_BATCH_SECONDS:
                rest = [a for a in article_ids if a >= article.pk]
                _requeue(self, rest, claimed_at)
                outcomes["requeued"] += len(rest)
                break
            if since and article.last_checked_at and article.last_checked_at >= since:
                outcomes["already checked"] += 1
                continue
            try:
                result = _check_and_alert(article, bookkeeping)
            except SoftTimeLimitExceeded:
                # The task's clock is nearly out: blame this article, hand on the rest.
                crashed = pipeline.record_crash(article, TIME_LIMIT_STATUS)
                outcomes[crashed.outcome] += 1
                rest = [a for a in article_ids if a > article.pk]
                if rest:
                    _requeue(self, rest, claimed_at)
                    outcomes["requeued"] += len(rest)
                break
            outcomes[result.outcome] += 1
            if _retry_soon(result):
                countdown = result.retry_after or 30
                check_article.apply_async(
                    [article.pk], countdown=countdown + random.uniform(0, 5)
                )
    finally:
        bookkeeping.flush()
    return dict(outcomes)


def _requeue(task: Task, article_ids: list[int], claimed_at: str | None) -> None:
    """Queue the rest of a batch on the queue the batch came from."""
    queue = (task.request.delivery_info or {}).get("routing_key")
    options = {"queue": queue} if queue else {}
    check_articles.apply_async([article_ids, claimed_at], **options)


def _retry_soon(result: pipeline.CheckResult) -> bool:
    # A long Retry-After is left to the schedule (the pipeline already moved
    # next_check_at): a Celery ETA past the broker's visibility timeout would be
    # redelivered again and again while it waits.
    return result.is_transient and (result.retry_after or 0) <= MAX_RETRY_COUNTDOWN


def _check_and_alert(
    article: Article, bookkeeping: fastpath.Bookkeeping | None = None
) -> pipeline.CheckResult:
    """One article's check; a crash is recorded on the article and ends no batch."""
    try:
        result = pipeline.check_article(article, bookkeeping=bookkeeping)
    except (SoftTimeLimitExceeded, *DB_ERRORS):
        raise  # the batch hands on its rest; Celery retries database hiccups
    except Exception as exc:
        logger.exception("article=%s check crashed", article.pk)
        reason = f"check crashed: {type(exc).__name__}: {exc}"[:300]
        result = pipeline.record_crash(article, reason)
    # One line per check with CPU ms per stage; the benchmark reads these.
    logger.info(
        "check article=%s outcome=%s cpu_ms=%s",
        article.pk,
        result.outcome,
        json.dumps(result.timings, separators=(",", ":")),
    )
    for change in result.changes:
        send_change_alerts.delay(change.pk)
    return result


def enqueue_checks(article_ids: list[int], claimed_at: datetime | None = None) -> None:
    """Queue checks of these (claimed) articles in batches of NEWSROOM_CHECK_BATCH;
    with `claimed_at`, a batch skips articles checked since (see check_articles)."""
    size = settings.NEWSROOM_CHECK_BATCH
    stamp = claimed_at.isoformat() if claimed_at else None
    for start in range(0, len(article_ids), size):
        check_articles.delay(article_ids[start : start + size], stamp)


@shared_task(**DB_RETRYING)
def enqueue_due_articles() -> int:
    claimed_at = timezone.now()
    article_ids = pipeline.claim_due_articles(now=claimed_at)
    enqueue_checks(article_ids, claimed_at)
    if article_ids:
        logger.info("enqueued %s due article checks", len(article_ids))
    return len(article_ids)


# --- Alerts ---------------------------------------------------------------------------


def _schedule_delivery(subscription_id: int, at: datetime | None) -> None:
    now = timezone.now()
    if at is None or at <= now:
        deliver.delay(subscription_id)
    else:
        # Retries and windows are short (minutes); the sweep catches anything lost.
        deliver.apply_async((subscription_id,), eta=at)


@shared_task(**DB_RETRYING)
def send_change_alerts(change_id: int) -> int:
    planned = alerts.send_for_change(change_id)
    for item in planned:
        _schedule_delivery(item.subscription_id, item.due_at)
    return len(planned)


@shared_task(**DB_RETRYING)
def deliver(subscription_id: int) -> str:
    # Retries of failed sends are not Celery retries: the backoff lives in
    # Delivery.due_at, and this task schedules the next run from the result.
    result = alerts.deliver_due(subscription_id)
    if result.next_at is not None:
        _schedule_delivery(subscription_id, result.next_at)
    return result.outcome


def apply_subscription_action(subscription: Subscription, action: str) -> None:
    """alerts.apply_action, and on resume send what waited, once committed.

    The alert page, the signed links in messages and the admin all act through
    here, so resuming sends the pending alerts whichever way it was done."""
    alerts.apply_action(subscription, action)
    if action == "resume":
        deliver.delay_on_commit(subscription.pk)
    elif action == "resubscribe" and subscription.needs_confirmation():
        send_confirmation.delay_on_commit(subscription.pk)


@shared_task(
    **{**DB_RETRYING, "autoretry_for": (*DB_ERRORS, channels.TransientDeliveryError)}
)
def send_confirmation(subscription_id: int) -> str:
    """Mail the confirmation link of an email alert to its (unconfirmed) address."""
    subscription = (
        Subscription.objects.select_related("user", "story", "article", "source")
        .filter(pk=subscription_id, is_confirmed=False, unsubscribed_at=None)
        .first()
    )
    if subscription is None:
        return "nothing to confirm"
    try:
        channels.send_email(subscription, messages.confirmation_message(subscription))
    except channels.PermanentDeliveryError as exc:
        logger.warning("subscription=%s confirmation failed: %s", subscription_id, exc)
        return "failed"
    return "sent"


@shared_task(**DB_RETRYING)
def send_digests() -> int:
    subscription_ids = alerts.due_subscription_ids(digests=True)
    for subscription_id in subscription_ids:
        deliver.delay(subscription_id)
    return len(subscription_ids)


@shared_task(**DB_RETRYING)
def sweep_deliveries() -> int:
    """Re-queue deliveries whose task was lost or whose sender died mid-send, and
    the alerts of changes that never got as far as planning them."""
    for change_id in alerts.unplanned_change_ids():
        send_change_alerts.delay(change_id)
    stale = alerts.release_stale_claims()
    overdue = alerts.due_subscription_ids(digests=False, grace=timedelta(minutes=2))
    subscription_ids = sorted(set(stale) | set(overdue))
    for subscription_id in subscription_ids:
        deliver.delay(subscription_id)
    return len(subscription_ids)


# --- Discovery: feeds -> articles -> stories ---


@shared_task(**DB_RETRYING)
def poll_due_feeds() -> int:
    from stories import discovery

    feed_ids = discovery.claim_due_feeds()
    for feed_id in feed_ids:
        poll_feed.delay(feed_id)
    return len(feed_ids)


@shared_task(**DB_RETRYING)
def poll_feed(feed_id: int) -> str:
    # New articles are due at once; enqueue_due_articles picks them up, so nothing
    # is enqueued here (and nothing is checked twice).
    from stories import discovery
    from stories.models import Feed

    feed = Feed.objects.select_related("source").filter(pk=feed_id).first()
    if feed is None:
        return "feed deleted"
    return discovery.poll_feed(feed).outcome


@shared_task(**DB_RETRYING)
def group_new_articles() -> int:
    from stories import grouping

    return len(grouping.group_pending())
