"""Atom feeds of changes: everything, and one per story."""

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from stories import cleaning, describe
from stories.http import login_response
from stories.models import Change, Story

FEED_LENGTH = 50


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return cleaning.clean_text(value)
    if isinstance(value, tuple | list):
        return type(value)(_cleaned(v) for v in value)
    return value


class CleanAtom1Feed(Atom1Feed):
    """Atom 1.0 with every text cleaned: XML 1.0 refuses control characters, and
    rows stored before cleaning.py existed may hold some."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*map(_cleaned, args), **_cleaned_kwargs(kwargs))

    def add_item(self, *args: Any, **kwargs: Any) -> None:
        super().add_item(*map(_cleaned, args), **_cleaned_kwargs(kwargs))


def _cleaned_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {name: _cleaned(value) for name, value in kwargs.items()}


class ChangesFeed(Feed):
    feed_type = CleanAtom1Feed
    title = "Newsroom: all changes"
    subtitle = "Every change Newsroom noticed in the articles it follows."
    link = "/"

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return login_response(request) or super().__call__(request, *args, **kwargs)

    def changes(self) -> QuerySet[Change]:
        return Change.objects.select_related(
            "article", "article__source", "from_version", "to_version"
        )

    def items(self) -> list[Change]:
        return list(self.changes().order_by("-detected_at", "-id")[:FEED_LENGTH])

    def item_title(self, item: Change) -> str:
        # The headline the article had at this change, not the one it has now.
        at_change = item.to_version.title if item.to_version_id else ""
        title = at_change or item.article.title or item.article.url
        return f"{item.get_kind_display()}: {title}"

    def item_description(self, item: Change) -> str:
        # Atom readers render this as HTML: every piece from the page is escaped.
        deltas = item.figure_deltas()
        parts = [] if deltas else [format_html("<p>{}</p>", item.summary)]
        wordy = item.kind in (Change.Kind.TEXT, Change.Kind.HEADLINE)
        ops = describe.excerpt(item.diff_ops) if wordy else []
        if ops:
            tags = {"insert": "<ins>{}</ins>", "delete": "<del>{}</del>"}
            parts.append(
                format_html(
                    "<p>{}</p>",
                    format_html_join(
                        "",
                        "{}",
                        ((format_html(tags.get(op, "{}"), t),) for op, t in ops),
                    ),
                )
            )
        if deltas:
            parts.append(
                format_html(
                    "<ul>{}</ul>",
                    format_html_join(
                        "",
                        "<li>{}</li>",
                        ((line,) for line in describe.figure_deltas(deltas)),
                    ),
                )
            )
        return "".join(parts)

    def item_link(self, item: Change) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Change) -> str:
        host = urlsplit(settings.NEWSROOM_BASE_URL).hostname or "newsroom"
        return f"tag:{host},{item.detected_at:%Y-%m-%d}:change/{item.pk}"

    item_guid_is_permalink = False

    def item_updateddate(self, item: Change) -> datetime:
        return item.detected_at

    def item_pubdate(self, item: Change) -> datetime:
        return item.detected_at

    def item_author_name(self, item: Change) -> str | None:
        return item.article.source.name if item.article.source_id else None

    def item_categories(self, item: Change) -> tuple[str, ...]:
        return (item.kind,)


class StoryChangesFeed(ChangesFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Story:
        return get_object_or_404(Story, slug=slug)

    def title(self, obj: Story) -> str:
        return f"Newsroom: {obj.title}"

    def subtitle(self, obj: Story) -> str:
        return obj.description or f"Changes in the articles of “{obj.title}”."

    def link(self, obj: Story) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Story) -> list[Change]:
        newest = self.changes().for_story(obj).order_by("-detected_at", "-id")
        return list(newest[:FEED_LENGTH])
