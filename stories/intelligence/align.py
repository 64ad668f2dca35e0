"""Sentence alignment: which old sentence became which new one.

align() pairs the sentences of two texts in four passes (kept, moved, edited,
moved and edited) and leaves the rest deleted or added. Its cost is bounded
whatever the page: identical sentences are matched in near-linear time, and the
pairwise similarity passes stop at WORK_BUDGET comparisons, after which what is
left stays deleted/added and the alignment is marked coarse.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from stories import text as textlib

# Two sentences at least this alike (Dice coefficient of their word multisets)
# are one sentence edited; below it, one deleted and another added. A sentence
# that also moved must be more alike, since a far-away match is likelier chance.
EDIT_SIMILARITY = 0.5
MOVE_SIMILARITY = 0.7

# Sentence comparisons one alignment may spend on pairing edited sentences. A
# rewritten 1,000-word article needs a few thousand; a page of 10,000 reworded
# one-liners would need 10^8.
WORK_BUDGET = 250_000
# difflib matches equal sentences in about linear time, but every repeat of a
# sentence ("Read more.") multiplies its work: above this many (old sentence,
# equal new sentence) pairs, unique sentences anchor the alignment first.
MATCH_BUDGET = 50_000

Pairs = dict[int, int]
_Bag = dict[str, int]


@dataclass(frozen=True)
class Alignment:
    """Old sentence index -> new sentence index, per way they were paired."""

    kept: Pairs  # equal and in order
    moved: Pairs  # equal, elsewhere
    edited: Pairs  # alike, in the same gap between kept runs
    moved_edited: Pairs  # alike, elsewhere
    deleted: list[int]  # old sentences left over
    added: list[int]  # new sentences left over
    coarse: bool  # the budget ran out: some alike sentences were not paired


def align(old: Sequence[str], new: Sequence[str]) -> Alignment:
    """Pair the sentences of two texts.

    1. Sentences equal in text and in order are kept.
    2. An unkept sentence whose exact text appears unkept on the other side
       moved.
    3. Within each gap between kept runs, old and new sentences are paired for
       the greatest total similarity (at least EDIT_SIMILARITY): edited.
    4. What is left is paired across gaps when at least MOVE_SIMILARITY alike:
       moved and edited.
    Passes 3 and 4 share WORK_BUDGET comparisons; a gap (or pass 4) that would
    take more than what is left of it is skipped, and the alignment is coarse.
    """
    kept = _keep_equal(old, new)
    kept_new = set(kept.values())
    old_left = [i for i in range(len(old)) if i not in kept]
    new_left = [j for j in range(len(new)) if j not in kept_new]
    moved = _pair_equal(old_left, new_left, old, new)
    moved_new = set(moved.values())
    bags = _Bags(
        {i: _bag(old[i]) for i in old_left if i not in moved},
        {j: _bag(new[j]) for j in new_left if j not in moved_new},
    )
    budget = _Budget(WORK_BUDGET)
    edited = _pair_gaps(_gaps(kept, len(old), len(new)), bags, budget)
    moved_edited = _pair_rest(edited, bags, budget)
    paired_old = set(moved) | set(edited) | set(moved_edited)
    paired_new = {*moved.values(), *edited.values(), *moved_edited.values()}
    return Alignment(
        kept=kept,
        moved=moved,
        edited=edited,
        moved_edited=moved_edited,
        deleted=[i for i in old_left if i not in paired_old],
        added=[j for j in new_left if j not in paired_new],
        coarse=budget.exceeded,
    )


@dataclass
class _Budget:
    """Sentence comparisons left; exceeded once something had to be skipped."""

    left: int
    exceeded: bool = False

    def spend(self, cost: int) -> bool:
        if cost <= self.left:
            self.left -= cost
            return True
        self.exceeded = True
        return False


@dataclass(frozen=True)
class _Bags:
    """Word multisets of the sentences still unpaired after pass 2."""

    old: dict[int, _Bag]
    new: dict[int, _Bag]


def _pair_gaps(
    gaps: list[tuple[int, int, int, int]], bags: _Bags, budget: _Budget
) -> Pairs:
    """Pass 3 over each gap the budget allows."""
    edited: Pairs = {}
    for i1, i2, j1, j2 in gaps:
        olds = [i for i in range(i1, i2) if i in bags.old]
        news = [j for j in range(j1, j2) if j in bags.new]
        if budget.spend(len(olds) * len(news)):
            edited.update(_pair_in_order(olds, news, bags))
    return edited


def _pair_rest(edited: Pairs, bags: _Bags, budget: _Budget) -> Pairs:
    """Pass 4 over what pass 3 left, if the budget allows it."""
    taken = set(edited.values())
    rest_old = [i for i in bags.old if i not in edited]
    rest_new = [j for j in bags.new if j not in taken]
    if not budget.spend(len(rest_old) * len(rest_new)):
        return {}
    return _pair_best(rest_old, rest_new, bags)


def _keep_equal(old: Sequence[str], new: Sequence[str]) -> Pairs:
    """Equal sentences in order: difflib's matching blocks over whole sentences,
    or, where repeated sentences would make that slow, unique anchors first
    (see _anchor) and difflib between them."""
    kept: Pairs = {}
    stack = [(0, len(old), 0, len(new))]
    while stack:
        i1, i2, j1, j2 = stack.pop()
        if _match_cost(old[i1:i2], new[j1:j2]) <= MATCH_BUDGET:
            matcher = SequenceMatcher(None, old[i1:i2], new[j1:j2], autojunk=False)
            for block in matcher.get_matching_blocks():
                for k in range(block.size):
                    kept[i1 + block.a + k] = j1 + block.b + k
            continue
        anchors = _anchor(old, new, i1, i2, j1, j2)
        kept.update(anchors)
        bounds = [(i1 - 1, j1 - 1), *sorted(anchors.items()), (i2, j2)]
        for (a, b), (c, d) in zip(bounds, bounds[1:], strict=False):
            if c - a > 1 and d - b > 1 and len(anchors):
                stack.append((a + 1, c, b + 1, d))
    return kept


def _match_cost(old: Sequence[str], new: Sequence[str]) -> int:
    """How many (old, new) pairs of equal sentences there are."""
    counts: dict[str, int] = {}
    for sentence in new:
        counts[sentence] = counts.get(sentence, 0) + 1
    return sum(counts.get(sentence, 0) for sentence in old)


def _anchor(
    old: Sequence[str], new: Sequence[str], i1: int, i2: int, j1: int, j2: int
) -> Pairs:
    """Patience anchors of old[i1:i2] and new[j1:j2]: sentences that occur once
    on each side, kept where they stay in order (longest increasing run), then
    grown over the equal sentences right before and after each one."""
    seen_old: dict[str, int] = {}
    for i in range(i1, i2):
        seen_old[old[i]] = -1 if old[i] in seen_old else i
    seen_new: dict[str, int] = {}
    for j in range(j1, j2):
        seen_new[new[j]] = -1 if new[j] in seen_new else j
    unique = [
        (i, seen_new[s])
        for s, i in seen_old.items()
        if i >= 0 and seen_new.get(s, -1) >= 0
    ]
    unique.sort()
    anchors = dict(_increasing(unique))
    for i, j in list(anchors.items()):
        a, b = i + 1, j + 1
        while a < i2 and b < j2 and a not in anchors and old[a] == new[b]:
            anchors[a] = b
            a, b = a + 1, b + 1
        a, b = i - 1, j - 1
        while a >= i1 and b >= j1 and a not in anchors and old[a] == new[b]:
            anchors[a] = b
            a, b = a - 1, b - 1
    return anchors


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of pairs (sorted by their first item) whose second items
    increase too (patience sorting, n log n)."""
    tails: list[int] = []  # second item ending the best run of each length
    ends: list[int] = []  # index in pairs of that run's last pair
    back = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tails, j)
        back[n] = ends[k - 1] if k else -1
        if k == len(tails):
            tails.append(j)
            ends.append(n)
        else:
            tails[k], ends[k] = j, n
    run, n = [], ends[-1] if ends else -1
    while n >= 0:
        run.append(pairs[n])
        n = back[n]
    return run[::-1]


