"""The reader's dashboard: story list, story timeline, article versions and diffs.

Every page renders in full without JavaScript; htmx asks the same URLs (or a
fragment's own URL) for the swappable regions under templates/stories/partials/.
The read model (cards, charts, timeline pages) is in stories/dashboard.py.
"""

from __future__ import annotations

import zlib
from collections import defaultdict

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseStopPolling
from lxml import etree
from lxml import html as lxml_html
from lxml.html.builder import E
from lxml_html_clean import Cleaner

from stories import alert_views, dashboard, diffing
from stories.forms import StorySearchForm, TimelineFilterForm, VersionPairForm
from stories.http import HtmxHttpRequest, reader_view, wants_fragment
from stories.models import Article, Change, Source, Story, Version

# -- story list -------------------------------------------------------------------


@require_safe
@vary_on_headers("HX-Request")
@reader_view
def story_list(request: HtmxHttpRequest) -> HttpResponse:
    """The story list; polled with ?since= (204 until a story or change is new)."""
    form = StorySearchForm(request.GET)
    valid = form.is_valid()
    query = form.cleaned_data["q"].strip() if valid else ""
    since = dashboard.ListMarker.parse(form.cleaned_data["since"] if valid else "")
    marker = dashboard.story_list_marker()
    if since == marker and request.htmx:
        return HttpResponse(status=204)
    stories, articles = dashboard.search(query)
    if since is not None:
        for story in stories:
            story.is_fresh = (
                story.pk > since.story_id
                or (story.last_change_id or 0) > since.change_id
            )
    context = {
        "form": form,
        "query": query,
        "stories": stories,
        "articles": articles,
        "marker": marker,
        "poll_seconds": settings.NEWSROOM_POLL_SECONDS,
    }
    if wants_fragment(request):
        return render(request, "stories/partials/story_results.html", context)
    return render(request, "stories/story_list.html", context)


# -- story timeline ---------------------------------------------------------------


def _filter_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    for key in ("before", "after", "checked"):
        query.pop(key, None)
    return query.urlencode()


def _timeline_request(
    request: HttpRequest, slug: str
) -> tuple[Story, TimelineFilterForm, dict]:
    """The story, its bound filter form and the context every timeline view shares."""
    story = get_object_or_404(Story, slug=slug)
    form = TimelineFilterForm(request.GET, sources=dashboard.story_sources(story))
    context = {
        "story": story,
        "form": form,
        "filter_query": _filter_query(request),
        "poll_seconds": settings.NEWSROOM_POLL_SECONDS,
    }
    return story, form, context


def _timeline_context(story: Story, form: TimelineFilterForm, context: dict) -> dict:
    before = form.cleaned_data.get("before") if form.is_valid() else None
    entries, next_cursor = dashboard.timeline_page(story, form.filter_values(), before)
    context.update(
        entries=entries,
        next_cursor=next_cursor,
        poll_cursor=dashboard.newest_cursor(story),
        checked_at=dashboard.last_checked(story),
        is_older_page=before is not None,
        is_polling=story.status == Story.Status.ACTIVE,
    )
    return context


@require_safe
@vary_on_headers("HX-Request")
@reader_view
def story_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    story, form, context = _timeline_request(request, slug)
    _timeline_context(story, form, context)
    if wants_fragment(request):
        return render(request, "stories/partials/timeline.html", context)
    context["follow"] = alert_views.follow_panel(request, story)
    context["charts_html"] = dashboard.figure_charts_html(story)
    context["disagreements"] = dashboard.disagreements(story)
    context["articles"] = dashboard.story_articles(story)
    return render(request, "stories/story_detail.html", context)


