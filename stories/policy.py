"""How hard Newsroom tries: fetch rules, backoff, claim leases, "failing" thresholds.

Each of these is read from settings in one place, so that the pipeline, discovery,
alerts, channels and admin agree on it. Nothing here touches the database.
"""

import random
from datetime import timedelta

from django.conf import settings

from stories import fetching

# At most 2**MAX_DOUBLINGS times the base wait; the ceiling usually bites first.
MAX_DOUBLINGS = 8


def fetch_policy(max_bytes: int | None = None) -> fetching.FetchPolicy:
    """The fetch rules from settings (pages by default; feeds pass their own cap)."""
    return fetching.FetchPolicy(
        timeout=settings.NEWSROOM_FETCH_TIMEOUT,
        max_bytes=max_bytes or settings.NEWSROOM_MAX_PAGE_BYTES,
        allow_private=settings.NEWSROOM_ALLOW_PRIVATE_HOSTS,
        allowed_hosts=frozenset(settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS),
        allowed_ports=frozenset(settings.NEWSROOM_ALLOWED_PORTS),
    )


def feed_fetch_policy() -> fetching.FetchPolicy:
    """Feeds and robots.txt: the page rules with the (larger) feed size cap."""
    return fetch_policy(max_bytes=settings.NEWSROOM_MAX_FEED_BYTES)


def backoff(
    base: float, failures: int, *, ceiling: float, jitter: float = 0.0
) -> timedelta:
    """The wait after `failures` failures in a row: base × 2^(failures − 1), capped.

    The first failure waits `base` (the normal interval: one bad answer is often a
    blip), each further one doubles it, up to `ceiling`. `jitter` (e.g. 0.2) adds up
    to that fraction at random, so many retries due at once spread out.
    Callers: articles (base = the article's check interval), feeds (the poll
    interval) and alert messages (NEWSROOM_ALERT_RETRY_SECONDS, with jitter).
    """
    doublings = min(max(failures, 1) - 1, MAX_DOUBLINGS)
    seconds = min(ceiling, base * 2**doublings)
    if jitter:
        seconds *= random.uniform(1.0, 1.0 + jitter)
    return timedelta(seconds=seconds)


# How long claimed work (an article check, a feed poll, an alert message) stays out
# of the due set while it is queued or running; work whose worker died is picked up
# again after this. Read once, at import, like the Celery settings around it.
CLAIM_LEASE = timedelta(seconds=settings.NEWSROOM_CLAIM_LEASE_SECONDS)


def feed_failing_after() -> int:
    """Failed polls in a row after which a feed (and its source) shows as failing."""
    return settings.NEWSROOM_FEED_FAILING_AFTER


def article_failing_after() -> int:
    """Failed checks in a row after which an article shows as failing in admin."""
    return settings.NEWSROOM_ARTICLE_FAILING_AFTER
