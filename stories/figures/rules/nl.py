"""Dutch tables."""

# Plain data, packed so that a table reads as a list of words.
# fmt: off
LANG = "nl"
THOUSANDS_SEP = "."
DECIMAL_SEP = ","
HEDGES = {
    "ruim": "more_than", "meer dan": "more_than", "boven de": "more_than",
    "zeker": "at_least", "minstens": "at_least", "ten minste": "at_least",
    "tenminste": "at_least", "minimaal": "at_least", "bijna": "nearly",
    "vrijwel": "nearly", "ongeveer": "about", "zo'n": "about", "circa": "about",
    "ca.": "about", "rond de": "about", "om en nabij": "about",
    "naar schatting": "about", "tot wel": "up_to", "tot": "up_to", "maximaal": "up_to",
    "minder dan": "fewer_than", "nog geen": "fewer_than",
}
ESTIMATE_CUES = ("schat", "schatten", "schatte", "schatting", "geschat")
KINDS = {
    "killed": (
        "dode", "doden", "dodental", "dodelijk* slachtoffer*", "omgekomen",
        "om het leven", "het leven", "overleden", "omgebracht", "gedood",
        "doodgeschoten", "doodgedrukt", "doodgestoken", "verdronken", "stierven",
        "stierf", "sterfgevallen", "lichamen", "lijken", "omkwamen", "omkwam",
        "levens", "aantal doden",
    ),
    "injured": (
        "gewond*", "verwond*", "brandwonden", "in het ziekenhuis",
        "naar het ziekenhuis",
        "naar een ziekenhuis", "behandeld", "zwaargewond*", "lichtgewond*",
        "opgenomen", "rookvergiftiging",
    ),
    "missing": (
        "vermist*", "spoorloos", "niet gelokaliseerd", "onvindbaar",
    ),
    "evacuated": (
        "geëvacueerd*", "evacueerden", "evacueerde", "in veiligheid",
        "hun woning verlaten", "hun huis verlaten", "hun huizen verlaten",
        "hun woningen verlaten",
        "naar buiten gebracht", "naar buiten gehaald",
    ),
    "displaced": (
        "dakloos", "daklozen", "ontheemd*", "ontvlucht", "gevlucht*", "op de vlucht",
        "opvang", "noodopvang", "onderdak", "opgevangen",
    ),
    "arrested": (
        "aangehouden", "opgepakt", "gearresteerd*", "arresteerde*", "arrestaties",
        "arrestanten",
        "aanhoudingen", "verdachten aangehouden", "in hechtenis",
    ),
    "affected": (
        "getroffen", "gedupeerd*", "zonder stroom",
    ),
    "other_count": (
        "levend", "gered", "redde", "redden", "ingesloten", "bedolven", "gegijzeld",
        "gijzelaars",
        "ontvoerd", "verwoest", "beschadigd", "ingestort", "weggevaagd",
        "onbewoonbaar", "overlevenden", "uitgebrand", "afgebrand", "verwoest*",
    ),
}
NOT_FIGURE_AFTER = (
    "uur", "uren", "minuut", "minuten", "seconden", "dag", "dagen", "week", "weken",
    "maand", "maanden", "jaar", "jaren", "jarige", "eeuw", "decennia", "procent", "%",
    "procentpunt", "euro", "dollar", "pond", "cent", "kilometer", "km", "meter", "m",
    "centimeter", "cm", "millimeter", "mm", "kilo", "ton", "liter", "hectare",
    "graden", "vierkante", "reacties", "reactie", "keer gedeeld", "lezers", "views",
    "likes", "landen", "helikopters", "voertuigen", "schepen", "vliegtuigen",
    "kamerleden", "zetels", "stemmen", "daarvan", "van wie",
    "mensen aan boord", "passagiers aan boord", "aan boord",
)
NOT_FIGURE_BEFORE = (
    "€", "$", "£", "leeftijd van", "nummer", "nr", "artikel", "pagina", "van de",
)
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
    "september", "oktober", "november", "december",
)
# "een" counts only inside compounds ("eenentwintig"); alone it is an article.
UNITS = {
    "nul": 0, "één": 1, "eén": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6,
    "zeven": 7, "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12,
    "dertien": 13, "veertien": 14, "vijftien": 15, "zestien": 16, "zeventien": 17,
    "achttien": 18, "negentien": 19, "een": 1,
}
TENS = {
    "twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60,
    "zeventig": 70, "tachtig": 80, "negentig": 90,
}
SCALES = {"honderd": 100, "duizend": 1000}
CONNECTORS = ("en", "ën")
AMBIGUOUS_NUMBER_WORDS = ("een",)
MULTIPLIERS = {"miljoen": 1_000_000, "mln": 1_000_000, "miljard": 1_000_000_000}
VAGUE = {
    "tientallen": 10, "honderden": 100, "duizenden": 1000, "tienduizenden": 10000,
    "honderdduizenden": 100_000,
}
FIXED = {
    "een half miljoen": (500_000, "exact"), "een miljoen": (1_000_000, "exact"),
    "een dozijn": (12, "about"), "een tiental": (10, "about"),
    "een twintigtal": (20, "about"), "een honderdtal": (100, "about"),
}
RANGE_OPEN = ("tussen", "tussen de")
RANGE_JOIN = ("en",)
RANGE_BARE_JOIN = ("tot", "-", "–")
REVISION_FROM = ("van",)
REVISION_TO = ("tot", "naar", "op")
CHANGE_VERBS = (
    "opgelopen", "gestegen", "toegenomen", "bijgesteld", "verhoogd", "liep", "steeg",
    "stijgt", "loopt", "gedaald", "daalde", "verlaagd", "gecorrigeerd", "corrigeerde",
    "aangepast",
)
FORECAST_CUES = (
    "kan oplopen", "kan nog oplopen", "zal stijgen", "zal oplopen", "verwacht",
    "verwachten", "vreest", "vrezen", "gevreesd", "zou kunnen", "dreigt", "mogelijk",
    "waarschijnlijk oplopen",
)
DENIAL_CUES = (
    "ontkend", "ontkent", "ontkenden", "tegengesproken", "gerucht", "geruchten",
    "weerspreekt", "weerspreken", "onjuist", "onwaar", "niet waar",
)
SUPERSEDED_CUES = (
    ("eerder",), ("aanvankelijk",), ("sprak", "nog"), ("meldde", "nog"),
    ("meldden", "nog"), ("ging", "nog", "uit"), ("hield", "nog"),
)
BACKGROUND_PREPS = ("in",)
ATTRIBUTION_PREPS = (
    "volgens", "aldus", "naar verluidt van", "op basis van cijfers van",
)
SPEECH_VERBS = (
    "meldt", "melden", "meldde", "meldden", "zegt", "zeggen", "zei", "zeiden",
    "spreekt van", "spreken van", "sprak", "spraken", "spreekt", "houdt het op",
    "houden het op", "hield het op", "laat weten", "liet weten", "maakte bekend",
    "maakt bekend", "bevestigt", "bevestigde", "schat", "schatten", "telt",
    "rapporteert", "berichtte", "bericht", "verhoogde", "corrigeerde",
    "stelde",
)
ATTRIBUTION_STOP = (
    "zijn", "is", "was", "waren", "vielen", "viel", "raakten", "raakte", "kwamen",
    "kwam", "werden", "werd", "worden", "wordt", "hebben", "heeft", "had", "hadden",
    "zou", "zouden", "kan", "kon", "nog", "inmiddels", "al", "ook", "dat", "die", "er",
    "bij", "op", "wel", "niet", "nu", "tot", "dan", "want", "maar", "en", "of", "zich",
    "zo", "daar", "hier", "toen", "als", "aantal", "getal", "eerder", "nu",
)
AUXILIARIES = ("heeft", "hebben", "had", "hadden")
NEXT_SENTENCE_CUES = ("dat", "dit", "dat is", "zo")
ZERO_DETERMINERS = ("geen",)
ZERO_PRONOUNS = ("niemand",)
GLOSS = {
    "een": "a", "de": "the", "het": "the", "van": "of", "in": "in", "uit": "from",
    "voormalige": "former", "voormalig": "former", "oud": "former",
    "topfunctionaris": "senior official", "functionaris": "official",
    "functionarissen": "officials", "ambtenaren": "officials", "armeense": "Armenian",
    "armenië": "Armenia", "azerbeidzjan": "Azerbaijan",
    "azerbeidzjaanse": "Azerbaijani", "rusland": "Russia", "russische": "Russian",
    "oekraïne": "Ukraine", "oekraïense": "Ukrainian", "israël": "Israel",
    "regio": "region", "brandweer": "fire service", "gemeente": "municipality",
    "kustwacht": "coast guard", "politie": "police", "autoriteiten": "authorities",
    "overheid": "government", "regering": "government", "ministerie": "ministry",
    "volksgezondheid": "health", "gezondheid": "health",
    "hulpdiensten": "emergency services", "burgemeester": "mayor",
    "ziekenhuis": "hospital", "leger": "army", "rode": "Red", "kruis": "Cross",
    "veiligheidsregio": "safety region", "gouverneur": "governor",
    "minister": "minister", "woordvoerder": "spokesperson", "lokale": "local",
    "lokaal": "local", "media": "media", "staatsmedia": "state media",
    "officials": "officials", "bronnen": "sources", "verzekeraars": "insurers",
    "rijkswaterstaat": "Rijkswaterstaat", "vn": "UN", "hamas": "Hamas",
}
STOPWORDS = (
    "de", "het", "een", "en", "van", "is", "zijn", "niet", "dat", "met", "voor", "op",
    "er", "bij", "ook", "werd", "volgens", "mensen", "naar", "uur", "nog", "wordt",
    "maar", "om", "aan", "hun", "deze",
)
SPLIT_VERBS = (
    ("pakte pakten pakt pakken", "op", "arrested"),
    ("hield hielden houdt houden", "aan", "arrested"),
    ("nam namen neemt nemen", "mee", "arrested"),
    ("kwam kwamen komt komen", "om", "killed"),
    ("zit zitten zat zaten", "vast", "other_count"),
    ("brandde brandden brandt branden", "uit", "other_count"),
    ("sloeg sloegen slaat slaan", "op de vlucht", "displaced"),
    ("bracht brachten brengt brengen", "in veiligheid", "evacuated"),
)
PARTICLE_LAST = True
DENIAL_SPLIT_VERBS = (("spreekt spreken sprak spraken", "tegen"),)
DENIAL_ENDS = ("volgens", "maar", "aldus", "gaat het om", "spreekt van", "er is",
               "er zijn", "wel")