@require_safe
@reader_view
def story_timeline(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The next (older) page of timeline entries, for infinite scroll."""
    story, form, context = _timeline_request(request, slug)
    if not form.is_valid() or form.cleaned_data["before"] is None:
        return HttpResponse("A valid ?before= position is needed.", status=400)
    _timeline_context(story, form, context)
    return render(request, "stories/partials/timeline_entries.html", context)


@require_safe
@reader_view
def story_updates(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Changes newer than ?after=, for polling: 204 if none, 286 once archived.

    One poll keeps the whole page true: once an article was checked after
    ?checked= (always so when it changed), the disagreements, charts and articles
    sidebar come along as out-of-band swaps."""
    story, form, context = _timeline_request(request, slug)
    if story.status != Story.Status.ACTIVE:
        return HttpResponseStopPolling()
    if not form.is_valid() or form.cleaned_data["after"] is None:
        return HttpResponse("A valid ?after= position is needed.", status=400)
    after = form.cleaned_data["after"]
    newer = dashboard.changes_after(story, form.filter_values(), after)
    checked_at = dashboard.last_checked(story)
    shown = form.cleaned_data["checked"]
    was_checked = checked_at is not None and (shown is None or checked_at > shown)
    if not newer and not was_checked:
        return HttpResponse(status=204)
    context.update(
        changes=newer,
        poll_cursor=dashboard.cursor_of(newer[0]) if newer else after,
        checked_at=checked_at,
        is_polling=True,
        articles=dashboard.story_articles(story),
        disagreements=dashboard.disagreements(story),
        charts_html=dashboard.figure_charts_html(story),
    )
    return render(request, "stories/partials/timeline_updates.html", context)


# -- article versions and diffs ---------------------------------------------------


@require_safe
@vary_on_headers("HX-Request")
@reader_view
def article_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
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
    if wants_fragment(request):
        return render(request, "stories/partials/version_diff.html", context)
    context["follow"] = alert_views.follow_panel(request, article)
    return render(request, "stories/article_detail.html", context)


# -- sources ----------------------------------------------------------------------


@require_safe
@reader_view
def source_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=pk)
    context = {
        "source": source,
        "articles": dashboard.source_articles(source),
        "stories": dashboard.source_stories(source),
        "follow": alert_views.follow_panel(request, source),
    }
    return render(request, "stories/source_detail.html", context)


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
        "title_diff": diffing.diff_texts(old.title, new.title),
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
    # <base href> would resolve every relative link to the page author's host.
    kill_tags=["base"],
)
RAW_PAGE_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "form-action 'none'; base-uri 'none'"
)


@require_safe
@reader_view
def version_raw(request: HtmxHttpRequest, pk: int, number: int) -> HttpResponse:
    """The stored page of one version, sanitised; never runs its scripts."""
    version = get_object_or_404(
        Version.objects.only(
            "raw_html_compressed", "article_id", "number", "url", "fetched_at"
        ),
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
        response = HttpResponse(
            _stored_page(html, version), content_type="text/html; charset=utf-8"
        )
    response["Content-Security-Policy"] = RAW_PAGE_CSP
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


_BANNER_STYLE = (
    "font:14px/1.5 system-ui,sans-serif;background:#1b1d22;color:#fff;"
    "padding:8px 14px;margin:0 0 12px"
)


def _stored_page(html: str, version: Version) -> str:
    """The cleaned page with a banner saying what it is; its relative links point
    at the original site, not at Newsroom."""
    if not html.strip():
        return ""
    try:
        page = lxml_html.document_fromstring(html)
        # Against the page's own address: a <base href> could point links anywhere
        # (lxml honours one even with resolve_base_href=False, so it goes first).
        for base in page.xpath("//base"):
            base.drop_tree()
        page.make_links_absolute(version.url, resolve_base_href=False)
    except (etree.ParserError, ValueError):
        return _CLEANER.clean_html(html)
    page = _CLEANER.clean_html(page)
    when = timezone.localtime(version.fetched_at).strftime("%Y-%m-%d %H:%M %Z")
    back = reverse("stories:article-detail", kwargs={"pk": version.article_id})
    banner = E.div(
        f"Newsroom: the stored copy of version {version.number}, fetched {when} from ",
        E.a(version.url, href=version.url, style="color:#ffe58a"),
        ". Scripts are removed; links lead to the original site. ",
        E.a("Back to the article", href=back, style="color:#ffe58a"),
        style=_BANNER_STYLE,
        role="note",
    )
    holder = page.find("body")
    holder = holder if holder is not None else page
    banner.tail, holder.text = holder.text, None
    holder.insert(0, banner)
    return lxml_html.tostring(page, encoding="unicode", doctype="<!doctype html>")
