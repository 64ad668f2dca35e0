"""Figures in a text: the engine that applies the per-language tables.

One sentence at a time:

1. split the text into paragraphs and sentences, a sentence into tokens;
2. find number expressions (digits in the language's format, number words,
   vague quantities such as "tientallen", fixed phrases such as "a dozen");
3. drop what is not a figure (times, years, ages, units, money, counters, names);
4. pair ranges ("tussen 40 en 50") and revisions ("van 95 tot ruim 200");
5. give each number a kind from the nearest kind word (head noun first, then
   forward, then backward), a qualifier from the hedge word before it, and the
   sentence-level facts: source, estimate, forecast, denial, superseded, background.

Pure: no Django, no I/O after import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stories.figures.compare import claimant_key
from stories.figures.compiled import COMPILED, Compiled, detect_language
from stories.figures.model import Figure
from stories.figures.numbers import Num, is_not_figure, number_at, parse_word
from stories.figures.sentences import split_sentences
from stories.figures.sources import find_source
from stories.figures.tokens import YEAR_RE, Phrases, Tok, tokenize


@dataclass
class _Found:
    kind: str
    value: int | None
    low: int | None
    high: int | None
    qualifier: str
    magnitude: int | None
    superseded: bool
    token: int


def _has_cue(toks: list[Tok], cue: tuple[Phrases, ...]) -> bool:
    return all(p.anywhere(toks) >= 0 for p in cue)


def _kind_for(
    toks: list[Tok], i: int, j: int, lo: int, hi: int, c: Compiled
) -> str | None:
    """Kind of the number spanning toks[i:j]: head noun, then forward, then back."""
    k = j
    while k < hi and (
        toks[k].type == "punct"
        and toks[k].low not in ";:"
        or toks[k].low in ("de", "of", "d'", "van")
    ):
        k += 1
    for k2 in range(k, hi):
        if toks[k2].low in (";", ":"):
            break
        hit = c.kinds.at(toks, k2)
        if hit:
            after = k2 + hit[0]
            hedge = c.hedges.at(toks, after)
            if hi < len(toks) and after + (hedge[0] if hedge else 0) == hi:
                break  # "..., killing 20": the kind word belongs to the next number
            return hit[1]
    for k2 in range(i - 1, lo - 1, -1):
        if toks[k2].low in (";", ":"):
            break
        hit = c.kinds.at(toks, k2)
        if hit:
            return hit[1]
    return None


def _figures_in(toks: list[Tok], c: Compiled) -> list[_Found]:
    if not any(
        t.type == "num"
        or t.low in c.number_starts
        or (t.type == "word" and parse_word(t.low, c))
        for t in toks
    ):
        return []
    rules = c.rules
    nums: list[Num] = []
    i = 0
    while i < len(toks):
        pron = c.zero_pron.at(toks, i)
        if pron:  # "no one", not the number one
            i += pron[0]
            continue
        n = number_at(toks, i, c)
        if n is None:
            i += 1
            continue
        if not is_not_figure(toks, n, c, 0):
            nums.append(n)
        i = n.j

    # Pair ranges and revisions into groups of one or two numbers.
    groups: list[tuple[Num, Num | None, str]] = []  # (a, b, "single|range|revision")
    changed = any(t.low in rules.change_verbs for t in toks)
    k = 0
    while k < len(nums):
        a = nums[k]
        b = nums[k + 1] if k + 1 < len(nums) else None
        kind = "single"
        if b is not None:
            between = toks[a.j : b.i]
            join = between[0].low if between else ""
            # Whatever follows the join word must be a hedge: "van 95 tot ruim 200".
            hedge_b = c.hedges.at(toks, a.j + 1) if len(between) > 1 else None
            gap = len(between) - (hedge_b[0] if hedge_b else 0)
            before_a = a.i - (h[0] if (h := c.hedges.ending_at(toks, a.i)) else 0)
            if (
                gap == 1
                and c.range_open.ending_at(toks, a.i)
                and join in rules.range_join
            ):
                kind = "range"
            elif (
                gap == 1
                and join in rules.revision_to
                and changed
                and before_a > 0
                and toks[before_a - 1].low in rules.revision_from
            ):
                kind = "revision"
            elif gap == 1 and join in rules.range_bare_join and not hedge_b:
                kind = "range"
        if kind == "single":
            groups.append((a, None, kind))
            k += 1
        else:
            groups.append((a, b, kind))
            k += 2

    estimate = c.estimate.anywhere(toks) >= 0
    forecast_at = c.forecast.anywhere(toks)
    denied = c.denial.anywhere(toks) >= 0
    found: list[_Found] = []
    for g_idx, (a, b, gkind) in enumerate(groups):
        last = b or a
        lo = (
            groups[g_idx - 1][1].j
            if g_idx and groups[g_idx - 1][1]
            else (groups[g_idx - 1][0].j if g_idx else 0)
        )
        hi = groups[g_idx + 1][0].i if g_idx + 1 < len(groups) else len(toks)
        kind = _kind_for(toks, a.i, last.j, lo, hi, c)
        if kind is None or denied or 0 <= forecast_at < a.i:
            continue
        if gkind == "range":
            found.append(
                _Found(kind, a.value, a.value, b.value, "range", None, False, a.i)
            )
            continue
        for n, old in ((a, gkind == "revision"), (b, False)):
            if n is None:
                continue
            hedge = c.hedges.ending_at(toks, n.i)
            qualifier = n.qualifier or (hedge[1] if hedge else "exact")
            if (
                qualifier == "up_to"
                and hedge
                and toks[n.i - hedge[0] - 1 : n.i - hedge[0]]
                and (toks[n.i - hedge[0] - 1].low in rules.change_verbs)
            ):
                qualifier = "exact"  # "opgelopen tot 200": the figure rose to 200
            if qualifier == "exact" and estimate:
                qualifier = "about"
            found.append(
                _Found(kind, n.value, None, None, qualifier, n.magnitude, old, n.i)
            )

    # Zero statements: "geen doden", "no injuries", "aucun blessé", "niemand gewond".
    for idx in range(len(toks)):
        hit = c.zero_det.at(toks, idx)
        if hit:
            kh = c.kinds.at(toks, idx + hit[0])
            if kh:
                found.append(_Found(kh[1], 0, None, None, "exact", None, False, idx))
                continue
        hit = c.zero_pron.at(toks, idx)
        if hit:
            for k2 in range(idx + hit[0], min(len(toks), idx + hit[0] + 5)):
                if toks[k2].type == "punct":
                    break
                kh = c.kinds.at(toks, k2)
                if kh:
                    found.append(
                        _Found(kh[1], 0, None, None, "exact", None, False, idx)
                    )
                    break
    found.sort(key=lambda f: f.token)
    return found


def find_figures(
    text: str, lang: str | None = None, *, reference_year: int | None = None
) -> list[Figure]:
    """Every figure stated in text, in order, each listed once.

    reference_year is the year the text was written in: "in <year>" marks a figure
    as background only for earlier years. Without it every "in <year>" does.
    """
    lang = lang if lang in COMPILED else detect_language(text)
    c = COMPILED[lang]
    sentences = split_sentences(text)
    tokenized = [tokenize(s.text, lang) for s in sentences]
    per_sentence = [_figures_in(t, c) for t in tokenized]
    figures: list[Figure] = []
    seen: set[tuple[Any, ...]] = set()
    for idx, (sent, toks, found) in enumerate(
        zip(sentences, tokenized, per_sentence, strict=True)
    ):
        if not found:
            continue
        source = find_source(toks, c)
        if source is None and idx + 1 < len(sentences):
            nxt = sentences[idx + 1]
            ntoks = tokenized[idx + 1]
            if (
                nxt.paragraph == sent.paragraph
                and not per_sentence[idx + 1]
                and c.next_cues.at(ntoks, 0)
            ):
                source = find_source(ntoks, c)
        superseded = any(_has_cue(toks, cue) for cue in c.superseded)
        background = _mentions_past_year(toks, c, reference_year)
        for f in found:
            fig = Figure(
                kind=f.kind,
                value=f.value,
                low=f.low,
                high=f.high,
                qualifier=f.qualifier,
                attributed_to=source,
                lang=lang,
                superseded=f.superseded or superseded,
                background=background,
                magnitude=f.magnitude,
                sentence=sent.text,
                start=sent.start,
                end=sent.end,
            )
            key = (
                fig.kind,
                fig.value,
                fig.low,
                fig.high,
                fig.qualifier,
                claimant_key(source),
                fig.superseded,
                fig.background,
                fig.magnitude,
            )
            if key not in seen:
                seen.add(key)
                figures.append(fig)
    return figures


def _mentions_past_year(
    toks: list[Tok], c: Compiled, reference_year: int | None
) -> bool:
    """ "in 2017" in the sentence: the figure is about an earlier event."""
    for k, t in enumerate(toks):
        if (
            t.type == "num"
            and YEAR_RE.match(t.text)
            and c.background_preps.ending_at(toks, k)
            # The article's own year (or a later one) is the event being reported.
            and (reference_year is None or int(t.text) < reference_year)
        ):
            return True
    return False
