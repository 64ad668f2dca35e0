"""Run the grouping corpus (feeds -> checks -> grouping) and score the stories formed.

The corpus (``shared/fixtures/grouping``: outlets, feeds, pages, the true story of
every article) ships its own driver and scorer; this command runs both with this
checkout's code, once without editor stories and once with the corpus's
``editor.json``, streaming the driver's progress, and prints the scorer's report.

    .venv/bin/python manage.py grouping_report            # both modes
    .venv/bin/python manage.py grouping_report --mode none --gate

The driver makes its own scratch PostgreSQL database (``--db``, dropped and created
each run; it refuses to drop one it did not create).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

NO_EDITOR = {
    "about": "No editor stories: everything is formed by the product.",
    "stories": [],
}


def find_corpus(explicit: str | None) -> Path:
    """The corpus folder: --corpus, $NEWSROOM_GROUPING_CORPUS, or a shared/ above."""
    candidates = [explicit, os.environ.get("NEWSROOM_GROUPING_CORPUS")]
    base = Path(settings.BASE_DIR).resolve()
    candidates += [str(p / "shared/fixtures/grouping") for p in base.parents]
    for candidate in filter(None, candidates):
        path = Path(candidate)
        if (path / "drive.py").is_file() and (path / "score.py").is_file():
            return path
    raise CommandError(
        "grouping corpus not found: pass --corpus or set NEWSROOM_GROUPING_CORPUS"
    )


def run_mode(
    corpus: Path, editor: Path, db: str, out: Path, *, quiet: bool, stream
) -> tuple[bool, dict]:
    """Drive the corpus with this editor set-up: (gate passed, the scorer's result)."""
    command = [sys.executable, str(corpus / "drive.py"), "--out", str(out)]
    command += ["--db", db, "--editor", str(editor)] + (["--quiet"] if quiet else [])
    env = {**os.environ, "LOG_LEVEL": os.environ.get("LOG_LEVEL", "ERROR")}
    with subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as driver:
        for line in driver.stdout:
            stream.write("  " + line)
            stream.flush()
    if driver.returncode != 0:
        raise CommandError(f"drive.py failed (exit {driver.returncode})")
    scored = out.with_suffix(".score.json")
    report = subprocess.run(
        [
            "python3",
            str(corpus / "score.py"),
            str(out),
            "--json",
            str(scored),
            "--gate",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    stream.write(report.stdout + report.stderr)
    stream.write(story_titles(json.loads(out.read_text(encoding="utf-8"))))
    result = json.loads(scored.read_text(encoding="utf-8")) if scored.exists() else {}
    return report.returncode == 0, result


def story_titles(prediction: dict) -> str:
    """The listed stories the product ended with: title, articles, how it came."""
    lines = ["stories listed (title — articles — editor/grouping):"]
    for story in prediction.get("stories", []):
        if story.get("status") == "active" and len(story.get("articles", [])) > 1:
            made = "editor" if story.get("editor_label") else "grouping"
            lines.append(f"  {story['title']} — {len(story['articles'])} — {made}")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Run the grouping corpus through discovery and grouping; print the scores."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpus", help="the corpus folder (holds drive.py)")
        parser.add_argument(
            "--mode",
            choices=["both", "none", "editor"],
            default="both",
            help="none: no editor stories; editor: the corpus's editor.json",
        )
        parser.add_argument("--db", default="groupdev_report")
        parser.add_argument("--quiet", action="store_true", help="no per-step lines")
        parser.add_argument(
            "--gate", action="store_true", help="exit 1 unless every mode passes"
        )

    def handle(self, *args: object, **options: object) -> None:
        corpus = find_corpus(options["corpus"])
        modes = ["none", "editor"] if options["mode"] == "both" else [options["mode"]]
        failed = []
        with tempfile.TemporaryDirectory(prefix="grouping-report-") as tmp:
            no_editor = Path(tmp) / "no-editor.json"
            no_editor.write_text(json.dumps(NO_EDITOR), encoding="utf-8")
            for mode in modes:
                editor = no_editor if mode == "none" else corpus / "corpus/editor.json"
                self.stdout.write(f"== grouping corpus, editor stories: {mode} ==")
                out = Path(tmp) / f"pred-{mode}.json"
                passed, _ = run_mode(
                    corpus,
                    editor,
                    options["db"],
                    out,
                    quiet=options["quiet"],
                    stream=self.stdout,
                )
                if not passed:
                    failed.append(mode)
        if options["gate"] and failed:
            raise CommandError(f"corpus gate failed for: {', '.join(failed)}")
