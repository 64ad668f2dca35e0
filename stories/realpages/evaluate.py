"""Run derived page pairs through the real fingerprint + extraction + comparison path
and score extraction against the expected content.

For a pair (before, after) this does what two checks of one article do: a full
extraction of `before` (first fetch), learning the fingerprint region from it, then
a check of `after`: the cheap path when the fingerprint is unchanged, the full path
otherwise. A change is *recorded* when the second check stores a new headline or text.
Independently, the full path is always run on `after` too, so a pair the fingerprint
hid although the full path would have recorded it is counted ("hid").
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import trafilatura

from stories import extraction, fingerprint
from stories.realpages.pairs import EDIT_KINDS, NOISE_KINDS, Page, Pair, derive_pairs

_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Outcome:
    """What the second check of a pair did."""

    kind: str
    page: str
    cheap_path: bool  # the fingerprint said unchanged
    text_changed: bool  # recorded: the stored text moved
    headline_changed: bool  # recorded: the stored headline moved
    full_would_record: bool  # the full path would store a change
    error: str = ""

    @property
    def recorded(self) -> bool:
        return self.text_changed or self.headline_changed

    @property
    def hid(self) -> bool:
        return self.cheap_path and self.full_would_record

    @property
    def detected(self) -> bool:
        """The change a reader expects for this kind was recorded."""
        if self.kind == "headline":
            return self.headline_changed
        return self.text_changed


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float


@dataclass
class Report:
    pages: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    ours: dict[str, Scores] = field(default_factory=dict)
    plain: dict[str, Scores] = field(default_factory=dict)
    skipped: Counter = field(default_factory=Counter)
    lost: list[tuple[str, str]] = field(default_factory=list)  # (page, why)


def tokens(text: str) -> Counter:
    return Counter(_TOKEN.findall(text.casefold()))


def score_tokens(found: str, expected: str) -> Scores:
    got, want = tokens(found), tokens(expected)
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return Scores(precision, recall, f1)


def _extract(html: str) -> extraction.Extracted | None:
    try:
        return extraction.extract_article(html)
    except extraction.ExtractionError:
        return None


def _plain(html: str) -> str:
    try:
        return trafilatura.extract(html) or ""
    except Exception:  # noqa: BLE001 - a baseline, scored as empty when it fails
        return ""


def run_pair(pair: Pair, first: extraction.Extracted | None) -> Outcome:
    """Two checks of one article: `before` (full) then `after` (cheap or full)."""
    if first is None:
        return Outcome(pair.kind, pair.page, False, False, False, False, "lost")
    # As fastpath.learn_region and fastpath.region_unchanged do.
    region = fingerprint.locate_region(pair.before, first.text)
    cheap = False
    if region is not None:
        after = fingerprint.fingerprint(pair.after, region.selector, region.skip)
        cheap = after == region.fingerprint
    second = _extract(pair.after)
    if second is None:
        # The full path records a failure and keeps the old version: nothing stored.
        return Outcome(pair.kind, pair.page, cheap, False, False, False, "lost")
    text_moved = second.text != first.text
    title_moved = second.title != first.title
    would = text_moved or title_moved
    if cheap:
        return Outcome(pair.kind, pair.page, True, False, False, would)
    return Outcome(pair.kind, pair.page, False, text_moved, title_moved, would)


def evaluate(pages: Iterable[Page], progress=None) -> Report:
    """Score every page: extraction vs expected (ours and plain trafilatura), and
    every derived pair through the check path."""
    report = Report()
    pages = list(pages)
    started = time.monotonic()
    for number, page in enumerate(pages, 1):
        report.pages += 1
        ours = _extract(page.source)
        if ours is None:
            report.lost.append((page.name, "no article text extracted"))
        report.ours[page.name] = score_tokens(
            ours.text if ours else "", page.expected_text
        )
        report.plain[page.name] = score_tokens(_plain(page.source), page.expected_text)
        pairs, skipped = derive_pairs(page)
        report.skipped.update(skipped)
        firsts: dict[str, extraction.Extracted | None] = {}
        for pair in pairs:
            if pair.before not in firsts:
                firsts[pair.before] = _extract(pair.before)
            report.outcomes.append(run_pair(pair, firsts[pair.before]))
        if progress is not None:
            progress(number, len(pages), page.name, time.monotonic() - started)
    return report


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _extraction_table(report: Report) -> list[str]:
    lines = [
        "Extraction, token scores against the expected content (mean per page)",
        f"  {'extractor':<24} {'P':>6} {'R':>6} {'F1':>6} {'empty':>6}",
    ]
    for label, scores in (("ours", report.ours), ("plain trafilatura", report.plain)):
        values = list(scores.values())
        empty = sum(1 for s in values if s.recall == 0.0)
        lines.append(
            f"  {label:<24} {_mean([s.precision for s in values]):6.3f} "
            f"{_mean([s.recall for s in values]):6.3f} "
            f"{_mean([s.f1 for s in values]):6.3f} {empty:6d}"
        )
    return lines


def _detection_table(report: Report) -> list[str]:
    lines = [
        "Change detection per pair type (second check of a derived pair)",
        f"  {'pair':<16} {'n':>4} {'recorded':>9} {'rate':>6} {'text':>5} "
        f"{'head':>5} {'cheap':>6} {'hid':>4} {'lost':>5}",
    ]
    for kind in (*EDIT_KINDS, *NOISE_KINDS):
        rows = [o for o in report.outcomes if o.kind == kind]
        hits = sum(o.detected if kind in EDIT_KINDS else o.recorded for o in rows)
        rate = hits / len(rows) if rows else 0.0
        lines.append(
            f"  {kind:<16} {len(rows):4d} {hits:9d} {rate:6.3f} "
            f"{sum(o.text_changed for o in rows):5d} "
            f"{sum(o.headline_changed for o in rows):5d} "
            f"{sum(o.cheap_path for o in rows):6d} {sum(o.hid for o in rows):4d} "
            f"{sum(o.error == 'lost' for o in rows):5d}"
        )
    lines.append(
        "  (edits: rate = share recorded as the expected kind; noise: rate = share "
        "recorded as any change)"
    )
    hid = [o for o in report.outcomes if o.hid]
    lines.append(f"  fingerprint hid a change the full path would record: {len(hid)}")
    headline = [o for o in report.outcomes if o.kind == "headline"]
    lines.append(
        "  headline edits that also recorded a text change: "
        f"{sum(o.text_changed for o in headline)} of {len(headline)}"
    )
    if report.skipped:
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(report.skipped.items()))
        lines.append(f"  pairs not derivable (page lacks it): {skipped}")
    return lines


def format_report(report: Report, verbose: bool = False) -> list[str]:
    lines = [f"Real pages: {report.pages}", ""]
    lines.extend(_extraction_table(report))
    lines.append("")
    lines.extend(_detection_table(report))
    lines.extend(_failures(report, verbose))
    return lines


def _failures(report: Report, verbose: bool) -> list[str]:
    lines = ["", "Pages that fail"]
    for name, why in report.lost:
        lines.append(f"  {name}: {why}")
    for o in report.outcomes:
        if o.kind in EDIT_KINDS and not o.detected:
            why = (
                "lost (no text)"
                if o.error
                else ("fingerprint hid it" if o.hid else "not in the extracted text")
            )
            lines.append(f"  {o.page}: {o.kind} edit not recorded ({why})")
        elif o.kind in NOISE_KINDS and o.recorded:
            what = "text" if o.text_changed else "headline"
            lines.append(f"  {o.page}: {o.kind} noise recorded as a {what} change")
        elif o.kind == "headline" and o.text_changed:
            lines.append(f"  {o.page}: headline edit also recorded a text change")
    if verbose:
        lines.append("")
        lines.append("Extraction F1 per page (ours / plain trafilatura)")
        for name, scores in report.ours.items():
            lines.append(
                f"  {name:<48} {scores.f1:5.3f} / {report.plain[name].f1:5.3f}"
            )
    return lines


def print_progress(number: int, total: int, name: str, elapsed: float) -> None:
    if number % 10 == 0 or number == total:
        sys.stderr.write(f"  {number}/{total} pages ({elapsed:.0f} s) {name}\n")
