"""Language-neutral story signals of an article, and the score between two articles.

Pure (no Django). An article becomes a set of *keys*, accent-folded and lower-case,
so that articles in Dutch, German, French and English can be compared:

- ``P:<code>`` a place: a country or region named in any of the four languages
  (CLDR territory names, via Babel: "Rusland", "Russland", "Russie", "Russia" ->
  ``P:RU``), or a city with a CLDR time zone ("Kairo", "Le Caire" ->
  ``C:Africa/Cairo``);
- ``N:<word>`` a name: a capitalised word that does not start a sentence, matched as
  a whole word ("Faye", "Orsk"); never a prefix. In German every noun is
  capitalised, so there a capitalised word counts as a name only when no article,
  pronoun or other lower-case word stands right before it ("in Taiwan",
  "Präsident Faye": names; "die Regierung", "schweren Beben": not);
- ``W:<word>`` a weak name: capitalised, but a common word of its language that the
  other languages lack ("Openbaar Ministerie", "Security Council"); it counts, but
  does not anchor a match;
- ``E:<type>`` an event type (``EVENT_WORDS``: earthquake, flood, election... in four
  languages);
- ``D:<month>-<day>`` a date written in the text ("3 April", "3. April", "3 avril");
- ``F:<kind>:<value>:<place>`` a figure found by ``stories.figures`` together with a
  place of its sentence (else the article's most named place), never a bare number.

The score of article ``a`` against article ``b`` (both ``Signals``), given the
document frequency ``df`` of every key over ``n`` recent articles:

    w_d(k)   = kind(k) * idf(k) * (2 if k is in d's headline else 1)
    idf(k)   = ln((n + 1) / (df(k) + 1)) + 1
    keys     = sum_{k in a & b} w_a(k) w_b(k) / (|w_a| |w_b|)          (cosine)
    score    = keys * gate
    gate     = 0    if a and b share no anchor (a name or a city), or one key only,
               0.5  if both name event types and none of them is shared,
               1    otherwise

with kind(P country) = 0.5, kind(P city) = 1.5, kind(N) = 1, kind(E) = 1, kind(D) =
0.5, kind(F) = 1.5. An article's score against a story is its best score against
the story's articles. (Word TF-IDF within one language was measured on the dev
corpus and added nothing over these keys, so it is not used.)
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from stories.text import sentences as text_sentences

LANGUAGES = ("en", "nl", "de", "fr")

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s$")
_QUOTE_GAP = re.compile(r"[:;«»„“”\"(\[–—]\s*$")

# Event types, by stem (a word starting with the stem, whole words only for short
# ones) in en / nl / de / fr. Shared event types are evidence; two articles naming
# only different event types are probably about different things.
EVENT_WORDS: dict[str, tuple[str, ...]] = {
    "earthquake": (
        "earthquake",
        "quake",
        "tremor",
        "aftershock",
        "aardbeving",
        "beving",
        "naschok",
        "erdbeben",
        "beben",
        "nachbeben",
        "seisme",
        "tremblement de terre",
        "replique",
        "magnitude",
    ),
    "flood": (
        "flood",
        "flooding",
        "overstroming",
        "overstroomd",
        "hoogwater",
        "wateroverlast",
        "hochwasser",
        "uberschwemm",
        "flut",
        "inondation",
        "inonde",
        "crue",
        "dam breach",
        "dijkdoorbraak",
        "dammbruch",
        "damm",
        "barrage",
    ),
    "collapse": (
        "collapse",
        "ingestort",
        "instort",
        "stort in",
        "eingesturzt",
        "einsturz",
        "effondre",
        "effondrement",
    ),
    "election": (
        "election",
        "vote",
        "ballot",
        "verkiezing",
        "stembus",
        "wahl",
        "gewahlt",
        "election",
        "scrutin",
        "presidentielle",
        "sworn in",
        "inauguration",
        "beedigd",
        "ingezworen",
        "vereidigt",
        "amtseid",
        "investi",
        "investiture",
    ),
    "truce": (
        "ceasefire",
        "truce",
        "hostage",
        "bestand",
        "staakt-het-vuren",
        "gijzelaar",
        "waffenruhe",
        "feuerpause",
        "geisel",
        "treve",
        "cessez-le-feu",
        "otage",
    ),
    "trial": (
        "trial",
        "prosecutor",
        "indict",
        "charges",
        "proces",
        "openbaar ministerie",
        "vervolg",
        "aanklacht",
        "anklage",
        "staatsanwalt",
        "prozess",
        "verfahren",
        "proces",
        "parquet",
        "inculpe",
        "poursuite",
    ),
    "storm": (
        "storm",
        "hurricane",
        "typhoon",
        "orkaan",
        "tyfoon",
        "sturm",
        "orkan",
        "tempete",
        "ouragan",
        "typhon",
    ),
    "fire": ("wildfire", "bosbrand", "waldbrand", "incendie", "blaze"),
    "attack": (
        "attack",
        "shooting",
        "gunman",
        "aanslag",
        "schietpartij",
        "anschlag",
        "attentat",
        "fusillade",
        "attaque",
    ),
    "crash": ("plane crash", "vliegtuigcrash", "flugzeugabsturz", "absturz", "crash"),
    "death": (
        "dies at",
        "died",
        "overleden",
        "overlijdt",
        "gestorben",
        "stirbt",
        "est mort",
        "est morte",
        "deces",
        "obituary",
    ),
    "sport": (
        "opening day",
        "match",
        "wedstrijd",
        "spiel",
        "championship",
        "kampioen",
        "meister",
        "champion",
        "inning",
        "home run",
        "coureur",
        "wielren",
        "radrennen",
        "cyclisme",
    ),
    "eclipse": ("eclipse", "zonsverduistering", "sonnenfinsternis", "eclipse"),
    "strike": ("strike", "staking", "streik", "greve"),
    "protest": ("protest", "demonstration", "betoging", "kundgebung", "manifestation"),
}

# Capitalised words that are not names wherever they stand.
_NOT_NAMES = frozenset(
    re.split(
        r"\s+",
        "i mr mrs ms dr sir de het een le la les un une der die das den dem des ein "
        "eine sie ihr wir er es",
    )
)
_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "januari": 1,
    "februari": 2,
    "maart": 3,
    "mei": 5,
    "juni": 6,
    "juli": 7,
    "augustus": 8,
    "oktober": 10,
    "januar": 1,
    "februar": 2,
    "marz": 3,
    "dezember": 12,
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
_WEEKDAYS = frozenset(
    re.split(
        r"\s+",
        "monday tuesday wednesday thursday friday saturday sunday maandag dinsdag "
        "woensdag donderdag vrijdag zaterdag zondag montag dienstag mittwoch "
        "donnerstag freitag samstag sonntag lundi mardi mercredi jeudi vendredi "
        "samedi dimanche",
    )
)
_DATE = re.compile(
    r"\b(\d{1,2})(?:\.|er)?\s+([a-z]{3,9})\b|\b([a-z]{3,9})\s+(\d{1,2})\b"
)
KIND_WEIGHT = {"P": 0.5, "C": 1.5, "N": 1.0, "W": 0.5, "E": 1.0, "D": 0.5, "F": 1.5}
# A capitalised word that is a common word of its own language only (wordfreq's
# Zipf scale: 3 is once per million words) is no name in German, where every noun is
# capitalised, and only a weak one ("W:") elsewhere ("Openbaar Ministerie").
_OWN_WORD_MARGIN = 1.5
_COMMON = 3.0
_COMPOUND_TAIL = 3.5  # a German compound ends in a noun at least this common


def fold(text: str) -> str:
    """Lower-case, accents removed: 'Sénégal' -> 'senegal'."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def warm_up() -> None:
    """Load the place names and word frequencies of every language once."""
    for lang in LANGUAGES:
        place_names(lang)
        _own_word("Warm", lang)


