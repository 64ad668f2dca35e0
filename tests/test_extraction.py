import hashlib
import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stories import extraction
from stories.extraction import ExtractionError, extract_article, normalise_text

ROOT = Path(__file__).resolve().parents[1]
STORY_DIR = ROOT / "stories" / "demo" / "nagorno-karabakh-2023"
PAGES_DIR = Path(__file__).resolve().parent / "fixtures" / "pages"

TRUTH = json.loads((STORY_DIR / "truth.json").read_text(encoding="utf-8"))
ARTICLE = TRUTH["articles"][0]
VERSIONS = {v["version"]: v for v in ARTICLE["versions"]}


def story_page(version: int) -> bytes:
    return (STORY_DIR / VERSIONS[version]["file"]).read_bytes()


def expected_text(version: int) -> str:
    return normalise_text("\n\n".join(VERSIONS[version]["body_paragraphs"]))


@pytest.fixture(scope="module")
def story() -> dict[int, extraction.Extracted]:
    return {n: extract_article(story_page(n), ARTICLE["url"]) for n in VERSIONS}


# --- the fixture story -----------------------------------------------------------


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_story_main_text_matches_truth(story, version):
    assert story[version].text == expected_text(version)


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_story_title_is_the_headline_without_site_suffix(story, version):
    assert story[version].title == VERSIONS[version]["headline"]


def test_story_text_leaves_out_comment_counters_sidebars_and_chrome(story):
    for extracted in story.values():
        for noise in ("reacties", "NUjij", "Net binnen", "Meest gelezen", "cookies"):
            assert noise not in extracted.text
        assert "Advertentie" not in extracted.text
        assert "Foto: ANP" not in extracted.text


def test_noise_only_refetch_keeps_the_same_hash(story):
    assert story[1].content_hash == story[2].content_hash
    assert story[1].modified_at != story[2].modified_at


def test_headline_only_edit_changes_title_and_hash_but_not_text(story):
    assert story[2].text == story[3].text
    assert story[2].title != story[3].title
    assert story[2].content_hash != story[3].content_hash


def test_body_edits_change_the_hash(story):
    assert story[3].content_hash != story[4].content_hash
    assert story[4].content_hash != story[5].content_hash


def test_story_metadata_comes_from_meta_tags_and_json_ld(story):
    v1 = story[1]
    assert v1.language == "nl"
    assert v1.byline == ""
    assert v1.published_at == datetime(2023, 9, 20, 10, 19, tzinfo=UTC)
    assert v1.modified_at == datetime(2023, 9, 20, 11, 2, tzinfo=UTC)
    assert story[5].modified_at == datetime(2023, 9, 21, 12, 37, tzinfo=UTC)


def test_content_hash_is_sha256_of_title_and_text(story):
    v1 = story[1]
    payload = f"{v1.title}\n{v1.text}".encode()
    assert v1.content_hash == hashlib.sha256(payload).hexdigest()


def test_word_count_counts_words_of_the_text(story):
    assert story[1].word_count == len(expected_text(1).split())
    assert story[5].word_count > story[4].word_count


def test_whitespace_and_quote_rerender_gives_the_same_hash(story):
    html = story_page(1).decode()
    rerendered = (
        html.replace("\n", "\r\n    ")
        .replace("<p>", "<p>\n\t ")
        .replace("</p>", " \n</p>")
        .replace(" en ", " en&nbsp;  ")
        .replace("&#x27;", "&#8217;")
    )
    assert rerendered != html
    again = extract_article(rerendered.encode())
    assert again.text == story[1].text
    assert again.content_hash == story[1].content_hash


def test_inline_read_also_teaser_and_caption_inside_the_body_are_dropped(story):
    html = story_page(1).decode()
    teaser = (
        '<p><strong>Lees ook:</strong> <a href="/x.html">'
        "Waarom Armenië en Azerbeidzjan al decennia strijden</a></p>"
        '<figure><img src="/a.jpg" alt=""><figcaption>Vluchtelingen bij de grens. '
        '<span class="credit">Foto: Reuters</span></figcaption></figure>'
    )
    html = html.replace(
        "<p>Russische vredestroepen", teaser + "<p>Russische vredestroepen"
    )
    assert extract_article(html).text == story[1].text


