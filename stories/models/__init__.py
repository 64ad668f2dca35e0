"""Models, one module per area, re-exported: `from stories.models import Article`."""

from stories.models.alerts import (
    Delivery,
    DeliveryQuerySet,
    Notification,
    NotificationQuerySet,
    Subscription,
    SubscriptionQuerySet,
)
from stories.models.api import ApiToken, ApiTokenQuerySet
from stories.models.core import (
    Article,
    ArticleQuerySet,
    Change,
    ChangeDetails,
    ChangeQuerySet,
    Source,
    Story,
    StoryQuerySet,
    Version,
    VersionQuerySet,
)
from stories.models.discovery import (
    ArticleKey,
    Feed,
    FeedPoll,
    FeedPollQuerySet,
    FeedQuerySet,
    StoryMatch,
    StoryRule,
)

__all__ = [
    "ApiToken",
    "ApiTokenQuerySet",
    "Article",
    "ArticleKey",
    "ArticleQuerySet",
    "Change",
    "ChangeDetails",
    "ChangeQuerySet",
    "Feed",
    "FeedPoll",
    "FeedPollQuerySet",
    "FeedQuerySet",
    "Delivery",
    "DeliveryQuerySet",
    "Notification",
    "NotificationQuerySet",
    "Source",
    "Story",
    "StoryMatch",
    "StoryQuerySet",
    "StoryRule",
    "Subscription",
    "SubscriptionQuerySet",
    "Version",
    "VersionQuerySet",
]
