"""Corrections and updates: the correction or update note a new version of
a text gained.

Pure: no Django, no I/O. The markers per language live in .rules.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from stories import text as textlib
from stories.intelligence import rules


@dataclass(frozen=True)
class Correction:
    """A correction or update note the new text gained."""

    kind: str  # correction | update
    marker: str  # the table entry that matched, e.g. "correctie"
    note: str  # the note as it stands: from its first word to its paragraph's end
    paragraph: int  # in the new text, from 0
    position: str  # appended (last paragraph) | prepended (first) | inserted

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def find_correction(old_text: str, new_text: str, lang: str = "") -> Correction | None:
    """The correction or update note in new_text that old_text lacks, if any.

    Markers of `lang` are tried first, then those of the other languages
    (English "Update:" turns up in Dutch articles). A paragraph or sentence
    opening with a marker is a note; when the new text gained several, a
    correction wins over an update, then the earliest.
    """
    markers = _markers(lang)
    old_paragraphs = set(textlib.split_paragraphs(old_text))
    old_sentences = {
        s for p in old_paragraphs for s in textlib.split_sentences(p, lang)
    }
    new_paragraphs = textlib.split_paragraphs(new_text)
    found: list[Correction] = []
    for p, paragraph in enumerate(new_paragraphs):
        if paragraph in old_paragraphs:
            continue
        offset = 0
        for sentence in textlib.split_sentences(paragraph, lang):
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
