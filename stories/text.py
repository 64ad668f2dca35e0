"""Paragraphs and sentences of a text: the one splitter every stage uses.

- split_paragraphs: the paragraphs of a normalised text (stories.extraction
  joins them with a blank line), whitespace collapsed;
- split_sentences: the sentences of one paragraph, where nl/en/de/fr
  abbreviations, initials, ordinals ("20. September") and numbers ("2.300",
  "11.00 uur") don't end one;
- sentence_spans: split_sentences' cuts as (start, end) offsets;
- sentences: every sentence of a text with its paragraph, its index and its
  character offsets in the text as given;
- WORD: a word ("staakt-het-vuren" and "don't" are one each).

Pure: no Django, no I/O. Where a full stop ends a sentence is decided by the
abbreviation and month tables below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    """A word table written as one space-separated string."""
    return frozenset(text.split())


# Abbreviations whose full stop never ends a sentence, without that stop; inner
# dots stay ("o.a", "z.b"). Titles and short forms that a name or a number
# follows. Words that are also ordinary sentence-final words in the language
# ("vol", "me", "art") are left out on purpose.
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "nl": _words(
        "dhr mevr mw mr dr drs ir ing prof bijv bv o.a a.s i.p.v m.b.t d.w.z "
        "nr ca zgn blz jl jhr st gem incl excl resp t.o.v e.d mln mld mrd vz "
        "wnd n.a.v i.v.m m.u.v e.a z.g vlg afb tel ps a.i v.chr n.chr kol lt "
        "gen sgt kap adm"
    ),
    "en": _words(
        "mr mrs ms dr prof sr jr st gen gov sen rep lt col capt cpt sgt maj "
        "rev inc ltd co corp e.g i.e no nos approx u.s u.k u.n jan feb mar "
        "apr jun jul aug sep sept oct nov dec fig dept univ mt ft ave gov "
        "pres supt cmdr adm"
    ),
    "de": _words(
        "z.b bzw ca dr prof hr fr nr vgl d.h u.a str evtl ggf inkl bzgl mio "
        "mrd zb sog v.a o.ä z.t u.u abs jh jhd gegr geb gest tel st dipl "
        "ing mag min max hrsg v.chr n.chr s.o s.u i.a z.zt"
    ),
    "fr": _words(
        "m mm mme mmes mlle mlles dr pr me st ste av bd p.ex cf n° chap "
        "mds md éd gén col cne lt sgt p.-s c.-à-d"
    ),
}

# Abbreviations that can also end a sentence ("... enzovoort."): a full stop
# after them ends the sentence only when a capital letter follows.
SENTENCE_FINAL_ABBREVIATIONS = _words("etc enz usw a.m p.m jr v.s vs")

MONTHS = _words(
    "januari februari maart april mei juni juli augustus september oktober "
    "november december january february march may june july august october "
    "december januar februar märz juni juli oktober dezember janvier "
    "février mars avril mai juin juillet août septembre octobre novembre "
    "décembre"
)

_ALL_ABBREVIATIONS = frozenset().union(*ABBREVIATIONS.values())

_PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")
# A candidate sentence end: terminal punctuation, then closing quotes or
# brackets, then whitespace. Whether it really ends the sentence depends on the
# word before it and on what follows.
_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019\u00bb)\]]*(?=\s)")
_OPENERS = "\"'\u201c\u2018\u201e\u00ab(["
_LAST_WORD = re.compile(r"(\S+)$")
_ORDINAL = re.compile(r"\d{1,3}")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")
WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a text: whitespace collapsed, with where it stands."""

    text: str
    paragraph: int  # from 0
    index: int  # within its paragraph, from 0
    position: int  # within the text, from 0
    start: int  # character offsets in the text as given
    end: int


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of a text, each with its whitespace collapsed."""
    return [
        " ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text.strip()) if p.strip()
    ]


def split_sentences(paragraph: str, lang: str = "") -> list[str]:
    """Sentences of one paragraph; nl/en/de/fr abbreviations, initials, ordinals
    ("20. September") and numbers ("2.300", "11.00 uur") don't end one."""
    return [paragraph[start:end] for start, end in sentence_spans(paragraph, lang)]


def sentence_spans(paragraph: str, lang: str = "") -> list[tuple[int, int]]:
    """(start, end) of each sentence of one paragraph, surrounding spaces left
    out; split_sentences' cuts."""
    abbreviations = ABBREVIATIONS.get(lang, _ALL_ABBREVIATIONS)
    out: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(paragraph):
        rest = paragraph[match.end() :].lstrip()
        if not rest or not _opens_sentence(rest):
            continue
        if match.group().startswith(".") and not match.group().startswith(".."):
            before = paragraph[start : match.start()]
            if _is_abbreviation(before, rest, abbreviations, lang):
                continue
        _add_span(out, paragraph, start, match.end())
        start = match.end()
    _add_span(out, paragraph, start, len(paragraph))
    return out


def sentences(text: str, lang: str = "") -> list[Sentence]:
    """Every sentence of a text in reading order; a line break always ends a
    paragraph, and offsets point into `text` itself."""
    out: list[Sentence] = []
    paragraph = 0
    for line in re.finditer(r"[^\n]+", text):
        if not line.group().strip():
            continue
        spans = sentence_spans(line.group(), lang)
        for index, (start, end) in enumerate(spans):
            chunk = line.group()[start:end]
            base = line.start()
            out.append(
                Sentence(
                    " ".join(chunk.split()),
                    paragraph,
                    index,
                    len(out),
                    base + start,
                    base + end,
                )
            )
        paragraph += 1
    return out


def _add_span(out: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    lead = len(chunk) - len(chunk.lstrip())
    trail = len(chunk) - len(chunk.rstrip())
    if end - trail > start + lead:
        out.append((start + lead, end - trail))


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
    if word in SENTENCE_FINAL_ABBREVIATIONS:
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
            next_word.strip(".,;:") in MONTHS
            or lang == "de"
            or before.strip() == found.group(1)  # "1. ..." opening a list item
        )
    return False
