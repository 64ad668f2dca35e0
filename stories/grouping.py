"""Articles -> stories: editors' rules first, then similarity, with scores recorded.

An article is grouped once it has a first version (its text). For every candidate
story it gets a score in 0..1:

- a story rule that matches (keywords per language, sources, date window): 1.0;
- otherwise the best of
  * text similarity: TF-IDF cosine (scikit-learn) between the article and each of
    the story's articles, fitted on the candidates' texts so common words weigh
    little — works for articles in the same language;
  * shared facts: the figures (kind, value) and the names (capitalised words,
    compared by an accent-free prefix so "Armenië" meets "Armenia") the article
    shares with the story's articles — this links articles across languages.

At or above NEWSROOM_GROUPING_ACCEPT the article joins the story; at or above
NEWSROOM_GROUPING_PROPOSE the match is proposed for an editor. Every decision is a
StoryMatch row, unique per (article, story), so grouping twice changes nothing and
an editor's rejection is never overturned by a later run.

The scoring half of this module (``Doc`` to ``score_story``) is pure; the rest
orchestrates rows. Everything runs in Python, so it works the same on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from stories import discovery

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User
from stories.models import (
    Article,
    Story,
    StoryMatch,
    StoryRule,
    Subscription,
    Version,
)

logger = logging.getLogger(__name__)


# --- Scoring (pure) ---------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    article_id: int
    language: str
    title: str
    text: str
    source_id: int | None = None
    published_at: datetime | None = None
    figures: frozenset[tuple[str, int]] = frozenset()
    names: frozenset[str] = frozenset()

    @property
    def full_text(self) -> str:
        return f"{self.title}\n{self.text}"


@dataclass(frozen=True)
class Score:
    score: float
    method: str  # a StoryMatch.Method value
    evidence: dict = field(default_factory=dict)


_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:]\s*$")
NAME_KEY_CHARS = 5
# Capitalised words that are not names, in the languages we read. Sentence starts
# are skipped anyway; these are the ones that are capitalised mid-sentence.
_NOT_NAMES = frozenset(
    [
        "i",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "mr",
        "mrs",
        "ms",
        "dr",
        "the",
    ]
)


def ascii_fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def find_names(text: str) -> frozenset[str]:
    """Accent-free 5-letter prefixes of capitalised words not starting a sentence."""
    names = set()
    previous = "."
    for match in _WORD.finditer(text):
        word = match.group()
        gap = text[max(0, match.start() - 3) : match.start()]
        starts_sentence = bool(_SENTENCE_END.search(gap)) or previous == "."
        previous = ""
        if "\n" in gap or starts_sentence:
            continue
        for part in word.split("-"):
            if len(part) >= 4 and part[0].isupper() and not part.isupper():
                key = ascii_fold(part)
                if key not in _NOT_NAMES:
                    names.add(key[:NAME_KEY_CHARS])
    return frozenset(names)


def figure_keys(figures: Iterable[dict]) -> frozenset[tuple[str, int]]:
    return frozenset(
        (f["kind"], int(f["value"]))
        for f in figures
        if f.get("value") is not None and not f.get("background")
    )


def rule_matches(rule: StoryRule, doc: Doc, source_ids: Sequence[int]) -> bool:
    """Whether every condition the rule sets holds for the article."""
    if rule.language and doc.language and rule.language != doc.language:
        return False
    if source_ids and doc.source_id not in source_ids:
        return False
    if doc.published_at is not None:
        if rule.starts_at and doc.published_at < rule.starts_at:
            return False
        if rule.ends_at and doc.published_at > rule.ends_at:
            return False
    keywords = rule.keyword_list()
    if not keywords:
        return bool(source_ids or rule.language)
    haystack = ascii_fold(doc.full_text)
    return any(ascii_fold(keyword) in haystack for keyword in keywords)


def shared_facts(a: Doc, b: Doc) -> tuple[float, dict]:
    """0..1 from the figures and names two articles share, and what they share."""
    figures = a.figures & b.figures
    names = a.names & b.names
    # Two shared figures, or (over) a third of the smaller name set, count in full.
    figure_part = min(1.0, len(figures) / 2) if figures else 0.0
    smaller = min(len(a.names), len(b.names))
    name_part = min(1.0, len(names) / max(3, smaller / 3)) if names else 0.0
    score = 0.5 * figure_part + 0.5 * name_part
    evidence = {
        "figures": sorted([kind, value] for kind, value in figures),
        "names": sorted(names),
    }
    return score, evidence


def text_similarity(docs: Sequence[Doc], background: Sequence[Doc] = ()) -> list:
    """Pairwise TF-IDF cosine of docs; background docs only shape word weights."""
    corpus = [d.full_text for d in docs] + [d.full_text for d in background]
    vectorizer = TfidfVectorizer(
        strip_accents="unicode",
        lowercase=True,
        sublinear_tf=True,
        ngram_range=(1, 2),
        min_df=1,
        token_pattern=r"(?u)\b[^\W\d_]{3,}\b",
    )
    matrix = vectorizer.fit_transform(corpus)
    return cosine_similarity(matrix[: len(docs)]).tolist()


def score_story(
    doc: Doc, story_docs: Sequence[Doc], text_scores: Sequence[float]
) -> Score:
    """Best evidence that `doc` belongs with these articles (text_scores aligned)."""
    best = Score(0.0, StoryMatch.Method.SIMILARITY)
    for other, text_score in zip(story_docs, text_scores, strict=True):
        if other.article_id == doc.article_id:
            continue
        facts, evidence = shared_facts(doc, other)
        if text_score >= facts and text_score > best.score:
            best = Score(
                round(float(text_score), 3),
                StoryMatch.Method.SIMILARITY,
                {"closest_article": other.article_id, **evidence},
            )
        elif facts > text_score and facts > best.score:
            best = Score(
                round(facts, 3),
                StoryMatch.Method.SHARED_FACTS,
                {
                    "closest_article": other.article_id,
                    "text": round(float(text_score), 3),
                    **evidence,
                },
            )
    return best


# --- Documents from rows ------------------------------------------------------------


def documents(articles: Iterable[Article]) -> dict[int, Doc]:
    """Doc per article from its latest version; articles without one are left out."""
    articles = list(articles)
    # One query, whatever the count (an OR per article overflows SQLite's
    # expression depth at about a thousand).
    by_article = {a.pk: a for a in articles}
    docs = {}
    for version in (
        Version.objects.latest_per_article()
        .filter(article__in=list(by_article))
        .only("article_id", "title", "text", "language", "figures", "published_at")
    ):
        article = by_article[version.article_id]
        language = version.language or (
            article.source.language if article.source_id else ""
        )
        docs[article.pk] = Doc(
            article_id=article.pk,
            language=language,
            title=version.title or article.title,
            text=version.text,
            source_id=article.source_id,
            published_at=version.published_at or article.first_seen_at,
            figures=figure_keys(version.figures),
            names=find_names(f"{version.title}.\n{version.text}"),
        )
    return docs


# --- Grouping (DB) ------------------------------------------------------------------


@dataclass(frozen=True)
class GroupResult:
    article_id: int
    matches: list[StoryMatch]

    @property
    def accepted(self) -> list[StoryMatch]:
        return [m for m in self.matches if m.status == StoryMatch.Status.ACCEPTED]


def candidate_stories(now: datetime) -> list[Story]:
    window = now - timedelta(days=settings.NEWSROOM_GROUPING_WINDOW_DAYS)
    return list(
        Story.objects.active()
        .filter(merged_into=None)
        .filter(
            Q(is_pinned=True)
            | Q(articles__first_seen_at__gte=window)
            | Q(rules__is_active=True)
        )
        .distinct()
        .order_by("id")
    )


def group_article(
    article: Article,
    now: datetime | None = None,
    candidates: Sequence[Story] | None = None,
) -> GroupResult | None:
    """Score the article against candidate stories and record matches.

    1. Honour rel=canonical first: a duplicate URL is merged, not grouped.
    2. Score outside any transaction (TF-IDF is CPU work).
    3. In one transaction: insert new StoryMatch rows (existing pairs are kept as
       they are, editors' decisions included), attach accepted ones, stamp
       grouped_at.
    Returns None when the article has no version yet (try again later).
    """
    now = now or timezone.now()
    article = discovery.resolve_canonical(article)
    if article.duplicate_of_id is not None or article.state == Article.State.RETIRED:
        Article.objects.filter(pk=article.pk).update(grouped_at=now)
        return GroupResult(article.pk, [])
    doc = documents([article]).get(article.pk)
    if doc is None:
        return None
    decided = set(
        StoryMatch.objects.filter(article=article).values_list("story_id", flat=True)
    )
    if candidates is None:
        candidates = candidate_stories(now)
    stories = [s for s in candidates if s.pk not in decided]
    matches = [
        _match(article, story, score, now)
        for story, score in score_article(doc, stories)
    ]
    with transaction.atomic():
        StoryMatch.objects.bulk_create(matches, ignore_conflicts=True)
        accepted = [
            m.story_id for m in matches if m.status == StoryMatch.Status.ACCEPTED
        ]
        if accepted:
            article.stories.add(*accepted)
        Article.objects.filter(pk=article.pk).update(grouped_at=now)
    logger.info(
        "article=%s grouped accepted=%s proposed=%s",
        article.pk,
        accepted,
        [m.story_id for m in matches if m.status == StoryMatch.Status.PROPOSED],
    )
    return GroupResult(article.pk, matches)


def score_article(doc: Doc, stories: Sequence[Story]) -> list[tuple[Story, Score]]:
    """(story, score) for every story the article reaches at least PROPOSE with."""
    if not stories:
        return []
    rules = list(
        StoryRule.objects.filter(story__in=stories, is_active=True).prefetch_related(
            "sources"
        )
    )
    ruled = {}
    for rule in rules:
        source_ids = [s.pk for s in rule.sources.all()]
        if rule.story_id not in ruled and rule_matches(rule, doc, source_ids):
            ruled[rule.story_id] = Score(
                1.0, StoryMatch.Method.RULE, {"rule": rule.pk, "rule_text": str(rule)}
            )
    members: dict[int, list[int]] = {}
    for story_id, article_id in Article.stories.through.objects.filter(
        story__in=[s for s in stories if s.pk not in ruled]
    ).values_list("story_id", "article_id"):
        if article_id != doc.article_id:
            members.setdefault(story_id, []).append(article_id)
    pool = documents(
        Article.objects.filter(pk__in={a for ids in members.values() for a in ids})
        .select_related("source")
        .order_by("id")
    )
    ordered = [doc, *pool.values()]
    similarity = text_similarity(ordered, _background(doc, set(pool))) if pool else []
    index = {d.article_id: i for i, d in enumerate(ordered)}
    results = []
    for story in stories:
        if story.pk in ruled:
            results.append((story, ruled[story.pk]))
            continue
        story_docs = [pool[a] for a in members.get(story.pk, []) if a in pool]
        if not story_docs:
            continue
        texts = [similarity[0][index[d.article_id]] for d in story_docs]
        score = score_story(doc, story_docs, texts)
        if score.score >= settings.NEWSROOM_GROUPING_PROPOSE:
            results.append((story, score))
    return results


def _background(doc: Doc, exclude: set[int], size: int = 50) -> list[Doc]:
    """Recent articles of the same language, so that its common words weigh little."""
    recent = (
        Article.objects.exclude(pk__in=exclude | {doc.article_id})
        .filter(versions__isnull=False)
        .select_related("source")
        .distinct()
        .order_by("-first_seen_at", "-id")[:size]
    )
    return [d for d in documents(recent).values() if d.language == doc.language]


def _match(article: Article, story: Story, score: Score, now: datetime) -> StoryMatch:
    accept = score.method == StoryMatch.Method.RULE or (
        score.score >= settings.NEWSROOM_GROUPING_ACCEPT
    )
    return StoryMatch(
        article=article,
        story=story,
        score=score.score,
        method=score.method,
        status=StoryMatch.Status.ACCEPTED if accept else StoryMatch.Status.PROPOSED,
        evidence=score.evidence,
        matched_at=now,
    )


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
    results = []
    now = timezone.now()
    candidates = candidate_stories(now)  # the same for every article of this run
    articles = (
        Article.objects.select_related("source")
        .filter(pk__in=pending_articles(limit))
        .order_by("first_seen_at", "id")
    )
    for article in articles:
        try:
            with transaction.atomic():
                result = group_article(article, now, candidates)
        except DatabaseError:
            # One bad article (say a canonical URL too long to store) must not stop
            # every article queued behind it: stamp it grouped and go on.
            logger.exception("article=%s could not be grouped", article.pk)
            Article.objects.filter(pk=article.pk).update(grouped_at=timezone.now())
            continue
        if result is not None:
            results.append(result)
    return results


# --- Editors' operations ------------------------------------------------------------


def accept_match(match: StoryMatch, user: User | None = None) -> None:
    with transaction.atomic():
        StoryMatch.objects.filter(pk=match.pk).update(
            status=StoryMatch.Status.ACCEPTED,
            decided_at=timezone.now(),
            decided_by=_editor(user),
        )
        match.article.stories.add(match.story_id)


def reject_match(match: StoryMatch, user: User | None = None) -> None:
    with transaction.atomic():
        StoryMatch.objects.filter(pk=match.pk).update(
            status=StoryMatch.Status.REJECTED,
            decided_at=timezone.now(),
            decided_by=_editor(user),
        )
        match.article.stories.remove(match.story_id)


def move_articles(
    article_ids: Sequence[int], target: Story, user: User | None = None
) -> int:
    """Take the articles out of every story and put them in `target`; editor's call."""
    now = timezone.now()
    decided_by = _editor(user)
    through = Article.stories.through
    with transaction.atomic():
        through.objects.filter(article_id__in=article_ids).exclude(
            story=target
        ).delete()
        StoryMatch.objects.filter(article_id__in=article_ids).exclude(
            story=target
        ).update(
            status=StoryMatch.Status.REJECTED, decided_at=now, decided_by=decided_by
        )
        for article_id in article_ids:
            StoryMatch.objects.update_or_create(
                article_id=article_id,
                story=target,
                defaults={
                    "score": 1.0,
                    "method": StoryMatch.Method.EDITOR,
                    "status": StoryMatch.Status.ACCEPTED,
                    "matched_at": now,
                    "decided_at": now,
                    "decided_by": decided_by,
                },
            )
        through.objects.bulk_create(
            [through(article_id=a, story_id=target.pk) for a in article_ids],
            ignore_conflicts=True,
        )
    return len(article_ids)


def merge_stories(target: Story, others: Iterable[Story]) -> int:
    """Fold the other stories into `target`; they stay, archived, pointing at it."""
    through = Article.stories.through
    merged = 0
    with transaction.atomic():
        for other in others:
            if other.pk == target.pk:
                continue
            article_ids = list(
                through.objects.filter(story=other).values_list("article_id", flat=True)
            )
            through.objects.bulk_create(
                [through(article_id=a, story_id=target.pk) for a in article_ids],
                ignore_conflicts=True,
            )
            through.objects.filter(story=other).delete()
            taken = set(
                StoryMatch.objects.filter(story=target).values_list(
                    "article_id", flat=True
                )
            )
            StoryMatch.objects.filter(story=other).exclude(article_id__in=taken).update(
                story=target
            )
            StoryRule.objects.filter(story=other).update(story=target)
            # Followers of the merged story keep hearing about its articles.
            Subscription.objects.filter(story=other).update(story=target)
            Story.objects.filter(pk=other.pk).update(
                status=Story.Status.ARCHIVED, merged_into=target, is_pinned=False
            )
            merged += 1
    return merged


def split_story(story: Story, article_ids: Sequence[int], title: str) -> Story:
    """A new story holding these articles, taken out of `story`."""
    with transaction.atomic():
        new = Story.objects.create(title=title[:300], slug=unique_slug(title))
        Article.stories.through.objects.filter(
            story=story, article_id__in=article_ids
        ).delete()
        move_articles(article_ids, new)
    return new


def _editor(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def unique_slug(title: str) -> str:
    base = slugify(title)[:80] or "story"
    slug, n = base, 2
    while Story.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
