from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from stories import tasks
from stories.models import Article, Change, Source, Story, Version


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "language", "default_check_interval", "is_active"]
    list_filter = ["is_active", "language"]
    search_fields = ["name", "domain"]


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "status", "created_at", "public_link"]
    list_filter = ["status"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}

    @admin.display(description="Page")
    def public_link(self, obj: Story) -> str:
        return format_html('<a href="{}">view</a>', obj.get_absolute_url())


class VersionInline(admin.TabularInline):
    model = Version
    fields = ["number", "fetched_at", "title", "content_hash", "http_status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-number"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ChangeInline(admin.TabularInline):
    model = Change
    fk_name = "article"
    fields = ["detected_at", "kind", "summary", "words_added", "words_removed"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-detected_at", "-id"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "source",
        "state",
        "last_checked_at",
        "next_check_at",
        "check_interval",
        "consecutive_failures",
        "last_status",
    ]
    list_filter = ["state", "source", "stories"]
    search_fields = ["url", "title"]
    filter_horizontal = ["stories"]
    readonly_fields = [
        "first_seen_at",
        "last_checked_at",
        "last_changed_at",
        "etag",
        "last_modified",
        "consecutive_failures",
        "last_status",
        "last_status_code",
    ]
    inlines = [VersionInline, ChangeInline]
    actions = ["check_now"]

    @admin.action(description="Check now")
    def check_now(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        ids = list(queryset.values_list("id", flat=True))
        for article_id in ids:
            tasks.check_article.delay_on_commit(article_id)
        self.message_user(
            request, f"Queued a check of {len(ids)} article(s).", messages.SUCCESS
        )
