"""Every page works under the strict Content-Security-Policy: no violation reported."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.seed import seed_story

pytestmark = pytest.mark.django_db(transaction=True)


def watch_csp(page) -> list[str]:
    violations: list[str] = []

    def on_console(message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            violations.append(text)

    page.on("console", on_console)
    return violations


def test_pages_run_under_the_csp_without_violations(page, django_user_model):
    seeded = seed_story()
    django_user_model.objects.create_superuser("editor", "e@example.org", "pw-123456!")
    violations = watch_csp(page)
    article = seeded.story.articles.order_by("id").first()

    page.goto("/")
    expect(page.locator(".story-card")).to_have_count(1)
    page.goto(reverse("stories:story-detail", kwargs={"slug": seeded.story.slug}))
    expect(page.locator("figure.chart").first).to_be_visible()
    expect(page.locator(".swatch").first).to_be_visible()
    page.goto(reverse("stories:article-detail", kwargs={"pk": article.pk}))
    expect(page.locator("main")).to_be_visible()

    page.goto(reverse("admin:login"))
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-123456!")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(reverse("admin:stories_article_changelist"))
    expect(page.locator("#result_list")).to_be_visible()
    page.goto(reverse("admin:stories_article_change", args=[article.pk]))
    expect(page.locator("#article_form")).to_be_visible()
    page.goto("/")  # htmx polling and the bell under the policy, logged in
    page.wait_for_timeout(500)

    assert violations == []
