"""Disagreements between sources: figure claims of one story from several
outlets whose values cannot both be right.

Only each outlet's current claim per kind takes part: the first current mention
of the kind in the outlet's most recently fetched article. Older totals a live
blog still quotes further down, superseded and background figures never do, so
one outlet's history is not paired with another's present.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from stories import describe, figures

# Two claims disagree when the value intervals their qualifiers imply stay
# apart by more than a margin: max(ABSOLUTE_MARGIN, RELATIVE_MARGIN x the
# larger of the two facing bounds). A newer claim above an older one may also
# be up to GROWTH_TOLERANCE higher than the older claim's top: tolls rise.
ABSOLUTE_MARGIN = 2
RELATIVE_MARGIN = 0.05
GROWTH_TOLERANCE = 0.25

# (low factor, high factor) applied to the stated value; None is unbounded.
INTERVALS: dict[str, tuple[float, float | None]] = {
    "exact": (1.0, 1.0),
    "at_least": (1.0, None),
    "more_than": (1.0, None),
    "nearly": (0.9, 1.0),
    "about": (0.85, 1.15),
    "up_to": (0.0, 1.0),
    "fewer_than": (0.0, 1.0),
}
# Vague quantities ("tientallen", "hundreds"): from 2 to 10 times the magnitude.
VAGUE_INTERVAL = (2, 10)


@dataclass(frozen=True)
class FigureClaim:
    """One current figure as one article states it."""

    outlet: str
    article_id: int | str
    claimant: str | None
    claimed_at: datetime
    figure: figures.Figure

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return {
            "outlet": self.outlet,
            "article_id": self.article_id,
            "claimant": self.claimant,
            "claimed_at": self.claimed_at.isoformat(),
            "figure": self.figure.to_dict(),
        }


@dataclass(frozen=True)
class Disagreement:
    """Two claims of one kind from different articles that can't both hold."""

    kind: str
    older: FigureClaim
    newer: FigureClaim
    older_interval: tuple[float, float] = field(default=(0.0, 0.0))
    newer_interval: tuple[float, float] = field(default=(0.0, 0.0))

    def describe(self) -> str:
        """One line: both claims with outlet and claimant."""

        def one(c: FigureClaim) -> str:
            value = describe.amount(c.figure.value, c.figure.qualifier)
            per = f", per {c.claimant}" if c.claimant else ""
            return f"{value} ({c.outlet}{per})"

        return f"{self.kind}: {one(self.older)} vs {one(self.newer)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict (an open upper bound is null)."""

        def bounds(b: tuple[float, float]) -> list[float | None]:
            return [b[0], None if math.isinf(b[1]) else b[1]]

        return {
            "kind": self.kind,
            "older": self.older.to_dict(),
            "newer": self.newer.to_dict(),
            "older_interval": bounds(self.older_interval),
            "newer_interval": bounds(self.newer_interval),
            "summary": self.describe(),
        }


def current_claims(claims: Iterable[FigureClaim]) -> list[FigureClaim]:
    """Each outlet's current claim per kind; claims come in text order per article."""
    held: dict[tuple[str, str], FigureClaim] = {}
    for c in claims:
        if not c.figure.is_current:
            continue
        key = (c.outlet, c.figure.kind)
        if key not in held or c.claimed_at > held[key].claimed_at:
            held[key] = c
    return list(held.values())


def find_disagreements(claims: Iterable[FigureClaim]) -> list[Disagreement]:
    """Pairs of current claims (current_claims) of the same kind from different
    outlets whose implied value intervals (INTERVALS) don't overlap, even
    allowing the margin and, for a newer claim above an older one,
    GROWTH_TOLERANCE; oldest pair first."""
    usable = [
        (c, interval)
        for c in current_claims(claims)
        if (interval := figure_interval(c.figure))
    ]
    usable.sort(key=lambda x: (x[0].claimed_at, str(x[0].article_id)))
    out = []
    for n, (a, a_range) in enumerate(usable):
        for b, b_range in usable[n + 1 :]:
            if a.figure.kind != b.figure.kind or a.outlet == b.outlet:
                continue
            if _incompatible(a_range, b_range, later=b.claimed_at > a.claimed_at):
                out.append(Disagreement(a.figure.kind, a, b, a_range, b_range))
    return out


def figure_interval(figure: figures.Figure) -> tuple[float, float] | None:
    """The values a figure's qualifier allows, as (low, high); high may be inf."""
    if figure.qualifier == "range" and figure.low is not None:
        high = figure.high if figure.high is not None else figure.low
        return float(figure.low), float(high)
    if figure.value is None:
        if figure.magnitude:
            low, high = VAGUE_INTERVAL
            return float(low * figure.magnitude), float(high * figure.magnitude)
        return None
    low_factor, high_factor = INTERVALS.get(figure.qualifier, (1.0, 1.0))
    high = math.inf if high_factor is None else figure.value * high_factor
    return figure.value * low_factor, high


def _incompatible(
    older: tuple[float, float], newer: tuple[float, float], later: bool
) -> bool:
    if newer[0] > older[1]:
        low, high = older[1], newer[0]
        if later:
            low *= 1 + GROWTH_TOLERANCE
    elif older[0] > newer[1]:
        low, high = newer[1], older[0]
    else:
        return False
    margin = max(ABSOLUTE_MARGIN, RELATIVE_MARGIN * high)
    return high - low > margin
