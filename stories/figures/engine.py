"""Figures in a text: the engine that applies the per-language tables.

One sentence at a time:

1. split the text into paragraphs and sentences, a sentence into tokens, and
   the tokens into segments and clauses (scopes.py);
2. find number expressions (numbers.py) and drop what is not a figure (times,
   years, ages, units, money, counters, names, populations);
3. pair ranges ("tussen 40 en 50") and revisions ("van 95 tot ruim 200");
4. give each number a kind from the word that carries it in its clause
   (kinds.py), a qualifier from the hedge word before it, and the facts of its
   scope: denied, forecast, superseded, background;
5. a number with no kind of its own that answers or replaces another ("up from
   29", "uit van elf") takes the kind of the figure it answers.

Pure: no Django, no I/O after import.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from stories import text as text_split
from stories.figures import kinds, scopes
from stories.figures.compare import claimant_key
from stories.figures.compiled import COMPILED, Compiled, detect_language
from stories.figures.model import Figure
from stories.figures.numbers import Num, is_not_figure, number_at, parse_word
from stories.figures.sources import find_source
from stories.figures.tokens import Tok, Tokens, tokenize


@dataclass(frozen=True)
class _Found:
    kind: str | None
    value: int | None
    low: int | None
    high: int | None
    qualifier: str
    magnitude: int | None
    superseded: bool
    background: bool
    token: int
    answers: bool = False  # a bare number that may take another figure's kind


@dataclass(frozen=True)
class _Group:
    """One number, or two read together: a range or a revision (old, new)."""

    a: Num
    b: Num | None
    how: str  # single | range | revision

    @property
    def start(self) -> int:
        return self.a.i

    @property
    def end(self) -> int:
        return (self.b or self.a).j


@dataclass(frozen=True)
class _Sentence:
    toks: list[Tok]
    lay: scopes.Layout
    denied: list[bool]
    forecast: list[bool]
    superseded: set[int]  # clause ids
    background: set[int]  # segment ids
    estimate: bool  # "naar schatting", "estimated": exact values become "about"


# --------------------------------------------------------------------------
# Numbers and groups


def _numbers(toks: list[Tok], c: Compiled) -> list[Num]:
    nums: list[Num] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.type != "num" and (
            t.type != "word"
            or (t.low not in c.number_starts and not parse_word(t.low, c))
        ):
            i += 1
            continue
        pron = c.zero_pron.at(toks, i)
        if pron:  # "no one", not the number one
            i += pron[0]
            continue
        n = number_at(toks, i, c)
        if n is None:
            i += 1
            continue
        if not is_not_figure(toks, n, c):
            nums.append(n)
        i = n.j
    return nums


def _groups(nums: list[Num], toks: list[Tok], c: Compiled) -> list[_Group]:
    groups: list[_Group] = []
    changed = any(t.low in c.change_verbs for t in toks)
    k = 0
    while k < len(nums):
        a = nums[k]
        b = nums[k + 1] if k + 1 < len(nums) else None
        how = _pairing(a, b, toks, changed, c) if b is not None else "single"
        if how == "single":
            groups.append(_Group(a, None, how))
            k += 1
        else:
            groups.append(_Group(a, b, how))
            k += 2
    return groups


def _pairing(a: Num, b: Num, toks: list[Tok], changed: bool, c: Compiled) -> str:
    """ "range" for "tussen 40 en 50", "revision" for "van 95 tot ruim 200"."""
    rules = c.rules
    between = toks[a.j : b.i]
    join = between[0].low if between else ""
    # Whatever follows the join word must be a hedge: "van 95 tot ruim 200".
    hedge_b = c.hedges.at(toks, a.j + 1) if len(between) > 1 else None
    if len(between) - (hedge_b[0] if hedge_b else 0) != 1:
        return "single"
    if c.range_open.ending_at(toks, a.i) and join in rules.range_join:
        return "range"
    before_a = a.i - (h[0] if (h := c.hedges.ending_at(toks, a.i)) else 0)
    if (
        join in rules.revision_to
        and changed
        and before_a > 0
        and toks[before_a - 1].low in rules.revision_from
    ):
        return "revision"
    if join in rules.range_bare_join and not hedge_b:
        return "range"
    return "single"


# --------------------------------------------------------------------------
# One sentence


def _scan(
    toks: Tokens, c: Compiled, reference_year: int | None
) -> tuple[_Sentence | None, list[_Group]]:
    nums = _numbers(toks, c)
    groups = _groups(nums, toks, c)
    if not groups and toks.lows.isdisjoint(c.number_starts):
        return None, groups  # no number and no zero statement ("geen doden")
    lay = scopes.layout(toks)
    has_number = {lay.clause[g.start] for g in groups}
    s = _Sentence(
        toks,
        lay,
        scopes.denied(toks, lay, c),
        scopes.forecast(toks, lay, c),
        scopes.superseded(toks, lay, has_number, c),
        scopes.background_segments(
            toks, lay, c, reference_year, {n.i for n in nums if not n.is_year}
        ),
        c.estimate.anywhere(toks) >= 0,
    )
    return s, groups


def _figures_in(
    toks: Tokens, c: Compiled, reference_year: int | None, prev_kind: str | None
) -> list[_Found]:
    s, groups = _scan(toks, c, reference_year)
    if s is None:
        return []
    zeros = _zero_statements(s, c)
    found: list[_Found] = []
    for g in groups:
        if kinds.counts_residents(toks, g.start, s.lay, c):
            continue
        window = _window(g, groups, zeros, len(toks))
        kind = kinds.kind_for(toks, g.start, g.end, window, s.lay, c)
        if kind is not None and not kinds.head_allows(toks, g.end, kind, c):
            continue
        found.extend(_found_in_group(g, kind, s, c))
    # Denied and forecast figures still lend their kind to the answer ("saying the
    # true figure was 37"); then they go.
    found = _inherit_kinds(found, prev_kind)
    found = [f for f in found if not (s.denied[f.token] or s.forecast[f.token])]
    return [f for f in sorted(found + zeros, key=lambda f: f.token) if f.kind]


def _window(
    g: _Group, groups: list[_Group], zeros: list[_Found], n: int
) -> tuple[int, int]:
    """From the end of the number before g to the start of the one after it (a
    zero statement counts as one): where g's kind word may stand."""
    starts = [x.start for x in groups] + [z.token for z in zeros]
    ends = [x.end for x in groups] + [z.token for z in zeros]
    lo = max([e for e in ends if e <= g.start] + [0])
    hi = min([b for b in starts if b > g.start] + [n])
    return lo, hi


