"""Who a sentence cites for its figures, glossed into short English."""

from __future__ import annotations

from stories.figures.compiled import NP_FUNCTION_WORDS, Compiled
from stories.figures.numbers import number_at
from stories.figures.tokens import Tok


def _noun_phrase(toks: list[Tok], i: int, step: int, c: Compiled) -> list[Tok]:
    """Tokens of the source named from toks[i] on (step=1) or back (step=-1)."""
    got: list[Tok] = []
    k = i
    if step < 0:
        while 0 <= k < len(toks) and toks[k].low in c.auxiliaries:
            k -= 1
    while 0 <= k < len(toks) and len(got) < 8:
        t = toks[k]
        if t.type != "word" or t.low in c.stop:
            break
        if (
            c.hedges.at(toks, k)
            or c.kind_at(toks, k)
            or c.speech.at(toks, k)
            or c.attribution_preps.at(toks, k)
            or number_at(toks, k, c)
        ):
            break
        got.append(t)
        k += step
    if step < 0:
        got.reverse()
    while got and got[-1].low in NP_FUNCTION_WORDS:
        got.pop()
    return got


def find_source(toks: list[Tok], c: Compiled) -> str | None:
    i = c.attribution_preps.anywhere(toks)
    if i >= 0:
        n = c.attribution_preps.at(toks, i)
        assert n is not None
        np = _noun_phrase(toks, i + n[0], 1, c)
        if np:
            return _gloss(np, c)
    i = c.speech.anywhere(toks)
    while i >= 0:
        n = c.speech.at(toks, i)
        assert n is not None
        np = _noun_phrase(toks, i + n[0], 1, c) or _noun_phrase(toks, i - 1, -1, c)
        if np:
            return _gloss(np, c)
        i = c.speech.anywhere(toks, i + n[0])
    return None


def _gloss(np: list[Tok], c: Compiled) -> str:
    """The source in short English, word by word from the language's gloss table."""
    gloss = c.rules.gloss
    words = []
    for t in np:
        low = t.low
        if low[:2] in ("l'", "d'") and len(low) > 2:
            words.append("the" if low[0] == "l" else "of")
            low, text = low[2:], t.text[2:]
        else:
            text = t.text
        words.append(gloss.get(low, text))
    if words and words[0] in _CAPITALISED_ARTICLES:
        words[0] = words[0].lower()  # "per the county council", mid-sentence
    return " ".join(words)


_CAPITALISED_ARTICLES = frozenset(("The", "A", "An"))
