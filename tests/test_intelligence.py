import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stories import figures, intelligence
from stories.extraction import normalise_text
from stories.figures import Figure
from stories.intelligence import FigureClaim

STORY_DIR = Path(__file__).resolve().parents[1] / "stories/demo/nagorno-karabakh-2023"
TRUTH = json.loads((STORY_DIR / "truth.json").read_text(encoding="utf-8"))
ARTICLE = TRUTH["articles"][0]
VERSIONS = {v["version"]: v for v in ARTICLE["versions"]}


def story_text(version: int) -> str:
    return normalise_text("\n\n".join(VERSIONS[version]["body_paragraphs"]))


def kinds(report: intelligence.EditReport) -> list[str]:
    return [e.kind for e in report.edits]


def level(score: float) -> str:
    return intelligence.significance_level(score).name


def join(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paragraphs)


# --------------------------------------------------------------------------
# The fixture story


def test_fixture_noise_only_pair_has_no_edits():
    report = intelligence.classify_edits(story_text(1), story_text(2))
    assert not report.changed
    assert report.describe() == "no text change"
    assert intelligence.find_correction(story_text(1), story_text(2), "nl") is None


def test_fixture_headline_rewrite_alone_is_notable():
    report = intelligence.classify_edits(story_text(2), story_text(3))
    assert not report.changed
    score = intelligence.score_significance(
        report,
        old_headline=VERSIONS[2]["headline"],
        new_headline=VERSIONS[3]["headline"],
    )
    assert level(score) == "notable"


def test_fixture_figure_update_is_edited_sentences_with_figure_revision():
    old, new = story_text(3), story_text(4)
    report = intelligence.classify_edits(old, new)
    assert report.sentences_edited == 1
    edited = next(e for e in report.edits if e.kind == "edited")
    assert edited.old_text.startswith("Volgens Armenië zijn bij de gevechten 32 doden")
    assert edited.new_text.startswith("Woensdag sprak Armenië nog van 32 doden")
    assert ("insert", "gewonden") in edited.ops
    # Everything changed sits in the third paragraph; the rest is untouched.
    assert {e.new_paragraph for e in report.edits} <= {2, None}
    assert {e.old_paragraph for e in report.edits} <= {2, None}
    assert report.describe() == "2 sentences added, 2 deleted, 1 edited"

    deltas = figures.compare_figures(
        figures.find_figures(old), figures.find_figures(new)
    )
    assert any(d.change == "revised" for d in deltas)
    assert {d.kind for d in deltas} & {"killed", "injured"}
    score = intelligence.score_significance(report, figure_deltas=deltas)
    assert score >= 0.9
    assert level(score) == "major"
    assert intelligence.find_correction(old, new, "nl") is None


def test_fixture_update_appended_is_recognised_with_its_note():
    old, new = story_text(4), story_text(5)
    report = intelligence.classify_edits(old, new)
    assert kinds(report) == ["paragraph_added"]
    assert report.edits[0].new_paragraph == 6
    correction = intelligence.find_correction(old, new, "nl")
    assert correction is not None
    assert correction.kind == "update"
    assert correction.position == "appended"
    assert correction.note == VERSIONS[5]["body_paragraphs"][-1]
    score = intelligence.score_significance(report, correction=correction)
    assert level(score) == "notable"


def test_fixture_reports_serialise_to_json_and_back():
    for a, b in ((1, 2), (3, 4), (4, 5)):
        report = intelligence.classify_edits(story_text(a), story_text(b))
        data = json.loads(json.dumps(report.to_dict()))
        assert intelligence.EditReport.from_dict(data) == report
        assert data["summary"] == report.describe()


# --------------------------------------------------------------------------
# Each edit class, in each language

