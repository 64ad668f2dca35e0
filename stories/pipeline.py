"""One article check, end to end: fetch -> extract -> compare -> store.

Slow work (HTTP, extraction) happens outside any transaction; the comparison and the
writes happen in one transaction with the article row locked, so two checks of the
same article can never store the same version twice.
"""

import logging
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from stories import (
    extraction,
    fastpath,
    fetching,
    figures,
    fingerprint,
    policy,
)
from stories.changes import changes_between, restored_change
from stories.models import Article, Change, Version

logger = logging.getLogger(__name__)

# The lease of a claimed article (policy.CLAIM_LEASE), kept here as the name the
# claim reads, so a test can shorten it for this module alone.
CLAIM_LEASE = policy.CLAIM_LEASE
# How many due rows one claim looks at (and locks) to fill a batch under pacing.
CLAIM_POOL_FACTOR = 4


class Outcome(StrEnum):
    """What one check ended in (CheckResult.outcome; tasks count and log these)."""

    NEW_VERSION = "new_version"  # the content moved: a version and its changes
    UNCHANGED = "unchanged"  # fetched, same content (or stored by a concurrent check)
    NOT_MODIFIED = "not_modified"  # the server answered 304
    RESTORED = "restored"  # a removed article is back with the text it had
    REMOVED = "removed"  # 404/410
    FAILED = "failed"  # recorded on the article, with backoff
    RETIRED = "retired"  # retired before its queued check ran: not fetched
    DELETED = "deleted"  # deleted while it was being checked


@dataclass(frozen=True)
class CheckResult:
    outcome: Outcome
    message: str
    status_code: int | None = None
    version: Version | None = None
    changes: list[Change] = field(default_factory=list)
    is_transient: bool = False  # a retry soon may succeed (timeout, 5xx, 429)
    retry_after: int | None = None
    timings: dict[str, float] = field(default_factory=dict)  # CPU ms per stage


def claim_due_articles(
    limit: int | None = None, now: datetime | None = None, per_source: int | None = None
) -> list[int]:
    """Claim up to `limit` due articles and return their ids, each claimed once.

    1. Lock a pool of the most overdue articles with FOR UPDATE SKIP LOCKED
       (PostgreSQL), so concurrent beats take disjoint sets (SQLite serialises
       writers instead).
    2. Take at most `per_source` of each source (one outlet = one host), so a site
       with a thousand due articles is checked a few at a time per tick instead of
       hammered; the rest stay due and are unlocked at commit.
    3. Move the taken articles' next_check_at forward by CLAIM_LEASE in the same
       transaction, so a later beat does not claim them again while queued.
    """
    now = now or timezone.now()
    limit = limit or settings.NEWSROOM_CLAIM_BATCH
    per_source = per_source or settings.NEWSROOM_PER_SOURCE_PER_TICK
    with transaction.atomic():
        pool = (
            Article.objects.due(now)
            .select_for_update(skip_locked=True)
            .order_by("next_check_at", "id")
            .values_list("id", "source_id")[: limit * CLAIM_POOL_FACTOR]
        )
        taken: Counter[int | None] = Counter()
        ids = []
        for article_id, source_id in pool:
            if taken[source_id] < per_source:
                taken[source_id] += 1
                ids.append(article_id)
                if len(ids) == limit:
                    break
        if ids:
            Article.objects.filter(id__in=ids).update(next_check_at=now + CLAIM_LEASE)
    return ids


def next_interval(current: int, *, changed: bool, floor: int, ceiling: int) -> int:
    """Adaptive schedule: halve the interval on change, grow it by half when quiet."""
    interval = current // 2 if changed else current * 3 // 2
    return max(floor, min(ceiling, interval))


def _interval_bounds(article: Article) -> tuple[int, int]:
    floor = settings.NEWSROOM_MIN_INTERVAL
    if article.source_id and article.source.default_check_interval < floor:
        floor = article.source.default_check_interval
    return floor, max(floor, settings.NEWSROOM_MAX_INTERVAL)


