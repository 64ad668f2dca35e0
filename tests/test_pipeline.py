import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from werkzeug import Response

from stories import intelligence, pipeline
from stories.demo import site
from stories.models import Article, Change, Version
from tests.factories import ArticleFactory

TRUTH = site.load_story()["articles"][0]


def truth_text(version: dict) -> str:
    return "\n\n".join(version["body_paragraphs"])


@pytest.fixture
def tracked(news_site, allow_host):
    page, url = news_site
    allow_host(url)
    return page, ArticleFactory(url=url)


@pytest.mark.django_db
def test_fixture_story_yields_exactly_the_truth_versions_and_changes(tracked):
    page, article = tracked
    outcomes = []
    for index in range(len(TRUTH["versions"])):
        page.index = index
        outcomes.append(pipeline.check_article(article).outcome)

    # v2 is noise only (counter, ads, timestamps): no version for it.
    assert outcomes == [
        "new_version",
        "unchanged",
        "new_version",
        "new_version",
        "new_version",
    ]
    versions = list(Version.objects.filter(article=article).order_by("number"))
    expected = [v for v in TRUTH["versions"] if v["version"] != 2]
    assert [v.title for v in versions] == [v["headline"] for v in expected]
    assert [v.text.split() for v in versions] == [
        truth_text(v).split() for v in expected
    ]

    kinds_per_version = [
        sorted(Change.objects.filter(to_version=v).values_list("kind", flat=True))
        for v in versions
    ]
    # v3: headline only; v4: figures edited in the text; v5: update paragraph appended.
    assert kinds_per_version == [[], ["headline"], ["figure", "text"], ["text"]]
    revision = Change.objects.get(to_version=versions[2], kind="figure")
    expected_deltas = TRUTH["pairs"][2]["figures_changed"]
    assert [
        (d["kind"], d["change"], d["old"], d["new"])
        for d in revision.details["figures"]
    ] == [(d["kind"], d["change"], d["old"], d["new"]) for d in expected_deltas]
    assert "killed: 32 → 200" in revision.summary
    edited = Change.objects.get(to_version=versions[2], kind="text")
    assert "figures revised" in edited.summary
    assert edited.details["edits"]["counts"]["sentences_edited"] >= 1
    headline = Change.objects.get(to_version=versions[1])
    # A headline rewrite is notable; a casualty revision, and the text edit
    # carrying it, are major.
    assert intelligence.significance_level(headline.significance).name == "notable"
    assert intelligence.significance_level(revision.significance).name == "major"
    assert intelligence.significance_level(edited.significance).name == "major"
    update = Change.objects.get(to_version=versions[3])
    assert update.details["correction"]["kind"] == "update"
    assert update.details["correction"]["note"].startswith("Update")
    assert "update appended" in update.summary
    assert versions[0].figures and all("kind" in f for f in versions[0].figures)
    appended = Change.objects.get(to_version=versions[3])
    assert appended.words_added > 20 and appended.words_removed == 0
    inserted = " ".join(text for op, text in appended.diff_ops if op == "insert")
    assert "Jevlach" in inserted

    article.refresh_from_db()
    assert article.title == TRUTH["versions"][-1]["headline"]
    assert article.consecutive_failures == 0
    assert article.last_status_code == 200


@pytest.mark.django_db
def test_not_modified_refetch_creates_nothing(tracked):
    page, article = tracked
    pipeline.check_article(article)
    article.refresh_from_db()
    assert article.etag

    result = pipeline.check_article(article)

    assert result.outcome == "not_modified"
    assert result.status_code == 304
    assert Version.objects.filter(article=article).count() == 1
    assert not Change.objects.exists()
    article.refresh_from_db()
    assert article.last_status.startswith("304")


@pytest.mark.django_db
def test_identical_refetch_without_etag_creates_nothing(tracked):
    page, article = tracked
    page.use_etag = False
    pipeline.check_article(article)
    page.index = 1  # noise-only version of the page
    result = pipeline.check_article(article)
    assert result.outcome == "unchanged"
    assert Version.objects.filter(article=article).count() == 1
    assert not Change.objects.exists()


