"""Paragraphs and sentences of a text, with their offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class Sentence:
    text: str
    start: int
    end: int
    paragraph: int


_BOUNDARY_RE = re.compile(r"[.!?]+[\"'”’»)]*\s+")


def split_sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
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
    out: list[Sentence], chunk: str, s: int, e: int, base: int, p: int
) -> None:
    raw = chunk[s:e]
    lead = len(raw) - len(raw.lstrip())
    body = raw.strip()
    if body:
        out.append(Sentence(body, base + s + lead, base + s + lead + len(body), p))
