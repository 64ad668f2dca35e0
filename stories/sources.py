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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO
from urllib.parse import urlsplit

from django.db import DatabaseError, transaction
from django.utils import timezone
from lxml import etree

from stories import cleaning, discovery, exports, policy, urlnorm
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
    polls: int  # feed polls; a source of tracked articles alone has none
    articles_checked: int  # its articles checked in the window


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
        articles_checked=source.articles.filter(
            last_checked_at__gte=timezone.now() - timedelta(days=days)
        ).count(),
    )


# --- OPML / CSV import and export of sources ----------------------------------------

# An admin upload is read in one request: bounded so it answers in seconds.
MAX_IMPORT_BYTES = 1_000_000
MAX_IMPORT_ROWS = 2_000
MAX_FEED_URL_CHARS = Feed._meta.get_field("url").max_length
MAX_INTERVAL = 30 * 24 * 3600

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
            row = base + ([feed.url, feed.kind] if feed else ["", ""])
            writer.writerow([exports.safe_cell(cell) for cell in row])
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


def import_sources(data: bytes | BinaryIO, filename: str) -> ImportResult:
    """Create the sources and feeds an OPML or CSV file lists; known ones are kept.

    Reads at most MAX_IMPORT_BYTES and MAX_IMPORT_ROWS. Text is cleaned as it comes
    in, each source is checked and saved on its own, and a bad row is reported in
    ``skipped`` without losing the others.
    """
    if not isinstance(data, bytes):
        data = data.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        limit = f"{MAX_IMPORT_BYTES // 1000:,} KB"
        return ImportResult(0, 0, [f"file too large (over {limit}); split it"])
    text = cleaning.clean_text(data.decode("utf-8-sig", errors="replace"))
    is_opml = filename.lower().endswith((".opml", ".xml")) or text.lstrip().startswith(
        ("<?xml", "<opml")
    )
    rows, skipped = (_opml_rows if is_opml else _csv_rows)(text)
    if len(rows) > MAX_IMPORT_ROWS:
        skipped.append(f"only the first {MAX_IMPORT_ROWS} sources were read")
    sources_created = feeds_created = 0
    for row in rows[:MAX_IMPORT_ROWS]:
        try:
            discovery.compile_url_pattern(row.article_url_pattern)
            with transaction.atomic():
                created, feeds = _save_row(row, skipped)
        except (ValueError, DatabaseError) as exc:
            skipped.append(f"{row.domain[:100]}: {str(exc)[:200]}")
            continue
        sources_created += created
        feeds_created += feeds
    return ImportResult(sources_created, feeds_created, skipped)


def _save_row(row: _SourceRow, skipped: list[str]) -> tuple[bool, int]:
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
    feeds_created = 0
    for given, kind in row.feeds:
        try:
            url = urlnorm.normalise_url(given)
        except ValueError:
            url = ""
        if not url or len(url) > MAX_FEED_URL_CHARS:
            skipped.append(f"not an http(s) feed URL: {given[:100]}")
            continue
        _, feed_created = Feed.objects.get_or_create(
            url=url, defaults={"source": source, "kind": kind}
        )
        feeds_created += feed_created
    return created, feeds_created


def _domain_of(*urls: str) -> str:
    """The source key of a URL: its host, with the port when it is not the
    scheme's default (as `track` keys sources), so two outlets on one host stay two."""
    for url in urls:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        try:
            port = parts.port
        except ValueError:
            port = None
        if host and port and port != {"http": 80, "https": 443}.get(parts.scheme):
            return f"{host}:{port}"
        if host:
            return host
    return ""


def _csv_rows(text: str) -> tuple[list[_SourceRow], list[str]]:
    merged: dict[str, _SourceRow] = {}
    skipped: list[str] = []
    for n, record in _csv_records(text, skipped):
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
        row = merged.get(domain) or _SourceRow(
            name=record.get("name", ""),
            domain=domain,
            homepage=record.get("homepage", ""),
            language=record.get("language", ""),
            default_check_interval=_interval(
                record.get("default_check_interval", ""), n, skipped
            ),
            article_url_pattern=record.get("article_url_pattern", ""),
        )
        if feed_url:
            row = dataclasses.replace(row, feeds=(*row.feeds, (feed_url, kind)))
        merged[domain] = row
    return list(merged.values()), skipped


def _csv_records(text: str, skipped: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, record) per readable CSV row, values cleaned and without the
    quote our export puts before formula-like cells; unreadable rows are reported."""
    reader = csv.DictReader(io.StringIO(text))
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over csv.field_size_limit()
            skipped.append(f"line {reader.reader.line_num}: {exc}")
            continue
        yield (
            reader.line_num,
            {
                cleaning.clean_line(k).lower(): _unquote(cleaning.clean_line(v or ""))
                for k, v in record.items()
                if isinstance(k, str) and k and isinstance(v, str | None)
            },
        )


def _unquote(cell: str) -> str:
    """Undo exports.safe_cell, so an exported file imports as it was."""
    if cell.startswith("'") and exports.safe_cell(cell[1:]) == cell:
        return cell[1:]
    return cell


def _interval(value: str, line: int, skipped: list[str]) -> int | None:
    """Whole seconds in ASCII digits within bounds, else None (the default)."""
    if not value:
        return None
    if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_INTERVAL:
        return int(value)
    skipped.append(
        f"line {line}: check interval {value[:20]!r} is not a number of seconds "
        f"from 1 to {MAX_INTERVAL}; the default is used"
    )
    return None


def _opml_rows(text: str) -> tuple[list[_SourceRow], list[str]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(
            cleaning.clean_markup(text).encode("utf-8"), parser=parser
        )
    except etree.XMLSyntaxError as exc:
        return [], [f"not OPML: {exc}"]
    merged: dict[str, _SourceRow] = {}
    for outline in root.iter("outline"):
        _clean_attributes(outline)
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


def _clean_attributes(outline: etree._Element) -> None:
    for name, value in outline.attrib.items():
        outline.set(name, cleaning.clean_line(value))
