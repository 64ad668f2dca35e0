"""Edit classification: align two texts sentence by sentence and name each
edit (sentence added, deleted, edited, moved; paragraph added, removed, moved,
split, merged), with diffing's word-level ops for edited sentences.

Pure: no Django, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from stories import diffing, figures
from stories import text as textlib
from stories.intelligence import align, wording

# Edit kinds, in the order describe() lists them.
ADDED, DELETED, EDITED, MOVED = "added", "deleted", "edited", "moved"
PARAGRAPH_ADDED, PARAGRAPH_REMOVED = "paragraph_added", "paragraph_removed"
PARAGRAPH_MOVED = "paragraph_moved"
PARAGRAPH_SPLIT, PARAGRAPH_MERGED = "paragraph_split", "paragraph_merged"

# An edit and where it goes in the report: its place in the new text's order.
_Placed = tuple[float, "SentenceEdit"]


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
        d = asdict(self)
        d["ops"] = [list(op) for op in self.ops]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SentenceEdit:
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
    # The text changed too much to pair every edited sentence (align's budget):
    # some rewordings count as one sentence deleted and one added.
    coarse: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.edits)

    def counts(self) -> dict[str, int]:
        """The counters by name, zeros included."""
        d = asdict(self)
        del d["edits"], d["coarse"]
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
        if not parts:
            return "no text change"
        bulk = " (rewritten in bulk: not matched sentence by sentence)"
        return ", ".join(parts) + (bulk if self.coarse else "")

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict: edits, counts and the one-line summary."""
        d: dict[str, Any] = {
            "edits": [e.to_dict() for e in self.edits],
            "counts": self.counts(),
            "summary": self.describe(),
        }
        if self.coarse:
            d["coarse"] = True
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EditReport:
        edits = tuple(SentenceEdit.from_dict(e) for e in d.get("edits", ()))
        return cls(edits=edits, coarse=d.get("coarse", False), **d.get("counts", {}))


@dataclass(frozen=True)
class _Side:
    """One text's sentences, and the sentence positions of each paragraph."""

    sentences: list[textlib.Sentence]
    paragraphs: list[list[int]]

    @classmethod
    def of(cls, body: str, lang: str) -> _Side:
        sentences = textlib.sentences(body, lang)
        paragraphs: list[list[int]] = []
        for sentence in sentences:
            if sentence.paragraph == len(paragraphs):
                paragraphs.append([])
            paragraphs[-1].append(sentence.position)
        return cls(sentences, paragraphs)

    def joined(self, paragraph: int) -> str:
        return " ".join(self.sentences[i].text for i in self.paragraphs[paragraph])


@dataclass(frozen=True)
class _Whole:
    """Paragraphs that changed as a whole: all sentences added (new paragraph
    numbers), all deleted, or all moved together (old paragraph numbers)."""

    added: list[int]
    removed: list[int]
    moved: list[int]


def classify_edits(old_text: str, new_text: str, lang: str = "") -> EditReport:
    """Align two texts sentence by sentence (stories.intelligence.align) and
    classify every edit: kept sentences whose paragraph break changed are a
    split or merge; a paragraph all of whose sentences were added (removed,
    moved together) is one paragraph edit; the rest are sentence edits."""
    lang = lang or figures.detect_language(new_text or old_text)
    old, new = _Side.of(old_text, lang), _Side.of(new_text, lang)
    pairs = align.align(
        [s.text for s in old.sentences], [s.text for s in new.sentences]
    )
    whole = _whole_paragraphs(pairs, old, new)
    placed = [
        *_sentence_edits(pairs, whole, old, new),
        *_paragraph_edits(pairs, whole, old, new),
        *_leftover_edits(pairs, whole, old, new),
        *_reflows(pairs.kept, old.sentences, new.sentences),
    ]
    placed.sort(key=lambda x: (x[0], x[1].kind != PARAGRAPH_REMOVED))
    return _report(tuple(e for _, e in placed), old, new, pairs.coarse)


def _whole_paragraphs(pairs: align.Alignment, old: _Side, new: _Side) -> _Whole:
    """Paragraphs added, removed, or moved into one new paragraph that holds
    nothing else, in the same order."""
    added, deleted, moved = set(pairs.added), set(pairs.deleted), pairs.moved
    return _Whole(
        added=[p for p, pos in enumerate(new.paragraphs) if set(pos) <= added],
        removed=[p for p, pos in enumerate(old.paragraphs) if set(pos) <= deleted],
        moved=[
            p
            for p, pos in enumerate(old.paragraphs)
            if pos
            and all(i in moved for i in pos)
            and [moved[i] for i in pos]
            == new.paragraphs[new.sentences[moved[pos[0]]].paragraph]
        ],
    )


