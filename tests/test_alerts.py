"""Subscriptions x changes -> deliveries; claiming, coalescing, retries, pausing."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from werkzeug import Response

from stories import alerts, describe, messages, pipeline, tasks
from stories.models import Change, Delivery, Notification, Subscription
from tests.factories import (
    KILLED_32_TO_100,
    ArticleFactory,
    ChangeFactory,
    SourceFactory,
    StoryFactory,
    SubscriptionFactory,
)

T0 = datetime(2023, 9, 20, 12, 0, 5, tzinfo=UTC)


@pytest.fixture
def story_article(db):
    story = StoryFactory(title="Nagorno-Karabakh ceasefire, September 2023")
    article = ArticleFactory(
        title="Armenië meldt doden", source=SourceFactory(name="NOS")
    )
    article.stories.add(story)
    return story, article


@pytest.fixture
def webhook(httpserver, allow_host):
    allow_host(httpserver.url_for("/"))
    return httpserver


def webhook_subscription(server, **kwargs) -> Subscription:
    return SubscriptionFactory(
        channel=Subscription.Channel.WEBHOOK, target=server.url_for("/hook"), **kwargs
    )


# --- matching ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "threshold", "kind", "figures", "expected"),
    [
        ("any", None, "text", [], True),
        ("headline", None, "text", [], False),
        ("headline", None, "headline", [], True),
        ("figure", None, "figure", [KILLED_32_TO_100], True),
        ("figure", None, "text", [], False),
        ("significant", 4, "text", [], True),
        ("significant", 5, "text", [], False),
        ("significant", 50, "removed", [], True),
        ("figure_delta", 10, "figure", [KILLED_32_TO_100], True),
        ("figure_delta", 100, "figure", [KILLED_32_TO_100], False),
        ("figure_reaches", 100, "figure", [KILLED_32_TO_100], True),
        ("figure_reaches", 30, "figure", [KILLED_32_TO_100], False),
    ],
)
def test_trigger_matches(trigger, threshold, kind, figures, expected):
    subscription = Subscription(trigger=trigger, threshold=threshold)
    change = Change(
        kind=kind, words_added=3, words_removed=1, details={"figures": figures}
    )
    assert alerts.matches(subscription, change) is expected


@pytest.mark.parametrize(
    ("threshold", "significance", "expected"),
    [(60, 0.8, True), (60, 0.59, False), (0, 0.0, True)],
)
def test_significance_trigger_uses_the_change_score(threshold, significance, expected):
    subscription = Subscription(trigger="significance", threshold=threshold)
    change = Change(kind="text", significance=significance)
    assert alerts.matches(subscription, change) is expected


def test_figure_kind_filter_ignores_other_kinds():
    subscription = Subscription(trigger="figure", figure_kind="injured")
    change = Change(kind="figure", details={"figures": [KILLED_32_TO_100]})
    assert not alerts.matches(subscription, change)


@pytest.mark.django_db
def test_change_creates_one_delivery_per_matching_subscription(story_article):
    story, article = story_article
    other_story = StoryFactory()
    on_story = SubscriptionFactory(scope="story", story=story)
    on_article = SubscriptionFactory(scope="article", article=article)
    on_source = SubscriptionFactory(scope="source", source=article.source)
    everything = SubscriptionFactory()
    SubscriptionFactory(scope="story", story=other_story)
    SubscriptionFactory(trigger="headline")
    SubscriptionFactory(paused_at=T0)
    SubscriptionFactory(unsubscribed_at=T0)
    SubscriptionFactory(muted_until=T0 + timedelta(hours=1))
    change = ChangeFactory(article=article, detected_at=T0)

    planned = alerts.send_for_change(change.pk, now=T0)

    expected = {on_story.pk, on_article.pk, on_source.pk, everything.pk}
    assert {p.subscription_id for p in planned} == expected
    assert set(Delivery.objects.values_list("subscription_id", flat=True)) == expected


@pytest.mark.django_db
def test_send_change_alerts_task_run_twice_records_each_delivery_once(story_article):
    _, article = story_article
    # A daily digest: nothing is scheduled on the broker, the beat picks it up.
    SubscriptionFactory(mode="daily")
    SubscriptionFactory(mode="hourly")
    change = ChangeFactory(article=article)

    tasks.send_change_alerts(change.pk)
    tasks.send_change_alerts(change.pk)

    assert Delivery.objects.count() == 2


@pytest.mark.django_db
def test_deleted_change_is_ignored():
    assert alerts.send_for_change(123456) == []


# --- delivery: claims and exactly-once -----------------------------------------------


@pytest.mark.django_db
def test_deliver_task_run_twice_sends_one_email(story_article, mailoutbox):
    _, article = story_article
    subscription = SubscriptionFactory()
    alerts.send_for_change(ChangeFactory(article=article).pk)

    assert tasks.deliver(subscription.pk) == "sent"
    assert tasks.deliver(subscription.pk) == "nothing"

    assert len(mailoutbox) == 1
    delivery = Delivery.objects.get()
    assert delivery.sent_at is not None
    assert delivery.attempts == 1


@pytest.mark.django_db
def test_second_claim_of_the_same_deliveries_sends_nothing(story_article, mailoutbox):
    _, article = story_article
    subscription = SubscriptionFactory()
    alerts.send_for_change(ChangeFactory(article=article).pk, now=T0)
    # Another worker claimed the row between our SELECT and UPDATE.
    Delivery.objects.update(claimed_at=T0, claim_token="other-worker")

    result = alerts.deliver_due(subscription.pk, now=T0)

    assert result.outcome == "nothing"
    assert mailoutbox == []


@pytest.mark.django_db
def test_stale_claim_is_released_and_sent_by_the_sweep(story_article, mailoutbox):
    _, article = story_article
    subscription = SubscriptionFactory()
    alerts.send_for_change(ChangeFactory(article=article).pk)
    # The worker that claimed it died before recording anything.
    Delivery.objects.update(
        claimed_at=timezone.now() - timedelta(hours=1),
        claim_token="dead",
        message_key="key-of-lost-message",
    )

    assert tasks.sweep_deliveries.apply().get() == 1
    assert alerts.deliver_due(subscription.pk).outcome == "sent"

    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["X-Newsroom-Idempotency-Key"] == (
        "key-of-lost-message"
    )


# --- failure paths -------------------------------------------------------------------


@pytest.mark.django_db
def test_endpoint_down_then_up_is_delivered_once_after_retry(story_article, webhook):
    _, article = story_article
    webhook.expect_oneshot_request("/hook").respond_with_data("down", status=503)
    webhook.expect_request("/hook").respond_with_data("ok")
    subscription = webhook_subscription(webhook)
    alerts.send_for_change(ChangeFactory(article=article).pk, now=T0)

    first = alerts.deliver_due(subscription.pk, now=T0)
    assert first.outcome == "retry"
    assert first.next_at is not None
    delivery = Delivery.objects.get()
    assert delivery.error == "webhook answered HTTP 503"
    assert delivery.due_at == first.next_at
    later = max(first.next_at, T0 + timedelta(minutes=1)) + timedelta(seconds=1)
    assert alerts.deliver_due(subscription.pk, now=later).outcome == "sent"
    assert alerts.deliver_due(
        subscription.pk, now=later + timedelta(hours=1)
    ).outcome == ("nothing")

    keys = [request.headers["X-Newsroom-Idempotency-Key"] for request, _ in webhook.log]
    statuses = [response.status_code for _, response in webhook.log]
    assert statuses == [503, 200]
    assert keys[0] == keys[1]  # the receiver can tell it is the same message
    delivery.refresh_from_db()
    assert delivery.sent_at is not None
    assert delivery.attempts == 2
    assert delivery.error == ""
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0


@pytest.mark.django_db
def test_endpoint_always_failing_pauses_the_subscription(
    story_article, webhook, settings, django_user_model
):
    settings.NEWSROOM_ALERT_PAUSE_AFTER = 2
    settings.NEWSROOM_ALERT_MAX_ATTEMPTS = 2
    _, article = story_article
    webhook.expect_request("/hook").respond_with_data("boom", status=500)
    user = django_user_model.objects.create_user("hooker", email="h@example.org")
    subscription = webhook_subscription(webhook, user=user)

    outcomes = []
    now = T0
    for _ in range(2):  # two messages, each retried once and then given up
        alerts.send_for_change(ChangeFactory(article=article).pk, now=now)
        for _ in range(2):
            outcomes.append(alerts.deliver_due(subscription.pk, now=now).outcome)
            now += timedelta(hours=1)
    outcomes.append(alerts.deliver_due(subscription.pk, now=now).outcome)

    # A retry alone never pauses; two messages lost in a row do.
    assert outcomes == ["retry", "failed", "retry", "paused", "inactive"]
    assert len(webhook.log) == 4
    subscription.refresh_from_db()
    assert subscription.paused_at is not None
    assert "2 failed messages in a row" in subscription.pause_reason
    assert "HTTP 500" in subscription.pause_reason
    notice = Notification.objects.get(user=user)
    assert notice.title.startswith("Alert paused")
    # Both lost messages are recorded with their error (visible in admin).
    failed = Delivery.objects.exclude(failed_at=None)
    assert failed.count() == 2 and all("HTTP 500" in d.error for d in failed)


@pytest.mark.django_db
def test_permanent_failure_is_recorded_with_its_error(story_article, webhook):
    _, article = story_article
    webhook.expect_request("/hook").respond_with_data("gone", status=410)
    subscription = webhook_subscription(webhook)
    alerts.send_for_change(ChangeFactory(article=article).pk, now=T0)

    result = alerts.deliver_due(subscription.pk, now=T0)

    assert result.outcome == "failed"
    assert result.next_at is None
    delivery = Delivery.objects.get()
    assert delivery.failed_at is not None
    assert delivery.error == "webhook answered HTTP 410"
    assert delivery.status == "failed"


@pytest.mark.django_db
def test_too_many_transient_failures_become_permanent(story_article, webhook, settings):
    settings.NEWSROOM_ALERT_MAX_ATTEMPTS = 2
    _, article = story_article
    webhook.expect_request("/hook").respond_with_data("busy", status=429)
    subscription = webhook_subscription(webhook)
    alerts.send_for_change(ChangeFactory(article=article).pk, now=T0)

    first = alerts.deliver_due(subscription.pk, now=T0)
    second = alerts.deliver_due(subscription.pk, now=T0 + timedelta(hours=1))

    assert (first.outcome, second.outcome) == ("retry", "failed")
    assert Delivery.objects.get().failed_at is not None


@pytest.mark.django_db
def test_webhook_to_private_address_is_refused_without_permission(
    story_article, httpserver, settings
):
    settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = False
    settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS = []
    _, article = story_article
    subscription = webhook_subscription(httpserver)
    alerts.send_for_change(ChangeFactory(article=article).pk, now=T0)

    result = alerts.deliver_due(subscription.pk, now=T0)

    assert result.outcome == "failed"
    assert "private address" in result.error
    assert len(httpserver.log) == 0


# --- coalescing and digests ----------------------------------------------------------


@pytest.mark.django_db
def test_burst_of_50_changes_gives_one_message_per_subscription_per_window(
    story_article, webhook, mailoutbox
):
    story, article = story_article
    webhook.expect_request("/hook").respond_with_data("ok")
    hook = webhook_subscription(webhook, scope="story", story=story)
    mail = SubscriptionFactory(scope="story", story=story)
    sent_at: dict[int, list[datetime]] = {hook.pk: [], mail.pk: []}

    def run(now: datetime) -> None:
        for subscription in (hook, mail):
            if alerts.deliver_due(subscription.pk, now=now).outcome == "sent":
                sent_at[subscription.pk].append(now)

    for i in range(50):  # 50 changes within one minute, each followed by its tasks
        now = T0 + timedelta(seconds=i)
        change = ChangeFactory(article=article, detected_at=now)
        alerts.send_for_change(change.pk, now=now)
        run(now)
    for second in range(50, 200, 5):  # the tasks scheduled at the window's end
        run(T0 + timedelta(seconds=second))

    for times in sent_at.values():
        assert len(times) == 2
        assert times[1] - times[0] >= timedelta(minutes=1)
    assert len(webhook.log) == 2
    assert len(mailoutbox) == 2
    bodies = [json.loads(request.get_data()) for request, _ in webhook.log]
    assert [len(body["changes"]) for body in bodies] == [1, 49]
    assert mailoutbox[1].subject == "49 changes: Armenië meldt doden"
    assert Delivery.objects.unsent().count() == 0


@pytest.mark.django_db
def test_change_inside_an_open_window_waits_for_its_end(story_article, mailoutbox):
    _, article = story_article
    subscription = SubscriptionFactory()
    alerts.send_for_change(ChangeFactory(article=article).pk, now=T0)
    alerts.deliver_due(subscription.pk, now=T0)

    planned = alerts.send_for_change(
        ChangeFactory(article=article).pk, now=T0 + timedelta(seconds=10)
    )
    result = alerts.deliver_due(subscription.pk, now=T0 + timedelta(seconds=10))

    assert planned[0].due_at == T0 + timedelta(minutes=1)
    assert result.outcome == "waiting"
    assert result.next_at == T0 + timedelta(minutes=1)
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_hourly_digest_groups_changes_by_story(mailoutbox):
    first_story = StoryFactory(title="Ceasefire")
    second_story = StoryFactory(title="Evacuation")
    first = ArticleFactory(title="Ceasefire holds")
    first.stories.add(first_story)
    second = ArticleFactory(title="Thousands leave")
    second.stories.add(second_story)
    subscription = SubscriptionFactory(mode="hourly")
    for article in (first, second, first):
        alerts.send_for_change(ChangeFactory(article=article).pk, now=T0)

    assert alerts.deliver_due(subscription.pk, now=T0).outcome == "nothing"
    top_of_hour = datetime(2023, 9, 20, 13, 0, tzinfo=UTC)
    assert alerts.due_subscription_ids(top_of_hour, digests=True) == [subscription.pk]
    assert alerts.deliver_due(subscription.pk, now=top_of_hour).outcome == "sent"

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.subject == "Hourly digest: 3 changes in 2 stories"
    assert email.body.index("== Ceasefire ==") < email.body.index("== Evacuation ==")
    assert email.body.count("Ceasefire holds") == 2


@pytest.mark.django_db
def test_daily_digest_is_due_at_the_digest_hour(settings):
    settings.NEWSROOM_DIGEST_HOUR = 7
    subscription = Subscription(mode="daily")
    assert alerts.due_time(subscription, T0) == datetime(2023, 9, 21, 7, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_send_digests_task_run_twice_sends_one_digest(story_article, mailoutbox):
    _, article = story_article
    subscription = SubscriptionFactory(mode="hourly")
    alerts.send_for_change(ChangeFactory(article=article).pk)
    Delivery.objects.update(due_at=timezone.now() - timedelta(seconds=1))

    # The beat task queues; the deliver task (run inline here) sends.
    assert alerts.due_subscription_ids(digests=True) == [subscription.pk]
    tasks.deliver(subscription.pk)
    tasks.deliver(subscription.pk)
    assert tasks.send_digests.apply().get() == 0

    assert len(mailoutbox) == 1


# --- signed links --------------------------------------------------------------------


@pytest.mark.django_db
def test_action_token_round_trip_and_tampering():
    subscription = SubscriptionFactory()
    token = messages.action_token(subscription, "unsubscribe")
    assert messages.read_action_token(token) == (subscription.pk, "unsubscribe")
    assert messages.read_action_token(token[:-2] + "xx") is None


@pytest.mark.django_db
def test_resume_sends_what_was_pending(story_article, mailoutbox):
    _, article = story_article
    subscription = SubscriptionFactory()
    alerts.send_for_change(ChangeFactory(article=article).pk, now=T0)
    alerts.apply_action(subscription, "pause", now=T0)
    assert alerts.deliver_due(subscription.pk, now=T0).outcome == "inactive"

    alerts.apply_action(subscription, "resume")

    assert alerts.deliver_due(subscription.pk).outcome == "sent"
    assert len(mailoutbox) == 1


def test_excerpt_keeps_edits_with_a_little_context():
    ops = [
        ["equal", " ".join(f"w{i}" for i in range(30)) + " "],
        ["delete", "32"],
        ["insert", "100"],
        ["equal", " " + " ".join(f"v{i}" for i in range(30))],
    ]
    text = describe.excerpt_text(describe.excerpt(ops, context_words=3))
    assert text == "… w28 w29 [-32-][+100+] v0 v1 …"


@pytest.mark.django_db
def test_resume_never_undoes_an_unsubscribe():
    subscription = SubscriptionFactory(unsubscribed_at=T0, paused_at=T0)
    alerts.apply_action(subscription, "resume", now=T0)
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at == T0


@pytest.mark.django_db
def test_change_whose_alerts_were_never_planned_is_swept_up(story_article):
    _, article = story_article
    SubscriptionFactory()  # everything
    lost = ChangeFactory(article=article, detected_at=T0)  # its worker died here

    assert alerts.unplanned_change_ids(now=T0 + timedelta(seconds=30)) == []  # grace
    assert alerts.unplanned_change_ids(now=T0 + timedelta(minutes=5)) == [lost.pk]
    alerts.send_for_change(lost.pk, now=T0 + timedelta(minutes=5))
    assert alerts.unplanned_change_ids(now=T0 + timedelta(minutes=6)) == []
    assert Delivery.objects.filter(change=lost).count() == 1


# --- what messages say ---------------------------------------------------------------


PAGE = (
    "<html lang='en'><head><title>{headline}</title></head><body><article>"
    "<h1>{headline}</h1>{body}</article></body></html>"
)
BODY = "".join(
    f"<p>Report {n}: the talks went on through the night in the capital, officials "
    "said, and both delegations are expected back at the table on Friday.</p>"
    for n in range(8)
)


@pytest.mark.django_db
def test_a_reader_told_b_hears_when_the_headline_goes_back_to_a(
    httpserver, allow_host, mailoutbox, settings
):
    settings.NEWSROOM_ALERT_COALESCE_SECONDS = 0
    allow_host(httpserver.url_for("/"))
    page = {"headline": "Ceasefire agreed after talks"}
    httpserver.expect_request("/story").respond_with_handler(
        lambda request: Response(PAGE.format(body=BODY, **page), mimetype="text/html")
    )
    article = ArticleFactory(url=httpserver.url_for("/story"))
    told = SubscriptionFactory(scope="article", article=article)

    def check(headline: str) -> None:
        page["headline"] = headline
        for change in pipeline.check_article(article).changes:
            alerts.send_for_change(change.pk)
        for subscription in Subscription.objects.all():
            alerts.deliver_due(subscription.pk)

    check("Ceasefire agreed after talks")  # A: the first version
    check("Ceasefire collapses after talks")  # B
    late = SubscriptionFactory(scope="article", article=article)  # never told B
    check("Ceasefire agreed after talks")  # back to A

    to_told = [m for m in mailoutbox if m.to == [told.target]]
    assert [m.subject for m in to_told] == [
        "Headline changed: Ceasefire collapses after talks",
        "Headline changed: Ceasefire agreed after talks",
    ]
    assert "“Ceasefire collapses after talks” → “Ceasefire agreed after talks”" in (
        to_told[-1].body
    )
    assert "Back to the earlier headline" in to_told[-1].body
    assert not [m for m in mailoutbox if m.to == [late.target]]


@pytest.mark.django_db
def test_one_check_of_one_article_is_one_item_with_one_subject(story_article):
    _, article = story_article
    subscription = SubscriptionFactory()
    text = ChangeFactory(article=article, detected_at=T0)
    figure = ChangeFactory(
        article=article,
        detected_at=T0,
        kind="figure",
        summary="killed: 32 → nearly 100 (per Armenia)",
        diff_ops=[],
        details={"figures": [KILLED_32_TO_100]},
    )

    message = messages.render_message(subscription, [text, figure], "key")

    assert message.subject == "Text and figures changed: Armenië meldt doden"
    assert message.text.count("Armenië meldt doden") == 2  # subject + one item
    assert "- killed: 32 → nearly 100 (per Armenia)" in message.text
    assert [c["id"] for c in message.payload["changes"]] == [text.pk, figure.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "subject"),
    [
        ("removed", "Removed: Armenië meldt doden"),
        ("restored", "Back online: Armenië meldt doden"),
        ("headline", "Headline changed: Armenië meldt doden"),
    ],
)
def test_subject_says_what_happened_in_plain_words(story_article, kind, subject):
    _, article = story_article
    change = ChangeFactory(article=article, kind=kind)

    message = messages.render_message(SubscriptionFactory(), [change], "key")

    assert message.subject == subject


@pytest.mark.django_db
def test_digest_subject_counts_in_singular_and_plural(story_article):
    _, article = story_article
    digest = SubscriptionFactory(mode="daily")
    one = [ChangeFactory(article=article)]
    outside = ChangeFactory(article=ArticleFactory(title="Elsewhere"))

    assert messages.render_message(digest, one, "k").subject == (
        "Daily digest: 1 change in 1 story"
    )
    assert messages.render_message(digest, [*one, outside], "k").subject == (
        "Daily digest: 2 changes"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["article", "story"])
def test_notification_links_to_what_the_reader_follows(
    story_article, django_user_model, scope
):
    story, article = story_article
    followed = article if scope == "article" else story
    user = django_user_model.objects.create_user("follower")
    subscription = SubscriptionFactory(
        channel="in_app", user=user, scope=scope, **{scope: followed}
    )
    alerts.send_for_change(ChangeFactory(article=article).pk)

    assert alerts.deliver_due(subscription.pk).outcome == "sent"

    notification = Notification.objects.get(user=user)
    assert notification.url == followed.get_absolute_url()
