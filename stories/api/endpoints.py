"""The read API: stories, articles, versions, changes, figure series, search, exports.

Every operation is a GET and checks the caller through TokenAuth (stories/api/auth.py).
Lists carry an ETag and answer If-None-Match with 304.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from typing import Literal

from django.conf import settings
from django.db.models import Count, F, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import conditional_page
from django.views.decorators.vary import vary_on_headers
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError

from stories import archive, exports, search
from stories.api import schemas
from stories.forms import Cursor, TimelineFilterForm
from stories.models import Article, Change, Story, Version

router = Router()
# A list's ETag is the digest of its body: a poller that saw it gets a 304.
CACHEABLE = decorate_view(conditional_page, vary_on_headers("Authorization", "Cookie"))
MAX_LIMIT = 500


def _story(slug: str) -> Story:
    return get_object_or_404(Story, slug=slug)


def _stories() -> QuerySet[Story]:
    return Story.objects.annotate(
        article_count=Count("articles", distinct=True),
        last_change_at=Max("articles__changes__detected_at"),
    )


def _story_out(story: Story) -> dict:
    return {
        "slug": story.slug,
        "title": story.title,
        "description": story.description,
        "status": story.status,
        "created_at": story.created_at,
        "article_count": story.article_count,
        "last_change_at": story.last_change_at,
        "url": story.get_absolute_url(),
    }


@router.get("/stories", response=list[schemas.StoryOut], tags=["stories"])
@CACHEABLE
def list_stories(
    request: HttpRequest, status: Literal["active", "archived", "all"] = "active"
) -> list[dict]:
    """Stories, most recently changed first."""
    stories = _stories()
    if status != "all":
        stories = stories.filter(status=status)
    ordered = stories.order_by(F("last_change_at").desc(nulls_last=True), "-id")
    return [_story_out(story) for story in ordered]


@router.get("/stories/{slug}", response=schemas.StoryOut, tags=["stories"])
@CACHEABLE
def get_story(request: HttpRequest, slug: str) -> dict:
    return _story_out(get_object_or_404(_stories(), slug=slug))


@router.get(
    "/stories/{slug}/articles", response=list[schemas.ArticleOut], tags=["stories"]
)
@CACHEABLE
def list_story_articles(request: HttpRequest, slug: str) -> list[dict]:
    """The story's articles, in the order they were first seen."""
    story = _story(slug)
    articles = (
        story.articles.select_related("source")
        .annotate(version_count=Count("versions"))
        .order_by("first_seen_at", "id")
    )
    return [_article_out(article) for article in articles]


def _article_out(article: Article) -> dict:
    return {
        "id": article.pk,
        "url": article.url,
        "title": article.title,
        "outlet": article.source.name if article.source_id else "",
        "state": article.state,
        "first_seen_at": article.first_seen_at,
        "last_checked_at": article.last_checked_at,
        "last_changed_at": article.last_changed_at,
        "version_count": article.version_count,
    }


@router.get("/articles/{article_id}", response=schemas.ArticleOut, tags=["articles"])
@CACHEABLE
def get_article(request: HttpRequest, article_id: int) -> dict:
    article = get_object_or_404(
        Article.objects.select_related("source").annotate(
            version_count=Count("versions")
        ),
        pk=article_id,
    )
    return _article_out(article)


def _versions(request: HttpRequest, article_id: int, raw_html: bool) -> QuerySet:
    if raw_html and not request.auth.is_staff:
        raise HttpError(403, "Stored pages (raw_html) are for staff only.")
    get_object_or_404(Article.objects.only("id"), pk=article_id)
    versions = Version.objects.filter(article_id=article_id).order_by("number")
    return versions if raw_html else versions.defer("raw_html_compressed")


def _version_out(version: Version, raw_html: bool) -> dict:
    data = {
        field: getattr(version, field)
        for field in schemas.VersionOut.model_fields
        if field != "raw_html"
    }
    if raw_html:
        try:
            data["raw_html"] = version.raw_html.decode("utf-8", errors="replace")
        except zlib.error:
            data["raw_html"] = None
    return data