ARTICLES = {
    "nl": [
        [
            "De brand brak om 11.00 uur uit in een loods van o.a. een vervoerder.",
            "Volgens dhr. Jansen zaten 2.300 huishoudens zonder stroom.",
        ],
        [
            "De brandweer zette ca. 40 wagens in.",
            "Het vuur was rond het middaguur onder controle.",
        ],
        [
            "Omwonenden moesten ramen en deuren gesloten houden.",
            "Een onderzoek naar de oorzaak loopt nog.",
        ],
    ],
    "en": [
        [
            "Mr. Smith said the fire broke out at 1:30 a.m. in a warehouse.",
            "About 2,300 homes lost power, the utility said.",
        ],
        [
            "Firefighters sent some 40 engines to the scene.",
            "The blaze was under control by noon.",
        ],
        [
            "Residents were told to keep their windows shut.",
            "An investigation into the cause is under way.",
        ],
    ],
    "de": [
        [
            "Am 20. September brach in einer Lagerhalle in Köln ein Feuer aus.",
            "Laut Dr. Müller waren u.a. 2.300 Haushalte ohne Strom.",
        ],
        [
            "Die Feuerwehr war mit ca. 40 Fahrzeugen im Einsatz.",
            "Gegen Mittag war der Brand unter Kontrolle.",
        ],
        [
            "Anwohner sollten Fenster und Türen geschlossen halten.",
            "Die Ermittlungen zur Ursache dauern an.",
        ],
    ],
    "fr": [
        [
            "M. Dupont a indiqué que l'incendie s'est déclaré vers 18 h 08 à Lyon.",
            "Selon Enedis, 2 300 foyers sont privés d'électricité.",
        ],
        [
            "Les pompiers ont engagé une quarantaine d'engins.",
            "Le feu était maîtrisé en fin de soirée.",
        ],
        [
            "Les riverains doivent garder leurs fenêtres fermées.",
            "Une enquête a été ouverte pour déterminer les causes.",
        ],
    ],
}
NEW_SENTENCE = {
    "nl": "Er raakte niemand gewond.",
    "en": "Nobody was hurt.",
    "de": "Verletzt wurde niemand.",
    "fr": "Aucun blessé n'est à déplorer.",
}
EDITED_SENTENCE = {  # paragraph 1, sentence 1, reworded
    "nl": "Het vuur was rond 15.00 uur eindelijk onder controle.",
    "en": "The blaze was finally under control by 3 p.m.",
    "de": "Gegen 15 Uhr war der Brand endlich unter Kontrolle.",
    "fr": "Le feu était enfin maîtrisé en début de nuit.",
}
NEW_PARAGRAPH = {
    "nl": ["De gemeente opent een informatiepunt.", "Dat meldt de burgemeester."],
    "en": ["The council is opening an information desk.", "The mayor said so."],
    "de": [
        "Die Stadt richtet eine Infostelle ein.",
        "Das teilte die Bürgermeisterin mit.",
    ],
    "fr": [
        "La mairie ouvre un point d'information.",
        "C'est ce qu'a annoncé le maire.",
    ],
}
LANGS = sorted(ARTICLES)


def variant(lang: str, change: str) -> tuple[str, str]:
    base = ARTICLES[lang]
    paragraphs = [list(p) for p in base]
    if change == "added":
        paragraphs[1].insert(1, NEW_SENTENCE[lang])
    elif change == "deleted":
        del paragraphs[1][0]
    elif change == "edited":
        paragraphs[1][1] = EDITED_SENTENCE[lang]
    elif change == "moved":
        paragraphs[2].append(paragraphs[0].pop(1))
    elif change == "paragraph_added":
        paragraphs.insert(2, NEW_PARAGRAPH[lang])
    elif change == "paragraph_removed":
        del paragraphs[1]
    elif change == "paragraph_moved":
        paragraphs.append(paragraphs.pop(0))
    return join(base), join(paragraphs)


@pytest.mark.parametrize("lang", LANGS)
def test_sentence_added(lang):
    report = intelligence.classify_edits(*variant(lang, "added"), lang)
    assert kinds(report) == ["added"]
    edit = report.edits[0]
    assert (edit.new_paragraph, edit.new_sentence) == (1, 1)
    assert edit.new_text == NEW_SENTENCE[lang]
    assert report.describe() == "1 sentence added"


@pytest.mark.parametrize("lang", LANGS)
def test_sentence_deleted(lang):
    report = intelligence.classify_edits(*variant(lang, "deleted"), lang)
    assert kinds(report) == ["deleted"]
    assert report.edits[0].old_text == ARTICLES[lang][1][0]
    assert (report.edits[0].old_paragraph, report.edits[0].old_sentence) == (1, 0)
    assert report.describe() == "1 sentence deleted"


