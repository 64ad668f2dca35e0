"""Stories that form themselves: candidates, formation, titles, editor decisions."""

import pytest
from django.db import connection
from django.utils import timezone

from stories import editing, grouping, matching
from stories.models import Article, Story, StoryMatch, StoryRule, Version
from tests.factories import ArticleFactory, SourceFactory

QUAKE_EN = (
    "Taiwan quake: rescuers search Taroko gorge",
    "A strong earthquake struck Hualien on Wednesday. Rescuers in Hualien searched "
    "the Taroko gorge, where hikers were trapped, officials in Taipei said.",
)
QUAKE_NL = (
    "Zware aardbeving in Taiwan",
    "Een zware aardbeving heeft woensdag de stad Hualien getroffen. In het park "
    "Taroko zitten wandelaars vast, meldt de overheid in Taiwan.",
)
FLOOD_DE = (
    "Hochwasser in Orsk",
    "Nach einem Dammbruch in Orsk stehen Tausende Häuser unter Wasser. Die Regierung "
    "in Moskau schickt Hilfe in die Region Orenburg.",
)


def article(title: str, text: str, lang: str, domain: str) -> Article:
    source = SourceFactory(domain=domain, language=lang)
    row = ArticleFactory(source=source, title=title)
    Version.objects.create(
        article=row,
        number=1,
        fetched_at=timezone.now(),
        url=row.url,
        title=title,
        text=text,
        language=lang,
        content_hash=row.url,
        raw_html_compressed=Version.compress(b"<html></html>"),
    )
    return row


def group(*rows: Article) -> None:
    for row in rows:
        row.refresh_from_db()
    grouping.group_pending()


# --- Keys (pure) -----------------------------------------------------------------


def test_places_meet_across_languages_from_cldr_names():
    nl = matching.signals("", "Het water stijgt in Rusland en Kazachstan.", "nl")
    de = matching.signals("", "Das Wasser steigt in Russland und Kasachstan.", "de")
    fr = matching.signals("", "L'eau monte en Russie et au Kazakhstan.", "fr")
    assert {"P:RU", "P:KZ"} <= nl.keys & de.keys & fr.keys


def test_names_are_whole_words_and_german_nouns_are_not_names():
    de = matching.signals("", "Laut Angaben der Regierung sprach Präsident Faye.", "de")
    assert "N:faye" in de.keys
    assert not {"N:angaben", "N:regierung"} & de.keys
    en = matching.signals("", "The rally in Fayetteville was calm.", "en")
    assert "N:faye" not in en.keys  # no prefix matching


def test_new_jersey_is_not_the_island_of_jersey():
    en = matching.signals("", "A quake shook homes in New Jersey on Friday.", "en")
    assert "P:JE" not in en.keys


def test_figures_count_with_their_place_never_bare():
    figures = [{"kind": "killed", "value": 9, "sentence": "In Taiwan 9 died."}]
    keys = matching.signals("", "In Taiwan 9 died.", "en", figures).keys
    assert "F:killed:9:TW" in keys
    assert not any(k.startswith("F:") and k.count(":") < 3 for k in keys)


def test_articles_about_different_events_share_too_little(settings):
    quake = matching.signals(*QUAKE_EN, "en")
    flood = matching.signals(*FLOOD_DE, "de")
    nl = matching.signals(*QUAKE_NL, "nl")
    idf = matching.Idf({}, 10)
    assert matching.pair_score(quake, flood, idf).score == 0
    assert (
        matching.pair_score(quake, nl, idf).score >= settings.NEWSROOM_GROUPING_ACCEPT
    )


# --- Rules -----------------------------------------------------------------------


@pytest.mark.django_db
def test_rules_match_whole_words_only():
    story = Story.objects.create(title="Faye", slug="faye")
    rule = StoryRule.objects.create(story=story, keywords="Faye\nKey Bridge")
    doc = grouping.Doc(1, matching.Signals(frozenset()))
    assert grouping.rule_matches(rule, "Near the Key Bridge.", doc, None)
    assert not grouping.rule_matches(rule, "Une fayence de Fayence.", doc, None)


# --- Formation ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_outlet_forms_a_story_with_a_title_in_the_editors_language(
    settings,
):
    settings.NEWSROOM_EDITOR_LANGUAGE = "en"
    nl = article(*QUAKE_NL, "nl", "nl.example")
    group(nl)
    (candidate,) = nl.stories.all()
    assert candidate.status == Story.Status.CANDIDATE
    assert candidate not in Story.objects.active()

    en = article(*QUAKE_EN, "en", "en.example")
    group(en)

    story = Story.objects.get(pk=candidate.pk)
    assert story.status == Story.Status.ACTIVE and story.is_new
    assert set(story.articles.all()) == {nl, en}
    assert story.title == QUAKE_EN[0]  # the English headline
    assert "hualien" in story.formation_note
    assert "2 article(s) from 2 outlet(s)" in story.description


