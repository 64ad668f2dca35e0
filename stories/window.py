"""What grouping compares a new article with: the window's recent articles.

A run opens a ``Window`` once (its start, its size, the editors' rules, document
frequencies as counted so far); for each new article, ``around`` reads the recent
articles sharing a name or city with it through the ``ArticleKey`` index (newest
first, at most ``NEAR_LIMIT``), the stories they are in (active or candidate, in
the window), their stored keys, and the document frequencies of every key
involved. Nothing here grows with history: each read is an index range.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q

from stories import matching
from stories.models import Article, ArticleKey, Story, StoryRule


@dataclass(frozen=True)
class Doc:
    """What grouping knows of an article: its keys, headline, outlet and language."""

    article_id: int
    signals: matching.Signals
    headline: str = ""
    source_id: int | None = None

    @classmethod
    def from_row(cls, article_id: int, stored: dict, source_id: int | None) -> Doc:
        return cls(
            article_id,
            matching.Signals(
                frozenset(stored.get("keys", ())),
                frozenset(stored.get("title", ())),
                stored.get("lang", ""),
                frozenset(stored.get("events", ())),
            ),
            stored.get("headline", ""),
            source_id,
        )

    def stored(self) -> dict:
        s = self.signals
        return {
            "keys": sorted(s.keys),
            "title": sorted(s.title),
            "events": sorted(s.events),
            "lang": s.language,
            "headline": self.headline,
        }


# At most this many recent articles sharing a name or city are compared (newest first).
NEAR_LIMIT = 400


@dataclass
class Window:
    """What one grouping run reads once: the window's start, its size, the rules."""

    since: datetime
    size: int  # articles grouped in the window: idf's n
    rules: list[StoryRule]
    # Document frequencies counted so far in this run: a common key ("E:flood",
    # "P:US") is counted once per run, not once per article.
    df: dict[str, int] = field(default_factory=dict)

    def frequencies(self, keys: set[str]) -> dict[str, int]:
        missing = sorted(keys - self.df.keys())
        if missing:
            self.df.update(dict.fromkeys(missing, 0))
            self.df.update(
                ArticleKey.objects.filter(key__in=missing, seen_at__gte=self.since)
                .values("key")
                .annotate(n=Count("id"))
                .values_list("key", "n")
            )
        return self.df


def open_window(now: datetime) -> Window:
    since = now - timedelta(days=settings.NEWSROOM_GROUPING_WINDOW_DAYS)
    rules = list(
        StoryRule.objects.filter(
            is_active=True, story__status=Story.Status.ACTIVE, story__merged_into=None
        ).prefetch_related("sources")
    )
    size = Article.objects.filter(grouped_at__gte=since).count()
    return Window(since, size, rules)


@dataclass
class Pool:
    """The stories and articles one new article is compared with."""

    stories: dict[int, Story]
    size: int = 1
    docs: dict[int, Doc] = field(default_factory=dict)
    story_of: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    df: dict[str, int] = field(default_factory=dict)

    def add(self, doc: Doc, story_ids: Iterable[int]) -> None:
        self.docs[doc.article_id] = doc
        self.story_of[doc.article_id].update(story_ids)

    def drop_story(self, story_id: int, into: int) -> None:
        for stories in self.story_of.values():
            if story_id in stories:
                stories.discard(story_id)
                stories.add(into)
        self.stories.pop(story_id, None)

    @property
    def idf(self) -> matching.Idf:
        return matching.Idf(self.df, max(self.size, len(self.docs)))

    def scores(self, doc: Doc) -> dict[int, tuple[matching.PairScore, int]]:
        """Best (score, closest article) per story of the articles near doc."""
        idf = self.idf
        best: dict[int, tuple[matching.PairScore, int]] = {}
        for other_id, other in self.docs.items():
            if other_id == doc.article_id:
                continue
            pair = matching.pair_score(doc.signals, other.signals, idf)
            for story_id in self.story_of.get(other_id, ()):
                if story_id in self.stories and (
                    story_id not in best or pair.score > best[story_id][0].score
                ):
                    best[story_id] = (pair, other_id)
        return best


def around(window: Window, doc: Doc) -> Pool:
    """The recent articles sharing a name or city with doc (indexed), their stories
    in the window, and the document frequencies of every key involved."""
    near = list(
        ArticleKey.objects.filter(
            key__in=sorted(doc.signals.anchors), seen_at__gte=window.since
        )
        .exclude(article_id=doc.article_id)
        .order_by("-seen_at", "-article_id")
        .values_list("article_id", flat=True)[: NEAR_LIMIT * 4]
    )
    near = list(dict.fromkeys(near))[:NEAR_LIMIT]
    links = defaultdict(set)
    for article_id, story_id in (
        Article.stories.through.objects.filter(
            article_id__in=near,
            story__status__in=[Story.Status.ACTIVE, Story.Status.CANDIDATE],
            story__merged_into=None,
        )
        .filter(
            Q(story__last_article_at__gte=window.since)
            | Q(story__is_pinned=True)
            | Q(story__last_article_at=None)  # articles attached by hand (track)
        )
        .values_list("article_id", "story_id")
    ):
        links[article_id].add(story_id)
    wanted = {s for ids in links.values() for s in ids} | {
        r.story_id for r in window.rules
    }
    pool = Pool(Story.objects.in_bulk(sorted(wanted)), window.size + 1)
    for article_id, stored, source_id in Article.objects.filter(
        pk__in=list(links)
    ).values_list("id", "story_keys", "source_id"):
        if stored:
            pool.add(Doc.from_row(article_id, stored, source_id), links[article_id])
    keys = set(doc.signals.keys).union(*(d.signals.keys for d in pool.docs.values()))
    pool.df = window.frequencies(keys)
    return pool


def story_docs(story_id: int, limit: int = 12) -> list[Doc]:
    """The story's newest articles as grouping knows them."""
    rows = (
        Article.objects.filter(stories=story_id)
        .exclude(story_keys={})
        .order_by("-grouped_at", "-id")
        .values_list("id", "story_keys", "source_id")[:limit]
    )
    return sorted((Doc.from_row(*row) for row in rows), key=lambda d: d.article_id)