@pytest.mark.parametrize("lang", LANGS)
def test_sentence_edited_carries_word_diff(lang):
    report = intelligence.classify_edits(*variant(lang, "edited"), lang)
    assert kinds(report) == ["edited"]
    edit = report.edits[0]
    assert edit.old_text == ARTICLES[lang][1][1]
    assert edit.new_text == EDITED_SENTENCE[lang]
    assert edit.nature in {"wording", "number"}
    rebuilt_old = "".join(t for op, t in edit.ops if op != "insert")
    rebuilt_new = "".join(t for op, t in edit.ops if op != "delete")
    assert (rebuilt_old, rebuilt_new) == (edit.old_text, edit.new_text)
    assert report.describe() == "1 sentence edited"


@pytest.mark.parametrize("lang", LANGS)
def test_sentence_moved_is_a_move_not_delete_and_add(lang):
    report = intelligence.classify_edits(*variant(lang, "moved"), lang)
    assert kinds(report) == ["moved"]
    edit = report.edits[0]
    assert (edit.old_paragraph, edit.old_sentence) == (0, 1)
    assert (edit.new_paragraph, edit.new_sentence) == (2, 2)
    assert edit.old_text == edit.new_text
    assert report.describe() == "1 sentence moved"


@pytest.mark.parametrize("lang", LANGS)
def test_paragraph_added(lang):
    report = intelligence.classify_edits(*variant(lang, "paragraph_added"), lang)
    assert kinds(report) == ["paragraph_added"]
    assert report.edits[0].new_paragraph == 2
    assert report.edits[0].new_text == " ".join(NEW_PARAGRAPH[lang])
    assert report.describe() == "1 paragraph added"


@pytest.mark.parametrize("lang", LANGS)
def test_paragraph_removed(lang):
    report = intelligence.classify_edits(*variant(lang, "paragraph_removed"), lang)
    assert kinds(report) == ["paragraph_removed"]
    assert report.edits[0].old_paragraph == 1
    assert report.describe() == "1 paragraph removed"


@pytest.mark.parametrize("lang", LANGS)
def test_paragraph_reorder_is_a_move(lang):
    report = intelligence.classify_edits(*variant(lang, "paragraph_moved"), lang)
    assert kinds(report) == ["paragraph_moved"]
    assert (report.edits[0].old_paragraph, report.edits[0].new_paragraph) == (0, 2)
    assert report.describe() == "1 paragraph moved"


def test_several_edits_are_counted_and_described_together():
    base = ARTICLES["en"]
    new = [list(p) for p in base]
    new[0][1] = "About 2,400 homes lost power, the utility said."
    new[1].append("Two firefighters were treated for smoke inhalation.")
    new[2].insert(0, "A school nearby was closed.")
    new[2].append(new[0].pop(0))
    report = intelligence.classify_edits(join(base), join(new), "en")
    assert report.counts()["sentences_added"] == 2
    assert report.describe() == "2 sentences added, 1 moved, 1 edited"
    edited = next(e for e in report.edits if e.kind == "edited")
    assert edited.nature == "number"


def test_edited_and_moved_sentence_is_a_move_with_its_diff():
    old = (
        "A fire broke out in a warehouse.\n\nNobody was hurt.\n\nThe cause is unknown."
    )
    new = "Nobody was hurt.\n\nThe cause is unknown.\n\nA fire broke out in a big shed."
    report = intelligence.classify_edits(old, new, "en")
    assert kinds(report) == ["moved"]
    assert ("insert", "big shed") in report.edits[0].ops


def test_paragraph_split_and_merge_are_reported():
    one = "A fire broke out. Nobody was hurt.\n\nThe cause is unknown."
    two = "A fire broke out.\n\nNobody was hurt.\n\nThe cause is unknown."
    split = intelligence.classify_edits(one, two, "en")
    assert kinds(split) == ["paragraph_split"]
    merged = intelligence.classify_edits(two, one, "en")
    assert kinds(merged) == ["paragraph_merged"]
    assert merged.describe() == "1 paragraph split or merged"


def test_whitespace_only_change_has_no_edits():
    text = join(ARTICLES["nl"])
    spaced = text.replace(" ", "  ").replace("\n\n", " \n\n\n ")
    report = intelligence.classify_edits(text, spaced, "nl")
    assert not report.changed
    assert intelligence.score_significance(report) == 0.0


def test_language_is_detected_when_not_given():
    report = intelligence.classify_edits(*variant("de", "added"))
    assert kinds(report) == ["added"]


