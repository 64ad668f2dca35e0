import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stories import archive


class Command(BaseCommand):
    help = (
        "Load a story archive (from the story page's download or `export_story`) "
        "as a new story: articles, versions, changes and figures."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="The archive's JSON file, or - for stdin.")
        parser.add_argument("--slug", default="", help="Store under this slug.")
        parser.add_argument(
            "--retire",
            action="store_true",
            help="Store the articles as retired: kept as a record, never fetched.",
        )

    def handle(self, *args, path: str, slug: str, retire: bool, **options) -> None:
        try:
            raw = self.stdin.read() if path == "-" else Path(path).read_text("utf-8")
            data = json.loads(raw)
            story = archive.load_story(data, slug=slug, retire=retire)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except archive.ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        counts = archive.counts(story)
        self.stdout.write(
            f"Imported story “{story.title}” ({story.slug}): "
            "{articles} articles, {versions} versions, {changes} changes".format(
                **counts
            )
        )