@lru_cache(maxsize=8)
def place_names(lang: str) -> dict[tuple[str, ...], str]:
    """Folded word sequence -> place key, from CLDR (Babel) in this language.

    Countries and regions are ``P:<ISO code>``; cities with a time zone of their own
    ``C:<zone>`` (English name from the zone, the language's own where CLDR has
    one). Only the article's language is used, so a German name cannot collide with
    an English word ("Island" is Iceland in German).
    """
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    try:
        locale = Locale(lang or "en")
    except (ValueError, UnknownLocaleError):
        locale = Locale("en")
    names: dict[tuple[str, ...], str] = {}

    def add(name: str, key: str) -> None:
        words = tuple(fold(w) for w in _WORD.findall(name.split(",")[0]))
        if words and len(" ".join(words)) >= 4:
            names.setdefault(words, key)

    for code, name in locale.territories.items():
        if code.isalpha() and len(code) == 2:
            add(name, f"P:{code}")
    for zone in get_global("zone_territories"):
        if zone.count("/") != 1 or zone.startswith(("Antarctica/", "Etc/")):
            continue
        city = locale.time_zones.get(zone, {}).get("city")
        add(city or zone.rsplit("/", 1)[-1].replace("_", " "), f"C:{zone}")
    return names


@lru_cache(maxsize=1)
def _event_patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for kind, stems in EVENT_WORDS.items():
        alternatives = sorted(
            {re.escape(fold(s)) for s in stems}, key=len, reverse=True
        )
        patterns.append((re.compile(r"\b(?:" + "|".join(alternatives) + r")"), kind))
    return patterns


