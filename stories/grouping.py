"""Articles -> stories: editors' rules first, then shared keys; stories form themselves.

An article is grouped once it has a first version (again when it changes):

1. rel=canonical first: a duplicate URL is merged into its twin, not grouped.
2. Its keys (names, places, event types, dates, figures; ``stories/matching.py``,
   whose docstring holds the scoring formula) are computed and kept on the row.
3. It is compared only with recent articles sharing a name or city with it and the
   stories they are in, active within ``NEWSROOM_GROUPING_WINDOW_DAYS``
   (``stories/window.py``: indexed reads), so the cost does not grow with history.
4. A rule of an editor's story that matches (whole words) puts it there (score 1).
   Otherwise its score against a story is its best score against the story's
   articles. At or above ``NEWSROOM_GROUPING_ACCEPT`` it joins the best story; a
   second story it matches with ``NEWSROOM_GROUPING_MERGE`` or more has converged
   with the first and is merged into it (unless an editor reviewed it). Between
   ``NEWSROOM_GROUPING_PROPOSE`` and accept, a listed story gets a proposal for an
   editor, and the article starts a *candidate* story of its own, as does an
   article that matches nothing.
5. A candidate becomes a listed story (``formed_at``, ``formation_note`` saying why)
   when an article from another outlet joins it with at least
   ``NEWSROOM_GROUPING_FORM``. Its title is the headline, in the editor's language
   (``NEWSROOM_EDITOR_LANGUAGE``) when one of its articles is in it, of the article
   sharing most with the others; its description counts its articles, outlets and
   languages and quotes two more headlines. Titles follow the story as it grows
   until an editor reviews it.

Every decision is a StoryMatch row, unique per (article, story): grouping twice
changes nothing, and a pair an editor decided is never decided again. Editors'
operations are in ``stories/editing.py``. Scoring runs outside any transaction;
each article's rows are written in one short transaction.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from stories import discovery, editing, matching
from stories.models import (
    Article,
    ArticleKey,
    Story,
    StoryMatch,
    StoryRule,
    Version,
)
from stories.window import Doc, Pool, Window, around, open_window, story_docs

logger = logging.getLogger(__name__)


def rule_matches(rule: StoryRule, text: str, doc: Doc, when: datetime | None) -> bool:
    """Every condition the rule sets holds; keywords match whole words, any case."""
    lang = doc.signals.language
    if rule.language and lang and rule.language != lang:
        return False
    sources = [s.pk for s in rule.sources.all()]
    if sources and doc.source_id not in sources:
        return False
    if when is not None and (
        (rule.starts_at and when < rule.starts_at)
        or (rule.ends_at and when > rule.ends_at)
    ):
        return False
    keywords = rule.keyword_list()
    if not keywords:
        return bool(sources or rule.language)
    haystack = matching.fold(text)
    return any(
        re.search(rf"(?<!\w){re.escape(matching.fold(k))}(?!\w)", haystack)
        for k in keywords
    )


# --- One article -----------------------------------------------------------------


@dataclass(frozen=True)
class GroupResult:
    article_id: int
    matches: list[StoryMatch]
    formed: list[Story] = field(default_factory=list)

    @property
    def accepted(self) -> list[StoryMatch]:
        return [m for m in self.matches if m.status == StoryMatch.Status.ACCEPTED]


def document(article: Article) -> tuple[Doc, str, datetime | None] | None:
    """The article's Doc, full text (for rules) and time, from its latest version."""
    version = (
        Version.objects.latest_per_article()
        .filter(article=article)
        .only("title", "text", "language", "figures", "published_at")
        .first()
    )
    if version is None:
        return None
    lang = version.language or (article.source.language if article.source_id else "")
    title = version.title or article.title
    signals = matching.signals(title, version.text, lang, version.figures)
    doc = Doc(article.pk, signals, title[:300], article.source_id)
    return doc, f"{title}\n{version.text}", version.published_at


