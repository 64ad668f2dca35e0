import sys

from django.core.management.base import BaseCommand, CommandError

from stories import archive, exports
from stories.models import Story


class Command(BaseCommand):
    help = "Write a story archive (JSON) that `import_story` loads into any Newsroom."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--output", "-o", default="-", help="File, or - (stdout).")
        parser.add_argument(
            "--no-pages", action="store_true", help="Leave the stored pages out."
        )

    def handle(self, *args, slug: str, output: str, no_pages: bool, **options) -> None:
        story = Story.objects.filter(slug=slug).first()
        if story is None:
            raise CommandError(f"No story with slug {slug!r}.")
        text = exports.to_json(archive.dump_story(story, include_pages=not no_pages))
        if output == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(output, "w", encoding="utf-8") as out:
                out.write(text + "\n")
            self.stderr.write(f"Wrote {output}")
