import json
import random
from pathlib import Path

import pytest

from stories import diffing
from stories.diffing import diff_texts
from stories.extraction import normalise_text

STORY_DIR = Path(__file__).resolve().parents[1] / "stories/demo/nagorno-karabakh-2023"
TRUTH = json.loads((STORY_DIR / "truth.json").read_text(encoding="utf-8"))
VERSIONS = {v["version"]: v for v in TRUTH["articles"][0]["versions"]}


def story_text(version: int) -> str:
    return normalise_text("\n\n".join(VERSIONS[version]["body_paragraphs"]))


def rebuild(diff: diffing.Diff) -> tuple[str, str]:
    old = "".join(text for op, text in diff.ops if op != "insert")
    new = "".join(text for op, text in diff.ops if op != "delete")
    return old, new


def changes(diff: diffing.Diff) -> list[tuple[str, str]]:
    return [op for op in diff.ops if op[0] != "equal"]


def test_identical_texts_have_only_equal_ops():
    text = story_text(1)
    diff = diff_texts(text, text)
    assert diff.ops == (("equal", text),)
    assert not diff.changed
    assert (diff.words_added, diff.words_removed, diff.sentences_touched) == (0, 0, 0)
    assert diff.summary == "no text change"


def test_two_empty_texts_have_no_ops():
    diff = diff_texts("", "")
    assert diff.ops == ()
    assert not diff.changed


def test_one_replaced_word_counts_one_added_and_one_removed():
    diff = diff_texts(
        "De wapenstilstand ging om 11.00 uur in. Daarna werd het stil.",
        "De wapenstilstand ging om 12.00 uur in. Daarna werd het stil.",
    )
    assert changes(diff) == [("delete", "11.00"), ("insert", "12.00")]
    assert (diff.words_added, diff.words_removed) == (1, 1)
    assert diff.sentences_touched == 1
    assert diff.summary == "+1 \u22121 word, 1 sentence touched"
    assert diff.changed


def test_dutch_thousands_stay_one_token():
    diff = diff_texts("bijna 2.300 burgers", "bijna 2.400 burgers")
    assert changes(diff) == [("delete", "2.300"), ("insert", "2.400")]
    diff = diff_texts("1,2 miljoen euro", "1,5 miljoen euro")
    assert changes(diff) == [("delete", "1,2"), ("insert", "1,5")]


def test_full_stop_is_not_part_of_the_changed_word():
    diff = diff_texts("Er vielen 32 doden.", "Er vielen 200 doden.")
    assert changes(diff) == [("delete", "32"), ("insert", "200")]


def test_appended_paragraph_counts_its_words():
    old = "Eerste alinea."
    new = "Eerste alinea.\n\nEen nieuwe alinea met zeven woorden hier."
    diff = diff_texts(old, new)
    assert diff.ops == (
        ("equal", "Eerste alinea."),
        ("insert", "\n\nEen nieuwe alinea met zeven woorden hier."),
    )
    assert (diff.words_added, diff.words_removed) == (7, 0)
    assert diff.sentences_touched == 1
    assert diff.summary == "+7 \u22120 words, 1 sentence touched"


def test_added_paragraph_is_shown_whole_even_when_it_ends_like_the_one_before():
    old = "Er vielen 32 doden. Tientallen raakten gewond."
    new = old + "\n\nIn het noorden raakten ook burgers gewond."
    diff = diff_texts(old, new)
    assert diff.ops == (
        ("equal", old),
        ("insert", "\n\nIn het noorden raakten ook burgers gewond."),
    )
    assert diff.sentences_touched == 1


def test_deleted_sentence_counts_as_touched():
    diff = diff_texts("Een. Twee drie. Vier.", "Een. Vier.")
    assert (diff.words_added, diff.words_removed) == (0, 2)
    assert diff.sentences_touched == 1


def test_rewritten_sentence_counts_once():
    diff = diff_texts("Een. Twee drie. Vier.", "Een. Vijf zes zeven. Vier.")
    assert diff.sentences_touched == 1


def test_punctuation_only_change_reads_as_such():
    diff = diff_texts("Hallo wereld.", "Hallo, wereld.")
    assert diff.changed
    assert (diff.words_added, diff.words_removed) == (0, 0)
    assert diff.summary == "punctuation or spacing only, 1 sentence touched"


def test_fixture_figure_revision_v3_to_v4():
    diff = diff_texts(story_text(3), story_text(4))
    assert rebuild(diff) == (story_text(3), story_text(4))
    assert diff.words_added == 31
    assert diff.words_removed == 35
    # The rewritten third paragraph: three new sentences replace three old ones.
    assert diff.sentences_touched == 3
    assert diff.summary == "+31 \u221235 words, 3 sentences touched"
    assert all("Volgens de afspraken" not in text for _, text in changes(diff))


def test_fixture_update_appended_v4_to_v5():
    diff = diff_texts(story_text(4), story_text(5))
    assert rebuild(diff) == (story_text(4), story_text(5))
    [(op, text)] = changes(diff)
    assert op == "insert"
    assert text.startswith("\n\nUpdate 21 september, 14.30 uur:")
    assert diff.words_added == len(VERSIONS[5]["body_paragraphs"][-1].split())
    assert diff.words_removed == 0
    assert diff.sentences_touched == 2


