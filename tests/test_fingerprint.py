"""The cheap path must never hide a real change: fingerprints of the article region."""

import itertools
import random
import re

import pytest

from stories import extraction, fingerprint, pipeline
from stories.demo import site
from stories.models import Article, Version
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


@pytest.mark.django_db
def test_region_with_a_live_counter_turns_the_cheap_path_off(httpserver, allow_host):
    allow_host(httpserver.url_for("/"))
    body = "".join(
        f"<p>Paragraph {i} tells the long story of the flood and the rescue work "
        "that followed in the town over the whole weekend.</p>"
        for i in range(6)
    )
    loads = iter(range(1000))

    def page(_request):
        from werkzeug import Response

        html = (
            "<html lang='en'><head><title>Flood</title></head><body><main>"
            f"<article><h1>Flood</h1>{body}<div class='comment-count'>{next(loads)} "
            "comments</div></article></main></body></html>"
        )
        return Response(html, content_type="text/html")

    httpserver.expect_request("/flood").respond_with_handler(page)
    article = ArticleFactory(url=httpserver.url_for("/flood"))
    pipeline.check_article(article)
    article.refresh_from_db()
    pipeline.check_article(article)  # counter moved, text did not
    article.refresh_from_db()

    assert article.region_fingerprint == pipeline.NOISY_REGION.fingerprint
    assert pipeline.check_article(article).outcome == "unchanged"
    assert Version.objects.filter(article=article).count() == 1
    assert Article.objects.get(pk=article.pk).region_selector == ""
