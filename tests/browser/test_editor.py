"""An editor's day in a real browser: following from pages, form errors, the live
story page, notifications, phone widths, keyboard and axe-core."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from stories.models import Article, Story, Subscription
from tests.browser.conftest import SCREENSHOTS
from tests.browser.seed import delta, figure, seed_story

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough password"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        "editor", email="editor@example.org", password=PASSWORD
    )


def log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=f"Log out {user.username}")).to_be_visible()


@pytest.mark.parametrize("scope", ["story", "article", "source"])
def test_follow_from_the_page(page, editor, screenshot, scope):
    seeded = seed_story()
    target = {
        "story": seeded.story,
        "article": seeded.nos,
        "source": seeded.nos.source,
    }[scope]
    log_in(page, editor)
    page.goto(target.get_absolute_url())

    page.get_by_text(f"Follow this {scope}").click()
    panel = page.locator("#follow-panel")
    expect(
        panel.get_by_role("heading", name=f"Alerts for this {scope}")
    ).to_be_visible()
    expect(panel.get_by_label("Address")).to_be_visible()  # e-mail is the default
    panel.get_by_label("Channel").select_option(label="In-app notification")
    expect(panel.get_by_label("Address")).to_be_hidden()  # in-app needs no address
    panel.get_by_label("Trigger").select_option(label="Figure changes")
    panel.get_by_label("Mode").select_option(label="Daily digest")
    screenshot(page, f"follow-{scope}-form")
    panel.get_by_role("button", name="Follow").click()

    expect(panel.get_by_role("status")).to_contain_text(f"You now follow {scope}")
    expect(panel.locator("#subscriptions > li")).to_have_count(1)
    expect(panel.locator("#subscriptions")).to_contain_text("Figure changes")
    screenshot(page, f"follow-{scope}-done")
    subscription = Subscription.objects.get()
    assert subscription.scope == scope
    assert getattr(subscription, scope) == target
    assert (subscription.channel, subscription.mode) == ("in_app", "daily")
    page.reload()
    expect(page.locator("#follow-panel summary")).to_contain_text("(1 alert)")


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_invalid_webhook_shows_a_field_error_in_place(
    page, editor, screenshot, settings, debug
):
    settings.DEBUG = debug
    seeded = seed_story()
    log_in(page, editor)
    page.goto(seeded.story.get_absolute_url())
    # With DEBUG on, django-htmx's hook replaces the page on 400/403/404/500.
    expect(page.locator("script[src*='django-htmx.js']")).to_have_count(int(debug))

    page.get_by_text("Follow this story").click()
    panel = page.locator("#follow-panel")
    panel.get_by_label("Channel").select_option(label="Webhook")
    panel.get_by_label("Address").fill("not a web address")
    panel.get_by_role("button", name="Follow").click()

    error = panel.locator(".field-target .field-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Enter a valid URL")
    expect(panel.get_by_label("Address")).to_have_value("not a web address")
    expect(panel.get_by_label("Address")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("heading", name=seeded.story.title)).to_be_visible()
    expect(page.locator("#request-error")).to_be_hidden()
    screenshot(page, f"follow-webhook-error-{'debug' if debug else 'production'}")
    assert not Subscription.objects.exists()

    # Corrected, it goes through (a local address: tests never reach the internet).
    settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = True
    panel.get_by_label("Address").fill("http://127.0.0.1:9/newsroom")
    panel.get_by_role("button", name="Follow").click()
    expect(panel.get_by_role("status")).to_contain_text("Webhook signing secret")
    assert Subscription.objects.get().target == "http://127.0.0.1:9/newsroom"


def test_a_server_error_shows_a_banner_and_keeps_the_page(page, editor):
    seeded = seed_story()
    log_in(page, editor)
    page.goto(seeded.story.get_absolute_url())
    page.route(
        "**/alerts/subscribe/",
        lambda route: route.fulfill(status=500, body="<h1>Server Error (500)</h1>"),
    )
    page.get_by_text("Follow this story").click()
    page.locator("#follow-panel").get_by_label("Channel").select_option(
        label="In-app notification"
    )
    page.locator("#follow-panel").get_by_role("button", name="Follow").click()

    banner = page.locator("#request-error")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("error 500")
    expect(page.locator("#follow-panel form")).to_be_visible()  # nothing swapped
    banner.get_by_role("button", name="Dismiss").click()
    expect(banner).to_be_hidden()


def test_open_story_page_stays_true_as_three_changes_arrive(page, screenshot, settings):
    settings.NEWSROOM_POLL_SECONDS = 1
    seeded = seed_story()
    story = seeded.story
    page.goto(story.get_absolute_url())
    page.evaluate("window.__sameDocument = true")
    claims = page.locator(f"#story-{story.pk}-claims")
    sidebar = page.locator(f"#story-{story.pk}-articles")
    killed_rows = page.locator("#chart-killed .chart-data tbody tr")
    evacuated_rows = page.locator("#chart-evacuated .chart-data tbody tr")
    expect(killed_rows).to_have_count(4)  # two series, a point before and after
    expect(evacuated_rows).to_have_count(1)
    expect(claims).to_contain_text("nearly 100")
    expect(claims).not_to_contain_text("150")
    expect(sidebar).not_to_contain_text("Death toll rises")

    bbc, nos = seeded.bbc_writer, seeded.nos_writer
    bbc_text = bbc.versions[-1].text
    killed_150 = [figure("killed", 150, attributed_to="a former official", lang="en")]
    bbc.version(
        timezone.now(),
        bbc.versions[-1].title,
        bbc_text,
        figures=killed_150,
        figure_deltas=[delta("killed", 100, 150, "a former official", "nearly")],
    )
    bbc.version(
        timezone.now(),
        "Death toll rises to 150 in Nagorno-Karabakh",
        bbc_text,
        figures=killed_150,
    )
    nos_last = nos.versions[-1]
    nos.version(
        timezone.now(),
        nos_last.title,
        nos_last.text,
        figures=[
            *nos_last.figures[:2],
            figure("evacuated", 6500, "nearly", "Armenian officials"),
        ],
        figure_deltas=[
            delta("evacuated", 2300, 6500, "Armenian officials", "nearly", "nearly")
        ],
    )

    expect(page.locator(f"#story-{story.pk}-live > li.change")).to_have_count(
        3, timeout=10_000
    )
    expect(killed_rows).to_have_count(5)
    expect(evacuated_rows).to_have_count(2)
    expect(claims).to_contain_text("150")
    expect(sidebar).to_contain_text("Death toll rises to 150 in Nagorno-Karabakh")
    expect(sidebar).to_contain_text("just now")
    assert page.evaluate("window.__sameDocument") is True
    screenshot(page, "story-live-three-changes")
    # "New" marks fade once seen, not before.
    page.wait_for_timeout(1_000)
    expect(page.locator(".change.is-new.is-seen")).to_have_count(0)
    page.locator(f"#story-{story.pk}-live").scroll_into_view_if_needed()
    expect(page.locator(".change.is-new.is-seen")).to_have_count(3, timeout=10_000)
    expect(page.locator(".new-marker:visible")).to_have_count(0)


def test_story_list_shows_new_and_changed_stories_live(page, screenshot, settings):
    settings.NEWSROOM_POLL_SECONDS = 1
    seeded = seed_story()
    page.goto("/")
    page.evaluate("window.__sameDocument = true")
    cards = page.locator(".story-card")
    expect(cards).to_have_count(1)
    page.wait_for_timeout(1_500)  # an unchanged list polls without redrawing
    expect(page.locator(".story-card.is-fresh")).to_have_count(0)

    story = Story.objects.create(title="Storm Ellen reaches the coast", slug="ellen")
    storm = Article.objects.create(url="https://example.org/storm", title="Storm")
    storm.stories.add(story)
    expect(cards).to_have_count(2, timeout=10_000)
    fresh = page.locator(".story-card.is-fresh")
    expect(fresh).to_have_count(1)
    expect(fresh).to_contain_text("Storm Ellen reaches the coast")

    seeded.bbc_writer.version(
        timezone.now(), "Ceasefire agreed in Nagorno-Karabakh", "A ceasefire."
    )
    expect(cards.first).to_contain_text("Nagorno-Karabakh", timeout=10_000)
    expect(cards.first).to_have_class(re.compile(r"\bis-fresh\b"))
    expect(cards.first).to_contain_text("just now")
    assert page.evaluate("window.__sameDocument") is True
    screenshot(page, "stories-live")


# -- every page: phone width, axe-core, screenshots --------------------------------

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desk": 1366, "phone": 390}


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations on the page, one line each."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])}× {v['nodes'][0]['target']}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def every_page(seeded, editor) -> dict[str, str]:
    """Name -> address of every page a reader or editor opens (admin aside)."""
    from stories import alerts, messages

    subscription = Subscription.objects.create(
        user=editor, scope="story", story=seeded.story, channel="in_app"
    )
    changes = seeded.bbc_writer.version(
        timezone.now(),
        "Ceasefire agreed in Nagorno-Karabakh after a day of fighting",
        "A ceasefire was agreed on Wednesday afternoon, officials said.",
        figures=seeded.bbc_writer.versions[-1].figures,
    )
    for change in changes:
        alerts.send_for_change(change.pk)
    alerts.deliver_due(subscription.pk, now=timezone.now() + timedelta(hours=1))
    story, article = seeded.story, seeded.nos
    token = messages.action_token(subscription, "pause")
    return {
        "stories": "/",
        "stories-search": "/?q=Karabakh",
        "story": story.get_absolute_url(),
        "story-filtered": story.get_absolute_url() + "?kind=figure",
        "article": article.get_absolute_url(),
        "article-split": article.get_absolute_url() + "?old=1&new=4&view=split",
        "source": article.source.get_absolute_url(),
        "alerts": "/alerts/",
        "notifications": "/notifications/",
        "signed-action": f"/alerts/link/{token}/",
        "search": "/search/?q=Karabakh",
        "story-search": story.get_absolute_url() + "search/?q=doden",
        "tokens": "/account/tokens/",
    }


@pytest.mark.skipif(not AXE.exists(), reason="axe-core missing: scripts/ensure-browser")
@pytest.mark.parametrize("width", list(WIDTHS), ids=list(WIDTHS))
def test_every_page_fits_the_screen_and_passes_axe(browser, live_server, editor, width):
    seeded = seed_story()
    pages = every_page(seeded, editor)
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": WIDTHS[width], "height": 844 if width == "phone" else 900},
        bypass_csp=True,  # to inject axe-core; tests/browser/test_csp.py checks CSP
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = []
    for signed_in in (False, True):
        if signed_in:
            log_in(page, editor)
        for name, url in pages.items():
            if not signed_in and name in ("alerts", "notifications", "tokens"):
                continue
            page.goto(url)
            page.wait_for_load_state("load")
            label = f"{name}{'' if signed_in else '-anonymous'}"
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > WIDTHS[width]:
                problems.append(f"{label}: {scroll_width} px wide")
            problems += [f"{label}: {v}" for v in axe_violations(page)]
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(SCREENSHOTS / f"page-{label}-{width}.png"), full_page=True
            )
        if not signed_in:
            page.goto("/accounts/login/")
            problems += [f"login: {v}" for v in axe_violations(page)]
            page.screenshot(
                path=str(SCREENSHOTS / f"page-login-{width}.png"), full_page=True
            )
    context.close()
    assert not problems, "\n".join(problems)


def busy_story(points: int = 55):
    """The seeded story plus `points` figure revisions: 50+ chart points."""
    seeded = seed_story()
    writer = seeded.bbc_writer
    start = timezone.now() - timedelta(hours=points)
    for n in range(points):
        old, new = 100 + n, 101 + n
        writer.version(
            start + timedelta(hours=n),
            writer.versions[-1].title,
            writer.versions[-1].text,
            figures=[figure("killed", new, attributed_to="a former official")],
            figure_deltas=[delta("killed", old, new, "a former official")],
        )
    return seeded


def test_keyboard_reaches_the_filters_fast_on_a_busy_story(page):
    seeded = busy_story()
    page.goto(seeded.story.get_absolute_url())
    expect(page.locator("#chart-killed .chart-data tbody tr")).to_have_count(59)
    # The charts are pictures: none of their points takes a Tab stop.
    assert page.locator(".chart svg a, .chart svg [tabindex]").count() == 0

    presses = 0
    in_filters = "document.activeElement.closest('.filters input, .filters select')"
    while presses < 15 and not page.evaluate(f"!!{in_filters}"):
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if focused == "Skip to the timeline filters":
            page.keyboard.press("Enter")
        else:
            page.keyboard.press("Tab")
        presses += 1
    assert page.evaluate(f"!!{in_filters}"), f"not in the filters after {presses}"
    assert presses <= 15
    page.keyboard.press("Space")  # the first kind chip works from the keyboard
    expect(page).to_have_url(re.compile(r"kind=text"))


def test_phone_story_page_reads_in_order_with_legible_charts(browser, live_server):
    seeded = busy_story(5)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(seeded.story.get_absolute_url())
    pk = seeded.story.pk
    aside = page.locator(f"#story-{pk}-articles").bounding_box()
    timeline = page.locator(f"#story-{pk}-timeline-section").bounding_box()
    assert aside["y"] < timeline["y"]  # the articles before the timeline
    smallest = page.evaluate(
        """Math.min(...[...document.querySelectorAll('.chart svg .tick')]
            .filter(t => t.getClientRects().length)
            .map(t => {
              const svg = t.ownerSVGElement;
              const box = svg.getBoundingClientRect();
              const scale = box.width / svg.viewBox.baseVal.width;
              return parseFloat(getComputedStyle(t).fontSize) * scale;
            }))"""
    )
    assert smallest >= 11, f"chart labels {smallest:.1f} px"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
