"""The dashboard's read model: story cards, headline figures, disagreements, chart
points and timeline pages. Queries and shaping only; views.py does the HTTP."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from stories import charts, describe, figures, intelligence
from stories.forms import Cursor, TimelineFilterForm
from stories.models import Article, Change, Source, Story, Version

PAGE_SIZE = 50
SPARKLINE_DAYS = 14
# Before any change exists, every change is newer than this.
EPOCH_CURSOR = Cursor(datetime(1970, 1, 1, tzinfo=UTC), 0)
# Kinds shown first on the story list, in this order.
HEADLINE_KINDS = ("killed", "injured", "missing", "evacuated", "displaced")


@dataclass(frozen=True)
class TimelineEntry:
    change: Change
    day: date | None  # set on the first entry of a day: the day heading goes above it


# -- story list -------------------------------------------------------------------


@dataclass(frozen=True)
class ListMarker:
    """What the story list showed: its newest change, newest story, story count.
    A poll that finds the same marker has nothing to redraw."""

    change_id: int
    story_id: int
    stories: int

    def __str__(self) -> str:
        return f"{self.change_id}-{self.story_id}-{self.stories}"

    @classmethod
    def parse(cls, value: str) -> ListMarker | None:
        parts = value.split("-")
        if len(parts) != 3 or not all(part.isdigit() for part in parts):
            return None
        return cls(*(int(part) for part in parts))


def story_list_marker() -> ListMarker:
    """Two aggregate queries: cheap enough for every poll of the story list."""
    stories = Story.objects.active().aggregate(last=Max("id"), count=Count("id"))
    last_change = Change.objects.aggregate(last=Max("id"))["last"]
    return ListMarker(last_change or 0, stories["last"] or 0, stories["count"])


def search(query: str) -> tuple[list[Story], list[Article]]:
    """Active stories (with card data) and articles matching `query`, newest first."""
    stories = Story.objects.active().annotate(
        article_count=Count("articles", distinct=True),
        last_change_at=Max("articles__changes__detected_at"),
        last_change_id=Max("articles__changes__id"),
    )
    articles: list[Article] = []
    if query:
        matching_articles = Article.objects.filter(
            Q(title__icontains=query) | Q(url__icontains=query)
        )
        stories = stories.filter(
            Q(title__icontains=query)
            | Q(description__icontains=query)
            | Q(pk__in=matching_articles.values("stories"))
        )
        articles = list(
            matching_articles.select_related("source").order_by(
                F("last_changed_at").desc(nulls_last=True), "-id"
            )[:20]
        )
    found = list(
        stories.order_by(
            "-is_pinned", F("last_change_at").desc(nulls_last=True), "-id"
        )[:100]
    )
    add_story_card_data(found)
    return found, articles


def add_story_card_data(stories: list[Story]) -> None:
    """Outlets, current figures and a daily activity sparkline: three queries."""
    ids = [story.pk for story in stories]
    if not ids:
        return
    outlets: dict[int, list[str]] = defaultdict(list)
    for story_id, name in (
        Article.objects.filter(stories__in=ids, source__isnull=False)
        .values_list("stories", "source__name")
        .distinct()
        .order_by("stories", "source__name")
    ):
        outlets[story_id].append(name)

    story_figures: dict[int, list[dict]] = defaultdict(list)
    for story_id, found in (
        Version.objects.latest_per_article()
        .filter(article__stories__in=ids)
        .values_list("article__stories", "figures")
    ):
        story_figures[story_id].extend(found or [])

    today = timezone.localdate()
    first_day = today - timedelta(days=SPARKLINE_DAYS - 1)
    activity: dict[int, dict[date, int]] = defaultdict(dict)
    for story_id, day, count in (
        Change.objects.filter(
            article__stories__in=ids,
            detected_at__gte=timezone.make_aware(
                datetime.combine(first_day, datetime.min.time())
            ),
        )
        .annotate(day=TruncDate("detected_at"))
        .values_list("article__stories", "day")
        .annotate(count=Count("id"))
        .order_by()
    ):
        activity[story_id][day] = count

    for story in stories:
        story.outlets = outlets[story.pk]
        story.headline_figures = headline_figures(story_figures[story.pk])
        counts = [
            activity[story.pk].get(first_day + timedelta(days=n), 0)
            for n in range(SPARKLINE_DAYS)
        ]
        story.sparkline = charts.sparkline(counts)


def headline_figures(found: list[dict]) -> list[figures.Figure]:
    """The highest current figure of each kind across the story's latest versions."""
    best: dict[str, figures.Figure] = {}
    for data in found:
        figure = figures.Figure.from_dict(data)
        if not figure.is_current or figure.value is None:
            continue
        held = best.get(figure.kind)
        if held is None or figure.value > (held.value or 0):
            best[figure.kind] = figure
    order = {kind: n for n, kind in enumerate(HEADLINE_KINDS)}
    ranked = sorted(best.values(), key=lambda f: (order.get(f.kind, 99), f.kind))
    return ranked[:3]


