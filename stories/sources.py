"""Sources in and out: OPML/CSV import and export, and each source's feed health.

Editors move source lists between Newsroom and feed readers or spreadsheets here;
the admin calls these functions and shows their results. Polling itself lives in
``discovery``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.db import transaction
from lxml import etree

from stories import policy, urlnorm
from stories.models import Feed, FeedPoll, Source

# --- Source health ------------------------------------------------------------------


@dataclass(frozen=True)
class SourceHealth:
    last_polled_at: datetime | None
    new_per_day: float
    error_rate: float  # 0..1 over the window
    median_ms: float | None
    robots_status: str
    failing_feeds: int
    polls: int


def source_health(source: Source, days: int = 7) -> SourceHealth:
    polls = list(
        FeedPoll.objects.recent(days)
        .filter(feed__source=source)
        .values_list("polled_at", "outcome", "elapsed_ms", "new_articles")
    )
    answered = [ms for _, outcome, ms, _ in polls if outcome != FeedPoll.Outcome.FAILED]
    failed = sum(1 for _, outcome, _, _ in polls if outcome == FeedPoll.Outcome.FAILED)
    return SourceHealth(
        last_polled_at=max((p[0] for p in polls), default=None),
        new_per_day=sum(p[3] for p in polls) / days,
        error_rate=failed / len(polls) if polls else 0.0,
        median_ms=statistics.median(answered) if answered else None,
        robots_status=source.robots_status,
        failing_feeds=source.feeds.failing(policy.feed_failing_after()).count(),
        polls=len(polls),
    )


# --- OPML / CSV import and export of sources ----------------------------------------

CSV_COLUMNS = [
    "name",
    "domain",
    "homepage",
    "language",
    "default_check_interval",
    "article_url_pattern",
    "feed_url",
    "feed_kind",
]


def export_sources_csv(sources: Iterable[Source]) -> str:
    """One row per feed (a source without feeds gets one row with no feed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for source in sources:
        base = [
            source.name,
            source.domain,
            source.homepage,
            source.language,
            source.default_check_interval,
            source.article_url_pattern,
        ]
        feeds = list(source.feeds.order_by("id"))
        for feed in feeds or [None]:
            writer.writerow(base + ([feed.url, feed.kind] if feed else ["", ""]))
    return out.getvalue()


def export_sources_opml(sources: Iterable[Source]) -> str:
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = "Newsroom sources"
    body = etree.SubElement(root, "body")
    for source in sources:
        group = etree.SubElement(
            body,
            "outline",
            text=source.name,
            title=source.name,
            htmlUrl=source.homepage,
            domain=source.domain,
            language=source.language,
        )
        if source.article_url_pattern:
            group.set("articleUrlPattern", source.article_url_pattern)
        for feed in source.feeds.order_by("id"):
            etree.SubElement(
                group,
                "outline",
                text=source.name,
                type="rss" if feed.kind == Feed.Kind.FEED else "sitemap",
                xmlUrl=feed.url,
            )
    return etree.tostring(
        root, pretty_print=True, xml_declaration=True, encoding="UTF-8"
    ).decode("utf-8")


@dataclass(frozen=True)
class ImportResult:
    sources_created: int
    feeds_created: int
    skipped: list[str]


@dataclass(frozen=True)
class _SourceRow:
    name: str
    domain: str
    homepage: str = ""
    language: str = ""
    default_check_interval: int | None = None
    article_url_pattern: str = ""
    feeds: tuple[tuple[str, str], ...] = ()


def import_sources(data: bytes, filename: str) -> ImportResult:
    """Create the sources and feeds an OPML or CSV file lists; known ones are kept."""
    text = data.decode("utf-8-sig", errors="replace")
    is_opml = filename.lower().endswith((".opml", ".xml")) or text.lstrip().startswith(
        ("<?xml", "<opml")
    )
    rows, skipped = (_opml_rows if is_opml else _csv_rows)(text)
    sources_created = feeds_created = 0
    with transaction.atomic():
        for row in rows:
            defaults = {
                "name": row.name[:200] or row.domain,
                "homepage": row.homepage[:500],
                "language": row.language[:8],
                "article_url_pattern": row.article_url_pattern[:500],
            }
            if row.default_check_interval:
                defaults["default_check_interval"] = row.default_check_interval
            source, created = Source.objects.get_or_create(
                domain=row.domain[:253], defaults=defaults
            )
            sources_created += created
            for url, kind in row.feeds:
                try:
                    url = urlnorm.normalise_url(url)
                except ValueError:
                    skipped.append(f"not an http(s) feed URL: {url[:100]}")
                    continue
                _, created = Feed.objects.get_or_create(
                    url=url, defaults={"source": source, "kind": kind}
                )
                feeds_created += created
    return ImportResult(sources_created, feeds_created, skipped)


def _domain_of(*urls: str) -> str:
    for url in urls:
        host = (urlsplit(url).hostname or "").lower()
        if host:
            return host
    return ""


def _csv_rows(text: str) -> tuple[list[_SourceRow], list[str]]:
    merged: dict[str, _SourceRow] = {}
    skipped = []
    for n, record in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        record = {k.strip().lower(): (v or "").strip() for k, v in record.items() if k}
        feed_url = record.get("feed_url", "")
        domain = record.get("domain") or _domain_of(
            record.get("homepage", ""), feed_url
        )
        if not domain:
            skipped.append(f"line {n}: no domain, homepage or feed URL")
            continue
        kind = record.get("feed_kind") or Feed.Kind.FEED
        if kind not in Feed.Kind.values:
            kind = Feed.Kind.FEED
        interval = record.get("default_check_interval", "")
        row = merged.get(domain) or _SourceRow(
            name=record.get("name", ""),
            domain=domain,
            homepage=record.get("homepage", ""),
            language=record.get("language", ""),
            default_check_interval=int(interval) if interval.isdigit() else None,
            article_url_pattern=record.get("article_url_pattern", ""),
        )
        if feed_url:
            row = dataclasses.replace(row, feeds=(*row.feeds, (feed_url, kind)))
        merged[domain] = row
    return list(merged.values()), skipped


def _opml_rows(text: str) -> tuple[list[_SourceRow], list[str]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=parser)
    except etree.XMLSyntaxError as exc:
        return [], [f"not OPML: {exc}"]
    merged: dict[str, _SourceRow] = {}
    for outline in root.iter("outline"):
        feed_url = outline.get("xmlUrl", "")
        parent = outline.getparent()
        group = parent if parent is not None and parent.tag == "outline" else outline
        if not feed_url and not group.get("domain"):
            continue  # a folder
        homepage = outline.get("htmlUrl") or group.get("htmlUrl") or ""
        domain = group.get("domain") or _domain_of(homepage, feed_url)
        if not domain:
            continue
        row = merged.get(domain) or _SourceRow(
            name=group.get("title") or group.get("text") or domain,
            domain=domain,
            homepage=homepage,
            language=group.get("language", ""),
            article_url_pattern=group.get("articleUrlPattern", ""),
        )
        if feed_url:
            kind = Feed.Kind.SITEMAP if outline.get("type") == "sitemap" else "feed"
            row = dataclasses.replace(row, feeds=(*row.feeds, (feed_url, kind)))
        merged[domain] = row
    return list(merged.values()), []