def test_empty_texts():
    assert not intelligence.classify_edits("", "").changed
    report = intelligence.classify_edits("", "Een zin. Nog een zin.", "nl")
    assert kinds(report) == ["paragraph_added"]
    report = intelligence.classify_edits("Een zin. Nog een zin.", "", "nl")
    assert kinds(report) == ["paragraph_removed"]


def one_liners(count: int, word: str = "Line") -> list[str]:
    """count distinct one-sentence paragraphs of about 43 bytes."""
    return [f"{word} {i} the army said troops had reached town." for i in range(count)]


def test_page_of_ten_thousand_reworded_lines_gets_a_bulk_report():
    # ~430 KB, every line reworded: pairing each edited line would take 10^8
    # sentence comparisons, so the report falls back to added/removed counts.
    old, new = one_liners(10_000), one_liners(10_000, word="Item")
    report = intelligence.classify_edits("\n\n".join(old), "\n\n".join(new), "en")

    assert report.coarse
    assert (report.paragraphs_removed, report.paragraphs_added) == (10_000, 10_000)
    assert report.sentences_edited == 0
    assert report.describe().startswith("10000 paragraphs added, 10000 removed")
    assert "in bulk" in report.describe()
    assert intelligence.EditReport.from_dict(report.to_dict()) == report


def test_long_page_of_repeated_lines_still_pairs_its_one_edit():
    # Thousands of "Read more." lines make difflib's matching quadratic; unique
    # lines anchor the alignment instead, and the one reworded line is found.
    lines = [s for line in one_liners(3_000) for s in (line, "Read more.")]
    edited = list(lines)
    edited[1_501 * 2] = "Line 1501 the army said troops had reached the city."
    report = intelligence.classify_edits("\n\n".join(lines), "\n\n".join(edited))

    assert not report.coarse
    assert kinds(report) == ["edited"]
    assert report.edits[0].old_text == lines[1_501 * 2]
    assert "coarse" not in report.to_dict()


# --------------------------------------------------------------------------
# Corrections and updates

CORRECTIONS = [
    (
        "nl",
        "Correctie: in een eerdere versie stond dat er 40 wagens waren ingezet.",
        "correction",
    ),
    (
        "nl",
        "Dit artikel is aangepast. De brandweer zette 30 wagens in, niet 40.",
        "correction",
    ),
    ("nl", "Update 14.30 uur: de brand is geblust.", "update"),
    (
        "en",
        "Correction: An earlier version of this article misstated the number.",
        "correction",
    ),
    (
        "en",
        "Editor's note: This story has been changed to remove a name.",
        "correction",
    ),
    ("en", "Update, 3 p.m.: The fire is out.", "update"),
    (
        "de",
        "Korrektur: In einer früheren Version hieß es, es seien 40 Fahrzeuge.",
        "correction",
    ),
    ("de", "Anmerkung der Redaktion: Wir haben den Namen entfernt.", "correction"),
    ("de", "Aktualisierung, 14.30 Uhr: Der Brand ist gelöscht.", "update"),
    ("fr", "Rectificatif : une précédente version évoquait 40 engins.", "correction"),
    ("fr", "Mise à jour, 20 h 15 : le feu est éteint.", "update"),
]


@pytest.mark.parametrize(("lang", "note", "kind"), CORRECTIONS)
def test_appended_note_is_recognised(lang, note, kind):
    old = join(ARTICLES[lang])
    new = old + "\n\n" + note
    correction = intelligence.find_correction(old, new, lang)
    assert correction is not None
    assert correction.kind == kind
    assert correction.note == note
    assert correction.position == "appended"
    assert correction.paragraph == 3


def test_note_inserted_at_the_top_is_recognised():
    old = join(ARTICLES["en"])
    new = "Clarification: The warehouse belongs to a subsidiary.\n\n" + old
    correction = intelligence.find_correction(old, new, "en")
    assert correction is not None
    assert (correction.kind, correction.position) == ("correction", "prepended")


def test_note_appended_to_an_existing_paragraph_is_recognised():
    old = join(ARTICLES["nl"])
    new = old + " Correctie: het waren 30 wagens, niet 40."
    correction = intelligence.find_correction(old, new, "nl")
    assert correction is not None
    assert correction.note == "Correctie: het waren 30 wagens, niet 40."


def test_english_update_marker_works_in_a_dutch_text():
    old = join(ARTICLES["nl"])
    new = old + "\n\nUPDATE - De brand is geblust."
    correction = intelligence.find_correction(old, new, "nl")
    assert correction is not None
    assert correction.kind == "update"


