"""Change intelligence: what kind of edit happened between two versions.

- classify_edits: align two texts sentence by sentence and name each edit
  (sentence added, deleted, edited, moved; paragraph added, removed, moved,
  split, merged), with diffing's word-level ops for edited sentences;
- find_correction: a correction or update note that the new text gained;
- score_significance: 0-1 from what changed (table in its docstring);
- detect_flip_flop: a headline or text that went back to an earlier state;
- find_disagreements: figure claims of one story from several articles whose
  values cannot both be right.

Pure: no Django, no I/O. Texts are normalised texts (stories.extraction:
paragraphs joined by a blank line); the per-language word tables live in
stories.intelligence_rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any

from stories import diffing, figures
from stories import intelligence_rules as rules

__all__ = [
    "Correction",
    "Disagreement",
    "EditReport",
    "FigureClaim",
    "FlipFlop",
    "SentenceEdit",
    "classify_edits",
    "detect_flip_flop",
    "figure_interval",
    "find_correction",
    "find_disagreements",
    "score_significance",
    "split_paragraphs",
    "split_sentences",
]

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


# --------------------------------------------------------------------------
# Sentences

_PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")
# A candidate sentence end: terminal punctuation, then closing quotes or
# brackets, then whitespace. Whether it really ends the sentence depends on the
# word before it and on what follows.
_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019\u00bb)\]]*(?=\s)")
_OPENERS = "\"'\u201c\u2018\u201e\u00ab(["
_LAST_WORD = re.compile(r"(\S+)$")
_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")
_DIGIT = re.compile(r"\d")
_ORDINAL = re.compile(r"\d{1,3}")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")
_ALL_ABBREVIATIONS = frozenset().union(*rules.ABBREVIATIONS.values())


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of a text, each with its whitespace collapsed."""
    return [
        " ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text.strip()) if p.strip()
    ]


def split_sentences(paragraph: str, lang: str = "") -> list[str]:
    """Sentences of one paragraph; nl/en/de/fr abbreviations, initials, ordinals
    ("20. September") and numbers ("2.300", "11.00 uur") don't end one."""
    abbreviations = rules.ABBREVIATIONS.get(lang, _ALL_ABBREVIATIONS)
    out: list[str] = []
    start = 0
    for match in _END.finditer(paragraph):
        rest = paragraph[match.end() :].lstrip()
        if not rest or not _opens_sentence(rest):
            continue
        if match.group().startswith(".") and not match.group().startswith(".."):
            before = paragraph[start : match.start()]
            if _is_abbreviation(before, rest, abbreviations, lang):
                continue
        sentence = paragraph[start : match.end()].strip()
        if sentence:
            out.append(sentence)
        start = match.end()
    last = paragraph[start:].strip()
    if last:
        out.append(last)
    return out


def _opens_sentence(rest: str) -> bool:
    first = rest[0]
    if first.isupper() or first.isdigit():
        return True
    if first in _OPENERS and len(rest) > 1:
        second = rest[1]
        # Dutch "'s Avonds", "'t Is" open a sentence in lower case.
        return second.isupper() or second.isdigit() or rest[1:3] in {"s ", "t "}
    return False


def _is_abbreviation(
    before: str, rest: str, abbreviations: frozenset[str], lang: str
) -> bool:
    """Whether the full stop after `before` belongs to a word, not a sentence."""
    found = _LAST_WORD.search(before)
    if not found:
        return False
    word = found.group(1).lstrip(_OPENERS).lower()
    if word in rules.SENTENCE_FINAL_ABBREVIATIONS:
        return False
    if word in abbreviations:
        return True
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. Smith", "W. Poetin"
    if _DOTTED.fullmatch(word):
        return True  # "o.a.", "z.B.", "U.N."
    if _ORDINAL.fullmatch(word):
        next_word = rest.split(maxsplit=1)[0].lower()
        return (
            next_word.strip(".,;:") in rules.MONTHS
            or lang == "de"
            or before.strip() == found.group(1)  # "1. ..." opening a list item
        )
    return False


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    paragraph: int
    index: int  # within its paragraph
    position: int  # within the text