def group_article(
    article: Article, now: datetime | None = None, window: Window | None = None
) -> GroupResult | None:
    """Score the article against the window's stories and record what follows.

    Returns None when the article has no version yet (try again later).
    """
    now = now or timezone.now()
    kept = discovery.resolve_canonical(article)
    if kept.pk != article.pk:  # a second URL of an article grouped under the first
        article = kept
        if article.grouped_at is not None:
            return GroupResult(article.pk, [])
    if article.duplicate_of_id is not None or article.state == Article.State.RETIRED:
        Article.objects.filter(pk=article.pk).update(grouped_at=now)
        return GroupResult(article.pk, [])
    found = document(article)
    if found is None:
        return None
    doc, text, published = found
    window = window if window is not None else open_window(now)
    pool = around(window, doc)
    decided = set(
        StoryMatch.objects.filter(article=article).values_list("story_id", flat=True)
    )
    when = published or article.first_seen_at
    plan = _plan(doc, text, when, window.rules, pool, decided)
    if not plan.join and article.stories.exists():
        plan.join = None  # already in a story: nothing new to start
    return _record(article, doc, plan, pool, now)


@dataclass
class _Plan:
    # (story, why, closest article); None: join nothing and start nothing
    join: list[tuple[int, matching.PairScore | None, int | None]] | None
    propose: list[tuple[int, matching.PairScore, int]]
    merge: list[int]  # stories that converged into the first joined one


def _plan(
    doc: Doc,
    text: str,
    when: datetime | None,
    rules: Sequence[StoryRule],
    pool: Pool,
    decided: set[int],
) -> _Plan:
    """What to do with the article: pure decisions over the pool."""
    ruled = [
        r.story_id
        for r in rules
        if r.story_id not in decided and rule_matches(r, text, doc, when)
    ]
    join = [(story_id, None, None) for story_id in dict.fromkeys(ruled)]
    scored = sorted(
        (
            (pair.score, story_id, pair, closest)
            for story_id, (pair, closest) in pool.scores(doc).items()
            if story_id not in decided and story_id not in ruled
        ),
        key=lambda t: (-t[0], t[1]),
    )
    accept = settings.NEWSROOM_GROUPING_ACCEPT
    above = [t for t in scored if t[0] >= accept]
    merge = []
    if above:
        score, story_id, pair, closest = above[0]
        if not join:
            join.append((story_id, pair, closest))
        target = join[0][0]
        merge = [
            s
            for score, s, _, _ in above
            if s != target
            and score >= settings.NEWSROOM_GROUPING_MERGE
            and _may_merge(pool, s)
        ]
        if story_id != target and story_id not in merge:
            join.append((story_id, pair, closest))
    propose = [] if join else _proposals(scored, pool)
    return _Plan(join, propose, merge)


def _proposals(scored: list, pool: Pool, limit: int = 3) -> list:
    """Listed stories the article nearly joined, for an editor to decide."""
    low, high = settings.NEWSROOM_GROUPING_PROPOSE, settings.NEWSROOM_GROUPING_ACCEPT
    return [
        (story_id, pair, closest)
        for score, story_id, pair, closest in scored
        if low <= score < high and pool.stories[story_id].status == Story.Status.ACTIVE
    ][:limit]


def _may_merge(pool: Pool, story_id: int) -> bool:
    """Grouping merges away only its own stories that no editor has looked at."""
    story = pool.stories[story_id]
    return story.origin == Story.Origin.GROUPING and story.reviewed_at is None