def test_correction_wins_over_update():
    old = join(ARTICLES["en"])
    new = old + "\n\nUpdate: The fire is out.\n\nCorrection: It was 30 engines."
    correction = intelligence.find_correction(old, new, "en")
    assert correction is not None
    assert correction.kind == "correction"


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("nl", "Update van de hulpdiensten volgt later vandaag."),
        ("en", "Updates on the outage will follow this evening."),
        ("en", "Correction officers were sent to the prison."),
        ("de", "Die Aktualisierung der Zahlen dauert an."),
        ("fr", "La mise à jour des chiffres est attendue demain."),
    ],
)
def test_sentence_merely_starting_with_a_marker_word_is_no_note(lang, sentence):
    old = join(ARTICLES[lang])
    assert intelligence.find_correction(old, old + "\n\n" + sentence, lang) is None


def test_note_already_in_the_old_text_is_not_reported_again():
    old = join(ARTICLES["nl"]) + "\n\nCorrectie: het waren 30 wagens."
    new = old.replace("ca. 40 wagens", "ca. 30 wagens")
    assert intelligence.find_correction(old, new, "nl") is None


# --------------------------------------------------------------------------
# Significance


def test_typo_fix_is_minor_and_a_household_count_revision_notable():
    text = join(ARTICLES["nl"])
    typo = intelligence.classify_edits(
        text, text.replace("vervoerder", "vervoeder"), "nl"
    )
    assert typo.edits[0].nature == "typo"
    revised = text.replace("2.300 huishoudens", "4.100 huishoudens")
    figure = intelligence.classify_edits(text, revised, "nl")
    deltas = figures.compare_figures(
        figures.find_figures(text, "nl"), figures.find_figures(revised, "nl")
    )
    typo_score = intelligence.score_significance(typo)
    figure_score = intelligence.score_significance(figure, figure_deltas=deltas)
    assert {d.kind for d in deltas} == {"affected"}
    assert level(typo_score) == "minor"
    assert level(figure_score) == "notable"
    assert typo_score < figure_score


def test_punctuation_scores_lower_than_rewording():
    text = join(ARTICLES["en"])
    punct = intelligence.classify_edits(
        text, text.replace("by noon.", "by noon!"), "en"
    )
    assert punct.edits[0].nature == "punctuation"
    reworded = intelligence.classify_edits(*variant("en", "edited"), "en")
    assert intelligence.score_significance(punct) < 0.05
    assert intelligence.score_significance(punct) < intelligence.score_significance(
        reworded
    )


def test_headline_rewrite_is_notable_and_headline_typo_minor():
    report = intelligence.classify_edits("Same text.", "Same text.", "en")
    rewrite = intelligence.score_significance(
        report,
        old_headline="Fire in Lyon warehouse",
        new_headline="Two hurt as fire destroys Lyon warehouse",
    )
    typo = intelligence.score_significance(
        report,
        old_headline="Fire in Lyon warehouse",
        new_headline="Fire in Lyon warehuose",
    )
    assert level(rewrite) == "notable"
    assert level(typo) == "minor"


def test_lede_and_quote_edits_score_higher_than_body_edits():
    base = ARTICLES["en"]
    lede = [list(p) for p in base]
    lede[0][0] = "Mr. Smith said the fire broke out late at night in a big warehouse."
    body = [list(p) for p in base]
    body[2][1] = "An investigation into the cause has been opened."
    quote = [list(p) for p in base]
    quote[2].append('"It was terrifying," a neighbour told reporters.')
    score = {
        name: intelligence.score_significance(
            intelligence.classify_edits(join(base), join(version), "en")
        )
        for name, version in (("lede", lede), ("body", body), ("quote", quote))
    }
    assert score["lede"] > score["body"]
    assert score["quote"] > score["body"]


def test_correction_scores_high():
    old = join(ARTICLES["en"])
    new = old + "\n\nCorrection: It was 30 engines, not 40."
    report = intelligence.classify_edits(old, new, "en")
    correction = intelligence.find_correction(old, new, "en")
    assert intelligence.score_significance(report, correction=correction) >= 0.9


# --------------------------------------------------------------------------
# Flip-flops


def test_headline_returning_to_an_earlier_state_is_a_flip_flop():
    flip = intelligence.detect_flip_flop(["Headline A", "Headline B"], "Headline A")
    assert flip == intelligence.FlipFlop(
        returns_to=0, flips=1, states=2, text="Headline A"
    )


