"""Scoring figure extraction against labelled sentences (the facts_examples format).

A file holds one JSON object a line: {"id", "lang", "text", "expected": [figure]},
figures in the schema of ../shared/fixtures/README.md. Scoring:

1. parse and check every line (parse_examples), naming the line of any error;
2. run stories.figures.find_figures on each text in its labelled language;
3. per sentence, match predicted to expected figures on match_key; within one key
   the claimant pairing comes first (sources_match), so a figure counts as a true
   positive on the "figure" score when the key matches and on the "claimant" score
   only when the source matches too;
4. add the counts up per language, per kind and overall (score_examples), and lay
   them out as a table (format_report).

Pure: no Django, no I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from stories.figures import engine
from stories.figures.model import Figure
from stories.figures.rules import KINDS, QUALIFIERS, RULES

LANGS: tuple[str, ...] = tuple(RULES)

Extractor = Callable[[str, str], list[Figure]]
MatchKey = tuple[Any, ...]


class ExampleError(ValueError):
    """A line of an examples file that does not follow the format."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class Example:
    """One labelled sentence (or paragraph) and the figures it should yield."""

    id: str
    lang: str
    text: str
    expected: tuple[Figure, ...]
    line: int


# --------------------------------------------------------------------------
# Comparing two figures

# Attribution is compared loosely: `attributed_to` is a short English description
# that the fixture authors wrote by hand, while the extractor glosses the source's
# own words. Both sides are lower-cased, reduced to words, and stripped of articles
# and "of/in"; every remaining word of the expected source must then appear in the
# extracted one ("the governor's office" matches "governor office"). None must
# match None.
_FILLER = frozenset(("a", "an", "the", "of", "in", "s"))


def _source_words(source: str | None) -> frozenset[str] | None:
    if source is None:
        return None
    return frozenset(w for w in re.findall(r"\w+", source.lower()) if w not in _FILLER)


def sources_match(expected: str | None, got: str | None) -> bool:
    """True when the extracted source names everything the expected one does."""
    e, g = _source_words(expected), _source_words(got)
    if e is None or g is None:
        return e is g
    return e <= g


def match_key(f: Figure) -> MatchKey:
    """What must be equal for two figures to be the same statement (claimant aside)."""
    return (
        f.kind,
        f.value,
        f.low,
        f.high,
        f.qualifier,
        f.superseded,
        f.background,
        f.magnitude,
    )


def describe_figure(f: Figure, *, with_source: bool = True) -> str:
    """Short one-line form for listings: "killed nearly 100 (per Armenia)"."""
    if f.qualifier == "range":
        amount = f"{f.low}-{f.high}"
    elif f.value is None:
        amount = f"~{f.magnitude}s" if f.magnitude else "?"
    else:
        amount = str(f.value)
    qualifier = "" if f.qualifier in ("exact", "range") else f"{f.qualifier} "
    flags = "".join(
        f" [{name}]"
        for name, on in (("superseded", f.superseded), ("background", f.background))
        if on
    )
    per = f" (per {f.attributed_to})" if f.attributed_to and with_source else ""
    return f"{f.kind} {qualifier}{amount}{flags}{per}"


# --------------------------------------------------------------------------
# Reading examples


def parse_examples(text: str) -> list[Example]:
    """Every example in a JSON-lines text; blank lines are skipped.

    Raises ExampleError naming the first line that is not a well-formed example.
    """
    examples: list[Example] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ExampleError(
                number, f"not valid JSON ({exc.msg}, column {exc.colno})"
            ) from exc
        example = _example_from(obj, number)
        if example.id in first_line:
            raise ExampleError(
                number,
                f"duplicate id {example.id!r} (first on line {first_line[example.id]})",
            )
        first_line[example.id] = number
        examples.append(example)
    return examples


