"""Server-side chart geometry: numbers in, SVG coordinates out.

Pure: no Django, no I/O. Templates draw the SVG (and escape every label); this
module only decides where things go.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

# Colour-blind-safe (Okabe-Ito), readable on white.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000")
WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 12, 28


@dataclass(frozen=True)
class FigurePoint:
    """One figure change as the chart needs it: a value before and after."""

    kind: str
    claimant: str
    at: datetime
    old_at: datetime | None
    old: int | None
    new: int | None
    label: str
    href: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int
    at: datetime
    label: str
    href: str


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    points: tuple[Point, ...]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    kind: str
    series: tuple[Series, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM


# A phone draws the same chart on a narrower canvas, so its 11 px labels are not
# scaled down below legibility (a 640-wide canvas on a 320 px screen halves them).
COMPACT_WIDTH, COMPACT_HEIGHT = 360, 220


def figure_charts(
    points: Sequence[FigurePoint], width: int = WIDTH, height: int = HEIGHT
) -> list[Chart]:
    """One chart per figure kind, one line per claimant, on a shared time axis."""
    values = _lines(points)
    times = [
        at for lines in values.values() for line in lines.values() for at, *_ in line
    ]
    if not times:
        return []
    start, end = min(times), max(times)
    span = max((end - start).total_seconds(), 1.0)

    def x_of(at: datetime) -> float:
        return LEFT + (at - start).total_seconds() / span * (width - LEFT - RIGHT)

    x_ticks = tuple(
        Tick(x_of(at), f"{at:%d %b %H:%M}")
        for at in ([start, start + (end - start) / 2, end] if end > start else [start])
    )
    result = []
    for kind in sorted(values):
        lines = values[kind]
        top = _nice_ceiling(max(v for line in lines.values() for _, v, *_ in line))

        def y_of(value: int, top: int = top) -> float:
            return height - BOTTOM - value / top * (height - TOP - BOTTOM)

        series = tuple(
            Series(
                name=claimant,
                color=PALETTE[n % len(PALETTE)],
                points=tuple(
                    Point(x_of(at), y_of(value), value, at, label, href)
                    for at, value, label, href in line
                ),
            )
            for n, (claimant, line) in enumerate(sorted(lines.items()))
            if line
        )
        y_ticks = tuple(Tick(y_of(value), f"{value:,}") for value in _ticks(top))
        result.append(
            Chart(
                kind,
                series,
                y_ticks,
                x_ticks,
                width=width,
                height=height,
                right_edge=width - RIGHT,
                bottom_edge=height - BOTTOM,
            )
        )
    return result


def _lines(
    points: Sequence[FigurePoint],
) -> dict[str, dict[str, list[tuple[datetime, int, str, str]]]]:
    """kind -> claimant -> (time, value, label, link), oldest first."""
    values: dict[str, dict[str, list[tuple[datetime, int, str, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for point in sorted(points, key=lambda p: p.at):
        line = values[point.kind][point.claimant]
        if not line and point.old is not None:
            line.append((point.old_at or point.at, point.old, point.label, point.href))
        # A point marks a new value; repeating the same value adds nothing.
        if point.new is not None and (not line or line[-1][1] != point.new):
            line.append((point.at, point.new, point.label, point.href))
    return values


def sparkline(counts: Sequence[int], width: int = 120, height: int = 24) -> str:
    """SVG polyline points for a row of counts (e.g. changes per day)."""
    if not counts:
        return ""
    top = max(max(counts), 1)
    step = width / max(len(counts) - 1, 1)
    return " ".join(
        f"{n * step:.1f},{height - 2 - count / top * (height - 4):.1f}"
        for n, count in enumerate(counts)
    )


def _nice_ceiling(value: int) -> int:
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude) or 1
    return value


def _ticks(top: int) -> list[int]:
    return sorted({0, top // 2, top}) if top >= 2 else [0, top]
