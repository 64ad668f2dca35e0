"""Who gets told about a Change, and idempotent, coalesced delivery.

Flow (docs/alerts.md has the long version):
1. send_for_change(change_id) records intent: one Delivery row per matching
   subscription, unique per (subscription, change), with due_at saying when it may go
   out (now, the end of the subscription's coalescing window, or the digest hour).
2. deliver_due(subscription_id) claims every due Delivery of one subscription with a
   conditional UPDATE and sends them as ONE message, outside any transaction.
3. The outcome is written back: sent, retry later (backoff), failed for good; a
   subscription that keeps failing is paused with a notice.
Nothing here enqueues tasks; the return values tell tasks.py what to schedule.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, QuerySet
from django.urls import reverse
from django.utils import timezone

from stories import channels, messages, policy
from stories.models import Change, Delivery, Notification, Subscription
from stories.models.core import FigureDeltaDetails

logger = logging.getLogger(__name__)

# One message carries at most this many changes; the rest go in the next one.
MAX_BATCH = 200


@dataclass(frozen=True)
class Planned:
    subscription_id: int
    due_at: datetime


@dataclass(frozen=True)
class DeliverResult:
    outcome: str  # sent | retry | failed | paused | waiting | nothing | inactive | gone
    sent: int = 0  # changes carried by the message
    next_at: datetime | None = None  # when deliver_due should run again, if at all
    error: str = ""


# --- 1. matching: subscriptions x change -> Delivery rows ----------------------------


def matches(subscription: Subscription, change: Change) -> bool:
    """Whether the subscription's trigger fires for this change (scope aside)."""
    fires = _TRIGGERS.get(subscription.trigger)
    return fires is not None and fires(subscription, change)


def _any_change(subscription: Subscription, change: Change) -> bool:
    return True


def _headline_changed(subscription: Subscription, change: Change) -> bool:
    return change.kind == Change.Kind.HEADLINE


def _scores_enough(subscription: Subscription, change: Change) -> bool:
    return change.significance * 100 >= (subscription.threshold or 0)


def _enough_words(subscription: Subscription, change: Change) -> bool:
    """Removals and restorations always; text and headlines by words touched."""
    kinds = Change.Kind
    if change.kind in (kinds.REMOVED, kinds.RESTORED):
        return True
    words = change.words_added + change.words_removed
    return change.kind in (kinds.TEXT, kinds.HEADLINE) and words >= (
        subscription.threshold or 1
    )


def _figure_changed(subscription: Subscription, change: Change) -> bool:
    return bool(_followed_deltas(subscription, change))


def _figure_moved_enough(subscription: Subscription, change: Change) -> bool:
    threshold = subscription.threshold or 0
    return any(
        abs(new - (old or 0)) >= threshold
        for old, new in _new_values(subscription, change)
    )


def _figure_reached(subscription: Subscription, change: Change) -> bool:
    threshold = subscription.threshold or 0
    return any(
        new >= threshold and (old is None or old < threshold)
        for old, new in _new_values(subscription, change)
    )


def _followed_deltas(
    subscription: Subscription, change: Change
) -> list[FigureDeltaDetails]:
    """The change's figure deltas of the kind followed (every kind if none is set)."""
    if change.kind != Change.Kind.FIGURE:
        return []
    return [
        delta
        for delta in change.figure_deltas()
        if not subscription.figure_kind or delta["kind"] == subscription.figure_kind
    ]


def _new_values(
    subscription: Subscription, change: Change
) -> list[tuple[int | None, int]]:
    """(old, new) of each followed figure that has a new value."""
    return [
        (delta["old"], delta["new"])
        for delta in _followed_deltas(subscription, change)
        if delta["new"] is not None and delta["change"] != "removed"
    ]


_TRIGGERS: dict[str, Callable[[Subscription, Change], bool]] = {
    Subscription.Trigger.ANY: _any_change,
    Subscription.Trigger.HEADLINE: _headline_changed,
    Subscription.Trigger.SIGNIFICANCE: _scores_enough,
    Subscription.Trigger.SIGNIFICANT: _enough_words,
    Subscription.Trigger.FIGURE: _figure_changed,
    Subscription.Trigger.FIGURE_DELTA: _figure_moved_enough,
    Subscription.Trigger.FIGURE_REACHES: _figure_reached,
}