def _sentences(text: str, lang: str) -> tuple[list[_Sentence], list[list[int]]]:
    """All sentences of a text, and the sentence positions of each paragraph."""
    out: list[_Sentence] = []
    by_paragraph: list[list[int]] = []
    for p, paragraph in enumerate(split_paragraphs(text)):
        positions = []
        for i, sentence in enumerate(split_sentences(paragraph, lang)):
            positions.append(len(out))
            out.append(_Sentence(sentence, p, i, len(out)))
        by_paragraph.append(positions)
    return out, by_paragraph


# --------------------------------------------------------------------------
# Edit classification


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
    kind: str, old: _Sentence | None, new: _Sentence | None, diff: bool = False
) -> SentenceEdit:
    ops: tuple[tuple[str, str], ...] = ()
    nature = ""
    if diff and old is not None and new is not None:
        ops = diffing.diff_texts(old.text, new.text).ops
        nature = _nature(ops)
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
    kept: dict[int, int], old: list[_Sentence], new: list[_Sentence]
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
    for word in _WORD.findall(text.lower()):
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


def _nature(ops: Sequence[tuple[str, str]]) -> str:
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
        old_words, new_words = _WORD.findall(old), _WORD.findall(new)
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


# --------------------------------------------------------------------------
# Corrections and updates


@dataclass(frozen=True)
class Correction:
    """A correction or update note the new text gained."""

    kind: str  # correction | update
    marker: str  # the table entry that matched, e.g. "correctie"
    note: str  # the note as it stands: from its first word to its paragraph's end
    paragraph: int  # in the new text, from 0
    position: str  # appended (last paragraph) | prepended (first) | inserted

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return asdict(self)


def find_correction(old_text: str, new_text: str, lang: str = "") -> Correction | None:
    """The correction or update note in new_text that old_text lacks, if any.

    Markers of `lang` are tried first, then those of the other languages
    (English "Update:" turns up in Dutch articles). A paragraph or sentence
    opening with a marker is a note; when the new text gained several, a
    correction wins over an update, then the earliest.
    """
    markers = _markers(lang)
    old_paragraphs = set(split_paragraphs(old_text))
    old_sentences = {s for p in old_paragraphs for s in split_sentences(p, lang)}
    new_paragraphs = split_paragraphs(new_text)
    found: list[Correction] = []
    for p, paragraph in enumerate(new_paragraphs):
        if paragraph in old_paragraphs:
            continue
        offset = 0
        for sentence in split_sentences(paragraph, lang):
            offset = paragraph.index(sentence, offset)
            if sentence in old_sentences:
                continue
            hit = _match_marker(sentence, markers)
            if hit is None:
                continue
            marker, kind = hit
            position = (
                "appended"
                if p == len(new_paragraphs) - 1 and p > 0
                else "prepended"
                if p == 0 and len(new_paragraphs) > 1
                else "inserted"
            )
            found.append(Correction(kind, marker, paragraph[offset:], p, position))
            break
    if not found:
        return None
    return min(found, key=lambda c: (c.kind != "correction", c.paragraph))


_NOTE_LEAD = " \t[(*_-\u2013\u2014>"
_COLON_WITHIN = 48


def _markers(lang: str) -> list[rules.NoteMarker]:
    order = [lang] if lang in rules.NOTE_MARKERS else []
    order += [other for other in rules.LANGS if other not in order]
    out: list[rules.NoteMarker] = []
    for code in order:
        # Longest first, so "dit artikel is aangepast" beats a shorter prefix.
        out.extend(sorted(rules.NOTE_MARKERS[code], key=lambda m: -len(m[0])))
    return out


def _match_marker(
    sentence: str, markers: list[rules.NoteMarker]
) -> tuple[str, str] | None:
    low = sentence.lstrip(_NOTE_LEAD).lower().replace("\u2019", "'")
    for marker, kind, needs_colon in markers:
        if not low.startswith(marker):
            continue
        after = low[len(marker) : len(marker) + 1]
        if after and (after.isalnum() or after == "'"):
            continue  # "updates", "correctiewerk": another word
        if needs_colon:
            lead = low[len(marker) : len(marker) + _COLON_WITHIN]
            if not re.search(r"[:\u2013\u2014]|\s-\s|^\s*\)", lead):
                continue
        return marker, kind
    return None


