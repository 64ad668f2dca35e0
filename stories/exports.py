"""A story's changes and figure series as tables: rows for JSON, and safe CSV.

Figure series come from the story's figure changes: one series per (kind,
claimant), one point per new value, oldest first — the numbers behind the story
page's charts.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, QuerySet

from stories.models import Change, Story

CHANGE_COLUMNS = (
    "id",
    "detected_at",
    "kind",
    "significance",
    "article_id",
    "article_url",
    "outlet",
    "from_version",
    "to_version",
    "words_added",
    "words_removed",
    "summary",
    "details",
)
FIGURE_COLUMNS = (
    "kind",
    "claimant",
    "at",
    "value",
    "qualifier",
    "previous",
    "outlet",
    "article_id",
    "change_id",
    "from_version",
    "to_version",
)
UNATTRIBUTED = "unattributed"
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def story_changes(story: Story) -> QuerySet:
    return story_changes_query(Change.objects.filter(article__stories=story))


def story_changes_query(changes: QuerySet) -> QuerySet:
    """Changes as rows (dicts, no model instances: lists of thousands stay cheap)
    with what a row shows: article URL, outlet, version numbers."""
    return changes.order_by("detected_at", "id").values(
        "id",
        "detected_at",
        "kind",
        "significance",
        "article_id",
        "words_added",
        "words_removed",
        "summary",
        "details",
        article_url=F("article__url"),
        outlet=F("article__source__name"),
        from_number=F("from_version__number"),
        to_number=F("to_version__number"),
    )


def change_row(change: dict[str, Any]) -> dict[str, Any]:
    """One change as plain data (shared by the API, JSON and CSV)."""
    return {
        "id": change["id"],
        "detected_at": change["detected_at"],
        "kind": change["kind"],
        "significance": change["significance"],
        "article_id": change["article_id"],
        "article_url": change["article_url"],
        "outlet": change["outlet"] or "",
        "from_version": change["from_number"],
        "to_version": change["to_number"],
        "words_added": change["words_added"],
        "words_removed": change["words_removed"],
        "summary": change["summary"],
        "details": change["details"] or {},
    }


def change_rows(story: Story) -> list[dict[str, Any]]:
    return [change_row(change) for change in story_changes(story).iterator(500)]


def figure_series(story: Story) -> list[dict[str, Any]]:
    """[{kind, claimant, points: [{at, value, qualifier, previous, ...}]}], sorted."""
    series: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for change in story_changes(story).filter(kind=Change.Kind.FIGURE):
        for delta in Change.deltas_in(change["details"]):
            if delta.get("new") is None:
                continue  # a figure that disappeared has no value to plot
            claimant = delta.get("attributed_to") or UNATTRIBUTED
            series[(delta["kind"], claimant)].append(
                {
                    "at": change["detected_at"],
                    "value": delta["new"],
                    "qualifier": delta.get("new_qualifier") or "",
                    "previous": delta.get("old"),
                    "outlet": change["outlet"] or "",
                    "article_id": change["article_id"],
                    "change_id": change["id"],
                    "from_version": change["from_number"],
                    "to_version": change["to_number"],
                }
            )
    return [
        {"kind": kind, "claimant": claimant, "points": points}
        for (kind, claimant), points in sorted(series.items())
    ]


def figure_rows(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"kind": line["kind"], "claimant": line["claimant"], **point}
        for line in series
        for point in line["points"]
    ]


def safe_cell(value: Any) -> Any:
    """A cell no spreadsheet will run: text starting like a formula gets a quote."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(_plain(row.get(column))) for column in columns])
    return out.getvalue()


class PreciseJSONEncoder(DjangoJSONEncoder):
    """Datetimes to the microsecond (Django's encoder cuts them to milliseconds),
    so a time read from one answer can be sent back as `since=` exactly."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def to_json(data: Any) -> str:
    return json.dumps(data, cls=PreciseJSONEncoder, ensure_ascii=False, indent=1)


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else value
