"""Subscribing, managing alerts, signed one-click links and the notification bell."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from stories import alerts, messages
from stories.models import Delivery, Notification, Subscription
from tests.factories import (
    ArticleFactory,
    ChangeFactory,
    SourceFactory,
    StoryFactory,
    SubscriptionFactory,
)


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("reader", email="reader@example.org")


@pytest.fixture
def other_user(django_user_model):
    return django_user_model.objects.create_user("outsider", email="o@example.org")


@pytest.fixture
def reader(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_subscribing_to_a_story_creates_an_email_alert(reader, user):
    story = StoryFactory()
    response = reader.post(
        reverse("alerts:subscription-create"),
        {
            "scope": "story",
            "story": story.pk,
            "trigger": "figure_reaches",
            "threshold": "100",
            "figure_kind": "killed",
            "channel": "email",
            "target": "",
            "mode": "immediate",
            "next": story.get_absolute_url(),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == story.get_absolute_url()
    subscription = Subscription.objects.get()
    assert (subscription.user, subscription.story) == (user, story)
    assert subscription.email_address == "reader@example.org"


@pytest.mark.django_db
def test_subscribe_fragment_for_htmx_and_errors_stay_in_the_form(reader):
    story = StoryFactory()
    data = {"scope": "story", "story": story.pk, "trigger": "any", "mode": "immediate"}
    headers = {"HTTP_HX_REQUEST": "true"}
    url = reverse("alerts:subscription-create")

    bad = reader.post(
        url, {**data, "channel": "webhook", "target": "ftp://x"}, **headers
    )
    good = reader.post(url, {**data, "channel": "in_app"}, **headers)

    assert bad.status_code == 422
    assert b'id="subscribe-form"' in bad.content
    assert b"<html" not in bad.content
    assert good.status_code == 200
    assert b"You now follow" in good.content
    assert Subscription.objects.get().channel == "in_app"


@pytest.mark.django_db
def test_webhook_to_a_private_address_is_refused_at_subscribe_time(reader, settings):
    settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = False
    settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS = []
    response = reader.post(
        reverse("alerts:subscription-create"),
        {
            "scope": "all",
            "trigger": "any",
            "mode": "immediate",
            "channel": "webhook",
            "target": "http://127.0.0.1:9/hook",
        },
    )
    assert response.status_code == 422
    assert b"private address" in response.content
    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_subscription_list_shows_only_own_alerts(reader, user, other_user):
    SubscriptionFactory(user=user, target="mine@example.org")
    SubscriptionFactory(user=other_user, target="theirs@example.org")

    response = reader.get(reverse("alerts:subscription-list"))

    assert b"mine@example.org" in response.content
    assert b"theirs@example.org" not in response.content


@pytest.mark.django_db
def test_owner_pauses_with_a_fragment_outsider_gets_404(reader, user, other_user):
    mine = SubscriptionFactory(user=user)
    theirs = SubscriptionFactory(user=other_user)

    response = reader.post(
        reverse("alerts:subscription-action", args=[mine.pk, "pause"]),
        HTTP_HX_REQUEST="true",
    )
    outsider = reader.post(
        reverse("alerts:subscription-action", args=[theirs.pk, "pause"])
    )

    assert response.status_code == 200
    assert f'id="subscription-{mine.pk}-row"'.encode() in response.content
    mine.refresh_from_db()
    assert mine.paused_at is not None
    assert outsider.status_code == 404
    theirs.refresh_from_db()
    assert theirs.paused_at is None


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_for_the_alert_list(client):
    response = client.get(reverse("alerts:subscription-list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_signed_unsubscribe_link_asks_then_unsubscribes_without_login(client):
    subscription = SubscriptionFactory()
    url = messages.action_url(subscription, "unsubscribe").removeprefix(
        "http://localhost:8000"
    )

    asked = client.get(url)
    subscription.refresh_from_db()
    assert asked.status_code == 200
    assert subscription.unsubscribed_at is None  # link scanners only GET

    done = client.post(url)
    subscription.refresh_from_db()
    assert done.status_code == 200
    assert b"You are unsubscribed" in done.content
    assert subscription.unsubscribed_at is not None


@pytest.mark.django_db
def test_one_click_unsubscribe_post_needs_no_csrf_token():
    subscription = SubscriptionFactory()
    client = Client(enforce_csrf_checks=True)
    token = messages.action_token(subscription, "unsubscribe")
    response = client.post(
        reverse("alerts:signed-action", args=[token]),
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None


def run_queued_tasks(callbacks: list) -> None:
    """Run the tasks the request queued on commit, inline, as a worker would."""
    for callback in callbacks:
        task = callback.func.__self__  # task.delay, bound by delay_on_commit
        task(*callback.args, **callback.keywords)


@pytest.mark.django_db
@pytest.mark.parametrize("via", ["signed link", "alert page"])
def test_resuming_sends_what_was_pending(
    via, client, user, mailoutbox, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    subscription = SubscriptionFactory(user=user, scope="article", article=article)
    alerts.send_for_change(ChangeFactory(article=article).pk)
    alerts.apply_action(subscription, "pause")  # before the alert went out
    if via == "signed link":
        url = reverse(
            "alerts:signed-action", args=[messages.action_token(subscription, "resume")]
        )
    else:
        client.force_login(user)
        url = reverse("alerts:subscription-action", args=[subscription.pk, "resume"])

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(url)
    run_queued_tasks(callbacks)

    assert len(mailoutbox) == 1
    assert Delivery.objects.get().sent_at is not None


@pytest.mark.django_db
def test_signed_mute_link_mutes(client):
    subscription = SubscriptionFactory()
    token = messages.action_token(subscription, "mute")
    client.post(reverse("alerts:signed-action", args=[token]))
    subscription.refresh_from_db()
    assert subscription.muted_until is not None


@pytest.mark.django_db
def test_bell_fragment_counts_own_unread_notifications(reader, user, other_user):
    Notification.objects.create(user=user, key="a", title="<b>one</b>")
    Notification.objects.create(user=user, key="b", title="two")
    Notification.objects.create(user=other_user, key="c", title="not mine")

    response = reader.get(reverse("alerts:notification-bell"), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert b'<span class="notification-count">2</span>' in response.content
    assert b'hx-trigger="every 30s"' in response.content


@pytest.mark.django_db
def test_bell_stops_polling_for_anonymous(client):
    response = client.get(reverse("alerts:notification-bell"), HTTP_HX_REQUEST="true")
    assert response.status_code == 286


@pytest.mark.django_db
def test_bell_include_loads_its_count(user):
    html = render_to_string("alerts/partials/bell.html", {"user": user})
    assert 'hx-trigger="load, every 30s"' in html


@pytest.mark.django_db
def test_notification_list_escapes_and_mark_read_clears_the_count(reader, user):
    Notification.objects.create(user=user, key="a", title="<script>x</script>")

    page = reader.get(reverse("alerts:notification-list"))
    cleared = reader.post(reverse("alerts:notification-read"), HTTP_HX_REQUEST="true")

    assert b"&lt;script&gt;x&lt;/script&gt;" in page.content
    assert b"<script>x" not in page.content
    assert b"notification-count" not in cleared.content
    assert Notification.objects.unread().count() == 0


@pytest.mark.django_db
def test_story_scope_without_a_story_is_a_field_error_not_a_constraint(reader):
    response = reader.post(
        reverse("alerts:subscription-create"),
        {"scope": "story", "trigger": "any", "channel": "in_app", "mode": "daily"},
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert response.status_code == 422
    assert "Choose the story to follow." in body
    assert "onstraint" not in body
    assert 'class="field field-story has-error"' in body
    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_alerts_page_offers_a_story_to_choose(reader):
    story = StoryFactory(title="Flooding in the delta")
    response = reader.get(reverse("alerts:subscription-list"))
    body = response.content.decode()
    assert '<select name="story"' in body
    assert f'<option value="{story.pk}">Flooding in the delta</option>' in body


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["story", "article", "source"])
def test_follow_panel_on_each_page_subscribes_to_that_page(reader, user, scope):
    story = StoryFactory()
    source = SourceFactory(name="Harbour Gazette")
    article = ArticleFactory(source=source)
    article.stories.add(story)
    target = {"story": story, "article": article, "source": source}[scope]

    page = reader.get(target.get_absolute_url()).content.decode()
    assert f"Follow this {scope}" in page
    assert 'name="layout" value="follow"' in page
    assert f'<input type="hidden" name="{scope}" value="{target.pk}"' in page

    response = reader.post(
        reverse("alerts:subscription-create"),
        {
            "layout": "follow",
            "scope": scope,
            scope: target.pk,
            "trigger": "figure",
            "channel": "in_app",
            "mode": "hourly",
            "next": target.get_absolute_url(),
        },
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "You now follow" in body
    assert 'hx-swap-oob="afterbegin:#subscriptions"' in body
    subscription = Subscription.objects.get()
    assert (subscription.user, getattr(subscription, scope)) == (user, target)
    assert (subscription.trigger, subscription.mode) == ("figure", "hourly")
    again = reader.get(target.get_absolute_url()).content.decode()
    assert "(1 alert)" in again


@pytest.mark.django_db
def test_follow_panel_invalid_webhook_shows_the_error_by_the_field(reader):
    story = StoryFactory()
    response = reader.post(
        reverse("alerts:subscription-create"),
        {
            "layout": "follow",
            "scope": "story",
            "story": story.pk,
            "trigger": "any",
            "channel": "webhook",
            "target": "not a url",
            "mode": "immediate",
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert 'class="field field-target has-error"' in body
    assert 'name="layout" value="follow"' in body
    assert '<select name="scope"' not in body  # still the small form


@pytest.mark.django_db
def test_anonymous_reader_is_offered_login_to_follow(client):
    story = StoryFactory()
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Log in to follow this story" in page
    assert 'name="layout"' not in page


@pytest.mark.django_db
def test_in_app_notification_shows_timeline_entries_not_the_email(reader, user):
    from datetime import timedelta

    from django.utils import timezone

    from tests.browser.seed import seed_story

    seeded = seed_story()
    Subscription.objects.create(
        user=user, scope="story", story=seeded.story, channel="in_app"
    )
    changes = seeded.bbc_writer.version(
        timezone.now(), "Ceasefire agreed in Nagorno-Karabakh", "A ceasefire [+ x +]."
    )
    for change in changes:
        alerts.send_for_change(change.pk)
    subscription = Subscription.objects.get()
    alerts.deliver_due(subscription.pk, now=timezone.now() + timedelta(hours=1))
    assert Notification.objects.get().body  # the plain text is still stored

    body = reader.get(reverse("alerts:notification-list")).content.decode()

    assert "<pre" not in body
    assert "Mute for a day:" not in body  # the e-mail's footer
    for change in changes:
        assert f'id="change-{change.pk}"' in body
    assert 'class="badge badge-headline"' in body
    assert "“Azerbaijan launches offensive in Nagorno-Karabakh” → " in body


@pytest.mark.django_db
def test_unsubscribed_alert_can_be_subscribed_again_from_the_alert_page(reader, user):
    """After an unsubscribe from an e-mail link, the owner's page offers a way back
    that works ("Resume" there did nothing)."""
    subscription = SubscriptionFactory(user=user, target="")
    Client().post(
        reverse(
            "alerts:signed-action",
            args=[messages.action_token(subscription, "unsubscribe")],
        )
    )
    page = reader.get(reverse("alerts:subscription-list")).content.decode()
    assert "Unsubscribed" in page and "Subscribe again" in page
    assert 'action="resume"' not in page

    reader.post(
        reverse("alerts:subscription-action", args=[subscription.pk, "resubscribe"])
    )

    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None and subscription.is_confirmed
    change = ChangeFactory(article=ArticleFactory())
    alerts.send_for_change(change.pk)
    assert subscription.deliveries.count() == 1


@pytest.mark.django_db
def test_subscribing_again_to_another_address_asks_that_address_again(reader, user):
    subscription = SubscriptionFactory(user=user, target="someone@example.net")
    alerts.apply_action(subscription, "unsubscribe")

    alerts.apply_action(subscription, "resubscribe")

    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None
    assert not subscription.is_confirmed  # nothing is sent until they confirm


@pytest.mark.django_db
def test_a_signed_link_cannot_subscribe_again():
    subscription = SubscriptionFactory(target="")
    alerts.apply_action(subscription, "unsubscribe")
    token = messages.action_token(subscription, "resume")

    Client().post(reverse("alerts:signed-action", args=[token]))

    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None
