import re
from urllib.parse import unquote, urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from stories.models import Change, Story, Version
from tests.factories import ArticleFactory, StoryFactory

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def make_change(article, kind=Change.Kind.TEXT, summary="+3 −1 words"):
    version = Version.objects.create(
        article=article,
        number=article.versions.count() + 1,
        fetched_at=timezone.now(),
        url=article.url,
        title=article.title,
        text=f"Body {HOSTILE}",
        content_hash=f"hash-{article.versions.count()}",
        raw_html_compressed=Version.compress(b"<html></html>"),
    )
    return Change.objects.create(
        article=article,
        to_version=version,
        kind=kind,
        detected_at=timezone.now(),
        summary=summary,
        diff_ops=[["equal", "Body "], ["insert", HOSTILE]],
    )


@pytest.mark.django_db
def test_story_page_lists_changes_with_article_and_summary(client):
    story = StoryFactory(title="Storm on the coast")
    article = ArticleFactory(title="Storm hits coast")
    article.stories.add(story)
    make_change(article, Change.Kind.HEADLINE, "“Storm nears” → “Storm hits coast”")
    make_change(article, Change.Kind.TEXT, "+12 −3 words, 2 sentences touched")

    response = client.get(reverse("stories:story-detail", kwargs={"slug": story.slug}))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Storm on the coast" in body
    assert body.count("Storm hits coast") >= 2
    assert "+12 −3 words, 2 sentences touched" in body
    assert body.index("Headline") < body.index("+12 −3 words")  # time order


