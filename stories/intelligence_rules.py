"""Per-language word tables for stories.intelligence.

Plain data, lower case: abbreviations that end in a full stop without ending a
sentence, the words that open a correction or update note, and the cues that
mark a quote or an attribution. The engine in stories.intelligence reads them.
"""

from __future__ import annotations

LANGS = ("nl", "en", "de", "fr")


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