class StageClock:
    """CPU milliseconds per pipeline stage, for logs and the benchmark.

    thread_time, not process_time: under a threads pool the process clock would
    count every other check running beside this one.
    """

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._started = time.thread_time()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.thread_time()
        try:
            yield
        finally:
            elapsed = (time.thread_time() - start) * 1000
            self.laps[name] = self.laps.get(name, 0.0) + elapsed

    def finish(self) -> dict[str, float]:
        """All laps, plus `db` for the rest (ORM and bookkeeping) and `total`."""
        total = (time.thread_time() - self._started) * 1000
        laps = {name: round(ms, 3) for name, ms in self.laps.items()}
        laps["db"] = round(max(0.0, total - sum(self.laps.values())), 3)
        laps["total"] = round(total, 3)
        return laps


def check_article(
    article: Article,
    now: datetime | None = None,
    bookkeeping: fastpath.Bookkeeping | None = None,
) -> CheckResult:
    """Fetch one article and record what happened; never raises for a bad page.

    With `bookkeeping`, an unchanged active article's check is recorded when the
    caller flushes it (one UPDATE per batch); otherwise at once."""
    clock = StageClock()
    try:
        result = _check(article, now, clock, bookkeeping)
    except Article.DoesNotExist:
        # Deleted while we fetched: its transaction rolled back, nothing to record.
        logger.info("article=%s deleted during its check", article.pk)
        result = CheckResult(Outcome.DELETED, "article was deleted during the check")
    return replace(result, timings=clock.finish())


def _check(
    article: Article,
    now: datetime | None,
    clock: StageClock,
    bookkeeping: fastpath.Bookkeeping | None = None,
) -> CheckResult:
    if article.state == Article.State.RETIRED:
        # Queued before an editor (or the schedule) retired it: leave it alone.
        return CheckResult(Outcome.RETIRED, "article is retired; not checked")
    try:
        with clock.stage("fetch"):
            fetched = fetching.fetch(
                article.url,
                etag=article.etag,
                last_modified=article.last_modified,
                policy=policy.fetch_policy(),
            )
    except fetching.FetchError as exc:
        return _record_failure(
            article,
            str(exc),
            is_transient=isinstance(exc, fetching.TransientFetchError),
            retry_after=getattr(exc, "retry_after", None),
            status_code=exc.status_code,
        )

    if fetched.not_modified:
        return _record_unchanged(
            article, fetched, "not modified (304)", Outcome.NOT_MODIFIED
        )
    if fetched.gone:
        return _record_removed(article, fetched)

    # The cheap path: the article's fingerprint is as at the last full extraction,
    # so text and headline are unchanged (stories/fastpath.py). A small random
    # share of those checks is audited by the full path.
    audit = False
    if article.state == Article.State.ACTIVE and article.region_selector:
        with clock.stage("fingerprint"):
            unchanged = fastpath.region_unchanged(article, fetched.body)
        if unchanged and not fastpath.audit_due():
            return _record_unchanged(
                article,
                fetched,
                "unchanged (article region identical)",
                Outcome.UNCHANGED,
                bookkeeping,
            )
        audit = unchanged

    try:
        with clock.stage("extract"):
            page = extraction.extract_article(_decode(fetched), url=fetched.url)
    except extraction.ExtractionError as exc:
        return _record_failure(
            article, f"extraction failed: {exc}", status_code=fetched.status
        )
    language = page.language or (article.source.language if article.source_id else "")
    when = page.published_at or now or timezone.now()
    with clock.stage("figures"):
        found = figures.find_figures(
            page.text, language or None, reference_year=when.year
        )
    with clock.stage("locate"):
        region = fastpath.learn_region(article, fetched.body, page)
    result = _store(article, fetched, page, found, region, now, clock)
    if audit:
        missed = result.outcome == "new_version"
        fastpath.record_audit(article, missed, result.message)
    return result


def _latest_without_page(article: Article) -> Version | None:
    # The stored page (up to megabytes compressed) is not needed to compare or link.
    return (
        Version.objects.filter(article=article)
        .defer("raw_html_compressed")
        .order_by("-number")
        .first()
    )


def _lock(article: Article) -> Article:
    """The article row, locked for this transaction, with its source (not locked)."""
    return (
        Article.objects.select_related("source")
        .select_for_update(of=("self",))
        .get(pk=article.pk)
    )


def _decode(fetched: fetching.FetchResult) -> str | bytes:
    # With a charset in the header, trust it; otherwise let the extractor sniff
    # <meta charset> and the BOM from the raw bytes.
    if fetched.encoding:
        try:
            return fetched.body.decode(fetched.encoding, errors="replace")
        except LookupError:
            pass
    return fetched.body


