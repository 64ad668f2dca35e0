import zlib
from datetime import datetime
from typing import Any, TypedDict

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from stories.models.search import SearchConfigName, SearchDocument


class Source(models.Model):
    name = models.CharField(max_length=200)
    homepage = models.URLField(max_length=500, blank=True)
    domain = models.CharField(
        max_length=253, unique=True, help_text="Host name, e.g. www.nu.nl"
    )
    language = models.CharField(
        max_length=8, blank=True, help_text="ISO 639-1, e.g. nl"
    )
    default_check_interval = models.PositiveIntegerField(
        default=900, help_text="Seconds between checks of a new article."
    )
    is_active = models.BooleanField(default=True)
    article_url_pattern = models.CharField(
        max_length=500,
        blank=True,
        help_text="Regular expression a feed entry's URL must match to count as an "
        "article (searched, not anchored). Empty: every entry counts.",
    )
    robots_status = models.CharField(
        max_length=200, blank=True, help_text="Outcome of the last robots.txt check."
    )
    robots_checked_at = models.DateTimeField(null=True, blank=True)
    fingerprint_skip = models.JSONField(
        default=list,
        blank=True,
        help_text="CSS selectors of page furniture (counters, datelines, boxes) "
        "learned from this source's pages and left out of article fingerprints; "
        "re-learned when an audit finds the cheap path missed a change.",
    )
    audit_checks = models.PositiveIntegerField(
        default=0, help_text="Unchanged cheap-path checks re-run by the full path."
    )
    audit_misses = models.PositiveIntegerField(
        default=0,
        help_text="Audited checks where the full path found a change the cheap "
        "path did not (a bug signal).",
    )
    last_audit_miss = models.CharField(max_length=500, blank=True)
    last_audit_miss_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stories:source-detail", kwargs={"pk": self.pk})


class StoryQuerySet(models.QuerySet):
    def active(self) -> "StoryQuerySet":
        return self.filter(status=Story.Status.ACTIVE)


class Story(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"
        # One article so far (or one outlet): formed by grouping, not listed yet.
        CANDIDATE = "candidate", "Candidate"
        DISMISSED = "dismissed", "Dismissed by an editor"

    class Origin(models.TextChoices):
        EDITOR = "editor", "Set up by an editor"
        GROUPING = "grouping", "Formed by grouping"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status, default=Status.ACTIVE)
    is_pinned = models.BooleanField(
        default=False, help_text="Pinned stories are listed first."
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_stories",
        help_text="Set when this story was merged into another.",
    )
    origin = models.CharField(max_length=16, choices=Origin, default=Origin.EDITOR)
    formed_at = models.DateTimeField(
        null=True, blank=True, help_text="When grouping made this candidate a story."
    )
    formation_note = models.TextField(
        blank=True, help_text="Why grouping formed (or merged) this story."
    )
    reviewed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When an editor accepted, renamed or otherwise decided on it; "
        "grouping never retitles, merges or dismisses a reviewed story.",
    )
    last_article_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Newest article's time: grouping compares new articles only with "
        "stories active within its window.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("stories:story-detail", kwargs={"slug": self.slug})

    @property
    def is_new(self) -> bool:
        """Formed by grouping and not yet looked at by an editor."""
        return self.origin == self.Origin.GROUPING and self.reviewed_at is None


class ArticleQuerySet(models.QuerySet):
    def due(self, now: datetime) -> "ArticleQuerySet":
        return self.filter(
            state__in=[Article.State.ACTIVE, Article.State.REMOVED],
            next_check_at__lte=now,
        )


