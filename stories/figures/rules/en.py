"""English tables."""

# Plain data, packed so that a table reads as a list of words.
# fmt: off
LANG = "en"
THOUSANDS_SEP = ","
DECIMAL_SEP = "."
HEDGES = {
    "more than": "more_than", "over": "more_than", "passed": "more_than",
    "topped": "more_than", "exceeded": "more_than", "in excess of": "more_than",
    "upwards of": "more_than", "at least": "at_least", "a minimum of": "at_least",
    "no fewer than": "at_least", "nearly": "nearly", "almost": "nearly",
    "close to": "nearly", "about": "about", "around": "about", "some": "about",
    "roughly": "about", "approximately": "about", "an estimated": "about",
    "estimated": "about", "up to": "up_to", "as many as": "up_to",
    "fewer than": "fewer_than", "less than": "fewer_than", "under": "fewer_than",
}
ESTIMATE_CUES = ("estimate", "estimates", "estimated")
KINDS = {
    "killed": (
        "killed", "dead", "died", "die", "death", "deaths", "death toll", "fatalities",
        "lost their lives", "bodies", "perished", "drowned", "fatally", "killing",
        "lives", "crushed to death", "number of dead", "number of deaths",
    ),
    "injured": (
        "injured", "injuries", "wounded", "hurt", "hospitalis*", "hospitaliz*",
        "treated", "treating", "injuring", "wounding", "burns", "to hospital",
        "in hospital",
        "to a hospital", "to hospitals", "number of injured",
    ),
    "missing": (
        "missing", "unaccounted",
    ),
    "evacuated": (
        "evacuated", "evacuees", "brought to safety", "led to safety", "to safety",
        "ordered to leave",
    ),
    "displaced": (
        "homeless", "displaced", "without shelter", "in shelters", "shelters",
        "sheltering", "fled", "forced from their homes", "refugees", "into shelters",
        "emergency shelters",
    ),
    "arrested": (
        "arrested", "detained", "arrests", "taken into custody", "were held",
        "been held", "being held", "are held",
    ),
    "affected": (
        "affected", "without power", "without electricity",
    ),
    "other_count": (
        "rescued", "trapped", "hostages", "hostage", "destroyed", "damaged", "alive",
        "abducted", "kidnapped", "survivors", "swept away", "flattened",
    ),
}
NOT_FIGURE_AFTER = (
    "hour", "hours", "minute", "minutes", "second", "seconds", "day", "days", "week",
    "weeks", "month", "months", "year", "years", "decade", "decades", "percent",
    "per cent", "%", "dollars", "dollar", "euros", "pounds", "cents", "km",
    "kilometres", "kilometers", "miles", "mile", "metres", "meters", "feet", "foot",
    "inches", "mm", "cm", "acres", "hectares", "degrees", "magnitude", "comments",
    "comment", "shares", "readers", "views", "likes", "a.m", "p.m", "am", "pm",
    "countries", "helicopters", "vehicles", "ships", "planes", "aircraft", "seats",
    "votes", "of whom", "people on board",
    "people aboard", "passengers on board", "on board", "aboard",
)
NOT_FIGURE_BEFORE = (
    "€", "$", "£", "aged", "age of", "number", "page", "flight", "route", "interstate",
    "highway", "magnitude", "of the",
)
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec",
)
UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "a": 1,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1000}
CONNECTORS = ("and",)
AMBIGUOUS_NUMBER_WORDS = ("a",)
MULTIPLIERS = {"million": 1_000_000, "m": 1_000_000, "billion": 1_000_000_000}
VAGUE = {
    "dozens": 10, "scores": 10, "tens of thousands": 10000,
    "hundreds of thousands": 100_000, "hundreds": 100, "thousands": 1000,
}
FIXED = {
    "half a million": (500_000, "exact"), "a million": (1_000_000, "exact"),
    "a hundred": (100, "exact"), "a thousand": (1000, "exact"),
    "a dozen": (12, "about"), "about a dozen": (12, "about"),
    "half a dozen": (6, "about"), "a score": (20, "about"),
}
RANGE_OPEN = ("between",)
RANGE_JOIN = ("and",)
RANGE_BARE_JOIN = ("to", "-", "–")
REVISION_FROM = ("from",)
REVISION_TO = ("to",)
CHANGE_VERBS = (
    "rose", "risen", "rising", "climbed", "increased", "jumped", "grew", "raised",
    "revised", "fell", "dropped", "lowered", "corrected", "upward", "upwards",
    "downward",
)
FORECAST_CUES = (
    "expected to", "could", "may rise", "may climb", "might rise", "feared", "fears",
    "likely to rise", "projected", "forecast",
)
DENIAL_CUES = (
    "denied", "denies", "rejected", "dismissed", "rumours", "rumors", "false",
    "untrue", "unfounded",
)
SUPERSEDED_CUES = (
    ("earlier",), ("initially",), ("previously",), ("had said",), ("had reported",),
)
BACKGROUND_PREPS = ("in",)
ATTRIBUTION_PREPS = ("according to", "citing")
SPEECH_VERBS = (
    "said", "says", "say", "told", "reported", "reports", "estimate", "estimates",
    "confirmed", "confirms", "announced", "stated", "put the toll at", "raised",
    "revised", "corrected", "lowered", "updated",
)
ATTRIBUTION_STOP = (
    "that", "were", "was", "is", "are", "be", "been", "has", "have", "had", "on",
    "and", "but", "which", "who", "while", "as", "it", "they", "he", "she", "also",
    "now", "later", "then", "there", "with", "when", "after", "this", "by",
    "number", "figure", "figures", "toll", "count", "between", "down", "up", "to",
    "since", "into", "before",
)
AUXILIARIES = ("has", "have", "had", "were", "was")
NEXT_SENTENCE_CUES = ("that", "this", "that's", "that is")
ZERO_DETERMINERS = ("no",)
ZERO_PRONOUNS = ("no one", "nobody", "none")
GLOSS = {
}
STOPWORDS = (
    "the", "and", "of", "to", "was", "were", "is", "that", "with", "for", "at", "said",
    "by", "from", "people", "in", "a", "an", "have", "has", "are",
)
SPLIT_VERBS = (
    ("led lead leads leading", "out", "evacuated"),
    ("brought bring brings bringing", "out", "evacuated"),
    ("pulled pull pulls pulling", "from", "other_count"),
    ("pulled pull pulls pulling", "out", "other_count"),
    ("claimed claims", "lives", "killed"),
)
DENIAL_ENDS = ("saying", "said", "says", "putting", "but", "adding", "according to")
THINGS = {
    "homes": ("other_count", "affected"), "home": ("other_count",),
    "houses": ("other_count", "affected"),
    "house": ("other_count",), "buildings": ("other_count",),
    "dwellings": ("other_count",), "structures": ("other_count",),
    "households": ("affected",), "customers": ("affected",),
    "schools": (), "school": (), "cars": (), "vehicles": (), "trains": (),
    "buses": (), "villages": (), "towns": (), "cities": (), "districts": (),
    "provinces": (), "states": (), "counties": (), "streets": (), "roads": (),
    "bridges": (), "flights": (), "ships": (), "boats": (), "churches": (),
    "hospitals": (), "shelters": (), "centres": (), "centers": (), "blocks": (),
    "floors": (), "families": (), "windows": (), "trees": (), "animals": (),
    "cattle": (), "sites": (), "motorways": (), "highways": (), "lanes": (),
    "fires": (), "locations": (), "miles": (),
    "rest": (), "storeys": (), "stories": (), "tents": (), "camps": (),
}
PEOPLE = (
    "people", "persons", "person", "residents", "villagers", "civilians", "children",
    "pupils", "students", "passengers", "patients", "officers", "soldiers",
    "protesters", "demonstrators", "rioters", "suspects", "miners", "workers",
    "tourists", "visitors", "pilgrims", "refugees", "migrants", "victims", "men",
    "women", "others", "crew", "fans", "inmates", "prisoners", "firefighters",
    "staff", "employees", "survivors", "hostages", "bodies", "adults", "babies",
)
PEOPLE_SUFFIXES = ("ers", "ants", "ents", "ists", "ians", "ees")
REPLACED = (
    "up from", "down from", "replacing the figure of", "replacing", "instead of",
    "and not", "not",
)
INHERIT_PREPS = ("of", "at", "to", "from")
PREDICATE_PREPS = ("at", "to")
SINCE_WORDS = ("since",)
WHEN_WORDS = ("when", "where", "in which")
UNCERTAIN_CUES = ("feared dead", "feared killed", "presumed dead", "believed dead")
POPULATION_VERBS = ("live", "lived", "lives", "living", "inhabited")
# fmt: on