def test_repeated_flip_flops_are_counted():
    history = ["A", "B", "A", "B"]
    flip = intelligence.detect_flip_flop(history, "A")
    assert flip is not None
    assert (flip.returns_to, flip.flips, flip.states) == (2, 3, 2)


def test_new_or_unchanged_state_is_no_flip_flop():
    assert intelligence.detect_flip_flop(["A", "B"], "C") is None
    assert intelligence.detect_flip_flop(["A", "B"], "B ") is None
    assert intelligence.detect_flip_flop([], "A") is None


def test_fixture_headlines_with_a_reverted_headline_flip_flop():
    headlines = [VERSIONS[n]["headline"] for n in sorted(VERSIONS)]
    assert intelligence.detect_flip_flop(headlines[:-1], headlines[-1]) is None
    flip = intelligence.detect_flip_flop(headlines, headlines[0])
    assert flip is not None
    assert flip.returns_to == 1  # v2, the last version with the first headline


def test_text_flip_flop_ignores_whitespace():
    a, b = story_text(3), story_text(4)
    flip = intelligence.detect_flip_flop([a, b], a.replace(" ", "  "))
    assert flip is not None
    assert flip.returns_to == 0


# --------------------------------------------------------------------------
# Disagreements

T0 = datetime(2023, 10, 20, 12, 0, tzinfo=UTC)


def claim(
    outlet: str,
    value: int | None,
    qualifier: str = "exact",
    *,
    article_id: int | None = None,
    hours: float = 0,
    kind: str = "killed",
    low: int | None = None,
    high: int | None = None,
    magnitude: int | None = None,
) -> FigureClaim:
    figure = Figure(kind, value, low, high, qualifier, None, "en", magnitude=magnitude)
    return FigureClaim(
        outlet=outlet,
        article_id=article_id if article_id is not None else hash(outlet) % 1000,
        claimant="health ministry",
        claimed_at=T0 + timedelta(hours=hours),
        figure=figure,
    )


def test_incompatible_figures_from_two_outlets_disagree():
    a = claim("Outlet A", 3958)
    b = claim("Outlet B", 11300, hours=1)
    found = intelligence.find_disagreements([b, a])
    assert len(found) == 1
    assert (found[0].older, found[0].newer) == (a, b)
    assert found[0].describe() == (
        "killed: 3,958 (Outlet A, per health ministry) vs "
        "11,300 (Outlet B, per health ministry)"
    )
    json.dumps(found[0].to_dict())


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (claim("A", 30000, "at_least"), claim("B", 30000, "more_than")),
        (claim("A", 100, "nearly"), claim("B", 100, "about")),
        (claim("A", 40, "range", low=40, high=50), claim("B", 45, "about")),
        (claim("A", 32), claim("B", 38, hours=2)),  # a rising toll
        (claim("A", 32), claim("B", 33)),  # within the margin
        (claim("A", None, "about", magnitude=10), claim("B", 35)),  # "dozens"
        (claim("A", 500, "up_to"), claim("B", 120)),
    ],
)
def test_compatible_figures_are_not_flagged(first, second):
    assert intelligence.find_disagreements([first, second]) == []


def test_falling_toll_disagrees_where_a_rising_one_would_not():
    assert intelligence.find_disagreements([claim("A", 40), claim("B", 32, hours=2)])
    assert not intelligence.find_disagreements(
        [claim("A", 32), claim("B", 40, hours=2)]
    )


def test_nearly_versus_far_above_disagrees():
    found = intelligence.find_disagreements(
        [claim("A", 100, "nearly"), claim("B", 200, "exact", hours=1)]
    )
    assert len(found) == 1


def test_same_article_other_kind_or_old_figure_is_not_compared():
    same_article = [claim("A", 32, article_id=1), claim("A", 200, article_id=1)]
    assert intelligence.find_disagreements(same_article) == []
    other_kind = [claim("A", 32), claim("B", 400, kind="injured")]
    assert intelligence.find_disagreements(other_kind) == []
    old = claim("A", 32)
    superseded = FigureClaim(
        old.outlet,
        old.article_id,
        old.claimant,
        old.claimed_at,
        Figure("killed", 32, None, None, "exact", None, "en", superseded=True),
    )
    assert intelligence.find_disagreements([superseded, claim("B", 200)]) == []


