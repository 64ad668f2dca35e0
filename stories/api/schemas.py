"""What the API returns, as pydantic schemas (they are also the OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel as Schema


class StoryOut(Schema):
    slug: str
    title: str
    description: str
    status: str
    created_at: datetime
    article_count: int
    last_change_at: datetime | None
    url: str


class ArticleOut(Schema):
    id: int
    url: str
    title: str
    outlet: str
    state: str
    first_seen_at: datetime
    last_checked_at: datetime | None
    last_changed_at: datetime | None
    version_count: int


class VersionOut(Schema):
    number: int
    fetched_at: datetime
    url: str
    http_status: int
    title: str
    byline: str
    language: str
    published_at: datetime | None
    modified_at: datetime | None
    text: str
    figures: list[dict[str, Any]]
    raw_html: str | None = None


class VersionPage(Schema):
    items: list[VersionOut]
    next_after: int | None


class ChangeOut(Schema):
    id: int
    detected_at: datetime
    kind: str
    significance: float
    article_id: int
    article_url: str
    outlet: str
    from_version: int | None
    to_version: int | None
    words_added: int
    words_removed: int
    summary: str
    details: dict[str, Any]
    url: str


class ChangePage(Schema):
    items: list[ChangeOut]
    next_cursor: str
    has_more: bool


class FigurePoint(Schema):
    at: datetime
    value: int
    qualifier: str
    previous: int | None
    outlet: str
    article_id: int
    change_id: int
    from_version: int | None
    to_version: int | None


class FigureSeries(Schema):
    kind: str
    claimant: str
    points: list[FigurePoint]


class SearchHitOut(Schema):
    article_id: int
    title: str
    outlet: str
    rank: float
    matched_versions: int
    first_version: int
    removed_in_version: int | None
    latest_version: int
    snippet_html: str
    first_url: str
    removed_url: str | None


class SearchGroupOut(Schema):
    story: str | None
    hits: list[SearchHitOut]


class SearchOut(Schema):
    query: str
    engine: str
    has_more: bool
    groups: list[SearchGroupOut]


class ErrorOut(Schema):
    detail: str