# -- story page -------------------------------------------------------------------


def disagreements(story: Story) -> list[intelligence.Disagreement]:
    """Incompatible current figures of one kind across the story's articles."""
    claims = []
    for article_id, outlet, fetched_at, found in (
        Version.objects.latest_per_article()
        .filter(article__stories=story)
        .values_list("article_id", "article__source__name", "fetched_at", "figures")
    ):
        for data in found or []:
            figure = figures.Figure.from_dict(data)
            claims.append(
                intelligence.FigureClaim(
                    outlet=outlet or "unknown outlet",
                    article_id=article_id,
                    claimant=figure.attributed_to,
                    claimed_at=fetched_at,
                    figure=figure,
                )
            )
    return intelligence.find_disagreements(claims)


def story_sources(story: Story) -> list[Source]:
    return list(
        Source.objects.filter(articles__stories=story).distinct().order_by("name", "id")
    )


def last_checked(story: Story) -> datetime | None:
    """When one of the story's articles was last checked."""
    return story.articles.aggregate(last=Max("last_checked_at"))["last"]


def story_articles(story: Story) -> QuerySet[Article]:
    """The story's articles for the sidebar, oldest first."""
    return (
        story.articles.select_related("source")
        .only(
            "id",
            "url",
            "title",
            "state",
            "last_checked_at",
            "last_changed_at",
            "source__name",
        )
        .order_by("first_seen_at", "id")
    )


# -- source page ------------------------------------------------------------------

SOURCE_PAGE_ARTICLES = 100


def source_articles(source: Source) -> list[Article]:
    """The source's most recently changed (then newest) articles."""
    return list(
        source.articles.only(
            "id", "url", "title", "state", "last_checked_at", "last_changed_at"
        ).order_by(F("last_changed_at").desc(nulls_last=True), "-first_seen_at", "-id")[
            :SOURCE_PAGE_ARTICLES
        ]
    )


def source_stories(source: Source) -> list[Story]:
    """Active stories with at least one article from the source."""
    return list(
        Story.objects.active()
        .filter(articles__source=source)
        .distinct()
        .order_by("title", "id")
    )


# -- notifications ----------------------------------------------------------------


def notification_changes(user, keys: list[str]) -> dict[str, list[Change]]:
    """The changes each in-app message carried (by message key), ready for the
    timeline entry partial: one query."""
    changes = (
        Change.objects.filter(
            deliveries__message_key__in=keys, deliveries__subscription__user=user
        )
        .select_related("article", "article__source")
        .defer("diff_ops")
        .annotate(
            message_key=F("deliveries__message_key"),
            from_number=F("from_version__number"),
            to_number=F("to_version__number"),
        )
        .order_by("-detected_at", "-id")
    )
    found: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        found[change.message_key].append(change)
    return found


# -- timeline ---------------------------------------------------------------------


def story_changes(story: Story, filters: dict) -> QuerySet[Change]:
    """The story's changes as the timeline shows them, narrowed by `filters`."""
    changes = (
        Change.objects.for_story(story)
        .select_related("article", "article__source")
        .defer("diff_ops")
        .annotate(
            from_number=F("from_version__number"), to_number=F("to_version__number")
        )
    )
    if filters["kind"]:
        changes = changes.filter(kind__in=filters["kind"])
    if filters["source"]:
        changes = changes.filter(article__source_id=filters["source"])
    at_least = TimelineFilterForm.SIGNIFICANCE_AT_LEAST.get(filters["significance"])
    if at_least:
        changes = changes.filter(
            Q(kind__in=TimelineFilterForm.ALWAYS_SIGNIFICANT)
            | Q(significance__gte=at_least)
        )
    return changes