# --------------------------------------------------------------------------
# Significance

# Each thing that changed scores a weight; a change's significance is the
# chance that at least one of them matters, 1 - prod(1 - weight), so it stays
# in 0..1, grows with every extra edit and is dominated by the strongest one.
# An edited sentence takes the highest weight that applies to it, not a sum.
WEIGHTS: dict[str, float] = {
    "correction": 0.9,  # a correction note was added
    "headline": 0.8,  # headline reworded
    "figure": 0.7,  # per figure revised, added or removed (FigureDelta)
    "update": 0.6,  # an update note was added
    "lede": 0.6,  # first paragraph reworded, or a sentence added to / cut from it
    "quote": 0.5,  # a sentence with quotation marks or an attribution changed
    "number": 0.4,  # a number changed that is not a figure
    "paragraph": 0.35,  # a paragraph added or removed
    "sentence": 0.25,  # a sentence added, deleted or reworded
    "move": 0.1,  # a sentence or paragraph moved
    "headline_minor": 0.1,  # a typo or punctuation fix in the headline
    "typo": 0.05,  # a small edit within a word
    "caption": 0.05,  # a photo caption changed
    "punctuation": 0.02,
    "reflow": 0.02,  # a paragraph split or merged
    "whitespace": 0.0,
}


def score_significance(
    report: EditReport,
    *,
    old_headline: str = "",
    new_headline: str = "",
    figure_deltas: Sequence[figures.FigureDelta] = (),
    correction: Correction | None = None,
    caption_changed: bool = False,
    lang: str = "",
) -> float:
    """Significance 0-1 of one change, from the WEIGHTS table:

    correction 0.9 · headline 0.8 · each figure delta 0.7 · update note 0.6 ·
    lede 0.6 · quote/attribution 0.5 · other number 0.4 · paragraph 0.35 ·
    sentence 0.25 · move 0.1 · headline typo 0.1 · typo 0.05 · caption 0.05 ·
    punctuation 0.02 · paragraph split/merge 0.02 · whitespace 0.

    Combined as 1 - prod(1 - w): one typo fix scores 0.05, a figure revision
    with its edited sentence about 0.8, a reworded headline 0.8, a whitespace
    or no-op change 0.
    """
    weights = [_edit_weight(edit, lang) for edit in report.edits]
    weights.append(_headline_weight(old_headline, new_headline))
    weights.extend(WEIGHTS["figure"] for _ in figure_deltas)
    if correction is not None:
        weights.append(WEIGHTS[correction.kind])
    if caption_changed:
        weights.append(WEIGHTS["caption"])
    keep = math.prod(1.0 - w for w in weights)
    return round(min(max(1.0 - keep, 0.0), 1.0), 3)


def _edit_weight(edit: SentenceEdit, lang: str) -> float:
    if edit.kind in (PARAGRAPH_SPLIT, PARAGRAPH_MERGED):
        return WEIGHTS["reflow"]
    if edit.kind == PARAGRAPH_MOVED or (edit.kind == MOVED and not edit.ops):
        return WEIGHTS["move"]
    if edit.kind in (EDITED, MOVED) and edit.nature in (
        WHITESPACE,
        PUNCTUATION,
        TYPO,
    ):
        return WEIGHTS[edit.nature]
    base = (
        "paragraph"
        if edit.kind in (PARAGRAPH_ADDED, PARAGRAPH_REMOVED)
        else ("number" if edit.nature == NUMBER else "sentence")
    )
    candidates = [WEIGHTS[base], WEIGHTS["sentence"]]
    if 0 in (edit.old_paragraph, edit.new_paragraph):
        candidates.append(WEIGHTS["lede"])
    if _touches_quote(edit, lang):
        candidates.append(WEIGHTS["quote"])
    return max(candidates)