def _found_in_group(g: _Group, kind: str | None, s: _Sentence, c: Compiled):
    toks = s.toks
    background = s.lay.segment[g.start] in s.background
    if g.how == "range" and g.b is not None:
        a, b = g.a, g.b
        yield _Found(kind, a.value, a.value, b.value, "range", None, False,
                     background, a.i)  # fmt: skip
        return
    for n, old in ((g.a, g.how == "revision"), (g.b, False)):
        if n is None:
            continue
        superseded = old or _is_superseded(n, s, c)
        answers = kind is None and (
            superseded
            or kinds.is_bare_answer(toks, n.i, n.j, c)
            or (any(s.denied) and not s.denied[n.i])  # "noemt ... onjuist: het
        )  # gaat om twaalf mensen" answers the denied figure
        yield _Found(
            kind, n.value, None, None, _qualifier(toks, n, s.estimate, c),
            n.magnitude, superseded, background, n.i, answers,
        )  # fmt: skip


def _qualifier(toks: list[Tok], n: Num, estimate: bool, c: Compiled) -> str:
    hedge = c.hedges.ending_at(toks, n.i)
    qualifier = n.qualifier or (hedge[1] if hedge else "exact")
    if qualifier == "up_to" and hedge:
        before = n.i - hedge[0] - 1
        if before >= 0 and toks[before].low in c.change_verbs:
            qualifier = "exact"  # "opgelopen tot 200": the figure rose to 200
    if qualifier == "exact" and estimate:
        qualifier = "about"
    return qualifier


def _is_superseded(n: Num, s: _Sentence, c: Compiled) -> bool:
    """In a clause an "earlier" cue marks, after "up from"/"et non", or the
    "from" value of a change ("revised to 61 from 44")."""
    toks = s.toks
    k = n.i
    if k > 0 and toks[k - 1].low in c.predicate_preps and _changed(toks, c):
        return False  # "revised down to 48": the value a change arrives at
    if s.lay.clause[n.i] in s.superseded:
        return True
    hedge = c.hedges.ending_at(toks, k)
    k -= hedge[0] if hedge else 0
    if k > 0 and toks[k - 1].low in ("the", "de", "het", "le", "la", "les", "die"):
        k -= 1
    if c.replaced.ending_at(toks, k):
        return True
    return k > 0 and toks[k - 1].low in c.rules.revision_from and _changed(toks, c)


def _changed(toks: list[Tok], c: Compiled) -> bool:
    return any(t.low in c.change_verbs for t in toks)