def told_what_it_undoes(change: Change, subscriptions: list[Subscription]) -> set[int]:
    """Of these subscriptions, the ones a flip-flop (A → B → A) is news to.

    Those that heard about B, or are about to (a delivery of the article's previous
    change of this kind, sent or pending): their last word must not stay B. The
    others were never told B, so A is nothing new to them.
    """
    previous = (
        Change.objects.filter(
            article_id=change.article_id, kind=change.kind, pk__lt=change.pk
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if previous is None:
        return set()
    return set(
        Delivery.objects.filter(
            change_id=previous, subscription__in=subscriptions, failed_at=None
        ).values_list("subscription_id", flat=True)
    )


def due_time(subscription: Subscription, now: datetime) -> datetime:
    """When a change noticed now may go out to this subscription."""
    if subscription.mode == Subscription.Mode.HOURLY:
        return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if subscription.mode == Subscription.Mode.DAILY:
        at = now.replace(
            hour=settings.NEWSROOM_DIGEST_HOUR, minute=0, second=0, microsecond=0
        )
        return at if at > now else at + timedelta(days=1)
    if subscription.window_until and subscription.window_until > now:
        return subscription.window_until
    return now


def send_for_change(change_id: int, now: datetime | None = None) -> list[Planned]:
    """Record a Delivery per matching subscription; return what to schedule.

    Only immediate subscriptions that had nothing pending are returned: one deliver
    task per subscription and window is enough, the others are already scheduled,
    and digests are picked up by the send_digests beat.
    """
    now = now or timezone.now()
    change = Change.objects.select_related("article").filter(pk=change_id).first()
    if change is None:
        return []
    planned = _plan_deliveries(change, now)
    # The intent is on record: the sweep no longer needs to look at this change.
    Change.objects.filter(pk=change.pk, alerts_planned_at=None).update(
        alerts_planned_at=now
    )
    return planned


def _plan_deliveries(change: Change, now: datetime) -> list[Planned]:
    subscriptions = [
        subscription
        for subscription in Subscription.objects.live(now)
        .matching_scope(change)
        .order_by("id")
        if matches(subscription, change)
    ]
    if subscriptions and change.flip_flop():
        told = told_what_it_undoes(change, subscriptions)
        subscriptions = [sub for sub in subscriptions if sub.pk in told]
    if not subscriptions:
        return []
    already_pending = set(
        Delivery.objects.unsent()
        .filter(subscription__in=subscriptions, claimed_at=None)
        .values_list("subscription_id", flat=True)
    )
    deliveries = [
        Delivery(subscription=sub, change=change, due_at=due_time(sub, now))
        for sub in subscriptions
    ]
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    logger.info("change=%s deliveries=%s", change.pk, len(deliveries))
    return [
        Planned(delivery.subscription.pk, delivery.due_at)
        for delivery in deliveries
        if delivery.subscription.mode == Subscription.Mode.IMMEDIATE
        and delivery.subscription.pk not in already_pending
    ]


# --- 2. delivery: claim, send outside any transaction, record ------------------------


def deliver_due(subscription_id: int, now: datetime | None = None) -> DeliverResult:
    """Send everything due for one subscription as one message.

    1. In a transaction, lock the subscription row. If its coalescing window is still
       open, send nothing and say when it closes.
    2. Claim the due deliveries with a conditional UPDATE (claimed_at NULL -> now)
       under a fresh claim token. A batch that failed before is retried on its own,
       with its old idempotency key; otherwise all due deliveries form a new batch.
       Zero rows claimed means another worker has them: nothing is sent.
    3. Open the next window (window_until = now + coalescing seconds) and commit.
    4. Render and send outside the transaction; record the outcome (record_*).
    """
    now = now or timezone.now()
    claim = _claim_batch(subscription_id, now)  # steps 1-3
    if isinstance(claim, DeliverResult):
        return claim
    return _send_batch(claim, now)  # step 4


@dataclass(frozen=True)
class _Claim:
    subscription: Subscription
    token: str  # this attempt's claim
    key: str  # the message's idempotency key, kept across retries


def _claim_batch(subscription_id: int, now: datetime) -> _Claim | DeliverResult:
    window = timedelta(seconds=settings.NEWSROOM_ALERT_COALESCE_SECONDS)
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=subscription_id)
            .first()
        )
        if subscription is None:
            return DeliverResult("gone")
        if not subscription.is_active:
            return DeliverResult("inactive")
        pending = Delivery.objects.unsent().filter(
            subscription=subscription, claimed_at=None
        )
        if subscription.window_until and subscription.window_until > now:
            next_due = pending.aggregate(at=Min("due_at"))["at"]
            if next_due is None:
                return DeliverResult("nothing")
            return DeliverResult(
                "waiting", next_at=max(next_due, subscription.window_until)
            )
        ids, retry_key = _next_batch(pending.filter(due_at__lte=now))
        if not ids:
            next_due = pending.aggregate(at=Min("due_at"))["at"]
            return DeliverResult("nothing", next_at=next_due)
        token = uuid.uuid4().hex
        key = retry_key or token
        claimed = Delivery.objects.filter(pk__in=ids, claimed_at=None).update(
            claimed_at=now, claim_token=token, message_key=key
        )
        if not claimed:
            return DeliverResult("nothing")
        subscription.window_until = now + window
        subscription.save(update_fields=["window_until"])
    return _Claim(subscription, token, key)