def _gaps(kept: Pairs, n_old: int, n_new: int) -> list[tuple[int, int, int, int]]:
    """(i1, i2, j1, j2) of each stretch between kept sentences where either side
    has something: difflib's non-equal opcodes."""
    bounds = [(-1, -1), *sorted(kept.items()), (n_old, n_new)]
    return [
        (a + 1, c, b + 1, d)
        for (a, b), (c, d) in zip(bounds, bounds[1:], strict=False)
        if c - a > 1 or d - b > 1
    ]


def _pair_equal(
    old_left: list[int], new_left: list[int], old: Sequence[str], new: Sequence[str]
) -> Pairs:
    """Unkept sentences with the same text on both sides, first come first
    paired: moved."""
    moved: Pairs = {}
    waiting: dict[str, list[int]] = {}
    for i in old_left:
        waiting.setdefault(old[i], []).append(i)
    for j in new_left:
        candidates = waiting.get(new[j])
        if candidates:
            moved[candidates.pop(0)] = j
    return moved


def _bag(text: str) -> _Bag:
    bag: _Bag = {}
    for word in textlib.WORD.findall(text.lower()):
        bag[word] = bag.get(word, 0) + 1
    return bag


def _similarity(a: _Bag, b: _Bag) -> float:
    """Dice coefficient of two word multisets."""
    total = sum(a.values()) + sum(b.values())
    if not total:
        return 0.0
    common = sum(min(n, b.get(w, 0)) for w, n in a.items())
    return 2 * common / total


def _pair_in_order(olds: list[int], news: list[int], bags: _Bags) -> Pairs:
    """Order-keeping pairs of similar sentences with the greatest total
    similarity (a weighted LCS over one gap)."""
    if not olds or not news:
        return {}
    sim = [[_similarity(bags.old[i], bags.new[j]) for j in news] for i in olds]
    rows, cols = len(olds), len(news)
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for r in range(rows - 1, -1, -1):
        for c in range(cols - 1, -1, -1):
            s = sim[r][c]
            take = best[r + 1][c + 1] + s if s >= EDIT_SIMILARITY else -1.0
            best[r][c] = max(take, best[r + 1][c], best[r][c + 1])
    pairs, r, c = {}, 0, 0
    while r < rows and c < cols:
        s = sim[r][c]
        if s >= EDIT_SIMILARITY and best[r][c] == best[r + 1][c + 1] + s:
            pairs[olds[r]] = news[c]
            r, c = r + 1, c + 1
        elif best[r][c] == best[r + 1][c]:
            r += 1
        else:
            c += 1
    return pairs


def _pair_best(olds: list[int], news: list[int], bags: _Bags) -> Pairs:
    """Greedy most-alike pairs across the whole text (moved and edited)."""
    scored = sorted(
        (
            (s, i, j)
            for i in olds
            for j in news
            if (s := _similarity(bags.old[i], bags.new[j])) >= MOVE_SIMILARITY
        ),
        reverse=True,
    )
    pairs: Pairs = {}
    used: set[int] = set()
    for _, i, j in scored:
        if i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs
