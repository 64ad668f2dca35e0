"""Exports: CSV safe against spreadsheet formulas, story archives that round-trip."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from stories import archive, exports, pipeline
from stories.models import Article, Change, Source, Story, Version
from tests.browser.seed import seed_story
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_csv_cells_that_look_like_formulas_are_defused():
    rows = [
        {"a": '=HYPERLINK("http://x")', "b": "+1", "c": "-2", "d": "@SUM(A1)"},
        {"a": "plain", "b": -3, "c": "", "d": {"k": "=v"}},
    ]
    parsed = list(csv.reader(io.StringIO(exports.to_csv(rows, ("a", "b", "c", "d")))))
    assert parsed[1] == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)"]
    assert parsed[2] == ["plain", "-3", "", '{"k": "=v"}']


def test_story_page_links_every_export_and_they_download(client):
    seeded = seed_story()
    page = client.get(seeded.story.get_absolute_url()).content.decode()
    for what, fmt in exports_on_page():
        url = reverse("api-v1:export_story", args=[seeded.story.slug, what, fmt])
        assert url in page
        response = client.get(url)
        assert response.status_code == 200, url
    changes = list(
        csv.DictReader(
            io.StringIO(client.get(url_of(seeded, "changes", "csv")).content.decode())
        )
    )
    assert len(changes) == Change.objects.count()
    assert {row["outlet"] for row in changes} == {"NOS", "BBC News"}
    figures = list(
        csv.DictReader(
            io.StringIO(client.get(url_of(seeded, "figures", "csv")).content.decode())
        )
    )
    killed = [row for row in figures if row["kind"] == "killed"]
    assert killed and all(row["value"].isdigit() for row in killed)


def exports_on_page():
    return [(w, f) for w, f in exports_formats() if (w, f) != ("archive", "csv")]


def exports_formats():
    return [
        ("changes", "csv"),
        ("changes", "json"),
        ("figures", "csv"),
        ("figures", "json"),
        ("archive", "json"),
    ]


def url_of(seeded, what, fmt):
    return reverse("api-v1:export_story", args=[seeded.story.slug, what, fmt])


@pytest.fixture
def fixture_story(news_site, allow_host):
    """The fixture article checked through the real pipeline, every version."""
    page, url = news_site
    allow_host(url)
    story = Story.objects.create(title="Nagorno-Karabakh", slug="nk")
    article = ArticleFactory(url=url)
    article.stories.add(story)
    for index in range(len(page.versions)):
        page.index = index
        pipeline.check_article(article)
    seeded = seed_story()  # a second outlet's articles, in another story
    for other in (seeded.nos, seeded.bbc):
        other.stories.add(story)
    return story


def _snapshot(story: Story) -> dict:
    data = archive.dump_story(story)
    data.pop("exported_at")
    for change in data["changes"]:
        change.pop("alerts_planned_at")  # imported history counts as alerted
    return data


def test_archive_round_trip_into_a_clean_database_loses_nothing(
    fixture_story, tmp_path
):
    before = _snapshot(fixture_story)
    assert len(before["versions"]) == 10 and len(before["changes"]) >= 12
    assert any(v["figures"] for v in before["versions"])
    assert any(c["details"].get("figures") for c in before["changes"])
    path = tmp_path / "nk.json"
    call_command("export_story", "nk", output=str(path))

    # A clean database: nothing of the story, its articles or outlets is left.
    Article.objects.all().delete()
    Story.objects.all().delete()
    Source.objects.all().delete()
    assert not Version.objects.exists() and not Change.objects.exists()

    out = io.StringIO()
    call_command("import_story", str(path), stdout=out)
    assert "10 versions" in out.getvalue()
    story = Story.objects.get(slug="nk")
    after = _snapshot(story)
    assert after["versions"] == before["versions"]
    assert after["changes"] == before["changes"]
    assert after == before
    assert exports.figure_series(story)
    assert not Change.objects.filter(alerts_planned_at__isnull=True).exists()
    raw = Version.objects.filter(article__url__contains="127.0.0.1").first().raw_html
    assert raw.startswith(b"<!")


def test_import_refuses_what_is_already_here_and_damaged_files(fixture_story, tmp_path):
    path = tmp_path / "nk.json"
    path.write_text(json.dumps(archive.dump_story(fixture_story), default=str))
    with pytest.raises(CommandError, match="slug 'nk' exists"):
        call_command("import_story", str(path))
    with pytest.raises(CommandError, match="Already tracked here"):
        call_command("import_story", str(path), slug="nk-copy")
    assert not Story.objects.filter(slug="nk-copy").exists(), "all or nothing"
    damaged = json.loads(path.read_text())
    del damaged["versions"][0]["number"]
    Article.objects.all().delete()
    path.write_text(json.dumps(damaged))
    with pytest.raises(CommandError, match="damaged"):
        call_command("import_story", str(path), slug="nk-2")
    path.write_text("[1, 2]")
    with pytest.raises(CommandError, match="Not a newsroom-story-archive"):
        call_command("import_story", str(path), slug="nk-3")
    assert not Story.objects.filter(slug__in=["nk-2", "nk-3"]).exists()


def test_import_can_retire_articles(fixture_story, tmp_path):
    path = tmp_path / "nk.json"
    call_command("export_story", "nk", output=str(path))
    Article.objects.all().delete()
    call_command("import_story", str(path), slug="nk-record", retire=True)
    story = Story.objects.get(slug="nk-record")
    assert set(story.articles.values_list("state", flat=True)) == {"retired"}
