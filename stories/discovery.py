"""Feeds and sitemaps -> new Articles, once each, scheduled for their first check.

A poll is: (robots.txt, at most daily) -> conditional GET of the feed -> parse
entries -> normalise URLs -> insert the Articles that are new -> record the poll.
HTTP happens outside any transaction; the inserts rely on the unique Article.url
constraint, so two overlapping polls of one feed create each article once.

Feeds and robots.txt come through ``fetching.fetch`` with their own content types,
so they get the same address checks, caps, decoding and deadline as pages.
"""

from __future__ import annotations

import logging
import re
import urllib.robotparser
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

import feedparser
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from lxml import etree

from stories import cleaning, fetching, policy, urlnorm
from stories.models import Article, Feed, FeedPoll, Source, StoryMatch, Version

logger = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.1"
)
ROBOTS_TYPES = frozenset({"text/plain"})
ROBOTS_RECHECK = timedelta(days=1)
MAX_ENTRIES = 1000  # per poll; a feed listing more is cut, newest first as served
MAX_URL_CHARS = Article._meta.get_field("url").max_length


# --- HTTP for XML ---------------------------------------------------------------


def fetch_feed(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    policy: fetching.FetchPolicy,
    accept: str = FEED_ACCEPT,
    content_types: frozenset[str] = fetching.FEED_TYPES,
) -> fetching.FetchResult:
    """Conditional GET of a feed; 200/304 results, FetchError for anything else."""
    result = fetching.fetch(
        url,
        etag=etag,
        last_modified=last_modified,
        policy=policy,
        content_types=content_types,
        accept=accept,
    )
    if result.gone:
        raise fetching.PermanentFetchError(
            "http_error", f"HTTP {result.status}", status_code=result.status
        )
    return result


# --- Parsing (pure) --------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    url: str  # as listed, not yet normalised
    title: str
    published_at: datetime | None


_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def parse_entries(body: bytes, kind: str, base_url: str) -> list[Entry]:
    """Entries of an RSS/Atom feed or a (news) sitemap, in document order."""
    body = cleaning.clean_markup_bytes(body)
    if kind == Feed.Kind.SITEMAP:
        return _sitemap_entries(body, base_url)[:MAX_ENTRIES]
    parsed = feedparser.parse(body)
    entries = []
    for item in parsed.entries[:MAX_ENTRIES]:
        # FeedBurner-style feeds link to a redirector and keep the real URL here.
        link = item.get("feedburner_origlink") or item.get("link") or ""
        if not link and str(item.get("id", "")).startswith(("http://", "https://")):
            link = item["id"]
        if not link:
            continue
        when = item.get("published_parsed") or item.get("updated_parsed")
        entries.append(
            Entry(
                url=urljoin(base_url, link),
                title=_clean(item.get("title", "")),
                published_at=datetime(*when[:6], tzinfo=UTC) if when else None,
            )
        )
    return entries


def _sitemap_entries(body: bytes, base_url: str) -> list[Entry]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return []
    entries = []
    for node in root.iter(f"{_SITEMAP_NS}url"):
        loc = (node.findtext(f"{_SITEMAP_NS}loc") or "").strip()
        if not loc:
            continue
        title = node.findtext(f"{_NEWS_NS}news/{_NEWS_NS}title") or ""
        when = node.findtext(f"{_NEWS_NS}news/{_NEWS_NS}publication_date") or (
            node.findtext(f"{_SITEMAP_NS}lastmod") or ""
        )
        entries.append(
            Entry(
                url=urljoin(base_url, loc),
                title=_clean(title),
                published_at=_parse_w3c_date(when),
            )
        )
    return entries