def cursor_of(change: Change) -> Cursor:
    return Cursor(change.detected_at, change.pk)


def newest_cursor(story: Story) -> Cursor:
    """The position of the story's newest change: polling asks for what follows."""
    newest = (
        Change.objects.for_story(story)
        .order_by("-detected_at", "-id")
        .only("id", "detected_at")
        .first()
    )
    return cursor_of(newest) if newest else EPOCH_CURSOR


def timeline_page(
    story: Story, filters: dict, before: Cursor | None
) -> tuple[list[TimelineEntry], Cursor | None]:
    """One page of entries older than `before`, and where the next page starts."""
    changes = story_changes(story, filters)
    if before is not None:
        changes = changes.filter(
            Q(detected_at__lt=before.detected_at)
            | Q(detected_at=before.detected_at, pk__lt=before.change_id)
        )
    page = list(changes.order_by("-detected_at", "-id")[: PAGE_SIZE + 1])
    next_cursor = cursor_of(page[PAGE_SIZE - 1]) if len(page) > PAGE_SIZE else None
    previous_day = timezone.localtime(before.detected_at).date() if before else None
    entries = []
    for change in page[:PAGE_SIZE]:
        day = timezone.localtime(change.detected_at).date()
        entries.append(TimelineEntry(change, day if day != previous_day else None))
        previous_day = day
    return entries, next_cursor


def changes_after(story: Story, filters: dict, after: Cursor) -> list[Change]:
    """The oldest PAGE_SIZE changes after the cursor, newest first: a burst larger
    than a page arrives over several polls instead of losing its middle."""
    newer = (
        story_changes(story, filters)
        .filter(
            Q(detected_at__gt=after.detected_at)
            | Q(detected_at=after.detected_at, pk__gt=after.change_id)
        )
        .order_by("detected_at", "id")[:PAGE_SIZE]
    )
    return list(newer)[::-1]


# -- figure charts ----------------------------------------------------------------


def figure_charts_html(story: Story) -> SafeString:
    """The charts section, rendered once and cached until the story's figure
    changes differ (a new one, or articles moved in or out): one cheap query."""
    marker = (
        Change.objects.for_story(story)
        .filter(kind=Change.Kind.FIGURE)
        .order_by()
        .aggregate(count=Count("id"), last=Max("id"), total=Sum("id"))
    )
    if not marker["count"]:
        return mark_safe("")
    key = "story-charts:{}:{count}:{last}:{total}".format(story.pk, **marker)
    html = cache.get(key)
    if html is None:
        points = figure_points(story)
        wide = charts.figure_charts(points)
        compact = charts.figure_charts(
            points, width=charts.COMPACT_WIDTH, height=charts.COMPACT_HEIGHT
        )
        html = render_to_string(
            "stories/partials/figure_charts.html",
            {"story": story, "charts": list(zip(wide, compact, strict=True))},
        )
        cache.set(key, html, timeout=24 * 3600)
    # Rendered by the template engine, which escaped every label.
    return mark_safe(html)  # noqa: S308


def figure_charts(story: Story) -> list[charts.Chart]:
    return charts.figure_charts(figure_points(story))


def figure_points(story: Story) -> list[charts.FigurePoint]:
    """Every figure change of the story as chart points, oldest first."""
    rows = (
        Change.objects.for_story(story)
        .filter(kind=Change.Kind.FIGURE)
        .order_by("detected_at", "id")
        .values_list(
            "id",
            "article_id",
            "detected_at",
            "details",
            "from_version__number",
            "from_version__fetched_at",
            "to_version__number",
            "article__source__name",
        )
    )
    points = []
    article_urls: dict[int, str] = {}
    for pk, article_id, at, details, old_no, old_at, new_no, outlet in rows:
        if article_id not in article_urls:
            article_urls[article_id] = reverse(
                "stories:article-detail", kwargs={"pk": article_id}
            )
        link = Change.versions_url(article_urls[article_id], old_no, new_no)
        for delta in Change.deltas_in(details):
            words = describe.figure_delta(delta)
            points.append(
                charts.FigurePoint(
                    kind=delta["kind"],
                    claimant=delta["attributed_to"] or "unattributed",
                    at=at,
                    old_at=old_at,
                    old=delta["old"],
                    new=delta["new"],
                    label=f"{words} · {outlet or 'unknown outlet'}",
                    href=f"{link}#change-{pk}",
                )
            )
    return points