@pytest.mark.django_db
def test_the_same_outlet_does_not_form_a_story():
    first = article(*QUAKE_NL, "nl", "nl.example")
    group(first)
    second = article(QUAKE_NL[0] + " (update)", QUAKE_NL[1], "nl", "nl.example")
    group(second)
    (story,) = second.stories.all()
    assert story.status == Story.Status.CANDIDATE


@pytest.mark.django_db
def test_grouping_never_undoes_an_editors_decisions():
    nl = article(*QUAKE_NL, "nl", "nl.example")
    en = article(*QUAKE_EN, "en", "en.example")
    group(nl, en)
    story = nl.stories.get()
    editing.rename_story(story, "Beving Taiwan (redactie)")
    flood = article(*FLOOD_DE, "de", "de.example")
    group(flood)
    follow_up = article(QUAKE_EN[0] + ", day two", QUAKE_EN[1], "en", "en2.example")
    group(follow_up)

    story.refresh_from_db()
    assert story.title == "Beving Taiwan (redactie)"  # not retitled
    assert follow_up in story.articles.all()

    editing.dismiss_stories([story])
    late = article(QUAKE_NL[0] + " (3)", QUAKE_NL[1], "nl", "nl2.example")
    group(late)
    story.refresh_from_db()
    assert story.status == Story.Status.DISMISSED
    assert late not in story.articles.all()  # a dismissed story is never reopened
    assert not StoryMatch.objects.filter(story=story, status="accepted").exists()


@pytest.mark.django_db(transaction=True)  # so the test itself opens no transaction
def test_scoring_runs_outside_any_transaction(monkeypatch):
    seen = []
    real = matching.pair_score

    def spy(*args, **kwargs):
        seen.append(connection.in_atomic_block)
        return real(*args, **kwargs)

    monkeypatch.setattr(matching, "pair_score", spy)
    nl = article(*QUAKE_NL, "nl", "nl.example")
    en = article(*QUAKE_EN, "en", "en.example")
    group(nl, en)
    assert seen and not any(seen)


@pytest.mark.django_db
def test_an_article_attached_by_hand_stays_and_draws_its_story_mates():
    # As `track URL --story SLUG` does: the story and its article, no StoryMatch.
    story = Story.objects.create(title="Taiwan", slug="taiwan")
    nl = article(*QUAKE_NL, "nl", "nl.example")
    story.articles.add(nl)
    group(nl)
    assert list(nl.stories.all()) == [story]  # no candidate of its own

    en = article(*QUAKE_EN, "en", "en.example")
    group(en)
    assert story in en.stories.all()


@pytest.mark.django_db
def test_editor_accepts_and_dismisses_stories_in_the_admin(admin_client):
    from django.urls import reverse

    nl = article(*QUAKE_NL, "nl", "nl.example")
    en = article(*QUAKE_EN, "en", "en.example")
    group(nl, en)
    formed = nl.stories.get()
    flood = article(*FLOOD_DE, "de", "de.example")
    group(flood)
    candidate = flood.stories.get()
    url = reverse("admin:stories_story_changelist")

    listed = admin_client.get(url + "?status__exact=candidate")
    assert candidate.title in listed.content.decode()
    admin_client.post(url, {"action": "accept", "_selected_action": [formed.pk]})
    admin_client.post(url, {"action": "dismiss", "_selected_action": [candidate.pk]})

    formed.refresh_from_db()
    candidate.refresh_from_db()
    assert formed.reviewed_at is not None and not formed.is_new
    assert candidate.status == Story.Status.DISMISSED
    assert not candidate.articles.exists()


@pytest.mark.django_db
def test_articles_tracked_into_a_story_are_never_proposed_for_it():
    """The review queue holds no "Proposed" match of an article for the story an
    editor already put it in (three tracked articles used to show up there)."""
    story = Story.objects.create(title="Taiwan", slug="taiwan")
    tracked = [
        article(*QUAKE_NL, "nl", "nl.example"),
        article(*QUAKE_EN, "en", "en.example"),
    ]
    story.articles.add(*tracked)

    group(*tracked)

    assert not StoryMatch.objects.filter(story=story).exclude(
        status=StoryMatch.Status.ACCEPTED
    )
    for one in tracked:
        assert list(one.stories.all()) == [story]