def _touches_quote(edit: SentenceEdit, lang: str) -> bool:
    """An added or deleted sentence with a quote or an attribution, or an edit
    inside quotation marks or within ATTRIBUTION_REACH words of a cue word."""
    cues = rules.ATTRIBUTION_CUES.get(lang) or _ALL_CUES
    if not edit.ops:
        return any(
            _has_quote_or_cue(text, cues) for text in (edit.old_text, edit.new_text)
        )
    for side, text in (
        (diffing.DELETE, edit.old_text),
        (diffing.INSERT, edit.new_text),
    ):
        if not text:
            continue
        changed = _changed_spans(edit.ops, side)
        if any(
            start < q_end and q_start < end
            for start, end in changed
            for q_start, q_end in _quoted_spans(text)
        ):
            return True
        words = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
        hit = [
            n
            for n, (w_start, w_end, _) in enumerate(words)
            if any(start < w_end and w_start < end for start, end in changed)
        ]
        near = {n for n, (_, _, word) in enumerate(words) if word in cues}
        if any(abs(h - c) <= ATTRIBUTION_REACH for h in hit for c in near):
            return True
    return False


ATTRIBUTION_REACH = 3
_ALL_CUES = frozenset().union(*rules.ATTRIBUTION_CUES.values())
_QUOTED = re.compile(
    r'"[^"]*"|\u00ab[^\u00bb]*\u00bb|\u201e[^\u201c\u201d"]*[\u201c\u201d"]'
)


def _has_quote_or_cue(text: str | None, cues: frozenset[str]) -> bool:
    if not text:
        return False
    if any(ch in rules.QUOTE_MARKS for ch in text):
        return True
    return any(w in cues for w in _WORD.findall(text.lower()))


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _QUOTED.finditer(text)]


def _changed_spans(ops: Sequence[tuple[str, str]], side: str) -> list[tuple[int, int]]:
    """Character ranges of one side's text (old for DELETE, new for INSERT) that
    the ops change; an empty range marks a point where the other side changed."""
    spans, pos = [], 0
    for op, text in ops:
        if op == diffing.EQUAL:
            pos += len(text)
        elif op == side:
            spans.append((pos, pos + len(text)))
            pos += len(text)
        else:
            spans.append((pos - 1, pos + 1))
    return spans


def _headline_weight(old: str, new: str) -> float:
    old, new = " ".join(old.split()), " ".join(new.split())
    if old == new:
        return 0.0
    if not old or not new:
        return WEIGHTS["headline"]
    nature = _nature(diffing.diff_title(old, new).ops)
    if nature in (WHITESPACE, PUNCTUATION, TYPO):
        return WEIGHTS["headline_minor"]
    return WEIGHTS["headline"]


# --------------------------------------------------------------------------
# Flip-flops


@dataclass(frozen=True)
class FlipFlop:
    """A headline or text that went back to a state it had before."""

    returns_to: int  # index in history of the latest earlier occurrence
    flips: int  # returns to an earlier state over history + [new]
    states: int  # distinct states over history + [new]
    text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return asdict(self)


def detect_flip_flop(history: Sequence[str], new: str) -> FlipFlop | None:
    """new, after history (oldest first, its last item the current state), is a
    return to an earlier state (A -> B -> A); None for a new or unchanged one.
    Whitespace differences don't count; repeated identical states collapse."""
    keys = [" ".join(h.split()) for h in history]
    key = " ".join(new.split())
    if not keys or key == keys[-1]:
        return None
    earlier = [i for i, k in enumerate(keys) if k == key]
    if not earlier:
        return None
    seen: set[str] = set()
    flips, previous = 0, None
    for k in [*keys, key]:
        if k == previous:
            continue
        if k in seen:
            flips += 1
        seen.add(k)
        previous = k
    return FlipFlop(returns_to=earlier[-1], flips=flips, states=len(seen), text=new)


# --------------------------------------------------------------------------
# Disagreements between sources

# Two claims disagree when the value intervals their qualifiers imply stay
# apart by more than a margin: max(ABSOLUTE_MARGIN, RELATIVE_MARGIN x the
# larger of the two facing bounds). A newer claim above an older one may also
# be up to GROWTH_TOLERANCE higher than the older claim's top: tolls rise.
ABSOLUTE_MARGIN = 2
RELATIVE_MARGIN = 0.05
GROWTH_TOLERANCE = 0.25