def test_fixture_noise_only_pair_is_unchanged():
    assert not diff_texts(story_text(1), story_text(2)).changed


HAND_CASES = [
    ("", "Nieuwe tekst."),
    ("Oude tekst.", ""),
    ("a b c", "a b c d"),
    ("Een  twee\n\ndrie", "Een twee drie"),
    ("De 32 doden.\n\nTweede alinea.", "Tweede alinea.\n\nDe 200 doden."),
    ("\u201cQuote\u201d 2\u202f300", "\u201cQuote\u201d 2\u202f400!"),
    ("x" * 50, "x" * 49 + "y"),
]


@pytest.mark.parametrize(("old", "new"), HAND_CASES)
def test_ops_rebuild_old_and_new_exactly(old, new):
    assert rebuild(diff_texts(old, new)) == (old, new)


def test_ops_rebuild_exactly_under_random_word_edits():
    rng = random.Random(20230920)
    words = story_text(5).split(" ")
    for _ in range(50):
        edited = list(words)
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(edited))
            action = rng.choice(["replace", "delete", "insert", "paragraph"])
            if action == "replace":
                edited[i] = rng.choice(words)
            elif action == "delete":
                del edited[i]
            elif action == "insert":
                edited.insert(i, rng.choice(words))
            else:
                edited[i] += "\n\nNieuw."
        old, new = " ".join(words), " ".join(edited)
        assert rebuild(diff_texts(old, new)) == (old, new)


def test_ops_rebuild_exactly_under_random_character_edits():
    rng = random.Random(7)
    alphabet = "ab é2.,'-\n\n   "
    for _ in range(300):
        old = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        new = list(old)
        for _ in range(rng.randint(1, 4)):
            i = rng.randint(0, len(new))
            if new and rng.random() < 0.5:
                del new[min(i, len(new) - 1)]
            else:
                new.insert(i, rng.choice(alphabet))
        new = "".join(new)
        assert rebuild(diff_texts(old, new)) == (old, new)


def test_ops_never_split_a_word_or_number():
    rng = random.Random(5)
    words = ["2.300", "2.400", "doden", "gewond.", "'x'", "staakt-het-vuren", "1,2"]
    words += ["\n\nNieuw.", "a", "ab", "b."]
    for _ in range(300):
        old_words = [rng.choice(words) for _ in range(rng.randint(0, 20))]
        new_words = list(old_words)
        for _ in range(rng.randint(1, 4)):
            new_words.insert(rng.randint(0, len(new_words)), rng.choice(words))
            if new_words:
                del new_words[rng.randrange(len(new_words))]
        old, new = " ".join(old_words), " ".join(new_words)
        diff = diff_texts(old, new)
        for side, text, skip in (("old", old, "insert"), ("new", new, "delete")):
            starts = {m.start() for m in diffing._TOKEN.finditer(text)} | {len(text)}
            pos = 0
            for op, chunk in diff.ops:
                if op != skip:
                    assert pos in starts, (side, old, new, diff.ops)
                    pos += len(chunk)


def test_ops_are_json_serialisable_as_lists():
    diff = diff_texts(story_text(3), story_text(4))
    stored = json.loads(json.dumps([list(op) for op in diff.ops]))
    assert [tuple(op) for op in stored] == list(diff.ops)


def test_ops_never_have_empty_or_adjacent_same_kind_entries():
    diff = diff_texts(story_text(3), story_text(5))
    assert all(text for _, text in diff.ops)
    kinds = [op for op, _ in diff.ops]
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))


def test_headlines_are_diffed_word_by_word():
    diff = diff_texts(VERSIONS[2]["headline"], VERSIONS[3]["headline"])
    assert rebuild(diff) == (VERSIONS[2]["headline"], VERSIONS[3]["headline"])
    assert diff.changed
    assert (diff.words_added, diff.words_removed) == (9, 6)
    assert diff.summary == "+9 \u22126 words, 1 sentence touched"


def test_many_distinct_tokens_still_round_trip():
    # More distinct tokens than fit below the surrogate range.
    old = " ".join(f"w{i}" for i in range(60000))
    new = old.replace("w123 ", "changed ")
    diff = diff_texts(old, new)
    assert rebuild(diff) == (old, new)
    assert (diff.words_added, diff.words_removed) == (1, 1)


def test_texts_with_too_many_distinct_words_fall_back_to_one_block(monkeypatch):
    monkeypatch.setattr(diffing, "_MAX_TOKENS", 10)
    old = "Kop. " + " ".join(f"oud{i}" for i in range(20))
    new = "Kop. " + " ".join(f"nieuw{i}" for i in range(20))
    diff = diff_texts(old, new)
    assert rebuild(diff) == (old, new)
    assert [op for op, _ in diff.ops] == ["equal", "delete", "insert"]
    assert (diff.words_added, diff.words_removed) == (20, 20)


def test_abbreviations_do_not_count_as_sentences_touched():
    old = "Dhr. Jansen kwam om 11.00 uur aan. Daarna was het stil."
    new = "Mevr. Jansen ging om 11.00 uur weg. Daarna was het stil."
    diff = diff_texts(old, new)
    assert diff.sentences_touched == 1
    assert diff.summary.endswith("1 sentence touched")
