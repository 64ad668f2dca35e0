"""Admin for feeds, their poll log, story rules and article↔story matches."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from stories import editing, policy, tasks
from stories.models import Feed, FeedPoll, StoryMatch, StoryRule


class FailingFeedFilter(admin.SimpleListFilter):
    title = "failing"
    parameter_name = "failing"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", "Failing"), ("no", "Healthy")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        threshold = policy.feed_failing_after()
        if self.value() == "yes":
            return queryset.filter(consecutive_failures__gte=threshold)
        if self.value() == "no":
            return queryset.filter(consecutive_failures__lt=threshold)
        return queryset


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class FeedInline(admin.TabularInline):
    model = Feed
    fields = [
        "url",
        "kind",
        "is_active",
        "poll_interval",
        "last_polled_at",
        "consecutive_failures",
        "last_status",
    ]
    readonly_fields = ["last_polled_at", "consecutive_failures", "last_status"]
    extra = 0
    show_change_link = True


class FeedPollInline(ReadOnlyInline):
    model = FeedPoll
    fields = [
        "polled_at",
        "outcome",
        "status_code",
        "elapsed_ms",
        "entries",
        "new_articles",
        "message",
    ]
    readonly_fields = fields
    ordering = ["-polled_at", "-id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).order_by("-polled_at", "-id")


class StoryRuleInline(admin.StackedInline):
    model = StoryRule
    fields = [
        ("language", "is_active"),
        "keywords",
        "sources",
        ("starts_at", "ends_at"),
    ]
    filter_horizontal = ["sources"]
    extra = 0


class StoryMatchInline(ReadOnlyInline):
    """Read-only history of how articles came to be (or not be) in a story."""

    model = StoryMatch
    fields = ["article_link", "score", "method", "status", "matched_at", "decided_by"]
    readonly_fields = fields
    ordering = ["status", "-score", "id"]
    verbose_name_plural = (
        "grouping history (accept or reject proposals in Story matches)"
    )

    @admin.display(description="Article")
    def article_link(self, obj: StoryMatch) -> str:
        url = reverse("admin:stories_article_change", args=[obj.article_id])
        return format_html('<a href="{}">{}</a>', url, obj.article)


class ArticleMatchInline(ReadOnlyInline):
    model = StoryMatch
    fields = ["story", "score", "method", "status", "matched_at", "decided_by"]
    readonly_fields = fields
    ordering = ["-matched_at", "-id"]
    verbose_name_plural = "story matches"


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = [
        "url",
        "source",
        "kind",
        "is_active",
        "last_polled_at",
        "last_new_at",
        "consecutive_failures",
        "last_status",
    ]
    list_filter = ["kind", "is_active", FailingFeedFilter, "source__language"]
    list_select_related = ["source"]
    search_fields = ["url", "source__name", "source__domain"]
    ordering = ["source__name", "id"]
    autocomplete_fields = ["source"]
    readonly_fields = [
        "last_polled_at",
        "last_new_at",
        "etag",
        "last_modified",
        "consecutive_failures",
        "last_status",
        "last_status_code",
    ]
    inlines = [FeedPollInline]
    actions = ["poll_now"]

    @admin.action(description="Poll now")
    def poll_now(self, request: HttpRequest, queryset: QuerySet[Feed]) -> None:
        ids = list(queryset.values_list("id", flat=True))
        for feed_id in ids:
            tasks.poll_feed.delay_on_commit(feed_id)
        self.message_user(request, f"Queued {len(ids)} feed poll(s).", messages.SUCCESS)


@admin.register(StoryMatch)
class StoryMatchAdmin(admin.ModelAdmin):
    list_display = [
        "article",
        "story",
        "score",
        "method",
        "status",
        "matched_at",
        "decided_by",
    ]
    list_filter = ["status", "method", "story"]
    list_select_related = ["article", "story", "decided_by"]
    search_fields = ["article__title", "article__url", "story__title"]
    ordering = ["status", "-matched_at", "-id"]
    autocomplete_fields = ["article", "story"]
    readonly_fields = [
        "score",
        "method",
        "evidence",
        "matched_at",
        "decided_at",
        "decided_by",
    ]
    actions = ["accept", "reject"]

    @admin.action(description="Accept: put the article in the story")
    def accept(self, request: HttpRequest, queryset: QuerySet[StoryMatch]) -> None:
        matches = list(queryset.select_related("article"))
        for match in matches:
            editing.accept_match(match, request.user)
        self.message_user(
            request, f"Accepted {len(matches)} match(es).", messages.SUCCESS
        )

    @admin.action(description="Reject: keep the article out of the story")
    def reject(self, request: HttpRequest, queryset: QuerySet[StoryMatch]) -> None:
        matches = list(queryset.select_related("article"))
        for match in matches:
            editing.reject_match(match, request.user)
        self.message_user(
            request, f"Rejected {len(matches)} match(es).", messages.SUCCESS
        )
