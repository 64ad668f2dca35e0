from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stories.figures import scoring

# The examples the extractor was written against, then the development set it is
# tuned on (a copy of ../shared/fixtures/facts_dev.jsonl).
DEFAULT_FILES = (
    Path(settings.BASE_DIR) / "tests" / "fixtures" / "facts_examples.jsonl",
    Path(settings.BASE_DIR) / "tests" / "fixtures" / "facts_dev.jsonl",
)


class Command(BaseCommand):
    help = (
        "Score figure extraction on JSON-lines files in the facts_examples format "
        "(by default facts_examples.jsonl and facts_dev.jsonl): precision, recall "
        "and F1 per language and per kind, with and without the claimant."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "files", nargs="*", help="JSON lines: {id, lang, text, expected}."
        )
        parser.add_argument(
            "--lang",
            choices=scoring.LANGS,
            help="Score only the examples in this language.",
        )
        parser.add_argument(
            "--verbose",
            action="store_true",
            help="List every miss, false positive and wrong claimant by sentence id.",
        )

    def handle(
        self, *args, files: list[str], lang: str | None, verbose: bool, **options
    ) -> None:
        paths = [Path(f) for f in files] or list(DEFAULT_FILES)
        for n, path in enumerate(paths):
            if n:
                self.stdout.write("")
            self._report(path, lang, verbose)

    def _report(self, path: Path, lang: str | None, verbose: bool) -> None:
        examples = _read_examples(path)
        if lang is not None:
            examples = [e for e in examples if e.lang == lang]
        if not examples:
            which = f" in language {lang!r}" if lang else ""
            raise CommandError(f"No examples{which} in {path}.")
        report = scoring.score_examples(examples)
        self.stdout.write(
            f"Figure extraction on {path.name}: {len(examples)} sentences, "
            f"{report.overall.expected} expected figures, "
            f"{report.overall.predicted} predicted."
        )
        self.stdout.write("")
        for line in scoring.format_report(report, verbose=verbose):
            self.stdout.write(line)


def _read_examples(path: Path) -> list[scoring.Example]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CommandError(f"No such file: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc
    try:
        return scoring.parse_examples(text)
    except scoring.ExampleError as exc:
        raise CommandError(f"{path}, {exc}") from exc