def events(folded: str) -> Counter[str]:
    """Event types named in folded text, with how often."""
    found: Counter[str] = Counter()
    for pattern, kind in _event_patterns():
        count = len(pattern.findall(folded))
        if count:
            found[kind] = count
    return found


def dates(folded: str) -> set[str]:
    found = set()
    for day_a, month_a, month_b, day_b in _DATE.findall(folded):
        month = _MONTHS.get(month_a or month_b)
        day = int(day_a or day_b)
        if month and 1 <= day <= 31:
            found.add(f"D:{month:02d}-{day:02d}")
    return found


@dataclass(frozen=True)
class _Token:
    word: str
    folded: str
    starts: bool  # first word of a sentence (or a line, or after a quote/colon)

    @property
    def capitalised(self) -> bool:
        return self.word[:1].isupper()


def _tokens(text: str, lang: str = "") -> list[_Token]:
    """Words of the text; `starts` marks the first word of each sentence (the one
    sentence splitter, stories/text.py) and the first after a quote or colon."""
    tokens = []
    for sentence in text_sentences(text, lang):
        chunk = sentence.text
        for n, match in enumerate(_WORD.finditer(chunk)):
            gap = chunk[max(0, match.start() - 3) : match.start()]
            starts = n == 0 or bool(_QUOTE_GAP.search(gap))
            for part in match.group().split("-"):
                part = _POSSESSIVE.sub("", part)
                if part:
                    tokens.append(_Token(part, fold(part), starts))
                    starts = False
    return tokens


def _own_word(word: str, lang: str) -> bool:
    """A common word of this language that other languages lack (wordfreq Zipf):
    'Regierung', 'Openbaar', 'Security'. Names travel: 'Baltimore' is about as
    common in every language."""
    from wordfreq import zipf_frequency

    here = zipf_frequency(word, lang if lang in LANGUAGES else "en")
    if here < _COMMON:
        return False
    elsewhere = max(zipf_frequency(word, other) for other in LANGUAGES if other != lang)
    return here - elsewhere > _OWN_WORD_MARGIN


def _german_compound(word: str) -> bool:
    """A German word unknown elsewhere that ends in a common German noun
    ('Containerschiff', 'Chipriese'): a compound noun, not a name ('Pföhler')."""
    from wordfreq import zipf_frequency

    if max(zipf_frequency(word, other) for other in ("en", "fr", "nl")) >= 1.0:
        return False
    return any(
        zipf_frequency(word[-size:].capitalize(), "de") >= _COMPOUND_TAIL
        for size in range(5, len(word) - 3)
    )


