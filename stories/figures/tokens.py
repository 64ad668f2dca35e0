"""Tokens of a sentence and phrase tables that match runs of them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Atomic group: "2.4K" and "63-year-old" must not leave a bare number behind.
_TOKEN_RE = re.compile(
    r"(?P<num>(?>\d+(?:[.,:]\d+)*)(?!\w)(?!-\D))"
    r"|(?P<word>\w+(?:[-'’.]\w+)*)"
    r"|(?P<punct>\S)"
)
# French groups thousands with a space, a no-break space or a narrow one.
_FR_NUM_RE = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d])")
YEAR_RE = re.compile(r"^(1[89]\d\d|20\d\d|2100)$")


@dataclass(frozen=True, slots=True)
class Tok:
    text: str
    low: str
    start: int
    end: int
    type: str  # num | word | punct


def tokenize(text: str, lang: str) -> list[Tok]:
    spans: list[tuple[int, int, str]] = []
    pos = 0
    if lang == "fr":
        for m in _FR_NUM_RE.finditer(text):
            spans.extend(_scan(text, pos, m.start()))
            spans.append((m.start(), m.end(), "num"))
            pos = m.end()
    spans.extend(_scan(text, pos, len(text)))
    out = []
    for s, e, t in spans:
        raw = text[s:e]
        out.append(Tok(raw, raw.lower().replace("’", "'"), s, e, t))
    return out


def _scan(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [
        (m.start(), m.end(), m.lastgroup or "punct")
        for m in _TOKEN_RE.finditer(text, start, end)
    ]


class Phrases:
    """A phrase table keyed by first token; longest phrase wins."""

    def __init__(self, items: dict[str, Any] | tuple[str, ...] | list[str]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
        pairs = items.items() if isinstance(items, dict) else ((p, p) for p in items)
        for phrase, payload in pairs:
            toks = tuple(t.low for t in tokenize(phrase, ""))
            if toks:
                self.by_first.setdefault(toks[0], []).append((toks, payload))
        for lst in self.by_first.values():
            lst.sort(key=lambda x: -len(x[0]))
        self.max_len = max(
            (len(p) for v in self.by_first.values() for p, _ in v), default=0
        )

    def at(self, toks: list[Tok], i: int) -> tuple[int, Any] | None:
        """The longest phrase starting at token i: (length, payload)."""
        if i >= len(toks):
            return None
        for phrase, payload in self.by_first.get(toks[i].low, ()):
            n = len(phrase)
            if i + n <= len(toks) and all(
                toks[i + k].low == phrase[k] for k in range(1, n)
            ):
                return n, payload
        return None

    def ending_at(self, toks: list[Tok], j: int) -> tuple[int, Any] | None:
        """The longest phrase whose last token is toks[j - 1]."""
        for n in range(min(self.max_len, j), 0, -1):
            hit = self.at(toks, j - n)
            if hit and hit[0] == n:
                return hit
        return None

    def anywhere(self, toks: list[Tok], start: int = 0, end: int | None = None) -> int:
        """Index of the first phrase occurrence in toks[start:end], or -1."""
        stop = len(toks) if end is None else end
        for i in range(start, stop):
            if toks[i].low in self.by_first and self.at(toks, i):
                return i
        return -1
