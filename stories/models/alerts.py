"""Alerts: who wants to hear about which changes, and what was sent to them."""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from stories.models.core import Article, Change, Source, Story
from stories.models.fields import EncryptedTextField


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class SubscriptionQuerySet(models.QuerySet):
    def live(self, now: datetime) -> "SubscriptionQuerySet":
        """Subscriptions that should receive new deliveries right now."""
        return self.filter(
            unsubscribed_at=None, paused_at=None, is_confirmed=True
        ).exclude(muted_until__gt=now)

    def matching_scope(self, change: Change) -> "SubscriptionQuerySet":
        article = change.article
        story_ids = list(article.stories.values_list("id", flat=True))
        scope = Q(scope=Subscription.Scope.ALL) | Q(
            scope=Subscription.Scope.ARTICLE, article_id=article.pk
        )
        if story_ids:
            scope |= Q(scope=Subscription.Scope.STORY, story_id__in=story_ids)
        if article.source_id:
            scope |= Q(scope=Subscription.Scope.SOURCE, source_id=article.source_id)
        return self.filter(scope)


class Subscription(models.Model):
    class Scope(models.TextChoices):
        STORY = "story", "A story"
        ARTICLE = "article", "An article"
        SOURCE = "source", "A source"
        ALL = "all", "Everything"

    class Trigger(models.TextChoices):
        ANY = "any", "Any change"
        HEADLINE = "headline", "Headline changes"
        FIGURE = "figure", "Figure changes"
        SIGNIFICANT = "significant", "Text changes of at least N words"
        SIGNIFICANCE = "significance", "Changes scoring at least N% significance"
        FIGURE_DELTA = "figure_delta", "A figure changes by at least N"
        FIGURE_REACHES = "figure_reaches", "A figure reaches N"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"
        APPRISE = "apprise", "Apprise (chat, push)"
        IN_APP = "in_app", "In-app notification"

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", "As it happens"
        HOURLY = "hourly", "Hourly digest"
        DAILY = "daily", "Daily digest"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    scope = models.CharField(max_length=16, choices=Scope, default=Scope.STORY)
    story = models.ForeignKey(
        Story,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    trigger = models.CharField(max_length=16, choices=Trigger, default=Trigger.ANY)
    threshold = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="N for the 'at least N words', 'by at least N' and 'reaches N' "
        "triggers.",
    )
    figure_kind = models.CharField(
        max_length=32,
        blank=True,
        help_text="Only this figure kind (killed, injured…); blank for any.",
    )
    channel = models.CharField(max_length=16, choices=Channel, default=Channel.EMAIL)
    target = models.CharField(
        max_length=2000,
        blank=True,
        help_text="Email address, webhook URL or Apprise URL; blank for in-app and "
        "for email to the user's own address.",
    )
    # Encrypted at rest and closed to lookups (see fields.py): it must be read back
    # to sign, and an admin filter must not reveal it a prefix at a time.
    webhook_secret = EncryptedTextField(
        default=new_webhook_secret,
        help_text="Key of the X-Newsroom-Signature HMAC-SHA256 header.",
    )
    mode = models.CharField(max_length=16, choices=Mode, default=Mode.IMMEDIATE)
    muted_until = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=1000, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # False for an email to an address its owner has not confirmed yet (a signed
    # link sent there): until then nothing is sent, so nobody can be signed up.
    is_confirmed = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # End of the current coalescing window: no second message before this.
    window_until = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        scope="story",
                        story__isnull=False,
                        article__isnull=True,
                        source__isnull=True,
                    )
                    | Q(
                        scope="article",
                        story__isnull=True,
                        article__isnull=False,
                        source__isnull=True,
                    )
                    | Q(
                        scope="source",
                        story__isnull=True,
                        article__isnull=True,
                        source__isnull=False,
                    )
                    | Q(
                        scope="all",
                        story__isnull=True,
                        article__isnull=True,
                        source__isnull=True,
                    )
                ),
                name="subscription_scope_target",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["email", "webhook", "apprise", "in_app"]),
                name="subscription_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=["immediate", "hourly", "daily"]),
                name="subscription_mode_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["scope", "story"], name="subscription_story_idx"),
            models.Index(fields=["scope", "article"], name="subscription_article_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} on {self.describe_scope()}"

    def describe_scope(self) -> str:
        if self.scope == self.Scope.STORY:
            return f"story “{self.story}”"
        if self.scope == self.Scope.ARTICLE:
            return f"article “{self.article}”"
        if self.scope == self.Scope.SOURCE:
            return f"source “{self.source}”"
        return "all stories"

    @property
    def is_active(self) -> bool:
        paused_or_gone = self.unsubscribed_at or self.paused_at
        return self.is_confirmed and paused_or_gone is None

    def needs_confirmation(self) -> bool:
        """An email to an address other than its owner's own account address."""
        if self.channel != self.Channel.EMAIL or not self.target or not self.user_id:
            return False
        return self.target.strip().casefold() != (self.user.email or "").casefold()

    @property
    def email_address(self) -> str:
        if self.target:
            return self.target
        return self.user.email if self.user_id else ""


class DeliveryQuerySet(models.QuerySet):
    def unsent(self) -> "DeliveryQuerySet":
        return self.filter(sent_at=None, failed_at=None)


class Delivery(models.Model):
    """One change owed to one subscription; sent once, maybe with others."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    change = models.ForeignKey(
        Change, on_delete=models.CASCADE, related_name="deliveries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Not before: end of the coalescing window, the digest hour, or a retry backoff.
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=2000, blank=True)
    # The idempotency key of the message that carried it (shared by a coalesced batch).
    message_key = models.CharField(max_length=64, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "change"], name="delivery_once_per_change"
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="delivery_pending_idx",
                condition=Q(sent_at=None, failed_at=None),
            ),
            models.Index(
                fields=["subscription", "due_at"],
                name="delivery_sub_pending_idx",
                condition=Q(sent_at=None, failed_at=None),
            ),
        ]

    def __str__(self) -> str:
        return f"change {self.change_id} → subscription {self.subscription_id}"

    @property
    def status(self) -> str:
        if self.sent_at:
            return "sent"
        if self.failed_at:
            return "failed"
        if self.claimed_at:
            return "sending"
        return "retrying" if self.attempts else "pending"


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at=None)


class Notification(models.Model):
    """An in-app message: one coalesced alert, or a notice (e.g. an alert paused)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    key = models.CharField(
        max_length=80, unique=True, help_text="Idempotency key of the message."
    )
    title = models.CharField(max_length=500)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                name="notification_unread_idx",
                condition=Q(read_at=None),
            ),
        ]

    def __str__(self) -> str:
        return self.title