def _store(
    article: Article,
    fetched: fetching.FetchResult,
    page: extraction.Extracted,
    found: list[figures.Figure],
    region: fingerprint.Region | None,
    now: datetime | None,
    clock: StageClock,
) -> CheckResult:
    """Compare with the latest version and store a new one if the content moved.

    1. Lock the article row; re-read the latest version under the lock.
    2. Same content hash: only the check bookkeeping moves.
    3. Otherwise insert version N+1 and its changes (headline, text, figures,
       restored).
    The (article, number) constraint turns any race that slips past the lock into an
    IntegrityError, which means another check stored this content first.
    The time is taken once the lock is held, so detected_at follows commit order
    and a live timeline polling "after the newest it saw" misses nothing.
    """
    try:
        with transaction.atomic():
            locked = _lock(article)
            now = now or timezone.now()
            locked.region_selector = region.selector if region else ""
            locked.region_fingerprint = region.fingerprint if region else ""
            locked.region_skip = list(region.skip) if region else []
            latest = _latest_without_page(locked)
            was_removed = locked.state == Article.State.REMOVED
            if latest is not None and latest.content_hash == page.content_hash:
                changes = []
                if was_removed:
                    changes.append(restored_change(locked, latest, None, now))
                    Change.objects.bulk_create(changes)
                _finish(locked, fetched, now, changed=bool(changes), status="unchanged")
                return CheckResult(
                    Outcome.RESTORED if changes else Outcome.UNCHANGED,
                    "unchanged" if not changes else "restored (same text as before)",
                    fetched.status,
                    changes=changes,
                )
            version = Version.objects.create(
                article=locked,
                number=(latest.number + 1) if latest else 1,
                fetched_at=now,
                url=fetched.url,
                http_status=fetched.status,
                title=page.title,
                byline=page.byline,
                text=page.text,
                language=page.language,
                content_hash=page.content_hash,
                raw_html_compressed=Version.compress(fetched.body),
                published_at=page.published_at,
                modified_at=page.modified_at,
                figures=[figure.to_dict() for figure in found],
            )
            with clock.stage("diff"):
                changes = changes_between(locked, latest, version, now)
            if was_removed:
                changes.append(restored_change(locked, latest, version, now))
            Change.objects.bulk_create(changes)
            locked.title = page.title or locked.title
            status = f"new version {version.number}"
            _finish(locked, fetched, now, changed=latest is not None, status=status)
    except IntegrityError:
        logger.info(
            "article=%s version already stored by a concurrent check", article.pk
        )
        return CheckResult(
            Outcome.UNCHANGED, "stored by a concurrent check", fetched.status
        )
    except DataError as exc:
        # A value the columns cannot hold (e.g. a redirect to a 3,000-character URL):
        # record it like any bad page instead of failing the task over and over.
        return _record_failure(
            article, f"could not store this page: {exc}"[:500], status_code=200
        )
    logger.info(
        "article=%s version=%s changes=%s",
        article.pk,
        version.number,
        ",".join(c.kind for c in changes) or "-",
    )
    return CheckResult(
        Outcome.NEW_VERSION,
        f"new version {version.number}",
        fetched.status,
        version=version,
        changes=changes,
    )


# What a successful check writes on the article row besides versions.
BOOKKEEPING_FIELDS = fastpath.BOOKKEEPING_FIELDS


def _finish(
    article: Article,
    fetched: fetching.FetchResult,
    now: datetime,
    *,
    changed: bool,
    status: str,
) -> None:
    """Check bookkeeping on the (locked) article row after a successful fetch."""
    _bookkeep(article, fetched, now, changed=changed, status=status)
    article.save()


def _bookkeep(
    article: Article,
    fetched: fetching.FetchResult,
    now: datetime,
    *,
    changed: bool,
    status: str,
) -> None:
    """Set BOOKKEEPING_FIELDS on the instance: schedule, validators, status."""
    floor, ceiling = _interval_bounds(article)
    article.check_interval = next_interval(
        article.check_interval, changed=changed, floor=floor, ceiling=ceiling
    )
    article.last_checked_at = now
    if changed:
        article.last_changed_at = now
    article.next_check_at = now + timedelta(seconds=article.check_interval)
    article.etag = fetched.etag[:500]
    article.last_modified = fetched.last_modified[:100]
    article.consecutive_failures = 0
    article.last_status = f"{fetched.status}: {status}"[:500]
    article.last_status_code = fetched.status
    if article.state == Article.State.REMOVED and not fetched.gone:
        article.state = Article.State.ACTIVE
    _retire_if_quiet(article, now)


