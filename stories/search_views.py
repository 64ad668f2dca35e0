"""Full-text search pages: everywhere (/search/) and inside one story.

A full page without JavaScript; htmx asks the same URL for the results fragment
(the story list's box and the story page's box search as you type).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from stories import search
from stories.forms import StorySearchForm
from stories.http import HtmxHttpRequest, reader_view, wants_fragment
from stories.models import Story

PAGE_HITS = 30
BOX_HITS = 8  # the story list's box shows a short list and a link to the page


@require_GET
@vary_on_headers("HX-Request")
@reader_view
def search_page(request: HtmxHttpRequest) -> HttpResponse:
    return _search(request, story=None)


@require_GET
@vary_on_headers("HX-Request")
@reader_view
def story_search(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    return _search(request, story=get_object_or_404(Story, slug=slug))


def _search(request: HtmxHttpRequest, story: Story | None) -> HttpResponse:
    form = StorySearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    is_box = request.GET.get("box") == "1"
    limit = BOX_HITS if is_box else PAGE_HITS
    results = search.search(query, story=story, limit=limit)
    context = {"query": query, "results": results, "story": story, "is_box": is_box}
    if wants_fragment(request):
        return render(request, "search/partials/search_results.html", context)
    return render(request, "search/search.html", context)
