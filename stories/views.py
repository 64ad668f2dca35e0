from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from stories.models import Article, Change, Story, Version


def _login_needed(request: HttpRequest) -> bool:
    return not settings.NEWSROOM_PUBLIC_STORIES and not request.user.is_authenticated


@require_GET
def story_list(request: HttpRequest) -> HttpResponse:
    if _login_needed(request):
        return redirect_to_login(request.get_full_path())
    stories = (
        Story.objects.active()
        .annotate(
            article_count=Count("articles", distinct=True),
            last_change_at=Max("articles__changes__detected_at"),
        )
        .order_by("-last_change_at", "-id")
    )
    return render(request, "stories/story_list.html", {"stories": stories})


@require_GET
def story_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if _login_needed(request):
        return redirect_to_login(request.get_full_path())
    story = get_object_or_404(Story, slug=slug)
    changes = Change.objects.for_story(story)
    articles = story.articles.select_related("source").order_by("first_seen_at", "id")
    return render(
        request,
        "stories/story_detail.html",
        {"story": story, "changes": changes, "articles": articles},
    )


@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if _login_needed(request):
        return redirect_to_login(request.get_full_path())
    article = get_object_or_404(Article.objects.select_related("source"), pk=pk)
    versions = (
        Version.objects.filter(article=article)
        .defer("raw_html_compressed")
        .order_by("-number")
    )
    changes = (
        Change.objects.filter(article=article)
        .select_related("from_version", "to_version")
        .order_by("-detected_at", "-id")
    )
    return render(
        request,
        "stories/article_detail.html",
        {"article": article, "versions": versions, "changes": changes},
    )
