from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stories.realpages import evaluate, pairs

# ../shared/realpages/pages next to the checkout (or next to its worktree folder).
_CANDIDATES = [
    base / "shared" / "realpages" / "pages"
    for base in (Path(settings.BASE_DIR).parent, Path(settings.BASE_DIR).parent.parent)
]
DEFAULT_PAGES = next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])


class Command(BaseCommand):
    help = (
        "Score extraction and change detection on real pages: token P/R/F1 of the "
        "extracted text against each page's expected content (ours and plain "
        "trafilatura), and per derived pair type (word, number, appended paragraph, "
        "headline; noise outside the article) whether a change is recorded."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "pages",
            nargs="?",
            default=str(DEFAULT_PAGES),
            help="Directory of <name>/source.html.gz + expected.html.gz "
            "(default: ../shared/realpages/pages).",
        )
        parser.add_argument("--only", nargs="*", help="Only these page names.")
        parser.add_argument(
            "--verbose", action="store_true", help="Also list F1 per page."
        )

    def handle(self, *args, pages: str, only, verbose: bool, **options) -> None:
        directory = Path(pages)
        if not directory.is_dir():
            raise CommandError(f"No such directory: {directory}")
        found = pairs.load_pages(directory)
        if only:
            found = [page for page in found if page.name in set(only)]
        if not found:
            raise CommandError(f"No pages (<name>/source.html.gz) in {directory}.")
        self.stderr.write(f"Scoring {len(found)} pages...")
        report = evaluate.evaluate(found, progress=evaluate.print_progress)
        for line in evaluate.format_report(report, verbose=verbose):
            self.stdout.write(line)
