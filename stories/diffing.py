"""Two normalised texts (or headlines) -> word-level diff ops and a one-line
summary.

Pure: no Django, no I/O. diff-match-patch does the diffing on word tokens, using
its documented line-mode trick (each distinct token becomes one character).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

from stories import text as textlib

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
_OP_NAMES = {
    diff_match_patch.DIFF_EQUAL: EQUAL,
    diff_match_patch.DIFF_INSERT: INSERT,
    diff_match_patch.DIFF_DELETE: DELETE,
}

# A token is a word, one punctuation character or a whitespace run. Words keep
# inner dots, commas, apostrophes, hyphens and slashes between word characters,
# so "2.300", "1,2", "11.00", "staakt-het-vuren" and "don't" are one token each,
# while sentence-final punctuation stays apart ("doden." -> "doden", ".") and a
# changed figure is one replaced word, not a replaced word-plus-full-stop.
_TOKEN = re.compile(r"\w+(?:['.,:/-]\w+)*|\s+|[^\w\s]", re.UNICODE)
_WORD = re.compile(r"\w")

# One character per distinct token leaves room for about 1.1 million of them.
_FIRST_CODE_POINT = 0x100
_SURROGATES = range(0xD800, 0xE000)
_MAX_TOKENS = 0x110000 - _FIRST_CODE_POINT - len(_SURROGATES)


@dataclass(frozen=True)
class Diff:
    ops: tuple[tuple[str, str], ...]
    words_added: int
    words_removed: int
    sentences_touched: int
    summary: str

    @property
    def changed(self) -> bool:
        return any(op != EQUAL for op, _ in self.ops)


def diff_texts(old: str, new: str) -> Diff:
    """Word-level diff of two normalised texts; equal+delete texts rebuild old,
    equal+insert texts rebuild new."""
    ops = _diff_ops(old, new)
    words_added = sum(_count_words(text) for op, text in ops if op == INSERT)
    words_removed = sum(_count_words(text) for op, text in ops if op == DELETE)
    touched = _sentences_touched(ops, old, new)
    return Diff(
        ops=ops,
        words_added=words_added,
        words_removed=words_removed,
        sentences_touched=touched,
        summary=_summary(ops, words_added, words_removed, touched),
    )


def _diff_ops(old: str, new: str) -> tuple[tuple[str, str], ...]:
    if old == new:
        return ((EQUAL, old),) if old else ()
    dmp = diff_match_patch()
    # The timeout only bites on huge, wholly rewritten texts; dmp then returns a
    # coarser but still valid diff instead of hanging the worker.
    dmp.Diff_Timeout = 1.0
    # Most edits touch a few words of a long text: cut the common head and tail
    # at word starts before tokenising, which is where the time goes. Only a
    # word start after whitespace in both texts is safe ("2.3" is common to
    # "2.300" and "2.400" but a token of neither).
    prefix = dmp.diff_commonPrefix(old, new)
    head = next((i for i in range(prefix, 0, -1) if _word_starts_at(old, new, i, i)), 0)
    suffix = min(dmp.diff_commonSuffix(old, new), len(old) - head, len(new) - head)
    tail = next(
        (
            n
            for n in range(suffix, 0, -1)
            if _word_starts_at(old, new, len(old) - n, len(new) - n)
        ),
        0,
    )
    old_middle, new_middle = old[head : len(old) - tail], new[head : len(new) - tail]

    try:
        old_chars, new_chars, tokens = _tokens_to_chars(old_middle, new_middle)
    except _TooManyTokens:
        # Two multi-megabyte texts with nothing in common: one block replaced.
        return _merge(
            [
                (EQUAL, old[:head]),
                (DELETE, old_middle),
                (INSERT, new_middle),
                (EQUAL, old[len(old) - tail :]),
            ]
        )
    diffs = dmp.diff_main(old_chars, new_chars, False)
    # Semantic cleanup runs on the token characters, so it can only merge or
    # shift whole tokens; run on the real text it would cut words in half.
    dmp.diff_cleanupSemantic(diffs)
    middle = [(_OP_NAMES[op], _chars_to_text(chars, tokens)) for op, chars in diffs]
    ops = _merge([(EQUAL, old[:head]), *middle, (EQUAL, old[len(old) - tail :])])
    return _merge(_align_edits(list(ops)))


def _align_edits(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Slide each lone insert/delete between two equalities to the neighbouring
    position with the best boundaries, whole tokens at a time.

    The word-level counterpart of dmp's diff_cleanupSemanticLossless: a paragraph
    added after one that ends the same way ("... gewond.") is shown as the new
    paragraph, not as "gewond.\n\nNew ... " wedged between the old words.
    """
    for i in range(1, len(ops) - 1):
        (before_op, before), (op, edit), (after_op, after) = ops[i - 1 : i + 2]
        if op == EQUAL or before_op != EQUAL or after_op != EQUAL:
            continue
        left, middle, right = (_TOKEN.findall(t) for t in (before, edit, after))
        seq, width = left + middle + right, len(middle)
        # Keep an equality in place unless it touches the edge of the text, so
        # the boundary score always looks at real neighbours.
        lowest = 0 if i == 1 else 1
        highest = len(seq) - width - (0 if i == len(ops) - 2 else 1)
        start = best = len(left)
        while start > lowest and seq[start - 1] == seq[start + width - 1]:
            start -= 1
        best_score = -1
        while True:
            score = _boundary_score(seq, start) + _boundary_score(seq, start + width)
            if score >= best_score:
                best, best_score = start, score
            if start >= highest or seq[start] != seq[start + width]:
                break
            start += 1
        ops[i - 1] = (EQUAL, "".join(seq[:best]))
        ops[i] = (op, "".join(seq[best : best + width]))
        ops[i + 1] = (EQUAL, "".join(seq[best + width :]))
    return ops


