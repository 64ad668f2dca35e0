"""The dashboard in a real browser: pages, htmx filters, diffs, live updates, XSS."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from stories.models import Change, Source, Story
from tests.browser.seed import add_changes, seed_story

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = (
    '<script>window.__pwned = 1; alert("x")</script>'
    '<img src=x onerror="window.__pwned = 1; alert(1)">'
)


def entries(page):
    return page.locator("ol[id$='-entries'] > li.change")


def test_story_list_searches_as_you_type(page, screenshot):
    seed_story()
    page.goto("/")
    expect(page.get_by_role("heading", name="Stories", exact=True)).to_be_visible()
    expect(page.locator(".story-card")).to_have_count(1)
    expect(page.locator(".figures")).to_contain_text("more than 200")
    screenshot(page, "stories")

    page.get_by_label("Search stories and articles").press_sequentially("Ruim 200")
    expect(page).to_have_url(re.compile(r"\?q=Ruim(\+|%20)200"))
    expect(page.locator(".matching-articles")).to_contain_text(
        "Ruim 200 doden bij offensief"
    )
    page.get_by_label("Search stories and articles").fill("tsunami")
    expect(page.locator("#story-list-results")).to_contain_text("No story matches")
    screenshot(page, "stories-search")


def test_story_page_filters_by_kind_and_back_button_restores(page, screenshot):
    seeded = seed_story()
    page.goto(seeded.story.get_absolute_url())
    expect(entries(page)).to_have_count(8)
    expect(page.locator(".chart")).to_have_count(3)  # evacuated, injured, killed
    # Legend swatches are dots, not chart-wide discs (a CSS specificity slip once).
    swatch = page.locator(".legend .swatch").first.bounding_box()
    assert swatch is not None and swatch["width"] < 20
    screenshot(page, "story")

    page.locator("label.chip", has_text="Figures").click()
    expect(page).to_have_url(re.compile(r"kind=figure"))
    expect(entries(page)).to_have_count(3)
    expect(entries(page).first).to_contain_text("evacuated: nearly 2,300 added")
    expect(page.locator("#id_kind_2")).to_be_checked()

    page.get_by_label("Outlet").select_option(label="BBC News")
    expect(page).to_have_url(re.compile(r"kind=figure.*source=\d+"))
    expect(entries(page)).to_have_count(1)
    expect(entries(page).first).to_contain_text(
        "killed: about 50 → nearly 100 (per a former official)"
    )
    screenshot(page, "story-filtered")

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"source=\d"))
    expect(page).to_have_url(re.compile(r"kind=figure"))
    expect(entries(page)).to_have_count(3)
    expect(page.get_by_label("Outlet")).to_have_value("")
    page.go_back()
    expect(entries(page)).to_have_count(8)
    expect(page.locator("#id_kind_2")).not_to_be_checked()


def test_story_page_scrolls_to_older_changes(page):
    seeded = seed_story()
    add_changes(seeded.bbc, 120, timezone.now() - timedelta(days=6))
    page.goto(seeded.story.get_absolute_url())
    expect(entries(page)).to_have_count(50)
    page.locator("li.more").scroll_into_view_if_needed()
    expect(entries(page)).to_have_count(100)
    page.locator("li.more").scroll_into_view_if_needed()
    expect(entries(page)).to_have_count(128)
    expect(page.locator("li.more")).to_have_count(0)
    assert page.url.endswith(seeded.story.get_absolute_url())


def test_new_change_appears_live_with_a_marker(page, screenshot, settings):
    settings.NEWSROOM_POLL_SECONDS = 1
    seeded = seed_story()
    page.goto(seeded.story.get_absolute_url())
    expect(entries(page)).to_have_count(8)

    seeded.bbc_writer.version(
        timezone.now(),
        "Azerbaijan launches offensive in Nagorno-Karabakh",
        "A ceasefire was agreed on Wednesday.",
    )

    fresh = page.locator("li.change.is-new")
    expect(fresh).to_have_count(1, timeout=8_000)
    expect(fresh).to_contain_text("New")
    expect(fresh).to_contain_text("BBC News")
    screenshot(page, "story-live")
    page.wait_for_timeout(2_500)  # more polls must not repeat the entry
    expect(fresh).to_have_count(1)


def test_article_diff_inline_side_by_side_and_keyboard(page, screenshot):
    seeded = seed_story()
    page.goto(seeded.story.get_absolute_url())
    page.locator("li.change-figure", has_text="killed: 32").get_by_role(
        "link", name="Ruim 200 doden bij offensief in Nagorno-Karabach"
    ).click()

    expect(page).to_have_url(re.compile(r"/articles/\d+/\?old=2&new=3"))
    diff = page.locator(".diff")
    expect(diff.locator("h2")).to_have_text("From v2 to v3")
    expect(diff.locator("del", has_text="32")).to_be_visible()
    expect(diff.locator(".inline-diff ins", has_text="ruim 200")).to_be_visible()
    expect(diff.locator(".headline-diff ins")).to_have_text("Ruim 200 doden bij")
    screenshot(page, "article-inline")

    page.get_by_label("Side by side").check()
    expect(page).to_have_url(re.compile(r"view=split"))
    expect(page.locator("table.split-diff")).to_be_visible()
    screenshot(page, "article-split")

    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowRight")
    expect(diff.locator("h2")).to_have_text("From v3 to v4")
    page.keyboard.press("j")
    expect(diff.locator("h2")).to_have_text("From v2 to v3")
    page.keyboard.press("j")
    expect(diff.locator("h2")).to_have_text("From v1 to v2")
    expect(page).to_have_url(re.compile(r"old=1&new=2&view=split"))

    page.locator(f"#article-{seeded.nos.pk}-old-1").check()
    page.locator(f"#article-{seeded.nos.pk}-new-4").check()
    expect(diff.locator("h2")).to_have_text("From v1 to v4")


def test_hostile_article_content_never_executes(page, screenshot):
    source = Source.objects.create(name=HOSTILE, domain="evil.example")
    story = Story.objects.create(title=HOSTILE, slug="hostile", description=HOSTILE)
    seeded = seed_story()
    article = seeded.bbc
    article.source = source
    article.stories.add(story)
    article.save()
    changes = seeded.bbc_writer.version(
        timezone.now(),
        HOSTILE,
        f"Body {HOSTILE}",
        figures=[
            {
                "kind": HOSTILE,
                "value": 5,
                "qualifier": "exact",
                "attributed_to": HOSTILE,
            }
        ],
        figure_deltas=[
            {
                "kind": HOSTILE,
                "change": "revised",
                "old": 1,
                "new": 5,
                "old_qualifier": "exact",
                "new_qualifier": "exact",
                "attributed_to": HOSTILE,
            }
        ],
        raw_html=f"<html><body><p>stored</p>{HOSTILE}</body></html>".encode(),
    )
    Change.objects.filter(pk__in=[c.pk for c in changes]).update(summary=HOSTILE)

    urls = [
        "/",
        "/?q=script",
        story.get_absolute_url(),
        story.get_absolute_url() + "?kind=figure",
        article.get_absolute_url() + "?old=2&new=3",
        article.get_absolute_url() + "?old=2&new=3&view=split",
        f"/articles/{article.pk}/versions/3/raw/",
        f"/articles/{article.pk}/versions/3/raw/?as=source",
    ]
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned") is None, url
        assert page.locator("[onerror], [onclick]").count() == 0, url
        injected = page.evaluate(
            "[...document.scripts].filter(s => s.text.includes('__pwned')).length"
        )
        assert injected == 0, url
        if "raw" in url:
            continue  # the stored page itself: cleaned, sandboxed, shown as it was
        # Our pages show the hostile text as text, and create no element from it.
        assert page.locator("img[src='x']").count() == 0, url
        expect(page.locator("body")).to_contain_text("<script>")
    page.goto(story.get_absolute_url())
    screenshot(page, "hostile-story")
    assert page.dialogs == []


def test_pages_work_without_javascript(nojs_page, screenshot):
    page = nojs_page
    seeded = seed_story()
    add_changes(seeded.bbc, 60, timezone.now() - timedelta(days=6))
    page.goto(seeded.story.get_absolute_url())
    expect(entries(page)).to_have_count(50)

    page.get_by_role("link", name="Load older changes").click()
    expect(page.locator(".notice")).to_contain_text("Showing older changes")
    expect(entries(page)).to_have_count(18)

    page.goto(seeded.story.get_absolute_url())
    page.locator("label.chip", has_text="Headline").click()
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"kind=headline"))
    expect(entries(page)).to_have_count(1)
    screenshot(page, "nojs-story-filtered")

    page.goto(seeded.nos.get_absolute_url())
    page.locator(f"#article-{seeded.nos.pk}-old-1").check()
    page.get_by_label("Side by side").check()
    page.get_by_role("button", name="Compare").click()
    expect(page.locator(".diff h2")).to_have_text("From v1 to v4")
    expect(page.locator("table.split-diff")).to_be_visible()

    page.goto("/?q=BBC")
    expect(page.get_by_label("Search stories and articles")).to_have_value("BBC")


def test_private_mode_login_and_logout(page, screenshot, settings, django_user_model):
    settings.NEWSROOM_PUBLIC_STORIES = False
    django_user_model.objects.create_user("reader", password="correct horse")
    seeded = seed_story()
    page.goto(seeded.story.get_absolute_url())
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    screenshot(page, "login")

    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".error")).to_be_visible()
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(seeded.story.get_absolute_url() + "$"))
    expect(entries(page)).to_have_count(8)

    page.get_by_role("button", name="Log out reader").click()
    page.goto(seeded.story.get_absolute_url())
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_keyboard_users_get_a_skip_link_and_visible_focus(page):
    seed_story()
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
