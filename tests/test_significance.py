"""Significance levels on whole stories, through the real pipeline.

A busy story shaped like the ones editors follow during a storm: a report revised
a dozen times (typo fixes, headline rewrites, casualty revisions, an update, a
correction) and a live blog that gains an entry at every check. Both are served
over HTTP on 127.0.0.1 and checked with pipeline.check_article, version by version.
"""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils import timezone
from werkzeug import Request, Response

from stories import intelligence, pipeline
from stories.models import Change, Version
from tests.factories import ArticleFactory, StoryFactory

REPORT = [
    "Storm Ellen made landfall on the west coast early on Tuesday, bringing winds "
    "of up to 140 km/h and heavy rian.",
    "Two people were killed when a tree fell on their car near Kessing Point, "
    "police said.",
    "At least 40 people were injured across the region, according to the emergency "
    "servcies.",
    "About 3,000 homes were without power on Tuesday morning.",
    "The coastguard said it had rescued the crew of a fishing boat that got into "
    "difficulty off the harbour.",
    "Schools in the county will stay closed on Wednesday, the council said.",
    "The weather service has issued an amber warning for the rest of the day.",
]
HEADLINE = "Storm Ellen hits the coast: two dead, dozens injured"


def replace(paragraph: int, old: str, new: str):
    def edit(headline: str, paragraphs: list[str]) -> tuple[str, list[str]]:
        assert old in paragraphs[paragraph]
        paragraphs[paragraph] = paragraphs[paragraph].replace(old, new)
        return headline, paragraphs

    return edit


def append(text: str):
    return lambda headline, paragraphs: (headline, [*paragraphs, text])


def headline(new: str):
    return lambda _, paragraphs: (new, paragraphs)


def move(paragraph: int):
    def edit(headline: str, paragraphs: list[str]) -> tuple[str, list[str]]:
        return headline, [p for i, p in enumerate(paragraphs) if i != paragraph] + [
            paragraphs[paragraph]
        ]

    return edit


def drop(paragraph: int):
    return lambda headline, paragraphs: (
        headline,
        [p for i, p in enumerate(paragraphs) if i != paragraph],
    )


# Each step is one new version of the report.
REPORT_EDITS = [
    replace(0, "heavy rian", "heavy rain"),  # typo
    headline("Storm Ellen batters the west coast, leaving two dead"),
    replace(
        1,
        "Two people were killed when a tree fell on their car",
        "Three people were killed when trees fell on two cars",
    ),  # casualty revision
    replace(5, "the council said", "the county council said"),  # wording fix
    replace(0, "140 km/h and heavy", "140 km/h, and heavy"),  # punctuation
    replace(2, "At least 40 people", "At least 65 people"),  # casualty revision
    headline("Storm Ellen batters the west coast, leaving three dead"),
    move(5),  # schools paragraph moved down
    append("Update 14:10: power has been restored to about 1,000 homes."),
    replace(2, "emergency servcies", "emergency services"),  # typo
    replace(
        4,
        "it had rescued the crew of a fishing boat that got into difficulty",
        "its crews had rescued five fishermen whose boat got into difficulty",
    ),
    append(
        "Correction: an earlier version of this article said the storm made "
        "landfall on Monday. It made landfall on Tuesday."
    ),
    replace(
        0,
        "Storm Ellen made landfall on the west coast early on Tuesday, "
        "bringing winds of up to 140 km/h, and heavy rain.",
        "Storm Ellen swept across the west coast on Tuesday with winds of up to "
        "140 km/h, flooding roads and cutting power to thousands.",
    ),  # lede
    drop(5),  # the weather warning paragraph
    headline("Storm Ellen: three dead as west coast counts the cost"),
]

LIVE = [
    "08:05 – Good morning. We are following Storm Ellen as it reaches the coast.",
    "08:20 – The harbour road in Kessing Point has been closed because of flooding.",
    "08:35 – Trains between Kessing Point and Marlow are cancelled for the day.",
    '08:50 – "We have never seen the water this high," a resident told reporters.',
    "09:05 – The ferry service to the islands has been suspended.",
    "09:20 – Volunteers are filling sandbags at the town hall.",
    "09:35 – Police now say three people have died in the storm.",
    "09:50 – The council has opened a shelter in the sports hall on Mill Lane.",
    "10:05 – Wind speeds are expected to drop this evening, forecasters said.",
    "10:20 – Several roofs were torn off in the old town, photos sent to us show.",
    "10:35 – The airport says all morning flights have been cancelled.",
    "10:50 – Fire crews are pumping water out of the hospital basement.",
    "11:05 – One person is missing after being swept into the sea at the pier.",
    "11:20 – The prime minister said the government would help the region.",
    "11:35 – Supermarkets in the town centre have closed early.",
    "11:50 – The river is expected to peak around 14:00, the water board said.",
    "12:05 – Police ask people to stay away from the seafront.",
    "12:20 – Power cuts have spread to the villages north of the river.",
    "12:35 – Emergency services say they have taken 120 calls since midnight.",
    "12:50 – The football match on Wednesday has been postponed.",
]


