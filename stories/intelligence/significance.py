"""Significance: how much one change matters, 0-1, from what changed, and the
levels (major, notable, minor) editors filter the timeline by.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from stories import diffing, figures
from stories import text as textlib
from stories.intelligence import corrections, edits, rules, wording


@dataclass(frozen=True)
class SignificanceLevel:
    """A named band of significance scores, worded for the people who filter
    a timeline by it."""

    name: str  # stored in filter URLs
    label: str
    description: str
    threshold: float  # the lowest score of the level


# From the top down; a change belongs to the first level whose threshold its
# score reaches.
SIGNIFICANCE_LEVELS: tuple[SignificanceLevel, ...] = (
    SignificanceLevel(
        "major",
        "Major",
        "What the story reports changed: a casualty figure revised, added or "
        "removed, a correction, or most of the text rewritten.",
        0.7,
    ),
    SignificanceLevel(
        "notable",
        "Notable",
        "Worth a look: the headline reworded, a paragraph or sentence added or "
        "cut, the lede, a quote or a number changed, an update note, another "
        "figure changed.",
        0.3,
    ),
    SignificanceLevel(
        "minor",
        "Minor",
        "Form only: typos, punctuation, a word or two of wording, text moved or "
        "split into paragraphs.",
        0.0,
    ),
)

# Each thing that changed scores a weight inside its level's band; an edited
# sentence takes the highest weight that applies to it. A change is as
# significant as the strongest thing in it: more changes of that level raise
# its score, 1 - prod(1 - weight), but never into the level above.
WEIGHTS: dict[str, float] = {
    # major
    "correction": 0.9,  # a correction note was added
    "casualty": 0.8,  # per killed/injured/missing figure revised, added, removed
    "rewrite": 0.75,  # half or more of the old sentences deleted or reworded
    # notable
    "figure": 0.6,  # per other figure revised, added or removed
    "headline": 0.55,  # headline reworded
    "update": 0.5,  # an update note was added
    "lede": 0.5,  # first paragraph reworded, or a sentence added to / cut from it
    "quote": 0.45,  # a sentence with quotation marks or an attribution changed
    "number": 0.4,  # a number changed that is not a figure
    "paragraph": 0.35,  # a paragraph added or removed
    "sentence": 0.3,  # a sentence added, deleted or reworded
    # minor
    "wording": 0.15,  # up to WORDING_FIX_WORDS words replaced in a sentence
    "move": 0.1,  # a sentence or paragraph moved
    "headline_minor": 0.1,  # a typo or punctuation fix in the headline
    "typo": 0.05,  # a small edit within a word
    "punctuation": 0.02,
    "reflow": 0.02,  # a paragraph split or merged
    "whitespace": 0.0,
}
CASUALTY_KINDS = frozenset({"killed", "injured", "missing"})
# A sentence edit that swaps at most this many words on either side, outside
# quotes, the lede and numbers, is a wording fix.
WORDING_FIX_WORDS = 2
# Share of the old text's sentences deleted or reworded that makes a rewrite.
REWRITE_SHARE = 0.5
REWRITE_MIN_SENTENCES = 4

# An edit within this many words of an attribution cue ("said", "volgens")
# changes what someone is reported to have said.
ATTRIBUTION_REACH = 3
_ALL_CUES = frozenset().union(*rules.ATTRIBUTION_CUES.values())
_QUOTED = re.compile(
    r'"[^"]*"|\u00ab[^\u00bb]*\u00bb|\u201e[^\u201c\u201d"]*[\u201c\u201d"]'
)


def score_significance(
    report: edits.EditReport,
    *,
    old_headline: str = "",
    new_headline: str = "",
    figure_deltas: Sequence[figures.FigureDelta] = (),
    correction: corrections.Correction | None = None,
    lang: str = "",
) -> float:
    """Significance 0-1 of one change: the WEIGHTS of what changed, combined as
    1 - prod(1 - w) but kept below the threshold of the level above the
    strongest one (SIGNIFICANCE_LEVELS). A typo fix scores 0.05, a reworded
    headline 0.55, a casualty revision 0.8 or more, a whitespace change 0."""
    weights = [_edit_weight(edit, lang) for edit in report.edits]
    weights.append(_headline_weight(old_headline, new_headline))
    weights.extend(_figure_weight(delta) for delta in figure_deltas)
    if correction is not None:
        weights.append(WEIGHTS[correction.kind])
    if _is_rewrite(report, lang):
        weights.append(WEIGHTS["rewrite"])
    strongest = max(weights)
    ceiling = min(
        (
            level.threshold
            for level in SIGNIFICANCE_LEVELS
            if level.threshold > strongest
        ),
        default=1.0 + _STEP,
    )
    combined = 1.0 - math.prod(1.0 - w for w in weights)
    return round(max(min(combined, ceiling - _STEP), 0.0), 3)


def significance_level(score: float) -> SignificanceLevel:
    """The level a significance score falls in."""
    return next(
        (level for level in SIGNIFICANCE_LEVELS if score >= level.threshold),
        SIGNIFICANCE_LEVELS[-1],
    )


_STEP = 0.001  # scores are rounded to three decimals


def _figure_weight(delta: figures.FigureDelta) -> float:
    return WEIGHTS["casualty" if delta.kind in CASUALTY_KINDS else "figure"]


def _is_rewrite(report: edits.EditReport, lang: str) -> bool:
    """Half or more of the old text's sentences deleted or reworded."""
    if report.old_sentences < REWRITE_MIN_SENTENCES:
        return False
    gone = 0
    for edit in report.edits:
        if edit.kind == edits.PARAGRAPH_REMOVED and edit.old_text:
            gone += len(textlib.split_sentences(edit.old_text, lang))
        elif edit.kind == edits.DELETED or (
            edit.kind in (edits.EDITED, edits.MOVED) and edit.nature == wording.WORDING
        ):
            gone += 1
    return gone >= REWRITE_SHARE * report.old_sentences


