import json
from pathlib import Path

import pytest

from stories import text

STORY_DIR = Path(__file__).resolve().parents[1] / "stories/demo/nagorno-karabakh-2023"
TRUTH = json.loads((STORY_DIR / "truth.json").read_text(encoding="utf-8"))
VERSIONS = {v["version"]: v for v in TRUTH["articles"][0]["versions"]}


def test_fixture_sentences_split_at_full_stops_not_in_numbers():
    first = VERSIONS[1]["body_paragraphs"][0]
    assert text.split_sentences(first, "nl") == [
        "Azerbeidzjan en de Armeense separatisten in Nagorno-Karabach zijn woensdag "
        "een staakt-het-vuren overeengekomen.",
        "De wapenstilstand ging om 11.00 uur Nederlandse tijd in, een dag nadat "
        "Azerbeidzjan een militair offensief in de regio was begonnen.",
    ]


@pytest.mark.parametrize(
    ("lang", "paragraph", "count"),
    [
        ("nl", "Dhr. Jansen zag o.a. 2.300 mensen. Om 11.00 uur was het voorbij.", 2),
        (
            "nl",
            "Het ging om ca. 40 wagens, bijv. ladderwagens. Daarna was het stil.",
            2,
        ),
        ("nl", "'s Avonds werd het rustig. 't Is voorbij, zei W. Poetin.", 2),
        ("en", "Mr. Smith woke at 1:30 a.m. on Monday. The U.N. said 2,300 fled.", 2),
        ("en", 'He said: "We are leaving." Then he left. Was it over? Yes!', 4),
        (
            "de",
            "Am 20. September brach ein Feuer aus. Laut Dr. Müller u.a. in Köln.",
            2,
        ),
        ("de", "Es gab z.B. 12 Verletzte bzw. 3 Tote. Die Polizei ermittelt.", 2),
        ("fr", "M. Dupont a parlé à 18 h 08. Selon Mme Durand, 2 300 foyers.", 2),
        ("fr", "Le 3 septembre, etc. Puis il est parti.", 2),
    ],
)
def test_sentences_split_around_abbreviations_and_numbers(lang, paragraph, count):
    assert len(text.split_sentences(paragraph, lang)) == count


def test_sentences_carry_paragraph_index_and_offsets_into_the_text():
    body = "Dhr. Jansen kwam.  Hij  ging.\n\n  Om 11.00 uur was het stil.\n"
    found = text.sentences(body, "nl")
    assert [(s.text, s.paragraph, s.index, s.position) for s in found] == [
        ("Dhr. Jansen kwam.", 0, 0, 0),
        ("Hij ging.", 0, 1, 1),
        ("Om 11.00 uur was het stil.", 1, 0, 2),
    ]
    assert [body[s.start : s.end] for s in found] == [
        "Dhr. Jansen kwam.",
        "Hij  ging.",
        "Om 11.00 uur was het stil.",
    ]


def test_paragraphs_are_split_at_line_breaks_with_whitespace_collapsed():
    assert text.split_paragraphs(" Een  twee.\n \n\nDrie.\nVier. ") == [
        "Een twee.",
        "Drie.",
        "Vier.",
    ]
