"""How fast stories.figures.find_figures reads text, per language.

    .venv/bin/python bench/figures_bench.py [--seconds 1.0] [--against main]

For nl, en, de and fr it builds an article of about 1,000 words from the test
fixtures (the fixture story's paragraphs, for Dutch, then the facts_examples and
facts_dev sentences of the language, in order until the article passes 1,000
words) and times find_figures on it with time.process_time, repeating the call
until --seconds of CPU time have passed (the median of short batches counts). It
prints sentences per second and ms per 1,000-word article; it asserts nothing.

--against REF times the stories/ package of a git revision (exported to a
temporary folder) and this checkout's, in subprocesses taking turns for --rounds
rounds, on the same articles, and prints each round and the best per language:
on a shared machine the load changes from minute to minute, and turns keep it
from favouring one side.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# FIGURES_BENCH_CODE: where to import stories/ from (set by --against).
sys.path.insert(0, os.environ.get("FIGURES_BENCH_CODE", str(ROOT)))

from stories import figures  # noqa: E402 - needs the code root on sys.path

FIXTURES = ROOT / "tests" / "fixtures"
FACTS = (FIXTURES / "facts_examples.jsonl", FIXTURES / "facts_dev.jsonl")
STORIES = ROOT / "stories" / "demo"
LANGS = ("nl", "en", "de", "fr")
TARGET_WORDS = 1000

# Close to the engine's own split: a stop, then a capital, digit or quote.
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’»)]*\s+(?=[A-ZÀ-Ý0-9\"'“‘«„(])")


def count_sentences(text: str) -> int:
    return sum(
        len(_SENTENCE_END.split(p.strip())) for p in text.split("\n") if p.strip()
    )


def source_paragraphs(lang: str) -> list[str]:
    """The fixture texts of one language: story paragraphs, then facts sentences."""
    paragraphs: list[str] = []
    for truth_path in sorted(STORIES.glob("*/truth.json")):
        for article in json.loads(truth_path.read_text())["articles"]:
            if article["lang"] == lang:
                # The last version: the longest, and a superset of the others' text.
                paragraphs += article["versions"][-1]["body_paragraphs"]
    for path in FACTS:
        for line in path.read_text().splitlines():
            if line.strip():
                example = json.loads(line)
                if example["lang"] == lang:
                    paragraphs.append(example["text"])
    return paragraphs


def build_article(paragraphs: list[str]) -> str:
    """The paragraphs, cycled, until the text passes TARGET_WORDS words."""
    out: list[str] = []
    words = 0
    while words < TARGET_WORDS:
        for p in paragraphs:
            out.append(p)
            words += len(p.split())
            if words >= TARGET_WORDS:
                break
    return "\n\n".join(out)


def time_per_call(text: str, lang: str, seconds: float) -> tuple[float, int]:
    """Median CPU seconds of one find_figures call over short batches, and calls.

    The median of ~0.05 s batches rather than one long mean: a busy machine then
    spoils a few batches instead of the whole figure.
    """
    figures.find_figures(text, lang)  # warm the number-word cache, as in a worker
    per_call: list[float] = []
    calls = 0
    total = 0.0
    while total < seconds or len(per_call) < 5:
        n = 0
        start = time.process_time()
        while True:
            figures.find_figures(text, lang)
            n += 1
            elapsed = time.process_time() - start
            if elapsed >= 0.05:
                break
        per_call.append(elapsed / n)
        calls += n
        total += elapsed
    return statistics.median(per_call), calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds",
        type=float,
        default=1.0,
        help="CPU time to spend per language (default 1.0).",
    )
    parser.add_argument(
        "--against",
        metavar="REF",
        help="Also time the stories/ package of this git revision, taking turns.",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="Turns each with --against."
    )
    args = parser.parse_args()
    if args.against:
        run_against(args.against, args.seconds, args.rounds)
    else:
        measure(args.seconds, os.environ.get("FIGURES_BENCH_LABEL", "this checkout"))


def run_against(ref: str, seconds: float, rounds: int) -> None:
    """REF's stories/ package and this checkout's, in turns; then the best of each."""
    best: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "stories"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        for _ in range(rounds):
            for label, code in ((ref, tmp), ("this checkout", str(ROOT))):
                env = {**os.environ, "FIGURES_BENCH_CODE": code}
                env["FIGURES_BENCH_LABEL"] = label
                lines = subprocess.run(
                    [sys.executable, __file__, "--seconds", str(seconds)],
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                sys.stdout.write(lines + "\n")
                for lang, ms in _ms_per_1k_words(lines).items():
                    held = best.setdefault(label, {}).get(lang, float("inf"))
                    best[label][lang] = min(held, ms)
    sys.stdout.write(f"best of {rounds} rounds, ms per 1,000 words\n")
    sys.stdout.write(f"{'':<16}" + "".join(f"{lang:>8}" for lang in LANGS) + "\n")
    for label, per_lang in best.items():
        cells = "".join(f"{per_lang.get(lang, 0):>8.2f}" for lang in LANGS)
        sys.stdout.write(f"{label[:15]:<16}{cells}\n")


def _ms_per_1k_words(lines: str) -> dict[str, float]:
    """The ms/1k words column of measure()'s table, by language."""
    out = {}
    for line in lines.splitlines():
        cells = line.split()
        if cells and cells[0] in LANGS:
            out[cells[0]] = float(cells[6])
    return out


def measure(seconds: float, label: str) -> None:
    out = sys.stdout
    out.write(
        f"{label}: find_figures, Python {platform.python_version()} "
        f"on {platform.machine()}, "
        f"time.process_time, >= {seconds:g} s CPU per language\n\n"
    )
    out.write(
        f"{'lang':<5}{'words':>7}{'sent':>6}{'figures':>9}{'calls':>7}"
        f"{'ms/article':>12}{'ms/1k words':>13}{'sent/s':>9}\n"
    )
    for lang in LANGS:
        article = build_article(source_paragraphs(lang))
        words = len(article.split())
        sentences = count_sentences(article)
        found = len(figures.find_figures(article, lang))
        per_call, calls = time_per_call(article, lang, seconds)
        out.write(
            f"{lang:<5}{words:>7}{sentences:>6}{found:>9}{calls:>7}"
            f"{per_call * 1000:>12.2f}{per_call * 1000 * TARGET_WORDS / words:>13.2f}"
            f"{sentences / per_call:>9,.0f}\n"
        )


if __name__ == "__main__":
    main()
