"""Models, one module per area, re-exported: `from stories.models import Article`."""

from stories.models.core import (
    Article,
    ArticleQuerySet,
    Change,
    ChangeQuerySet,
    Source,
    Story,
    StoryQuerySet,
    Version,
    VersionQuerySet,
)

__all__ = [
    "Article",
    "ArticleQuerySet",
    "Change",
    "ChangeQuerySet",
    "Source",
    "Story",
    "StoryQuerySet",
    "Version",
    "VersionQuerySet",
]