# --- pages of other sites --------------------------------------------------------


def test_english_page_with_byline_bullets_and_subheading():
    page = extract_article((PAGES_DIR / "bbc-like-storm.html").read_bytes())

    assert page.title == (
        "Storm Elin: Three dead as rivers burst their banks in Scotland"
    )
    assert page.byline == "Jane Harrow, Tom Reid"
    assert page.language == "en"
    assert page.published_at == datetime(2023, 10, 20, 6, 30, tzinfo=UTC)
    assert page.modified_at == datetime(2023, 10, 20, 14, 5, 12, tzinfo=UTC)
    assert page.text.split("\n\n") == [
        "Three people have died and hundreds of homes have been evacuated after "
        "Storm Elin brought severe flooding to parts of eastern Scotland.",
        "A man in his 50s was swept away by floodwater in Angus on Thursday "
        "afternoon, and the bodies of a woman and a man were recovered from a river "
        "in Aberdeenshire overnight, Police Scotland said.",
        "The Met Office has extended its rare red warning for rain, meaning there is "
        'a "danger to life", until midday on Saturday.',
        "About 400 properties in Brechin were evacuated after the River South Esk "
        "rose to its highest level on record. Many residents spent the night in a "
        "leisure centre that had been turned into a rest centre.",
        "Roads and railways closed",
        "ScotRail said all services north of Dundee had been suspended, and several "
        "stretches of the A90 remain closed because of fallen trees and standing "
        "water.",
        "First Minister Humza Yousaf told BBC Scotland the situation was "
        '"extremely serious" and urged people not to travel unless it was '
        "absolutely necessary.",
        '"We\'ve never seen water like this," said Brechin resident Margaret Lyall, '
        '72. "It came through the back door in about ten minutes and there was '
        'nothing we could do."',
        "The Scottish Environment Protection Agency (Sepa) has 23 flood warnings in "
        "place. Its advice to people in the affected areas is:",
        "move to higher ground if water is entering your home",
        "do not walk or drive through flood water",
        "check on vulnerable neighbours if it is safe to do so",
        "A further band of heavy rain is expected to reach the north east of "
        "England on Friday evening.",
    ]


def test_german_windows_1252_page_is_decoded_by_its_declared_charset():
    raw = (PAGES_DIR / "tagesschau-like-flood.cp1252.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")

    page = extract_article(raw)

    assert page.title == "Hochwasser in Bayern: Zwei Tote, Tausende in Notunterkünften"
    assert page.byline == "Anna Müller, BR"
    assert page.language == "de"
    # No offset in the page: taken as UTC rather than guessed.
    assert page.published_at == datetime(2024, 6, 2, 9, 15, tzinfo=UTC)
    assert page.modified_at == datetime(2024, 6, 2, 14, 48, tzinfo=UTC)
    assert page.text.split("\n\n") == [
        "Nach tagelangem Starkregen ist die Lage in Teilen Bayerns und "
        "Baden-Württembergs weiter angespannt. Zwei Menschen kamen ums Leben, mehr "
        "als 3.000 Menschen mussten ihre Häuser verlassen.",
        "Im schwäbischen Landkreis Günzburg ist ein Feuerwehrmann bei einem "
        "Rettungseinsatz ums Leben gekommen. Sein Boot war in der Nacht in der Nähe "
        "von Offingen gekentert, wie die Polizei mitteilte. In Schrobenhausen fanden "
        "Einsatzkräfte am Sonntagmorgen eine tote Frau in einem überfluteten Keller.",
        "Nach Angaben des Innenministeriums in München wurden allein in Bayern mehr "
        "als 3.000 Menschen in Sicherheit gebracht. In mehreren Gemeinden an der "
        "Donau und ihren Nebenflüssen wurde der Katastrophenfall ausgerufen.",
        '"Die Lage ist dramatisch"',
        "Ministerpräsident Markus Söder sprach bei einem Besuch in Reichertshofen von "
        'einer "dramatischen Lage". Der Freistaat werde den Betroffenen schnell und '
        "unbürokratisch helfen, sagte er. Für Soforthilfen stünden zunächst "
        "100 Millionen € bereit.",
        "Der Deutsche Wetterdienst erwartet für die Nacht zum Montag weitere "
        "Regenfälle. Die Pegel an der Donau bei Regensburg und Passau sollen erst im "
        "Laufe der Woche ihren Höchststand erreichen.",
    ]