@pytest.mark.django_db
def test_article_content_is_escaped_on_every_page(client):
    story = StoryFactory(title=HOSTILE)
    article = ArticleFactory(title=HOSTILE)
    article.stories.add(story)
    make_change(article, summary=HOSTILE)

    pages = [
        reverse("stories:story-list"),
        reverse("stories:story-detail", kwargs={"slug": story.slug}),
        reverse("stories:article-detail", kwargs={"pk": article.pk}),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body, url
        assert "&lt;script&gt;" in body, url


@pytest.mark.django_db
def test_unknown_story_is_404(client):
    response = client.get(reverse("stories:story-detail", kwargs={"slug": "nope"}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_private_mode_sends_anonymous_readers_to_login(
    client, settings, django_user_model
):
    settings.NEWSROOM_PUBLIC_STORIES = False
    story = StoryFactory()
    url = reverse("stories:story-detail", kwargs={"slug": story.slug})

    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]

    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_admin_shows_article_with_versions_and_check_now_action(admin_client):
    article = ArticleFactory(title=f"Storm hits coast {HOSTILE}")
    make_change(article)

    response = admin_client.get(
        reverse("admin:stories_article_change", args=[article.pk])
    )
    assert response.status_code == 200
    assert b"Storm hits coast &lt;script&gt;" in response.content
    assert b"<script>alert" not in response.content
    assert b"hash-0" in response.content  # the read-only version inline

    listing = admin_client.get(reverse("admin:stories_article_changelist"))
    assert b"check_now" in listing.content


# -- dashboard ------------------------------------------------------------------

from datetime import timedelta  # noqa: E402

from stories.forms import Cursor  # noqa: E402
from tests.browser.seed import add_changes, seed_story  # noqa: E402

HX = {"HTTP_HX_REQUEST": "true"}


def story_url(name, story, **params):
    url = reverse(f"stories:{name}", kwargs={"slug": story.slug})
    return url + ("?" + urlencode(params, doseq=True) if params else "")


@pytest.fixture
def seeded(db):
    return seed_story()


def test_story_list_shows_counts_outlets_figures_and_sparkline(client, seeded):
    body = client.get(reverse("stories:story-list")).content.decode()
    assert "Nagorno-Karabakh offensive, September 2023" in body
    assert "2 articles" in body
    assert "BBC News, NOS" in body
    assert "<dt>killed</dt><dd>more than 200</dd>" in body
    assert "<dt>evacuated</dt><dd>nearly 2,300</dd>" in body
    assert 'class="sparkline"' in body


def test_story_search_returns_fragment_for_htmx_and_page_otherwise(client, seeded):
    url = reverse("stories:story-list") + "?q=ruim+200"
    fragment = client.get(url, **HX)
    page = client.get(url)

    assert fragment["Vary"] == "HX-Request"
    assert b"<html" not in fragment.content
    assert b'id="story-list-results"' in fragment.content
    assert b"Ruim 200 doden bij offensief" in fragment.content  # matching article
    assert b"<html" in page.content and b'value="ruim 200"' in page.content


def test_story_search_without_match_says_so(client, seeded):
    body = client.get(reverse("stories:story-list"), {"q": "tsunami"}).content
    assert "No story matches “tsunami”".encode() in body
    assert b"Nagorno" not in body


def test_story_page_shows_newest_first_grouped_by_day(client, seeded):
    body = client.get(seeded.story.get_absolute_url()).content.decode()
    timeline = body[body.index(f'id="story-{seeded.story.pk}-entries"') :]

    evacuated = timeline.index("evacuated: nearly 2,300 added")
    killed = timeline.index("killed: 32 → more than 200 (per Armenian officials)")
    oldest = (
        Change.objects.filter(article__stories=seeded.story)
        .order_by("detected_at", "id")
        .first()
    )
    assert evacuated < killed < timeline.index(f'id="change-{oldest.pk}"')
    assert timeline.count('class="day-heading"') == 2
    assert "killed: about 50 → nearly 100 (per a former official)" in timeline


def test_story_page_filters_by_kind_outlet_and_significance(client, seeded):
    story = seeded.story
    figures_only = client.get(story_url("story-detail", story, kind="figure"))
    body = figures_only.content.decode()
    entries = body[body.index(f'id="story-{story.pk}-entries"') :]
    assert entries.count('class="change change-figure') == 3
    assert 'class="change change-text' not in entries
    assert re.search(r'<input[^>]*value="figure"[^>]*checked', body)
    assert not re.search(r'<input[^>]*value="text"[^>]*checked', body)

    bbc = client.get(
        story_url("story-detail", story, source=seeded.bbc.source_id), **HX
    ).content.decode()
    assert "BBC News" in bbc and 'class="outlet">NOS<' not in bbc

    major = client.get(
        story_url("story-detail", story, significance="major", kind="text"), **HX
    ).content.decode()
    assert "No changes match these filters." in major


def test_significance_filter_explains_its_levels(client, seeded):
    body = client.get(story_url("story-detail", seeded.story)).content.decode()
    help_start = body.index('id="significance-help"')
    assert 'aria-describedby="significance-help"' in body
    explained = body[help_start : body.index("</details>", help_start)]
    assert "<dt>Major</dt>" in explained and "casualty figure" in explained
    assert "<dt>Minor</dt>" in explained and "typos" in explained


def test_timeline_filter_fragment_and_history_restore(client, seeded):
    url = story_url("story-detail", seeded.story, kind="headline")
    fragment = client.get(url, **HX)
    restore = client.get(url, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HX)

    assert fragment["Vary"] == "HX-Request"
    assert fragment.content.decode().lstrip().startswith("{#") is False
    assert b'id="story-%d-timeline"' % seeded.story.pk in fragment.content
    assert b"<html" not in fragment.content
    assert b"<html" in restore.content


def test_bad_filter_values_are_ignored_not_500(client, seeded):
    response = client.get(
        story_url("story-detail", seeded.story, kind="nope", source="x", before="y")
    )
    assert response.status_code == 200
    assert b"Some filters were not understood" in response.content


def test_load_more_pages_through_timeline_without_gaps(client, seeded):
    add_changes(seeded.bbc, 120, timezone.now() - timedelta(days=5))
    story = seeded.story
    seen = []
    body = client.get(story.get_absolute_url()).content.decode()
    while True:
        seen += [int(part.split('"')[0]) for part in body.split('id="change-')[1:]]
        if "before=" not in body:
            break
        cursor = body.split("before=")[1].split('"')[0]
        response = client.get(
            story_url("story-timeline", story) + f"?before={cursor}", **HX
        )
        assert response.status_code == 200
        body = response.content.decode()
    total = Change.objects.filter(article__stories=story).count()
    assert len(seen) == len(set(seen)) == total == 128


def test_older_page_works_without_javascript(client, seeded):
    add_changes(seeded.bbc, 60, timezone.now() - timedelta(days=5))
    first = client.get(seeded.story.get_absolute_url()).content.decode()
    href = first.split('class="button" href="')[1].split('"')[0].replace("&amp;", "&")
    older = client.get(href)
    assert older.status_code == 200
    assert b"Showing older changes" in older.content
    assert b"<html" in older.content


def test_timeline_page_needs_a_cursor(client, seeded):
    response = client.get(story_url("story-timeline", seeded.story), **HX)
    assert response.status_code == 400


def shown_check(story) -> str:
    """The ?checked= an open page polls with: its newest article check."""
    return max(a.last_checked_at for a in story.articles.all()).isoformat()


def test_updates_return_204_when_nothing_is_new(client, seeded):
    newest = Change.objects.order_by("-detected_at", "-id").first()
    after = str(Cursor(newest.detected_at, newest.pk))
    checked = shown_check(seeded.story)
    url = story_url("story-updates", seeded.story, after=after, checked=checked)
    response = client.get(url, **HX)
    assert response.status_code == 204


def test_updates_refresh_claims_charts_and_sidebar_out_of_band(client, seeded):
    newest = Change.objects.order_by("-detected_at", "-id").first()
    after = str(Cursor(newest.detected_at, newest.pk))
    checked = shown_check(seeded.story)
    pk = seeded.story.pk
    seeded.bbc_writer.version(
        timezone.now(),
        "Death toll rises in Nagorno-Karabakh",
        "Toll rises.",
        figures=seeded.bbc_writer.versions[-1].figures,
    )

    response = client.get(
        story_url("story-updates", seeded.story, after=after, checked=checked), **HX
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="change change-') == 2  # headline and text
    for part in (f"story-{pk}-claims", f"story-{pk}-charts", f"story-{pk}-articles"):
        assert f'id="{part}" hx-swap-oob="true"' in body, part
    assert "Death toll rises in Nagorno-Karabakh" in body
    assert "Sources disagree" in body and 'id="chart-killed"' in body


def test_updates_refresh_the_sidebar_when_an_article_was_only_checked(client, seeded):
    newest = Change.objects.order_by("-detected_at", "-id").first()
    after = str(Cursor(newest.detected_at, newest.pk))
    checked = shown_check(seeded.story)
    url = story_url("story-updates", seeded.story, after=after, checked=checked)
    type(seeded.nos).objects.filter(pk=seeded.nos.pk).update(
        last_checked_at=timezone.now()
    )

    body = client.get(url, **HX).content.decode()

    assert 'class="change change-' not in body
    assert f'id="story-{seeded.story.pk}-articles" hx-swap-oob="true"' in body
    assert "checked <time" in body and "just now</time>" in body
    assert "0 minutes" not in body


def test_story_list_poll_is_204_until_a_story_or_change_is_new(client, seeded):
    page = client.get(reverse("stories:story-list")).content.decode()
    since = re.search(r"\?since=([0-9-]+)", page).group(1)
    url = reverse("stories:story-list") + f"?since={since}"
    assert client.get(url, **HX).status_code == 204

    seeded.bbc_writer.version(timezone.now(), "Ceasefire agreed", "A ceasefire.")
    StoryFactory(title="Storm Ellen")

    body = client.get(url, **HX).content.decode()
    assert body.count("story-card is-fresh") == 2
    assert "Storm Ellen" in body
    assert f"?since={since}" not in body  # the poll goes on from the new state


def test_pinned_stories_come_first_with_a_marker(client, seeded):
    pinned = StoryFactory(title="Pinned but quiet", is_pinned=True)
    body = client.get(reverse("stories:story-list")).content.decode()
    assert body.index("Pinned but quiet") < body.index("Nagorno-Karabakh")
    assert f'id="story-{pinned.pk}-row"' in body
    assert '<span class="pin">Pinned' in body


def test_updates_return_new_entries_and_a_moved_poller(client, seeded):
    newest = Change.objects.order_by("-detected_at", "-id").first()
    after = str(Cursor(newest.detected_at, newest.pk))
    add_changes(seeded.nos, 2, timezone.now() + timedelta(seconds=1))

    response = client.get(story_url("story-updates", seeded.story, after=after), **HX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="change change-text is-new"') == 2
    assert 'hx-swap-oob="true"' in body
    assert after.replace("+", "%2B").replace(":", "%3A") not in body


def test_a_burst_bigger_than_a_page_arrives_over_several_polls(client, seeded):
    newest = Change.objects.order_by("-detected_at", "-id").first()
    after = str(Cursor(newest.detected_at, newest.pk))
    add_changes(seeded.nos, 60, timezone.now() + timedelta(seconds=1))
    seen = 0
    for _ in range(3):
        response = client.get(
            story_url("story-updates", seeded.story, after=after), **HX
        )
        if response.status_code == 204:
            break
        body = response.content.decode()
        seen += body.count("is-new")
        # Poll on from where the moved poller says, as the browser does.
        after = unquote(re.search(r"\?after=([^\"&]+)", body).group(1))

    assert seen == 60


def test_updates_respect_filters(client, seeded):
    newest = Change.objects.order_by("-detected_at", "-id").first()
    after = str(Cursor(newest.detected_at, newest.pk))
    add_changes(seeded.nos, 2, timezone.now() + timedelta(seconds=1))
    url = story_url(
        "story-updates",
        seeded.story,
        after=after,
        kind="figure",
        checked=shown_check(seeded.story),
    )
    assert client.get(url, **HX).status_code == 204


def test_updates_stop_polling_once_story_is_archived(client, seeded):
    seeded.story.status = Story.Status.ARCHIVED
    seeded.story.save()
    url = story_url("story-updates", seeded.story, after=str(Cursor(timezone.now(), 0)))
    assert client.get(url, **HX).status_code == 286
    page = client.get(seeded.story.get_absolute_url()).content
    assert b"story-updates" not in page and b"/updates/" not in page


def test_figure_chart_links_points_to_the_change(client, seeded):
    body = client.get(seeded.story.get_absolute_url()).content.decode()
    assert 'id="chart-killed"' in body
    assert "per Armenian officials" in body and "per a former official" in body
    figure_change = Change.objects.filter(
        article=seeded.nos, kind=Change.Kind.FIGURE
    ).first()
    assert f"?old=2&amp;new=3#change-{figure_change.pk}" in body


def test_cached_charts_show_a_new_figure_change_at_once(client, seeded):
    url = seeded.story.get_absolute_url()
    assert "chart-missing" not in client.get(url).content.decode()
    figure = Change.objects.filter(article=seeded.nos, kind=Change.Kind.FIGURE).first()
    Change.objects.create(
        article=seeded.nos,
        from_version=figure.from_version,
        to_version=None,
        kind=Change.Kind.FIGURE,
        detected_at=timezone.now(),
        summary="missing: 20 → 40",
        details={
            "figures": [
                {
                    "kind": "missing",
                    "change": "revised",
                    "old": 20,
                    "new": 40,
                    "old_qualifier": "exact",
                    "new_qualifier": "exact",
                    "attributed_to": "the Red Cross",
                }
            ]
        },
    )

    charts = client.get(url).content.decode().split("Timeline")[0]

    assert 'id="chart-missing"' in charts and "per the Red Cross" in charts


def test_story_page_query_count_is_constant(
    client, seeded, django_assert_max_num_queries
):
    url = seeded.story.get_absolute_url()
    with django_assert_max_num_queries(9):
        client.get(url)
    add_changes(seeded.nos, 300, timezone.now() - timedelta(days=3))
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assert response.content.count(b'class="change change-') == 50


def test_story_list_query_count_is_constant(
    client, seeded, django_assert_max_num_queries
):
    for _ in range(5):
        story = StoryFactory()
        ArticleFactory().stories.add(story)
    with django_assert_max_num_queries(6):
        client.get(reverse("stories:story-list"))


def test_article_page_diffs_latest_two_versions_by_default(client, seeded):
    body = client.get(seeded.nos.get_absolute_url()).content.decode()
    assert "From v3 to v4" in body
    assert "Bijna 2.300 burgers zijn geëvacueerd.</ins>" in body


def test_article_page_compares_any_two_versions_side_by_side(client, seeded):
    url = seeded.nos.get_absolute_url() + "?old=1&new=3&view=split"
    body = client.get(url).content.decode()
    assert "From v1 to v3" in body
    assert 'class="split-diff"' in body
    assert "<del>32</del>" in body and "<ins>ruim 200</ins>" in body
    assert "<del>Azerbeidzjan begint</del><ins>Ruim 200 doden bij</ins>" in body
    assert "unchanged paragraph" not in body  # lone paragraphs stay as context


def test_article_diff_folds_runs_of_unchanged_paragraphs(client, seeded):
    body = client.get(seeded.nos.get_absolute_url()).content.decode()
    assert '<details class="unchanged"><summary>5 unchanged paragraphs' in body


def test_article_compare_fragment_for_htmx(client, seeded):
    url = seeded.nos.get_absolute_url() + "?old=2&new=3"
    response = client.get(url, **HX)
    assert response["Vary"] == "HX-Request"
    assert b"<html" not in response.content
    assert b'id="article-%d-compare"' % seeded.nos.pk in response.content
    assert b'data-hotkey="prev"' in response.content
    assert b'data-hotkey="next"' in response.content


def test_article_with_reversed_or_unknown_versions_falls_back(client, seeded):
    url = seeded.nos.get_absolute_url()
    assert b"From v1 to v3" in client.get(url + "?old=3&new=1").content
    assert b"From v3 to v4" in client.get(url + "?old=99&new=abc").content


def test_raw_page_is_sanitised_and_sandboxed(client, seeded):
    writer = seeded.nos_writer
    writer.version(
        timezone.now(),
        "x",
        "y",
        raw_html=b"<html><body><p onclick=alert(1)>Hi</p>"
        b"<script>alert(2)</script><a href='javascript:alert(3)'>l</a></body></html>",
    )
    url = reverse("stories:version-raw", kwargs={"pk": seeded.nos.pk, "number": 5})
    response = client.get(url)
    body = response.content.decode()
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "<script" not in body and "onclick" not in body and "javascript:" not in body
    assert "Hi" in body

    source = client.get(url + "?as=source")
    assert source["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "name", ["story-detail", "story-timeline", "story-updates", "article-detail"]
)
def test_private_mode_guards_pages_and_fragments(client, settings, seeded, name):
    settings.NEWSROOM_PUBLIC_STORIES = False
    if name == "article-detail":
        url = seeded.nos.get_absolute_url()
    else:
        url = story_url(name, seeded.story, after=str(Cursor(timezone.now(), 0)))

    page = client.get(url)
    fragment = client.get(url, HTTP_HX_CURRENT_URL="http://testserver/x/", **HX)

    assert page.status_code == 302 and reverse("login") in page["Location"]
    assert fragment.status_code == 200
    assert reverse("login") in fragment["HX-Redirect"]
    assert b"Nagorno" not in fragment.content


def test_login_and_logout_round_trip(client, settings, seeded, django_user_model):
    settings.NEWSROOM_PUBLIC_STORIES = False
    django_user_model.objects.create_user("reader", password="correct horse")
    url = seeded.story.get_absolute_url()

    login_page = client.get(client.get(url)["Location"])
    assert b'<label for="id_username">' in login_page.content
    response = client.post(
        reverse("login"),
        {"username": "reader", "password": "correct horse", "next": url},
    )
    assert response["Location"] == url
    assert b"Log out reader" in client.get(url).content

    client.post(reverse("logout"))
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_significance_filter_and_correction_badge(client):
    story = StoryFactory()
    article = ArticleFactory(title="Storm hits coast")
    article.stories.add(story)
    typo = make_change(article, summary="typo fixed")
    typo.significance = 0.05
    typo.save()
    note = make_change(article, summary="1 paragraph added, correction appended")
    note.significance = 0.9
    note.details = {
        "correction": {"kind": "correction", "note": "Correctie: het waren 32 doden."}
    }
    note.save()
    url = reverse("stories:story-detail", kwargs={"slug": story.slug})

    major = client.get(url, {"significance": "major"}).content.decode()
    everything = client.get(url).content.decode()

    assert "correction appended" in major and "typo fixed" not in major
    assert "typo fixed" in everything
    assert 'class="badge badge-correction">Correction<' in major
    assert "Correctie: het waren 32 doden." in major


@pytest.mark.django_db
def test_story_page_shows_sources_that_disagree_and_not_compatible_ones(client):
    story = StoryFactory()

    def article_with(outlet: str, value: int, qualifier: str, kind: str = "killed"):
        article = ArticleFactory(
            source__name=outlet, source__domain=f"{outlet}.example"
        )
        article.stories.add(story)
        Version.objects.create(
            article=article,
            number=1,
            fetched_at=timezone.now(),
            url=article.url,
            text="x",
            content_hash=outlet,
            raw_html_compressed=Version.compress(b""),
            figures=[
                {
                    "kind": kind,
                    "value": value,
                    "low": None,
                    "high": None,
                    "qualifier": qualifier,
                    "attributed_to": "the health ministry",
                    "lang": "en",
                }
            ],
        )

    article_with("gazette", 3958, "exact")
    article_with("herald", 11300, "exact")
    article_with("courier", 30000, "at_least", kind="injured")
    article_with("tribune", 30000, "more_than", kind="injured")

    body = client.get(reverse("stories:story-detail", kwargs={"slug": story.slug}))
    text = body.content.decode()

    assert "Sources disagree" in text
    section = text[
        text.index("Sources disagree") : text.index(
            "</section>", text.index("Sources disagree")
        )
    ]
    assert "3,958" in section and "11,300" in section
    assert "gazette" in section and "herald" in section
    assert "injured" not in section  # at least 30,000 vs more than 30,000 agree


def test_head_requests_are_answered(client, seeded):
    for url in ("/", seeded.story.get_absolute_url(), seeded.nos.get_absolute_url()):
        response = client.head(url)
        assert response.status_code == 200, url
        assert response.content == b""


def test_stored_page_has_a_banner_and_links_to_the_original_site(client, seeded):
    seeded.nos_writer.version(
        timezone.now(),
        "Ruim 200 doden",
        "Tekst.",
        raw_html=b'<html><body><p>Hi <a href="/buitenland">Buitenland</a></p>'
        b'<img src="foto.jpg"></body></html>',
    )
    number = seeded.nos_writer.versions[-1].number
    url = f"/articles/{seeded.nos.pk}/versions/{number}/raw/"
    body = client.get(url).content.decode()
    assert f"stored copy of version {number}" in body
    assert "UTC from" in body
    assert 'href="https://nos.nl/buitenland"' in body
    assert 'href="/buitenland"' not in body
    assert f'href="/articles/{seeded.nos.pk}/"' in body  # back to Newsroom


def test_chart_titles_and_legends_read_as_words(client, seeded):
    seeded.bbc_writer.version(
        timezone.now(),
        seeded.bbc_writer.versions[-1].title,
        "Police said 37 people had been rescued.",
        figure_deltas=[
            {
                "kind": "other_count",
                "change": "added",
                "old": None,
                "new": 37,
                "old_qualifier": None,
                "new_qualifier": "exact",
                "attributed_to": None,
            }
        ],
    )
    body = client.get(seeded.story.get_absolute_url()).content.decode()
    assert "<strong>Other count</strong>" in body
    assert "Other_count" not in body
    assert "per unattributed" not in body and "not attributed" in body


def test_favicon_is_served_for_pages_without_an_icon_link(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.redirect_chain[0][1] == 301
    assert response.redirect_chain[0][0].endswith("favicon.svg")