def _example_from(obj: Any, line: int) -> Example:
    if not isinstance(obj, dict):
        raise ExampleError(line, f"expected a JSON object, got {type(obj).__name__}")
    for key, kind in (("id", str), ("lang", str), ("text", str), ("expected", list)):
        if key not in obj:
            raise ExampleError(line, f"missing {key!r}")
        if not isinstance(obj[key], kind):
            raise ExampleError(line, f"{key!r} must be a {_type_name(kind)}")
    if obj["lang"] not in LANGS:
        raise ExampleError(
            line, f"lang {obj['lang']!r} is not one of {', '.join(LANGS)}"
        )
    expected = tuple(
        _figure_from(fig, line, f"expected[{i}]")
        for i, fig in enumerate(obj["expected"])
    )
    return Example(obj["id"], obj["lang"], obj["text"], expected, line)


def _figure_from(d: Any, line: int, where: str) -> Figure:
    if not isinstance(d, dict):
        raise ExampleError(line, f"{where} must be a JSON object")
    for key in ("kind", "value", "qualifier"):
        if key not in d:
            raise ExampleError(line, f"{where} is missing {key!r}")
    if d["kind"] not in KINDS:
        raise ExampleError(line, f"{where}: unknown kind {d['kind']!r}")
    if d["qualifier"] not in QUALIFIERS:
        raise ExampleError(line, f"{where}: unknown qualifier {d['qualifier']!r}")
    for key in ("value", "low", "high", "magnitude"):
        v = d.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
            raise ExampleError(line, f"{where}: {key!r} must be an integer or null")
    if not isinstance(d.get("attributed_to"), str | None):
        raise ExampleError(line, f"{where}: 'attributed_to' must be a string or null")
    for key in ("superseded", "background"):
        if not isinstance(d.get(key, False), bool):
            raise ExampleError(line, f"{where}: {key!r} must be true or false")
    return Figure.from_dict(d)


def _type_name(kind: type) -> str:
    return {str: "string", list: "list"}[kind]


# --------------------------------------------------------------------------
# Counting


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives, and their scores."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Mistake:
    """One error in one example: a miss, a false positive or a wrong claimant."""

    example_id: str
    lang: str
    what: str  # miss | false_positive | claimant
    figure: Figure  # the expected figure, or the predicted one for false_positive
    got: Figure | None = None  # for claimant: the prediction with the other source


@dataclass(frozen=True)
class Row:
    """Scores for one group of examples or figures."""

    label: str
    figure: Counts  # matched on match_key
    claimant: Counts  # matched on match_key and sources_match
    sentences: int | None = None  # None for per-kind rows

    @property
    def expected(self) -> int:
        return self.figure.tp + self.figure.fn

    @property
    def predicted(self) -> int:
        return self.figure.tp + self.figure.fp


@dataclass(frozen=True)
class Report:
    overall: Row
    by_lang: tuple[Row, ...]
    by_kind: tuple[Row, ...]
    mistakes: tuple[Mistake, ...]


def _max_matching(
    left: Sequence[Figure], right: Sequence[Figure], ok: Callable[..., bool]
) -> dict[int, int]:
    """Largest pairing left index → right index with ok(left, right) (Kuhn)."""
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j, r in enumerate(right):
            if j not in seen and ok(left[i], r):
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(left)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


@dataclass(frozen=True)
class _Scored:
    example: Example
    figure: dict[str, Counts]  # per kind
    claimant: dict[str, Counts]
    mistakes: tuple[Mistake, ...]


