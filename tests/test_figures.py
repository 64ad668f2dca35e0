"""stories.figures: extraction on the shared fixtures, not-figures, number formats,
and figure comparison between versions. No DB, no network."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from stories import figures
from stories.figures import Figure, FigureDelta
from stories.figures import scoring as figure_scoring

# In-repo copies of ../shared/fixtures, so the suite never depends on a sibling folder.
ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT / "tests" / "fixtures" / "facts_examples.jsonl"
STORY = ROOT / "stories" / "demo" / "nagorno-karabakh-2023" / "truth.json"

EXAMPLES = [json.loads(line) for line in FACTS.read_text().splitlines() if line]
TRUTH = json.loads(STORY.read_text())
ARTICLE = TRUTH["articles"][0]


def _key(d: dict) -> tuple:
    return figure_scoring.match_key(Figure.from_dict(d))


def _assert_same_figures(got: list[Figure], expected: list[dict]) -> None:
    got_dicts = [f.to_dict() for f in got]
    assert sorted(map(_key, got_dicts), key=repr) == sorted(
        map(_key, expected), key=repr
    ), f"got {got_dicts}"
    for exp in expected:
        candidates = [g for g in got_dicts if _key(g) == _key(exp)]
        assert any(
            figure_scoring.sources_match(exp["attributed_to"], g["attributed_to"])
            for g in candidates
        ), f"source {exp['attributed_to']!r} not in {candidates}"


def _values(text: str, lang: str) -> list[tuple]:
    return [(f.kind, f.value, f.qualifier) for f in figures.find_figures(text, lang)]


# --------------------------------------------------------------------------
# The shared examples, every line


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_facts_example_yields_expected_figures(example: dict) -> None:
    got = figures.find_figures(example["text"], example["lang"])
    _assert_same_figures(got, example["expected"])
    assert all(f.lang == example["lang"] for f in got)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_language_is_detected_for_facts_example(example: dict) -> None:
    assert figures.detect_language(example["text"]) == example["lang"]


def test_facts_examples_cover_every_language() -> None:
    counts = {}
    for e in EXAMPLES:
        counts[e["lang"]] = counts.get(e["lang"], 0) + 1
    assert counts == {"nl": 16, "en": 16, "de": 4, "fr": 4}


# --------------------------------------------------------------------------
# The fixture story


def _story_figures(version: dict) -> list[Figure]:
    return figures.find_figures("\n\n".join(version["body_paragraphs"]), "nl")


@pytest.mark.parametrize(
    "version", ARTICLE["versions"], ids=lambda v: f"v{v['version']}"
)
def test_story_version_yields_truth_figures(version: dict) -> None:
    _assert_same_figures(_story_figures(version), version["figures"])


@pytest.mark.parametrize(
    "pair", ARTICLE["pairs"], ids=lambda p: f"v{p['from']}-v{p['to']}"
)
def test_story_pair_figure_changes_match_truth(pair: dict) -> None:
    by_version = {v["version"]: v for v in ARTICLE["versions"]}
    deltas = figures.compare_figures(
        _story_figures(by_version[pair["from"]]), _story_figures(by_version[pair["to"]])
    )
    fields = ("kind", "change", "old", "new", "old_qualifier", "new_qualifier")
    got = [tuple(getattr(d, f) for f in fields) for d in deltas]
    expected = [tuple(c[f] for f in fields) for c in pair["figures_changed"]]
    assert got == expected
    for d, c in zip(deltas, pair["figures_changed"], strict=True):
        assert figure_scoring.sources_match(c["attributed_to"], d.attributed_to)


def test_story_figures_point_at_their_sentence() -> None:
    text = "\n\n".join(ARTICLE["versions"][0]["body_paragraphs"])
    found = figures.find_figures(text, "nl")
    assert found
    for f in found:
        assert text[f.start : f.end] == f.sentence
        assert str(f.value) in f.sentence.replace(".", "")


def test_describe_reads_as_old_to_new() -> None:
    revised = FigureDelta(
        "killed", "revised", 32, 200, "exact", "exact", "Armenian officials"
    )
    removed = FigureDelta("killed", "removed", 100, None, "nearly", None, "an official")
    added = FigureDelta("injured", "added", None, 400, None, "more_than", None)
    assert revised.describe() == "killed: 32 → 200 (per Armenian officials)"
    assert removed.describe() == "killed: nearly 100 removed (per an official)"
    assert added.describe() == "injured: more than 400 added"


# --------------------------------------------------------------------------
# Comparison


def _fig(kind: str, value: int | None, qualifier: str = "exact", **kw) -> Figure:
    return Figure(kind, value, None, None, qualifier, kw.pop("by", None), "en", **kw)


def test_restated_or_moved_figure_is_no_change() -> None:
    old = figures.find_figures(
        "Six people died. Police arrested 12 people. At least 40 were injured.", "en"
    )
    new = figures.find_figures(
        "At least 40 were injured. Police arrested 12 people. "
        "Six people died, it emerged.",
        "en",
    )
    assert figures.compare_figures(old, new) == []


def test_same_claimant_revision_is_revised() -> None:
    old = [_fig("killed", 10, by="the police")]
    new = [_fig("killed", 14, "at_least", by="police")]
    assert figures.compare_figures(old, new) == [
        FigureDelta("killed", "revised", 10, 14, "exact", "at_least", "police")
    ]


def test_new_kind_is_added_and_dropped_kind_removed() -> None:
    old = [_fig("missing", 3)]
    new = [_fig("arrested", 2)]
    changes = {(d.kind, d.change) for d in figures.compare_figures(old, new)}
    assert changes == {("missing", "removed"), ("arrested", "added")}


def test_background_and_superseded_figures_are_ignored_in_comparison() -> None:
    old = [_fig("killed", 72, background=True)]
    new = [_fig("killed", 95, superseded=True)]
    assert figures.compare_figures(old, new) == []


def test_figure_round_trips_through_dict() -> None:
    f = figures.find_figures("Tientallen mensen worden nog vermist.", "nl")[0]
    d = json.loads(json.dumps(f.to_dict()))
    assert Figure.from_dict(d) == f
    assert d["magnitude"] == 10 and d["value"] is None


# --------------------------------------------------------------------------
# Not figures


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("nl", "Om 11.00 uur raakte de bus van de weg; 3 mensen raakten gewond."),
        ("nl", "De 57-jarige bestuurder en 2 passagiers raakten gewond."),
        ("nl", "Op NUjij staan 157 reacties; er vielen 4 doden."),
        ("nl", "De gesprekken duurden ruim twee uur; 9 mensen raakten gewond."),
        ("nl", "Op de A12 vielen gisteren 2 doden."),
        ("nl", "Sinds 2020 zijn er 300 mensen geëvacueerd."),
        ("nl", "De schade is 3,5 miljoen euro, 8 mensen raakten gewond."),
        ("nl", "Op 21 september werden 5 mensen aangehouden."),
        ("en", "At 1:30 a.m. on June 3, 7 people were injured."),
        ("en", "The 63-year-old driver and 2 passengers were injured."),
        ("en", "The flight MH17 crash: 298 people were killed."),
        ("en", "Interstate 84 closed after 5 people were killed."),
        ("en", "The quake, magnitude 7.8, killed 50 people 40 km from the city."),
        ("en", "Damage of $2 million; 15% of homes, and 3 people were hurt."),
        ("en", "The post has 2.4K comments; 8 people died."),
        ("de", "Am 3. Oktober um 14.15 Uhr wurden 6 Menschen verletzt."),
        ("de", "Ein 45-jähriger Mann und 3 Frauen wurden verletzt."),
        ("fr", "À 18 h 08, le 4 août 2020, 9 personnes ont été blessées."),
        ("fr", "Un homme âgé de 45 ans et 3 femmes ont été blessés."),
        ("en", "A plane carrying 150 people crashed, killing 20."),
        ("nl", "Het toestel met 180 mensen aan boord stortte neer; 12 doden."),
        ("de", "Zwölf Menschen wurden verletzt, drei davon schwer."),
    ],
)
def test_only_the_real_figure_is_extracted(lang: str, text: str) -> None:
    got = figures.find_figures(text, lang)
    assert len(got) == 1, got
    assert got[0].value in {2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 20, 50, 298, 300}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("nl", "Tweehonderd militairen en 20 helikopters helpen bij het opruimen."),
        ("nl", "Het dodental kan oplopen tot 300."),
        ("nl", "Er wordt gevreesd dat er 40 doden zijn."),
        ("nl", "Het land telt 17 miljoen inwoners."),
        ("en", "Hundreds of firefighters and 30 helicopters battled the blaze."),
        ("en", "The death toll is expected to rise to 500."),
        ("en", "Reports of 40 deaths were denied by the hospital."),
        ("en", "Several people were injured and many are missing."),
        ("de", "Gerüchte über 100 Tote wurden dementiert."),
        ("de", "Mehrere Menschen wurden verletzt."),
        ("fr", "Le bilan pourrait s'alourdir à 300 morts."),
        ("fr", "Plusieurs personnes ont été blessées."),
    ],
)
def test_no_figure_is_extracted(lang: str, text: str) -> None:
    assert figures.find_figures(text, lang) == []


@pytest.mark.parametrize(
    ("lang", "text", "kind"),
    [
        ("nl", "Er vielen geen doden.", "killed"),
        ("nl", "Niemand raakte gewond.", "injured"),
        ("en", "No injuries were reported.", "injured"),
        ("en", "No one was killed.", "killed"),
        ("de", "Es gab keine Verletzten.", "injured"),
        ("fr", "Il n'y a aucun blessé.", "injured"),
    ],
)
def test_zero_statement_is_zero_exact(lang: str, text: str, kind: str) -> None:
    assert _values(text, lang) == [(kind, 0, "exact")]


# --------------------------------------------------------------------------
# Number formats and number words, per language


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        ("nl", "Bijna 2.300 burgers zijn geëvacueerd.", 2300),
        ("nl", "Zo'n 1,2 miljoen mensen zijn getroffen.", 1_200_000),
        ("nl", "Tweehonderd mensen raakten gewond.", 200),
        ("nl", "Honderd mensen raakten gewond.", 100),
        ("nl", "Tweeëntwintig mensen kwamen om het leven.", 22),
        ("nl", "Er zijn 12.500 mensen geëvacueerd.", 12500),
        ("en", "Some 2,300 people were evacuated.", 2300),
        ("en", "About 2.5 million people were affected.", 2_500_000),
        ("en", "Twelve people were injured.", 12),
        ("en", "Twenty-three people died.", 23),
        ("en", "Two hundred and fifty people were evacuated.", 250),
        ("en", "A hundred people were evacuated.", 100),
        ("de", "Rund 2.300 Menschen wurden evakuiert.", 2300),
        ("de", "Zwölf Menschen wurden verletzt.", 12),
        ("de", "Dreiundzwanzig Menschen kamen ums Leben.", 23),
        ("de", "Etwa 1,5 Millionen Menschen sind betroffen.", 1_500_000),
        ("fr", "Environ 2 300 personnes ont été évacuées.", 2300),
        ("fr", "Environ 2\u00a0300 personnes ont été évacuées.", 2300),
        ("fr", "Environ 2\u202f300 personnes ont été évacuées.", 2300),
        ("fr", "Vingt-trois personnes sont mortes.", 23),
        ("fr", "Deux cents personnes ont été évacuées.", 200),
        ("fr", "Quatre-vingt-dix personnes ont été blessées.", 90),
    ],
)
def test_number_format(lang: str, text: str, value: int) -> None:
    got = figures.find_figures(text, lang)
    assert [f.value for f in got] == [value], got


def test_english_comma_and_dutch_dot_mean_the_same_thousands() -> None:
    en = figures.find_figures("Nearly 60,000 people were evacuated.", "en")
    nl = figures.find_figures("Bijna 60.000 mensen zijn geëvacueerd.", "nl")
    assert en[0].value == nl[0].value == 60000


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("nl", "Tussen 40 en 50 mensen raakten gewond.", (40, 40, 50)),
        ("en", "Between 300 and 400 people were evacuated.", (300, 300, 400)),
        ("de", "Zwischen 20 und 30 Menschen wurden verletzt.", (20, 20, 30)),
        ("fr", "Entre 15 et 20 personnes ont été blessées.", (15, 15, 20)),
    ],
)
def test_range(lang: str, text: str, expected: tuple) -> None:
    (f,) = figures.find_figures(text, lang)
    assert (f.value, f.low, f.high, f.qualifier) == (*expected, "range")


@pytest.mark.parametrize(
    ("lang", "text", "magnitude"),
    [
        ("nl", "Honderden mensen zijn geëvacueerd.", 100),
        ("en", "Tens of thousands of people were evacuated.", 10000),
        ("de", "Tausende Menschen wurden evakuiert.", 1000),
        ("fr", "Des centaines de personnes ont été évacuées.", 100),
    ],
)
def test_vague_quantity_has_magnitude(lang: str, text: str, magnitude: int) -> None:
    (f,) = figures.find_figures(text, lang)
    assert (f.value, f.qualifier, f.magnitude) == (None, "about", magnitude)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The toll rose from 32 to nearly 100 deaths."),
        ("de", "Die Zahl der Toten ist von 32 auf fast 100 gestiegen."),
        ("fr", "Le nombre de morts est passé de 32 à près de 100."),
        ("nl", "Het aantal doden is gestegen van 32 naar bijna 100."),
    ],
)
def test_revision_in_one_sentence_supersedes_the_old_value(
    lang: str, text: str
) -> None:
    got = [
        (f.value, f.qualifier, f.superseded) for f in figures.find_figures(text, lang)
    ]
    assert got == [(32, "exact", True), (100, "nearly", False)]


@pytest.mark.parametrize(
    ("lang", "text", "reference_year", "background"),
    [
        ("nl", "In 2023 kwamen bij de overstroming 40 mensen om.", None, True),
        ("nl", "In 2023 kwamen bij de overstroming 40 mensen om.", 2023, False),
        ("nl", "In 2023 kwamen bij de overstroming 40 mensen om.", 2024, True),
        ("en", "In 2024, 12 people were injured in a similar blast.", 2023, False),
        ("en", "Some 70 people were killed in the fire in 2017.", 2023, True),
        ("de", "Im Jahr 2023 wurden 6 Menschen verletzt.", 2023, False),
        ("fr", "En 2019, 9 personnes ont été blessées.", 2023, True),
    ],
)
def test_in_year_is_background_only_before_the_reference_year(
    lang: str, text: str, reference_year: int | None, background: bool
) -> None:
    (f,) = figures.find_figures(text, lang, reference_year=reference_year)
    assert f.background is background


def test_reference_year_keeps_grenfell_as_background() -> None:
    grenfell = next(e for e in EXAMPLES if e["id"] == "p-nl-009")
    got = figures.find_figures(grenfell["text"], "nl", reference_year=2023)
    assert [(f.value, f.background) for f in got] == [(72, True)]


# --------------------------------------------------------------------------
# Robustness and cost


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n", "\x00\x01 binary \ufffd", "1" * 5000, "... 2.300 ,,, tot tot tot"],
)
def test_odd_input_does_not_crash(text: str) -> None:
    assert isinstance(figures.find_figures(text), list)


def test_find_figures_on_long_article_is_fast() -> None:
    paragraphs = [e["text"] for e in EXAMPLES if e["lang"] == "nl"]
    text = "\n\n".join(paragraphs * 3)  # roughly 700 words
    figures.find_figures(text, "nl")
    t0 = time.process_time()
    figures.find_figures(text, "nl")
    assert time.process_time() - t0 < 0.2


def test_story_text_is_detected_as_dutch() -> None:
    text = "\n\n".join(ARTICLE["versions"][0]["body_paragraphs"])
    assert figures.detect_language(text) == "nl"