def page(title: str, paragraphs: list[str]) -> bytes:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} | Coast News</title></head><body>"
        f"<header><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></header>"
        f"<main><article><h1>{html.escape(title)}</h1>{body}</article></main>"
        f"<footer>© Coast News</footer></body></html>"
    ).encode()


def report_versions() -> list[bytes]:
    title, paragraphs = HEADLINE, list(REPORT)
    out = [page(title, paragraphs)]
    for edit in REPORT_EDITS:
        title, paragraphs = edit(title, list(paragraphs))
        out.append(page(title, paragraphs))
    return out


def live_versions() -> list[bytes]:
    title = "Storm Ellen live: the latest as the storm hits the coast"
    out = []
    for n in range(3, len(LIVE) + 1):
        entries = list(reversed(LIVE[:n]))  # newest first, as live blogs run
        if n > 6:  # a wording fix in an old entry along the way
            entries = [e.replace("has been closed", "was closed") for e in entries]
        out.append(page(title, entries))
    return out


@pytest.fixture
def serve(httpserver, allow_host):
    """serve(path, versions) -> (article, check_all): check_all() serves each
    version in turn and checks the article after each."""

    def make(path: str, versions: list[bytes]):
        state = {"index": 0}

        def handle(request: Request) -> Response:
            return Response(versions[state["index"]], content_type="text/html")

        httpserver.expect_request(path).respond_with_handler(handle)
        url = httpserver.url_for(path)
        allow_host(url)
        article = ArticleFactory(url=url)

        def check_all() -> None:
            for index in range(len(versions)):
                state["index"] = index
                outcome = pipeline.check_article(article).outcome
                assert outcome == "new_version", index
                article.refresh_from_db()

        return article, check_all

    return make


def level(change: Change) -> str:
    return intelligence.significance_level(change.significance).name


@pytest.mark.django_db
def test_busy_story_keeps_major_for_the_exception(serve):
    report, check_report = serve("/news/storm-ellen", report_versions())
    live, check_live = serve("/live/storm-ellen", live_versions())
    check_report()
    check_live()

    changes = list(Change.objects.filter(article__in=[report, live]).order_by("id"))
    levels = [level(c) for c in changes]
    assert len(changes) >= 30
    assert levels.count("major") / len(changes) <= 0.25
    # ... but nothing an editor must see is below major:
    casualty_revisions = [
        c
        for c in changes
        if c.kind == "figure"
        and any(
            d["kind"] in ("killed", "injured", "missing") for d in c.details["figures"]
        )
    ]
    assert len(casualty_revisions) >= 4
    assert all(level(c) == "major" for c in casualty_revisions)
    corrections = [
        c
        for c in changes
        if (c.details or {}).get("correction", {}).get("kind") == "correction"
    ]
    assert corrections and all(level(c) == "major" for c in corrections)
    # ... and each level is used.
    assert {"major", "notable", "minor"} <= set(levels)
    typos = [
        c
        for c in changes
        if c.kind == "text"
        and {e["nature"] for e in c.details["edits"]["edits"]} == {"typo"}
    ]
    assert len(typos) >= 2
    assert all(level(c) == "minor" for c in typos)


@pytest.mark.django_db
def test_timeline_filter_and_badge_follow_the_levels(client):
    story = StoryFactory(title="Storm on the coast")
    article = ArticleFactory(title="Storm hits coast")
    article.stories.add(story)
    for number, (score, summary) in enumerate(
        [(0.95, "killed: 2 → 3"), (0.65, "1 paragraph added"), (0.25, "1 typo")], 1
    ):
        version = Version.objects.create(
            article=article,
            number=number,
            fetched_at=timezone.now(),
            url=article.url,
            title=article.title,
            text=summary,
            content_hash=f"hash-{number}",
            raw_html_compressed=Version.compress(b"<html></html>"),
        )
        Change.objects.create(
            article=article,
            to_version=version,
            kind=Change.Kind.TEXT,
            detected_at=timezone.now(),
            summary=summary,
            significance=score,
        )
    url = reverse("stories:story-detail", kwargs={"slug": story.slug})

    def shown(significance: str) -> list[str]:
        body = client.get(url, {"significance": significance}).content.decode()
        return [s for s in ("killed: 2", "1 paragraph added", "1 typo") if s in body]

    assert shown("major") == ["killed: 2"]
    assert shown("notable") == ["killed: 2", "1 paragraph added"]
    assert shown("") == ["killed: 2", "1 paragraph added", "1 typo"]
    assert client.get(url).content.decode().count('class="significance"') == 1
