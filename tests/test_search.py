"""Full-text search over every version: PostgreSQL and the plain fallback."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stories import search
from stories.models import Story, Version
from tests.browser.seed import seed_story
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db
ENGINES = ["postgresql", "plain"]
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def seeded(db):
    return seed_story()


def hits(results):
    return {
        hit.article_id: (hit.first_number, hit.removed_number)
        for group in results.groups
        for hit in group.hits
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_phrase_first_appearance_and_removal(seeded, engine):
    # NOS v1-v2 say "32 doden en meer dan 200 gewonden"; v3 rewrote the figures.
    found = hits(search.search('"200 gewonden"', engine=engine))
    assert found == {seeded.nos.pk: (1, 3)}
    # "ruim 200" first appears in v3 and is still there.
    assert hits(search.search('"ruim 200"', engine=engine)) == {
        seeded.nos.pk: (3, None)
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_excluded_terms_and_or(seeded, engine):
    both = hits(search.search("Nagorno-Karabakh or Nagorno-Karabach", engine=engine))
    assert set(both) == {seeded.nos.pk, seeded.bbc.pk}
    without = hits(search.search("Karabach -Pasjinjan", engine=engine))
    assert seeded.nos.pk not in without
    assert hits(search.search("-Pasjinjan", engine=engine)) == {}


@pytest.mark.parametrize("engine", ENGINES)
def test_results_group_by_story_and_scope_to_one(seeded, engine):
    other = Story.objects.create(title="Other", slug="other")
    lone = ArticleFactory(source=SourceFactory(name="Lone"))
    other_article = ArticleFactory()
    other_article.stories.add(other)
    for n, article in enumerate((lone, other_article), start=1):
        Version.objects.create(
            article=article,
            number=1,
            fetched_at=timezone.now() - timedelta(hours=n),
            url=article.url,
            title="Wapenstilstand",
            text="Een wapenstilstand in Nagorno-Karabach.",
            language="nl",
            content_hash=str(n),
            raw_html_compressed=b"",
        )
    results = search.search("Nagorno-Karabach", engine=engine)
    stories = [group.story.slug if group.story else None for group in results.groups]
    assert sorted(stories, key=str) == sorted(
        ["nagorno-karabakh-2023", "other", None], key=str
    )
    scoped = search.search("Nagorno-Karabach", story=other, engine=engine)
    assert hits(scoped) == {other_article.pk: (1, None)}


def test_language_configuration_stems_dutch_and_english(seeded):
    # Dutch stemming: "gewond" finds "gewonden"; English: "launch" finds "launches".
    assert seeded.nos.pk in hits(search.search("gewond"))
    assert seeded.bbc.pk not in hits(search.search("launch"))  # stored as nl
    Version.objects.filter(article=seeded.bbc).update(language="en")
    assert seeded.bbc.pk in hits(search.search("launch"))


def test_ranked_best_first(seeded):
    results = search.search("Karabach or Karabakh doden")
    ranks = [hit.rank for group in results.groups for hit in group.hits]
    assert ranks == sorted(ranks, reverse=True)


def test_search_page_full_fragment_and_links(client, seeded):
    url = reverse("record:search") + "?q=%22200+gewonden%22"
    page = client.get(url).content.decode()
    assert "<html" in page.lower() and "Nagorno-Karabakh offensive" in page
    assert f"/articles/{seeded.nos.pk}/?old=1&amp;new=1" in page
    assert f"/articles/{seeded.nos.pk}/?old=2&amp;new=3" in page
    assert "removed in" in page
    fragment = client.get(url, **HX).content.decode()
    assert "<html" not in fragment.lower() and 'id="text-search-results"' in fragment


def test_search_page_escapes_page_text(client, seeded):
    seeded.nos_writer.version(
        timezone.now(),
        "<b>Kop</b>",
        "Tekst <img src=x onerror=alert(1)> wapenstilstand.",
    )
    body = client.get(reverse("record:search"), {"q": "wapenstilstand"}).content
    body = body.decode()
    assert "<img src=x" not in body and "<b>Kop" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "<mark>wapenstilstand</mark>" in body


def test_story_search_and_the_boxes_on_both_pages(client, seeded):
    story_page = client.get(seeded.story.get_absolute_url()).content.decode()
    story_search = reverse("record:story-search", args=[seeded.story.slug])
    assert story_search in story_page
    fragment = client.get(story_search, {"q": "kalmte"}, **HX).content.decode()
    assert f'id="story-{seeded.story.pk}-search-results"' in fragment
    assert "<mark>kalmte</mark>" in fragment
    listing = client.get(reverse("stories:story-list")).content.decode()
    assert 'hx-get="/search/?box=1"' in listing
    box = client.get(reverse("record:search"), {"q": "kalmte", "box": "1"}, **HX)
    assert 'id="story-list-text-results"' in box.content.decode()
    assert "All matches in every version" in box.content.decode()


def test_search_pages_follow_private_mode(client, seeded, settings):
    settings.NEWSROOM_PUBLIC_STORIES = False
    for url in (
        reverse("record:search") + "?q=doden",
        reverse("record:story-search", args=[seeded.story.slug]) + "?q=doden",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_empty_and_stopword_queries_return_nothing(seeded):
    assert search.search("").groups == []
    assert search.search("   ").groups == []
    assert search.search("-only").groups == []
    assert search.search("de het een").groups == []
