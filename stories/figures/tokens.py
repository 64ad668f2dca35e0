"""Tokens of a sentence and phrase tables that match runs of them."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

# Atomic group: "2.4K" and "63-year-old" must not leave a bare number behind.
_TOKEN_RE = re.compile(
    r"(?P<num>(?>\d+(?:[.,:]\d+)*)(?!\w)(?!-\D))"
    r"|(?P<word>\w+(?:[-'’.]\w+)*)"
    r"|(?P<punct>\S)"
)
# French groups thousands with a space, a no-break space or a narrow one.
_FR_NUM_RE = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d])")
YEAR_RE = re.compile(r"^(1[89]\d\d|20\d\d|2100)$")


class Tok(NamedTuple):
    text: str
    low: str
    start: int
    end: int
    type: str  # num | word | punct


class Tokens(list):
    """A sentence's tokens, and the set of their lower-cased words."""

    lows: frozenset[str] = frozenset()
    kind_hits: dict[int, tuple[int, str]] | None = None


def tokenize(text: str, lang: str) -> Tokens:
    out = Tokens()
    pos = 0
    if lang == "fr":
        for m in _FR_NUM_RE.finditer(text):
            _scan(text, pos, m.start(), out)
            raw = m.group()
            out.append(Tok(raw, raw, m.start(), m.end(), "num"))
            pos = m.end()
    _scan(text, pos, len(text), out)
    out.lows = frozenset(t.low for t in out)
    return out


def _scan(text: str, start: int, end: int, out: Tokens) -> None:
    for m in _TOKEN_RE.finditer(text, start, end):
        raw = m.group()
        low = raw.lower()
        if "’" in low:
            low = low.replace("’", "'")
        out.append(Tok(raw, low, m.start(), m.end(), m.lastgroup or "punct"))


class Phrases:
    """A phrase table: runs of tokens, longest phrase first.

    A word written with a trailing "*" is a stem and matches every token that
    starts with it ("gewond*" matches gewond, gewonde, gewonden), so a table
    lists a word once, not each of its inflections.
    """

    def __init__(self, items: dict[str, Any] | tuple[str, ...] | list[str]) -> None:
        self._exact: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
        self._stems: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
        pairs = items.items() if isinstance(items, dict) else ((p, p) for p in items)
        for phrase, payload in pairs:
            words = tuple(_phrase_words(phrase))
            if not words:
                continue
            first = words[0]
            table = self._stems if first.endswith("*") else self._exact
            table.setdefault(first.rstrip("*"), []).append((words, payload))
        for lst in (*self._exact.values(), *self._stems.values()):
            lst.sort(key=lambda x: -len(x[0]))
        self._stem_lengths = sorted({len(s) for s in self._stems}, reverse=True)
        self.max_len = max(
            (
                len(p)
                for table in (self._exact, self._stems)
                for v in table.values()
                for p, _ in v
            ),
            default=0,
        )
        self._cache: dict[str, list[tuple[tuple[str, ...], Any]]] = {}

    def candidates(self, low: str) -> list[tuple[tuple[str, ...], Any]]:
        """Phrases that may start with the word low (its own, or a stem's)."""
        hit = self._cache.get(low)
        if hit is None:
            hit = list(self._exact.get(low, ()))
            for n in self._stem_lengths:
                if len(low) >= n:
                    hit.extend(self._stems.get(low[:n], ()))
            hit.sort(key=lambda x: -len(x[0]))
            if len(self._cache) > 20_000:  # bounded: article text is untrusted
                self._cache.clear()
            self._cache[low] = hit
        return hit

    def at(self, toks: list[Tok], i: int) -> tuple[int, Any] | None:
        """The longest phrase starting at token i: (length, payload)."""
        if i >= len(toks):
            return None
        low = toks[i].low
        cands = self._cache.get(low)
        if cands is None:
            cands = self.candidates(low)
        for phrase, payload in cands:
            n = len(phrase)
            if n == 1:
                return 1, payload
            if i + n <= len(toks) and all(
                _word_matches(phrase[k], toks[i + k].low) for k in range(1, n)
            ):
                return n, payload
        return None

    def ending_at(self, toks: list[Tok], j: int) -> tuple[int, Any] | None:
        """The longest phrase whose last token is toks[j - 1]."""
        lows = getattr(toks, "lows", None)
        if lows is not None and not self._stems and lows.isdisjoint(self._exact):
            return None
        cache = self._cache
        for n in range(min(self.max_len, j), 0, -1):
            low = toks[j - n].low
            cands = cache.get(low)
            if cands is None:
                cands = self.candidates(low)
            if cands:
                hit = self.at(toks, j - n)
                if hit and hit[0] == n:
                    return hit
        return None

    @property
    def has_stems(self) -> bool:
        return bool(self._stems)

    def may_occur(self, toks: list[Tok]) -> bool:
        """False only when no phrase can occur in toks (a cheap first test)."""
        lows = getattr(toks, "lows", None)
        return lows is None or bool(self._stems) or not lows.isdisjoint(self._exact)

    def hits(self, toks: list[Tok]) -> list[tuple[int, int, Any]]:
        """Every (start, length, payload) in toks, scanning once."""
        out = []
        cache = self._cache
        for i, t in enumerate(toks):
            cands = cache.get(t.low)
            if cands is None:
                cands = self.candidates(t.low)
            if cands:
                hit = self.at(toks, i)
                if hit:
                    out.append((i, hit[0], hit[1]))
        return out

    def anywhere(self, toks: list[Tok], start: int = 0, end: int | None = None) -> int:
        """Index of the first phrase occurrence in toks[start:end], or -1."""
        lows = getattr(toks, "lows", None)
        if lows is not None and not self._stems and lows.isdisjoint(self._exact):
            return -1
        stop = len(toks) if end is None else end
        cache = self._cache
        for i in range(start, stop):
            low = toks[i].low
            cands = cache.get(low)
            if cands is None:
                cands = self.candidates(low)
            if cands and self.at(toks, i):
                return i
        return -1


def _phrase_words(phrase: str) -> list[str]:
    # "_" is a word character, so "gewond*" stays one token while tokenised.
    return [t.low.replace("_", "*") for t in tokenize(phrase.replace("*", "_"), "")]


def _word_matches(word: str, low: str) -> bool:
    return low.startswith(word[:-1]) if word.endswith("*") else low == word
