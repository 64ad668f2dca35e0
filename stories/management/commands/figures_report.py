from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stories import figure_scoring


class Command(BaseCommand):
    help = (
        "Score figure extraction on a JSON-lines file in the facts_examples format: "
        "precision, recall and F1 per language and per kind, with and without the "
        "claimant."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="JSON lines: {id, lang, text, expected}.")
        parser.add_argument(
            "--lang",
            choices=figure_scoring.LANGS,
            help="Score only the examples in this language.",
        )
        parser.add_argument(
            "--verbose",
            action="store_true",
            help="List every miss, false positive and wrong claimant by sentence id.",
        )

    def handle(
        self, *args, file: str, lang: str | None, verbose: bool, **options
    ) -> None:
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {path}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            examples = figure_scoring.parse_examples(text)
        except figure_scoring.ExampleError as exc:
            raise CommandError(f"{path}, {exc}") from exc
        if lang is not None:
            examples = [e for e in examples if e.lang == lang]
        if not examples:
            which = f" in language {lang!r}" if lang else ""
            raise CommandError(f"No examples{which} in {path}.")

        report = figure_scoring.score_examples(examples)
        self.stdout.write(
            f"Figure extraction on {path.name}: {len(examples)} sentences, "
            f"{report.overall.expected} expected figures, "
            f"{report.overall.predicted} predicted."
        )
        self.stdout.write("")
        for line in figure_scoring.format_report(report, verbose=verbose):
            self.stdout.write(line)
