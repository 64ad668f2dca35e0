"""Figure changes between two versions: revised, added, removed."""

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


_Matcher = Callable[[Figure, list[tuple[int, Figure]]], int | None]


def compare_figures(old: list[Figure], new: list[Figure]) -> list[FigureDelta]:
    """Changes between the current figures of two versions.

    1. Unchanged: same kind and statement, same (then similar) claimant.
    2. Revised: same kind and same claimant, another value.
    3. Revised: an old figure the new text keeps as superseded was replaced by
       the new figure of that kind whose claimant is most alike.
    4. Revised: same kind, similar claimant (or the only figure of its kind on
       both sides, one of them unattributed).
    5. What is left was removed (old) or added (new).
    """
    olds = [f for f in old if f.is_current]
    news = [f for f in new if f.is_current]
    kept_superseded = [f for f in new if f.superseded]
    o_left = dict(enumerate(olds))
    n_left = dict(enumerate(news))
    pairs: list[tuple[int, int]] = []

    def take(match: _Matcher) -> None:
        for oi, o in list(o_left.items()):
            cands = [(ni, n) for ni, n in n_left.items() if n.kind == o.kind]
            best = match(o, cands)
            if best is not None:
                pairs.append((oi, best))
                del o_left[oi]
                del n_left[best]

    def unchanged(exact: bool) -> _Matcher:
        def match(o: Figure, cands: list[tuple[int, Figure]]) -> int | None:
            for ni, n in cands:
                if _same_statement(o, n) and (
                    claimant_key(o.attributed_to) == claimant_key(n.attributed_to)
                    if exact
                    else _claimant_similarity(o.attributed_to, n.attributed_to) > 0
                ):
                    return ni
            return None

        return match

    take(unchanged(True))
    take(unchanged(False))
    unchanged_pairs = set(pairs)

    def same_claimant(o: Figure, cands: list[tuple[int, Figure]]) -> int | None:
        for ni, n in cands:
            if claimant_key(o.attributed_to) == claimant_key(n.attributed_to):
                return ni
        return None

    def most_alike(o: Figure, cands: list[tuple[int, Figure]]) -> int | None:
        if not cands:
            return None
        return max(
            cands,
            key=lambda c: _claimant_similarity(o.attributed_to, c[1].attributed_to),
        )[0]

    def replaced(o: Figure, cands: list[tuple[int, Figure]]) -> int | None:
        if any(
            _same_statement(o, s)
            and _claimant_similarity(o.attributed_to, s.attributed_to) > 0
            for s in kept_superseded
        ):
            return most_alike(o, cands)
        return None

    def similar(o: Figure, cands: list[tuple[int, Figure]]) -> int | None:
        scored = [
            (c, _claimant_similarity(o.attributed_to, c[1].attributed_to))
            for c in cands
        ]
        scored = [x for x in scored if x[1] > 0]
        if scored:
            return max(scored, key=lambda x: x[1])[0][0]
        same_kind_old = [f for f in o_left.values() if f.kind == o.kind]
        if (
            len(cands) == 1
            and len(same_kind_old) == 1
            and (o.attributed_to is None or cands[0][1].attributed_to is None)
        ):
            return cands[0][0]
        return None

    take(same_claimant)
    take(replaced)
    take(similar)

    deltas: list[tuple[tuple[int, int], FigureDelta]] = []
    for oi, ni in pairs:
        if (oi, ni) in unchanged_pairs:
            continue
        o, n = olds[oi], news[ni]
        deltas.append(
            (
                (KINDS.index(o.kind), oi),
                FigureDelta(
                    o.kind,
                    "revised",
                    o.value,
                    n.value,
                    o.qualifier,
                    n.qualifier,
                    n.attributed_to or o.attributed_to,
                ),
            )
        )
    for oi, o in o_left.items():
        deltas.append(
            (
                (KINDS.index(o.kind), oi),
                FigureDelta(
                    o.kind, "removed", o.value, None, o.qualifier, None, o.attributed_to
                ),
            )
        )
    for ni, n in n_left.items():
        deltas.append(
            (
                (KINDS.index(n.kind), len(olds) + ni),
                FigureDelta(
                    n.kind, "added", None, n.value, None, n.qualifier, n.attributed_to
                ),
            )
        )
    deltas.sort(key=lambda x: x[0])
    return [d for _, d in deltas]
