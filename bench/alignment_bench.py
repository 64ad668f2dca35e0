"""How much CPU the sentence alignment of one change costs on hostile pages.

    .venv/bin/python bench/alignment_bench.py [--sizes 1000,4000,10000]

For each size N it builds a page of N one-line paragraphs (one sentence each,
about 43 bytes: 10,000 of them make the ~430 KB page of issue 15) and a second
version of it, then times stories.intelligence.classify_edits on the pair with
time.process_time. Two second versions:

- reworded: every sentence has one word replaced (nothing is equal, everything
  is alike);
- shuffled: every sentence kept, but in another order (everything moved);
- both: reworded and shuffled (everything moved and edited).

It prints the CPU seconds, the report's one-line summary and whether the coarse
path was taken; it asserts nothing.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stories import intelligence  # noqa: E402 - needs the repo root on sys.path

WORDS = """the army said troops had reached the town after heavy fighting near river
bridge where shelling killed civilians and wounded soldiers""".split()  # noqa: SIM905


def page(n: int, seed: int = 1) -> list[str]:
    """n distinct one-sentence paragraphs of about 43 bytes each."""
    rng = random.Random(seed)
    return [
        f"Line {i} {' '.join(rng.choice(WORDS) for _ in range(5))}." for i in range(n)
    ]


def reworded(lines: list[str]) -> list[str]:
    return [line.replace(" ", " new ", 1).replace("Line", "Item", 1) for line in lines]


def shuffled(lines: list[str]) -> list[str]:
    out = list(lines)
    random.Random(2).shuffle(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,4000,10000")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, classify_edits, CPU seconds")  # noqa: T201
    for n in (int(s) for s in args.sizes.split(",")):
        old = page(n)
        variants = (
            ("reworded", reworded),
            ("shuffled", shuffled),
            ("both", lambda lines: shuffled(reworded(lines))),
        )
        for name, make in variants:
            old_text, new_text = "\n\n".join(old), "\n\n".join(make(old))
            started = time.process_time()
            report = intelligence.classify_edits(old_text, new_text, "en")
            seconds = time.process_time() - started
            coarse = getattr(report, "coarse", False)
            print(  # noqa: T201
                f"{n:>6} paragraphs {len(new_text) / 1000:>6.0f} KB {name:<9} "
                f"{seconds:>7.2f} s  coarse={coarse!s:<5} {report.describe()}"
            )


if __name__ == "__main__":
    main()
