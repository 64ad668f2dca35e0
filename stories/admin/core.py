from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from stories import discovery, editing, policy, sources, tasks
from stories.admin.discovery import (
    ArticleMatchInline,
    FeedInline,
    StoryMatchInline,
    StoryRuleInline,
)
from stories.models import Article, Change, Source, Story, Version

# --- Filters ---------------------------------------------------------------------


def _stories(count: int) -> str:
    return f"{count} {'story' if count == 1 else 'stories'}"


class ChangedRecentlyFilter(admin.SimpleListFilter):
    title = "changed recently"
    parameter_name = "changed"
    field = "last_changed_at"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("1", "Last 24 hours"), ("7", "Last 7 days"), ("30", "Last 30 days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("1", "7", "30"):
            since = timezone.now() - timedelta(days=int(self.value()))
            return queryset.filter(**{f"{self.field}__gte": since}).distinct()
        return queryset


class StoryChangedRecentlyFilter(ChangedRecentlyFilter):
    field = "articles__last_changed_at"


class FailingArticleFilter(admin.SimpleListFilter):
    title = "failing"
    parameter_name = "failing"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        threshold = policy.article_failing_after()
        return [("yes", f"Failing ({threshold}+ failed checks)"), ("no", "Healthy")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        threshold = policy.article_failing_after()
        if self.value() == "yes":
            return queryset.filter(consecutive_failures__gte=threshold)
        if self.value() == "no":
            return queryset.filter(consecutive_failures__lt=threshold)
        return queryset


class FailingSourceFilter(admin.SimpleListFilter):
    title = "failing"
    parameter_name = "failing"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", "A feed keeps failing"), ("no", "All feeds healthy")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        failing = Q(feeds__consecutive_failures__gte=policy.feed_failing_after())
        if self.value() == "yes":
            return queryset.filter(failing).distinct()
        if self.value() == "no":
            return queryset.exclude(failing)
        return queryset


# --- Sources -----------------------------------------------------------------------


class SourceImportForm(forms.Form):
    file = forms.FileField(help_text="OPML (.opml/.xml) or CSV as exported here.")


class SourceForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = "__all__"  # noqa: DJ007 (ModelAdmin decides which fields show)

    def clean_article_url_pattern(self) -> str:
        pattern = self.cleaned_data["article_url_pattern"]
        try:
            discovery.compile_url_pattern(pattern)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return pattern


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceForm
    list_display = [
        "name",
        "domain",
        "language",
        "is_active",
        "feed_count",
        "last_poll",
        "failing",
        "robots_status",
    ]
    list_filter = ["is_active", "language", FailingSourceFilter]
    search_fields = ["name", "domain", "homepage"]
    ordering = ["name", "id"]
    readonly_fields = ["health", "robots_status", "robots_checked_at"]
    inlines = [FeedInline]
    actions = ["poll_now", "export_csv", "export_opml"]
    change_list_template = "admin/stories/source/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        threshold = policy.feed_failing_after()
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_feeds=Count("feeds", distinct=True),
                last_polled=Max("feeds__last_polled_at"),
                n_failing=Count(
                    "feeds",
                    filter=Q(feeds__consecutive_failures__gte=threshold),
                    distinct=True,
                ),
            )
        )

    @admin.display(description="Feeds", ordering="n_feeds")
    def feed_count(self, obj: Source) -> int:
        return obj.n_feeds

    @admin.display(description="Last poll", ordering="last_polled")
    def last_poll(self, obj: Source) -> object:
        return obj.last_polled

    # Words, not a ✔/✖ icon: a red ✖ next to every healthy source read as failing.
    @admin.display(description="Feeds failing", ordering="n_failing")
    def failing(self, obj: Source) -> str:
        return f"{obj.n_failing} failing" if obj.n_failing else "none"

    @admin.display(description="Health (last 7 days)")
    def health(self, obj: Source) -> str:
        if obj.pk is None:
            return "-"
        h = sources.source_health(obj)
        median = f"{h.median_ms:.0f} ms" if h.median_ms is not None else "-"
        missed = ""
        if obj.audit_misses and obj.last_audit_miss_at:
            when = f"{obj.last_audit_miss_at:%Y-%m-%d %H:%M} UTC"
            missed = f" (last {when}: {obj.last_audit_miss})"
        return format_html(
            "articles checked: {}<br>"
            "last feed poll: {}<br>feed polls: {} · new articles per day: {}<br>"
            "fetch error rate: {}% · median response: {}<br>"
            "failing feeds: {} · robots.txt: {}<br>"
            "cheap-path audits: {} · changes the cheap path missed: {}{}",
            h.articles_checked,
            h.last_polled_at or ("never" if obj.feeds.exists() else "no feeds"),
            h.polls,
            f"{h.new_per_day:.1f}",
            f"{h.error_rate * 100:.0f}",
            median,
            h.failing_feeds,
            h.robots_status or "not checked",
            obj.audit_checks,
            obj.audit_misses,
            missed,
        )

    @admin.action(description="Poll feeds now")
    def poll_now(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        from stories.models import Feed

        ids = list(
            Feed.objects.filter(source__in=queryset, is_active=True).values_list(
                "id", flat=True
            )
        )
        for feed_id in ids:
            tasks.poll_feed.delay_on_commit(feed_id)
        self.message_user(request, f"Queued {len(ids)} feed poll(s).", messages.SUCCESS)

    @admin.action(description="Export as CSV")
    def export_csv(
        self, request: HttpRequest, queryset: QuerySet[Source]
    ) -> HttpResponse:
        return _download(
            sources.export_sources_csv(queryset.order_by("name", "id")),
            "text/csv",
            "sources.csv",
        )

    @admin.action(description="Export as OPML")
    def export_opml(
        self, request: HttpRequest, queryset: QuerySet[Source]
    ) -> HttpResponse:
        return _download(
            sources.export_sources_opml(queryset.order_by("name", "id")),
            "text/x-opml",
            "sources.opml",
        )

    def get_urls(self) -> list:
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="stories_source_import",
            ),
        ]
        return urls + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        form = SourceImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            result = sources.import_sources(upload, upload.name)
            self.message_user(
                request,
                f"Imported {result.sources_created} new source(s) and "
                f"{result.feeds_created} new feed(s).",
                messages.SUCCESS,
            )
            for problem in result.skipped[:20]:
                self.message_user(request, f"Skipped: {problem}", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:stories_source_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Import sources",
        }
        return TemplateResponse(request, "admin/stories/source/import.html", context)


