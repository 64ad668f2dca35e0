"""Figure history per claim: what a version currently claims, and how that
changed from the previous version (revised, added, removed).

A claim is one kind as one claimant states it. In one text the first mention is
the current value: a live blog puts its newest entry on top and leaves older
totals quoted further down, and an article's lede carries the latest figure. A
later mention of the same kind by the same (or a similar, or no) claimant is an
earlier value, not a second claim, so a new total reads as a revision
("4,350 -> 4,550"), never as an addition plus a removal.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stories.figures.model import Figure, FigureDelta
from stories.figures.rules import KINDS

_CLAIMANT_FILLER = frozenset(("a", "an", "the", "of", "in", "for", "from"))


def _claimant_tokens(claimant: str | None) -> tuple[str, ...]:
    if not claimant:
        return ()
    words = re.findall(r"\w+", claimant.lower().replace("'s", ""))
    return tuple(w for w in words if w not in _CLAIMANT_FILLER)


def claimant_key(claimant: str | None) -> str:
    return " ".join(_claimant_tokens(claimant))


def _claimant_similarity(a: str | None, b: str | None) -> float:
    """Share of words in common, "Armenia" matching "Armenian" by prefix."""
    ta, tb = _claimant_tokens(a), _claimant_tokens(b)
    if not ta or not tb:
        return 1.0 if ta == tb else 0.0
    hits = sum(
        1
        for x in ta
        if any(
            x == y
            or (min(len(x), len(y)) >= 4 and (x.startswith(y) or y.startswith(x)))
            for y in tb
        )
    )
    return hits / max(len(ta), len(tb))


def _same_statement(a: Figure, b: Figure) -> bool:
    return (a.kind, a.value, a.low, a.high, a.qualifier, a.magnitude) == (
        b.kind,
        b.value,
        b.low,
        b.high,
        b.qualifier,
        b.magnitude,
    )


def current_claims(found: list[Figure]) -> list[Figure]:
    """The current figure of each claim, in text order (superseded and
    background figures never are)."""
    claims: list[Figure] = []
    for f in found:
        if f.is_current and not any(_same_claim(c, f) for c in claims):
            claims.append(f)
    return claims


def _same_claim(a: Figure, b: Figure) -> bool:
    return a.kind == b.kind and (
        a.attributed_to is None
        or b.attributed_to is None
        or _claimant_similarity(a.attributed_to, b.attributed_to) > 0
    )


class _Pairing:
    """Old and new claims not yet paired, and the pairs found so far."""

    def __init__(self, olds: list[Figure], news: list[Figure]) -> None:
        self.olds, self.news = olds, news
        self.old_left = dict(enumerate(olds))
        self.new_left = dict(enumerate(news))
        self.pairs: list[tuple[int, int]] = []

    def take(self, match: Callable[[Figure, list[tuple[int, Figure]]], int | None]):
        for oi, o in list(self.old_left.items()):
            cands = [(ni, n) for ni, n in self.new_left.items() if n.kind == o.kind]
            best = match(o, cands)
            if best is not None:
                self.pairs.append((oi, best))
                del self.old_left[oi]
                del self.new_left[best]


def compare_figures(old: list[Figure], new: list[Figure]) -> list[FigureDelta]:
    """Changes between the current claims of two versions.

    1. Unchanged: same kind and statement, same (then similar) claimant.
    2. Revised: same kind and same claimant, another value.
    3. Revised: an old claim the new text keeps as superseded was replaced by
       the new claim of that kind whose claimant is most alike.
    4. Revised: same kind, similar claimant (or the only claim of its kind on
       both sides, one of them unattributed).
    5. What is left was removed (old) or added (new).
    """
    p = _Pairing(current_claims(old), current_claims(new))
    kept_superseded = [f for f in new if f.superseded]
    p.take(lambda o, cands: _unchanged(o, cands, exact=True))
    p.take(lambda o, cands: _unchanged(o, cands, exact=False))
    unchanged = set(p.pairs)
    p.take(_same_claimant)
    p.take(lambda o, cands: _replaced(o, cands, kept_superseded))
    p.take(lambda o, cands: _similar(o, cands, p.old_left.values()))
    deltas = [
        ((KINDS.index(p.olds[oi].kind), oi), _revised(p.olds[oi], p.news[ni]))
        for oi, ni in p.pairs
        if (oi, ni) not in unchanged
    ]
    deltas += [((KINDS.index(o.kind), oi), _removed(o)) for oi, o in p.old_left.items()]
    deltas += [
        ((KINDS.index(n.kind), len(p.olds) + ni), _added(n))
        for ni, n in p.new_left.items()
    ]
    deltas.sort(key=lambda x: x[0])
    return [d for _, d in deltas]


def _unchanged(o: Figure, cands: list[tuple[int, Figure]], exact: bool) -> int | None:
    for ni, n in cands:
        if _same_statement(o, n) and (
            claimant_key(o.attributed_to) == claimant_key(n.attributed_to)
            if exact
            else _claimant_similarity(o.attributed_to, n.attributed_to) > 0
        ):
            return ni
    return None


def _same_claimant(o: Figure, cands: list[tuple[int, Figure]]) -> int | None:
    for ni, n in cands:
        if claimant_key(o.attributed_to) == claimant_key(n.attributed_to):
            return ni
    return None


def _most_alike(o: Figure, cands: list[tuple[int, Figure]]) -> int | None:
    if not cands:
        return None
    return max(
        cands, key=lambda c: _claimant_similarity(o.attributed_to, c[1].attributed_to)
    )[0]


def _replaced(
    o: Figure, cands: list[tuple[int, Figure]], kept_superseded: list[Figure]
) -> int | None:
    if any(
        _same_statement(o, s)
        and _claimant_similarity(o.attributed_to, s.attributed_to) > 0
        for s in kept_superseded
    ):
        return _most_alike(o, cands)
    return None


def _similar(o: Figure, cands: list[tuple[int, Figure]], old_left) -> int | None:
    scored = [
        (c, _claimant_similarity(o.attributed_to, c[1].attributed_to)) for c in cands
    ]
    scored = [x for x in scored if x[1] > 0]
    if scored:
        return max(scored, key=lambda x: x[1])[0][0]
    same_kind_old = [f for f in old_left if f.kind == o.kind]
    if (
        len(cands) == 1
        and len(same_kind_old) == 1
        and (o.attributed_to is None or cands[0][1].attributed_to is None)
    ):
        return cands[0][0]
    return None


def _revised(o: Figure, n: Figure) -> FigureDelta:
    return FigureDelta(
        o.kind, "revised", o.value, n.value, o.qualifier, n.qualifier,
        n.attributed_to or o.attributed_to,
    )  # fmt: skip


def _removed(o: Figure) -> FigureDelta:
    return FigureDelta(
        o.kind, "removed", o.value, None, o.qualifier, None, o.attributed_to
    )


def _added(n: Figure) -> FigureDelta:
    return FigureDelta(
        n.kind, "added", None, n.value, None, n.qualifier, n.attributed_to
    )
