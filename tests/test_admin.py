from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from stories.models import Article, Feed, Source, Story, StoryMatch
from tests.factories import ArticleFactory, SourceFactory, StoryFactory


@pytest.fixture
def data(db):
    source = SourceFactory(name="World Desk", domain="worlddesk.example")
    feed = Feed.objects.create(source=source, url="https://worlddesk.example/rss.xml")
    story = StoryFactory(title="Karabakh ceasefire")
    article = ArticleFactory(source=source, title="Ceasefire agreed")
    proposed = ArticleFactory(source=source, title="Protests in Yerevan")
    story.articles.add(article)
    match = StoryMatch.objects.create(
        article=proposed,
        story=story,
        score=0.4,
        method="shared_facts",
        status="proposed",
        matched_at=article.first_seen_at,
    )
    return {
        "source": source,
        "feed": feed,
        "story": story,
        "article": article,
        "proposed": proposed,
        "match": match,
    }


@pytest.mark.parametrize(
    "name",
    ["source", "story", "article", "feed", "storymatch"],
)
def test_admin_changelists_and_change_pages_load(admin_client, data, name):
    obj = data["match"] if name == "storymatch" else data[name]
    changelist = admin_client.get(reverse(f"admin:stories_{name}_changelist"))
    change = admin_client.get(reverse(f"admin:stories_{name}_change", args=[obj.pk]))
    assert changelist.status_code == 200
    assert change.status_code == 200


@pytest.fixture
def articles(db):
    """One article per filter, each told apart by its title."""
    now = timezone.now()
    dutch = SourceFactory(language="nl")
    english = SourceFactory(language="en")
    ArticleFactory(title="Failing page", source=english, consecutive_failures=3)
    ArticleFactory(title="Nearly failing", source=english, consecutive_failures=2)
    ArticleFactory(
        title="Edited today", source=dutch, last_changed_at=now - timedelta(hours=2)
    )
    ArticleFactory(
        title="Edited last month",
        source=english,
        last_changed_at=now - timedelta(days=20),
        state=Article.State.RETIRED,
    )


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("failing=yes", {"Failing page"}),
        ("failing=no", {"Nearly failing", "Edited today", "Edited last month"}),
        ("changed=7", {"Edited today"}),
        ("changed=30", {"Edited today", "Edited last month"}),
        ("source__language=nl", {"Edited today"}),
        ("state=retired", {"Edited last month"}),
        ("q=edited", {"Edited today", "Edited last month"}),
    ],
)
def test_article_filters_and_search_show_only_matching_rows(
    admin_client, articles, query, titles
):
    response = admin_client.get(
        reverse("admin:stories_article_changelist") + "?" + query
    )

    assert response.status_code == 200
    shown = {article.title for article in response.context["cl"].result_list}
    assert shown == titles


def test_source_list_shows_failing_and_health(admin_client, data):
    Feed.objects.filter(pk=data["feed"].pk).update(consecutive_failures=5)
    url = reverse("admin:stories_source_changelist")
    assert "World Desk" in admin_client.get(url + "?failing=yes").content.decode()
    page = admin_client.get(
        reverse("admin:stories_source_change", args=[data["source"].pk])
    )
    assert "fetch error rate" in page.content.decode()


def test_source_health_shows_cheap_path_misses(admin_client, data):
    from django.utils import timezone

    from stories.models import Source

    Source.objects.filter(pk=data["source"].pk).update(
        audit_checks=40,
        audit_misses=1,
        last_audit_miss="article 7: the cheap path called the page unchanged",
        last_audit_miss_at=timezone.now(),
    )
    page = admin_client.get(
        reverse("admin:stories_source_change", args=[data["source"].pk])
    ).content.decode()
    assert "cheap-path audits: 40" in page
    assert "changes the cheap path missed: 1" in page
    assert "article 7: the cheap path called the page unchanged" in page


def test_source_of_tracked_articles_reports_its_checks_not_zero_polls(admin_client):
    """A source with no feeds, whose articles are checked, is not "polls: 0"."""
    from django.utils import timezone

    source = SourceFactory(name="Tracked Only", domain="tracked.example")
    for _ in range(3):
        ArticleFactory(source=source, last_checked_at=timezone.now())
    ArticleFactory(source=source)  # never checked yet

    page = admin_client.get(
        reverse("admin:stories_source_change", args=[source.pk])
    ).content.decode()

    assert "articles checked: 3" in page
    assert "last feed poll: no feeds" in page
    assert "Story matches" in admin_client.get(reverse("admin:index")).content.decode()