def _record(
    article: Article, doc: Doc, plan: _Plan, pool: Pool, now: datetime
) -> GroupResult:
    matches, formed = [], []
    with transaction.atomic():
        if plan.join is None:
            plan.join = []
        elif not plan.join:
            story = _start_candidate(doc, now)
            pool.stories[story.pk] = story
            plan.join.append((story.pk, None, None))
        for story_id, pair, closest in plan.join:
            matches.append(_match(article, story_id, pair, closest, now, doc))
        for story_id, pair, closest in plan.propose:
            match = _match(article, story_id, pair, closest, now, doc)
            match.status = StoryMatch.Status.PROPOSED
            matches.append(match)
        StoryMatch.objects.bulk_create(matches, ignore_conflicts=True)
        joined = [story_id for story_id, _, _ in plan.join]
        article.stories.add(*joined)
        Article.objects.filter(pk=article.pk).update(
            grouped_at=now, story_keys=doc.stored()
        )
        ArticleKey.objects.filter(article=article).delete()
        ArticleKey.objects.bulk_create(
            ArticleKey(article=article, key=key[:120], seen_at=now)
            for key in sorted(doc.signals.keys)
        )
        pool.add(doc, joined)
        for story_id in plan.merge:
            _converge(pool, joined[0], story_id, doc, now)
        for story_id, pair, closest in plan.join:
            if _maybe_form(pool, story_id, doc, pair, closest, now):
                formed.append(pool.stories[story_id])
        Story.objects.filter(pk__in=joined).update(last_article_at=now)
    for story_id in joined:  # CPU work: after the transaction
        retitle(pool, story_id)
    logger.info(
        "article=%s grouped into=%s proposed=%s formed=%s",
        article.pk,
        joined,
        [p[0] for p in plan.propose],
        [s.pk for s in formed],
    )
    return GroupResult(article.pk, matches, formed)


def _match(
    article: Article,
    story_id: int,
    pair: matching.PairScore | None,
    closest: int | None,
    now: datetime,
    doc: Doc,
) -> StoryMatch:
    if pair is None:  # a rule, or the first article of a candidate
        story = Story.objects.only("status", "origin").get(pk=story_id)
        first = story.origin == Story.Origin.GROUPING and story.status == "candidate"
        method = StoryMatch.Method.FIRST if first else StoryMatch.Method.RULE
        score, evidence = 1.0, {}
    else:
        method, score = StoryMatch.Method.SHARED_FACTS, pair.score
        evidence = {"closest_article": closest, "shared": pair.shared[:20]}
        evidence["reason"] = pair.reason
    return StoryMatch(
        article=article,
        story_id=story_id,
        score=score,
        method=method,
        status=StoryMatch.Status.ACCEPTED,
        evidence=evidence,
        matched_at=now,
    )


# --- Stories forming, converging and named ------------------------------------------


def _start_candidate(doc: Doc, now: datetime) -> Story:
    title = doc.headline or f"Story of article {doc.article_id}"
    return Story.objects.create(
        title=title[:300],
        slug=editing.unique_slug(title),
        status=Story.Status.CANDIDATE,
        origin=Story.Origin.GROUPING,
        last_article_at=now,
    )


def _maybe_form(
    pool: Pool,
    story_id: int,
    doc: Doc,
    pair: matching.PairScore | None,
    closest: int | None,
    now: datetime,
) -> bool:
    """A candidate joined by another outlet's article with FORM or more is a story."""
    story = pool.stories.get(story_id)
    if story is None or story.status != Story.Status.CANDIDATE or pair is None:
        return False
    other = pool.docs.get(closest)
    if other is None or other.source_id == doc.source_id:
        return False
    if pair.score < settings.NEWSROOM_GROUPING_FORM:
        return False
    note = (
        f"Formed {now:%Y-%m-%d %H:%M}: “{doc.headline}” matched “{other.headline}” "
        f"(another outlet) with score {pair.score:.2f}, sharing "
        f"{', '.join(_readable(pair.shared))}."
    )
    Story.objects.filter(pk=story_id).update(
        status=Story.Status.ACTIVE, formed_at=now, formation_note=note
    )
    story.status, story.formed_at, story.formation_note = (
        Story.Status.ACTIVE,
        now,
        note,
    )
    return True


