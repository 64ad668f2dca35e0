"""What a number counts: the word that carries its kind, wherever it stands.

In order: the head noun and the words after the number ("32 doden", "200 mensen
gewond"), a verb in two parts around it ("pakte ... 63 relschoppers op"), then
the words before it in its clause ("het dodental is opgelopen tot 2.012"), across
commas only when the number is the predicate of a toll ("stands at 31"). And the
precision guard: a count of schools, villages or trains is no figure, and homes
count only as destroyed or damaged.
"""

from __future__ import annotations

from stories.figures.compiled import Compiled
from stories.figures.scopes import SEGMENT_BREAKS, Layout
from stories.figures.tokens import Tok

# Words between a number and its noun: "tientallen (van) mensen", "des milliers de".
_LINKS = frozenset(("de", "of", "d'", "van", "von", "der", "des"))


def kind_for(
    toks: list[Tok], i: int, j: int, window: tuple[int, int], lay: Layout, c: Compiled
) -> str | None:
    """Kind of the number spanning toks[i:j]; window: where its neighbours start."""
    lo, hi = window
    return (
        _kind_after(toks, j, hi, c)
        or _kind_split(toks, i, j, window, lay, c)
        or _kind_before(toks, i, lo, lay, c)
    )


def _kind_after(toks: list[Tok], j: int, hi: int, c: Compiled) -> str | None:
    k = j
    while k < hi and (
        (toks[k].type == "punct" and toks[k].low not in SEGMENT_BREAKS)
        or toks[k].low in _LINKS
    ):
        k += 1
    for k2 in range(k, hi):
        if toks[k2].low in SEGMENT_BREAKS:
            break
        hit = c.kind_at(toks, k2)
        if hit:
            after = k2 + hit[0]
            hedge = c.hedges.at(toks, after)
            if hi < len(toks) and after + (hedge[0] if hedge else 0) == hi:
                return None  # "..., killing 20": the kind word is the next number's
            return hit[1]
    return None


def _kind_split(
    toks: list[Tok], i: int, j: int, window: tuple[int, int], lay: Layout, c: Compiled
) -> str | None:
    """ "pakte de politie 63 relschoppers op", "led 620 pupils out of the school"."""
    lo, hi = window
    seg_lo, seg_hi = lay.segment_bounds(i)
    lo, hi = max(lo, seg_lo), min(hi, seg_hi)
    for verbs, particle, kind in c.split_verbs:
        verb = next((k for k in range(lo, hi) if toks[k].low in verbs), None)
        if verb is None:
            continue
        for k in range(max(j, verb + 1), hi):
            hit = particle.at(toks, k)
            if hit and (not c.rules.particle_last or _closes(toks, k + hit[0])):
                return kind
    return None


# After a separable verb's particle: the clause ends or a phrase begins ("zitten
# 40 mensen vast in hun auto"); a determiner or number means a preposition ("op de
# A28").
_NOT_AFTER_PARTICLE = frozenset(
    ("de", "het", "een", "der", "die", "das", "den", "dem", "des", "ein", "eine")
)


def _closes(toks: list[Tok], k: int) -> bool:
    return k >= len(toks) or (
        toks[k].type != "num" and toks[k].low not in _NOT_AFTER_PARTICLE
    )


def _kind_before(
    toks: list[Tok], i: int, lo: int, lay: Layout, c: Compiled
) -> str | None:
    seg_lo, _ = lay.segment_bounds(i)
    start = max(lo, seg_lo)
    if not _after_prep(toks, i, c.predicate_preps, c):
        start = max(start, lay.clause_bounds(i)[0])
    for k in range(i - 1, start - 1, -1):
        hit = c.kind_at(toks, k)
        if hit:
            return hit[1]
    return None


def _after_prep(toks: list[Tok], i: int, preps: frozenset[str], c: Compiled) -> bool:
    """ "... opgelopen tot 2.012", "put the death toll at 1,204": a prep before it."""
    if i > 0 and toks[i - 1].low in preps:  # "opgelopen tot 61" ("tot" a hedge too)
        return True
    hedge = c.hedges.ending_at(toks, i)
    k = i - hedge[0] if hedge else i
    return k > 0 and toks[k - 1].low in preps


def counts_residents(toks: list[Tok], i: int, lay: Layout, c: Compiled) -> bool:
    """ "In de wijk wonen zo'n 12.000 mensen": a population, not a figure."""
    lo, hi = lay.clause_bounds(i)
    k = c.population.anywhere(toks, lo, hi)
    while k >= 0:
        if not _in_kind_phrase(toks, k, c):
            return True
        k = c.population.anywhere(toks, k + 1, hi)
    return False


def _in_kind_phrase(toks: list[Tok], k: int, c: Compiled) -> bool:
    """ "ums Leben", "1,500 lives": the word belongs to a kind, not to residents."""
    for start in range(max(0, k - 2), k + 1):
        hit = c.kind_at(toks, start)
        if hit and start + hit[0] > k:
            return True
    return False


def head_allows(toks: list[Tok], j: int, kind: str, c: Compiled) -> bool:
    """False when the noun the number counts is not people and not kind's things."""
    k = j
    while k < len(toks) and toks[k].low in _LINKS:
        k += 1
    for step in (0, 1):  # the noun, or an adjective and then the noun
        if k + step >= len(toks) or toks[k + step].type != "word":
            return True
        word = toks[k + step].low
        if c.is_people(word) or c.kind_at(toks, k + step):
            return True
        hit = c.things.at(toks, k + step)
        if hit:
            return kind in hit[1]
    return True


# "the true figure was 37.", "het werkelijke aantal is 12.": a copula before it.
_COPULAS = frozenset(
    ("was", "is", "were", "are", "waren", "ist", "sei", "war", "est", "était")
)


def is_bare_answer(toks: list[Tok], i: int, j: int, c: Compiled) -> bool:
    """ "gaat de politie uit van elf.", "parlaient encore de 6": no noun of its own."""
    ends = j >= len(toks) or (toks[j].type == "punct")
    return ends and (
        _after_prep(toks, i, c.inherit_preps, c) or _after_prep(toks, i, _COPULAS, c)
    )
