"""German tables."""

# Plain data, packed so that a table reads as a list of words.
# fmt: off
LANG = "de"
THOUSANDS_SEP = "."
DECIMAL_SEP = ","
HEDGES = {
    "mehr als": "more_than", "über": "more_than", "knapp über": "more_than",
    "mindestens": "at_least", "wenigstens": "at_least", "zumindest": "at_least",
    "fast": "nearly", "beinahe": "nearly", "knapp": "nearly", "nahezu": "nearly",
    "rund": "about", "etwa": "about", "ungefähr": "about", "circa": "about",
    "ca.": "about", "schätzungsweise": "about", "geschätzt": "about",
    "bis zu": "up_to", "weniger als": "fewer_than", "unter": "fewer_than",
}
ESTIMATE_CUES = ("schätzt", "schätzen", "geschätzt", "schätzungen", "schätzungsweise")
KINDS = {
    "killed": (
        "tote*", "todesopfer*", "ums leben", "tödlich verunglückt", "tödlich verletzt",
        "getötet", "gestorben", "starben",
        "starb", "umgekommen", "ertrunken", "leichen", "tot", "erschlagen",
        "erschossen", "menschenleben", "zahl der toten", "todeszahl", "opferzahl",
    ),
    "injured": (
        "verletz*", "verwundet*", "verbrennungen", "behandelt", "ins krankenhaus",
        "im krankenhaus",
        "in krankenhäuser", "in kliniken", "schussverletzungen",
    ),
    "missing": (
        "vermisst*",
    ),
    "evacuated": (
        "evakuiert", "in sicherheit gebracht", "in sicherheit",
    ),
    "displaced": (
        "obdachlos*", "geflohen", "geflüchtet", "vertrieben", "notunterkünft*",
        "notquartier*", "flohen",
    ),
    "arrested": (
        "festgenommen", "verhaftet", "festnahmen", "in gewahrsam",
    ),
    "affected": (
        "betroffen*", "ohne strom",
    ),
    "other_count": (
        "gerettet", "lebend", "verschüttet", "eingeschlossen", "geiseln", "zerstört*",
        "beschädigt*", "entführt", "überlebende*",
    ),
}
NOT_FIGURE_AFTER = (
    "davon",
    "uhr", "stunde", "stunden", "minute", "minuten", "sekunden", "tag", "tage",
    "tagen", "woche", "wochen", "monat", "monate", "monaten", "jahr", "jahre",
    "jahren", "jährige", "jährigen", "prozent", "%", "euro", "dollar", "cent",
    "kilometer", "km", "meter", "m", "zentimeter", "cm", "millimeter", "mm", "hektar",
    "grad", "liter", "tonnen", "kommentare", "kommentar", "leser", "länder", "ländern",
    "hubschrauber", "fahrzeuge", "schiffe", "sitze", "stimmen",
)
NOT_FIGURE_BEFORE = (
    "€", "$", "£", "alter von", "nummer", "nr", "seite", "um", "von den", "der",
)
MONTHS = (
    "januar", "jänner", "februar", "märz", "april", "mai", "juni", "juli", "august",
    "september", "oktober", "november", "dezember",
)
UNITS = {
    "null": 0, "eins": 1, "ein": 1, "eine": 1, "einen": 1, "zwei": 2, "zwo": 2,
    "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
    "zehn": 10, "elf": 11, "zwölf": 12, "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15,
    "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19,
}
TENS = {
    "zwanzig": 20, "dreißig": 30, "dreissig": 30, "vierzig": 40, "fünfzig": 50,
    "sechzig": 60, "siebzig": 70, "achtzig": 80, "neunzig": 90,
}
SCALES = {"hundert": 100, "tausend": 1000}
CONNECTORS = ("und",)
AMBIGUOUS_NUMBER_WORDS = ("ein", "eine", "einen")
MULTIPLIERS = {
    "million": 1_000_000, "millionen": 1_000_000, "mio": 1_000_000, "mio.": 1_000_000,
    "milliarde": 1_000_000_000, "milliarden": 1_000_000_000, "mrd": 1_000_000_000,
}
VAGUE = {
    "dutzende": 10, "zehntausende": 10000, "hunderttausende": 100_000, "hunderte": 100,
    "tausende": 1000,
}
FIXED = {
    "ein dutzend": (12, "about"), "rund ein dutzend": (12, "about"),
    "eine halbe million": (500_000, "exact"), "eine million": (1_000_000, "exact"),
}
RANGE_OPEN = ("zwischen",)
RANGE_JOIN = ("und",)
RANGE_BARE_JOIN = ("bis", "-", "–")
REVISION_FROM = ("von",)
REVISION_TO = ("auf",)
CHANGE_VERBS = (
    "gestiegen", "stieg", "steigt", "erhöht", "erhöhte", "korrigiert", "korrigierte",
    "korrigierten",
    "gesunken", "sank",
)
FORECAST_CUES = (
    "könnte", "könnten", "befürchtet", "befürchten", "erwartet", "erwarten", "dürfte",
    "dürften", "voraussichtlich", "steigen wird",
)
DENIAL_CUES = (
    "dementiert", "dementierte", "bestritten", "bestreitet", "gerüchte",
    "falschmeldung", "falsch", "unwahr",
)
SUPERSEDED_CUES = (
    ("zuvor",), ("zunächst",), ("anfangs",), ("ursprünglich",), ("war", "noch"),
    ("hatte", "noch"), ("sprach", "noch"),
)
BACKGROUND_PREPS = ("im jahr", "im", "in")
ATTRIBUTION_PREPS = (
    "laut", "nach angaben von", "nach angaben der", "nach angaben des", "nach angaben",
    "zufolge", "wie",
)
SPEECH_VERBS = (
    "teilte", "teilten", "sagte", "sagten", "sagt", "meldete", "meldeten", "meldet",
    "berichtete", "berichtet", "erklärte", "bestätigte", "gab", "sprach von",
    "spricht von", "schätzt", "mitteilte", "mitteilten",
)
ATTRIBUTION_STOP = (
    "mit", "bekannt", "an", "am", "sind", "ist", "war", "waren", "wurden", "wurde",
    "werden", "hat", "haben", "hatte", "noch", "inzwischen", "bereits", "dass", "und",
    "oder", "auch", "nun", "jetzt", "bei", "es",
)
AUXILIARIES = ("hat", "haben", "hatte")
NEXT_SENTENCE_CUES = ("das", "dies", "dies teilte", "so")
ZERO_DETERMINERS = ("keine", "kein", "keinen")
ZERO_PRONOUNS = ("niemand",)
GLOSS = {
    "die": "the", "der": "the", "das": "the", "den": "the", "des": "of the",
    "regionalregierung": "regional government", "regierung": "government",
    "polizei": "police", "feuerwehr": "fire brigade", "behörden": "authorities",
    "ministerium": "ministry", "gesundheitsministerium": "health ministry",
    "innenministerium": "interior ministry", "rettungskräfte": "rescuers",
    "rettungsdienst": "emergency services", "bürgermeister": "mayor",
    "staatsmedien": "state media", "armee": "army", "von": "of", "ein": "a",
    "eine": "a", "sprecher": "spokesperson", "sprecherin": "spokesperson",
    "katastrophenschutz": "civil protection", "zivilschutz": "civil protection",
}
STOPWORDS = (
    "der", "die", "das", "und", "ist", "nicht", "mit", "von", "den", "dem", "wurden",
    "im", "bei", "sich", "auf", "ein", "eine", "menschen", "zu", "uhr", "nach", "wie",
    "am",
)
SPLIT_VERBS = (
    ("nahm nahmen nimmt nehmen", "fest", "arrested"),
    ("kam kamen kommt kommen", "ums leben", "killed"),
    ("brachte brachten bringt bringen", "in sicherheit", "evacuated"),
)
PARTICLE_LAST = True
DENIAL_SPLIT_VERBS = (("wies wiesen weist weisen", "zurück"),)
DENIAL_ENDS = ("es gebe", "sprach von", "spricht von", "aber", "laut", "sondern")
THINGS = {
    "häuser": ("other_count", "affected"), "haus": ("other_count",),
    "gebäude": ("other_count",), "wohnungen": ("other_count",),
    "wohnhäuser": ("other_count",), "haushalte": ("affected",),
    "schulen": (), "autos": (), "fahrzeuge": (), "züge": (), "busse": (),
    "dörfer": (), "städte": (), "gemeinden": (), "straßen": (), "brücken": (),
    "flüge": (), "kirchen": (), "kliniken": (), "familien": (), "fenster": (),
    "bäume": (), "tiere": (), "turnhallen": (), "orte": (),
}
PEOPLE = (
    "mensch*", "person*", "bewohner*", "einwohner*", "kinder", "schüler*",
    "passagier*", "fahrgäste", "patient*", "polizist*", "soldat*", "demonstrant*",
    "randalierer*", "verdächtig*", "bergleute", "bergarbeiter*", "arbeiter*",
    "tourist*", "besucher*", "pilger*", "flüchtling*", "migrant*", "opfer", "männer",
    "frauen", "andere*", "zivilist*", "insass*", "feuerwehrleute", "einsatzkräfte",
    "geiseln", "häftling*", "gefangene*", "fans",
)
PEOPLE_SUFFIXES = ("innen", "leute", "enden", "isten", "anten")
SINGLE_VICTIMS = ("toter", "tote", "verletzter", "verletzte", "vermisster")
REPLACED = ("statt", "anstatt", "und nicht", "nicht")
INHERIT_PREPS = ("von", "auf", "bei", "mit")
PREDICATE_PREPS = ("auf", "bei")
SINCE_WORDS = ("seit",)
WHEN_WORDS = ("als", "wo", "bei der", "bei dem", "bei denen")
UNCERTAIN_CUES = ("vermutlich", "befürchtet", "möglicherweise")
POPULATION_VERBS = ("leben", "lebten", "wohnen", "wohnten")
# fmt: on
