"""Figures: casualty counts and similar numbers read out of article text.

The rules that make a number a figure live in per-language tables
(stories/figure_rules/); this module is the small engine that applies them one
sentence at a time:

1. split the text into paragraphs and sentences, a sentence into tokens;
2. find number expressions (digits in the language's format, number words,
   vague quantities such as "tientallen", fixed phrases such as "a dozen");
3. drop what is not a figure (times, years, ages, units, money, counters, names);
4. pair ranges ("tussen 40 en 50") and revisions ("van 95 tot ruim 200");
5. give each number a kind from the nearest kind word (head noun first, then
   forward, then backward), a qualifier from the hedge word before it, and the
   sentence-level facts: source, estimate, forecast, denial, superseded, background.

Pure: no Django, no I/O after import.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from stories.figure_rules import KINDS, RULES, Rules

__all__ = [
    "Figure",
    "FigureDelta",
    "compare_figures",
    "detect_language",
    "find_figures",
]


@dataclass(frozen=True)
class Figure:
    """One figure as stated in one sentence; offsets are the sentence's."""

    kind: str
    value: int | None
    low: int | None
    high: int | None
    qualifier: str
    attributed_to: str | None
    lang: str
    superseded: bool = False
    background: bool = False
    magnitude: int | None = None
    sentence: str = ""
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict in the fixtures/README.md schema."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Figure:
        """Inverse of to_dict; tolerates the optional keys being absent."""
        return cls(
            kind=d["kind"],
            value=d.get("value"),
            low=d.get("low"),
            high=d.get("high"),
            qualifier=d.get("qualifier", "exact"),
            attributed_to=d.get("attributed_to"),
            lang=d.get("lang", ""),
            superseded=bool(d.get("superseded", False)),
            background=bool(d.get("background", False)),
            magnitude=d.get("magnitude"),
            sentence=d.get("sentence", ""),
            start=int(d.get("start", 0)),
            end=int(d.get("end", 0)),
        )

    @property
    def is_current(self) -> bool:
        return not (self.superseded or self.background)


@dataclass(frozen=True)
class FigureDelta:
    """How one (kind, claimant) figure differs between two versions."""

    kind: str
    change: str  # revised | added | removed
    old: int | None
    new: int | None
    old_qualifier: str | None
    new_qualifier: str | None
    attributed_to: str | None

    def describe(self) -> str:
        """One line for timelines and alerts."""
        per = f" (per {self.attributed_to})" if self.attributed_to else ""
        old = _render(self.old, self.old_qualifier)
        new = _render(self.new, self.new_qualifier)
        if self.change == "removed":
            return f"{self.kind}: {old} removed{per}"
        if self.change == "added":
            return f"{self.kind}: {new} added{per}"
        return f"{self.kind}: {old} → {new}{per}"


_QUALIFIER_WORDS = {
    "exact": "",
    "at_least": "at least ",
    "more_than": "more than ",
    "nearly": "nearly ",
    "about": "about ",
    "up_to": "up to ",
    "fewer_than": "fewer than ",
    "range": "from ",
}


def _render(value: int | None, qualifier: str | None) -> str:
    if value is None:
        return "an unspecified number"
    return f"{_QUALIFIER_WORDS.get(qualifier or 'exact', '')}{value:,}"


# --------------------------------------------------------------------------
# Tokens and phrase tables

# Atomic group: "2.4K" and "63-year-old" must not leave a bare number behind.
_TOKEN_RE = re.compile(
    r"(?P<num>(?>\d+(?:[.,:]\d+)*)(?!\w)(?!-\D))"
    r"|(?P<word>\w+(?:[-'’.]\w+)*)"
    r"|(?P<punct>\S)"
)
# French groups thousands with a space, a no-break space or a narrow one.
_FR_NUM_RE = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d])")
_YEAR_RE = re.compile(r"^(1[89]\d\d|20\d\d|2100)$")


@dataclass(frozen=True, slots=True)
class _Tok:
    text: str
    low: str
    start: int
    end: int
    type: str  # num | word | punct