def _converge(pool: Pool, target_id: int, other_id: int, doc: Doc, now: datetime):
    """Two stories the same article strongly matches are one: merge them."""
    target, other = pool.stories[target_id], pool.stories[other_id]
    editing.merge_stories(target, [other], by_editor=False)
    note = (
        f"Merged {now:%Y-%m-%d %H:%M} with “{other.title}”: "
        f"“{doc.headline}” matched both."
    )
    Story.objects.filter(pk=target_id).update(
        formation_note=(target.formation_note + "\n" + note).strip()
    )
    target.formation_note = (target.formation_note + "\n" + note).strip()
    if other.status == Story.Status.ACTIVE and target.status == Story.Status.CANDIDATE:
        Story.objects.filter(pk=target_id).update(status=Story.Status.ACTIVE)
        target.status = Story.Status.ACTIVE
    pool.drop_story(other_id, target_id)


def _readable(keys: Sequence[str], limit: int = 6) -> list[str]:
    """'N:faye' -> 'faye', 'P:SN' -> 'SN', 'F:killed:9:TW' -> 'killed 9 (TW)'."""
    out = []
    for key in sorted(keys, key=lambda k: "FNCPWED".index(k[0]))[:limit]:
        kind, _, rest = key.partition(":")
        if kind == "F":
            what, value, where = rest.split(":", 2)
            out.append(f"{what} {value} ({where})")
        else:
            out.append(rest)
    return out


def retitle(pool: Pool, story_id: int) -> None:
    """Title and description from the story's articles, until an editor reviews it."""
    story = pool.stories.get(story_id)
    if story is None or story.origin != Story.Origin.GROUPING or story.reviewed_at:
        return
    docs = story_docs(story_id)
    if not docs:
        return
    title, description = story_title(docs, pool)
    if (title, description) != (story.title, story.description):
        Story.objects.filter(pk=story_id).update(title=title, description=description)
        story.title, story.description = title, description


def story_title(docs: Sequence[Doc], pool: Pool) -> tuple[str, str]:
    """(title, description): the central headline, the editor's language first."""
    idf = pool.idf

    def centrality(d: Doc) -> float:
        return sum(
            matching.pair_score(d.signals, o.signals, idf).score
            for o in docs
            if o is not d
        )

    language = settings.NEWSROOM_EDITOR_LANGUAGE
    readable = [d for d in docs if d.signals.language == language] or list(docs)
    central = max(readable, key=lambda d: (centrality(d), -d.article_id))
    others = [d.headline for d in docs if d is not central and d.headline][:2]
    outlets = len({d.source_id for d in docs})
    languages = sorted({d.signals.language for d in docs if d.signals.language})
    description = (
        f"{len(docs)} article(s) from {outlets} outlet(s)"
        + (f" in {', '.join(languages)}" if languages else "")
        + "."
        + "".join(f" Also: “{h}”." for h in others)
    )
    return central.headline[:300] or "Untitled story", description


# --- Runs ------------------------------------------------------------------------


def pending_articles(limit: int = 200) -> list[int]:
    """Articles with text that were never grouped, or changed since."""
    return list(
        Article.objects.filter(versions__isnull=False, duplicate_of=None)
        .exclude(state=Article.State.RETIRED)
        .filter(Q(grouped_at=None) | Q(last_changed_at__gt=F("grouped_at")))
        .distinct()
        .order_by("first_seen_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def group_pending(limit: int = 200) -> list[GroupResult]:
    """Group what is pending, oldest first, each article in its own transaction."""
    results = []
    now = timezone.now()
    window = open_window(now)  # read once per run
    articles = (
        Article.objects.select_related("source")
        .filter(pk__in=pending_articles(limit))
        .order_by("first_seen_at", "id")
    )
    for article in articles:
        try:
            result = group_article(article, now, window)
        except DatabaseError:
            # One bad article (say a canonical URL too long to store) must not stop
            # every article queued behind it: stamp it grouped and go on.
            logger.exception("article=%s could not be grouped", article.pk)
            Article.objects.filter(pk=article.pk).update(grouped_at=timezone.now())
            continue
        if result is not None:
            results.append(result)
    return results