def _next_batch(due: QuerySet[Delivery]) -> tuple[list[int], str]:
    """Ids of the next message's deliveries, and its old key if it is a retry."""
    retry_key = (
        due.exclude(message_key="")
        .order_by("due_at", "id")
        .values_list("message_key", flat=True)
        .first()
    )
    batch = due.filter(message_key=retry_key) if retry_key else due
    return list(batch.order_by("id").values_list("id", flat=True)[:MAX_BATCH]), (
        retry_key or ""
    )


def _send_batch(claim: _Claim, now: datetime) -> DeliverResult:
    subscription, token = claim.subscription, claim.token
    deliveries = list(
        Delivery.objects.filter(claim_token=token)
        .select_related(
            "change",
            "change__article",
            "change__article__source",
            "change__from_version",
            "change__to_version",
        )
        .order_by("change__detected_at", "change_id")
    )
    try:
        changes = [delivery.change for delivery in deliveries]
        message = messages.render_message(subscription, changes, claim.key)
        channels.send(subscription, message)
    except channels.TransientDeliveryError as exc:
        return record_failure(
            subscription.pk, token, str(exc), is_transient=True, now=now
        )
    except channels.PermanentDeliveryError as exc:
        return record_failure(
            subscription.pk, token, str(exc), is_transient=False, now=now
        )
    except Exception as exc:
        # A bug or a library's surprise (an Apprise plugin, a template): counted
        # like a transient error, so it backs off, gives up and pauses in the end
        # instead of being released by the sweep and retried forever.
        logger.exception("subscription=%s message=%s crashed", subscription.pk, token)
        return record_failure(
            subscription.pk,
            token,
            f"unexpected error: {exc!r}",
            is_transient=True,
            now=now,
        )
    return record_sent(subscription.pk, token, len(deliveries))


def record_sent(subscription_id: int, token: str, count: int) -> DeliverResult:
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(claim_token=token, sent_at=None).update(
            sent_at=now, error="", attempts=F("attempts") + 1
        )
        Subscription.objects.filter(pk=subscription_id).update(
            consecutive_failures=0, last_sent_at=now
        )
        next_due = (
            Delivery.objects.unsent()
            .filter(subscription_id=subscription_id, claimed_at=None)
            .aggregate(at=Min("due_at"))["at"]
        )
    logger.info(
        "subscription=%s message=%s changes=%s sent", subscription_id, token, count
    )
    return DeliverResult("sent", sent=count, next_at=next_due)


def record_failure(
    subscription_id: int,
    token: str,
    error: str,
    *,
    is_transient: bool,
    now: datetime | None = None,
) -> DeliverResult:
    """Write a failed attempt back: retry with backoff, give up, maybe pause.

    1. Lock the subscription; count the failure (consecutive_failures).
    2. A transient error under the attempt limit releases the claim with due_at moved
       out by an exponential backoff with jitter; the batch keeps its message key.
    3. Otherwise the deliveries are failed for good, with the error kept for admin.
    4. N failed messages in a row pause the subscription and leave an in-app notice.
    """
    now = now or timezone.now()
    error = error[:2000]
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
        batch = Delivery.objects.filter(claim_token=token, sent_at=None)
        attempts = 1 + max(batch.values_list("attempts", flat=True), default=0)
        next_at = None
        if is_transient and attempts < settings.NEWSROOM_ALERT_MAX_ATTEMPTS:
            next_at = now + policy.backoff(
                settings.NEWSROOM_ALERT_RETRY_SECONDS,
                attempts,
                ceiling=settings.NEWSROOM_ALERT_MAX_RETRY_SECONDS,
                jitter=0.2,
            )
            batch.update(
                claimed_at=None,
                claim_token="",
                due_at=next_at,
                attempts=attempts,
                error=error,
            )
            outcome = "retry"
        else:
            batch.update(failed_at=now, attempts=attempts, error=error)
            outcome = "failed"
            # Counted per message that failed for good, not per retry: an endpoint
            # down for minutes is retried; one that loses messages gets paused.
            subscription.consecutive_failures += 1
        if _pause_if_failing(subscription, error, now):
            outcome, next_at = "paused", None
    logger.warning(
        "subscription=%s message=%s attempt=%s %s: %s",
        subscription_id,
        token,
        attempts,
        outcome,
        error,
    )
    return DeliverResult(outcome, next_at=next_at, error=error)


