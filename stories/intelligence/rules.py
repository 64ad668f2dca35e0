"""Per-language word tables for the stories.intelligence engine.

Plain data, lower case: the words that open a correction or update note, and
the cues that mark a quote or an attribution. (Abbreviations and months, which
decide where a sentence ends, live with the splitter in stories.text.)
"""

from __future__ import annotations

LANGS = ("nl", "en", "de", "fr")


def _words(text: str) -> frozenset[str]:
    """A word table written as one space-separated string."""
    return frozenset(text.split())


# Correction and update notes. A "marker" is matched at the start of a
# paragraph or sentence, case-insensitively. needs_colon: a bare word such as
# "Update" counts only when a colon (or a dash) follows within the note's first
# words ("Update 21 september, 14.30 uur:"), so a sentence that merely starts
# with the word is not taken for a note. Editor's notes and clarifications are
# filed under "correction": they amend what the article said.
NoteMarker = tuple[str, str, bool]  # (marker, kind, needs_colon)

NOTE_MARKERS: dict[str, tuple[NoteMarker, ...]] = {
    "nl": (
        ("correctie", "correction", True),
        ("rectificatie", "correction", True),
        ("herstel", "correction", True),
        ("verbetering", "correction", True),
        ("dit artikel is aangepast", "correction", False),
        ("dit bericht is aangepast", "correction", False),
        ("dit artikel is gecorrigeerd", "correction", False),
        ("in een eerdere versie van dit artikel", "correction", False),
        ("in een eerdere versie van dit bericht", "correction", False),
        ("noot van de redactie", "correction", False),
        ("naschrift", "correction", True),
        ("update", "update", True),
        ("aanvulling", "update", True),
        ("dit artikel is bijgewerkt", "update", False),
        ("dit artikel is aangevuld", "update", False),
    ),
    "en": (
        ("correction", "correction", True),
        ("corrections", "correction", True),
        ("clarification", "correction", True),
        ("editor's note", "correction", False),
        ("editors' note", "correction", False),
        ("an earlier version of this article", "correction", False),
        ("an earlier version of this story", "correction", False),
        ("a previous version of this article", "correction", False),
        ("a previous version of this story", "correction", False),
        ("this article has been corrected", "correction", False),
        ("this story has been corrected", "correction", False),
        ("this article has been amended", "correction", False),
        ("this article was amended", "correction", False),
        ("update", "update", True),
        ("updated", "update", True),
        ("this article has been updated", "update", False),
        ("this story has been updated", "update", False),
    ),
    "de": (
        ("korrektur", "correction", True),
        ("berichtigung", "correction", True),
        ("richtigstellung", "correction", True),
        ("transparenzhinweis", "correction", True),
        ("anmerkung der redaktion", "correction", False),
        ("in einer früheren version dieses artikels", "correction", False),
        ("in einer früheren fassung dieses artikels", "correction", False),
        ("dieser artikel wurde korrigiert", "correction", False),
        ("aktualisierung", "update", True),
        ("aktualisiert", "update", True),
        ("update", "update", True),
        ("nachtrag", "update", True),
        ("dieser artikel wurde aktualisiert", "update", False),
    ),
    "fr": (
        ("rectificatif", "correction", True),
        ("correction", "correction", True),
        ("erratum", "correction", True),
        ("note de la rédaction", "correction", False),
        ("n.d.l.r", "correction", False),
        ("ndlr", "correction", False),
        ("dans une précédente version de cet article", "correction", False),
        ("dans une version précédente de cet article", "correction", False),
        ("cet article a été corrigé", "correction", False),
        ("mise à jour", "update", True),
        ("mis à jour", "update", True),
        ("actualisation", "update", True),
        ("màj", "update", True),
        ("cet article a été mis à jour", "update", False),
        ("cet article a été actualisé", "update", False),
    ),
}

# Words that mark a quote's speaker or a figure's source. A changed sentence
# holding one of them (or a quotation mark) changes what someone is reported to
# have said. Matched as whole words, lower case.
ATTRIBUTION_CUES: dict[str, frozenset[str]] = {
    "nl": _words(
        "volgens aldus zegt zei zeiden zeggen meldt meldde melden meldden "
        "verklaarde verklaart liet bevestigde bevestigt ontkende ontkent "
        "stelt stelde"
    ),
    "en": _words(
        "according said says told stated confirmed denied claimed claims "
        "announced reported citing added"
    ),
    "de": _words(
        "laut zufolge sagte sagt sagten erklärte erklärt teilte bestätigte "
        "dementierte betonte berichtete meldete"
    ),
    "fr": _words(
        "selon d'après déclaré affirme affirmé indiqué précisé "
        "confirmé démenti annoncé estime"
    ),
}

# Quotation marks after normalise_text (which straightens curly quotes) plus the
# guillemets and low quotes that it leaves alone.
QUOTE_MARKS = frozenset('"«»„“”')