# (low factor, high factor) applied to the stated value; None is unbounded.
INTERVALS: dict[str, tuple[float, float | None]] = {
    "exact": (1.0, 1.0),
    "at_least": (1.0, None),
    "more_than": (1.0, None),
    "nearly": (0.9, 1.0),
    "about": (0.85, 1.15),
    "up_to": (0.0, 1.0),
    "fewer_than": (0.0, 1.0),
}
# Vague quantities ("tientallen", "hundreds"): from 2 to 10 times the magnitude.
VAGUE_INTERVAL = (2, 10)


@dataclass(frozen=True)
class FigureClaim:
    """One current figure as one article states it."""

    outlet: str
    article_id: int | str
    claimant: str | None
    claimed_at: datetime
    figure: figures.Figure

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return {
            "outlet": self.outlet,
            "article_id": self.article_id,
            "claimant": self.claimant,
            "claimed_at": self.claimed_at.isoformat(),
            "figure": self.figure.to_dict(),
        }


@dataclass(frozen=True)
class Disagreement:
    """Two claims of one kind from different articles that can't both hold."""

    kind: str
    older: FigureClaim
    newer: FigureClaim
    older_interval: tuple[float, float] = field(default=(0.0, 0.0))
    newer_interval: tuple[float, float] = field(default=(0.0, 0.0))

    def describe(self) -> str:
        """One line: both claims with outlet and claimant."""

        def one(c: FigureClaim) -> str:
            f = c.figure
            value = figures.FigureDelta(
                f.kind, "added", None, f.value, None, f.qualifier, None
            ).describe()
            value = value.removeprefix(f"{f.kind}: ").removesuffix(" added")
            per = f", per {c.claimant}" if c.claimant else ""
            return f"{value} ({c.outlet}{per})"

        return f"{self.kind}: {one(self.older)} vs {one(self.newer)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict (an open upper bound is null)."""

        def bounds(b: tuple[float, float]) -> list[float | None]:
            return [b[0], None if math.isinf(b[1]) else b[1]]

        return {
            "kind": self.kind,
            "older": self.older.to_dict(),
            "newer": self.newer.to_dict(),
            "older_interval": bounds(self.older_interval),
            "newer_interval": bounds(self.newer_interval),
            "summary": self.describe(),
        }


def find_disagreements(claims: Iterable[FigureClaim]) -> list[Disagreement]:
    """Pairs of claims of the same kind from different articles whose implied
    value intervals (INTERVALS) don't overlap, even allowing the margin and, for
    a newer claim above an older one, GROWTH_TOLERANCE; oldest pair first."""
    usable = [
        (c, interval)
        for c in claims
        if c.figure.is_current and (interval := figure_interval(c.figure))
    ]
    usable.sort(key=lambda x: (x[0].claimed_at, str(x[0].article_id)))
    out = []
    for n, (a, a_range) in enumerate(usable):
        for b, b_range in usable[n + 1 :]:
            if a.figure.kind != b.figure.kind or a.article_id == b.article_id:
                continue
            if _incompatible(a_range, b_range, later=b.claimed_at > a.claimed_at):
                out.append(Disagreement(a.figure.kind, a, b, a_range, b_range))
    return out


def figure_interval(figure: figures.Figure) -> tuple[float, float] | None:
    """The values a figure's qualifier allows, as (low, high); high may be inf."""
    if figure.qualifier == "range" and figure.low is not None:
        high = figure.high if figure.high is not None else figure.low
        return float(figure.low), float(high)
    if figure.value is None:
        if figure.magnitude:
            low, high = VAGUE_INTERVAL
            return float(low * figure.magnitude), float(high * figure.magnitude)
        return None
    low_factor, high_factor = INTERVALS.get(figure.qualifier, (1.0, 1.0))
    high = math.inf if high_factor is None else figure.value * high_factor
    return figure.value * low_factor, high


def _incompatible(
    older: tuple[float, float], newer: tuple[float, float], later: bool
) -> bool:
    if newer[0] > older[1]:
        low, high = older[1], newer[0]
        if later:
            low *= 1 + GROWTH_TOLERANCE
    elif older[0] > newer[1]:
        low, high = newer[1], older[0]
    else:
        return False
    margin = max(ABSOLUTE_MARGIN, RELATIVE_MARGIN * high)
    return high - low > margin