def _parse_w3c_date(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _clean(text: str) -> str:
    return cleaning.clean_line(str(text))[:500]


def compile_url_pattern(pattern: str) -> re.Pattern | None:
    """A source's article URL pattern compiled; ValueError saying why if it is not a
    valid regular expression (for the admin, imports and polling alike)."""
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        reason = f"invalid article URL pattern {pattern[:100]!r}: {exc}"
        raise ValueError(reason) from exc


def article_urls(entries: list[Entry], pattern: str) -> dict[str, Entry]:
    """Normalised URL -> entry, first listing wins, filtered by the source's pattern.

    Raises ValueError for an invalid pattern. URLs that could not be stored (too
    long, control characters) are left out, so they cannot fail the others' insert.
    """
    regex = compile_url_pattern(pattern)
    found: dict[str, Entry] = {}
    for entry in entries:
        try:
            url = urlnorm.normalise_url(entry.url)
        except ValueError:
            continue
        if len(url) > MAX_URL_CHARS or cleaning.clean_line(url) != url:
            continue
        if regex is not None and not regex.search(url):
            continue
        found.setdefault(url, entry)
    return found


# --- Polling (DB) -----------------------------------------------------------------


@dataclass(frozen=True)
class PollResult:
    outcome: FeedPoll.Outcome
    message: str
    entries: int = 0
    new_article_ids: list[int] = field(default_factory=list)


def claim_due_feeds(limit: int = 200, now: datetime | None = None) -> list[int]:
    """Claim due feeds (as claim_due_articles does for articles) and return ids."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Feed.objects.due(now)
            .select_for_update(skip_locked=True)
            .order_by("next_poll_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Feed.objects.filter(id__in=ids).update(
                next_poll_at=now + policy.CLAIM_LEASE
            )
    return ids


def poll_feed(feed: Feed, now: datetime | None = None) -> PollResult:
    """Poll one feed and create its new articles; never raises for a bad feed."""
    rules = policy.feed_fetch_policy()
    source = feed.source
    _refresh_robots(source, feed, rules)
    if source.robots_status.startswith("disallowed"):
        return _record_failure(feed, "refused: robots.txt disallows this feed", None, 0)
    try:
        response = fetch_feed(
            feed.url, etag=feed.etag, last_modified=feed.last_modified, policy=rules
        )
    except fetching.FetchError as exc:
        return _record_failure(feed, str(exc), exc.status_code, 0)
    now = now or timezone.now()
    if response.not_modified:
        _record_success(feed, response, now, FeedPoll.Outcome.NOT_MODIFIED, 0, 0)
        return PollResult(FeedPoll.Outcome.NOT_MODIFIED, "not modified (304)")
    entries = parse_entries(response.body, feed.kind, response.url)
    if not entries and not _looks_like_feed(response.body):
        return _record_failure(
            feed, "not a feed: no entries could be read", 200, response.elapsed_ms
        )
    try:
        found = article_urls(entries, source.article_url_pattern)
    except ValueError as exc:
        return _record_failure(feed, str(exc), 200, response.elapsed_ms)
    new_ids = create_articles(source, found, now)
    _record_success(
        feed, response, now, FeedPoll.Outcome.OK, len(entries), len(new_ids)
    )
    logger.info("feed=%s entries=%s new=%s", feed.pk, len(entries), len(new_ids))
    return PollResult(
        FeedPoll.Outcome.OK,
        f"{len(entries)} entries, {len(new_ids)} new",
        len(entries),
        new_ids,
    )


def create_articles(
    source: Source, found: dict[str, Entry], now: datetime
) -> list[int]:
    """Insert the articles not known yet (by URL or canonical URL); return new ids."""
    if not found:
        return []
    urls = list(found)
    known = set(
        Article.objects.filter(Q(url__in=urls) | Q(canonical_url__in=urls)).values_list(
            "url", "canonical_url"
        )
    )
    known_urls = {u for pair in known for u in pair if u}
    fresh = [url for url in urls if url not in known_urls]
    Article.objects.bulk_create(
        [
            Article(
                url=url,
                source=source,
                title=found[url].title,
                first_seen_at=now,
                next_check_at=now,
                check_interval=source.default_check_interval,
            )
            for url in fresh
        ],
        # A concurrent poll (another feed of this source) may insert the same URL.
        ignore_conflicts=True,
    )
    return list(
        Article.objects.filter(url__in=fresh, first_seen_at=now, source=source)
        .order_by("id")
        .values_list("id", flat=True)
    )


def _looks_like_feed(body: bytes) -> bool:
    head = body.lstrip()[:512].lower()
    return head.startswith(b"<?xml") or any(
        tag in head for tag in (b"<rss", b"<feed", b"<urlset", b"<rdf")
    )


def _record_success(
    feed: Feed,
    response: fetching.FetchResult,
    now: datetime,
    outcome: str,
    entries: int,
    new_articles: int,
) -> None:
    with transaction.atomic():
        Feed.objects.filter(pk=feed.pk).update(
            etag=response.etag[:500],
            last_modified=response.last_modified[:100],
            last_polled_at=now,
            next_poll_at=now + timedelta(seconds=feed.poll_interval),
            consecutive_failures=0,
            last_status=f"{response.status}: {entries} entries, {new_articles} new"
            if outcome == FeedPoll.Outcome.OK
            else "304: not modified",
            last_status_code=response.status,
            **({"last_new_at": now} if new_articles else {}),
        )
        FeedPoll.objects.create(
            feed=feed,
            polled_at=now,
            outcome=outcome,
            status_code=response.status,
            elapsed_ms=round(response.elapsed_ms),
            entries=entries,
            new_articles=new_articles,
        )


def _record_failure(
    feed: Feed, message: str, status_code: int | None, elapsed_ms: float
) -> PollResult:
    """Count the failure and back off; the feed stays active and shows as failing."""
    now = timezone.now()
    with transaction.atomic():
        locked = Feed.objects.select_for_update().get(pk=feed.pk)
        locked.consecutive_failures += 1
        locked.last_polled_at = now
        locked.next_poll_at = now + policy.backoff(
            locked.poll_interval,
            locked.consecutive_failures,
            ceiling=settings.NEWSROOM_MAX_INTERVAL,
        )
        locked.last_status = message[:500]
        locked.last_status_code = status_code
        locked.save()
        FeedPoll.objects.create(
            feed=locked,
            polled_at=now,
            outcome=FeedPoll.Outcome.FAILED,
            status_code=status_code,
            elapsed_ms=round(elapsed_ms),
            message=message[:500],
        )
    logger.warning("feed=%s poll failed: %s", feed.pk, message)
    return PollResult(FeedPoll.Outcome.FAILED, message)


# --- robots.txt -------------------------------------------------------------------


def _refresh_robots(source: Source, feed: Feed, policy: fetching.FetchPolicy) -> None:
    """Record on the source whether robots.txt lets us read this feed, daily."""
    checked = source.robots_checked_at
    if checked and timezone.now() - checked < ROBOTS_RECHECK:
        return
    status = robots_status(feed.url, policy)[:200]
    now = timezone.now()
    Source.objects.filter(pk=source.pk).update(
        robots_status=status, robots_checked_at=now
    )
    source.robots_status, source.robots_checked_at = status, now


def robots_status(url: str, policy: fetching.FetchPolicy) -> str:
    """Readable outcome of asking the host's robots.txt about url."""
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        response = fetch_feed(
            robots_url, policy=policy, accept="text/plain", content_types=ROBOTS_TYPES
        )
    except fetching.FetchError as exc:
        if str(exc).startswith("HTTP 4"):
            return f"ok: no robots.txt ({exc})"
        return f"unknown: {exc}"
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(response.body.decode("utf-8", errors="replace").splitlines())
    if parser.can_fetch(policy.user_agent, url):
        return "ok: feeds allowed"
    return "disallowed: robots.txt forbids our feeds"


# --- Canonical URLs and duplicates --------------------------------------------------


def resolve_canonical(article: Article) -> Article:
    """Honour the page's same-site rel=canonical; merge the article into a twin.

    Returns the article that stays (the older one when two URLs are one page).
    1. Read rel=canonical from the latest version's raw HTML.
    2. Store it as canonical_url; if another live article already has that URL or
       canonical URL, this one becomes its duplicate: retired, stories and story
       matches handed to the older one.
    """
    version = Version.objects.latest_for(article)
    if version is None:
        return article
    canonical = urlnorm.canonical_link(version.raw_html, version.url or article.url)
    if not canonical or not urlnorm.same_site(canonical, article.url):
        return article
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if locked.canonical_url != canonical:
            locked.canonical_url = canonical
            locked.save(update_fields=["canonical_url"])
        twin = (
            Article.objects.filter(Q(url=canonical) | Q(canonical_url=canonical))
            .exclude(pk=locked.pk)
            .filter(duplicate_of=None)
            .order_by("id")
            .first()
        )
        if twin is None:
            return locked
        keep, drop = (twin, locked) if twin.pk < locked.pk else (locked, twin)
        merge_duplicate(keep, drop)
        return keep


def merge_duplicate(keep: Article, drop: Article) -> None:
    """Make `drop` a retired duplicate of `keep`; its stories go to `keep`."""
    keep.stories.add(*drop.stories.all())
    taken = StoryMatch.objects.filter(article=keep).values_list("story_id", flat=True)
    StoryMatch.objects.filter(article=drop).exclude(story_id__in=list(taken)).update(
        article=keep
    )
    drop.stories.clear()
    drop.duplicate_of = keep
    drop.state = Article.State.RETIRED
    drop.last_status = f"duplicate of article {keep.pk}"
    drop.save(update_fields=["duplicate_of", "state", "last_status"])
    logger.info("article=%s merged into article=%s", drop.pk, keep.pk)