def _tokenize(text: str, lang: str) -> list[_Tok]:
    spans: list[tuple[int, int, str]] = []
    pos = 0
    if lang == "fr":
        for m in _FR_NUM_RE.finditer(text):
            spans.extend(_scan(text, pos, m.start()))
            spans.append((m.start(), m.end(), "num"))
            pos = m.end()
    spans.extend(_scan(text, pos, len(text)))
    out = []
    for s, e, t in spans:
        raw = text[s:e]
        out.append(_Tok(raw, raw.lower().replace("’", "'"), s, e, t))
    return out


def _scan(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [
        (m.start(), m.end(), m.lastgroup or "punct")
        for m in _TOKEN_RE.finditer(text, start, end)
    ]


class _Phrases:
    """A phrase table keyed by first token; longest phrase wins."""

    def __init__(self, items: dict[str, Any] | tuple[str, ...] | list[str]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
        pairs = items.items() if isinstance(items, dict) else ((p, p) for p in items)
        for phrase, payload in pairs:
            toks = tuple(t.low for t in _tokenize(phrase, ""))
            if toks:
                self.by_first.setdefault(toks[0], []).append((toks, payload))
        for lst in self.by_first.values():
            lst.sort(key=lambda x: -len(x[0]))
        self.max_len = max(
            (len(p) for v in self.by_first.values() for p, _ in v), default=0
        )

    def at(self, toks: list[_Tok], i: int) -> tuple[int, Any] | None:
        """The longest phrase starting at token i: (length, payload)."""
        if i >= len(toks):
            return None
        for phrase, payload in self.by_first.get(toks[i].low, ()):
            n = len(phrase)
            if i + n <= len(toks) and all(
                toks[i + k].low == phrase[k] for k in range(1, n)
            ):
                return n, payload
        return None

    def ending_at(self, toks: list[_Tok], j: int) -> tuple[int, Any] | None:
        """The longest phrase whose last token is toks[j - 1]."""
        for n in range(min(self.max_len, j), 0, -1):
            hit = self.at(toks, j - n)
            if hit and hit[0] == n:
                return hit
        return None

    def anywhere(self, toks: list[_Tok], start: int = 0, end: int | None = None) -> int:
        """Index of the first phrase occurrence in toks[start:end], or -1."""
        stop = len(toks) if end is None else end
        for i in range(start, stop):
            if toks[i].low in self.by_first and self.at(toks, i):
                return i
        return -1


@dataclass(frozen=True)
class _Compiled:
    rules: Rules
    hedges: _Phrases
    estimate: _Phrases
    kinds: _Phrases
    not_after: _Phrases
    not_before: _Phrases
    months: frozenset[str]
    vague: _Phrases
    fixed: _Phrases
    multipliers: dict[str, int]
    range_open: _Phrases
    joins: frozenset[str]
    forecast: _Phrases
    denial: _Phrases
    superseded: tuple[tuple[_Phrases, ...], ...]
    background_preps: _Phrases
    attribution_preps: _Phrases
    speech: _Phrases
    stop: frozenset[str]
    auxiliaries: frozenset[str]
    next_cues: _Phrases
    zero_det: _Phrases
    zero_pron: _Phrases
    number_pieces: dict[str, int | None]  # None marks a connector
    # First words of vague/fixed/zero phrases: a sentence without any of them, a
    # digit or a number word holds no figure and is skipped early.
    number_starts: frozenset[str]
    word_cache: dict[str, tuple[int | None, ...] | None]


# Words that may sit inside a source's name but never end it.
_NP_FUNCTION_WORDS = frozenset(
    ("van", "de", "het", "een", "in", "op", "of", "the", "a", "an", "and")
    + ("der", "die", "das", "den", "des", "von", "und")
    + ("le", "la", "les", "du", "et", "l'", "d'")
)


def _compile(rules: Rules) -> _Compiled:
    kind_phrases = {p: kind for kind, ps in rules.kinds.items() for p in ps}
    pieces: dict[str, int | None] = {**rules.units, **rules.tens, **rules.scales}
    pieces.update(dict.fromkeys(rules.connectors))
    return _Compiled(
        rules=rules,
        hedges=_Phrases(rules.hedges),
        estimate=_Phrases(rules.estimate_cues),
        kinds=_Phrases(kind_phrases),
        not_after=_Phrases(rules.not_figure_after),
        not_before=_Phrases(rules.not_figure_before),
        months=frozenset(rules.months),
        vague=_Phrases(rules.vague),
        fixed=_Phrases(rules.fixed),
        multipliers=rules.multipliers,
        range_open=_Phrases(rules.range_open),
        joins=frozenset(rules.range_join + rules.range_bare_join + rules.revision_to),
        forecast=_Phrases(rules.forecast_cues),
        denial=_Phrases(rules.denial_cues),
        superseded=tuple(
            tuple(_Phrases((p,)) for p in cue) for cue in rules.superseded_cues
        ),
        background_preps=_Phrases(rules.background_preps),
        attribution_preps=_Phrases(rules.attribution_preps),
        speech=_Phrases(rules.speech_verbs),
        stop=frozenset(rules.attribution_stop),
        auxiliaries=frozenset(rules.auxiliaries),
        next_cues=_Phrases(rules.next_sentence_cues),
        zero_det=_Phrases(rules.zero_determiners),
        zero_pron=_Phrases(rules.zero_pronouns),
        number_pieces=pieces,
        number_starts=frozenset(
            p.split()[0]
            for p in (
                *rules.vague,
                *rules.fixed,
                *rules.zero_determiners,
                *rules.zero_pronouns,
            )
        ),
        word_cache={},
    )


_COMPILED: dict[str, _Compiled] = {lang: _compile(r) for lang, r in RULES.items()}


# --------------------------------------------------------------------------
# Language


def detect_language(text: str) -> str:
    """Best guess among nl/en/de/fr from function-word counts; "en" when unsure."""
    words = re.findall(r"[^\W\d_]+", text[:4000].lower())
    best, best_score = "en", 0
    for lang, rules in RULES.items():
        stop = set(rules.stopwords)
        score = sum(1 for w in words if w in stop)
        if score > best_score:
            best, best_score = lang, score
    return best


# --------------------------------------------------------------------------
# Numbers


@dataclass
class _Num:
    i: int  # first token
    j: int  # one past the last token
    value: int | None
    qualifier: str | None = None  # set by fixed phrases and vague words
    magnitude: int | None = None
    is_year: bool = False


def _parse_digits(raw: str, rules: Rules) -> float | None:
    """ "2.300" nl → 2300; "2,300" en → 2300; "2,5" nl → 2.5; "11.00" nl → None."""
    s = raw.replace("\u00a0", " ").replace("\u202f", " ")
    if len(s) > 20:  # no head count has that many digits; int() would refuse
        return None
    if s.isdigit():
        return int(s)
    seps = {rules.thousands_sep}
    if rules.lang == "fr":
        seps = {" ", "."}
    for sep in seps:
        if re.fullmatch(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+", s):
            return int(s.replace(sep, ""))
    if re.fullmatch(r"\d+" + re.escape(rules.decimal_sep) + r"\d+", s):
        return float(s.replace(rules.decimal_sep, "."))
    return None


def _parse_word(word: str, c: _Compiled) -> tuple[int | None, ...] | None:
    """Split one number word ("tweeëntwintig", "twenty-three") into its pieces."""
    if word in c.word_cache:
        return c.word_cache[word]
    if len(c.word_cache) > 50_000:  # bounded: article text is untrusted
        c.word_cache.clear()
    result = c.word_cache[word] = _split_number_word(word, c)
    return result


def _split_number_word(word: str, c: _Compiled) -> tuple[int | None, ...] | None:
    w = word.replace("quatre-vingt", "quatrevingt")
    result: list[int | None] = []
    for part in re.split(r"[-‐]", w):
        seg = _segment(part, c.number_pieces)
        if seg is None:
            return None
        result.extend(seg)
    if not result or result[0] is None or result[-1] is None:
        return None
    return tuple(result)


def _segment(part: str, pieces: dict[str, int | None]) -> list[int | None] | None:
    if part in pieces:
        return [pieces[part]]
    # Compounds are written as one word in nl and de: "tweehonderd", "dreiundzwanzig".
    for n in range(len(part) - 1, 1, -1):
        head = part[:n]
        if head in pieces:
            rest = _segment(part[n:], pieces)
            if rest is not None:
                return [pieces[head], *rest]
    return None


def _evaluate(pieces: list[int | None]) -> int:
    total, current = 0, 0
    for v in pieces:
        if v is None:
            continue
        if v == 100:
            current = max(current, 1) * 100
        elif v == 1000:
            total += max(current, 1) * 1000
            current = 0
        else:
            current += v
    return total + current


def _number_at(toks: list[_Tok], i: int, c: _Compiled) -> _Num | None:
    """The number expression starting at token i, if any (not yet judged)."""
    hit = c.vague.at(toks, i)
    if hit:
        return _Num(i, i + hit[0], None, "about", hit[1])
    hit = c.fixed.at(toks, i)
    if hit:
        value, qualifier = hit[1]
        return _Num(i, i + hit[0], value, qualifier)
    tok = toks[i]
    value: float | None
    if tok.type == "num":
        value = _parse_digits(tok.text, c.rules)
        if value is None:
            return _Num(i, i + 1, None, qualifier="not_a_count")
        j = i + 1
        is_year = isinstance(value, int) and bool(_YEAR_RE.match(tok.text))
    elif tok.type == "word":
        pieces: list[int | None] = []
        j = i
        while j < len(toks) and toks[j].type == "word":
            seg = _parse_word(toks[j].low, c)
            if seg is None:
                if toks[j].low in c.rules.connectors and pieces:
                    nxt = _parse_word(toks[j + 1].low, c) if j + 1 < len(toks) else None
                    if nxt:
                        j += 1
                        continue
                break
            pieces.extend(seg)
            j += 1
        if not pieces:
            return None
        if j == i + 1 and tok.low in c.rules.ambiguous_number_words:
            return None
        value = _evaluate(pieces)
        is_year = False
    else:
        return None
    if j < len(toks) and toks[j].low in c.multipliers:
        value = value * c.multipliers[toks[j].low]
        j += 1
        is_year = False
    if isinstance(value, float):
        if not value.is_integer():
            return _Num(i, j, None, qualifier="not_a_count")
        value = int(value)
    return _Num(i, j, int(value), is_year=is_year)


def _is_not_figure(
    toks: list[_Tok], n: _Num, c: _Compiled, sentence_start: int
) -> bool:
    """Times, years, ages, units, money, counters, dates and names."""
    if n.qualifier == "not_a_count":
        return True
    j = n.j
    # "45 und 52 Jahren": the unit after the second number also rules out the first.
    if (
        j + 1 < len(toks)
        and toks[j].low in (c.joins | set(c.rules.connectors))
        and toks[j + 1].type == "num"
    ):
        j += 2
    if j < len(toks):
        if c.not_after.at(toks, j):
            return True
        if toks[j].low in c.months:
            return True
    if c.not_before.ending_at(toks, n.i):
        return True
    prev = toks[n.i - 1] if n.i > sentence_start else None
    if prev is not None and prev.low in c.months:
        return True
    if n.is_year and not (n.j < len(toks) and c.kinds.at(toks, n.j)):
        return True
    # "Interstate 84", "Route 66": a capitalised word glued before a bare number.
    return (
        prev is not None
        and c.rules.lang != "de"
        and toks[n.i].type == "num"
        and prev.type == "word"
        and prev.text[:1].isupper()
        and n.i - 1 > sentence_start
        and not c.hedges.ending_at(toks, n.i)
        and not (n.j < len(toks) and c.kinds.at(toks, n.j))
    )


# --------------------------------------------------------------------------
# Sentences


@dataclass
class _Sentence:
    text: str
    start: int
    end: int
    paragraph: int


_BOUNDARY_RE = re.compile(r"[.!?]+[\"'”’»)]*\s+")


def _split_sentences(text: str) -> list[_Sentence]:
    out: list[_Sentence] = []
    for p_idx, para in enumerate(re.finditer(r"[^\n]+", text)):
        p_start = para.start()
        chunk = para.group()
        pos = 0
        for m in _BOUNDARY_RE.finditer(chunk):
            nxt = chunk[m.end() : m.end() + 1]
            if not nxt or not (nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘«„("):
                continue
            _add_sentence(out, chunk, pos, m.end(), p_start, p_idx)
            pos = m.end()
        _add_sentence(out, chunk, pos, len(chunk), p_start, p_idx)
    return out


def _add_sentence(
    out: list[_Sentence], chunk: str, s: int, e: int, base: int, p: int
) -> None:
    raw = chunk[s:e]
    lead = len(raw) - len(raw.lstrip())
    body = raw.strip()
    if body:
        out.append(_Sentence(body, base + s + lead, base + s + lead + len(body), p))


# --------------------------------------------------------------------------
# Sources


def _noun_phrase(toks: list[_Tok], i: int, step: int, c: _Compiled) -> list[_Tok]:
    """Tokens of the source named from toks[i] on (step=1) or back (step=-1)."""
    got: list[_Tok] = []
    k = i
    if step < 0:
        while 0 <= k < len(toks) and toks[k].low in c.auxiliaries:
            k -= 1
    while 0 <= k < len(toks) and len(got) < 8:
        t = toks[k]
        if t.type != "word" or t.low in c.stop:
            break
        if (
            c.hedges.at(toks, k)
            or c.kinds.at(toks, k)
            or c.speech.at(toks, k)
            or c.attribution_preps.at(toks, k)
            or _number_at(toks, k, c)
        ):
            break
        got.append(t)
        k += step
    if step < 0:
        got.reverse()
    while got and got[-1].low in _NP_FUNCTION_WORDS:
        got.pop()
    return got


def _find_source(toks: list[_Tok], c: _Compiled) -> str | None:
    i = c.attribution_preps.anywhere(toks)
    if i >= 0:
        n = c.attribution_preps.at(toks, i)
        assert n is not None
        np = _noun_phrase(toks, i + n[0], 1, c)
        if np:
            return _gloss(np, c)
    i = c.speech.anywhere(toks)
    while i >= 0:
        n = c.speech.at(toks, i)
        assert n is not None
        np = _noun_phrase(toks, i + n[0], 1, c) or _noun_phrase(toks, i - 1, -1, c)
        if np:
            return _gloss(np, c)
        i = c.speech.anywhere(toks, i + n[0])
    return None


def _gloss(np: list[_Tok], c: _Compiled) -> str:
    """The source in short English, word by word from the language's gloss table."""
    gloss = c.rules.gloss
    words = []
    for t in np:
        low = t.low
        if low[:2] in ("l'", "d'") and len(low) > 2:
            words.append("the" if low[0] == "l" else "of")
            low, text = low[2:], t.text[2:]
        else:
            text = t.text
        words.append(gloss.get(low, text))
    return " ".join(words)


# --------------------------------------------------------------------------
# The engine


@dataclass
class _Found:
    kind: str
    value: int | None
    low: int | None
    high: int | None
    qualifier: str
    magnitude: int | None
    superseded: bool
    token: int


def _has_cue(toks: list[_Tok], cue: tuple[_Phrases, ...]) -> bool:
    return all(p.anywhere(toks) >= 0 for p in cue)


def _kind_for(
    toks: list[_Tok], i: int, j: int, lo: int, hi: int, c: _Compiled
) -> str | None:
    """Kind of the number spanning toks[i:j]: head noun, then forward, then back."""
    k = j
    while k < hi and (
        toks[k].type == "punct"
        and toks[k].low not in ";:"
        or toks[k].low in ("de", "of", "d'", "van")
    ):
        k += 1
    for k2 in range(k, hi):
        if toks[k2].low in (";", ":"):
            break
        hit = c.kinds.at(toks, k2)
        if hit:
            after = k2 + hit[0]
            hedge = c.hedges.at(toks, after)
            if hi < len(toks) and after + (hedge[0] if hedge else 0) == hi:
                break  # "..., killing 20": the kind word belongs to the next number
            return hit[1]
    for k2 in range(i - 1, lo - 1, -1):
        if toks[k2].low in (";", ":"):
            break
        hit = c.kinds.at(toks, k2)
        if hit:
            return hit[1]
    return None


def _figures_in(toks: list[_Tok], c: _Compiled) -> list[_Found]:
    if not any(
        t.type == "num"
        or t.low in c.number_starts
        or (t.type == "word" and _parse_word(t.low, c))
        for t in toks
    ):
        return []
    rules = c.rules
    nums: list[_Num] = []
    i = 0
    while i < len(toks):
        pron = c.zero_pron.at(toks, i)
        if pron:  # "no one", not the number one
            i += pron[0]
            continue
        n = _number_at(toks, i, c)
        if n is None:
            i += 1
            continue
        if not _is_not_figure(toks, n, c, 0):
            nums.append(n)
        i = n.j

    # Pair ranges and revisions into groups of one or two numbers.
    groups: list[tuple[_Num, _Num | None, str]] = []  # (a, b, "single|range|revision")
    changed = any(t.low in rules.change_verbs for t in toks)
    k = 0
    while k < len(nums):
        a = nums[k]
        b = nums[k + 1] if k + 1 < len(nums) else None
        kind = "single"
        if b is not None:
            between = toks[a.j : b.i]
            join = between[0].low if between else ""
            # Whatever follows the join word must be a hedge: "van 95 tot ruim 200".
            hedge_b = c.hedges.at(toks, a.j + 1) if len(between) > 1 else None
            gap = len(between) - (hedge_b[0] if hedge_b else 0)
            before_a = a.i - (h[0] if (h := c.hedges.ending_at(toks, a.i)) else 0)
            if (
                gap == 1
                and c.range_open.ending_at(toks, a.i)
                and join in rules.range_join
            ):
                kind = "range"
            elif (
                gap == 1
                and join in rules.revision_to
                and changed
                and before_a > 0
                and toks[before_a - 1].low in rules.revision_from
            ):
                kind = "revision"
            elif gap == 1 and join in rules.range_bare_join and not hedge_b:
                kind = "range"
        if kind == "single":
            groups.append((a, None, kind))
            k += 1
        else:
            groups.append((a, b, kind))
            k += 2

    estimate = c.estimate.anywhere(toks) >= 0
    forecast_at = c.forecast.anywhere(toks)
    denied = c.denial.anywhere(toks) >= 0
    found: list[_Found] = []
    for g_idx, (a, b, gkind) in enumerate(groups):
        last = b or a
        lo = (
            groups[g_idx - 1][1].j
            if g_idx and groups[g_idx - 1][1]
            else (groups[g_idx - 1][0].j if g_idx else 0)
        )
        hi = groups[g_idx + 1][0].i if g_idx + 1 < len(groups) else len(toks)
        kind = _kind_for(toks, a.i, last.j, lo, hi, c)
        if kind is None or denied or 0 <= forecast_at < a.i:
            continue
        if gkind == "range":
            found.append(
                _Found(kind, a.value, a.value, b.value, "range", None, False, a.i)
            )
            continue
        for n, old in ((a, gkind == "revision"), (b, False)):
            if n is None:
                continue
            hedge = c.hedges.ending_at(toks, n.i)
            qualifier = n.qualifier or (hedge[1] if hedge else "exact")
            if (
                qualifier == "up_to"
                and hedge
                and toks[n.i - hedge[0] - 1 : n.i - hedge[0]]
                and (toks[n.i - hedge[0] - 1].low in rules.change_verbs)
            ):
                qualifier = "exact"  # "opgelopen tot 200": the figure rose to 200
            if qualifier == "exact" and estimate:
                qualifier = "about"
            found.append(
                _Found(kind, n.value, None, None, qualifier, n.magnitude, old, n.i)
            )

    # Zero statements: "geen doden", "no injuries", "aucun blessé", "niemand gewond".
    for idx in range(len(toks)):
        hit = c.zero_det.at(toks, idx)
        if hit:
            kh = c.kinds.at(toks, idx + hit[0])
            if kh:
                found.append(_Found(kh[1], 0, None, None, "exact", None, False, idx))
                continue
        hit = c.zero_pron.at(toks, idx)
        if hit:
            for k2 in range(idx + hit[0], min(len(toks), idx + hit[0] + 5)):
                if toks[k2].type == "punct":
                    break
                kh = c.kinds.at(toks, k2)
                if kh:
                    found.append(
                        _Found(kh[1], 0, None, None, "exact", None, False, idx)
                    )
                    break
    found.sort(key=lambda f: f.token)
    return found


def find_figures(
    text: str, lang: str | None = None, *, reference_year: int | None = None
) -> list[Figure]:
    """Every figure stated in text, in order, each listed once.

    reference_year is the year the text was written in: "in <year>" marks a figure
    as background only for earlier years. Without it every "in <year>" does.
    """
    lang = lang if lang in _COMPILED else detect_language(text)
    c = _COMPILED[lang]
    sentences = _split_sentences(text)
    tokenized = [_tokenize(s.text, lang) for s in sentences]
    per_sentence = [_figures_in(t, c) for t in tokenized]
    figures: list[Figure] = []
    seen: set[tuple[Any, ...]] = set()
    for idx, (sent, toks, found) in enumerate(
        zip(sentences, tokenized, per_sentence, strict=True)
    ):
        if not found:
            continue
        source = _find_source(toks, c)
        if source is None and idx + 1 < len(sentences):
            nxt = sentences[idx + 1]
            ntoks = tokenized[idx + 1]
            if (
                nxt.paragraph == sent.paragraph
                and not per_sentence[idx + 1]
                and c.next_cues.at(ntoks, 0)
            ):
                source = _find_source(ntoks, c)
        superseded = any(_has_cue(toks, cue) for cue in c.superseded)
        background = _mentions_past_year(toks, c, reference_year)
        for f in found:
            fig = Figure(
                kind=f.kind,
                value=f.value,
                low=f.low,
                high=f.high,
                qualifier=f.qualifier,
                attributed_to=source,
                lang=lang,
                superseded=f.superseded or superseded,
                background=background,
                magnitude=f.magnitude,
                sentence=sent.text,
                start=sent.start,
                end=sent.end,
            )
            key = (
                fig.kind,
                fig.value,
                fig.low,
                fig.high,
                fig.qualifier,
                _claimant_key(source),
                fig.superseded,
                fig.background,
                fig.magnitude,
            )
            if key not in seen:
                seen.add(key)
                figures.append(fig)
    return figures


def _mentions_past_year(
    toks: list[_Tok], c: _Compiled, reference_year: int | None
) -> bool:
    """ "in 2017" in the sentence: the figure is about an earlier event."""
    for k, t in enumerate(toks):
        if (
            t.type == "num"
            and _YEAR_RE.match(t.text)
            and c.background_preps.ending_at(toks, k)
            # The article's own year (or a later one) is the event being reported.
            and (reference_year is None or int(t.text) < reference_year)
        ):
            return True
    return False


# --------------------------------------------------------------------------
# Comparison

_CLAIMANT_FILLER = frozenset(("a", "an", "the", "of", "in", "for", "from"))


def _claimant_tokens(claimant: str | None) -> tuple[str, ...]:
    if not claimant:
        return ()
    words = re.findall(r"\w+", claimant.lower().replace("'s", ""))
    return tuple(w for w in words if w not in _CLAIMANT_FILLER)


def _claimant_key(claimant: str | None) -> str:
    return " ".join(_claimant_tokens(claimant))


def _claimant_similarity(a: str | None, b: str | None) -> float:
    """Share of words in common, "Armenia" matching "Armenian" by prefix."""
    ta, tb = _claimant_tokens(a), _claimant_tokens(b)
    if not ta or not tb:
        return 1.0 if ta == tb else 0.0
    hits = sum(
        1
        for x in ta
        if any(
            x == y
            or (min(len(x), len(y)) >= 4 and (x.startswith(y) or y.startswith(x)))
            for y in tb
        )
    )
    return hits / max(len(ta), len(tb))


def _same_statement(a: Figure, b: Figure) -> bool:
    return (a.kind, a.value, a.low, a.high, a.qualifier, a.magnitude) == (
        b.kind,
        b.value,
        b.low,
        b.high,
        b.qualifier,
        b.magnitude,
    )


_Matcher = Callable[[Figure, list[tuple[int, Figure]]], int | None]


def compare_figures(old: list[Figure], new: list[Figure]) -> list[FigureDelta]:
    """Changes between the current figures of two versions.

    1. Unchanged: same kind and statement, same (then similar) claimant.
    2. Revised: same kind and same claimant, another value.
    3. Revised: an old figure the new text keeps as superseded was replaced by
       the new figure of that kind whose claimant is most alike.
    4. Revised: same kind, similar claimant (or the only figure of its kind on
       both sides, one of them unattributed).
    5. What is left was removed (old) or added (new).
    """
    olds = [f for f in old if f.is_current]
    news = [f for f in new if f.is_current]
    kept_superseded = [f for f in new if f.superseded]
    o_left = dict(enumerate(olds))
    n_left = dict(enumerate(news))
    pairs: list[tuple[int, int]] = []

    def take(match: _Matcher) -> None:
        for oi, o in list(o_left.items()):
            cands = [(ni, n) for ni, n in n_left.items() if n.kind == o.kind]
            best = match(o, cands)
            if best is not None:
                pairs.append((oi, best))
                del o_left[oi]
                del n_left[best]

    def unchanged(exact: bool) -> _Matcher:
        def match(o: Figure, cands: list[tuple[int, Figure]]) -> int | None:
            for ni, n in cands:
                if _same_statement(o, n) and (
                    _claimant_key(o.attributed_to) == _claimant_key(n.attributed_to)
                    if exact
                    else _claimant_similarity(o.attributed_to, n.attributed_to) > 0
                ):
                    return ni
            return None

        return match

    take(unchanged(True))
    take(unchanged(False))
    unchanged_pairs = set(pairs)

    def same_claimant(o: Figure, cands: list[tuple[int, Figure]]) -> int | None:
        for ni, n in cands:
            if _claimant_key(o.attributed_to) == _claimant_key(n.attributed_to):
                return ni
        return None

    def most_alike(o: Figure, cands: list[tuple[int, Figure]]) -> int | None:
        if not cands:
            return None
        return max(
            cands,
            key=lambda c: _claimant_similarity(o.attributed_to, c[1].attributed_to),
        )[0]

    def replaced(o: Figure, cands: list[tuple[int, Figure]]) -> int | None:
        if any(
            _same_statement(o, s)
            and _claimant_similarity(o.attributed_to, s.attributed_to) > 0
            for s in kept_superseded
        ):
            return most_alike(o, cands)
        return None

    def similar(o: Figure, cands: list[tuple[int, Figure]]) -> int | None:
        scored = [
            (c, _claimant_similarity(o.attributed_to, c[1].attributed_to))
            for c in cands
        ]
        scored = [x for x in scored if x[1] > 0]
        if scored:
            return max(scored, key=lambda x: x[1])[0][0]
        same_kind_old = [f for f in o_left.values() if f.kind == o.kind]
        if (
            len(cands) == 1
            and len(same_kind_old) == 1
            and (o.attributed_to is None or cands[0][1].attributed_to is None)
        ):
            return cands[0][0]
        return None

    take(same_claimant)
    take(replaced)
    take(similar)

    deltas: list[tuple[tuple[int, int], FigureDelta]] = []
    for oi, ni in pairs:
        if (oi, ni) in unchanged_pairs:
            continue
        o, n = olds[oi], news[ni]
        deltas.append(
            (
                (KINDS.index(o.kind), oi),
                FigureDelta(
                    o.kind,
                    "revised",
                    o.value,
                    n.value,
                    o.qualifier,
                    n.qualifier,
                    n.attributed_to or o.attributed_to,
                ),
            )
        )
    for oi, o in o_left.items():
        deltas.append(
            (
                (KINDS.index(o.kind), oi),
                FigureDelta(
                    o.kind, "removed", o.value, None, o.qualifier, None, o.attributed_to
                ),
            )
        )
    for ni, n in n_left.items():
        deltas.append(
            (
                (KINDS.index(n.kind), len(olds) + ni),
                FigureDelta(
                    n.kind, "added", None, n.value, None, n.qualifier, n.attributed_to
                ),
            )
        )
    deltas.sort(key=lambda x: x[0])
    return [d for _, d in deltas]