def _edit_weight(edit: edits.SentenceEdit, lang: str) -> float:
    if edit.kind in (edits.PARAGRAPH_SPLIT, edits.PARAGRAPH_MERGED):
        return WEIGHTS["reflow"]
    if edit.kind == edits.PARAGRAPH_MOVED or (
        edit.kind == edits.MOVED and not edit.ops
    ):
        return WEIGHTS["move"]
    if edit.kind in (edits.EDITED, edits.MOVED) and edit.nature in (
        wording.WHITESPACE,
        wording.PUNCTUATION,
        wording.TYPO,
    ):
        return WEIGHTS[edit.nature]
    if _is_wording_fix(edit, lang):
        return WEIGHTS["wording"]
    base = (
        "paragraph"
        if edit.kind in (edits.PARAGRAPH_ADDED, edits.PARAGRAPH_REMOVED)
        else ("number" if edit.nature == wording.NUMBER else "sentence")
    )
    candidates = [WEIGHTS[base], WEIGHTS["sentence"]]
    if 0 in (edit.old_paragraph, edit.new_paragraph):
        candidates.append(WEIGHTS["lede"])
    if _touches_quote(edit, lang):
        candidates.append(WEIGHTS["quote"])
    return max(candidates)


def _is_wording_fix(edit: edits.SentenceEdit, lang: str) -> bool:
    """A few words swapped in a sentence outside the lede and any quote."""
    if edit.nature != wording.WORDING or 0 in (edit.old_paragraph, edit.new_paragraph):
        return False
    for op in (diffing.DELETE, diffing.INSERT):
        changed = " ".join(text for o, text in edit.ops if o == op)
        if len(textlib.WORD.findall(changed)) > WORDING_FIX_WORDS:
            return False
    return not _touches_quote(edit, lang)


def _touches_quote(edit: edits.SentenceEdit, lang: str) -> bool:
    """An added or deleted sentence with a quote or an attribution, or an edit
    inside quotation marks or within ATTRIBUTION_REACH words of a cue word."""
    cues = rules.ATTRIBUTION_CUES.get(lang) or _ALL_CUES
    if not edit.ops:
        return any(
            _has_quote_or_cue(text, cues) for text in (edit.old_text, edit.new_text)
        )
    sides = ((diffing.DELETE, edit.old_text), (diffing.INSERT, edit.new_text))
    return any(
        _changes_quote(text, _changed_spans(edit.ops, side), cues)
        for side, text in sides
        if text
    )


def _changes_quote(
    text: str, changed: list[tuple[int, int]], cues: frozenset[str]
) -> bool:
    """Whether a changed span of text overlaps a quotation or lies within
    ATTRIBUTION_REACH words of a cue word."""

    def overlaps(start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in changed)

    if any(overlaps(*span) for span in _quoted_spans(text)):
        return True
    words = list(textlib.WORD.finditer(text))
    hit = [n for n, w in enumerate(words) if overlaps(w.start(), w.end())]
    near = [n for n, w in enumerate(words) if w.group().lower() in cues]
    return any(abs(h - c) <= ATTRIBUTION_REACH for h in hit for c in near)


def _has_quote_or_cue(text: str | None, cues: frozenset[str]) -> bool:
    if not text:
        return False
    if any(ch in rules.QUOTE_MARKS for ch in text):
        return True
    return any(w in cues for w in textlib.WORD.findall(text.lower()))


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _QUOTED.finditer(text)]


def _changed_spans(ops: Sequence[tuple[str, str]], side: str) -> list[tuple[int, int]]:
    """Character ranges of one side's text (old for DELETE, new for INSERT) that
    the ops change; an empty range marks a point where the other side changed."""
    spans, pos = [], 0
    for op, text in ops:
        if op == diffing.EQUAL:
            pos += len(text)
        elif op == side:
            spans.append((pos, pos + len(text)))
            pos += len(text)
        else:
            spans.append((pos - 1, pos + 1))
    return spans


def _headline_weight(old: str, new: str) -> float:
    old, new = " ".join(old.split()), " ".join(new.split())
    if old == new:
        return 0.0
    if not old or not new:
        return WEIGHTS["headline"]
    nature = wording.word_diff_nature(diffing.diff_texts(old, new).ops)
    if nature in (wording.WHITESPACE, wording.PUNCTUATION, wording.TYPO):
        return WEIGHTS["headline_minor"]
    return WEIGHTS["headline"]
