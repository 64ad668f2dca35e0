import gzip

import pytest
from django.core.management import call_command

from stories import discovery, policy, sources, tasks
from stories.models import Article, Feed, FeedPoll, Source
from tests.factories import SourceFactory
from tests.feedserver import FEEDS_DIR, FeedSite


@pytest.fixture
def site(httpserver, allow_host):
    feed_site = FeedSite(httpserver)
    allow_host(feed_site.base)
    return feed_site


def make_feed(site: FeedSite, path: str, source: Source, kind: str = "feed") -> Feed:
    return Feed.objects.create(source=source, url=site.url(path), kind=kind)


@pytest.mark.django_db
def test_new_feed_entries_appear_as_articles_once(site):
    source = SourceFactory(
        language="nl", article_url_pattern=r"/(buitenland|economie)/"
    )
    feed = make_feed(site, "/outlet-nl/feed.xml", source)

    first = discovery.poll_feed(feed)
    feed.refresh_from_db()
    again = discovery.poll_feed(feed)

    assert first.outcome == "ok"
    assert len(first.new_article_ids) == 2  # the liveblog fails the URL pattern
    urls = set(Article.objects.values_list("url", flat=True))
    assert urls == {
        site.url("/outlet-nl/buitenland/karabakh.html"),
        site.url("/outlet-nl/economie/miljoenennota.html"),
    }
    assert again.new_article_ids == []
    assert Article.objects.count() == 2
    article = Article.objects.get(url__endswith="karabakh.html")
    assert article.title.startswith("Azerbeidzjan en Armeense")
    assert article.source == source
    assert article.next_check_at <= article.first_seen_at  # due at once


@pytest.mark.django_db
def test_second_poll_sends_etag_gets_304_and_creates_nothing(site):
    feed = make_feed(site, "/outlet-en/atom.xml", SourceFactory(language="en"))
    discovery.poll_feed(feed)
    feed.refresh_from_db()
    assert feed.etag

    result = discovery.poll_feed(feed)

    assert result.outcome == "not_modified"
    assert site.not_modified["/outlet-en/atom.xml"] == 1
    assert Article.objects.count() == 3
    outcomes = list(FeedPoll.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == ["ok", "not_modified"]


@pytest.mark.django_db
def test_article_in_two_feeds_with_tracking_params_is_one_article(site):
    source = SourceFactory(language="en")
    atom = make_feed(site, "/outlet-en/atom.xml", source)
    sitemap = make_feed(site, "/outlet-en/sitemap.xml", source, kind="sitemap")

    discovery.poll_feed(atom)
    from_sitemap = discovery.poll_feed(sitemap)

    assert from_sitemap.entries == 2
    assert len(from_sitemap.new_article_ids) == 1  # only the weapons follow-up
    ceasefire = Article.objects.filter(url__contains="karabakh-ceasefire")
    assert ceasefire.count() == 1
    assert ceasefire.get().url == site.url("/outlet-en/world/karabakh-ceasefire.html")


@pytest.mark.django_db
def test_failing_feed_is_recorded_backed_off_and_flagged(httpserver, allow_host):
    allow_host(httpserver.url_for("/"))
    httpserver.expect_request("/broken.xml").respond_with_data("oops", status=500)
    feed = Feed.objects.create(
        source=SourceFactory(), url=httpserver.url_for("/broken.xml")
    )

    for _ in range(3):
        result = discovery.poll_feed(feed)
        feed.refresh_from_db()

    assert result.outcome == "failed"
    assert feed.consecutive_failures == 3
    assert feed.last_status_code == 500
    assert list(feed.polls.values_list("status_code", flat=True)) == [500] * 3
    assert feed.next_poll_at > feed.last_polled_at
    health = sources.source_health(feed.source)
    assert health.error_rate == 1.0
    assert health.failing_feeds == 1


@pytest.mark.django_db
def test_refused_private_address_is_a_failed_poll_not_a_crash(httpserver, settings):
    settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = False
    settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS = []
    feed = Feed.objects.create(source=SourceFactory(), url=httpserver.url_for("/f.xml"))

    result = discovery.poll_feed(feed)

    assert result.outcome == "failed"
    assert "private address" in result.message


@pytest.mark.django_db
def test_poll_tasks_twice_create_articles_once(site):
    feed = make_feed(site, "/outlet-en/atom.xml", SourceFactory(language="en"))

    assert tasks.poll_feed(feed.pk) == "ok"
    assert tasks.poll_feed(feed.pk) == "not_modified"
    assert Article.objects.count() == 3
    assert tasks.poll_feed(999999) == "feed deleted"


@pytest.mark.django_db
def test_claim_due_feeds_claims_each_feed_once(site):
    feed = make_feed(site, "/outlet-en/atom.xml", SourceFactory(language="en"))
    assert discovery.claim_due_feeds() == [feed.pk]
    assert discovery.claim_due_feeds() == []


@pytest.mark.django_db
def test_replay_command_groups_the_fixture_story(capsys):
    call_command("replay_feeds", "tests/fixtures/feeds")
    out = capsys.readouterr().out
    assert "grouping: 6 right, 0 wrong" in out
    assert Article.objects.count() == 0  # rolled back


@pytest.mark.django_db
def test_html_page_given_as_a_feed_is_a_failed_poll(site):
    page = make_feed(site, "/outlet-nl/buitenland/karabakh.html", SourceFactory())

    result = discovery.poll_feed(page)

    assert result.outcome == "failed"
    assert "wrong content type: text/html" in result.message
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_gzipped_feed_is_decoded(httpserver, allow_host):
    allow_host(httpserver.url_for("/"))
    rss = (FEEDS_DIR / "outlet-nl" / "feed.xml").read_bytes()
    httpserver.expect_request("/feed.xml").respond_with_data(
        gzip.compress(rss),
        content_type="application/rss+xml",
        headers={"Content-Encoding": "gzip"},
    )
    response = discovery.fetch_feed(
        httpserver.url_for("/feed.xml"), policy=policy.fetch_policy()
    )

    assert response.body == rss