def places_in(tokens: list[_Token], lang: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of the longest capitalised place names among the tokens.

    A place right after a capitalised word inside a sentence is part of a longer
    name ("New Jersey" is not Jersey) and is skipped.
    """
    names = place_names(lang)
    folded = [t.folded for t in tokens]
    found = []
    i = 0
    while i < len(tokens):
        if not tokens[i].capitalised:
            i += 1
            continue
        for size in (4, 3, 2, 1):
            key = names.get(tuple(folded[i : i + size]))
            if key:
                before = tokens[i - 1] if i else None
                inside_name = (
                    before is not None
                    and before.capitalised
                    and not before.starts
                    and not tokens[i].starts
                )
                if not inside_name:
                    found.append((i, i + size, key))
                i += size
                break
        else:
            i += 1
    return found


def _names(tokens: list[_Token], lang: str, taken: set[int]) -> set[str]:
    names = set()
    for i, token in enumerate(tokens):
        if i in taken or token.starts or not token.capitalised:
            continue
        key = token.folded
        if len(key) < 3 or key in _NOT_NAMES or key in _MONTHS or key in _WEEKDAYS:
            continue
        if lang == "de" and _german_compound(token.word):
            continue
        if events(key):  # "Nachbeben", "Flut": what happened, not who or where
            continue
        if _own_word(token.word, lang):
            if lang != "de":
                names.add(f"W:{key}")
            continue
        names.add(f"N:{key}")
    return names


@dataclass(frozen=True)
class Signals:
    """The keys of one article; `title` holds those of its headline."""

    keys: frozenset[str]
    title: frozenset[str] = frozenset()
    language: str = ""
    events: frozenset[str] = frozenset()  # what it is about (see signals())

    def weights(self, idf: Idf) -> dict[str, float]:
        return {
            k: KIND_WEIGHT[k[0]] * idf.get(k, 1.0) * (2.0 if k in self.title else 1.0)
            for k in self.keys
        }

    @property
    def anchors(self) -> frozenset[str]:
        return frozenset(k for k in self.keys if k[0] in "NC")


def _keys_of(text: str, lang: str) -> tuple[set[str], Counter[str], Counter[str]]:
    """The keys of a text, and how often each event type and place is named."""
    tokens = _tokens(text, lang)
    places = places_in(tokens, lang)
    keys = {key for _, _, key in places}
    taken = {i for start, end, _ in places for i in range(start, end)}
    keys |= _names(tokens, lang, taken)
    folded = " ".join(t.folded for t in tokens)
    named = events(folded)
    keys |= {f"E:{kind}" for kind in named}
    keys |= dates(fold(text))
    return keys, named, Counter(key for _, _, key in places)


def signals(
    title: str, text: str, lang: str, figures: Iterable[Mapping] = ()
) -> Signals:
    """The keys of an article from its headline, text and stored figures."""
    body, body_events, places = _keys_of(text, lang)
    head, head_events, _ = _keys_of(title, lang)
    # A headline is often in title case: its words count as names only when the
    # text names them too.
    head = {k for k in head if k[0] not in "NW" or k in body}
    keys = body | head
    # What the article is about: the event types of its headline, else the one its
    # text names most.
    main = set(head_events) or {k for k, _ in body_events.most_common(1)}
    main_place = places.most_common(1)[0][0] if places else ""
    for figure in figures:
        if figure.get("value") is None or figure.get("background"):
            continue
        sentence = _tokens(figure.get("sentence", ""), lang)
        where = [k for _, _, k in places_in(sentence, lang)][:1] or [main_place]
        for place in filter(None, where):
            keys.add(f"F:{figure['kind']}:{int(figure['value'])}:{place[2:]}")
    return Signals(frozenset(keys), frozenset(head), lang, frozenset(main))


class Idf:
    """idf(k) = ln((n + 1) / (df(k) + 1)) + 1, computed when asked."""

    def __init__(self, df: Mapping[str, int], n: int) -> None:
        self.df, self.n = df, n

    def get(self, key: str, default: float = 1.0) -> float:
        return math.log((self.n + 1) / (self.df.get(key, 0) + 1)) + 1


@dataclass(frozen=True)
class PairScore:
    score: float
    shared: list[str] = field(default_factory=list)
    reason: str = ""


def pair_score(a: Signals, b: Signals, idf: Idf) -> PairScore:
    """The formula of the module docstring, with what the two articles share."""
    shared = sorted(a.keys & b.keys)
    if not a.anchors & b.anchors:
        return PairScore(0.0, shared, "no shared name or city")
    if len(shared) < 2:
        return PairScore(0.0, shared, "one key in common only")
    wa, wb = a.weights(idf), b.weights(idf)
    dot = sum(wa[k] * wb[k] for k in shared)
    norm = math.sqrt(sum(v * v for v in wa.values()) * sum(v * v for v in wb.values()))
    score = dot / norm if norm else 0.0
    reason = "shared keys"
    if a.events and b.events and not a.events & b.events:
        score *= 0.5
        reason = "shared keys, different events"
    return PairScore(round(score, 3), shared, reason)