class Article(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        REMOVED = "removed", "Removed (404/410)"
        RETIRED = "retired", "Retired"

    url = models.URLField(max_length=2000, unique=True)
    source = models.ForeignKey(
        Source,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    stories = models.ManyToManyField(Story, related_name="articles", blank=True)
    title = models.CharField(max_length=500, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_changed_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(default=timezone.now)
    check_interval = models.PositiveIntegerField(
        default=900,
        help_text="Seconds until the next check; adapts to how often it changes.",
    )
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    region_selector = models.CharField(
        max_length=500,
        blank=True,
        help_text="CSS selector of the element holding the article text, found at "
        "the last full extraction (see stories/fingerprint.py).",
    )
    region_fingerprint = models.CharField(max_length=64, blank=True)
    region_skip = models.JSONField(
        default=list,
        blank=True,
        help_text="Furniture selectors left out of this article's fingerprint.",
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_status = models.CharField(
        max_length=500, blank=True, help_text="Outcome of the last check, readable."
    )
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State, default=State.ACTIVE)
    canonical_url = models.URLField(
        max_length=2000,
        blank=True,
        db_index=True,
        help_text="Normalised canonical URL (from the page's rel=canonical).",
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        help_text="Set when this article turned out to be another URL of that one.",
    )
    grouped_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When grouping into stories last ran on it.",
    )
    story_keys = models.JSONField(
        default=dict,
        blank=True,
        help_text="The language-neutral keys grouping compares (stories/matching.py), "
        "kept so other articles are compared without reading texts again.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        indexes = [
            # The beat tick asks "which articles are due?" every few seconds.
            models.Index(
                fields=["next_check_at"],
                name="article_due_idx",
                condition=Q(state__in=["active", "removed"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["active", "removed", "retired"]),
                name="article_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    def get_absolute_url(self) -> str:
        return reverse("stories:article-detail", kwargs={"pk": self.pk})


class VersionQuerySet(models.QuerySet):
    def latest_for(self, article: Article) -> "Version | None":
        return self.filter(article=article).order_by("-number").first()

    def latest_per_article(self) -> "VersionQuerySet":
        """Only each article's newest version (one correlated subquery)."""
        newest = (
            Version.objects.filter(article=OuterRef("article"))
            .order_by("-number")
            .values("number")[:1]
        )
        return self.filter(number=Subquery(newest))


class VersionManager(models.Manager.from_queryset(VersionQuerySet)):
    def get_queryset(self) -> VersionQuerySet:
        # The search vector is as large as the text and only search reads it.
        return super().get_queryset().defer("search_vector")


class Version(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    fetched_at = models.DateTimeField()
    url = models.URLField(max_length=2000, help_text="Final URL after redirects.")
    http_status = models.PositiveSmallIntegerField(default=200)
    title = models.CharField(max_length=500, blank=True)
    byline = models.CharField(max_length=500, blank=True)
    text = models.TextField()
    language = models.CharField(max_length=8, blank=True)
    content_hash = models.CharField(max_length=64)
    raw_html_compressed = models.BinaryField(
        help_text="The fetched page, zlib-compressed, so extraction can be re-run."
    )
    published_at = models.DateTimeField(null=True, blank=True)
    modified_at = models.DateTimeField(null=True, blank=True)
    figures = models.JSONField(default=list, blank=True)
    # Full-text search (stories/models/search.py): filled by the database itself.
    # Its GIN indexes (one per configuration) are made by migrations 0007 and 0009 on
    # PostgreSQL only.
    search_config = models.GeneratedField(
        expression=SearchConfigName(),
        output_field=models.CharField(max_length=16),
        db_persist=True,
    )
    search_vector = models.GeneratedField(
        expression=SearchDocument(),
        output_field=SearchVectorField(null=True),
        db_persist=True,
    )

    objects = VersionManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="version_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="version_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"

    @property
    def raw_html(self) -> bytes:
        return zlib.decompress(bytes(self.raw_html_compressed))

    @staticmethod
    def compress(body: bytes) -> bytes:
        # Level 1: about a third of level 6's CPU for a few percent more bytes.
        return zlib.compress(body, 1)


# One figure delta as stored: dataclasses.asdict(figures.FigureDelta), whose fields
# (kind, change, old, new, old_qualifier, new_qualifier, attributed_to) are the schema.
FigureDeltaDetails = dict[str, Any]
# What a reader needs of a delta; entries without these are of an unknown shape.
FIGURE_DELTA_KEYS = frozenset({"kind", "change", "old", "new"})


class FlipFlopDetails(TypedDict):
    """intelligence.FlipFlop: the change returns to an earlier headline or text."""

    returns_to: int
    flips: int
    states: int
    text: str


class CorrectionDetails(TypedDict):
    """intelligence.Correction: a correction or update note the text gained."""

    kind: str  # correction | update
    marker: str
    note: str
    paragraph: int
    position: str  # appended | prepended | inserted


class ChangeDetails(TypedDict, total=False):
    """The shape of Change.details. Written by changes.changes_between only; read
    through Change.figure_deltas(), .flip_flop() and .correction()."""

    edits: dict[str, Any]  # intelligence.EditReport.to_dict(), text changes
    correction: CorrectionDetails  # text changes
    flip_flop: FlipFlopDetails  # headline and text changes
    figures: list[FigureDeltaDetails]  # figure changes


class ChangeQuerySet(models.QuerySet):
    def for_story(self, story: Story) -> "ChangeQuerySet":
        """The story's changes, oldest first; callers choose the related rows."""
        return self.filter(article__stories=story).order_by("detected_at", "id")


class Change(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        HEADLINE = "headline", "Headline"
        FIGURE = "figure", "Figures"
        REMOVED = "removed", "Removed"
        RESTORED = "restored", "Restored"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="changes"
    )
    from_version = models.ForeignKey(
        Version, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    to_version = models.ForeignKey(
        Version, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind)
    detected_at = models.DateTimeField()
    words_added = models.PositiveIntegerField(default=0)
    words_removed = models.PositiveIntegerField(default=0)
    summary = models.CharField(max_length=1000, blank=True)
    diff_ops = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    significance = models.FloatField(
        default=0.0,
        help_text="0-1: how much the change matters (stories/intelligence.py).",
    )
    alerts_planned_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its deliveries were recorded; empty ones are swept up.",
    )

    objects = ChangeQuerySet.as_manager()

    class Meta:
        constraints = [
            # A version yields at most one change of each kind, however often the
            # check that produced it runs.
            models.UniqueConstraint(
                fields=["to_version", "kind"],
                name="change_kind_once_per_version",
                condition=Q(to_version__isnull=False),
            ),
        ]
        indexes = [
            models.Index(
                fields=["article", "detected_at"], name="change_article_time_idx"
            ),
            models.Index(fields=["detected_at"], name="change_time_idx"),
            # The sweep looks for changes whose alerts were never planned (a worker
            # died between storing the change and queueing its alerts).
            models.Index(
                fields=["detected_at"],
                name="change_alerts_unplanned_idx",
                condition=Q(alerts_planned_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        when = f"{self.detected_at:%Y-%m-%d %H:%M}"
        return f"{self.get_kind_display()} of {self.article_id} at {when}"

    def get_absolute_url(self) -> str:
        """The article page, showing this change's two versions side by side."""
        return self.versions_url(
            reverse("stories:article-detail", kwargs={"pk": self.article_id}),
            *self.version_numbers(),
        )

    @staticmethod
    def versions_url(article_url: str, old: int | None, new: int | None) -> str:
        """article_url comparing versions old and new (just the article without)."""
        return f"{article_url}?old={old}&new={new}" if old and new else article_url

    def version_numbers(self) -> tuple[int | None, int | None]:
        """(from, to) version numbers; timeline queries annotate them as
        from_number/to_number so that listing changes joins no versions."""
        if hasattr(self, "from_number"):
            return self.from_number, getattr(self, "to_number", None)
        if self.from_version_id and self.to_version_id:
            return self.from_version.number, self.to_version.number
        return None, None

    def figure_deltas(self) -> list[FigureDeltaDetails]:
        """The figure deltas of a figure change (see deltas_in)."""
        return self.deltas_in(self.details)

    @staticmethod
    def deltas_in(details: object) -> list[FigureDeltaDetails]:
        """The figure deltas in a details value (for rows read with values());
        entries of an unknown shape are left out (written by another Newsroom)."""
        deltas = details.get("figures") if isinstance(details, dict) else None
        if not isinstance(deltas, list):
            return []
        return [
            delta
            for delta in deltas
            if isinstance(delta, dict) and delta.keys() >= FIGURE_DELTA_KEYS
        ]

    def flip_flop(self) -> FlipFlopDetails | None:
        """Set when the change returns to an earlier headline or text (A → B → A)."""
        flip = self._details().get("flip_flop")
        return flip if isinstance(flip, dict) else None

    def correction(self) -> CorrectionDetails | None:
        """The correction or update note a text change appended or inserted."""
        note = self._details().get("correction")
        return note if isinstance(note, dict) else None

    def _details(self) -> ChangeDetails:
        return self.details if isinstance(self.details, dict) else {}
