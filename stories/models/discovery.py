"""Feeds that bring articles in, and the rules and matches that put them in stories."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from stories.models.core import Article, Source, Story


class FeedQuerySet(models.QuerySet):
    def due(self, now: datetime) -> "FeedQuerySet":
        return self.filter(
            is_active=True, source__is_active=True, next_poll_at__lte=now
        )

    def failing(self, threshold: int) -> "FeedQuerySet":
        return self.filter(consecutive_failures__gte=threshold)


class Feed(models.Model):
    class Kind(models.TextChoices):
        FEED = "feed", "RSS / Atom"
        SITEMAP = "sitemap", "Sitemap (news sitemap)"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="feeds")
    url = models.URLField(max_length=2000, unique=True)
    kind = models.CharField(max_length=16, choices=Kind, default=Kind.FEED)
    is_active = models.BooleanField(default=True)
    poll_interval = models.PositiveIntegerField(
        default=600, help_text="Seconds between polls."
    )
    next_poll_at = models.DateTimeField(default=timezone.now)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_new_at = models.DateTimeField(
        null=True, blank=True, help_text="When a poll last found a new article."
    )
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_status = models.CharField(max_length=500, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["next_poll_at"],
                name="feed_due_idx",
                condition=Q(is_active=True),
            ),
        ]

    def __str__(self) -> str:
        return self.url


class FeedPollQuerySet(models.QuerySet):
    def recent(self, days: int = 7) -> "FeedPollQuerySet":
        return self.filter(polled_at__gte=timezone.now() - timedelta(days=days))


class FeedPoll(models.Model):
    """One poll of one feed: the log behind a source's health figures."""

    class Outcome(models.TextChoices):
        OK = "ok", "OK"
        NOT_MODIFIED = "not_modified", "Not modified (304)"
        FAILED = "failed", "Failed"

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="polls")
    polled_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=Outcome)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    elapsed_ms = models.PositiveIntegerField(default=0)
    entries = models.PositiveIntegerField(default=0)
    new_articles = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)

    objects = FeedPollQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["feed", "polled_at"], name="feedpoll_feed_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.feed_id} at {self.polled_at:%Y-%m-%d %H:%M}: {self.outcome}"


class StoryRule(models.Model):
    """Articles matching every set condition of a rule belong to its story."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="rules")
    language = models.CharField(
        max_length=8, blank=True, help_text="ISO 639-1; empty for any language."
    )
    keywords = models.TextField(
        blank=True,
        help_text="One keyword or phrase per line; any one of them must occur in "
        "the headline or text (case-insensitive).",
    )
    sources = models.ManyToManyField(
        Source, blank=True, help_text="Only articles of these sources (empty: any)."
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(starts_at__lte=models.F("ends_at")),
                name="storyrule_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        phrases = ", ".join(self.keyword_list()[:3]) or "any text"
        return f"{self.language or '*'}: {phrases}"

    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]


class StoryMatch(models.Model):
    """Why an article is (or might be) in a story, with the score that put it there."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    class Method(models.TextChoices):
        RULE = "rule", "Rule"
        SIMILARITY = "similarity", "Similar text"
        SHARED_FACTS = "shared_facts", "Shared figures and places"
        EDITOR = "editor", "Editor"
        FIRST = "first", "First article of a new story"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="story_matches"
    )
    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="article_matches"
    )
    score = models.FloatField()
    method = models.CharField(max_length=16, choices=Method)
    status = models.CharField(max_length=16, choices=Status)
    evidence = models.JSONField(default=dict, blank=True)
    matched_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name_plural = "story matches"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "story"], name="storymatch_once_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "accepted", "rejected"]),
                name="storymatch_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["story", "matched_at"],
                name="storymatch_proposed_idx",
                condition=Q(status="proposed"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.story_id} ({self.status}, {self.score:.2f})"


class ArticleKey(models.Model):
    """One grouping key of an article (stories/matching.py), indexed so a new article
    finds the recent articles it shares a name with without reading the others."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="grouping_keys"
    )
    key = models.CharField(max_length=120)
    seen_at = models.DateTimeField(help_text="When the article was grouped.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "key"], name="articlekey_once_per_article"
            ),
        ]
        indexes = [models.Index(fields=["key", "seen_at"], name="articlekey_recent")]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.key}"