def _score_example(example: Example, predicted: Sequence[Figure]) -> _Scored:
    groups: dict[MatchKey, tuple[list[Figure], list[Figure]]] = {}
    for f in example.expected:
        groups.setdefault(match_key(f), ([], []))[0].append(f)
    for f in predicted:
        groups.setdefault(match_key(f), ([], []))[1].append(f)
    figure: dict[str, Counts] = {}
    claimant: dict[str, Counts] = {}
    mistakes: list[Mistake] = []
    for key, (exp, got) in groups.items():
        kind = key[0]
        by_source = _max_matching(
            exp, got, lambda e, g: sources_match(e.attributed_to, g.attributed_to)
        )
        exp_left = [i for i in range(len(exp)) if i not in by_source]
        used = set(by_source.values())
        got_left = [j for j in range(len(got)) if j not in used]
        # Same statement, other source: right on the figure, wrong on the claimant.
        wrong_source = list(zip(exp_left, got_left, strict=False))
        n = len(wrong_source)
        figure[kind] = figure.get(kind, Counts()) + Counts(
            len(by_source) + n, len(got_left) - n, len(exp_left) - n
        )
        claimant[kind] = claimant.get(kind, Counts()) + Counts(
            len(by_source), len(got_left), len(exp_left)
        )
        for i, j in wrong_source:
            mistakes.append(
                Mistake(example.id, example.lang, "claimant", exp[i], got[j])
            )
        for i in exp_left[n:]:
            mistakes.append(Mistake(example.id, example.lang, "miss", exp[i]))
        for j in got_left[n:]:
            mistakes.append(Mistake(example.id, example.lang, "false_positive", got[j]))
    order = {"miss": 0, "false_positive": 1, "claimant": 2}
    mistakes.sort(key=lambda m: (order[m.what], KINDS.index(m.figure.kind)))
    return _Scored(example, figure, claimant, tuple(mistakes))


def _sum(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for c in counts:
        total = total + c
    return total


def score_examples(
    examples: Sequence[Example], extract: Extractor | None = None
) -> Report:
    """Run the extractor (find_figures by default) on every example and score it."""
    run = extract or (lambda text, lang: engine.find_figures(text, lang))
    scored = [_score_example(e, run(e.text, e.lang)) for e in examples]

    def row(label: str, items: list[_Scored], kind: str | None = None) -> Row:
        def pick(per_kind: dict[str, Counts]) -> Iterable[Counts]:
            return per_kind.values() if kind is None else [per_kind.get(kind, Counts())]

        return Row(
            label,
            _sum(c for s in items for c in pick(s.figure)),
            _sum(c for s in items for c in pick(s.claimant)),
            len(items) if kind is None else None,
        )

    langs = [lang for lang in LANGS if any(e.lang == lang for e in examples)]
    kinds = [k for k in KINDS if any(k in s.figure for s in scored)]
    return Report(
        overall=row("all", scored),
        by_lang=tuple(
            row(lang, [s for s in scored if s.example.lang == lang]) for lang in langs
        ),
        by_kind=tuple(row(k, scored, kind=k) for k in kinds),
        mistakes=tuple(m for s in scored for m in s.mistakes),
    )


# --------------------------------------------------------------------------
# Layout


def _score(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def format_report(report: Report, *, verbose: bool = False) -> list[str]:
    """The report as lines of text: the table, then (verbose) every mistake."""
    head = (
        f"{'':<16}{'sent':>5}{'exp':>5}{'pred':>5}   {'figure':<16}   figure + claimant"
    )
    sub = f"{'':<31}   {'P':>4}  {'R':>4}  {'F1':>4}   {'P':>4}  {'R':>4}  {'F1':>4}"

    def line(prefix: str, r: Row) -> str:
        sent = "" if r.sentences is None else str(r.sentences)
        scores = [
            _score(getattr(c, m))
            for c in (r.figure, r.claimant)
            for m in ("precision", "recall", "f1")
        ]
        return (
            f"{prefix + r.label:<16}{sent:>5}{r.expected:>5}{r.predicted:>5}"
            f"   {scores[0]:>4}  {scores[1]:>4}  {scores[2]:>4}"
            f"   {scores[3]:>4}  {scores[4]:>4}  {scores[5]:>4}"
        )

    lines = [head, sub, line("", report.overall)]
    lines += [line("lang ", r) for r in report.by_lang]
    lines += [line("kind ", r) for r in report.by_kind]
    if verbose:
        lines.append("")
        if not report.mistakes:
            lines.append("No misses, false positives or wrong claimants.")
        for m in report.mistakes:
            if m.what == "claimant":
                assert m.got is not None
                text = (
                    f"{describe_figure(m.figure, with_source=False)}: source "
                    f"{m.figure.attributed_to!r}, got {m.got.attributed_to!r}"
                )
            else:
                text = describe_figure(m.figure)
            lines.append(f"{m.example_id}  {m.what.replace('_', ' '):<14}  {text}")
    return lines
