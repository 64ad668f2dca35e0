"""How a change reads: figure amounts and deltas, diff excerpts, counts in words.

Pure presentation, no Django and no database: the timeline, e-mails, webhooks,
notifications and Atom feeds all word a change through here, so they say it alike.
Figure deltas come as the dicts stored in ``Change.details["figures"]`` (the fields
of ``figures.FigureDelta``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# How each figure qualifier (figures.Figure.qualifier) reads before its number.
QUALIFIER_WORDS = {
    "exact": "",
    "at_least": "at least",
    "more_than": "more than",
    "nearly": "nearly",
    "about": "about",
    "up_to": "up to",
    "fewer_than": "fewer than",
    "range": "from",
}
# Words of context kept on each side of an edit in an excerpt, and its length.
EXCERPT_CONTEXT_WORDS = 8
EXCERPT_MAX_CHARS = 600
EXCERPT_MARKS = {"insert": "[+{}+]", "delete": "[-{}-]", "equal": "{}"}


def plural(count: int, noun: str, nouns: str = "") -> str:
    """ "1 change", "3 changes", "2 stories" (pass the plural when it is not +s)."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


# What a check found, per Change.kind: things that changed, and things that happened.
CHANGED_NOUNS = {"headline": "headline", "text": "text", "figure": "figures"}
EVENTS = {"removed": "removed", "restored": "back online"}


def what_changed(kinds: Iterable[str]) -> str:
    """ "Text and figures changed", "Headline changed", "Removed", "Back online"."""
    kinds = list(dict.fromkeys(kinds))
    nouns = [CHANGED_NOUNS[kind] for kind in kinds if kind in CHANGED_NOUNS]
    parts = [f"{_joined(nouns)} changed"] if nouns else []
    parts += [EVENTS[kind] for kind in kinds if kind in EVENTS]
    text = _joined(parts) or "Changed"
    return text[0].upper() + text[1:]


def flip_flop_note(kind: str) -> str:
    """The line that tells a reader a change went back to what it said before."""
    noun = CHANGED_NOUNS.get(kind, kind)
    return f"Back to the earlier {noun}, as it read before."


def _joined(words: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def amount(
    value: int | None,
    qualifier: str | None,
    *,
    low: int | None = None,
    high: int | None = None,
    unknown: str = "an unspecified number",
) -> str:
    """ "nearly 100", "2,300", "40–50" (a range with both ends), or `unknown`."""
    if qualifier == "range" and low is not None and high:
        return f"{low:,}–{high:,}"
    if value is None:
        return unknown
    words = QUALIFIER_WORDS.get(qualifier or "exact", "")
    return f"{words} {value:,}".strip()


def figure_delta(delta: Mapping[str, Any]) -> str:
    """One line for a figure delta: "killed: 32 → nearly 100 (per Armenia)"."""
    kind = delta.get("kind") or "figure"
    per = f" (per {delta['attributed_to']})" if delta.get("attributed_to") else ""
    old = amount(delta.get("old"), delta.get("old_qualifier"))
    new = amount(delta.get("new"), delta.get("new_qualifier"))
    if delta.get("change") == "removed":
        return f"{kind}: {old} removed{per}"
    if delta.get("change") == "added":
        return f"{kind}: {new} added{per}"
    return f"{kind}: {old} → {new}{per}"


def figure_deltas(deltas: Iterable[Mapping[str, Any]]) -> list[str]:
    return [figure_delta(delta) for delta in deltas]


# --- diff excerpts -------------------------------------------------------------------


def excerpt(
    diff_ops: Sequence[Sequence[str]] | None,
    *,
    context_words: int = EXCERPT_CONTEXT_WORDS,
) -> list[tuple[str, str]]:
    """The edited parts of a word diff with a little context: [(op, text), ...]."""
    ops = [(op, text) for op, text in diff_ops or [] if text]
    if all(op == "equal" for op, _ in ops):
        return []
    out: list[tuple[str, str]] = []
    size = 0
    last = len(ops) - 1
    for index, (op, text) in enumerate(ops):
        if op == "equal":
            text = _trim_context(
                text, head=index > 0, tail=index < last, words=context_words
            )
        out.append((op, text))
        size += len(text)
        if size > EXCERPT_MAX_CHARS and index < last:
            out.append(("equal", " …"))
            break
    return out


def _trim_context(text: str, *, head: bool, tail: bool, words: int) -> str:
    parts = text.split(" ")
    if len(parts) <= words * (int(head) + int(tail)) + 1:
        return text
    kept = []
    if head:
        kept.append(" ".join(parts[:words]) + " …")
    if tail:
        kept.append("… " + " ".join(parts[-words:]))
    return " ".join(kept).replace("… …", "…")


def excerpt_text(ops: Iterable[tuple[str, str]]) -> str:
    """An excerpt as plain text: "the toll rose to [-32-][+100+] on Tuesday"."""
    return "".join(EXCERPT_MARKS.get(op, "{}").format(text) for op, text in ops)