def _sentence_edits(
    pairs: align.Alignment, whole: _Whole, old: _Side, new: _Side
) -> list[_Placed]:
    """Moved sentences (outside whole moved paragraphs), then edited ones."""
    moved_whole = {i for p in whole.moved for i in old.paragraphs[p]}
    out: list[_Placed] = [
        (float(j), _edit(MOVED, old.sentences[i], new.sentences[j]))
        for i, j in pairs.moved.items()
        if i not in moved_whole
    ]
    for i, j in {**pairs.edited, **pairs.moved_edited}.items():
        kind = EDITED if i in pairs.edited else MOVED
        out.append((float(j), _edit(kind, old.sentences[i], new.sentences[j], True)))
    return out


def _paragraph_edits(
    pairs: align.Alignment, whole: _Whole, old: _Side, new: _Side
) -> list[_Placed]:
    """Paragraphs added, removed and moved as a whole; what went sits just
    after the nearest old sentence before it that survived."""
    old_at = _new_positions(old, pairs)
    out: list[_Placed] = []
    for p in whole.added:
        first = new.sentences[new.paragraphs[p][0]]
        edit = SentenceEdit(PARAGRAPH_ADDED, None, None, p, None, None, new.joined(p))
        out.append((first.position, edit))
    for p in whole.removed:
        text = old.joined(p)
        edit = SentenceEdit(PARAGRAPH_REMOVED, p, None, None, None, text, None)
        out.append((old_at[old.paragraphs[p][0]], edit))
    for p in whole.moved:
        j, text = pairs.moved[old.paragraphs[p][0]], old.joined(p)
        to = new.sentences[j].paragraph
        edit = SentenceEdit(PARAGRAPH_MOVED, p, None, to, None, text, text)
        out.append((float(j), edit))
    return out


def _leftover_edits(
    pairs: align.Alignment, whole: _Whole, old: _Side, new: _Side
) -> list[_Placed]:
    """Sentences deleted or added outside whole removed or added paragraphs."""
    old_at = _new_positions(old, pairs)
    gone = {i for p in whole.removed for i in old.paragraphs[p]}
    came = {j for p in whole.added for j in new.paragraphs[p]}
    out: list[_Placed] = [
        (old_at[i], _edit(DELETED, old.sentences[i], None))
        for i in pairs.deleted
        if i not in gone
    ]
    out.extend(
        (float(j), _edit(ADDED, None, new.sentences[j]))
        for j in pairs.added
        if j not in came
    )
    return out


def _report(
    edits: tuple[SentenceEdit, ...], old: _Side, new: _Side, coarse: bool
) -> EditReport:
    kinds = [e.kind for e in edits]
    return EditReport(
        edits=edits,
        sentences_added=kinds.count(ADDED),
        sentences_deleted=kinds.count(DELETED),
        sentences_edited=kinds.count(EDITED),
        sentences_moved=kinds.count(MOVED),
        paragraphs_added=kinds.count(PARAGRAPH_ADDED),
        paragraphs_removed=kinds.count(PARAGRAPH_REMOVED),
        paragraphs_moved=kinds.count(PARAGRAPH_MOVED),
        paragraphs_reflowed=kinds.count(PARAGRAPH_SPLIT)
        + kinds.count(PARAGRAPH_MERGED),
        old_sentences=len(old.sentences),
        new_sentences=len(new.sentences),
        coarse=coarse,
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
        nature = wording.word_diff_nature(ops)
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
    kept: dict[int, int],
    old: list[textlib.Sentence],
    new: list[textlib.Sentence],
) -> Iterable[_Placed]:
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


def _new_positions(old: _Side, pairs: align.Alignment) -> list[float]:
    """Where each old sentence sits in the new text's order: paired ones at
    their partner, the others just after the nearest paired one before them."""
    paired = {**pairs.kept, **pairs.moved, **pairs.edited}
    out, last = [], -1.0
    for i in range(len(old.sentences)):
        if i in paired:
            last = float(paired[i])
            out.append(last)
        else:
            out.append(last + 0.5)
    return out