@router.get(
    "/articles/{article_id}/versions",
    response=schemas.VersionPage,
    tags=["articles"],
)
@CACHEABLE
def list_versions(
    request: HttpRequest,
    article_id: int,
    after: int = 0,
    limit: int = 20,
    raw_html: bool = False,
) -> dict:
    """Versions oldest first: headline, text, figures. `after` pages on by number;
    `raw_html=true` adds the stored page (staff only)."""
    limit = max(1, min(limit, 100))
    versions = _versions(request, article_id, raw_html).filter(number__gt=after)
    page = list(versions[: limit + 1])
    has_more = len(page) > limit
    page = page[:limit]
    return {
        "items": [_version_out(version, raw_html) for version in page],
        "next_after": page[-1].number if has_more else None,
    }


@router.get(
    "/articles/{article_id}/versions/{number}",
    response=schemas.VersionOut,
    tags=["articles"],
)
@CACHEABLE
def get_version(
    request: HttpRequest, article_id: int, number: int, raw_html: bool = False
) -> dict:
    version = get_object_or_404(_versions(request, article_id, raw_html), number=number)
    return _version_out(version, raw_html)


class ChangeFilters(Schema):
    story: str | None = None
    article: int | None = None
    kind: list[Change.Kind] | None = None
    significance: str | None = None
    since: datetime | None = None
    cursor: str | None = None
    limit: int = 100


def _significance_filter(value: str | None) -> Q:
    if not value:
        return Q()
    at_least = TimelineFilterForm.SIGNIFICANCE_AT_LEAST.get(value)
    if at_least is None:
        try:
            at_least = float(value)
        except ValueError as exc:
            raise HttpError(400, "significance: notable, major or 0-1.") from exc
    return Q(kind__in=TimelineFilterForm.ALWAYS_SIGNIFICANT) | Q(
        significance__gte=at_least
    )


def _filtered_changes(filters: ChangeFilters) -> QuerySet[Change]:
    changes = Change.objects.all()
    if filters.story:
        changes = changes.filter(article__stories=_story(filters.story))
    if filters.article:
        changes = changes.filter(article_id=filters.article)
    if filters.kind:
        changes = changes.filter(kind__in=filters.kind)
    return changes.filter(_significance_filter(filters.significance))


def _position(filters: ChangeFilters) -> Cursor:
    if filters.cursor:
        cursor = Cursor.parse(filters.cursor)
        if cursor is None:
            raise HttpError(400, "cursor: use the next_cursor of a previous page.")
        return cursor
    since = filters.since or datetime(1970, 1, 1, tzinfo=UTC)
    if timezone.is_naive(since):
        since = timezone.make_aware(since, UTC)
    return Cursor(since, 2**62)  # after every change of that instant


@router.get("/changes", response=schemas.ChangePage, tags=["changes"])
@CACHEABLE
def list_changes(request: HttpRequest, filters: Query[ChangeFilters]) -> dict:
    """Changes oldest first, after `cursor` (or detected after `since`).

    Keep polling with the returned `next_cursor`: pages are keyed on (detected_at,
    id), so changes stored meanwhile neither shift nor repeat them. Changes younger
    than NEWSROOM_API_SETTLE_SECONDS wait for the next poll, so one whose check is
    still committing is not skipped.
    """
    limit = max(1, min(filters.limit, MAX_LIMIT))
    position = _position(filters)
    settled = timezone.now() - timedelta(seconds=settings.NEWSROOM_API_SETTLE_SECONDS)
    # The page's ids first (no joins to sort through), then only their rows.
    ids = list(
        _filtered_changes(filters)
        .filter(
            Q(detected_at__gt=position.detected_at)
            | Q(detected_at=position.detected_at, pk__gt=position.change_id),
            # Implied by the line above; lets the time index bound the scan.
            detected_at__gte=position.detected_at,
            detected_at__lte=settled,
        )
        .order_by("detected_at", "id")
        .values_list("id", flat=True)[: limit + 1]
    )
    has_more = len(ids) > limit
    page = list(exports.story_changes_query(Change.objects.filter(pk__in=ids[:limit])))
    last = Cursor(page[-1]["detected_at"], page[-1]["id"]) if page else position
    links: dict[int, str] = {}
    return {
        "items": [_change_out(change, links) for change in page],
        "next_cursor": str(last),
        "has_more": has_more,
    }