def test_french_page_keeps_standfirst_and_drops_read_also_and_paywall():
    page = extract_article((PAGES_DIR / "lemonde-like-seisme.html").read_bytes())

    # <title> is shorter; the JSON-LD headline is the article's own.
    assert page.title == (
        "Séisme au Maroc : le bilan dépasse 2 000 morts, les secours s'activent "
        "dans l'Atlas"
    )
    assert page.byline == "Claire Dupont"
    assert page.language == "fr"
    assert page.published_at == datetime(2023, 9, 10, 8, 2, tzinfo=UTC)
    assert page.modified_at is None
    paragraphs = page.text.split("\n\n")
    assert paragraphs[0].startswith("Les équipes de secours marocaines")
    # Narrow no-break spaces inside numbers become plain spaces.
    numbers = "au moins 2 012 personnes ont été tuées et 2 059 blessées, dont 1 404"
    assert numbers in paragraphs[1]
    assert "Des villages inaccessibles" in paragraphs
    assert paragraphs[-1].startswith("Le roi Mohammed VI")
    assert len(paragraphs) == 6
    for noise in ("Lire aussi", "Il vous reste", "commentaires", "AFP", "cookies"):
        assert noise not in page.text


# --- decoding and bad input ------------------------------------------------------


def test_bytes_follow_a_declared_charset_other_than_utf8(story):
    html = story_page(1).decode().replace('charset="utf-8"', 'charset="windows-1252"')
    assert extract_article(html.encode("cp1252")).text == story[1].text


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bytes_with_a_byte_order_mark_decode(story, encoding):
    assert extract_article(story_page(1).decode().encode(encoding)) == story[1]


def test_string_and_bytes_input_give_the_same_result(story):
    assert extract_article(story_page(1).decode(), ARTICLE["url"]) == story[1]


@pytest.mark.parametrize(
    "html",
    [
        "",
        b"",
        "   \n\t ",
        "<html></html>",
        "<html><head><title>Nothing</title></head><body></body></html>",
        b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(4000),
        random.Random(2).randbytes(20000),
        b"<html><body><p>" + random.Random(3).randbytes(4000) + b"</p></body></html>",
    ],
    ids=[
        "empty",
        "empty-bytes",
        "whitespace",
        "bare-html",
        "no-body",
        "png",
        "random",
        "binary-in-html",
    ],
)
def test_pages_without_main_text_raise_a_readable_extraction_error(html):
    with pytest.raises(ExtractionError) as caught:
        extract_article(html)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).endswith(".")


def test_nul_bytes_are_ignored(story):
    html = story_page(1).replace(b"<p>Volgens de", b"<p>Vol\x00gens\x00 de")
    assert extract_article(html).text == story[1].text


def test_mojibake_is_kept_as_text_without_crashing():
    html = story_page(1).decode("utf-8").encode("utf-8").decode("cp1252", "replace")
    page = extract_article(html.encode("utf-8"))
    assert "Volgens ArmeniÃ« zijn" in page.text


def test_short_article_without_metadata_still_extracts():
    page = extract_article(
        "<html><body><p>The bridge reopened today after repairs.</p></body></html>"
    )
    assert page.text == "The bridge reopened today after repairs."
    assert (page.title, page.byline, page.language) == ("", "", "")
    assert page.published_at is None


# --- normalise_text --------------------------------------------------------------