def _boundary_score(seq: list[str], i: int) -> int:
    """How natural a cut between seq[i - 1] and seq[i] is, as dmp scores it."""
    if i == 0 or i == len(seq):
        return 6
    before, after = seq[i - 1], seq[i]
    if "\n\n" in before or "\n\n" in after:
        return 5
    if "\n" in before or "\n" in after:
        return 4
    if before in ".!?\u2026" and after.isspace():
        return 3
    if before.isspace() or after.isspace():
        return 2
    if not _WORD.match(before) or not _WORD.match(after):
        return 1
    return 0


def _word_starts_at(old: str, new: str, i: int, j: int) -> bool:
    """Whether a word follows whitespace at old[i] and at new[j]."""
    return all(
        0 < k < len(text) and text[k - 1].isspace() and not text[k].isspace()
        for text, k in ((old, i), (new, j))
    )


class _TooManyTokens(Exception):
    pass


def _tokens_to_chars(old: str, new: str) -> tuple[str, str, list[str]]:
    tokens: list[str] = []
    index: dict[str, str] = {}

    def encode(text: str) -> str:
        chars = []
        for token in _TOKEN.findall(text):
            char = index.get(token)
            if char is None:
                if len(index) >= _MAX_TOKENS:
                    raise _TooManyTokens
                code_point = _FIRST_CODE_POINT + len(tokens)
                if code_point >= _SURROGATES.start:
                    # Surrogates are not valid characters; the token list keeps
                    # its own numbering, so shift past them and pad the list.
                    tokens.extend([""] * (_SURROGATES.stop - code_point))
                    code_point = _FIRST_CODE_POINT + len(tokens)
                char = chr(code_point)
                index[token] = char
                tokens.append(token)
            chars.append(char)
        return "".join(chars)

    return encode(old), encode(new), tokens


def _chars_to_text(chars: str, tokens: list[str]) -> str:
    return "".join(tokens[ord(char) - _FIRST_CODE_POINT] for char in chars)


def _merge(ops: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    merged: list[tuple[str, str]] = []
    for op, text in ops:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return tuple(merged)


def _count_words(text: str) -> int:
    return sum(1 for token in _TOKEN.findall(text) if _WORD.match(token))


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in textlib.sentences(text)]


def _sentences_touched(ops: tuple[tuple[str, str], ...], old: str, new: str) -> int:
    """Sentences of the new text holding an insert or a deletion point, plus old
    sentences deleted outright that no insert took the place of."""
    if all(op == EQUAL for op, _ in ops):
        return 0
    new_spans = _sentence_spans(new)
    old_spans = _sentence_spans(old)
    new_starts = [start for start, _ in new_spans]
    old_starts = [start for start, _ in old_spans]
    touched_new: set[int] = set()
    deleted_old: set[int] = set()
    old_pos = new_pos = 0
    for i, (op, text) in enumerate(ops):
        if op == EQUAL:
            old_pos += len(text)
            new_pos += len(text)
        elif op == INSERT:
            touched_new.update(
                _overlapping(new_spans, new_starts, new_pos, new_pos + len(text))
            )
            new_pos += len(text)
        else:
            neighbours = (ops[j][0] for j in (i - 1, i + 1) if 0 <= j < len(ops))
            replaced = INSERT in neighbours
            whole, partial = _covered(
                old_spans, old_starts, old_pos, old_pos + len(text)
            )
            if partial or (whole and replaced):
                sentence = _sentence_at(new_spans, new_starts, new_pos)
                if sentence is not None:
                    touched_new.add(sentence)
            if not replaced:
                deleted_old |= whole
            old_pos += len(text)
    return len(touched_new) + len(deleted_old)


def _overlapping(
    spans: list[tuple[int, int]], starts: list[int], start: int, end: int
) -> range:
    """Indexes of the spans that share a character with [start, end)."""
    first = max(bisect.bisect_right(starts, start) - 1, 0)
    if first < len(spans) and spans[first][1] <= start:
        first += 1
    return range(first, bisect.bisect_left(starts, end))


def _covered(
    spans: list[tuple[int, int]], starts: list[int], start: int, end: int
) -> tuple[set[int], set[int]]:
    """Old sentences a deletion removes entirely, and those it only cuts into."""
    whole, partial = set(), set()
    for i in _overlapping(spans, starts, start, end):
        s, e = spans[i]
        (whole if start <= s and e <= end else partial).add(i)
    return whole, partial


def _sentence_at(
    spans: list[tuple[int, int]], starts: list[int], pos: int
) -> int | None:
    """The new sentence a zero-width deletion point at pos belongs to."""
    i = bisect.bisect_right(starts, pos) - 1
    if i >= 0 and pos <= spans[i][1]:
        return i
    if i + 1 < len(spans):
        return i + 1
    return i if i >= 0 else None


def _summary(
    ops: tuple[tuple[str, str], ...], added: int, removed: int, touched: int
) -> str:
    if not any(op != EQUAL for op, _ in ops):
        return "no text change"
    sentences = f"{touched} sentence{'' if touched == 1 else 's'} touched"
    if added or removed:
        words = "word" if (added, removed) in {(1, 0), (0, 1), (1, 1)} else "words"
        return f"+{added} \u2212{removed} {words}, {sentences}"
    return f"punctuation or spacing only, {sentences}"
