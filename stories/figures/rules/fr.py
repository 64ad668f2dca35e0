"""French tables."""

# Plain data, packed so that a table reads as a list of words.
# fmt: off
LANG = "fr"
# also U+00A0 and U+202F; "2.300" is accepted too
THOUSANDS_SEP = " "
DECIMAL_SEP = ","
HEDGES = {
    "plus de": "more_than", "au-delà de": "more_than", "au moins": "at_least",
    "au minimum": "at_least", "près de": "nearly", "presque": "nearly",
    "quasiment": "nearly", "environ": "about", "quelque": "about",
    "autour de": "about", "approximativement": "about", "jusqu'à": "up_to",
    "moins de": "fewer_than",
}
ESTIMATE_CUES = ("estime", "estiment", "estimé", "estimés", "estimation")
KINDS = {
    "killed": (
        "morts", "mort", "morte", "mortes", "tué*", "décès", "décédé*", "péri",
        "victimes mortelles", "bilan", "corps", "noyé*", "ont perdu la vie",
        "perdu la vie", "nombre de morts",
    ),
    "injured": (
        "blessé*", "hospitalisé*", "brûlé*", "à l'hôpital", "transportés à l'hôpital",
    ),
    "missing": (
        "disparu*", "portés disparus",
    ),
    "evacuated": (
        "évacué*", "mis à l'abri", "mises à l'abri", "mis en sécurité",
    ),
    "displaced": (
        "sans-abri", "déplacé*", "réfugiés", "relogé*", "hébergé*", "ont fui", "fui",
        "trouvé refuge", "refuge", "sans logis",
    ),
    "arrested": (
        "interpellé*", "arrêté*", "interpellations", "gardes à vue", "en garde à vue",
    ),
    "affected": (
        "sinistré*", "touché*", "privés d'électricité", "privés de courant",
        "sans électricité",
    ),
    "other_count": (
        "sauvé*", "secouru*", "otages", "détruit*", "endommagé*", "coincé*", "piégé*",
        "enlevé*", "survivants",
    ),
}
NOT_FIGURE_AFTER = (
    "h", "heure", "heures", "minute", "minutes", "seconde", "secondes", "jour",
    "jours", "semaine", "semaines", "mois", "an", "ans", "année", "années",
    "pour cent", "%", "euros", "euro", "dollars", "centimes", "kilomètres", "km",
    "mètres", "m", "centimètres", "cm", "millimètres", "mm", "hectares", "degrés",
    "litres", "tonnes", "commentaires", "commentaire", "lecteurs", "pays",
    "hélicoptères", "véhicules", "navires", "sièges", "voix",
)
NOT_FIGURE_BEFORE = ("€", "$", "£", "âge de", "âgé de", "âgée de", "numéro", "n°", "h")
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
    "septembre", "octobre", "novembre", "décembre",
)
UNITS = {
    "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
    "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12,
    "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
}
TENS = {
    "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50,
    "soixante": 60, "quatrevingt": 80, "quatrevingts": 80,
}
SCALES = {"cent": 100, "cents": 100, "mille": 1000}
CONNECTORS = ("et",)
AMBIGUOUS_NUMBER_WORDS = ("un", "une")
MULTIPLIERS = {
    "million": 1_000_000, "millions": 1_000_000, "milliard": 1_000_000_000,
    "milliards": 1_000_000_000,
}
VAGUE = {
    "des dizaines de milliers": 10000, "des centaines de milliers": 100_000,
    "des dizaines": 10, "des centaines": 100, "des milliers": 1000, "dizaines": 10,
    "centaines": 100, "milliers": 1000,
}
FIXED = {
    "un demi-million": (500_000, "exact"), "un million": (1_000_000, "exact"),
    "une douzaine": (12, "about"), "une quinzaine": (15, "about"),
    "une soixantaine": (60, "about"), "une dizaine": (10, "about"),
    "une vingtaine": (20, "about"), "une trentaine": (30, "about"),
    "une quarantaine": (40, "about"), "une cinquantaine": (50, "about"),
    "une centaine": (100, "about"), "un millier": (1000, "about"),
}
RANGE_OPEN = ("entre",)
RANGE_JOIN = ("et",)
RANGE_BARE_JOIN = ("à", "-", "–")
REVISION_FROM = ("de",)
REVISION_TO = ("à",)
CHANGE_VERBS = (
    "passé", "passée", "grimpé", "augmenté", "monté", "relevé", "revu", "corrigé",
    "baissé",
)
FORECAST_CUES = (
    "pourrait", "pourraient", "risque de", "craint", "craignent", "devrait",
    "devraient", "s'alourdir",
)
DENIAL_CUES = (
    "démenti", "démentie", "dément", "démentent", "rumeurs", "rumeur", "conteste",
    "contestent", "faux", "fausse", "infondé*",
)
SUPERSEDED_CUES = (
    ("auparavant",), ("initialement",), ("précédemment",), ("précédent",),
    ("faisait", "état"), ("parlai*", "encore"), ("évoquai*", "encore"),
)
BACKGROUND_PREPS = ("en",)
ATTRIBUTION_PREPS = ("selon", "d'après", "de source")
SPEECH_VERBS = (
    "a évoqué", "ont évoqué", "évoque", "évoqué", "a indiqué", "ont indiqué",
    "indique", "indiqué", "a annoncé", "ont annoncé", "annonce", "annoncé",
    "a déclaré", "déclaré", "a précisé", "précisé", "rapporte", "a rapporté",
    "fait état", "a fait état", "a confirmé", "confirmé",
)
ATTRIBUTION_STOP = (
    "a", "ont", "est", "sont", "était", "étaient", "que", "qui", "et", "ou", "mais",
    "aussi", "déjà", "encore", "y", "il", "elle", "ils", "elles", "on", "se", "s'est",
)
AUXILIARIES = ("a", "ont", "avait", "avaient")
NEXT_SENTENCE_CUES = ("c'est", "c'est ce", "ce sont")
ZERO_DETERMINERS = ("aucun", "aucune", "pas de")
ZERO_PRONOUNS = ("personne",)
GLOSS = {
    "le": "the", "la": "the", "les": "the", "l'": "the", "de": "of", "du": "of the",
    "des": "of the", "un": "a", "une": "a", "secours": "emergency services",
    "maire": "mayor", "police": "police", "pompiers": "firefighters",
    "autorités": "authorities", "préfecture": "prefecture", "préfet": "prefect",
    "gouvernement": "government", "ministère": "ministry", "santé": "health",
    "armée": "army", "sécurité": "security", "civile": "civil",
    "protection": "protection", "hôpital": "hospital", "procureur": "prosecutor",
    "médias": "media", "locaux": "local", "officiels": "officials",
    "responsables": "officials",
}
STOPWORDS = (
    "le", "la", "les", "et", "des", "est", "une", "du", "dans", "pour", "que", "sont",
    "selon", "à", "au", "ont", "été", "personnes", "il", "qui", "par",
)
DENIAL_ENDS = ("fait état", "ajoutant", "mais", "selon", "évoque", "parle de")
THINGS = {
    "maisons": ("other_count", "affected"), "bâtiments": ("other_count",),
    "logements": ("other_count", "affected"), "habitations": ("other_count",),
    "immeubles": ("other_count",), "foyers": ("affected",),
    "écoles": (), "voitures": (), "véhicules": (), "trains": (), "bus": (),
    "villages": (), "villes": (), "communes": (), "départements": (), "rues": (),
    "routes": (), "ponts": (), "vols": (), "églises": (), "hôpitaux": (),
    "gymnases": (), "centres": (), "familles": (), "fenêtres": (), "arbres": (),
    "animaux": (), "étages": (),
}
PEOPLE = (
    "personne*", "habitant*", "résident*", "civil*", "enfant*", "élève*",
    "passager*", "patient*", "policier*", "gendarme*", "soldat*", "manifestant*",
    "émeutier*", "suspect*", "mineur*", "ouvrier*", "touriste*", "pèlerin*",
    "réfugié*", "migrant*", "victime*", "homme*", "femme*", "autre*", "pompier*",
    "otage*", "détenu*", "supporter*",
)
PEOPLE_SUFFIXES = ("eurs", "ants", "ents", "istes", "iens")
SINGLE_VICTIMS = ("mort", "blessé", "blessée", "disparu")
REPLACED = ("et non", "et non pas", "au lieu de", "contre", "non")
INHERIT_PREPS = ("de", "à")
PREDICATE_PREPS = ("à",)
SINCE_WORDS = ("depuis",)
WHEN_WORDS = ("quand", "lorsque", "où")
UNCERTAIN_CUES = ("probablement", "présumés morts", "seraient morts")
POPULATION_VERBS = ("vivent", "habitent", "vivaient", "habitaient")
# fmt: on
