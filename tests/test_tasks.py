import time

import factory
import pytest
from werkzeug import Response

from newsroom.celery import app as celery_app
from stories import tasks
from stories.models import Article, Change, Version
from tests.factories import ArticleFactory

PAGE = (
    "<html lang='en'><head><title>Storm hits coast</title></head><body><article>"
    "<h1>Storm hits coast</h1>"
    + "".join(
        f"<p>Paragraph {i} of the report describes the storm and its aftermath in "
        "detail, with quotes from residents and officials on the coast.</p>"
        for i in range(8)
    )
    + "</article></body></html>"
)


@pytest.fixture
def served(httpserver, allow_host):
    allow_host(httpserver.url_for("/"))
    return httpserver


def run_check(article: Article) -> str:
    # retries=max_retries: the last attempt, so nothing is re-queued by the test.
    result = tasks.check_article.apply(
        args=[article.pk], retries=tasks.check_article.max_retries, throw=True
    )
    return result.get()


@pytest.mark.django_db
def test_check_task_run_twice_stores_one_version(served):
    served.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    article = ArticleFactory(url=served.url_for("/a"))

    assert run_check(article) == "new_version"
    assert run_check(article) == "unchanged"

    assert Version.objects.filter(article=article).count() == 1
    assert not Change.objects.exists()


@pytest.mark.django_db
def test_check_task_for_deleted_article_is_a_quiet_no_op():
    assert (
        tasks.check_article.apply(args=[987654], throw=True).get() == "article deleted"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://127.0.0.1:1/admin", "127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("file:///etc/passwd", "file"),
    ],
)
def test_redirect_to_private_or_odd_target_is_refused_and_recorded(
    served, target, reason
):
    served.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": target}
    )
    article = ArticleFactory(url=served.url_for("/moved"))

    assert run_check(article) == "failed"

    article.refresh_from_db()
    assert "refused" in article.last_status
    assert reason in article.last_status
    assert article.consecutive_failures == 1
    assert not Version.objects.exists()


@pytest.mark.django_db
def test_non_html_page_is_refused_and_recorded(served):
    served.expect_request("/report.pdf").respond_with_data(
        b"%PDF-1.7 fake", content_type="application/pdf"
    )
    article = ArticleFactory(url=served.url_for("/report.pdf"))

    assert run_check(article) == "failed"

    article.refresh_from_db()
    assert "application/pdf" in article.last_status or "HTML" in article.last_status
    assert not Version.objects.exists()


@pytest.mark.django_db
def test_oversized_page_is_cut_and_recorded(served, settings):
    settings.NEWSROOM_MAX_PAGE_BYTES = 200_000

    def big(_request):
        chunk = b"<p>" + b"x" * 10_000 + b"</p>"
        return Response((chunk for _ in range(200)), content_type="text/html")

    served.expect_request("/huge").respond_with_handler(big)
    article = ArticleFactory(url=served.url_for("/huge"))

    assert run_check(article) == "failed"

    article.refresh_from_db()
    assert "too large" in article.last_status.lower() or "cap" in article.last_status
    assert not Version.objects.exists()


@pytest.mark.django_db
def test_timeout_is_recorded_and_backs_off(served, settings):
    settings.NEWSROOM_FETCH_TIMEOUT = 1

    def slow(_request):
        time.sleep(2.5)
        return Response(PAGE, content_type="text/html")

    served.expect_request("/slow").respond_with_handler(slow)
    article = ArticleFactory(url=served.url_for("/slow"))
    started = time.monotonic()

    assert run_check(article) == "failed"

    assert time.monotonic() - started < 2.4
    article.refresh_from_db()
    assert (
        "timed out" in article.last_status.lower() or "timeout" in article.last_status
    )
    assert article.next_check_at > article.last_checked_at
    assert not Version.objects.exists()


@pytest.fixture
def broker_queue():
    """The real broker's default queue, emptied before and after the test."""
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        channel.queue_declare(queue="celery", durable=True, auto_delete=False)
        channel.queue_purge("celery")

        def size() -> int:
            return channel.queue_declare(queue="celery", passive=True).message_count

        yield size
        channel.queue_purge("celery")