def test_story_autocomplete_answers(admin_client, data):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Karabakh",
            "app_label": "stories",
            "model_name": "article",
            "field_name": "stories",
        },
    )
    assert response.status_code == 200
    assert "Karabakh ceasefire" in response.content.decode()


def test_accepting_a_proposed_match_in_admin_attaches_the_article(admin_client, data):
    response = admin_client.post(
        reverse("admin:stories_storymatch_changelist"),
        {"action": "accept", "_selected_action": [data["match"].pk]},
    )
    assert response.status_code == 302
    data["match"].refresh_from_db()
    assert data["match"].status == "accepted"
    assert data["match"].decided_by is not None
    assert data["story"] in data["proposed"].stories.all()


def test_check_now_queues_after_commit(
    admin_client, data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            reverse("admin:stories_article_changelist"),
            {"action": "check_now", "_selected_action": [data["article"].pk]},
        )
    assert response.status_code == 302
    assert len(callbacks) == 1


def test_retire_bulk_action(admin_client, data):
    admin_client.post(
        reverse("admin:stories_article_changelist"),
        {"action": "retire", "_selected_action": [data["article"].pk]},
    )
    data["article"].refresh_from_db()
    assert data["article"].state == Article.State.RETIRED


def test_move_to_story_asks_then_moves(admin_client, data):
    target = StoryFactory(title="Other story")
    url = reverse("admin:stories_article_changelist")
    ask = admin_client.post(
        url, {"action": "move_to_story", "_selected_action": [data["article"].pk]}
    )
    assert ask.status_code == 200
    assert "Move articles to a story" in ask.content.decode()
    done = admin_client.post(
        url,
        {
            "action": "move_to_story",
            "_selected_action": [data["article"].pk],
            "apply": "Move",
            "story": target.pk,
        },
    )
    assert done.status_code == 302
    assert list(data["article"].stories.all()) == [target]


def test_split_into_new_story(admin_client, data):
    admin_client.post(
        reverse("admin:stories_article_changelist"),
        {
            "action": "move_to_story",
            "_selected_action": [data["article"].pk],
            "apply": "Move",
            "new_title": "Split off",
        },
    )
    assert data["article"].stories.get().title == "Split off"


def test_merge_and_pin_stories(admin_client, data):
    other = StoryFactory(title="Karabakh talks")
    other.articles.add(data["proposed"])
    url = reverse("admin:stories_story_changelist")
    admin_client.post(
        url, {"action": "merge", "_selected_action": [data["story"].pk, other.pk]}
    )
    admin_client.post(url, {"action": "pin", "_selected_action": [data["story"].pk]})
    other.refresh_from_db()
    data["story"].refresh_from_db()
    assert other.merged_into == data["story"]
    assert data["story"].is_pinned
    assert data["story"].articles.count() == 2


def test_export_csv_and_import_opml(admin_client, data):
    exported = admin_client.post(
        reverse("admin:stories_source_changelist"),
        {"action": "export_opml", "_selected_action": [data["source"].pk]},
    )
    assert exported["Content-Type"].startswith("text/x-opml")
    opml = exported.content
    Feed.objects.all().delete()
    Source.objects.filter(pk=data["source"].pk).delete()

    import_url = reverse("admin:stories_source_import")
    assert admin_client.get(import_url).status_code == 200
    response = admin_client.post(
        import_url, {"file": SimpleUploadedFile("sources.opml", opml)}
    )

    assert response.status_code == 302
    assert Feed.objects.get().url == "https://worlddesk.example/rss.xml"
    csv_response = admin_client.post(
        reverse("admin:stories_source_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(Source.objects.values_list("pk", flat=True)),
        },
    )
    assert b"worlddesk.example" in csv_response.content


def test_story_list_links_to_review_and_public_page(admin_client, data):
    page = admin_client.get(reverse("admin:stories_story_changelist")).content.decode()
    assert data["story"].get_absolute_url() in page
    assert "status__exact=proposed" in page
    assert Story.objects.count() == 1
