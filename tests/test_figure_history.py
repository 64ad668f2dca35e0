"""Figure history per claim: a new total revises the outlet's previous one, older
totals a live blog still quotes never count as current, and "Sources disagree"
compares only each outlet's current claim per kind.

The live blog (tests/fixtures/stories/storm-live-blog) puts its newest entry on
top and keeps every earlier entry below it, older totals included; its
truth.json lists the (kind, old, new) changes between consecutive versions.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from stories import dashboard, figures, intelligence, pipeline
from stories.demo import site
from stories.models import Article, Change
from tests.factories import ArticleFactory, SourceFactory, StoryFactory

STORIES = Path(__file__).resolve().parent / "fixtures" / "stories"
LIVE_BLOG = STORIES / "storm-live-blog"
REPORT = STORIES / "storm-report"
DEMO = site.DEMO_DIR  # the shared fixture story, copied into the repo


def _article(directory: Path) -> dict:
    return json.loads((directory / "truth.json").read_text())["articles"][0]


def _found(version: dict, lang: str) -> list[figures.Figure]:
    return figures.find_figures("\n\n".join(version["body_paragraphs"]), lang)


def _pairs(directory: Path) -> list:
    article = _article(directory)
    by_number = {v["version"]: v for v in article["versions"]}
    return [
        pytest.param(
            article["lang"],
            by_number[p["from"]],
            by_number[p["to"]],
            p,
            id=f"{directory.name}-v{p['from']}-v{p['to']}",
        )
        for p in article["pairs"]
    ]


@pytest.mark.parametrize(
    ("lang", "old", "new", "pair"), _pairs(LIVE_BLOG) + _pairs(DEMO)
)
def test_figure_changes_between_versions_are_the_true_kind_old_new_list(
    lang: str, old: dict, new: dict, pair: dict
) -> None:
    deltas = figures.compare_figures(_found(old, lang), _found(new, lang))

    got = [(d.kind, d.change, d.old, d.new) for d in deltas]
    expected = [
        (c["kind"], c["change"], c["old"], c["new"]) for c in pair["figures_changed"]
    ]
    assert got == expected


def test_live_blog_claims_the_newest_total_not_the_ones_quoted_below() -> None:
    last = _article(LIVE_BLOG)["versions"][-1]
    found = _found(last, "en")

    claims = {f.kind: f.value for f in figures.current_claims(found)}

    assert claims == {"evacuated": 4550, "killed": 3, "injured": 17, "other_count": 37}
    # Every older total is still read, as text the blog keeps quoting.
    assert [f.value for f in found if f.kind == "evacuated"] == [
        4550,
        4350,
        3900,
        3150,
        2600,
        1900,
        1200,
    ]


def _claims(outlet: str, version: dict, hours: float) -> list[intelligence.FigureClaim]:
    at = timezone.now() + timedelta(hours=hours)
    return [
        intelligence.FigureClaim(outlet, outlet, f.attributed_to, at, f)
        for f in _found(version, "en")
    ]


def test_sources_disagree_pairs_only_each_outlets_current_claim() -> None:
    blog = _claims("Harbour Gazette", _article(LIVE_BLOG)["versions"][-1], 1)
    report = _claims("Estuary Post", _article(REPORT)["versions"][0], 0)

    found = intelligence.find_disagreements(report + blog)

    # 4,550 evacuated (the blog's newest total) against about 2,000: one row, not
    # one per older total; 3 dead against 2 is within the margin.
    assert [(d.kind, d.older.figure.value, d.newer.figure.value) for d in found] == [
        ("evacuated", 2000, 4550)
    ]


# --------------------------------------------------------------------------
# The story page, with both articles checked by the real pipeline over HTTP


def _check_every_version(directory: Path, allow_host, outlet: str) -> Article:
    server, page, url = site.serve(directory=directory)
    try:
        allow_host(url)
        article = ArticleFactory(url=url, source=SourceFactory(name=outlet))
        for index in range(len(page.versions)):
            page.index = index
            pipeline.check_article(article)
    finally:
        server.shutdown()
        server.server_close()
    return article


@pytest.mark.django_db
def test_live_blog_story_page_has_few_disagreements_and_rising_charts(
    client, settings, allow_host
) -> None:
    blog = _check_every_version(LIVE_BLOG, allow_host, "Harbour Gazette")
    settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS = []
    report = _check_every_version(REPORT, allow_host, "Estuary Post")
    story = StoryFactory(title="Storm Maren")
    story.articles.add(blog, report)

    response = client.get(reverse("stories:story-detail", kwargs={"slug": story.slug}))

    body = response.content.decode()
    box = re.search(r'<section class="disagreements".*?</section>', body, re.S)
    rows = box.group(0).count("<li>") if box else 0
    assert 1 <= rows <= 5
    assert "evacuated" in box.group(0) and ">3<" not in box.group(0)
    revisions = [
        (d["kind"], d["old"], d["new"])
        for c in Change.objects.filter(article=blog, kind=Change.Kind.FIGURE)
        for d in c.details["figures"]
    ]
    assert ("evacuated", 4350, 4550) in revisions
    assert not [r for r in revisions if r[0] == "evacuated" and r[1] is None]
    for chart in dashboard.figure_charts(story):
        for series in chart.series:
            values = [p.value for p in sorted(series.points, key=lambda p: p.at)]
            assert values == sorted(values), (chart.kind, series.name, values)
