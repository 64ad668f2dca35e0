"""Per-language word tables for the figures engine.

Each language module (nl, en, de, fr) holds plain data: phrases are written as
they appear in text, in lower case, words separated by single spaces. The engine
in stories.figures tokenises them the same way it tokenises sentences, so a
phrase matches a run of tokens. Nothing here is code that runs per sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType

from stories.figures.rules import de, en, fr, nl

KINDS = (
    "killed",
    "injured",
    "missing",
    "evacuated",
    "displaced",
    "arrested",
    "affected",
    "other_count",
)

QUALIFIERS = (
    "exact",
    "at_least",
    "more_than",
    "nearly",
    "about",
    "up_to",
    "fewer_than",
    "range",
)


@dataclass(frozen=True)
class Rules:
    """The tables of one language, as the engine consumes them."""

    lang: str
    thousands_sep: str  # "." nl/de, "," en, " " fr (also NBSP / U+202F)
    decimal_sep: str
    hedges: dict[str, str]
    estimate_cues: tuple[str, ...]
    kinds: dict[str, tuple[str, ...]]
    not_figure_after: tuple[str, ...]  # units, money, counters, durations...
    not_figure_before: tuple[str, ...]  # age cues, currency words, "nummer"...
    months: tuple[str, ...]
    units: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, int]
    connectors: tuple[str, ...]  # "en" in "eenentwintig", "and" in "a hundred and"
    multipliers: dict[str, int]
    vague: dict[str, int]  # phrase -> magnitude
    fixed: dict[str, tuple[int, str]]  # phrase -> (value, qualifier)
    range_open: tuple[str, ...]  # "tussen" X "en" Y
    range_join: tuple[str, ...]
    range_bare_join: tuple[str, ...]  # X "tot" Y
    revision_from: tuple[str, ...]
    revision_to: tuple[str, ...]
    change_verbs: tuple[str, ...]
    forecast_cues: tuple[str, ...]
    denial_cues: tuple[str, ...]
    superseded_cues: tuple[tuple[str, ...], ...]  # all phrases of one entry present
    background_preps: tuple[str, ...]
    attribution_preps: tuple[str, ...]
    speech_verbs: tuple[str, ...]
    attribution_stop: tuple[str, ...]
    auxiliaries: tuple[str, ...]
    next_sentence_cues: tuple[str, ...]
    zero_determiners: tuple[str, ...]
    zero_pronouns: tuple[str, ...]
    gloss: dict[str, str]
    stopwords: tuple[str, ...]  # for language detection
    ambiguous_number_words: tuple[str, ...] = field(default_factory=tuple)
    # A verb in two parts: (finite forms, particle, kind). "pakte ... op" arrests.
    split_verbs: tuple[tuple[str, str, str], ...] = ()
    particle_last: bool = False  # nl/de: the particle closes the clause
    # "spreekt ... tegen", "wies ... zurück": (finite forms, particle) that deny.
    denial_split_verbs: tuple[tuple[str, str], ...] = ()
    # Words after which a denied report gives way to the figure the text keeps.
    denial_ends: tuple[str, ...] = ()
    # Nouns a count may not count (value: the kinds it may count after all).
    things: dict[str, tuple[str, ...]] = field(default_factory=dict)
    people: tuple[str, ...] = ()  # nouns (stems) for people
    people_suffixes: tuple[str, ...] = ()
    # "een dode", "ein Toter": the article is the number one.
    single_victims: tuple[str, ...] = ()
    # The next number is an earlier value the text replaces ("up from 29").
    replaced: tuple[str, ...] = ()
    # A bare number after these takes the kind of the figure it answers.
    inherit_preps: tuple[str, ...] = ()
    # "opgelopen tot 2.012", "stands at 31": the number is a toll's predicate.
    predicate_preps: tuple[str, ...] = ()
    since_words: tuple[str, ...] = ()  # "sinds 2014": not background by itself...
    when_words: tuple[str, ...] = ()  # ... unless "toen"/"when" names that event
    population_verbs: tuple[str, ...] = ()  # "wonen", "live": counts residents
    # "60 migrants were feared dead": the figure is a fear, in the cue's clause.
    uncertain_cues: tuple[str, ...] = ()


def _load(module: ModuleType) -> Rules:
    names = set(Rules.__dataclass_fields__)
    return Rules(
        **{k.lower(): v for k, v in vars(module).items() if k.lower() in names}
    )


RULES: dict[str, Rules] = {m.LANG: _load(m) for m in (nl, en, de, fr)}
