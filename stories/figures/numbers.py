"""Number expressions in a token list, and the ones that are not figures."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stories.figures.compiled import Compiled
from stories.figures.rules import Rules
from stories.figures.tokens import YEAR_RE, Tok


@dataclass
class Num:
    i: int  # first token
    j: int  # one past the last token
    value: int | None
    qualifier: str | None = None  # set by fixed phrases and vague words
    magnitude: int | None = None
    is_year: bool = False


def _parse_digits(raw: str, rules: Rules) -> float | None:
    """ "2.300" nl → 2300; "2,300" en → 2300; "2,5" nl → 2.5; "11.00" nl → None."""
    if raw.isdigit():
        return int(raw) if len(raw) <= 20 else None
    s = raw.replace("\u00a0", " ").replace("\u202f", " ")
    if len(s) > 20:  # no head count has that many digits; int() would refuse
        return None
    for sep, pattern in _THOUSANDS[rules.lang]:
        if pattern.fullmatch(s):
            return int(s.replace(sep, ""))
    if _DECIMAL[rules.decimal_sep].fullmatch(s):
        return float(s.replace(rules.decimal_sep, "."))
    return None


def _grouped(sep: str) -> tuple[str, re.Pattern[str]]:
    return sep, re.compile(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+")


# French groups thousands with a space (any kind) and sometimes a dot.
_THOUSANDS = {
    "nl": (_grouped("."),),
    "de": (_grouped("."),),
    "en": (_grouped(","),),
    "fr": (_grouped(" "), _grouped(".")),
}
_DECIMAL = {sep: re.compile(r"\d+" + re.escape(sep) + r"\d+") for sep in ".,"}


def parse_word(word: str, c: Compiled) -> tuple[int | None, ...] | None:
    """Split one number word ("tweeëntwintig", "twenty-three") into its pieces."""
    if word in c.word_cache:
        return c.word_cache[word]
    if len(c.word_cache) > 50_000:  # bounded: article text is untrusted
        c.word_cache.clear()
    result = c.word_cache[word] = _split_number_word(word, c)
    return result


def _split_number_word(word: str, c: Compiled) -> tuple[int | None, ...] | None:
    w = word.replace("quatre-vingt", "quatrevingt")
    result: list[int | None] = []
    for part in re.split(r"[-‐]", w):
        seg = _segment(part, c.number_pieces)
        if seg is None:
            return None
        result.extend(seg)
    if not result or result[0] is None or result[-1] is None:
        return None
    return tuple(result)


def _segment(part: str, pieces: dict[str, int | None]) -> list[int | None] | None:
    if part in pieces:
        return [pieces[part]]
    # Compounds are written as one word in nl and de: "tweehonderd", "dreiundzwanzig".
    for n in range(len(part) - 1, 1, -1):
        head = part[:n]
        if head in pieces:
            rest = _segment(part[n:], pieces)
            if rest is not None:
                return [pieces[head], *rest]
    return None


def _evaluate(pieces: list[int | None]) -> int:
    total, current = 0, 0
    for v in pieces:
        if v is None:
            continue
        if v == 100:
            current = max(current, 1) * 100
        elif v == 1000:
            total += max(current, 1) * 1000
            current = 0
        else:
            current += v
    return total + current


def number_at(toks: list[Tok], i: int, c: Compiled) -> Num | None:
    """The number expression starting at token i, if any (not yet judged)."""
    tok = toks[i]
    if tok.type == "punct":
        return None
    if tok.low in c.number_starts:
        phrase = _phrase_number_at(toks, i, c)
        if phrase is not None:
            return phrase
    if tok.type == "num":
        value = _parse_digits(tok.text, c.rules)
        if value is None:
            return Num(i, i + 1, None, qualifier="not_a_count")
        return _scaled(toks, i, i + 1, value, c, bool(YEAR_RE.match(tok.text)))
    if tok.type != "word":
        return None
    j, pieces = _number_words(toks, i, c)
    if not pieces:
        return None
    # "een dode", "ein Toter", "un mort": only then is the article the number one.
    if (
        j == i + 1
        and tok.low in c.rules.ambiguous_number_words
        and not c.single_victims.at(toks, j)
    ):
        return None
    return _scaled(toks, i, j, _evaluate(pieces), c, False)


def _phrase_number_at(toks: list[Tok], i: int, c: Compiled) -> Num | None:
    """ "tientallen", "des centaines" (vague) or "een dozijn" (a fixed value)."""
    hit = c.vague.at(toks, i)
    if hit:
        return Num(i, i + hit[0], None, "about", hit[1])
    hit = c.fixed.at(toks, i)
    if hit:
        value, qualifier = hit[1]
        # "half a million" is exact unless a hedge says otherwise.
        return Num(i, i + hit[0], value, None if qualifier == "exact" else qualifier)
    return None


def _number_words(toks: list[Tok], i: int, c: Compiled) -> tuple[int, list]:
    """ "tweehonderd", "twenty-three", "hundred and five": (end, pieces)."""
    pieces: list[int | None] = []
    j = i
    while j < len(toks) and toks[j].type == "word":
        seg = parse_word(toks[j].low, c)
        if seg is None:
            if toks[j].low in c.rules.connectors and pieces:
                nxt = parse_word(toks[j + 1].low, c) if j + 1 < len(toks) else None
                if nxt:
                    j += 1
                    continue
            break
        pieces.extend(seg)
        j += 1
    return j, pieces


def _scaled(
    toks: list[Tok], i: int, j: int, value: float, c: Compiled, is_year: bool
) -> Num:
    """The number with its multiplier ("1,2 miljoen"), as a whole count."""
    if j < len(toks) and toks[j].low in c.multipliers:
        value = value * c.multipliers[toks[j].low]
        j += 1
        is_year = False
    if isinstance(value, float):
        if not value.is_integer():
            return Num(i, j, None, qualifier="not_a_count")
        value = int(value)
    return Num(i, j, int(value), is_year=is_year)


def is_not_figure(toks: list[Tok], n: Num, c: Compiled) -> bool:
    """Times, years, ages, units, money, counters, dates, names, populations."""
    if n.qualifier == "not_a_count":
        return True
    j = n.j
    # "45 und 52 Jahren": the unit after the second number also rules out the first.
    if (
        j + 1 < len(toks)
        and toks[j].low in (c.joins | set(c.rules.connectors))
        and toks[j + 1].type == "num"
    ):
        j += 2
    if j < len(toks) and (c.not_after.at(toks, j) or toks[j].low in c.months):
        return True
    if c.not_before.ending_at(toks, n.i):
        return True
    prev = toks[n.i - 1] if n.i else None
    if prev is not None and (
        prev.low in c.months or (c.rules.lang == "en" and prev.low.endswith("'s"))
    ):
        return True  # "12 March"; "the town's 8,000 residents" (a population)
    if n.is_year:
        return not _counts_people(toks, n, c)
    return _is_name(toks, n, prev, c)


def _counts_people(toks: list[Tok], n: Num, c: Compiled) -> bool:
    """A hedge before it, or a noun for people or a kind after it."""
    if c.hedges.ending_at(toks, n.i):
        return True
    if n.j >= len(toks):
        return False
    nxt = toks[n.j].low
    return c.is_people(nxt) or (
        bool(c.kind_at(toks, n.j))
        and not (n.i and toks[n.i - 1].low in c.background_words)
    )


def _is_name(toks: list[Tok], n: Num, prev: Tok | None, c: Compiled) -> bool:
    """ "Interstate 84", "Route 66": a capitalised word glued before a bare number."""
    return (
        prev is not None
        and c.rules.lang != "de"
        and toks[n.i].type == "num"
        and prev.type == "word"
        and prev.text[:1].isupper()
        and n.i > 1
        and not c.hedges.ending_at(toks, n.i)
        and not _counts_people(toks, n, c)
    )
