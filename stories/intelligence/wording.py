"""What a word diff amounts to: whitespace, punctuation, typo, number or wording.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from stories import diffing
from stories import text as textlib

# From least to most telling.
WHITESPACE, PUNCTUATION, TYPO, NUMBER, WORDING = (
    "whitespace",
    "punctuation",
    "typo",
    "number",
    "wording",
)

_DIGIT = re.compile(r"\d")


def word_diff_nature(ops: Sequence[tuple[str, str]]) -> str:
    """What a word diff amounts to: the most telling of its changed stretches'
    natures (wording, number, typo, punctuation, whitespace), "" if none."""
    natures = {_nature(old, new) for old, new in _changed_stretches(ops)}
    order = (WORDING, NUMBER, TYPO, PUNCTUATION, WHITESPACE)
    return next((nature for nature in order if nature in natures), "")


def _changed_stretches(ops: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """(deleted, inserted) text of each run of ops between two equal ones."""
    stretches: list[tuple[str, str]] = []
    deleted = inserted = ""
    for op, text in (*ops, (diffing.EQUAL, "")):
        if op == diffing.DELETE:
            deleted += text
        elif op == diffing.INSERT:
            inserted += text
        elif deleted or inserted:
            stretches.append((deleted, inserted))
            deleted = inserted = ""
    return stretches


def _nature(old: str, new: str) -> str:
    old_words, new_words = textlib.WORD.findall(old), textlib.WORD.findall(new)
    if not old_words and not new_words:
        return PUNCTUATION if (old + new).strip() else WHITESPACE
    if _DIGIT.search(old + new):
        return NUMBER
    if len(old_words) == len(new_words) and all(
        _is_typo(a, b) for a, b in zip(old_words, new_words, strict=True)
    ):
        return TYPO
    return WORDING


def _is_typo(a: str, b: str) -> bool:
    """A small edit within one word: case, or 1 (2 for words over 5 letters)
    insertions, deletions, substitutions or swaps of neighbours."""
    if a.lower() == b.lower():
        return True
    limit = 1 if min(len(a), len(b)) <= 5 else 2
    return _edit_distance(a.lower(), b.lower(), limit) <= limit


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance, giving up past limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost
            )
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
