"""The cheap path must never hide a real change: fingerprints of the article region."""

import itertools
import random
import re

import pytest

from stories import extraction, fingerprint, pipeline
from stories.demo import site
from stories.models import Version
from tests.factories import ArticleFactory

PAGES = [path.read_bytes() for path in sorted(site.DEMO_DIR.glob("v*.html"))]
OWN_PAGES = sorted((site.DEMO_DIR.parents[1].parent / "tests/fixtures/pages").glob("*"))


def region_of(html: bytes) -> fingerprint.Region:
    region = fingerprint.locate_region(html, extraction.extract_article(html).text)
    assert region is not None
    return region


def test_noise_only_refetch_keeps_the_fingerprint():
    # v2 differs from v1 in comment counter, timestamps, ads and sidebars only.
    assert region_of(PAGES[0]) == region_of(PAGES[1])
    assert fingerprint.fingerprint(
        PAGES[1], region_of(PAGES[0]).selector, region_of(PAGES[0]).skip
    ) == (region_of(PAGES[0]).fingerprint)


def test_equal_fingerprints_only_for_equal_content_across_the_fixture_story():
    for old, new in itertools.combinations(PAGES, 2):
        region = region_of(old)
        same_print = (
            fingerprint.fingerprint(new, region.selector, region.skip)
            == region.fingerprint
        )
        same_content = (
            extraction.extract_article(old).content_hash
            == extraction.extract_article(new).content_hash
        )
        assert same_print == same_content


@pytest.mark.parametrize("seed", range(25))
def test_any_word_edit_in_the_article_moves_the_fingerprint(seed):
    rng = random.Random(seed)
    html = PAGES[0].decode()
    region = region_of(PAGES[0])
    words = re.findall(r"[A-Za-zë]{5,}", extraction.extract_article(PAGES[0]).text)
    word = rng.choice(words)
    edited = html.replace(word, word[::-1] + "x").encode()

    assert (
        extraction.extract_article(edited).text
        != extraction.extract_article(PAGES[0]).text
    ), "the edit must touch the article text"
    assert (
        fingerprint.fingerprint(edited, region.selector, region.skip)
        != region.fingerprint
    )


def test_headline_edit_moves_the_fingerprint():
    region = region_of(PAGES[0])
    edited = PAGES[0].replace(b"sluiten staakt-het-vuren", b"sluiten wapenstilstand")
    assert (
        fingerprint.fingerprint(edited, region.selector, region.skip)
        != region.fingerprint
    )


@pytest.mark.parametrize("path", OWN_PAGES, ids=lambda p: p.name)
def test_region_is_found_on_other_page_layouts(path):
    html = path.read_bytes()
    region = region_of(html)
    assert (
        fingerprint.fingerprint(html, region.selector, region.skip)
        == region.fingerprint
    )


def test_vanished_region_gives_no_fingerprint():
    region = region_of(PAGES[0])
    assert (
        fingerprint.fingerprint(
            b"<html><body><p>x</p></body></html>", region.selector, region.skip
        )
        is None
    )


@pytest.mark.django_db
def test_noise_only_refetch_skips_extraction(news_site, allow_host):
    page, url = news_site
    allow_host(url)
    page.use_etag = False
    article = ArticleFactory(url=url)
    pipeline.check_article(article)
    article.refresh_from_db()
    assert article.region_selector

    page.index = 1  # noise only
    result = pipeline.check_article(article)

    assert result.outcome == "unchanged"
    assert "region identical" in result.message
    page.index = 2  # headline change: the fingerprint moves and extraction runs
    article.refresh_from_db()
    assert pipeline.check_article(article).outcome == "new_version"


def flood_page(furniture: str = "", after: str = "", para: str = "") -> bytes:
    body = "".join(
        f"<p>Paragraph {i} tells the long story of the flood and the rescue work "
        "that followed in the town over the whole weekend.</p>"
        for i in range(6)
    )
    return (
        "<html lang='en'><head><title>Flood</title></head><body><main>"
        f"<article><h1>Flood</h1><div class='body'>{furniture}{body}{para}"
        f"{furniture}</div>"
        f"{after}</article><aside class='most-read'><p>{furniture}</p></aside>"
        "</main></body></html>"
    ).encode()


