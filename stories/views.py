"""The reader's dashboard: story list, story timeline, article versions and diffs.

Every page renders in full without JavaScript; htmx asks the same URLs (or a
fragment's own URL) for the swappable regions under templates/stories/partials/.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling
from django_htmx.middleware import HtmxDetails
from lxml_html_clean import Cleaner

from stories import charts, diffing, figures, intelligence
from stories.forms import Cursor, StorySearchForm, TimelineFilterForm, VersionPairForm
from stories.models import Article, Change, Source, Story, Version

PAGE_SIZE = 50
SPARKLINE_DAYS = 14
# Before any change exists, every change is newer than this.
EPOCH_CURSOR = Cursor(datetime(1970, 1, 1, tzinfo=UTC), 0)
# Kinds shown first on the story list, in this order.
HEADLINE_KINDS = ("killed", "injured", "missing", "evacuated", "displaced")


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@dataclass(frozen=True)
class TimelineEntry:
    change: Change
    day: date | None  # set on the first entry of a day: the day heading goes above it


# -- access ---------------------------------------------------------------------


def _login_needed(request: HttpRequest) -> bool:
    return not settings.NEWSROOM_PUBLIC_STORIES and not request.user.is_authenticated


def _login_response(request: HtmxHttpRequest) -> HttpResponse:
    if request.htmx:
        # A fragment must not be swapped in as a login form: send the whole tab there.
        page = request.htmx.current_url_abs_path or reverse("stories:story-list")
        login = redirect_to_login(page)
        return HttpResponseClientRedirect(login["Location"])
    return redirect_to_login(request.get_full_path())


def _wants_fragment(request: HtmxHttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


# -- story list -------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def story_list(request: HtmxHttpRequest) -> HttpResponse:
    if _login_needed(request):
        return _login_response(request)
    form = StorySearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    stories = Story.objects.active().annotate(
        article_count=Count("articles", distinct=True),
        last_change_at=Max("articles__changes__detected_at"),
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
    stories = list(
        stories.order_by(F("last_change_at").desc(nulls_last=True), "-id")[:100]
    )
    _add_story_card_data(stories)
    context = {"form": form, "query": query, "stories": stories, "articles": articles}
    if _wants_fragment(request):
        return render(request, "stories/partials/story_results.html", context)
    return render(request, "stories/story_list.html", context)


def _add_story_card_data(stories: list[Story]) -> None:
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
        story.headline_figures = _headline_figures(story_figures[story.pk])
        counts = [
            activity[story.pk].get(first_day + timedelta(days=n), 0)
            for n in range(SPARKLINE_DAYS)
        ]
        story.sparkline = charts.sparkline(counts)


def _headline_figures(found: list[dict]) -> list[figures.Figure]:
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


def _disagreements(story: Story) -> list[intelligence.Disagreement]:
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


# -- story timeline ---------------------------------------------------------------


def _story_or_404(slug: str) -> Story:
    return get_object_or_404(Story, slug=slug)


def _story_sources(story: Story) -> list[Source]:
    return list(
        Source.objects.filter(articles__stories=story).distinct().order_by("name", "id")
    )


def _story_changes(story: Story, filters: dict) -> QuerySet[Change]:
    changes = (
        Change.objects.filter(article__stories=story)
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


def _newest_first(changes: QuerySet[Change], before: Cursor | None) -> list[Change]:
    if before is not None:
        changes = changes.filter(
            Q(detected_at__lt=before.detected_at)
            | Q(detected_at=before.detected_at, pk__lt=before.change_id)
        )
    return list(changes.order_by("-detected_at", "-id")[: PAGE_SIZE + 1])


def _timeline_entries(changes: list[Change], previous_day: date | None) -> list:
    entries = []
    for change in changes:
        day = timezone.localtime(change.detected_at).date()
        entries.append(TimelineEntry(change, day if day != previous_day else None))
        previous_day = day
    return entries


def _cursor_of(change: Change) -> Cursor:
    return Cursor(change.detected_at, change.pk)


def _filter_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    return query.urlencode()


def _timeline_context(
    request: HttpRequest, story: Story, form: TimelineFilterForm
) -> dict:
    filters = form.filter_values()
    before = form.cleaned_data.get("before") if form.is_valid() else None
    page = _newest_first(_story_changes(story, filters), before)
    has_more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    previous_day = timezone.localtime(before.detected_at).date() if before else None
    newest = (
        Change.objects.filter(article__stories=story)
        .order_by("-detected_at", "-id")
        .only("id", "detected_at")
        .first()
    )
    return {
        "story": story,
        "form": form,
        "entries": _timeline_entries(page, previous_day),
        "next_cursor": _cursor_of(page[-1]) if has_more else None,
        "poll_cursor": _cursor_of(newest) if newest else EPOCH_CURSOR,
        "is_older_page": before is not None,
        "filter_query": _filter_query(request),
        "is_polling": story.status == Story.Status.ACTIVE,
        "poll_seconds": settings.NEWSROOM_POLL_SECONDS,
    }


@require_GET
@vary_on_headers("HX-Request")
def story_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    if _login_needed(request):
        return _login_response(request)
    story = _story_or_404(slug)
    sources = _story_sources(story)
    form = TimelineFilterForm(request.GET, sources=sources)
    context = _timeline_context(request, story, form)
    if _wants_fragment(request):
        return render(request, "stories/partials/timeline.html", context)
    context["charts_html"] = _figure_charts_html(story)
    context["disagreements"] = _disagreements(story)
    context["articles"] = (
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
    return render(request, "stories/story_detail.html", context)


@require_GET
def story_timeline(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The next (older) page of timeline entries, for infinite scroll."""
    if _login_needed(request):
        return _login_response(request)
    story = _story_or_404(slug)
    form = TimelineFilterForm(request.GET, sources=_story_sources(story))
    if not form.is_valid() or form.cleaned_data["before"] is None:
        return HttpResponse("A valid ?before= position is needed.", status=400)
    context = _timeline_context(request, story, form)
    return render(request, "stories/partials/timeline_entries.html", context)