def test_normalise_text_straightens_curly_quotes_and_apostrophes():
    curly = "\u201cHet is \u2018klaar\u2019\u201d, zei ze. It\u2019s"
    assert normalise_text(curly) == "\"Het is 'klaar'\", zei ze. It's"
    assert normalise_text("\u201eDie Lage\u201c") == '"Die Lage"'


def test_normalise_text_collapses_every_kind_of_space_within_a_paragraph():
    text = "2\u202f300\u00a0burgers \t in\u2009veiligheid\u3000gebracht  "
    assert normalise_text(text) == "2 300 burgers in veiligheid gebracht"


def test_normalise_text_deletes_zero_width_characters_and_soft_hyphens():
    assert normalise_text("staakt\u00ad-het\u200b-vuren\ufeff") == "staakt-het-vuren"


def test_normalise_text_composes_unicode():
    assert normalise_text("Armenie\u0308") == "Armeni\u00eb"


def test_normalise_text_splits_paragraphs_on_line_breaks_and_drops_empty_ones():
    text = "  Eerste  alinea.\r\n\r\n \u00a0 \n\nTweede\nalinea.\n\n\n"
    assert normalise_text(text) == "Eerste alinea.\n\nTweede\n\nalinea."


def test_normalise_text_is_idempotent():
    once = normalise_text(" \u201cA\u201d \u00a0b\n\n\nc\u200b ")
    assert normalise_text(once) == once


def test_normalise_text_drops_control_characters():
    assert normalise_text("a\x00b\x07 c") == "ab c"


# --- smaller rules ---------------------------------------------------------------


def article_page(body: str, head: str = "") -> str:
    return (
        f"<html><head>{head}</head><body><article><h1>Kop</h1>{body}</article>"
        "</body></html>"
    )


def test_double_line_break_separates_paragraphs_and_single_one_does_not():
    page = extract_article(
        article_page("<div>Eerste regel<br>loopt door.<br><br>Tweede alinea.</div>")
    )
    assert page.text == "Eerste regel loopt door.\n\nTweede alinea."


def test_a_sentence_that_mentions_comments_is_kept():
    body = "<p>De minister las 300 reacties.</p><p>157 reacties</p>"
    assert extract_article(article_page(body)).text == "De minister las 300 reacties."


def test_byline_paragraph_inside_the_body_is_not_text():
    head = '<meta name="author" content="Jan de Vries">'
    body = "<p>Door Jan de Vries</p><p>Het kabinet is gevallen.</p>"
    page = extract_article(article_page(body, head))
    assert page.byline == "Jan de Vries"
    assert page.text == "Het kabinet is gevallen."


def test_boilerplate_class_on_the_article_wrapper_does_not_drop_the_article():
    page = extract_article(
        "<html><body><div class='post has-comments'><h1>Kop</h1>"
        "<p>Het kabinet is gevallen.</p></div></body></html>"
    )
    assert page.text == "Het kabinet is gevallen."


def test_rfc_2822_dates_and_json_ld_graph_are_understood():
    head = (
        '<meta name="pubdate" content="Wed, 20 Sep 2023 12:19:00 +0200">'
        '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, '
        '{"@type": "NewsArticle", "dateModified": "2023-09-20T13:02:00+02:00", '
        '"author": {"@type": "Person", "name": "Eva Jansen"}}]}</script>'
    )
    page = extract_article(article_page("<p>Tekst.</p>", head))
    assert page.published_at == datetime(2023, 9, 20, 10, 19, tzinfo=UTC)
    assert page.modified_at == datetime(2023, 9, 20, 11, 2, tzinfo=UTC)
    assert page.byline == "Eva Jansen"


def test_hostile_metadata_is_ignored_without_crashing():
    head = (
        '<script type="application/ld+json">' + "[" * 50000 + "]" * 50000 + "</script>"
        '<meta property="article:published_time" content="0001-01-01T00:00:00+01:00">'
        '<meta property="og:title" content="' + "Lange kop " * 200 + '">'
    )
    page = extract_article(article_page("<p>Tekst.</p>", head))
    assert page.text == "Tekst."
    assert page.published_at is None
    assert len(page.title) <= extraction.MAX_TITLE_CHARS
