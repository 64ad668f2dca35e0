"""Query-string forms for the dashboard: input validation only, no business rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django import forms
from django.utils.dateparse import parse_datetime

from stories import intelligence
from stories.models import Change

# Dates a timeline can hold, with room for any time zone's local time on either side.
MIN_YEAR, MAX_YEAR = 1900, 9000
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Cursor:
    """A position in a timeline ordered by (detected_at, id)."""

    detected_at: datetime
    change_id: int

    def __str__(self) -> str:
        return f"{self.detected_at.isoformat()}~{self.change_id}"

    @classmethod
    def parse(cls, value: str) -> Cursor | None:
        """The cursor a string spells, or None: also for a valid-looking date that
        does not exist, one that leaves datetime's range in UTC or local time
        (9999-12-31T23:59:59-14:00), or an id past the database's integers."""
        when, _, pk = value.partition("~")
        try:
            moment = parse_datetime(when.replace(" ", "+"))
        except ValueError:
            return None
        if moment is None or moment.tzinfo is None or not pk.isascii():
            return None
        if not pk.isdigit() or int(pk) > MAX_ID:
            return None
        try:
            if not MIN_YEAR <= moment.astimezone(UTC).year <= MAX_YEAR:
                return None
        except OverflowError:
            return None
        return cls(moment, int(pk))


class CursorField(forms.CharField):
    def to_python(self, value: str | None) -> Cursor | None:
        value = super().to_python(value)
        if not value:
            return None
        cursor = Cursor.parse(value)
        if cursor is None:
            raise forms.ValidationError("Not a timeline position.")
        return cursor


class StorySearchForm(forms.Form):
    q = forms.CharField(
        label="Search stories and articles", required=False, max_length=200
    )
    # The list's state when the page was drawn (dashboard.story_list_marker).
    since = forms.CharField(required=False, max_length=64)


def _significance_choices() -> list[tuple[str, str]]:
    """ "Notable and up", "Major": each level above minor, lowest first."""
    top = intelligence.SIGNIFICANCE_LEVELS[0]
    return [
        (level.name, level.label if level is top else f"{level.label} and up")
        for level in reversed(intelligence.SIGNIFICANCE_LEVELS)
        if level.threshold > 0
    ]


class TimelineFilterForm(forms.Form):
    """Filters of the story timeline; every field is optional and shareable."""

    # Thresholds on Change.significance, from intelligence.SIGNIFICANCE_LEVELS.
    # Removal and restoration always count.
    SIGNIFICANCE_AT_LEAST = {
        level.name: level.threshold
        for level in intelligence.SIGNIFICANCE_LEVELS
        if level.threshold > 0
    }
    ALWAYS_SIGNIFICANT = (Change.Kind.REMOVED, Change.Kind.RESTORED)

    kind = forms.MultipleChoiceField(
        label="Kind",
        choices=Change.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    source = forms.TypedChoiceField(
        label="Outlet", coerce=int, required=False, empty_value=None
    )
    significance = forms.ChoiceField(
        label="Significance",
        required=False,
        choices=[("", "Any change"), *_significance_choices()],
        widget=forms.Select(attrs={"aria-describedby": "significance-help"}),
    )
    # Shown under the filter: what each level means, in the editor's words.
    significance_levels = intelligence.SIGNIFICANCE_LEVELS
    before = CursorField(required=False, widget=forms.HiddenInput)
    after = CursorField(required=False, widget=forms.HiddenInput)
    # The newest check of the story's articles the open page shows.
    checked = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, sources=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "All outlets")] + [
            (source.pk, source.name) for source in sources
        ]

    def filter_values(self) -> dict[str, object]:
        """The cleaned filters (without cursors), or none if the input is bad."""
        if not self.is_valid():
            return {"kind": [], "source": None, "significance": ""}
        return {
            "kind": self.cleaned_data["kind"],
            "source": self.cleaned_data["source"],
            "significance": self.cleaned_data["significance"],
        }


class VersionPairForm(forms.Form):
    """Which two versions of an article to compare, by version number."""

    old = forms.IntegerField(label="From version", required=False, min_value=1)
    new = forms.IntegerField(label="To version", required=False, min_value=1)
    view = forms.ChoiceField(
        label="Layout",
        required=False,
        choices=[("inline", "Inline"), ("split", "Side by side")],
    )
