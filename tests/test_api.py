"""The read API (/api/v1/): every endpoint, tokens, permissions, pagination, schema."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openapi_spec_validator import validate

from stories.models import ApiToken, Change
from tests.browser.seed import seed_story
from tests.factories import ArticleFactory, ChangeFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def seeded(db):
    return seed_story()


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("reader", password="x-long-pass")


@pytest.fixture
def key(reader):
    return ApiToken.issue(reader, "data desk")[1]


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_openapi_schema_validates_and_docs_render(client):
    schema = client.get(f"{API}/openapi.json").json()
    validate(schema)
    paths = set(schema["paths"])
    assert {
        "/api/v1/stories",
        "/api/v1/stories/{slug}",
        "/api/v1/stories/{slug}/articles",
        "/api/v1/stories/{slug}/figures",
        "/api/v1/articles/{article_id}",
        "/api/v1/articles/{article_id}/versions",
        "/api/v1/articles/{article_id}/versions/{number}",
        "/api/v1/changes",
        "/api/v1/search",
    } <= paths
    docs = client.get(f"{API}/docs")
    assert docs.status_code == 200
    # Served from our own static files: the strict CSP allows nothing else.
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content
    assert b"cdn" not in docs.content.lower()


def test_stories_and_story_and_articles(client, seeded):
    stories = client.get(f"{API}/stories").json()
    assert [s["slug"] for s in stories] == ["nagorno-karabakh-2023"]
    assert stories[0]["article_count"] == 2
    story = client.get(f"{API}/stories/nagorno-karabakh-2023").json()
    assert story["title"] == "Nagorno-Karabakh offensive, September 2023"
    articles = client.get(f"{API}/stories/nagorno-karabakh-2023/articles").json()
    assert [(a["outlet"], a["version_count"]) for a in articles] == [
        ("NOS", 4),
        ("BBC News", 2),
    ]
    one = client.get(f"{API}/articles/{seeded.nos.pk}").json()
    assert one["url"] == seeded.nos.url and one["version_count"] == 4
    assert client.get(f"{API}/stories/nope").status_code == 404


def test_versions_carry_text_headline_and_figures_but_no_page(client, seeded):
    page = client.get(f"{API}/articles/{seeded.nos.pk}/versions?limit=3").json()
    assert [v["number"] for v in page["items"]] == [1, 2, 3]
    assert page["next_after"] == 3
    first = page["items"][0]
    assert "32 doden" in first["text"] and first["title"]
    assert first["raw_html"] is None
    rest = client.get(
        f"{API}/articles/{seeded.nos.pk}/versions?after={page['next_after']}"
    ).json()
    assert [v["number"] for v in rest["items"]] == [4] and rest["next_after"] is None
    assert rest["items"][0]["figures"][0]["kind"] == "killed"
    one = client.get(f"{API}/articles/{seeded.nos.pk}/versions/2").json()
    assert one["number"] == 2


def test_raw_html_only_for_staff(client, seeded, key, admin_user):
    url = f"{API}/articles/{seeded.nos.pk}/versions/1?raw_html=true"
    assert client.get(url).status_code == 403
    assert client.get(url, **bearer(key)).status_code == 403
    staff_key = ApiToken.issue(admin_user, "staff")[1]
    page = client.get(url, **bearer(staff_key)).json()
    assert page["raw_html"].startswith("<html>")
    listed = client.get(
        f"{API}/articles/{seeded.nos.pk}/versions?raw_html=true", **bearer(staff_key)
    ).json()
    assert all(v["raw_html"] for v in listed["items"])


def test_changes_filter_by_story_article_kind_and_significance(client, seeded):
    everything = client.get(f"{API}/changes").json()["items"]
    assert len(everything) == Change.objects.count() == 8
    times = [(c["detected_at"], c["id"]) for c in everything]
    assert times == sorted(times)
    other = ChangeFactory(detected_at=timezone.now() - timedelta(hours=1))
    story = client.get(f"{API}/changes?story=nagorno-karabakh-2023").json()["items"]
    assert other.pk not in {c["id"] for c in story} and len(story) == 8
    bbc = client.get(f"{API}/changes?article={seeded.bbc.pk}").json()["items"]
    assert {c["article_id"] for c in bbc} == {seeded.bbc.pk}
    figures = client.get(f"{API}/changes?kind=figure&kind=headline").json()["items"]
    assert {c["kind"] for c in figures} == {"figure", "headline"}
    assert figures[0]["details"] or figures[-1]["details"]
    Change.objects.filter(kind="headline").update(significance=0.9)
    major = client.get(f"{API}/changes?significance=major").json()["items"]
    assert {c["kind"] for c in major} == {"headline"}
    assert client.get(f"{API}/changes?significance=loud").status_code == 400
    assert client.get(f"{API}/changes?cursor=garbage").status_code == 400


def test_since_returns_only_newer_changes(client, seeded):
    everything = client.get(f"{API}/changes").json()["items"]
    middle = everything[3]["detected_at"]
    newer = client.get(f"{API}/changes", {"since": middle}).json()["items"]
    assert newer and all(c["detected_at"] > middle for c in newer)


def test_cursor_pages_are_stable_while_changes_are_inserted(client, seeded, settings):
    settings.NEWSROOM_API_SETTLE_SECONDS = 0
    article = ArticleFactory()
    seen, cursor = [], None
    before = set(Change.objects.values_list("id", flat=True))
    inserted = []
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/changes", params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
        # Between pages, new changes arrive: one in the past (already paged over)
        # and one now (ahead of the cursor).
        inserted.append(
            ChangeFactory(
                article=article, detected_at=timezone.now() - timedelta(days=9)
            )
        )
        inserted.append(ChangeFactory(article=article, detected_at=timezone.now()))
    assert len(seen) == len(set(seen)), "a change came twice"
    assert before <= set(seen), "a change that existed was skipped"
    late = {c.pk for c in inserted if c.detected_at > timezone.now() - timedelta(1)}
    assert late <= set(seen)
    # Polling on with the last cursor returns nothing twice.
    again = client.get(f"{API}/changes", {"cursor": cursor}).json()
    assert again["items"] == [] and again["next_cursor"] == cursor


@pytest.mark.django_db(transaction=True)
def test_a_change_still_committing_is_not_skipped_by_a_poller(client, settings):
    """A check took its detected_at, then commits after a poll has passed that time:
    the settle window holds the poll back so the change still arrives."""
    settings.NEWSROOM_API_SETTLE_SECONDS = 5
    article = ArticleFactory()
    ChangeFactory(article=article, detected_at=timezone.now() - timedelta(minutes=1))
    started, release = threading.Event(), threading.Event()

    def slow_check() -> None:
        try:
            from django.db import transaction

            with transaction.atomic():
                ChangeFactory(article=article, detected_at=timezone.now())
                started.set()
                release.wait(10)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_check)
    writer.start()
    started.wait(10)
    first = client.get(f"{API}/changes").json()
    release.set()
    writer.join()
    settings.NEWSROOM_API_SETTLE_SECONDS = -60  # as if time had passed
    later = client.get(f"{API}/changes", {"cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 1
    assert len(later["items"]) == 1


def test_figure_series_per_kind_and_claimant(client, seeded):
    series = client.get(f"{API}/stories/nagorno-karabakh-2023/figures").json()
    killed = [s for s in series if s["kind"] == "killed"]
    assert killed, series
    points = killed[0]["points"]
    assert [p["at"] for p in points] == sorted(p["at"] for p in points)
    assert all(p["value"] is not None for s in series for p in s["points"])


def test_lists_answer_if_none_match_with_304(client, seeded):
    first = client.get(f"{API}/changes")
    etag = first["ETag"]
    assert etag
    assert client.get(f"{API}/changes", HTTP_IF_NONE_MATCH=etag).status_code == 304
    ChangeFactory(article=seeded.nos, detected_at=timezone.now() - timedelta(minutes=1))
    assert client.get(f"{API}/changes", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert "Authorization" in first["Vary"]


def test_private_stories_need_a_token(client, seeded, settings, key):
    settings.NEWSROOM_PUBLIC_STORIES = False
    assert client.get(f"{API}/stories").status_code == 401
    assert client.get(f"{API}/changes").status_code == 401
    assert client.get(f"{API}/search?q=doden").status_code == 401
    assert client.get(f"{API}/stories", **bearer(key)).status_code == 200
    # The schema and docs are not data: readable without a token.
    assert client.get(f"{API}/openapi.json").status_code == 200


def test_token_lifecycle_on_the_users_page(client, reader, seeded, settings):
    settings.NEWSROOM_PUBLIC_STORIES = False
    client.force_login(reader)
    page = reverse("record:tokens")
    response = client.post(reverse("record:token-create"), {"name": "data desk"})
    assert response.status_code == 302
    shown = client.get(page).content.decode()
    token = ApiToken.objects.get(user=reader)
    key = shown.split('id="new-api-key">')[1].split("<")[0]
    assert key.startswith(token.prefix)
    assert token.key_hash != key and key not in str(token.__dict__)
    assert key not in client.get(page).content.decode(), "shown only once"

    client.logout()
    assert client.get(f"{API}/stories", **bearer(key)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    client.force_login(reader)
    client.post(reverse("record:token-revoke", args=[token.pk]))
    client.logout()
    assert client.get(f"{API}/stories", **bearer(key)).status_code == 401
    # A wrong or revoked key is refused even while stories are public.
    settings.NEWSROOM_PUBLIC_STORIES = True
    assert client.get(f"{API}/stories", **bearer(key)).status_code == 401
    assert client.get(f"{API}/stories").status_code == 200


def test_outsider_cannot_revoke_someone_elses_token(client, reader, django_user_model):
    token, _ = ApiToken.issue(reader, "mine")
    other = django_user_model.objects.create_user("other", password="x-long-pass")
    client.force_login(other)
    response = client.post(reverse("record:token-revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_tokens_page_needs_login(client):
    response = client.get(reverse("record:tokens"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_admin_issues_a_token_once_and_revokes(admin_client, reader):
    response = admin_client.post(
        reverse("admin:stories_apitoken_add"),
        {"user": reader.pk, "name": "from admin"},
        follow=True,
    )
    token = ApiToken.objects.get(name="from admin")
    body = response.content.decode()
    assert "shown only now" in body and token.prefix in body
    admin_client.post(
        reverse("admin:stories_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.is_revoked


def test_rate_limit_per_token(client, seeded, settings, key, reader):
    settings.NEWSROOM_API_REQUESTS_PER_MINUTE = 3
    settings.NEWSROOM_API_ANONYMOUS_PER_MINUTE = 2
    codes = [client.get(f"{API}/stories", **bearer(key)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get(f"{API}/stories", **bearer(key))
    assert int(limited["Retry-After"]) > 0
    # Another token has its own budget; anonymous readers a smaller one.
    other = ApiToken.issue(reader, "second")[1]
    assert client.get(f"{API}/stories", **bearer(other)).status_code == 200
    anonymous = [client.get(f"{API}/stories").status_code for _ in range(3)]
    assert anonymous == [200, 200, 429]


def test_search_endpoint_groups_hits_and_escapes_snippets(client, seeded):
    seeded.nos_writer.version(
        timezone.now() - timedelta(minutes=5),
        "Ruim 200 doden",
        "Wapenstilstand <img src=x onerror=alert(1)> & <i>ceasefire</i> bevestigd.",
    )
    found = client.get(f"{API}/search", {"q": "ceasefire"}).json()
    hit = found["groups"][0]["hits"][0]
    assert found["groups"][0]["story"] == "nagorno-karabakh-2023"
    assert (hit["first_version"], hit["removed_in_version"]) == (5, None)
    assert "<img" not in hit["snippet_html"] and "<i>" not in hit["snippet_html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in hit["snippet_html"]
    assert "<mark>ceasefire</mark>" in hit["snippet_html"]


def test_story_exports_via_api(client, seeded):
    base = f"{API}/stories/nagorno-karabakh-2023/export"
    csv = client.get(f"{base}/changes.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "attachment" in csv["Content-Disposition"]
    assert csv.content.decode().splitlines()[0].startswith("id,detected_at,kind")
    assert len(client.get(f"{base}/changes.json").json()) == 8
    assert client.get(f"{base}/figures.json").json()[0]["points"]
    assert client.get(f"{base}/figures.csv").content.startswith(b"kind,claimant")
    assert client.get(f"{base}/archive.csv").status_code == 400
    anonymous = client.get(f"{base}/archive.json").json()
    assert all(v["raw_html_compressed"] == "" for v in anonymous["versions"])