def test_figure_intervals_follow_the_qualifier():
    def interval(qualifier: str, value: int = 100) -> tuple[float, float]:
        return intelligence.figure_interval(
            Figure("killed", value, None, None, qualifier, None, "en")
        )

    assert interval("exact") == (100, 100)
    assert interval("at_least") == (100, float("inf"))
    assert interval("nearly") == (90, 100)
    assert interval("about") == pytest.approx((85, 115))
    assert interval("up_to") == (0, 100)


def test_sentence_split_in_two_is_one_edited_and_one_added():
    old = (
        "A fire broke out in Lyon on Monday and nobody was hurt. The cause is unknown."
    )
    new = "A fire broke out in Lyon on Monday. Nobody was hurt. The cause is unknown."
    report = intelligence.classify_edits(old, new, "en")
    assert report.describe() == "1 sentence added, 1 edited"


def test_random_edits_never_crash_and_round_trip():
    rng = random.Random(9)
    sentences = [s for p in ARTICLES["nl"] for s in p] + [NEW_SENTENCE["nl"]]
    for _ in range(200):
        old = [
            rng.sample(sentences, rng.randint(0, 3)) for _ in range(rng.randint(0, 4))
        ]
        new = [list(p) for p in old if rng.random() > 0.2]
        for p in new:
            if p and rng.random() < 0.4:
                p[rng.randrange(len(p))] += " Extra woorden."
            if rng.random() < 0.3:
                p.insert(rng.randint(0, len(p)), rng.choice(sentences))
        if rng.random() < 0.2:
            rng.shuffle(new)
        report = intelligence.classify_edits(join(old), join(new), "nl")
        assert intelligence.EditReport.from_dict(report.to_dict()) == report
        assert 0.0 <= intelligence.score_significance(report) <= 1.0
        if join(old) == join(new):
            assert not report.changed


# --------------------------------------------------------------------------
# Significance levels


def test_levels_run_from_major_down_to_minor_with_a_description_each():
    levels = intelligence.SIGNIFICANCE_LEVELS
    assert [lv.name for lv in levels] == ["major", "notable", "minor"]
    assert [lv.threshold for lv in levels] == sorted(
        (lv.threshold for lv in levels), reverse=True
    )
    assert levels[-1].threshold == 0.0
    assert all(lv.label and lv.description.endswith(".") for lv in levels)
    assert level(1.0) == "major" and level(0.0) == "minor"


def test_many_small_edits_stay_in_the_level_of_the_strongest():
    base = [[f"Sentence {i} tells of the fire near the harbour." for i in range(3)]]
    body = [
        [f"Paragraph {p} sentence {i} about the fire." for i in range(3)]
        for p in range(8)
    ]
    old = base + body
    typos = [list(p) for p in old]
    added = [list(p) for p in old]
    for p in range(1, 9):
        typos[p][0] = typos[p][0].replace("about", "abuot")
        added[p].append(f"New detail {p} from the harbour master.")
    typo_score = intelligence.score_significance(
        intelligence.classify_edits(join(old), join(typos), "en")
    )
    added_score = intelligence.score_significance(
        intelligence.classify_edits(join(old), join(added), "en")
    )
    assert level(typo_score) == "minor"
    assert level(added_score) == "notable"
    assert typo_score < added_score


def test_rewriting_most_of_the_text_is_major():
    old = [
        [f"Sentence {i} tells of the fire near the harbour on Tuesday."]
        for i in range(6)
    ]
    new = [
        [f"Report {i} now speaks of flames at the quay since Monday."] for i in range(6)
    ]
    new[0] = old[0]
    report = intelligence.classify_edits(join(old), join(new), "en")
    assert level(intelligence.score_significance(report)) == "major"


def test_a_word_swapped_is_minor_outside_quotes_and_notable_inside():
    base = [list(p) for p in ARTICLES["en"]]
    body = [list(p) for p in base]
    body[2][1] = body[2][1].replace("under way", "ongoing")
    quote = [list(p) for p in base]
    quote[2].append('"It was terrifying," a neighbour told reporters.')
    quoted = [list(p) for p in quote]
    quoted[2][-1] = '"It was frightening," a neighbour told reporters.'

    def score(old, new):
        report = intelligence.classify_edits(join(old), join(new), "en")
        return intelligence.score_significance(report)

    assert level(score(base, body)) == "minor"
    assert level(score(quote, quoted)) == "notable"
