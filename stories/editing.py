"""Editors' decisions on stories and matches, recorded so grouping never undoes them.

Every operation stamps what it decided on the rows grouping reads: a match an
editor rejected stays rejected (grouping never re-decides a (article, story) pair);
a story an editor accepted, renamed, split, merged into or dismissed carries
``reviewed_at``, and grouping neither retitles it, nor merges it away, nor
reopens it. Grouping itself merges converging stories with ``merge_stories``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from stories.models import Article, Story, StoryMatch, StoryRule, Subscription

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


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
        Story.objects.filter(pk=target.pk).update(reviewed_at=now, last_article_at=now)
    return len(article_ids)


def merge_stories(
    target: Story, others: Iterable[Story], *, by_editor: bool = True
) -> int:
    """Fold the other stories into `target`; they stay, archived, pointing at it.

    An editor's merge marks the target reviewed; grouping's (by_editor=False) keeps
    the target's state as it was.
    """
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
        if by_editor and merged:
            Story.objects.filter(pk=target.pk).update(reviewed_at=timezone.now())
    return merged


def split_story(
    article_ids: Sequence[int], title: str, user: User | None = None
) -> Story:
    """A new story holding these articles, taken out of every other story."""
    with transaction.atomic():
        new = Story.objects.create(
            title=title[:300],
            slug=unique_slug(title),
            reviewed_at=timezone.now(),
            last_article_at=timezone.now(),
        )
        move_articles(article_ids, new, user)
    return new


def accept_stories(stories: Iterable[Story], user: User | None = None) -> int:
    """Editor keeps these stories (a candidate becomes a listed story)."""
    ids = [s.pk for s in stories]
    now = timezone.now()
    with transaction.atomic():
        Story.objects.filter(pk__in=ids, status=Story.Status.CANDIDATE).update(
            status=Story.Status.ACTIVE, formed_at=now
        )
        return Story.objects.filter(pk__in=ids).update(reviewed_at=now)


def dismiss_stories(stories: Iterable[Story], user: User | None = None) -> int:
    """Editor says these are no stories: unlisted for good, their matches rejected."""
    ids = [s.pk for s in stories]
    now = timezone.now()
    with transaction.atomic():
        StoryMatch.objects.filter(story_id__in=ids).update(
            status=StoryMatch.Status.REJECTED, decided_at=now, decided_by=_editor(user)
        )
        Article.stories.through.objects.filter(story_id__in=ids).delete()
        return Story.objects.filter(pk__in=ids).update(
            status=Story.Status.DISMISSED, reviewed_at=now, is_pinned=False
        )


def rename_story(story: Story, title: str, user: User | None = None) -> None:
    """Editor's title; grouping never retitles the story after this."""
    Story.objects.filter(pk=story.pk).update(
        title=title[:300], reviewed_at=timezone.now()
    )


def _editor(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def unique_slug(title: str) -> str:
    base = slugify(title)[:80] or "story"
    slug, n = base, 2
    while Story.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