@pytest.mark.django_db
def test_enqueue_run_twice_queues_each_due_article_once(broker_queue):
    ArticleFactory.create_batch(2)

    assert tasks.enqueue_due_articles() == 2
    assert tasks.enqueue_due_articles() == 0

    assert broker_queue() == 1  # one batch of two checks


@pytest.mark.django_db
def test_batch_check_run_twice_stores_one_version_each(served):
    served.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    served.expect_request("/b").respond_with_data(
        PAGE.replace("Storm hits coast", "Storm leaves coast"), content_type="text/html"
    )
    first = ArticleFactory(url=served.url_for("/a"))
    second = ArticleFactory(url=served.url_for("/b"))
    ids = [first.pk, second.pk, 987654]  # the last one was deleted meanwhile

    assert tasks.check_articles.apply(args=[ids]).get() == {"new_version": 2}
    assert tasks.check_articles.apply(args=[ids]).get() == {"unchanged": 2}
    assert Version.objects.count() == 2


@pytest.mark.django_db
def test_unchanged_checks_of_a_batch_are_recorded_with_one_update(served):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for k in range(3):
        served.expect_request(f"/a{k}").respond_with_data(
            PAGE, content_type="text/html"
        )
    ids = [ArticleFactory(url=served.url_for(f"/a{k}")).pk for k in range(3)]
    tasks.check_articles.apply(args=[ids]).get()
    before = {a.pk: a.last_checked_at for a in Article.objects.filter(pk__in=ids)}

    with CaptureQueriesContext(connection) as queries:
        outcomes = tasks.check_articles.apply(args=[ids]).get()

    assert outcomes == {"unchanged": 3}
    updates = [
        q["sql"] for q in queries if q["sql"].startswith('UPDATE "stories_article"')
    ]
    assert len(updates) == 1
    for article in Article.objects.filter(pk__in=ids):
        assert article.last_checked_at > before[article.pk]
        assert "region identical" in article.last_status


@pytest.mark.django_db
def test_batch_retries_a_transient_failure_on_its_own(served, broker_queue):
    served.expect_request("/down").respond_with_data("busy", status=503)
    served.expect_request("/up").respond_with_data(PAGE, content_type="text/html")
    down = ArticleFactory(url=served.url_for("/down"))
    up = ArticleFactory(url=served.url_for("/up"))

    outcomes = tasks.check_articles.apply(args=[[down.pk, up.pk]]).get()

    assert outcomes == {"failed": 1, "new_version": 1}
    assert broker_queue() == 1  # check_article(down) with a countdown
    down.refresh_from_db()
    assert "503" in down.last_status


@pytest.mark.django_db
def test_batch_out_of_time_queues_the_rest_as_a_new_batch(
    served, broker_queue, settings
):
    settings.NEWSROOM_BATCH_SECONDS = 0  # every batch runs out after one check
    served.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    articles = ArticleFactory.create_batch(
        3, url=factory.Iterator([served.url_for(f"/a?{n}") for n in range(3)])
    )

    outcomes = tasks.check_articles.apply(args=[[a.pk for a in articles]]).get()

    assert outcomes == {"new_version": 1, "requeued": 2}
    assert broker_queue() == 1


@pytest.mark.django_db
def test_a_batch_that_outlived_its_claim_skips_what_a_newer_claim_checked(served):
    from datetime import timedelta

    from django.utils import timezone

    from stories import pipeline

    served.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    article = ArticleFactory(url=served.url_for("/a"))
    first_claim = timezone.now()
    assert pipeline.claim_due_articles(now=first_claim) == [article.pk]
    # The queue is backed up past the lease: the next tick claims it again.
    second_claim = first_claim + pipeline.CLAIM_LEASE + timedelta(seconds=1)
    assert pipeline.claim_due_articles(now=second_claim) == [article.pk]

    newer = tasks.check_articles.apply(args=[[article.pk], second_claim.isoformat()])
    older = tasks.check_articles.apply(args=[[article.pk], first_claim.isoformat()])

    assert newer.get() == {"new_version": 1}
    assert older.get() == {"already checked": 1}
    assert len(served.log) == 1