def _pause_if_failing(subscription: Subscription, error: str, now: datetime) -> bool:
    """Save the failure count; pause after too many failed messages in a row."""
    fields = ["consecutive_failures"]
    failures = subscription.consecutive_failures
    is_paused = failures >= settings.NEWSROOM_ALERT_PAUSE_AFTER
    if is_paused:
        subscription.paused_at = now
        subscription.pause_reason = (
            f"Paused after {failures} failed messages in a row. Last error: {error}"
        )[:1000]
        fields += ["paused_at", "pause_reason"]
        _leave_pause_notice(subscription, now)
    subscription.save(update_fields=fields)
    return is_paused


def _leave_pause_notice(subscription: Subscription, now: datetime) -> None:
    if not subscription.user_id:
        return  # admin-made subscription: the pause shows in admin
    Notification.objects.get_or_create(
        key=f"paused-{subscription.pk}-{now.timestamp():.0f}",
        defaults={
            "user_id": subscription.user_id,
            "subscription": subscription,
            "title": f"Alert paused: {subscription.describe_scope()}"[:500],
            "body": subscription.pause_reason,
            "url": reverse("alerts:subscription-list"),
        },
    )


def apply_action(
    subscription: Subscription, action: str, now: datetime | None = None
) -> None:
    """Mute, unmute, pause, resume, unsubscribe, resubscribe or confirm it.

    Resuming only opens the gate: sending what waited is queued by the caller
    (tasks.apply_subscription_action, used by every way in)."""
    now = now or timezone.now()
    rows = Subscription.objects.filter(pk=subscription.pk)
    if action == "mute":
        hours = settings.NEWSROOM_ALERT_MUTE_HOURS
        rows.update(muted_until=now + timedelta(hours=hours))
    elif action == "unmute":
        rows.update(muted_until=None)
    elif action == "pause":
        rows.filter(paused_at=None).update(paused_at=now, pause_reason="Paused by you.")
    elif action == "resume":
        # Never undoes an unsubscribe: that takes the subscriber's own new consent.
        rows.filter(unsubscribed_at=None).update(
            paused_at=None,
            pause_reason="",
            consecutive_failures=0,
            muted_until=None,
        )
    elif action == "unsubscribe":
        rows.filter(unsubscribed_at=None).update(unsubscribed_at=now)
    elif action == "resubscribe":
        # The owner's own new consent, from their alert page (never a signed link).
        # Mail to someone else's address asks that address again.
        rows.update(
            unsubscribed_at=None,
            paused_at=None,
            pause_reason="",
            consecutive_failures=0,
            muted_until=None,
            is_confirmed=not subscription.needs_confirmation(),
        )
    elif action == "confirm":
        rows.update(is_confirmed=True)
    else:
        raise ValueError(f"unknown action {action!r}")
    logger.info("subscription=%s %s", subscription.pk, action)


def due_subscription_ids(
    now: datetime | None = None, *, digests: bool, grace: timedelta = timedelta(0)
) -> list[int]:
    """Active subscriptions with unclaimed deliveries due (before now - grace)."""
    now = now or timezone.now()
    modes = (
        [Subscription.Mode.HOURLY, Subscription.Mode.DAILY]
        if digests
        else [Subscription.Mode.IMMEDIATE]
    )
    return list(
        Delivery.objects.unsent()
        .filter(
            claimed_at=None,
            due_at__lte=now - grace,
            subscription__mode__in=modes,
            subscription__paused_at=None,
            subscription__unsubscribed_at=None,
        )
        .values_list("subscription_id", flat=True)
        .distinct()
        .order_by("subscription_id")
    )


def unplanned_change_ids(
    now: datetime | None = None,
    grace: timedelta = timedelta(minutes=2),
    horizon: timedelta = timedelta(days=1),
) -> list[int]:
    """Changes stored a while ago whose alerts were never planned: their worker died
    (or the broker lost the message) between the check and send_change_alerts."""
    now = now or timezone.now()
    return list(
        Change.objects.filter(
            alerts_planned_at=None,
            detected_at__lte=now - grace,
            detected_at__gte=now - horizon,
        )
        .order_by("detected_at", "id")
        .values_list("id", flat=True)[:1000]
    )


def release_stale_claims(now: datetime | None = None) -> list[int]:
    """Un-claim deliveries whose sender died mid-way; return their subscriptions.

    The message may or may not have reached the endpoint; it is sent again with the
    same idempotency key (at least once; receivers dedupe on the key).
    """
    now = now or timezone.now()
    stale = Delivery.objects.unsent().filter(claimed_at__lt=now - policy.CLAIM_LEASE)
    ids = list(stale.values_list("subscription_id", flat=True).distinct())
    if ids:
        stale.update(claimed_at=None, claim_token="", due_at=now)
        logger.warning("released stale delivery claims subscriptions=%s", ids)
    return sorted(ids)
