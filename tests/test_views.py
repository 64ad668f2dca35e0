import pytest
from django.urls import reverse
from django.utils import timezone

from stories.models import Change, Version
from tests.factories import ArticleFactory, StoryFactory

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def make_change(article, kind=Change.Kind.TEXT, summary="+3 −1 words"):
    version = Version.objects.create(
        article=article,
        number=article.versions.count() + 1,
        fetched_at=timezone.now(),
        url=article.url,
        title=article.title,
        text=f"Body {HOSTILE}",
        content_hash=f"hash-{article.versions.count()}",
        raw_html_compressed=Version.compress(b"<html></html>"),
    )
    return Change.objects.create(
        article=article,
        to_version=version,
        kind=kind,
        detected_at=timezone.now(),
        summary=summary,
        diff_ops=[["equal", "Body "], ["insert", HOSTILE]],
    )


@pytest.mark.django_db
def test_story_page_lists_changes_with_article_and_summary(client):
    story = StoryFactory(title="Storm on the coast")
    article = ArticleFactory(title="Storm hits coast")
    article.stories.add(story)
    make_change(article, Change.Kind.HEADLINE, "“Storm nears” → “Storm hits coast”")
    make_change(article, Change.Kind.TEXT, "+12 −3 words, 2 sentences touched")

    response = client.get(reverse("stories:story-detail", kwargs={"slug": story.slug}))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Storm on the coast" in body
    assert body.count("Storm hits coast") >= 2
    assert "+12 −3 words, 2 sentences touched" in body
    assert body.index("Headline") < body.index("+12 −3 words")  # time order


@pytest.mark.django_db
def test_article_content_is_escaped_on_every_page(client):
    story = StoryFactory(title=HOSTILE)
    article = ArticleFactory(title=HOSTILE)
    article.stories.add(story)
    make_change(article, summary=HOSTILE)

    pages = [
        reverse("stories:story-list"),
        reverse("stories:story-detail", kwargs={"slug": story.slug}),
        reverse("stories:article-detail", kwargs={"pk": article.pk}),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body, url
        assert "&lt;script&gt;" in body, url


@pytest.mark.django_db
def test_unknown_story_is_404(client):
    response = client.get(reverse("stories:story-detail", kwargs={"slug": "nope"}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_private_mode_sends_anonymous_readers_to_login(
    client, settings, django_user_model
):
    settings.NEWSROOM_PUBLIC_STORIES = False
    story = StoryFactory()
    url = reverse("stories:story-detail", kwargs={"slug": story.slug})

    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]

    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_admin_shows_article_with_versions_and_check_now_action(admin_client):
    article = ArticleFactory(title="Storm hits coast")
    make_change(article)

    response = admin_client.get(
        reverse("admin:stories_article_change", args=[article.pk])
    )
    assert response.status_code == 200
    assert b"Storm hits coast" in response.content
    assert b"&lt;script&gt;" in response.content or b"hash-0" in response.content

    listing = admin_client.get(reverse("admin:stories_article_changelist"))
    assert b"check_now" in listing.content