def furniture(n: int) -> str:
    return (
        f"<p>Updated {n % 24}:{n % 60:02d}</p><div class='comment-count'>{n} "
        f"comments</div><div class='related-box css-{n:06x}'><a href='/x'>Read also: "
        f"story {n}</a></div><time>{n} minutes ago</time>"
    )


def test_furniture_inside_the_article_keeps_the_fingerprint():
    first = flood_page(furniture(7))
    region = region_of(first)
    for n in (8, 130, 4711):
        again = flood_page(furniture(n))
        assert extraction.extract_article(again).text == (
            extraction.extract_article(first).text
        ), "the furniture is not article text"
        assert fingerprint.fingerprint(again, region.selector, region.skip) == (
            region.fingerprint
        )


def test_update_appended_after_the_body_container_moves_the_fingerprint():
    first = flood_page(furniture(7))
    region = region_of(first)
    update = "<p>Update 14:30: the river crested overnight and two bridges closed.</p>"
    edited = flood_page(furniture(7), after=update)

    assert "two bridges closed" in extraction.extract_article(edited).text
    assert fingerprint.fingerprint(edited, region.selector, region.skip) != (
        region.fingerprint
    )


def test_a_selector_that_would_hide_article_text_is_not_learned():
    # The same class marks furniture and, once, a paragraph of the article.
    page = flood_page(
        "<p class='note'>3 comments</p>",
        para="<p class='note'>A note from the editor about the flood victims.</p>",
    )
    region = region_of(page)
    assert "p.note" not in region.skip
    edited = page.replace(b"flood victims", b"flood survivors")
    assert fingerprint.fingerprint(edited, region.selector, region.skip) != (
        region.fingerprint
    )


@pytest.mark.django_db
def test_live_counter_inside_the_article_keeps_the_cheap_path(httpserver, allow_host):
    allow_host(httpserver.url_for("/"))
    loads = iter(range(1000))

    def page(_request):
        from werkzeug import Response

        return Response(flood_page(furniture(next(loads))), content_type="text/html")

    httpserver.expect_request("/flood").respond_with_handler(page)
    article = ArticleFactory(url=httpserver.url_for("/flood"))
    pipeline.check_article(article)
    for _ in range(3):
        article.refresh_from_db()
        result = pipeline.check_article(article)  # furniture moved, text did not
        assert result.outcome == "unchanged"
        assert "region identical" in result.message
    assert Version.objects.filter(article=article).count() == 1
    article.source.refresh_from_db()
    assert "div.comment-count" in article.source.fingerprint_skip


@pytest.mark.django_db
def test_audit_runs_the_full_path_and_records_a_miss_in_source_health(
    httpserver, allow_host, settings
):
    allow_host(httpserver.url_for("/"))
    httpserver.expect_request("/flood").respond_with_data(
        flood_page(furniture(1)), content_type="text/html"
    )
    article = ArticleFactory(url=httpserver.url_for("/flood"))
    pipeline.check_article(article)
    article.refresh_from_db()
    settings.NEWSROOM_AUDIT_SHARE = 1.0

    assert pipeline.check_article(article).outcome == "unchanged"
    article.source.refresh_from_db()
    assert (article.source.audit_checks, article.source.audit_misses) == (1, 0)

    # A fingerprint that hides a change (forced here by remembering the
    # fingerprint of the edited page): the audit's full path stores the change.
    httpserver.clear()
    edited = flood_page(furniture(1), para="<p>Two more people were rescued.</p>")
    httpserver.expect_request("/flood").respond_with_data(
        edited, content_type="text/html"
    )
    article.refresh_from_db()
    article.region_fingerprint = fingerprint.fingerprint(
        edited, article.region_selector, article.region_skip
    )
    article.save()
    assert pipeline.check_article(article).outcome == "new_version"
    article.source.refresh_from_db()
    assert (article.source.audit_checks, article.source.audit_misses) == (2, 1)
    assert "cheap path" in article.source.last_audit_miss
    assert article.source.last_audit_miss_at is not None
