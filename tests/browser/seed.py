"""A small, realistic story for the dashboard tests: two outlets, rewritten articles,
a headline change and figure changes like the real Nagorno-Karabakh case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from stories import diffing
from stories.models import Article, Change, Source, Story, Version

PARAGRAPHS = [
    "Azerbeidzjan is dinsdag een militaire operatie begonnen in Nagorno-Karabach.",
    "Armenië meldt 32 doden en meer dan 200 gewonden.",
    "De Armeense premier Pasjinjan riep op tot kalmte.",
    "Rusland zegt dat zijn vredesmacht in de regio blijft.",
    "Volgens een oud-topfunctionaris ligt het dodental hoger.",
]


def figure(kind, value, qualifier="exact", attributed_to=None, lang="nl") -> dict:
    return {
        "kind": kind,
        "value": value,
        "low": None,
        "high": None,
        "qualifier": qualifier,
        "attributed_to": attributed_to,
        "lang": lang,
        "superseded": False,
        "background": False,
        "magnitude": None,
        "sentence": "",
        "start": 0,
        "end": 0,
    }


def delta(kind, old, new, attributed_to, old_q="exact", new_q="exact") -> dict:
    return {
        "kind": kind,
        "change": "revised" if old is not None and new is not None else "added",
        "old": old,
        "new": new,
        "old_qualifier": old_q if old is not None else None,
        "new_qualifier": new_q,
        "attributed_to": attributed_to,
    }


@dataclass
class ArticleWriter:
    """Appends versions to an article and records the changes between them."""

    article: Article
    versions: list[Version] = field(default_factory=list)

    def version(
        self,
        at: datetime,
        title: str,
        text: str,
        figures: list[dict] | None = None,
        figure_deltas: list[dict] | None = None,
        raw_html: bytes | None = None,
    ) -> list[Change]:
        number = len(self.versions) + 1
        version = Version.objects.create(
            article=self.article,
            number=number,
            fetched_at=at,
            url=self.article.url,
            title=title,
            text=text,
            language="nl",
            content_hash=f"{self.article.pk}-{number}",
            raw_html_compressed=Version.compress(
                raw_html or f"<html><body><h1>{title}</h1><p>{text}</p>".encode()
            ),
            figures=figures or [],
        )
        previous = self.versions[-1] if self.versions else None
        self.versions.append(version)
        self.article.title = title
        self.article.last_changed_at = at
        self.article.last_checked_at = at
        self.article.save()
        if previous is None:
            return []
        changes = []
        if previous.title != title:
            diff = diffing.diff_texts(previous.title, title)
            changes.append(
                self._change(previous, version, Change.Kind.HEADLINE, at, diff)
            )
            changes[-1].summary = f"“{previous.title}” → “{title}”"
        if previous.text != text:
            diff = diffing.diff_texts(previous.text, text)
            changes.append(self._change(previous, version, Change.Kind.TEXT, at, diff))
        if figure_deltas:
            change = Change(
                article=self.article,
                from_version=previous,
                to_version=version,
                kind=Change.Kind.FIGURE,
                detected_at=at,
                summary="; ".join(
                    f"{d['kind']}: {d['old']} → {d['new']}" for d in figure_deltas
                ),
                details={"figures": figure_deltas},
            )
            changes.append(change)
        for change in changes:
            change.save()
        return changes

    def _change(self, old, new, kind, at, diff) -> Change:
        return Change(
            article=self.article,
            from_version=old,
            to_version=new,
            kind=kind,
            detected_at=at,
            words_added=diff.words_added,
            words_removed=diff.words_removed,
            summary=diff.summary,
            diff_ops=[list(op) for op in diff.ops],
        )


@dataclass
class SeededStory:
    story: Story
    nos: Article
    bbc: Article
    nos_writer: ArticleWriter
    bbc_writer: ArticleWriter


def seed_story(now: datetime | None = None) -> SeededStory:
    """The Nagorno-Karabakh story with 2 outlets, 6 versions, 8 changes."""
    now = now or timezone.now()
    start = now - timedelta(days=1, hours=3)
    story = Story.objects.create(
        title="Nagorno-Karabakh offensive, September 2023",
        slug="nagorno-karabakh-2023",
        description="Azerbaijan's offensive and the exodus of Karabakh Armenians.",
    )
    nos_source = Source.objects.create(name="NOS", domain="nos.nl", language="nl")
    bbc_source = Source.objects.create(
        name="BBC News", domain="www.bbc.co.uk", language="en"
    )
    nos = Article.objects.create(
        url="https://nos.nl/artikel/2490000", source=nos_source, first_seen_at=start
    )
    bbc = Article.objects.create(
        url="https://www.bbc.co.uk/news/world-europe-66860000",
        source=bbc_source,
        first_seen_at=start,
    )
    for article in (nos, bbc):
        article.stories.add(story)

    nos_writer = ArticleWriter(nos)
    text = "\n\n".join(PARAGRAPHS)
    nos_writer.version(
        start,
        "Azerbeidzjan begint offensief in Nagorno-Karabach",
        text,
        figures=[
            figure("killed", 32, attributed_to="Armenian officials"),
            figure("injured", 200, "more_than", "Armenian officials"),
        ],
    )
    text2 = (
        text.replace("Rusland zegt", "Rusland zegt woensdag opnieuw")
        + "\n\nDe luchthaven van Stepanakert is gesloten."
    )
    nos_writer.version(start + timedelta(hours=2), nos.title, text2)
    text3 = text2.replace(
        "Armenië meldt 32 doden en meer dan 200 gewonden.",
        "Armenië meldt ruim 200 doden en 400 gewonden.",
    )
    nos_writer.version(
        start + timedelta(hours=20),
        "Ruim 200 doden bij offensief in Nagorno-Karabach",
        text3,
        figures=[
            figure("killed", 200, "more_than", "Armenian officials"),
            figure("injured", 400, attributed_to="Armenian officials"),
        ],
        figure_deltas=[
            delta("killed", 32, 200, "Armenian officials", new_q="more_than"),
            delta("injured", 200, 400, "Armenian officials", old_q="more_than"),
        ],
    )
    nos_writer.version(
        start + timedelta(hours=26),
        nos.title,
        text3 + "\n\nBijna 2.300 burgers zijn geëvacueerd.",
        figures=[
            figure("killed", 200, "more_than", "Armenian officials"),
            figure("injured", 400, attributed_to="Armenian officials"),
            figure("evacuated", 2300, "nearly", "Armenian officials"),
        ],
        figure_deltas=[
            delta("evacuated", None, 2300, "Armenian officials", new_q="nearly")
        ],
    )

    bbc_writer = ArticleWriter(bbc)
    bbc_text = (
        "Azerbaijan has launched military operations in Nagorno-Karabakh.\n\n"
        "A former official says the death toll is around 50."
    )
    bbc_writer.version(
        start + timedelta(hours=1),
        "Azerbaijan launches offensive in Nagorno-Karabakh",
        bbc_text,
        figures=[figure("killed", 50, "about", "a former official", "en")],
    )
    bbc_writer.version(
        start + timedelta(hours=22),
        "Azerbaijan launches offensive in Nagorno-Karabakh",
        bbc_text.replace("around 50", "nearly 100"),
        figures=[figure("killed", 100, "nearly", "a former official", "en")],
        figure_deltas=[
            delta("killed", 50, 100, "a former official", "about", "nearly")
        ],
    )
    return SeededStory(story, nos, bbc, nos_writer, bbc_writer)


def add_changes(article: Article, count: int, start: datetime) -> None:
    """Many small text changes, inserted in one go."""
    version = Version.objects.filter(article=article).order_by("-number").first()
    Change.objects.bulk_create(
        Change(
            article=article,
            from_version=version,
            to_version=None,
            kind=Change.Kind.TEXT,
            detected_at=start + timedelta(minutes=n),
            words_added=n % 30,
            words_removed=n % 7,
            summary=f"+{n % 30} −{n % 7} words, edit {n}",
        )
        for n in range(count)
    )
