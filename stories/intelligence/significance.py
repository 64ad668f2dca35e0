"""Significance: how much one change matters, 0-1, from what changed.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from stories import diffing, figures
from stories import text as textlib
from stories.intelligence import corrections, edits, rules, wording

# Each thing that changed scores a weight; a change's significance is the
# chance that at least one of them matters, 1 - prod(1 - weight), so it stays
# in 0..1, grows with every extra edit and is dominated by the strongest one.
# An edited sentence takes the highest weight that applies to it, not a sum.
WEIGHTS: dict[str, float] = {
    "correction": 0.9,  # a correction note was added
    "headline": 0.8,  # headline reworded
    "figure": 0.7,  # per figure revised, added or removed (FigureDelta)
    "update": 0.6,  # an update note was added
    "lede": 0.6,  # first paragraph reworded, or a sentence added to / cut from it
    "quote": 0.5,  # a sentence with quotation marks or an attribution changed
    "number": 0.4,  # a number changed that is not a figure
    "paragraph": 0.35,  # a paragraph added or removed
    "sentence": 0.25,  # a sentence added, deleted or reworded
    "move": 0.1,  # a sentence or paragraph moved
    "headline_minor": 0.1,  # a typo or punctuation fix in the headline
    "typo": 0.05,  # a small edit within a word
    "punctuation": 0.02,
    "reflow": 0.02,  # a paragraph split or merged
    "whitespace": 0.0,
}

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
    """Significance 0-1 of one change, from the WEIGHTS table:

    correction 0.9 · headline 0.8 · each figure delta 0.7 · update note 0.6 ·
    lede 0.6 · quote/attribution 0.5 · other number 0.4 · paragraph 0.35 ·
    sentence 0.25 · move 0.1 · headline typo 0.1 · typo 0.05 ·
    punctuation 0.02 · paragraph split/merge 0.02 · whitespace 0.

    Combined as 1 - prod(1 - w): one typo fix scores 0.05, a figure revision
    with its edited sentence about 0.8, a reworded headline 0.8, a whitespace
    or no-op change 0.
    """
    weights = [_edit_weight(edit, lang) for edit in report.edits]
    weights.append(_headline_weight(old_headline, new_headline))
    weights.extend(WEIGHTS["figure"] for _ in figure_deltas)
    if correction is not None:
        weights.append(WEIGHTS[correction.kind])
    keep = math.prod(1.0 - w for w in weights)
    return round(min(max(1.0 - keep, 0.0), 1.0), 3)


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


def _touches_quote(edit: edits.SentenceEdit, lang: str) -> bool:
    """An added or deleted sentence with a quote or an attribution, or an edit
    inside quotation marks or within ATTRIBUTION_REACH words of a cue word."""
    cues = rules.ATTRIBUTION_CUES.get(lang) or _ALL_CUES
    if not edit.ops:
        return any(
            _has_quote_or_cue(text, cues) for text in (edit.old_text, edit.new_text)
        )
    for side, text in (
        (diffing.DELETE, edit.old_text),
        (diffing.INSERT, edit.new_text),
    ):
        if not text:
            continue
        changed = _changed_spans(edit.ops, side)
        if any(
            start < q_end and q_start < end
            for start, end in changed
            for q_start, q_end in _quoted_spans(text)
        ):
            return True
        words = [
            (m.start(), m.end(), m.group().lower()) for m in textlib.WORD.finditer(text)
        ]
        hit = [
            n
            for n, (w_start, w_end, _) in enumerate(words)
            if any(start < w_end and w_start < end for start, end in changed)
        ]
        near = {n for n, (_, _, word) in enumerate(words) if word in cues}
        if any(abs(h - c) <= ATTRIBUTION_REACH for h in hit for c in near):
            return True
    return False


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
