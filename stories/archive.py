"""A story as one self-contained JSON document, and loading it into another Newsroom.

The archive holds the story, its articles (with their sources), every version (the
stored page too, base64 of the compressed bytes) and every change, field by field
from the models' own definitions, so a field added later travels without edits
here. Rows refer to each other by natural keys (source domain, article URL, version
number), never by database ids. Figures live in `Version.figures` and
`Change.details`, so they travel with those.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from stories.models import Article, Change, Source, Story, Version

FORMAT = "newsroom-story-archive"
FORMAT_VERSION = 1

# Columns that name other rows or are recomputed by the database.
_SKIP = {
    Story: {"id", "merged_into"},
    Source: {"id"},
    Article: {"id", "source", "duplicate_of"},
    Version: {"id", "article"},
    Change: {"id", "article", "from_version", "to_version"},
}


def _keep_recorded_times(
    model: type[models.Model], rows: list[models.Model], values: list[dict]
) -> None:
    """auto_now_add stamps the import time on create; put the recorded times back."""
    stamped = [f.attname for f in _fields(model) if getattr(f, "auto_now_add", False)]
    if not stamped or not rows:
        return
    for row, data in zip(rows, values, strict=True):
        for attname in stamped:
            if data.get(attname) is not None:
                setattr(row, attname, data[attname])
    model.objects.bulk_update(rows, stamped)


class ArchiveError(Exception):
    """The archive cannot be loaded; the message says why. Nothing was stored."""


def _fields(model: type[models.Model]) -> list[models.Field]:
    skip = _SKIP[model]
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in skip and not getattr(f, "generated", False)
    ]


def _dump_row(row: models.Model) -> dict[str, Any]:
    data = {}
    deferred = row.get_deferred_fields()
    for field in _fields(type(row)):
        if field.attname in deferred:
            data[field.name] = ""  # left out on purpose (stored pages)
            continue
        value = getattr(row, field.attname)
        if isinstance(field, models.BinaryField):
            value = base64.b64encode(bytes(value or b"")).decode("ascii")
        elif isinstance(value, datetime):
            value = value.isoformat()
        data[field.name] = value
    return data


def _load_row(model: type[models.Model], data: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for field in _fields(model):
        if field.name not in data:
            if field.has_default() or field.null:
                continue  # an archive from before the field existed
            raise KeyError(f"{model.__name__}.{field.name}")
        value = data[field.name]
        if isinstance(field, models.BinaryField):
            value = base64.b64decode(value or "")
        elif isinstance(field, models.DateTimeField) and value is not None:
            value = datetime.fromisoformat(value)
        values[field.attname] = value
    return values


def dump_story(story: Story, include_pages: bool = True) -> dict[str, Any]:
    """The story and everything recorded about it, as JSON-ready data.

    Without `include_pages` the stored pages are left out (empty), e.g. for readers
    who may not see them.
    """
    articles = list(
        story.articles.select_related("source").order_by("first_seen_at", "url")
    )
    # Ordered by natural keys, so two archives of the same record are equal.
    versions = Version.objects.filter(article__in=articles).order_by(
        "article__url", "number"
    )
    changes = (
        Change.objects.filter(article__in=articles)
        .select_related("article", "from_version", "to_version")
        .order_by("detected_at", "article__url", "to_version__number", "kind", "id")
    )
    urls = {article.pk: article.url for article in articles}
    sources = {a.source.domain: a.source for a in articles if a.source_id}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "story": _dump_row(story),
        "sources": [_dump_row(source) for source in sources.values()],
        "articles": [
            {
                **_dump_row(article),
                "source": article.source.domain if article.source_id else None,
            }
            for article in articles
        ],
        "versions": [
            {**_dump_row(version), "article": urls[version.article_id]}
            for version in (
                versions if include_pages else versions.defer("raw_html_compressed")
            ).iterator(chunk_size=200)
        ],
        "changes": [
            {
                **_dump_row(change),
                "article": change.article.url,
                "from_version": change.from_version.number
                if change.from_version
                else None,
                "to_version": change.to_version.number if change.to_version else None,
            }
            for change in changes.iterator(chunk_size=500)
        ],
    }


def load_story(data: dict[str, Any], slug: str = "", retire: bool = False) -> Story:
    """Store an archive as a new story (all or nothing).

    The story's slug (or `slug`) and its article URLs must be new here: an archive
    never merges into what this Newsroom already tracks. Sources are matched by
    domain. Imported changes count as already alerted, so nobody is notified of
    history. `retire` stores the articles as retired (not fetched again).
    """
    if not isinstance(data, dict) or (
        data.get("format"),
        data.get("format_version"),
    ) != (
        FORMAT,
        FORMAT_VERSION,
    ):
        raise ArchiveError(f"Not a {FORMAT} of version {FORMAT_VERSION}.")
    try:
        return _load(data, slug, retire)
    except (KeyError, TypeError, ValueError, IntegrityError) as exc:
        raise ArchiveError(
            f"The archive is damaged ({type(exc).__name__}: {exc})."
        ) from exc


def counts(story: Story) -> dict[str, int]:
    articles = story.articles.all()
    return {
        "articles": articles.count(),
        "versions": Version.objects.filter(article__in=articles).count(),
        "changes": Change.objects.filter(article__in=articles).count(),
    }


def _load(data: dict[str, Any], slug: str, retire: bool) -> Story:
    with transaction.atomic():
        story_values = _load_row(Story, data["story"])
        if slug:
            story_values["slug"] = slug
        if Story.objects.filter(slug=story_values["slug"]).exists():
            raise ArchiveError(
                f"A story with slug {story_values['slug']!r} exists here; "
                "pass another slug."
            )
        story = Story.objects.create(**story_values)
        _keep_recorded_times(Story, [story], [story_values])
        sources = _load_sources(data["sources"])
        articles = _load_articles(data["articles"], sources, retire)
        story.articles.add(*articles.values())
        versions = _load_versions(data["versions"], articles)
        _load_changes(data["changes"], articles, versions)
    return story


def _load_sources(rows: list[dict]) -> dict[str, Source]:
    sources = {}
    for row in rows:
        values = _load_row(Source, row)
        domain = values.pop("domain")
        sources[domain], created = Source.objects.get_or_create(
            domain=domain, defaults=values
        )
        if created:
            _keep_recorded_times(Source, [sources[domain]], [values])
    return sources


def _load_articles(
    rows: list[dict], sources: dict[str, Source], retire: bool
) -> dict[str, Article]:
    urls = [row["url"] for row in rows]
    taken = list(Article.objects.filter(url__in=urls).values_list("url", flat=True))
    if taken:
        raise ArchiveError(f"Already tracked here: {', '.join(sorted(taken))}")
    articles, loaded = {}, []
    for row in rows:
        values = _load_row(Article, row)
        if retire:
            values["state"] = Article.State.RETIRED
        article = Article(**values, source=sources.get(row.get("source") or ""))
        articles[article.url] = article
        loaded.append(values)
    Article.objects.bulk_create(articles.values())
    _keep_recorded_times(Article, list(articles.values()), loaded)
    return articles


def _load_versions(
    rows: list[dict], articles: dict[str, Article]
) -> dict[tuple[str, int], Version]:
    versions = {}
    for row in rows:
        version = Version(**_load_row(Version, row), article=articles[row["article"]])
        versions[(row["article"], version.number)] = version
    Version.objects.bulk_create(versions.values(), batch_size=200)
    return versions


def _load_changes(
    rows: list[dict],
    articles: dict[str, Article],
    versions: dict[tuple[str, int], Version],
) -> None:
    now = timezone.now()
    changes = []
    for row in rows:
        values = _load_row(Change, row)
        values["alerts_planned_at"] = values.get("alerts_planned_at") or now
        url = row["article"]
        changes.append(
            Change(
                **values,
                article=articles[url],
                from_version=versions.get((url, row["from_version"])),
                to_version=versions.get((url, row["to_version"])),
            )
        )
    Change.objects.bulk_create(changes, batch_size=500)