def _change_out(change: dict, links: dict[int, str]) -> dict:
    row = exports.change_row(change)
    article_id = row["article_id"]
    if article_id not in links:  # reverse() is slow: once per article
        links[article_id] = reverse("stories:article-detail", kwargs={"pk": article_id})
    link = Change.versions_url(
        links[article_id], row["from_version"], row["to_version"]
    )
    return {**row, "url": f"{link}#change-{row['id']}"}


@router.get(
    "/stories/{slug}/figures", response=list[schemas.FigureSeries], tags=["stories"]
)
@CACHEABLE
def story_figures(request: HttpRequest, slug: str) -> list[dict]:
    """Figure series: one per kind and claimant, one point per new value."""
    return exports.figure_series(_story(slug))


@router.get("/search", response=schemas.SearchOut, tags=["search"])
@CACHEABLE
def search_versions(
    request: HttpRequest, q: str, story: str | None = None, limit: int = 20
) -> dict:
    """Full-text search over every version (syntax: README, "Search"); at most
    `limit` (≤ 50) articles, best first."""
    limit = max(1, min(limit, 50))
    results = search.search(q, story=_story(story) if story else None, limit=limit)
    return {
        "query": results.query,
        "engine": results.engine,
        "has_more": results.has_more,
        "groups": [
            {
                "story": group.story.slug if group.story else None,
                "hits": [_hit_out(hit) for hit in group.hits],
            }
            for group in results.groups
        ],
    }


def _hit_out(hit: search.Hit) -> dict:
    return {
        "article_id": hit.article_id,
        "title": hit.title,
        "outlet": hit.outlet,
        "rank": hit.rank,
        "matched_versions": hit.matched_versions,
        "first_version": hit.first_number,
        "removed_in_version": hit.removed_number,
        "latest_version": hit.latest_number,
        "snippet_html": snippet_html(hit.snippet),
        "first_url": hit.first_url,
        "removed_url": hit.removed_url,
    }


def snippet_html(pieces: tuple[tuple[str, bool], ...]) -> str:
    """Escaped text; only the <mark> around matches is markup."""
    return format_html_join(
        "",
        "{}",
        ((format_html("<mark>{}</mark>", t) if hit else t,) for t, hit in pieces),
    )


EXPORTS = {
    ("changes", "csv"): "text/csv",
    ("changes", "json"): "application/json",
    ("figures", "csv"): "text/csv",
    ("figures", "json"): "application/json",
    ("archive", "json"): "application/json",
}


@router.get(
    "/stories/{slug}/export/{what}.{fmt}",
    tags=["exports"],
    response={200: str, 400: schemas.ErrorOut},
    openapi_extra={"responses": {200: {"description": "A file to save."}}},
)
def export_story(
    request: HttpRequest,
    slug: str,
    what: Literal["changes", "figures", "archive"],
    fmt: Literal["csv", "json"],
) -> HttpResponse:
    """A story's changes or figure series as CSV/JSON, or the whole story as an
    archive that `manage.py import_story` loads (stored pages only for staff)."""
    if (what, fmt) not in EXPORTS:
        raise HttpError(400, "The archive is JSON only.")
    story = _story(slug)
    if what == "changes":
        rows = exports.change_rows(story)
        body = exports.to_csv(rows, exports.CHANGE_COLUMNS) if fmt == "csv" else rows
    elif what == "figures":
        series = exports.figure_series(story)
        body = (
            exports.to_csv(exports.figure_rows(series), exports.FIGURE_COLUMNS)
            if fmt == "csv"
            else series
        )
    else:
        body = archive.dump_story(story, include_pages=request.auth.is_staff)
    content = body if isinstance(body, str) else exports.to_json(body)
    response = HttpResponse(
        content, content_type=f"{EXPORTS[(what, fmt)]}; charset=utf-8"
    )
    name = f"{story.slug}-{what}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
