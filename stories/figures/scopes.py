"""How far a sentence's cues reach: clauses, and the denial, forecast, superseded
and background scopes over them.

A segment ends at ";", ":" or a dash; a clause also ends at a comma, a bracket or
a quote. A denial covers its segment up to the words that give the figure the
text keeps ("saying", "volgens"); a forecast covers what follows it in its
segment; a superseded cue covers its clause (or the next one, when its own holds
no number); a past year covers its segment.
"""

from __future__ import annotations

from dataclasses import dataclass

from stories.figures.compiled import Compiled
from stories.figures.tokens import YEAR_RE, Phrases, Tok

SEGMENT_BREAKS = frozenset((";", ":", "—", "–"))
CLAUSE_BREAKS = SEGMENT_BREAKS | frozenset((",", "(", ")", "«", "»", '"', "“", "”"))


@dataclass(frozen=True)
class Layout:
    """Per token: the number of its segment and of its clause, and where each
    segment and clause starts and ends."""

    segment: tuple[int, ...]
    clause: tuple[int, ...]
    segment_spans: tuple[tuple[int, int], ...]  # by segment number
    clause_spans: tuple[tuple[int, int], ...]  # by clause number

    def segment_bounds(self, i: int) -> tuple[int, int]:
        return self.segment_spans[self.segment[i]]

    def clause_bounds(self, i: int) -> tuple[int, int]:
        return self.clause_spans[self.clause[i]]


def layout(toks: list[Tok]) -> Layout:
    segment: list[int] = []
    clause: list[int] = []
    s = k = 0
    for t in toks:
        if t.type == "punct" and t.low in CLAUSE_BREAKS:
            k += 1
            s += t.low in SEGMENT_BREAKS
        segment.append(s)
        clause.append(k)
    return Layout(
        tuple(segment), tuple(clause), _spans(segment, s + 1), _spans(clause, k + 1)
    )


def _spans(ids: list[int], count: int) -> tuple[tuple[int, int], ...]:
    """(first token, one past the last) of each id; (n, n) for an empty one."""
    starts = [len(ids)] * count
    ends = [len(ids)] * count
    for n, x in enumerate(ids):
        if starts[x] == len(ids):
            starts[x] = n
        ends[x] = n + 1
    return tuple(zip(starts, ends, strict=True))


def denied(toks: list[Tok], lay: Layout, c: Compiled) -> list[bool]:
    """Tokens inside a report the text rejects."""
    out = [False] * len(toks)
    for cue, after in _denial_cues(toks, c):
        lo, hi = lay.segment_bounds(cue)
        end = hi
        for k in range(after, hi):
            if c.denial_ends.at(toks, k):
                end = k
                break
        for k in range(lo, end):
            out[k] = True
    return out


def _denial_cues(toks: list[Tok], c: Compiled) -> list[tuple[int, int]]:
    """(where the cue is, where what it denies may end) for every denial cue."""
    cues = (
        [(i, i + n) for i, n, _ in c.denial.hits(toks)]
        if c.denial.may_occur(toks)
        else []
    )
    lows = getattr(toks, "lows", None)
    for verbs, particle in c.denial_split:
        if lows is not None and lows.isdisjoint(verbs):
            continue
        for i, t in enumerate(toks):
            if t.low in verbs:
                k = particle.anywhere(toks, i + 1)
                if k >= 0:
                    cues.append((i, k + 1))
    return cues


def forecast(toks: list[Tok], lay: Layout, c: Compiled) -> list[bool]:
    """Tokens after a forecast cue ("kan oplopen tot", "expected to") in its
    segment, and the clause of a fear ("60 migrants were feared dead")."""
    out = [False] * len(toks)
    i = c.forecast.anywhere(toks)
    while i >= 0:
        _, hi = lay.segment_bounds(i)
        for k in range(i, hi):
            out[k] = True
        i = c.forecast.anywhere(toks, hi)
    i = c.uncertain.anywhere(toks)
    while i >= 0:
        lo, hi = lay.clause_bounds(i)
        for k in range(lo, hi):
            out[k] = True
        i = c.uncertain.anywhere(toks, hi)
    return out


def superseded(toks: list[Tok], lay: Layout, has_number: set[int], c: Compiled):
    """Clauses an "earlier"/"eerder ... nog" cue marks as replaced values."""
    marked: set[int] = set()
    cues = [
        cue
        for cue, gate in zip(c.superseded, c.superseded_gates, strict=True)
        if gate(toks) and _has_all(toks, 0, len(toks), cue)
    ]
    if not cues:
        return marked
    clauses = sorted(set(lay.clause))
    for clause_id in clauses:
        lo, hi = _clause_span(lay, clause_id)
        if any(_has_all(toks, lo, hi, cue) for cue in cues):
            target = clause_id
            if clause_id not in has_number:
                later = [k for k in clauses if k > clause_id and k in has_number]
                target = later[0] if later else clause_id
            marked.add(target)
    return marked


def _clause_span(lay: Layout, clause_id: int) -> tuple[int, int]:
    return lay.clause_spans[clause_id]


def _has_all(toks: list[Tok], lo: int, hi: int, cue: tuple[Phrases, ...]) -> bool:
    return all(p.anywhere(toks, lo, hi) >= 0 for p in cue)


def background_segments(
    toks: list[Tok],
    lay: Layout,
    c: Compiled,
    reference_year: int | None,
    counts: set[int],
) -> set[int]:
    """Segments that name an earlier year: their figures are about that event.

    A year dates an earlier event unless "sinds"/"since" ties it to the count
    (unless "toen"/"when" then names that event), or it sits in a relative clause
    about someone ("vredestroepen, die sinds 2020 ... zijn gestationeerd").
    counts: tokens that are figures ("1500 people"), not years.
    """
    out: set[int] = set()
    for k, t in enumerate(toks):
        if t.type != "num" or k in counts or not YEAR_RE.match(t.text):
            continue
        if reference_year is not None and int(t.text) >= reference_year:
            continue
        lo, _ = lay.clause_bounds(k)
        _, seg_hi = lay.segment_bounds(k)
        since = any(toks[m].low in c.since_words for m in range(lo, k))
        if since and c.when_words.anywhere(toks, k, seg_hi) < 0:
            continue
        if lo and toks[lo].low in _RELATIVES:
            continue
        out.add(lay.segment[k])
    return out


# A clause these open after a comma describes a noun, not the event's time.
_RELATIVES = frozenset(
    ("die", "dat", "wat", "which", "who", "that", "der", "das", "qui", "que", "dont")
)