def _inherit_kinds(found: list[_Found], prev_kind: str | None) -> list[_Found]:
    """A replaced or answering number takes the kind of the nearest figure."""
    out = []
    for f in found:
        if f.kind is None and f.answers:
            earlier = [g for g in found if g.kind and g.token < f.token]
            later = [g for g in found if g.kind and g.token > f.token]
            near = earlier[-1] if earlier else (later[0] if later else None)
            kind = near.kind if near else prev_kind
            if kind is not None:
                f = replace(f, kind=kind)
        out.append(f)
    return out


def _zero_statements(s: _Sentence, c: Compiled) -> list[_Found]:
    """ "geen doden", "no injuries", "aucun décès", "verletzt wurde niemand"."""
    toks = s.toks
    out = []
    for idx, t in enumerate(toks):
        if s.denied[idx] or t.low not in c.number_starts:
            continue
        hit = c.zero_det.at(toks, idx)
        if hit:
            kh = c.kind_at(toks, idx + hit[0])
            if kh:
                out.append(_zero(kh[1], idx))
                continue
        hit = c.zero_pron.at(toks, idx)
        if hit:
            kind = _kind_near_pronoun(toks, idx, idx + hit[0], s.lay, c)
            if kind:
                out.append(_zero(kind, idx))
    return out


def _zero(kind: str, token: int) -> _Found:
    return _Found(kind, 0, None, None, "exact", None, False, False, token)


def _kind_near_pronoun(
    toks: list[Tok], i: int, j: int, lay: scopes.Layout, c: Compiled
) -> str | None:
    """ "no one was hurt" (after), "verletzt wurde bislang niemand" (before)."""
    for k in range(j, min(len(toks), j + 5)):
        if toks[k].type == "punct":
            break
        kh = c.kind_at(toks, k)
        if kh:
            return kh[1]
    lo, _ = lay.clause_bounds(i)
    for k in range(i - 1, max(lo, i - 5) - 1, -1):
        kh = c.kind_at(toks, k)
        if kh:
            return kh[1]
    return None


# --------------------------------------------------------------------------
# The text


def find_figures(
    text: str, lang: str | None = None, *, reference_year: int | None = None
) -> list[Figure]:
    """Every figure stated in text, in order, each listed once.

    reference_year is the year the text was written in: a year named with a
    figure marks it as background only for earlier years. Without it every
    named year does.
    """
    lang = lang if lang in COMPILED else detect_language(text)
    c = COMPILED[lang]
    sentences = text_split.sentences(text, lang)
    raw = [text[s.start : s.end] for s in sentences]
    tokenized = [tokenize(r, lang) for r in raw]
    per_sentence: list[list[_Found]] = []
    prev_kind: str | None = None
    for idx, toks in enumerate(tokenized):
        if idx and sentences[idx].paragraph != sentences[idx - 1].paragraph:
            prev_kind = None
        found = _figures_in(toks, c, reference_year, prev_kind)
        per_sentence.append(found)
        prev_kind = found[-1].kind if found else prev_kind
    figures: list[Figure] = []
    seen: set[tuple[Any, ...]] = set()
    for idx, found in enumerate(per_sentence):
        if not found:
            continue
        source = _source_for(idx, sentences, tokenized, per_sentence, c)
        sent = sentences[idx]
        for f in found:
            fig = Figure(
                kind=f.kind or "",
                value=f.value,
                low=f.low,
                high=f.high,
                qualifier=f.qualifier,
                attributed_to=source,
                lang=lang,
                superseded=f.superseded,
                background=f.background,
                magnitude=f.magnitude,
                sentence=raw[idx],
                start=sent.start,
                end=sent.end,
            )
            key = (*_statement(fig), claimant_key(source))
            if key not in seen:
                seen.add(key)
                figures.append(fig)
    return figures


def _statement(f: Figure) -> tuple[Any, ...]:
    return (f.kind, f.value, f.low, f.high, f.qualifier, f.superseded,
            f.background, f.magnitude)  # fmt: skip


def _source_for(idx, sentences, tokenized, per_sentence, c: Compiled) -> str | None:
    """The sentence's source, or one named by the next sentence ("Dat meldt ...")."""
    source = find_source(tokenized[idx], c)
    if source is None and idx + 1 < len(sentences):
        ntoks = tokenized[idx + 1]
        if (
            sentences[idx + 1].paragraph == sentences[idx].paragraph
            and not per_sentence[idx + 1]
            and c.next_cues.at(ntoks, 0)
        ):
            source = find_source(ntoks, c)
    return source
