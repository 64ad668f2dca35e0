"""Presentation helpers for the dashboard templates; no business rules here."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django import template
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from stories import charts, describe, figures, intelligence

register = template.Library()

_PARAGRAPH_BREAK = re.compile(r"\n+")


@dataclass(frozen=True)
class DiffBlock:
    """One paragraph of a diff: its ops, and whether any of them is an edit."""

    ops: tuple[tuple[str, str], ...]

    @property
    def is_changed(self) -> bool:
        return any(op != "equal" for op, _ in self.ops)


@dataclass(frozen=True)
class DiffRun:
    """Consecutive blocks shown together; unchanged runs are collapsed."""

    blocks: tuple[DiffBlock, ...]
    is_collapsed: bool


@register.filter
def figure_deltas(change) -> list[str]:
    """Readable lines for a figure change: "killed: 32 → 200 (per Armenia)"."""
    return describe.figure_deltas(change.figure_deltas())


@register.filter
def figure_value(figure: figures.Figure) -> str:
    """ "nearly 100", "2,300", "40–50" for a Figure."""
    return describe.amount(
        figure.value,
        figure.qualifier,
        low=figure.low,
        high=figure.high,
        unknown="some",
    )


@register.filter
def diff_runs(ops: Iterable[Sequence[str]]) -> list[DiffRun]:
    """Split word ops into paragraphs; runs of unchanged paragraphs fold together.

    Paragraphs break only inside equal text, so both sides of a side-by-side view
    stay aligned; a break inside an insertion stays within its paragraph.
    """
    blocks: list[list[tuple[str, str]]] = [[]]
    for op, text in ops:
        if op != "equal":
            blocks[-1].append((op, text))
            continue
        for n, part in enumerate(_PARAGRAPH_BREAK.split(text)):
            if n:
                blocks.append([])
            if part:
                blocks[-1].append((op, part))
    runs: list[DiffRun] = []
    pending: list[DiffBlock] = []

    def flush() -> None:
        # A lone unchanged paragraph stays visible as context; longer runs fold.
        if pending:
            runs.append(DiffRun(tuple(pending), is_collapsed=len(pending) > 1))
            pending.clear()

    for block in (DiffBlock(tuple(ops)) for ops in blocks if ops):
        if block.is_changed:
            flush()
            runs.append(DiffRun((block,), is_collapsed=False))
        else:
            pending.append(block)
    flush()
    return runs


# Charts have hundreds of points on a busy story; drawing them with template loops
# cost ~25 µs a point, so the two repeated parts are built here (escaped by
# format_html) and the template keeps the frame, axes and legend.


@register.simple_tag
def chart_points(series: charts.Series) -> SafeString:
    """The <circle>s of one series: drawn, not focusable (the chart is one image;
    its data table carries the links)."""
    return format_html_join(
        "",
        '<circle class="point" cx="{}" cy="{}" r="5" fill="{}"><title>{}</title>'
        "</circle>",
        ((f"{p.x:.1f}", f"{p.y:.1f}", series.color, p.label) for p in series.points),
    )


@register.simple_tag
def chart_rows(chart: charts.Chart) -> SafeString:
    """The rows of the chart's data table, series by series."""
    return format_html_join(
        "",
        '<tr><td><time datetime="{}">{}</time></td><td>{}</td><td>{}</td>'
        '<td><a href="{}">{}</a></td></tr>',
        (
            (
                p.at.isoformat(),
                timezone.localtime(p.at).strftime("%Y-%m-%d %H:%M"),
                series.name,
                p.value,
                p.href,
                p.label,
            )
            for series in chart.series
            for p in series.points
        ),
    )


@register.filter
def significance_level(score: float | None) -> str:
    """The level name ("major", "notable", "minor") of a Change.significance."""
    return intelligence.significance_level(score or 0.0).name
