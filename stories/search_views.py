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
from stories.models import Story
from stories.views import HtmxHttpRequest, _login_needed, _login_response

PAGE_HITS = 30
BOX_HITS = 8  # the story list's box shows a short list and a link to the page


@require_GET
@vary_on_headers("HX-Request")
def search_page(request: HtmxHttpRequest) -> HttpResponse:
    return _search(request, story=None)


@require_GET
@vary_on_headers("HX-Request")
def story_search(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    if _login_needed(request):
        return _login_response(request)
    return _search(request, story=get_object_or_404(Story, slug=slug))


def _search(request: HtmxHttpRequest, story: Story | None) -> HttpResponse:
    if _login_needed(request):
        return _login_response(request)
    form = StorySearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    is_box = request.GET.get("box") == "1"
    results = search.search(query, story=story, limit=BOX_HITS if is_box else PAGE_HITS)
    context = {"query": query, "results": results, "story": story, "is_box": is_box}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "search/partials/search_results.html", context)
    return render(request, "search/search.html", context)
