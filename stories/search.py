"""Full-text search over every version's headline and text.

PostgreSQL: the stored, GIN-indexed `Version.search_vector` (stories/models/search.py)
in the version's language configuration, `websearch_to_tsquery` syntax ("a phrase",
-excluded, or), ranked, with `ts_headline` snippets. Elsewhere (the SQLite default) a
plain case-insensitive match with the same syntax and the same result shape.

Results are one hit per article: the version where the query first matched and,
when the newest version no longer matches, the version that removed it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Count,
    Max,
    Min,
    Q,
    QuerySet,
)
from django.urls import reverse

from stories.models import Article, Change, Story, Version
from stories.models.search import ALL_CONFIGS

MAX_QUERY_LENGTH = 200
# Control characters extraction never keeps: they cannot collide with page text.
START, STOP = "\x02", "\x03"
SNIPPET_CHARS = 240


@dataclass(frozen=True)
class Hit:
    article_id: int
    title: str
    outlet: str
    first_number: int
    last_number: int
    latest_number: int
    matched_versions: int
    rank: float
    # (text, is_highlighted) pieces; templates escape each piece.
    snippet: tuple[tuple[str, bool], ...] = ()

    @property
    def removed_number(self) -> int | None:
        """The version after the last one that matched, if the newest no longer does."""
        if self.last_number < self.latest_number:
            return self.last_number + 1
        return None

    @property
    def first_url(self) -> str:
        old = max(self.first_number - 1, 1)
        return self._diff_url(old, self.first_number)

    @property
    def removed_url(self) -> str | None:
        removed = self.removed_number
        return self._diff_url(self.last_number, removed) if removed else None

    def _diff_url(self, old: int, new: int) -> str:
        base = reverse("stories:article-detail", kwargs={"pk": self.article_id})
        return Change.versions_url(base, old, new)


@dataclass
class StoryGroup:
    story: Story | None
    hits: list[Hit] = field(default_factory=list)


@dataclass(frozen=True)
class Results:
    query: str
    groups: list[StoryGroup]
    article_count: int
    has_more: bool
    engine: str


def search(
    query: str, story: Story | None = None, limit: int = 30, engine: str = ""
) -> Results:
    """Articles whose versions match `query`, best first, grouped by story.

    `engine` picks "postgresql" or "plain" (the default is what the database offers;
    the plain match runs anywhere).
    """
    engine = engine or default_engine()
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if not query or not parse(query):
        return Results(query, [], 0, False, engine)
    if engine == "postgresql":
        rows, snippets = _postgres_rows(story, query, limit)
    else:
        versions = Version.objects.all()
        if story is not None:
            versions = versions.filter(article__stories=story)
        rows, snippets = _plain_rows(versions, query, limit)
    has_more = len(rows) > limit
    rows = rows[:limit]
    hits = _hits(rows, snippets)
    groups = _group_by_story(hits, story)
    return Results(query, groups, len(hits), has_more, engine)


def default_engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "plain"


# -- PostgreSQL -------------------------------------------------------------------


# The statements below are written out: they are PostgreSQL-only anyway, and the ORM
# spent more CPU composing the five-way OR than the database spent answering it.
_MATCH = " OR ".join(
    f"(v.search_config = '{config}' AND "
    f"v.search_vector @@ websearch_to_tsquery('{config}', %(query)s))"
    for config in ALL_CONFIGS
)
_IN_STORY = (
    "AND v.article_id IN (SELECT article_id FROM stories_article_stories "
    "WHERE story_id = %(story)s)"
)
_RANKED = """
SELECT ranked.*,
       (SELECT max(number) FROM stories_version n
        WHERE n.article_id = ranked.article_id) AS latest
FROM (
    SELECT m.article_id, m.first, m.last, m.matched,
           ts_rank(v.search_vector,
                   websearch_to_tsquery(v.search_config::regconfig, %(query)s)) AS rank
    FROM (
        SELECT v.article_id, min(v.number) AS first, max(v.number) AS last,
               count(*) AS matched
        FROM stories_version v
        WHERE ({match}) {in_story}
        GROUP BY v.article_id
    ) m
    JOIN stories_version v ON v.article_id = m.article_id AND v.number = m.last
    ORDER BY rank DESC, m.article_id
    LIMIT %(limit)s
) ranked
ORDER BY ranked.rank DESC, ranked.article_id
"""
_HEADLINES = f"""
SELECT v.article_id,
       ts_headline(v.search_config::regconfig, v.title || ' — ' || v.text,
                   websearch_to_tsquery(v.search_config::regconfig, %(query)s),
                   'StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, '
                   'MaxFragments=2, FragmentDelimiter=" … "')
FROM stories_version v
JOIN unnest(%(articles)s::bigint[], %(numbers)s::integer[]) AS p(article_id, number)
  ON v.article_id = p.article_id AND v.number = p.number