THINGS = {
    "woning*": ("other_count", "affected"), "huiz*": ("other_count", "affected"),
    "huis": ("other_count",),
    "gebouw*": ("other_count",), "pand*": ("other_count",), "flat*": ("other_count",),
    "boerderij*": ("other_count",), "huishoudens": ("affected",),
    "aansluitingen": ("affected",),
    "school": (), "scholen": (), "auto's": (), "auto": (), "trein*": (), "bus": (),
    "bussen": (), "dorp*": (), "stad": (), "steden": (), "gemeente*": (),
    "provincie*": (), "wijk*": (), "straat": (), "straten": (), "weg": (),
    "wegen": (), "brug*": (), "vlucht*": (), "schip": (), "schepen": (),
    "boten": (), "kerk*": (), "ziekenhuiz*": (), "opvangcentra": (), "centra": (),
    "blok*": (), "verdieping*": (), "gezin*": (), "famil*": (), "ramen": (),
    "bomen": (), "dieren": (), "koeien": (), "sporthal*": (), "locaties": (),
    "kilometers": (), "zandzakken": (), "branden": (), "containers": (),
}
PEOPLE = (
    "mens*", "person*", "bewoner*", "inwoner*", "burger*", "kind*", "leerling*",
    "scholier*", "passagier*", "inzittende*", "reiziger*", "patiënt*", "agent*",
    "militair*", "soldat*", "demonstrant*", "betoger*", "relschopper*", "verdacht*",
    "mijnwerker*", "arbeider*", "werknemer*", "toerist*", "bezoeker*", "pelgrim*",
    "vluchteling*", "migrant*", "slachtoffer*", "man", "mannen", "vrouw*",
    "jongere*", "ander*", "gewonde*", "dode*", "vermiste*", "bemanningsleden",
    "studenten", "supporters", "fans", "gijzelaars", "gevangenen", "zieken",
)
PEOPLE_SUFFIXES = ("ers", "enden", "lingen", "anten", "isten", "genoten", "leden")
SINGLE_VICTIMS = ("dode", "dodelijk* slachtoffer", "gewonde", "vermiste")
REPLACED = ("in plaats van", "en niet", "eerder nog")
INHERIT_PREPS = ("van", "op", "tot", "naar", "om")
PREDICATE_PREPS = ("op", "tot", "naar")
SINCE_WORDS = ("sinds", "sedert")
WHEN_WORDS = ("toen", "waarbij", "waarin", "toen er", "bij wie")
UNCERTAIN_CUES = ("vermoedelijk", "mogelijk omgekomen", "zouden zijn omgekomen")
POPULATION_VERBS = ("wonen", "woonden", "woont", "woonde", "telt", "telde")
# fmt: on
