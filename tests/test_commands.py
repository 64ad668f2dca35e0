import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command

from stories import pipeline
from stories.models import Article, Change, Story, Version

ROOT = Path(__file__).resolve().parent.parent


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_track_adds_article_and_creates_story():
    output = run(
        "track", "https://www.example.org/news/1.html", "--story", "storm-2026"
    )

    article = Article.objects.get(url="https://www.example.org/news/1.html")
    assert article.source.domain == "www.example.org"
    assert list(article.stories.values_list("slug", flat=True)) == ["storm-2026"]
    assert "Tracking article" in output and "storm-2026" in output

    again = run("track", "https://www.example.org/news/1.html", "--story", "storm-2026")
    assert "Already tracking" in again
    assert Article.objects.count() == 1 and Story.objects.count() == 1


@pytest.mark.django_db
def test_track_rejects_a_non_http_url():
    with pytest.raises(CommandError, match="Not an http"):
        run("track", "ftp://example.org/file")


@pytest.mark.django_db
def test_check_now_prints_status_version_and_changes(news_site, allow_host):
    page, url = news_site
    allow_host(url)
    run("track", url, "--story", "karabakh")

    first = run("check_now", url)
    page.index = 2
    second = run("check_now", str(Article.objects.get().pk))

    assert "HTTP status: 200" in first and "New version: 1" in first
    assert "New version: 2" in second and "Change: headline" in second
    assert Version.objects.count() == 2
    assert Change.objects.count() == 1


@pytest.mark.django_db
def test_check_now_of_unknown_article_says_how_to_add_it():
    with pytest.raises(CommandError, match="track URL"):
        run("check_now", "https://nowhere.example/x")


def test_production_settings_pass_check_deploy():
    env = {
        # The browser tests' async-unsafe switch is a deploy error of its own.
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": "k" * 30 + "-Zq8vX2#mP9wL4&nR7tY1@bC6uE3",
        "ALLOWED_HOSTS": "newsroom.example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/x.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_secret_key_refuses_to_start():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "", "DATABASE_URL": "sqlite:///x"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_track_stores_the_same_spelling_feeds_do():
    run("track", "https://WWW.Example.org/news/1.html?utm_source=x#top")
    run("track", "https://www.example.org/news/1.html")

    assert list(Article.objects.values_list("url", flat=True)) == [
        "https://www.example.org/news/1.html"
    ]


def test_readme_names_every_management_command():
    """A newcomer finds every command in the README's layout section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1]
    commands = sorted(
        p.stem
        for p in (ROOT / "stories" / "management" / "commands").glob("*.py")
        if p.stem != "__init__"
    )

    missing = [name for name in commands if f"`{name}`" not in layout]

    assert commands and not missing, f"README.md Layout does not name {missing}"


@pytest.mark.django_db
def test_seed_demo_tracks_the_demo_site_article_and_is_idempotent(
    news_site, allow_host, client
):
    """What `make run` seeds: the story, its article on the demo site, the admin."""
    page, url = news_site
    allow_host(url)
    port = str(urlsplit(url).port)

    first = run("seed_demo", "--port", port)
    again = run("seed_demo", "--port", port)

    article = Article.objects.get()
    assert article.url == url
    assert "Created story" in first and "Kept story" in again
    assert Story.objects.count() == 1
    assert pipeline.check_article(article).outcome == "new_version"
    listing = client.get("/").content.decode()
    assert "Nagorno-Karabakh ceasefire, September 2023" in listing
    story = client.get(f"/stories/{article.stories.get().slug}/").content.decode()
    assert "Azerbeidzjan en Armeense separatisten sluiten staakt-het-vuren" in story
    assert client.login(username="admin", password="newsroom")


def test_env_example_lists_every_variable_the_settings_read():
    """README: `.env.example` lists every variable; `make run`'s demo ones too."""
    settings_source = (ROOT / "newsroom" / "settings.py").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    read = set(
        re.findall(
            r"""(?:env_\w+|environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)""", settings_source
        )
    )
    read |= set(re.findall(r"\$\{?(NEWSROOM_\w+)", (ROOT / "Procfile").read_text()))

    missing = sorted(name for name in read if not re.search(rf"\b{name}\b", example))

    assert len(read) > 40 and not missing, f".env.example lacks {missing}"