"""


def _postgres_rows(
    story: Story | None, query: str, limit: int
) -> tuple[list[dict], dict]:
    """Matching articles, best first, in one statement:

    1. every matching version, grouped per article (first and last matching number,
       how many): the per-configuration partial GIN indexes find them (migration
       0009) and no vector is read;
    2. each article ranked once, by its last matching version, so an article with
       fifty near-identical versions costs one ts_rank, not fifty.

    One tsquery per configuration, each tried only on versions of that language, so
    stemming and stop words agree on both sides.
    """
    sql = _RANKED.format(match=_MATCH, in_story=_IN_STORY if story else "")
    params = {"query": query, "limit": limit + 1, "story": story.pk if story else 0}
    names = ("article_id", "first", "last", "matched", "rank", "latest")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        shown = rows[:limit]
        if not shown:
            return rows, {}
        cursor.execute(
            _HEADLINES,
            {
                "query": query,
                "articles": [row["article_id"] for row in shown],
                "numbers": [row["first"] for row in shown],
            },
        )
        snippets = {pk: _split_marked(text) for pk, text in cursor.fetchall()}
    return rows, snippets


def _split_marked(text: str) -> tuple[tuple[str, bool], ...]:
    pieces, highlighted = [], False
    for part in re.split(f"([{START}{STOP}])", text):
        if part == START:
            highlighted = True
        elif part == STOP:
            highlighted = False
        elif part:
            pieces.append((part, highlighted))
    return tuple(pieces)


# -- plain fallback ---------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    text: str
    excluded: bool


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse(query: str) -> list[list[Term]]:
    """Web-search syntax -> alternatives (split at `or`) of required/excluded terms."""
    alternatives: list[list[Term]] = [[]]
    for match in _TOKEN.finditer(query):
        minus, phrase, word = match.groups()
        if word is not None and word.lower() == "or":
            if alternatives[-1]:
                alternatives.append([])
            continue
        if word is not None:
            minus, phrase = ("-", word[1:]) if word.startswith("-") else ("", word)
        text = " ".join(phrase.split())
        if text:
            alternatives[-1].append(Term(text, excluded=bool(minus)))
    return [terms for terms in alternatives if any(not t.excluded for t in terms)]


def _plain_match(query: str) -> Q:
    match = Q(pk__in=[])
    for terms in parse(query):
        clause = Q()
        for term in terms:
            found = Q(title__icontains=term.text) | Q(text__icontains=term.text)
            clause &= ~found if term.excluded else found
        match |= clause
    return match


def _plain_rows(versions: QuerySet, query: str, limit: int) -> tuple[list, dict]:
    rows = list(
        versions.filter(_plain_match(query))
        .values("article_id")
        .annotate(
            first=Min("number"),
            last=Max("number"),
            matched=Count("id"),
            rank=Count("id"),
        )
        .order_by("-rank", "-last", "article_id")[: limit + 1]
    )
    latest = dict(
        Version.objects.filter(article_id__in=[row["article_id"] for row in rows])
        .values("article_id")
        .annotate(latest=Max("number"))
        .values_list("article_id", "latest")
        .order_by()
    )
    for row in rows:
        row["latest"] = latest[row["article_id"]]
    which = Q(pk__in=[])
    for row in rows[:limit]:
        which |= Q(article_id=row["article_id"], number=row["first"])
    wanted = [t.text for terms in parse(query) for t in terms if not t.excluded]
    snippets = {
        article_id: _plain_snippet(f"{title} — {text}", wanted)
        for article_id, title, text in Version.objects.filter(which).values_list(
            "article_id", "title", "text"
        )
    }
    return rows, snippets


def _plain_snippet(text: str, wanted: list[str]) -> tuple[tuple[str, bool], ...]:
    pattern = re.compile("|".join(re.escape(w) for w in wanted), re.IGNORECASE)
    first = pattern.search(text)
    start = max((first.start() if first else 0) - SNIPPET_CHARS // 3, 0)
    if start:  # begin at a word, not inside one
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < (first.start() if first else 0) else start
    window = text[start : start + SNIPPET_CHARS]
    pieces, position = [], 0
    for found in pattern.finditer(window):
        if found.start() > position:
            pieces.append((window[position : found.start()], False))
        pieces.append((found.group(), True))
        position = found.end()
    pieces.append((window[position:], False))
    if start:
        pieces.insert(0, ("… ", False))
    return tuple(piece for piece in pieces if piece[0])


# -- shared -----------------------------------------------------------------------


def _hits(rows: list[dict], snippets: dict[int, tuple]) -> list[Hit]:
    ids = [row["article_id"] for row in rows]
    articles = {
        article.pk: article
        for article in Article.objects.filter(pk__in=ids)
        .select_related("source")
        .only("id", "url", "title", "source__name")
    }
    return [
        Hit(
            article_id=row["article_id"],
            title=articles[row["article_id"]].title or articles[row["article_id"]].url,
            outlet=_outlet(articles[row["article_id"]]),
            first_number=row["first"],
            last_number=row["last"],
            latest_number=row["latest"],
            matched_versions=row["matched"],
            rank=float(row["rank"] or 0),
            snippet=snippets.get(row["article_id"], ()),
        )
        for row in rows
    ]


def _outlet(article: Article) -> str:
    return article.source.name if article.source_id else ""


def _group_by_story(hits: list[Hit], only: Story | None) -> list[StoryGroup]:
    if only is not None:
        return [StoryGroup(only, hits)] if hits else []
    memberships: dict[int, list[Story]] = defaultdict(list)
    for link in (
        Article.stories.through.objects.filter(
            article_id__in=[h.article_id for h in hits]
        )
        .select_related("story")
        .order_by("story_id")
    ):
        memberships[link.article_id].append(link.story)
    groups: dict[int | None, StoryGroup] = {}
    for hit in hits:  # best first, so groups come out ordered by their best hit
        story = next(iter(memberships[hit.article_id]), None)
        key = story.pk if story else None
        groups.setdefault(key, StoryGroup(story)).hits.append(hit)
    return list(groups.values())
