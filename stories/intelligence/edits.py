"""Edit classification: align two texts sentence by sentence and name each
edit (sentence added, deleted, edited, moved; paragraph added, removed, moved,
split, merged), with diffing's word-level ops for edited sentences.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher
from typing import Any

from stories import diffing, figures
from stories import text as textlib

# Edit kinds, in the order describe() lists them.
ADDED, DELETED, EDITED, MOVED = "added", "deleted", "edited", "moved"
PARAGRAPH_ADDED, PARAGRAPH_REMOVED = "paragraph_added", "paragraph_removed"
PARAGRAPH_MOVED = "paragraph_moved"
PARAGRAPH_SPLIT, PARAGRAPH_MERGED = "paragraph_split", "paragraph_merged"

# What an edited sentence's word diff amounts to, from least to most telling.
WHITESPACE, PUNCTUATION, TYPO, NUMBER, WORDING = (
    "whitespace",
    "punctuation",
    "typo",
    "number",
    "wording",
)

# Two sentences at least this alike (Dice coefficient of their word multisets)
# are one sentence edited; below it, one deleted and another added. A sentence
# that also moved must be more alike, since a far-away match is likelier chance.
EDIT_SIMILARITY = 0.5
MOVE_SIMILARITY = 0.7


_DIGIT = re.compile(r"\d")


def _sentences(body: str, lang: str) -> tuple[list[textlib.Sentence], list[list[int]]]:
    """All sentences of a text, and the sentence positions of each paragraph."""
    out = textlib.sentences(body, lang)
    by_paragraph: list[list[int]] = []
    for sentence in out:
        if sentence.paragraph == len(by_paragraph):
            by_paragraph.append([])
        by_paragraph[-1].append(sentence.position)
    return out, by_paragraph


@dataclass(frozen=True)
class SentenceEdit:
    """One classified edit. Paragraph and sentence numbers count from 0; the
    old_* fields are None for what was added, the new_* ones for what went."""

    kind: str
    old_paragraph: int | None
    old_sentence: int | None
    new_paragraph: int | None
    new_sentence: int | None
    old_text: str | None
    new_text: str | None
    # diffing's word ops ((op, text), ...) for an edited (or moved and edited)
    # sentence; empty otherwise.
    ops: tuple[tuple[str, str], ...] = ()
    # For edited sentences: punctuation | typo | number | wording.
    nature: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        d = asdict(self)
        d["ops"] = [list(op) for op in self.ops]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SentenceEdit:
        """Inverse of to_dict."""
        return cls(**{**d, "ops": tuple(tuple(op) for op in d.get("ops", ()))})


@dataclass(frozen=True)
class EditReport:
    """Every classified edit between two texts, in reading order of the new
    text, and how many there are of each kind."""

    edits: tuple[SentenceEdit, ...]
    sentences_added: int = 0
    sentences_deleted: int = 0
    sentences_edited: int = 0
    sentences_moved: int = 0
    paragraphs_added: int = 0
    paragraphs_removed: int = 0
    paragraphs_moved: int = 0
    paragraphs_reflowed: int = 0  # split in two or merged into one
    old_sentences: int = 0
    new_sentences: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.edits)

    def counts(self) -> dict[str, int]:
        """The counters by name, zeros included."""
        d = asdict(self)
        del d["edits"]
        return d

    def describe(self) -> str:
        """One line such as "2 sentences added, 1 moved, 1 edited"."""
        groups = (
            (
                "sentence",
                (
                    ("added", self.sentences_added),
                    ("deleted", self.sentences_deleted),
                    ("moved", self.sentences_moved),
                    ("edited", self.sentences_edited),
                ),
            ),
            (
                "paragraph",
                (
                    ("added", self.paragraphs_added),
                    ("removed", self.paragraphs_removed),
                    ("moved", self.paragraphs_moved),
                    ("split or merged", self.paragraphs_reflowed),
                ),
            ),
        )
        parts = []
        for noun, counts in groups:
            first = True
            for verb, n in counts:
                if not n:
                    continue
                if first:
                    parts.append(f"{n} {noun}{'' if n == 1 else 's'} {verb}")
                    first = False
                else:
                    parts.append(f"{n} {verb}")
        return ", ".join(parts) if parts else "no text change"

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict: edits, counts and the one-line summary."""
        return {
            "edits": [e.to_dict() for e in self.edits],
            "counts": self.counts(),
            "summary": self.describe(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EditReport:
        """Inverse of to_dict."""
        edits = tuple(SentenceEdit.from_dict(e) for e in d.get("edits", ()))
        return cls(edits=edits, **d.get("counts", {}))


def classify_edits(old_text: str, new_text: str, lang: str = "") -> EditReport:
    """Align two texts sentence by sentence and classify every edit.

    1. Sentences equal in text and in order are kept (difflib's matching
       blocks over whole sentences); kept sentences whose paragraph break
       changed are a paragraph split or merge.
    2. An unkept sentence whose exact text appears unkept on the other side
       moved.
    3. Within each gap between kept runs, old and new sentences are paired for
       the greatest total similarity (at least EDIT_SIMILARITY): edited.
    4. What is left is paired across gaps when at least MOVE_SIMILARITY alike:
       moved and edited.
    5. The rest was deleted or added; a paragraph all of whose sentences were
       added (removed, moved together) is one paragraph edit.
    """
    lang = lang or figures.detect_language(new_text or old_text)
    old, old_paragraphs = _sentences(old_text, lang)
    new, new_paragraphs = _sentences(new_text, lang)
    old_keys = [s.text for s in old]
    new_keys = [s.text for s in new]

    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    kept: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            kept[block.a + k] = block.b + k
    gaps = [
        (i1, i2, j1, j2)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]

    old_left = [i for i in range(len(old)) if i not in kept]
    kept_new = set(kept.values())
    new_left = [j for j in range(len(new)) if j not in kept_new]

    moved: dict[int, int] = {}
    waiting: dict[str, list[int]] = {}
    for i in old_left:
        waiting.setdefault(old_keys[i], []).append(i)
    for j in new_left:
        candidates = waiting.get(new_keys[j])
        if candidates:
            moved[candidates.pop(0)] = j

    edited: dict[int, int] = {}
    bags_old = {i: _bag(old_keys[i]) for i in old_left if i not in moved}
    moved_new = set(moved.values())
    bags_new = {j: _bag(new_keys[j]) for j in new_left if j not in moved_new}
    for i1, i2, j1, j2 in gaps:
        olds = [i for i in range(i1, i2) if i in bags_old]
        news = [j for j in range(j1, j2) if j in bags_new]
        edited.update(_pair_in_order(olds, news, bags_old, bags_new))

    rest_old = [i for i in bags_old if i not in edited]
    taken = set(edited.values())
    rest_new = [j for j in bags_new if j not in taken]
    moved_edited = _pair_best(rest_old, rest_new, bags_old, bags_new)

    paired_old = set(moved) | set(edited) | set(moved_edited)
    paired_new = {*moved.values(), *edited.values(), *moved_edited.values()}
    deleted = [i for i in old_left if i not in paired_old]
    added = [j for j in new_left if j not in paired_new]

    # Whole paragraphs: all sentences added, all deleted, or all moved together
    # into one new paragraph that holds nothing else, in the same order.
    added_set, deleted_set = set(added), set(deleted)
    whole_added = [p for p, pos in enumerate(new_paragraphs) if set(pos) <= added_set]
    whole_removed = [
        p for p, pos in enumerate(old_paragraphs) if set(pos) <= deleted_set
    ]
    whole_moved = [
        p
        for p, pos in enumerate(old_paragraphs)
        if pos
        and all(i in moved for i in pos)
        and [moved[i] for i in pos] == new_paragraphs[new[moved[pos[0]]].paragraph]
    ]
    came = {j for p in whole_added for j in new_paragraphs[p]}
    gone = {i for p in whole_removed for i in old_paragraphs[p]}
    moved_whole = {i for p in whole_moved for i in old_paragraphs[p]}

    # Each edit is sorted by where it sits in the new text; what went sits just
    # after the nearest old sentence before it that survived.
    new_pos_of_old = _new_positions(len(old), {**kept, **moved, **edited})
    edits: list[tuple[float, SentenceEdit]] = [
        (float(j), _edit(MOVED, old[i], new[j]))
        for i, j in moved.items()
        if i not in moved_whole
    ]
    for i, j in {**edited, **moved_edited}.items():
        kind = EDITED if i in edited else MOVED
        edits.append((float(j), _edit(kind, old[i], new[j], diff=True)))
    for p in whole_added:
        first = new[new_paragraphs[p][0]]
        text = " ".join(new_keys[j] for j in new_paragraphs[p])
        edits.append(
            (
                first.position,
                SentenceEdit(PARAGRAPH_ADDED, None, None, p, None, None, text),
            )
        )
    for p in whole_removed:
        first_i = old_paragraphs[p][0]
        text = " ".join(old_keys[i] for i in old_paragraphs[p])
        edits.append(
            (
                new_pos_of_old[first_i],
                SentenceEdit(PARAGRAPH_REMOVED, p, None, None, None, text, None),
            )
        )
    for p in whole_moved:
        first_j = moved[old_paragraphs[p][0]]
        text = " ".join(old_keys[i] for i in old_paragraphs[p])
        edits.append(
            (
                float(first_j),
                SentenceEdit(
                    PARAGRAPH_MOVED, p, None, new[first_j].paragraph, None, text, text
                ),
            )
        )
    for i in deleted:
        if i not in gone:
            edits.append((new_pos_of_old[i], _edit(DELETED, old[i], None)))
    for j in added:
        if j not in came:
            edits.append((float(j), _edit(ADDED, None, new[j])))
    edits.extend(_reflows(kept, old, new))

    edits.sort(key=lambda x: (x[0], x[1].kind != PARAGRAPH_REMOVED))
    ordered = tuple(e for _, e in edits)
    kinds = [e.kind for e in ordered]
    return EditReport(
        edits=ordered,
        sentences_added=kinds.count(ADDED),
        sentences_deleted=kinds.count(DELETED),
        sentences_edited=kinds.count(EDITED),
        sentences_moved=kinds.count(MOVED),
        paragraphs_added=kinds.count(PARAGRAPH_ADDED),
        paragraphs_removed=kinds.count(PARAGRAPH_REMOVED),
        paragraphs_moved=kinds.count(PARAGRAPH_MOVED),
        paragraphs_reflowed=kinds.count(PARAGRAPH_SPLIT)
        + kinds.count(PARAGRAPH_MERGED),
        old_sentences=len(old),
        new_sentences=len(new),
    )


def _edit(
    kind: str,
    old: textlib.Sentence | None,
    new: textlib.Sentence | None,
    diff: bool = False,
) -> SentenceEdit:
    ops: tuple[tuple[str, str], ...] = ()
    nature = ""
    if diff and old is not None and new is not None:
        ops = diffing.diff_texts(old.text, new.text).ops
        nature = word_diff_nature(ops)
    return SentenceEdit(
        kind=kind,
        old_paragraph=old.paragraph if old else None,
        old_sentence=old.index if old else None,
        new_paragraph=new.paragraph if new else None,
        new_sentence=new.index if new else None,
        old_text=old.text if old else None,
        new_text=new.text if new else None,
        ops=ops,
        nature=nature,
    )


def _reflows(
    kept: dict[int, int], old: list[textlib.Sentence], new: list[textlib.Sentence]
) -> Iterable[tuple[float, SentenceEdit]]:
    """Paragraph breaks added (split) or taken away (merge) between two kept
    sentences that follow each other on both sides."""
    for i, j in kept.items():
        if kept.get(i + 1) != j + 1:
            continue
        was_same = old[i].paragraph == old[i + 1].paragraph
        is_same = new[j].paragraph == new[j + 1].paragraph
        if was_same == is_same:
            continue
        kind = PARAGRAPH_SPLIT if was_same else PARAGRAPH_MERGED
        o, n = old[i + 1], new[j + 1]
        yield (
            j + 0.5,
            SentenceEdit(
                kind, o.paragraph, o.index, n.paragraph, n.index, o.text, n.text
            ),
        )


def _new_positions(n_old: int, pairs: dict[int, int]) -> list[float]:
    """Where each old sentence sits in the new text's order: paired ones at
    their partner, the others just after the nearest paired one before them."""
    out, last = [], -1.0
    for i in range(n_old):
        if i in pairs:
            last = float(pairs[i])
            out.append(last)
        else:
            out.append(last + 0.5)
    return out


def _bag(text: str) -> dict[str, int]:
    bag: dict[str, int] = {}
    for word in textlib.WORD.findall(text.lower()):
        bag[word] = bag.get(word, 0) + 1
    return bag


def _similarity(a: dict[str, int], b: dict[str, int]) -> float:
    """Dice coefficient of two word multisets."""
    total = sum(a.values()) + sum(b.values())
    if not total:
        return 0.0
    common = sum(min(n, b.get(w, 0)) for w, n in a.items())
    return 2 * common / total


def _pair_in_order(
    olds: list[int],
    news: list[int],
    bags_old: dict[int, dict[str, int]],
    bags_new: dict[int, dict[str, int]],
) -> dict[int, int]:
    """Order-keeping pairs of similar sentences with the greatest total
    similarity (a weighted LCS over one gap)."""
    if not olds or not news:
        return {}
    sim = [[_similarity(bags_old[i], bags_new[j]) for j in news] for i in olds]
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


def _pair_best(
    olds: list[int],
    news: list[int],
    bags_old: dict[int, dict[str, int]],
    bags_new: dict[int, dict[str, int]],
) -> dict[int, int]:
    """Greedy most-alike pairs across the whole text (moved and edited)."""
    scored = sorted(
        (
            (s, i, j)
            for i in olds
            for j in news
            if (s := _similarity(bags_old[i], bags_new[j])) >= MOVE_SIMILARITY
        ),
        reverse=True,
    )
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in scored:
        if i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs


def word_diff_nature(ops: Sequence[tuple[str, str]]) -> str:
    """What a word diff amounts to: punctuation, typo, number or wording."""
    groups: list[tuple[str, str]] = []
    deleted = inserted = ""
    for op, text in (*ops, (diffing.EQUAL, "")):
        if op == diffing.DELETE:
            deleted += text
        elif op == diffing.INSERT:
            inserted += text
        elif deleted or inserted:
            groups.append((deleted, inserted))
            deleted = inserted = ""
    if not groups:
        return ""
    natures = set()
    for old, new in groups:
        old_words, new_words = textlib.WORD.findall(old), textlib.WORD.findall(new)
        if not old_words and not new_words:
            changed = (old + new).strip()
            natures.add(PUNCTUATION if changed else WHITESPACE)
        elif _DIGIT.search(old + new):
            natures.add(NUMBER)
        elif len(old_words) == len(new_words) and all(
            _is_typo(a, b) for a, b in zip(old_words, new_words, strict=True)
        ):
            natures.add(TYPO)
        else:
            natures.add(WORDING)
    for nature in (WORDING, NUMBER, TYPO, PUNCTUATION, WHITESPACE):
        if nature in natures:
            return nature
    return ""


def _is_typo(a: str, b: str) -> bool:
    """A small edit within one word: case, or 1 (2 for words over 5 letters)
    insertions, deletions, substitutions or swaps of neighbours."""
    if a.lower() == b.lower():
        return True
    limit = 1 if min(len(a), len(b)) <= 5 else 2
    return _edit_distance(a.lower(), b.lower(), limit) <= limit


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance, giving up past limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost
            )
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
