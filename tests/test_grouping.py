import pytest

from stories import discovery, editing, grouping, pipeline, tasks
from stories.models import Article, Feed, Story, StoryMatch, StoryRule
from tests.factories import SourceFactory, StoryFactory
from tests.feedserver import FeedSite

KARABAKH = "nagorno-karabakh-2023"


@pytest.fixture
def site(httpserver, allow_host):
    feed_site = FeedSite(httpserver)
    allow_host(feed_site.base)
    return feed_site


@pytest.fixture
def story():
    story = StoryFactory(title="Staakt-het-vuren Nagorno-Karabach", slug=KARABAKH)
    StoryRule.objects.create(story=story, language="nl", keywords="Nagorno-Karabach")
    return story


def discover_and_check(site: FeedSite) -> dict[str, Article]:
    """Poll the fixture feeds, check every new article once; articles by path."""
    nl = SourceFactory(domain="nl.fixture", language="nl")
    nl.article_url_pattern = r"/(buitenland|economie)/"
    nl.save()
    en = SourceFactory(domain="en.fixture", language="en")
    feeds = [
        Feed.objects.create(source=nl, url=site.url("/outlet-nl/feed.xml")),
        Feed.objects.create(source=en, url=site.url("/outlet-en/atom.xml")),
        Feed.objects.create(
            source=en, url=site.url("/outlet-en/sitemap.xml"), kind="sitemap"
        ),
    ]
    for feed in feeds:
        discovery.poll_feed(Feed.objects.select_related("source").get(pk=feed.pk))
    articles = {}
    for article in Article.objects.select_related("source").order_by("id"):
        assert pipeline.check_article(article).outcome == "new_version"
        articles[article.url.removeprefix(site.base)] = article
    return articles


def group_all(articles: dict[str, Article]) -> None:
    for article in articles.values():
        article.refresh_from_db()
        grouping.group_article(article)


@pytest.mark.django_db
def test_fixture_story_articles_are_grouped_together_and_unrelated_kept_out(
    site, story
):
    articles = discover_and_check(site)
    group_all(articles)

    members = set(story.articles.values_list("url", flat=True))
    assert members == {
        site.url("/outlet-nl/buitenland/karabakh.html"),
        site.url("/outlet-en/world/karabakh-ceasefire.html"),
        site.url("/outlet-en/world/karabakh-weapons.html"),
    }
    by_path = {
        m.article.url.removeprefix(site.base): m
        for m in StoryMatch.objects.select_related("article").filter(story=story)
    }
    assert by_path["/outlet-nl/buitenland/karabakh.html"].method == "rule"
    english = by_path["/outlet-en/world/karabakh-ceasefire.html"]
    assert english.method == "shared_facts"  # Dutch and English share figures
    assert "N:nagorno" in english.evidence["shared"]  # a name, whole word
    assert "/outlet-en/world/libya-floods.html" not in by_path
    assert "/outlet-nl/economie/miljoenennota.html" not in by_path


@pytest.mark.django_db
def test_a_related_article_starts_its_own_candidate(site, story):
    articles = discover_and_check(site)
    group_all(articles)

    # Protests in Yerevan share Armenia and Karabakh with the story, but not enough.
    protests = articles["/outlet-en/world/yerevan-protests.html"]
    (own,) = protests.stories.all()  # not in the Karabakh story
    assert own.status == Story.Status.CANDIDATE
    assert own not in Story.objects.active()  # not listed until a second outlet


@pytest.mark.django_db
def test_grouping_twice_changes_nothing_and_keeps_rejections(site, story):
    articles = discover_and_check(site)
    assert tasks.group_new_articles() == 6
    english = StoryMatch.objects.get(
        article__url__contains="karabakh-ceasefire", story=story
    )
    editing.reject_match(english)
    before = list(StoryMatch.objects.order_by("id").values_list("id", "status"))

    assert tasks.group_new_articles() == 0  # nothing pending
    Article.objects.update(grouped_at=None)
    group_all(articles)

    after = list(StoryMatch.objects.order_by("id").values_list("id", "status"))
    assert after[: len(before)] == before  # the rejection stands
    assert story.articles.count() == 2


@pytest.mark.django_db
def test_article_without_a_version_waits_for_grouping(story):
    article = Article.objects.create(url="https://x.example/a.html")
    assert grouping.group_article(article) is None
    assert grouping.pending_articles() == []


@pytest.mark.django_db
def test_same_canonical_link_makes_a_duplicate_not_a_second_article(site, story):
    source = SourceFactory(domain="en.fixture", language="en")
    first = Article.objects.create(
        url=site.url("/outlet-en/world/karabakh-ceasefire.html"), source=source
    )
    second = Article.objects.create(
        url=site.url("/outlet-en/world/karabakh-ceasefire.html?page=1"), source=source
    )
    story.articles.add(second)
    for article in (first, second):
        pipeline.check_article(article)

    kept = discovery.resolve_canonical(second)

    second.refresh_from_db()
    assert kept == first
    assert second.duplicate_of == first
    assert second.state == Article.State.RETIRED
    assert list(first.stories.all()) == [story]
    # The second URL is not grouped on its own: the article it duplicates is.
    assert grouping.group_article(second).article_id == first.pk


@pytest.mark.django_db
def test_merge_split_and_move_keep_one_story_per_article():
    a, b = StoryFactory(), StoryFactory()
    one = Article.objects.create(url="https://x.example/1")
    two = Article.objects.create(url="https://x.example/2")
    a.articles.add(one)
    b.articles.add(two)
    StoryRule.objects.create(story=b, keywords="storm")

    assert editing.merge_stories(a, [b]) == 1
    b.refresh_from_db()
    assert b.merged_into == a and b.status == Story.Status.ARCHIVED
    assert set(a.articles.all()) == {one, two}
    assert a.rules.count() == 1

    new = editing.split_story([two.pk], "Storm follow-up")
    assert list(new.articles.all()) == [two]
    assert list(a.articles.all()) == [one]
    assert StoryMatch.objects.get(article=two, story=new).method == "editor"

    editing.move_articles([two.pk], a)
    assert list(two.stories.all()) == [a]
    assert StoryMatch.objects.get(article=two, story=new).status == "rejected"


@pytest.mark.django_db
def test_merge_hands_the_followers_of_a_story_to_the_one_it_joins():
    from tests.factories import SubscriptionFactory

    target, other = StoryFactory(), StoryFactory()
    follower = SubscriptionFactory(scope="story", story=other)

    editing.merge_stories(target, [other])

    follower.refresh_from_db()
    assert follower.story == target


@pytest.mark.django_db
def test_an_article_that_cannot_be_grouped_does_not_block_the_others(story):
    from django.db import connection
    from django.utils import timezone

    from stories.models import Version
    from tests.factories import ArticleFactory

    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not enforce column lengths")

    def with_page(url: str, canonical: str) -> Article:
        article = ArticleFactory(url=url)
        html = f'<html><head><link rel="canonical" href="{canonical}"></head></html>'
        Version.objects.create(
            article=article,
            number=1,
            fetched_at=timezone.now(),
            url=url,
            text="Azerbaijan Armenia Karabakh ceasefire",
            content_hash=url,
            raw_html_compressed=Version.compress(html.encode()),
        )
        return article

    # Oldest first in the queue: a canonical URL too long for its column.
    broken = with_page("https://a.example/1", "https://a.example/" + "x" * 2500)
    fine = with_page("https://a.example/2", "https://a.example/2")

    grouping.group_pending()

    assert not grouping.pending_articles(10)
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.grouped_at is not None and fine.grouped_at is not None
