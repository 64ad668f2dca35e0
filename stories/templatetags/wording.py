"""How the dashboard words things: relative ages and figure kinds."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def ago(when: datetime | None) -> str:
    """ "just now", "4 minutes ago", "2 days ago" (never "0 minutes ago")."""
    if when is None:
        return ""
    if timezone.now() - when < timedelta(minutes=1):
        return "just now"
    return f"{timesince(when, depth=1)} ago"


@register.filter
def kind_label(kind: str) -> str:
    """A figure kind as a reader says it: "other_count" -> "other count"."""
    return str(kind).replace("_", " ")