def _retire_if_quiet(article: Article, now: datetime) -> None:
    """Old news: an article unchanged for NEWSROOM_RETIRE_AFTER_DAYS is no longer
    checked (an editor can set it active again in the admin)."""
    quiet_since = article.last_changed_at or article.first_seen_at
    if now - quiet_since > timedelta(days=settings.NEWSROOM_RETIRE_AFTER_DAYS):
        article.state = Article.State.RETIRED
        days = settings.NEWSROOM_RETIRE_AFTER_DAYS
        status = f"{article.last_status}; retired after {days} quiet days"
        article.last_status = status[:500]


def _record_unchanged(
    article: Article,
    fetched: fetching.FetchResult,
    status: str,
    outcome: Outcome,
    bookkeeping: fastpath.Bookkeeping | None = None,
) -> CheckResult:
    now = timezone.now()
    if article.state == Article.State.ACTIVE and bookkeeping is not None:
        _bookkeep(article, fetched, now, changed=False, status=status)
        bookkeeping.add(article)
    elif article.state == Article.State.ACTIVE:
        # The cheap path writes no version, only this check's bookkeeping: one
        # conditional UPDATE instead of lock + save, and only while the article is
        # still active (an editor may have retired it meanwhile).
        _bookkeep(article, fetched, now, changed=False, status=status)
        Article.objects.filter(pk=article.pk, state=Article.State.ACTIVE).update(
            **{name: getattr(article, name) for name in BOOKKEEPING_FIELDS}
        )
    else:
        with transaction.atomic():
            _finish(_lock(article), fetched, now, changed=False, status=status)
    return CheckResult(outcome, status, fetched.status)


def _record_removed(article: Article, fetched: fetching.FetchResult) -> CheckResult:
    """A 404/410 marks the article removed, with one `removed` change per removal."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(article)
        changes = []
        if locked.state != Article.State.REMOVED:
            latest = _latest_without_page(locked)
            changes.append(
                Change.objects.create(
                    article=locked,
                    from_version=latest,
                    kind=Change.Kind.REMOVED,
                    detected_at=now,
                    summary=f"article removed (HTTP {fetched.status})",
                )
            )
            locked.state = Article.State.REMOVED
            # A removed article is checked rarely, in case it comes back.
            locked.check_interval = settings.NEWSROOM_MAX_INTERVAL
        locked.last_checked_at = now
        if changes:
            locked.last_changed_at = now
        _retire_if_quiet(locked, now)
        locked.next_check_at = now + timedelta(seconds=locked.check_interval)
        locked.consecutive_failures = 0
        locked.last_status = f"{fetched.status}: removed"
        locked.last_status_code = fetched.status
        locked.etag = ""
        locked.last_modified = ""
        locked.save()
    return CheckResult(
        Outcome.REMOVED,
        f"removed (HTTP {fetched.status})",
        fetched.status,
        changes=changes,
    )


def record_crash(article: Article, reason: str) -> CheckResult:
    """Record a check that ended in an exception of our own (a bug, a time limit) as
    a failure with backoff, like a bad page; nothing stored is touched."""
    try:
        return _record_failure(article, reason)
    except Article.DoesNotExist:
        return CheckResult("deleted", "article was deleted during the check")


def _record_failure(
    article: Article,
    message: str,
    *,
    is_transient: bool = False,
    retry_after: int | None = None,
    status_code: int | None = None,
) -> CheckResult:
    """Count the failure and back off exponentially; the article keeps its versions."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(article)
        locked.consecutive_failures += 1
        floor, ceiling = _interval_bounds(locked)
        wait = policy.backoff(
            locked.check_interval, locked.consecutive_failures, ceiling=ceiling
        )
        if retry_after:
            wait = max(wait, timedelta(seconds=retry_after))
        locked.last_checked_at = now
        locked.next_check_at = now + wait
        locked.last_status = message[:500]
        locked.last_status_code = status_code
        locked.save()
    logger.warning("article=%s check failed: %s", article.pk, message)
    return CheckResult(
        Outcome.FAILED,
        message,
        status_code,
        is_transient=is_transient,
        retry_after=retry_after,
    )