def _download(content: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Stories -----------------------------------------------------------------------


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "status",
        "new_badge",
        "is_pinned",
        "article_count",
        "proposed_count",
        "created_at",
        "public_link",
    ]
    list_filter = ["status", "origin", "is_pinned", StoryChangedRecentlyFilter]
    search_fields = ["title", "slug", "description"]
    ordering = ["-is_pinned", "-created_at", "-id"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "merged_into",
        "origin",
        "formed_at",
        "formation_note",
        "reviewed_at",
        "last_article_at",
    ]
    inlines = [StoryRuleInline, StoryMatchInline]
    actions = ["accept", "dismiss", "pin", "unpin", "merge", "archive"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Story]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_articles=Count("articles", distinct=True),
                n_proposed=Count(
                    "article_matches",
                    filter=Q(article_matches__status="proposed"),
                    distinct=True,
                ),
            )
        )

    @admin.display(description="New", boolean=True)
    def new_badge(self, obj: Story) -> bool:
        return obj.is_new

    def save_model(
        self, request: HttpRequest, obj: Story, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change and "title" in form.changed_data:
            editing.rename_story(obj, obj.title, request.user)  # never retitled again

    @admin.action(description="Accept: keep (and list) the story, no longer new")
    def accept(self, request: HttpRequest, queryset: QuerySet[Story]) -> None:
        count = editing.accept_stories(queryset, request.user)
        self.message_user(request, f"Accepted {_stories(count)}.", messages.SUCCESS)

    @admin.action(description="Dismiss: not a story (never reopened by grouping)")
    def dismiss(self, request: HttpRequest, queryset: QuerySet[Story]) -> None:
        count = editing.dismiss_stories(queryset, request.user)
        self.message_user(request, f"Dismissed {_stories(count)}.", messages.SUCCESS)

    @admin.display(description="Articles", ordering="n_articles")
    def article_count(self, obj: Story) -> int:
        return obj.n_articles

    @admin.display(description="To review", ordering="n_proposed")
    def proposed_count(self, obj: Story) -> str:
        if not obj.n_proposed:
            return "0"
        url = reverse("admin:stories_storymatch_changelist")
        return format_html(
            '<a href="{}?story__id__exact={}&status__exact=proposed">{}</a>',
            url,
            obj.pk,
            obj.n_proposed,
        )

    @admin.display(description="Page")
    def public_link(self, obj: Story) -> str:
        return format_html('<a href="{}">view</a>', obj.get_absolute_url())

    @admin.action(description="Pin")
    def pin(self, request: HttpRequest, queryset: QuerySet[Story]) -> None:
        count = queryset.update(is_pinned=True)
        self.message_user(request, f"Pinned {_stories(count)}.", messages.SUCCESS)

    @admin.action(description="Unpin")
    def unpin(self, request: HttpRequest, queryset: QuerySet[Story]) -> None:
        count = queryset.update(is_pinned=False)
        self.message_user(request, f"Unpinned {_stories(count)}.", messages.SUCCESS)

    @admin.action(description="Archive")
    def archive(self, request: HttpRequest, queryset: QuerySet[Story]) -> None:
        count = queryset.update(status=Story.Status.ARCHIVED, is_pinned=False)
        self.message_user(request, f"Archived {_stories(count)}.", messages.SUCCESS)

    @admin.action(description="Merge into the oldest selected story")
    def merge(self, request: HttpRequest, queryset: QuerySet[Story]) -> None:
        stories = list(queryset.order_by("created_at", "id"))
        if len(stories) < 2:
            self.message_user(request, "Select two or more stories.", messages.WARNING)
            return
        target, others = stories[0], stories[1:]
        merged = editing.merge_stories(target, others)
        self.message_user(
            request, f"Merged {_stories(merged)} into “{target}”.", messages.SUCCESS
        )


# --- Articles ----------------------------------------------------------------------


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


class MoveToStoryForm(forms.Form):
    story = forms.ModelChoiceField(
        queryset=Story.objects.active().order_by("-is_pinned", "title", "id"),
        required=False,
        help_text="Leave empty to create a new story with the title below.",
    )
    new_title = forms.CharField(max_length=300, required=False)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("story") and not data.get("new_title"):
            raise forms.ValidationError("Choose a story or give a new story's title.")
        return data


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "source",
        "state",
        "story_list",
        "last_checked_at",
        "last_changed_at",
        "next_check_at",
        "consecutive_failures",
        "last_status",
        "public_link",
    ]
    list_filter = [
        "state",
        ("source__language", admin.AllValuesFieldListFilter),
        FailingArticleFilter,
        ChangedRecentlyFilter,
        "source",
        "stories",
    ]
    list_select_related = ["source"]
    search_fields = ["url", "canonical_url", "title"]
    ordering = ["-first_seen_at", "-id"]
    autocomplete_fields = ["stories", "source", "duplicate_of"]
    readonly_fields = [
        "first_seen_at",
        "last_checked_at",
        "last_changed_at",
        "etag",
        "last_modified",
        "consecutive_failures",
        "last_status",
        "last_status_code",
        "canonical_url",
        "grouped_at",
        "public_link",
    ]
    inlines = [ArticleMatchInline, VersionInline, ChangeInline]
    actions = ["check_now", "retire", "move_to_story"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).prefetch_related("stories")

    @admin.display(description="Stories")
    def story_list(self, obj: Article) -> str:
        return ", ".join(story.title for story in obj.stories.all()) or "-"

    @admin.display(description="Page")
    def public_link(self, obj: Article) -> str:
        if obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}">view</a> · '
            '<a href="{}" rel="noopener noreferrer">original</a>',
            obj.get_absolute_url(),
            obj.url,
        )

    @admin.action(description="Check now")
    def check_now(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        ids = list(queryset.values_list("id", flat=True))
        for article_id in ids:
            tasks.check_article.delay_on_commit(article_id)
        self.message_user(
            request, f"Queued a check of {len(ids)} article(s).", messages.SUCCESS
        )

    @admin.action(description="Retire (stop checking)")
    def retire(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = queryset.update(state=Article.State.RETIRED)
        self.message_user(request, f"Retired {count} article(s).", messages.SUCCESS)

    @admin.action(description="Move to story… (or split into a new one)")
    def move_to_story(
        self, request: HttpRequest, queryset: QuerySet[Article]
    ) -> HttpResponse | None:
        form = MoveToStoryForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            ids = list(queryset.values_list("id", flat=True))
            story = form.cleaned_data["story"]
            if story is None:
                story = editing.split_story(
                    ids, form.cleaned_data["new_title"], request.user
                )
            else:
                editing.move_articles(ids, story, request.user)
            self.message_user(
                request, f"Moved {len(ids)} article(s) to “{story}”.", messages.SUCCESS
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Move articles to a story",
            "articles": queryset.order_by("id"),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/stories/article/move_to_story.html", context
        )
