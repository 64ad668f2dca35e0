"""The cheap path of an article check, its learning and its audit.

- `region_unchanged`: the page's fingerprint (stories/fingerprint.py) equals the one
  remembered at the last full extraction, so text and headline cannot have moved.
- `learn_region`: after every full extraction, the region and the furniture to leave
  out of its fingerprint are learned again from the page just extracted, starting
  from the selectors its source taught before (Source.fingerprint_skip).
- `audit_due` / `record_audit`: a random share (NEWSROOM_AUDIT_SHARE, default 2 %)
  of checks the cheap path calls unchanged run the full path as well. When the full
  path stores a new version there, the cheap path missed a change: that is logged
  as an error and counted in the source's health (Source.audit_misses, shown in the
  admin), and the source's learned furniture is forgotten so it is learned afresh.
- `Bookkeeping`: a batch's unchanged checks written with one UPDATE.
"""

import logging
import random

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from stories import extraction, fingerprint
from stories.models import Article, Source

logger = logging.getLogger(__name__)

# Learned per source at most this many selectors (a page template has a few dozen
# furniture blocks at most).
MAX_SOURCE_SKIP = 40
_rng = random.Random()

# What a successful check writes on the article row besides versions
# (pipeline._bookkeep sets them).
BOOKKEEPING_FIELDS = (
    "check_interval",
    "last_checked_at",
    "last_changed_at",
    "next_check_at",
    "etag",
    "last_modified",
    "consecutive_failures",
    "last_status",
    "last_status_code",
    "state",
)


class Bookkeeping:
    """Unchanged checks of a batch, written with one UPDATE when the batch ends
    (`flush`) instead of one per check. A batch that dies before flushing loses
    only "checked at" times: those articles are simply checked again."""

    def __init__(self) -> None:
        self.articles: list[Article] = []

    def add(self, article: Article) -> None:
        self.articles.append(article)

    def flush(self) -> int:
        """Write the pending rows (only those still active: an editor may have
        retired one meanwhile); returns how many were written."""
        pending, self.articles = self.articles, []
        if not pending:
            return 0
        return Article.objects.filter(state=Article.State.ACTIVE).bulk_update(
            pending, BOOKKEEPING_FIELDS
        )


def region_unchanged(article: Article, body: bytes) -> bool:
    current = fingerprint.fingerprint(
        body, article.region_selector, article.region_skip or ()
    )
    return current is not None and current == article.region_fingerprint


def audit_due() -> bool:
    return _rng.random() < settings.NEWSROOM_AUDIT_SHARE


def learn_region(
    article: Article, body: bytes, page: extraction.Extracted
) -> fingerprint.Region | None:
    """The region to remember after a full extraction, learned from this page."""
    source = article.source if article.source_id else None
    learned = list(source.fingerprint_skip or []) if source else []
    region = fingerprint.locate_region(body, page.text, learned)
    if region is not None and source is not None:
        _teach_source(source, learned, region)
    return region


def _teach_source(
    source: Source, learned: list[str], region: fingerprint.Region
) -> None:
    """Add the region's class/id furniture selectors to its source's list, so the
    source's other articles leave them out too (each page validates them again)."""
    new = [
        entry
        for entry in region.skip
        if entry not in learned
        and entry not in fingerprint.FURNITURE_TAGS
        and not entry.startswith(fingerprint.IF_FURNITURE)
    ]
    if not new or len(learned) >= MAX_SOURCE_SKIP:
        return
    merged = (learned + new)[:MAX_SOURCE_SKIP]
    Source.objects.filter(pk=source.pk).update(fingerprint_skip=merged)
    source.fingerprint_skip = merged


def record_audit(article: Article, missed: bool, outcome: str) -> None:
    """Count an audited check on the source; a miss is a bug signal, logged and
    shown in the source's health, and the source's furniture is learned afresh."""
    if missed:
        note = (
            f"article {article.pk}: the cheap path called the page unchanged, the "
            f"full path stored {outcome}"
        )
        logger.error("cheap path missed a change: %s (%s)", note, article.url)
    if not article.source_id:
        return
    updates: dict = {"audit_checks": F("audit_checks") + 1}
    if missed:
        updates.update(
            audit_misses=F("audit_misses") + 1,
            last_audit_miss=note[:500],
            last_audit_miss_at=timezone.now(),
            fingerprint_skip=[],
        )
    Source.objects.filter(pk=article.source_id).update(**updates)
