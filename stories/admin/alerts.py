from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from stories import tasks
from stories.models import Delivery, Notification, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "user",
        "channel",
        "target",
        "trigger",
        "mode",
        "is_active",
        "consecutive_failures",
        "paused_at",
        "last_sent_at",
    ]
    list_filter = ["channel", "scope", "trigger", "mode", "paused_at"]
    search_fields = ["target", "user__username", "user__email", "pause_reason"]
    raw_id_fields = ["user", "story", "article", "source"]
    # The signing secret is shown once, to the subscriber, when the alert is created.
    exclude = ["webhook_secret"]
    readonly_fields = [
        "consecutive_failures",
        "window_until",
        "last_sent_at",
        "pause_reason",
        "created_at",
    ]
    actions = ["resume_subscriptions", "pause_subscriptions"]
    secret_fields = frozenset({"webhook_secret"})

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # ?webhook_secret__startswith=a would reveal a secret a character at a time.
        if lookup.split("__", 1)[0] in self.secret_fields:
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(boolean=True, description="Active")
    def is_active(self, obj: Subscription) -> bool:
        return obj.is_active

    @admin.action(description="Resume (and send what is pending)")
    def resume_subscriptions(
        self, request: HttpRequest, queryset: QuerySet[Subscription]
    ) -> None:
        for subscription in queryset:
            tasks.apply_subscription_action(subscription, "resume")
        self.message_user(request, f"Resumed {queryset.count()} subscription(s).")

    @admin.action(description="Pause")
    def pause_subscriptions(
        self, request: HttpRequest, queryset: QuerySet[Subscription]
    ) -> None:
        for subscription in queryset:
            tasks.apply_subscription_action(subscription, "pause")
        self.message_user(request, f"Paused {queryset.count()} subscription(s).")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "subscription",
        "change",
        "status",
        "attempts",
        "due_at",
        "sent_at",
        "failed_at",
        "error",
    ]
    list_filter = [
        ("sent_at", admin.EmptyFieldListFilter),
        ("failed_at", admin.EmptyFieldListFilter),
        "subscription__channel",
    ]
    search_fields = ["error", "message_key"]
    list_select_related = ["subscription", "change"]
    readonly_fields = [
        "subscription",
        "change",
        "created_at",
        "due_at",
        "claimed_at",
        "claim_token",
        "attempts",
        "sent_at",
        "failed_at",
        "error",
        "message_key",
    ]
    actions = ["retry_failed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Status")
    def status(self, obj: Delivery) -> str:
        return obj.status

    @admin.action(description="Retry failed deliveries")
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        failed = queryset.filter(sent_at=None).exclude(failed_at=None)
        subscription_ids = set(failed.values_list("subscription_id", flat=True))
        count = failed.update(
            failed_at=None,
            claimed_at=None,
            claim_token="",
            message_key="",
            attempts=0,
            due_at=timezone.now(),
        )
        for subscription_id in subscription_ids:
            tasks.deliver.delay_on_commit(subscription_id)
        self.message_user(
            request,
            f"Queued {count} {'delivery' if count == 1 else 'deliveries'}.",
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "created_at", "read_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "user__username"]
    raw_id_fields = ["user", "subscription"]
    readonly_fields = ["key", "created_at"]