@pytest.mark.django_db
def test_quiet_article_is_checked_less_often_and_changed_one_more_often(
    tracked, settings
):
    settings.NEWSROOM_MIN_INTERVAL = 60
    settings.NEWSROOM_MAX_INTERVAL = 3600
    page, article = tracked
    article.check_interval = 600
    article.save()
    pipeline.check_article(article)  # first version: no change yet
    page.index = 1
    pipeline.check_article(article)
    article.refresh_from_db()
    quiet = article.check_interval
    page.index = 2
    pipeline.check_article(article)
    article.refresh_from_db()

    assert quiet > 600
    assert article.check_interval < quiet
    assert article.next_check_at == article.last_checked_at + timedelta(
        seconds=article.check_interval
    )


@pytest.mark.django_db
def test_removed_article_records_one_removed_change_then_restored(tracked):
    page, article = tracked
    pipeline.check_article(article)
    page.override = (410, b"<html><body>Dit artikel bestaat niet meer</body></html>")

    first = pipeline.check_article(article)
    second = pipeline.check_article(article)

    assert first.outcome == second.outcome == "removed"
    removed = Change.objects.filter(article=article, kind=Change.Kind.REMOVED)
    assert removed.count() == 1
    assert Version.objects.filter(article=article).count() == 1
    article.refresh_from_db()
    assert article.state == Article.State.REMOVED

    page.override = None
    page.index = 2
    pipeline.check_article(article)
    article.refresh_from_db()
    assert article.state == Article.State.ACTIVE
    kinds = set(Change.objects.filter(article=article).values_list("kind", flat=True))
    assert kinds == {"removed", "restored", "headline"}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_checks_of_one_article_store_one_version(tracked):
    if connection.vendor != "postgresql":
        # SQLite's in-memory test database (shared cache) fails concurrent writers
        # with "table is locked" instead of waiting as a real file database does.
        pytest.skip("concurrency is tested on PostgreSQL, as `make test` runs it")
    page, article = tracked
    page.use_etag = False
    barrier = threading.Barrier(2)
    outcomes = []

    def check() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(pipeline.check_article(Article.objects.get(pk=article.pk)))
        finally:
            connection.close()

    threads = [threading.Thread(target=check) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(r.outcome for r in outcomes) == ["new_version", "unchanged"]
    assert Version.objects.filter(article=article).count() == 1


@pytest.mark.django_db
def test_claim_takes_due_articles_once():
    now = timezone.now()
    due = ArticleFactory.create_batch(3, next_check_at=now - timedelta(minutes=1))
    ArticleFactory(next_check_at=now + timedelta(hours=1))
    ArticleFactory(next_check_at=now - timedelta(hours=1), state=Article.State.RETIRED)

    first = pipeline.claim_due_articles(now=now)
    second = pipeline.claim_due_articles(now=now)

    assert sorted(first) == sorted(a.pk for a in due)
    assert second == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_take_disjoint_articles():
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is a PostgreSQL feature; SQLite serialises writers")
    now = timezone.now()
    ArticleFactory.create_batch(40, next_check_at=now - timedelta(minutes=1))
    barrier = threading.Barrier(4)
    claimed: list[list[int]] = []

    def claim() -> None:
        try:
            barrier.wait(timeout=10)
            claimed.append(pipeline.claim_due_articles(limit=15, now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    ids = [i for batch in claimed for i in batch]
    assert len(ids) == len(set(ids))  # never the same article twice
    # Whatever a concurrent claim skipped (locked by another) stays due.
    rest = pipeline.claim_due_articles(limit=100, now=now)
    assert sorted(ids + rest) == sorted(Article.objects.values_list("id", flat=True))


def test_next_interval_stays_within_bounds():
    assert pipeline.next_interval(600, changed=True, floor=400, ceiling=3600) == 400
    assert pipeline.next_interval(600, changed=False, floor=60, ceiling=3600) == 900
    assert pipeline.next_interval(3000, changed=False, floor=60, ceiling=3600) == 3600


@pytest.mark.django_db
def test_claim_paces_each_source_and_takes_the_most_overdue_first(settings):
    now = timezone.now()
    busy = ArticleFactory.create_batch(
        20, next_check_at=now - timedelta(minutes=5), source__domain="busy.example"
    )
    quiet = ArticleFactory.create_batch(
        2, next_check_at=now - timedelta(minutes=1), source__domain="quiet.example"
    )
    most_overdue = busy[7]
    most_overdue.next_check_at = now - timedelta(hours=2)
    most_overdue.save()

    claimed = pipeline.claim_due_articles(now=now, per_source=4)

    claimed_busy = [pk for pk in claimed if pk in {a.pk for a in busy}]
    assert len(claimed_busy) == 4
    assert most_overdue.pk in claimed_busy
    assert {a.pk for a in quiet} <= set(claimed)
    # The next tick takes the next four of the busy source.
    later = pipeline.claim_due_articles(now=now, per_source=4)
    assert len(later) == 4 and not set(later) & set(claimed)


@pytest.mark.django_db(transaction=True)
def test_article_deleted_during_its_check_is_a_quiet_no_op(httpserver, allow_host):
    allow_host(httpserver.url_for("/"))
    article = ArticleFactory(url=httpserver.url_for("/gone-soon"))

    def delete_then_serve(_request):
        Article.objects.filter(pk=article.pk).delete()
        connection.close()
        html = (site.DEMO_DIR / "v1.html").read_bytes()
        return Response(html, content_type="text/html; charset=utf-8")

    httpserver.expect_request("/gone-soon").respond_with_handler(delete_then_serve)

    result = pipeline.check_article(article)

    assert result.outcome == "deleted"
    assert not Version.objects.exists()
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_headline_that_returns_is_a_flip_flop(tracked):
    page, article = tracked
    for index in (0, 2, 0):  # headline A, then B, then A again
        page.index = index
        pipeline.check_article(article)
        article.refresh_from_db()

    headlines = list(
        Change.objects.filter(article=article, kind="headline").order_by("id")
    )
    assert len(headlines) == 2
    assert "flip_flop" not in headlines[0].details
    assert headlines[1].details["flip_flop"]["returns_to"] == 0


@pytest.mark.django_db
def test_unchanged_check_costs_a_handful_of_queries(
    tracked, django_assert_max_num_queries
):
    page, article = tracked
    page.use_etag = False
    pipeline.check_article(article)
    article = Article.objects.select_related("source").get(pk=article.pk)
    page.index = 1  # noise only: the cheap path

    # One conditional UPDATE of the article row; nothing per version or figure.
    with django_assert_max_num_queries(1):
        assert pipeline.check_article(article).outcome == "unchanged"


@pytest.mark.django_db
def test_article_quiet_for_the_retire_window_is_retired_and_then_left_alone(
    tracked, settings
):
    settings.NEWSROOM_RETIRE_AFTER_DAYS = 30
    page, article = tracked
    article.first_seen_at = timezone.now() - timedelta(days=31)
    article.save()

    pipeline.check_article(article)  # first version; nothing changed since
    article.refresh_from_db()
    assert article.state == Article.State.RETIRED
    assert "retired after 30 quiet days" in article.last_status
    assert article.pk not in pipeline.claim_due_articles(
        now=timezone.now() + timedelta(days=400)
    )

    requests = page.requests
    assert pipeline.check_article(article).outcome == "retired"
    assert page.requests == requests  # not even fetched


@pytest.mark.django_db
def test_redirect_to_an_overlong_url_is_a_recorded_failure(httpserver, allow_host):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not enforce column lengths")
    allow_host(httpserver.url_for("/"))
    long_path = "/a" + "x" * 2500
    httpserver.expect_request("/short").respond_with_data(
        "", status=302, headers={"Location": long_path}
    )
    httpserver.expect_request(long_path).respond_with_data(
        (site.DEMO_DIR / "v1.html").read_bytes(), content_type="text/html"
    )
    article = ArticleFactory(url=httpserver.url_for("/short"))

    result = pipeline.check_article(article)

    article.refresh_from_db()
    assert result.outcome == "failed"
    assert "could not store" in article.last_status
    assert not Version.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [500, 403])
def test_failed_fetch_records_the_pages_http_status(httpserver, allow_host, status):
    allow_host(httpserver.url_for("/"))
    article = ArticleFactory(url=httpserver.url_for("/broken"))
    httpserver.expect_request("/broken").respond_with_data("no", status=status)

    result = pipeline.check_article(article)

    article.refresh_from_db()
    assert result.outcome == "failed"
    assert (result.status_code, article.last_status_code) == (status, status)
    assert article.last_status == f"HTTP {status}"
