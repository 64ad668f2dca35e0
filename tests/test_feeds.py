"""Atom feeds of changes parse in a real feed parser and escape page content."""

from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.urls import reverse

from tests.factories import (
    KILLED_32_TO_100,
    ArticleFactory,
    ChangeFactory,
    StoryFactory,
)

T0 = datetime(2023, 9, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def story_changes(db):
    story = StoryFactory(title="Nagorno-Karabakh", slug="karabakh")
    article = ArticleFactory(title='Armenië <script>alert("x")</script> meldt')
    article.stories.add(story)
    text = ChangeFactory(article=article, detected_at=T0)
    figure = ChangeFactory(
        article=article,
        kind="figure",
        detected_at=T0 + timedelta(minutes=5),
        summary="killed: 32 → nearly 100 (per Armenia)",
        diff_ops=[],
        details={"figures": [KILLED_32_TO_100]},
    )
    elsewhere = ChangeFactory(detected_at=T0 + timedelta(minutes=1))
    return story, [text, figure], elsewhere


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return response, feed


@pytest.mark.django_db
def test_global_feed_is_valid_atom_with_complete_entries(client, story_changes):
    response, feed = parse(client, reverse("alerts:feed-changes"))

    assert feed.feed.title == "Newsroom: all changes"
    assert len(feed.entries) == 3
    for entry in feed.entries:
        assert entry.title
        assert entry.link.startswith("http://testserver/articles/")
        assert entry.id.startswith("tag:localhost,2023-09-20:change/")
        assert entry.updated_parsed is not None
    # newest first
    assert feed.entries[0].title.startswith("Figures: ")
    assert len({entry.id for entry in feed.entries}) == 3


@pytest.mark.django_db
def test_story_feed_has_only_that_storys_changes(client, story_changes):
    story, changes, _ = story_changes
    _, feed = parse(client, reverse("alerts:feed-story", kwargs={"slug": story.slug}))

    assert feed.feed.title == "Newsroom: Nagorno-Karabakh"
    ids = [entry.id.rsplit("/", 1)[1] for entry in feed.entries]
    assert ids == [str(changes[1].pk), str(changes[0].pk)]
    assert "killed: 32 → nearly 100 (per Armenia)" in feed.entries[0].summary


@pytest.mark.django_db
def test_feed_escapes_page_content(client, story_changes):
    response, feed = parse(client, reverse("alerts:feed-changes"))

    xml = response.content.decode()
    assert "<script>" not in xml
    # The title is text; the summary's HTML carries the page text escaped.
    text_entry = feed.entries[-1]
    assert text_entry.title == 'Text: Armenië <script>alert("x")</script> meldt'
    assert "<del>32</del><ins>bijna 100</ins>" in text_entry.summary


@pytest.mark.django_db
def test_unknown_story_feed_is_404(client):
    response = client.get(reverse("alerts:feed-story", kwargs={"slug": "nope"}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_feed_entry_has_the_headline_the_article_had_at_the_change(client):
    from django.utils import timezone

    from tests.browser.seed import seed_story

    seeded = seed_story()
    seeded.nos_writer.version(
        timezone.now(), "Now 300 dead in Nagorno-Karabakh", "Completely new text."
    )
    _, feed = parse(client, reverse("alerts:feed-story", args=[seeded.story.slug]))
    titles = [entry.title for entry in feed.entries]
    assert "Headline: Ruim 200 doden bij offensief in Nagorno-Karabach" in titles
    assert "Headline: Now 300 dead in Nagorno-Karabakh" in titles
