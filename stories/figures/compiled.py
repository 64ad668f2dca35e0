"""The per-language tables compiled into phrase matchers, once at import."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stories.figures.rules import RULES, Rules
from stories.figures.tokens import Phrases, Tok, Tokens


@dataclass(frozen=True)
class Compiled:
    rules: Rules
    hedges: Phrases
    estimate: Phrases
    kinds: Phrases
    not_after: Phrases
    not_before: Phrases
    months: frozenset[str]
    vague: Phrases
    fixed: Phrases
    multipliers: dict[str, int]
    range_open: Phrases
    joins: frozenset[str]
    forecast: Phrases
    uncertain: Phrases
    denial: Phrases
    superseded: tuple[tuple[Phrases, ...], ...]
    superseded_gates: tuple  # Phrases.may_occur of each cue's first phrase
    background_preps: Phrases
    attribution_preps: Phrases
    speech: Phrases
    stop: frozenset[str]
    auxiliaries: frozenset[str]
    next_cues: Phrases
    zero_det: Phrases
    zero_pron: Phrases
    number_pieces: dict[str, int | None]  # None marks a connector
    # First words of vague/fixed/zero phrases: a sentence without any of them, a
    # digit or a number word holds no figure and is skipped early.
    number_starts: frozenset[str]
    word_cache: dict[str, tuple[int | None, ...] | None]
    change_verbs: frozenset[str]
    split_verbs: tuple[tuple[frozenset[str], Phrases, str], ...]
    denial_split: tuple[tuple[frozenset[str], Phrases], ...]
    denial_ends: Phrases
    things: Phrases
    people: Phrases
    single_victims: Phrases
    replaced: Phrases
    inherit_preps: frozenset[str]
    predicate_preps: frozenset[str]
    since_words: frozenset[str]
    when_words: Phrases
    population: Phrases
    background_words: frozenset[str]  # "in 2017", "van 1953", "sinds 2014"

    def kind_at(self, toks: list[Tok], i: int) -> tuple[int, str] | None:
        """self.kinds.at(toks, i), from one scan of the sentence (kept on toks)."""
        hits = getattr(toks, "kind_hits", None)
        if hits is None:
            hits = {k: (n, kind) for k, n, kind in self.kinds.hits(toks)}
            if isinstance(toks, Tokens):
                toks.kind_hits = hits
        return hits.get(i)

    def is_people(self, word: str) -> bool:
        """ "bewoners", "villagers": a noun for people, by table or by ending."""
        return bool(self.people.candidates(word)) or (
            len(word) > 4 and word.endswith(self.rules.people_suffixes)
        )


# Words that may sit inside a source's name but never end it.
NP_FUNCTION_WORDS = frozenset(
    ("van", "de", "het", "een", "in", "op", "of", "the", "a", "an", "and")
    + ("der", "die", "das", "den", "des", "von", "und")
    + ("le", "la", "les", "du", "et", "l'", "d'")
)


def _compile(rules: Rules) -> Compiled:
    return Compiled(rules=rules, **_phrase_tables(rules), **_word_tables(rules))


def _phrase_tables(rules: Rules) -> dict[str, Phrases]:
    """The tables matched as runs of tokens."""
    return {
        "hedges": Phrases(rules.hedges),
        "estimate": Phrases(rules.estimate_cues),
        "kinds": Phrases({p: kind for kind, ps in rules.kinds.items() for p in ps}),
        "not_after": Phrases(rules.not_figure_after),
        "not_before": Phrases(rules.not_figure_before),
        "vague": Phrases(rules.vague),
        "fixed": Phrases(rules.fixed),
        "range_open": Phrases(rules.range_open),
        "forecast": Phrases(rules.forecast_cues),
        "uncertain": Phrases(rules.uncertain_cues),
        "denial": Phrases(rules.denial_cues),
        "background_preps": Phrases(rules.background_preps),
        "attribution_preps": Phrases(rules.attribution_preps),
        "speech": Phrases(rules.speech_verbs),
        "next_cues": Phrases(rules.next_sentence_cues),
        "zero_det": Phrases(rules.zero_determiners),
        "zero_pron": Phrases(rules.zero_pronouns),
        "denial_ends": Phrases(rules.denial_ends),
        "things": Phrases(rules.things),
        "people": Phrases(rules.people),
        "single_victims": Phrases(rules.single_victims),
        "replaced": Phrases(rules.replaced),
        "when_words": Phrases(rules.when_words),
        "population": Phrases(rules.population_verbs),
    }


def _word_tables(rules: Rules) -> dict[str, object]:
    """Word sets, number pieces, and the cues made of several tables."""
    pieces: dict[str, int | None] = {**rules.units, **rules.tens, **rules.scales}
    pieces.update(dict.fromkeys(rules.connectors))
    superseded = tuple(
        tuple(Phrases((p,)) for p in cue) for cue in rules.superseded_cues
    )
    starts = (*rules.vague, *rules.fixed, *rules.zero_determiners, *rules.zero_pronouns)
    years = (*rules.background_preps, *rules.since_words, *rules.revision_from)
    return {
        "months": frozenset(rules.months),
        "multipliers": rules.multipliers,
        "joins": frozenset(
            rules.range_join + rules.range_bare_join + rules.revision_to
        ),
        "superseded": superseded,
        # A cue's phrase without stems is the cheapest first test of it.
        "superseded_gates": tuple(
            next((p for p in cue if not p.has_stems), cue[0]).may_occur
            for cue in superseded
        ),
        "stop": frozenset(rules.attribution_stop),
        "auxiliaries": frozenset(rules.auxiliaries),
        "number_pieces": pieces,
        "number_starts": frozenset(p.split()[0] for p in starts),
        "word_cache": {},
        "change_verbs": frozenset(rules.change_verbs),
        "split_verbs": tuple(
            (frozenset(verbs.split()), Phrases((particle,)), kind)
            for verbs, particle, kind in rules.split_verbs
        ),
        "denial_split": tuple(
            (frozenset(verbs.split()), Phrases((particle,)))
            for verbs, particle in rules.denial_split_verbs
        ),
        "inherit_preps": frozenset(rules.inherit_preps),
        "predicate_preps": frozenset(rules.predicate_preps),
        "since_words": frozenset(rules.since_words),
        "background_words": frozenset(w for w in years if " " not in w),
    }


COMPILED: dict[str, Compiled] = {lang: _compile(r) for lang, r in RULES.items()}


# --------------------------------------------------------------------------
# Language


def detect_language(text: str) -> str:
    """Best guess among nl/en/de/fr from function-word counts; "en" when unsure."""
    words = re.findall(r"[^\W\d_]+", text[:4000].lower())
    best, best_score = "en", 0
    for lang, rules in RULES.items():
        stop = set(rules.stopwords)
        score = sum(1 for w in words if w in stop)
        if score > best_score:
            best, best_score = lang, score
    return best