@require_GET
def story_updates(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Changes newer than ?after=, for polling: 204 if none, 286 once archived."""
    if _login_needed(request):
        return _login_response(request)
    story = _story_or_404(slug)
    if story.status != Story.Status.ACTIVE:
        return HttpResponseStopPolling()
    form = TimelineFilterForm(request.GET, sources=_story_sources(story))
    if not form.is_valid() or form.cleaned_data["after"] is None:
        return HttpResponse("A valid ?after= position is needed.", status=400)
    after = form.cleaned_data["after"]
    # The oldest PAGE_SIZE after the cursor, shown newest first: a burst larger than
    # a page arrives over several polls instead of losing its middle.
    newer = list(
        _story_changes(story, form.filter_values())
        .filter(
            Q(detected_at__gt=after.detected_at)
            | Q(detected_at=after.detected_at, pk__gt=after.change_id)
        )
        .order_by("detected_at", "id")[:PAGE_SIZE]
    )[::-1]
    if not newer:
        return HttpResponse(status=204)
    context = {
        "story": story,
        "changes": newer,
        "poll_cursor": _cursor_of(newer[0]),
        "filter_query": _filter_query(request),
        "is_polling": True,
        "poll_seconds": settings.NEWSROOM_POLL_SECONDS,
    }
    return render(request, "stories/partials/timeline_updates.html", context)


def _figure_charts_html(story: Story) -> str:
    """The charts section, rendered once and cached until the story's figure
    changes differ (a new one, or articles moved in or out): one cheap query."""
    marker = Change.objects.filter(
        article__stories=story, kind=Change.Kind.FIGURE
    ).aggregate(count=Count("id"), last=Max("id"), total=Sum("id"))
    if not marker["count"]:
        return ""
    key = "story-charts:{}:{count}:{last}:{total}".format(story.pk, **marker)
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "stories/partials/figure_charts.html",
            {"story": story, "charts": _figure_charts(story)},
        )
        cache.set(key, html, timeout=24 * 3600)
    # Rendered by the template engine, which escaped every label.
    return mark_safe(html)  # noqa: S308


def _figure_charts(story: Story) -> list[charts.Chart]:
    rows = (
        Change.objects.filter(article__stories=story, kind=Change.Kind.FIGURE)
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
        link = article_urls[article_id]
        if old_no and new_no:
            link += f"?old={old_no}&new={new_no}"
        for data in (details or {}).get("figures", []):
            delta = figures.FigureDelta(**data)
            points.append(
                charts.FigurePoint(
                    kind=delta.kind,
                    claimant=delta.attributed_to or "unattributed",
                    at=at,
                    old_at=old_at,
                    old=delta.old,
                    new=delta.new,
                    label=f"{delta.describe()} · {outlet or 'unknown outlet'}",
                    href=f"{link}#change-{pk}",
                )
            )
    return charts.figure_charts(points)


# -- article versions and diffs ---------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def article_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    if _login_needed(request):
        return _login_response(request)
    article = get_object_or_404(Article.objects.select_related("source"), pk=pk)
    versions = list(
        Version.objects.filter(article=article)
        .only("id", "article_id", "number", "fetched_at", "title", "http_status")
        .order_by("-number")
    )
    form = VersionPairForm(request.GET)
    pair = _pick_pair(form, [version.number for version in versions])
    context = {"article": article, "versions": versions, "form": form, **pair}
    if pair["new_number"] is not None:
        context.update(_compare(article, pair["old_number"], pair["new_number"]))
    changes_by_version: dict[int, list[Change]] = defaultdict(list)
    changes = list(
        Change.objects.filter(article=article)
        .only("id", "kind", "to_version_id", "detected_at", "summary", "details")
        .order_by("-detected_at", "-id")
    )
    for change in changes:
        changes_by_version[change.to_version_id].append(change)
    for version in versions:
        version.changes = changes_by_version.get(version.pk, [])
    context["changes"] = changes
    if _wants_fragment(request):
        return render(request, "stories/partials/version_diff.html", context)
    return render(request, "stories/article_detail.html", context)


def _pick_pair(form: VersionPairForm, numbers: list[int]) -> dict:
    """The versions to compare: as asked, else the newest and the one before."""
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "inline"
    if not numbers:
        return {"old_number": None, "new_number": None, "view": view}
    old, new = data.get("old"), data.get("new")
    if new not in numbers:
        new = numbers[0]
    if old not in numbers:
        older = [n for n in numbers if n < new]
        old = older[0] if older else new
    if old > new:
        old, new = new, old
    ascending = sorted(numbers)
    position = ascending.index(new)
    previous_pair = (
        (ascending[position - 2], ascending[position - 1]) if position >= 2 else None
    )
    next_pair = (
        (ascending[position], ascending[position + 1])
        if position + 1 < len(ascending)
        else None
    )
    return {
        "old_number": old,
        "new_number": new,
        "view": view,
        "previous_pair": previous_pair,
        "next_pair": next_pair,
    }


def _compare(article: Article, old_number: int, new_number: int) -> dict:
    pair = {
        version.number: version
        for version in Version.objects.filter(
            article=article, number__in={old_number, new_number}
        ).defer("raw_html_compressed")
    }
    old, new = pair[old_number], pair[new_number]
    return {
        "old_version": old,
        "new_version": new,
        "text_diff": diffing.diff_texts(old.text, new.text),
        "title_diff": diffing.diff_title(old.title, new.title),
    }


# The stored page is hostile input: scripts, frames, forms, event handlers and
# javascript: links are removed here, and the CSP sandbox below stops anything the
# cleaner missed from running or loading.
_CLEANER = Cleaner(
    scripts=True,
    javascript=True,
    comments=True,
    style=False,
    inline_style=False,
    links=True,
    meta=True,
    page_structure=False,
    processing_instructions=True,
    embedded=True,
    frames=True,
    forms=True,
    annoying_tags=True,
    remove_unknown_tags=False,
    safe_attrs_only=True,
)
RAW_PAGE_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "form-action 'none'; base-uri 'none'"
)


@require_GET
def version_raw(request: HtmxHttpRequest, pk: int, number: int) -> HttpResponse:
    """The stored page of one version, sanitised; never runs its scripts."""
    if _login_needed(request):
        return _login_response(request)
    version = get_object_or_404(
        Version.objects.only("raw_html_compressed", "article_id", "number"),
        article_id=pk,
        number=number,
    )
    try:
        html = version.raw_html.decode("utf-8", errors="replace")
    except zlib.error as exc:
        raise Http404("The stored page cannot be read.") from exc
    if request.GET.get("as") == "source":
        response = HttpResponse(html, content_type="text/plain; charset=utf-8")
    else:
        cleaned = _CLEANER.clean_html(html) if html.strip() else ""
        response = HttpResponse(cleaned, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = RAW_PAGE_CSP
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
