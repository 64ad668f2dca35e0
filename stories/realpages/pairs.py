"""Derive (before, after) page pairs from one real page and its expected content.

Pure: no Django, no I/O beyond reading the page directory. Each pair is one edit a
reader would call a change (a word or a number in the article, a paragraph appended
*after* the element holding the article body, a headline) or page noise a reader
would not (clocks, counters, a "most read" list, tokens, hashed class names, all
outside the article). Both sides of a pair are serialised by the same lxml writer,
so the only difference between them is the edit.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from stories.extraction import decode_html

EDIT_KINDS = ("body", "figure", "appended", "headline")
NOISE_KINDS = ("timestamps", "counters", "most_read", "tokens", "hashed_classes")

_BLOCKS = ("p", "li", "blockquote", "dd", "td", "pre", "h2", "h3", "h4")
_WORD = re.compile(r"\b[^\W\d_]{5,}\b")
_NUMBER = re.compile(r"\b\d+\b")
_MIN_BLOCK_CHARS = 40


@dataclass(frozen=True)
class Page:
    name: str
    source: str  # decoded HTML as fetched
    expected_text: str  # text of the content Readability keeps
    expected_title: str


@dataclass(frozen=True)
class Pair:
    page: str
    kind: str  # one of EDIT_KINDS or NOISE_KINDS
    before: str
    after: str

    @property
    def is_edit(self) -> bool:
        return self.kind in EDIT_KINDS


def load_pages(directory: Path) -> list[Page]:
    """Every <name>/source.html.gz with its expected.html.gz, sorted by name."""
    pages = []
    for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
        source = folder / "source.html.gz"
        if not source.exists():
            continue
        expected = folder / "expected.html.gz"
        meta_file = folder / "expected-metadata.json"
        meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
        expected_html = (
            gzip.decompress(expected.read_bytes()) if expected.exists() else b""
        )
        pages.append(
            Page(
                name=folder.name,
                source=decode_html(gzip.decompress(source.read_bytes())),
                expected_text=_text_of(expected_html),
                expected_title=str(meta.get("title") or ""),
            )
        )
    return pages


def _text_of(raw: bytes) -> str:
    if not raw.strip():
        return ""
    tree = lxml_html.document_fromstring(decode_html(raw))
    for bad in tree.iter("script", "style"):
        bad.drop_tree()
    return " ".join(tree.text_content().split())


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _parse(source: str) -> etree._Element:
    # Strip an XML declaration lxml refuses on str input.
    source = re.sub(r"^\s*<\?xml[^>]*>", "", source)
    return lxml_html.document_fromstring(source)


def _serialise(tree: etree._Element) -> str:
    return lxml_html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


@dataclass
class _Anatomy:
    """Where the article sits in one parsed copy of the page."""

    tree: etree._Element
    blocks: list[etree._Element]  # elements whose text is in the expected content
    container: etree._Element  # deepest element holding most of the article


def _anatomy(page: Page, tree: etree._Element) -> _Anatomy | None:
    expected = _squeeze(page.expected_text)
    body = tree.find("body")
    if body is None or not expected:
        return None
    blocks = []
    held: set[etree._Element] = set()
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag not in _BLOCKS and len(_own_text(element)) < _MIN_BLOCK_CHARS:
            continue  # a <div>/<font> counts when it holds text itself (legacy pages)
        text = _squeeze(element.text_content())
        if len(text) >= _MIN_BLOCK_CHARS and text in expected:
            blocks.append(element)
            held.add(element)
    # Innermost only: a <li> holding a <p> counts once.
    inner = set()
    for block in blocks:
        inner.update(a for a in block.iterancestors() if a in held)
    blocks = [b for b in blocks if b not in inner]
    if not blocks:
        return None
    return _Anatomy(tree, blocks, _container(blocks, body))


def _own_text(element: etree._Element) -> str:
    parts = [element.text or ""]
    parts.extend(child.tail or "" for child in element)
    return _squeeze("".join(parts))


def _container(blocks: list[etree._Element], body: etree._Element) -> etree._Element:
    """The deepest ancestor holding at least 80 % of the article blocks' text."""
    weight: dict[etree._Element, int] = {}
    order: dict[etree._Element, int] = {}
    total = 0
    for block in blocks:
        size = len(block.text_content())
        total += size
        for depth, ancestor in enumerate(reversed([block, *block.iterancestors()])):
            weight[ancestor] = weight.get(ancestor, 0) + size
            order[ancestor] = depth
    held = [
        e for e, w in weight.items() if w >= 0.8 * total and e is not body.getparent()
    ]
    return max(held, key=lambda e: order[e]) if held else body


def _in_container(element: etree._Element, container: etree._Element) -> bool:
    return element is container or container in element.iterancestors()


def _text_slots(element: etree._Element) -> list[tuple[etree._Element, str]]:
    """(element, 'text'|'tail') for every text node inside `element`."""
    slots = []
    for node in element.iter():
        if not isinstance(node.tag, str) or node.tag in ("script", "style"):
            continue
        if node.text and node.text.strip():
            slots.append((node, "text"))
        if node is not element and node.tail and node.tail.strip():
            slots.append((node, "tail"))
    return slots


def _edit_text(
    anatomy: _Anatomy, rng: random.Random, pattern: re.Pattern, replace: Callable
) -> bool:
    """Replace one match of `pattern` in a text node of an article block."""
    candidates = []
    for block in anatomy.blocks:
        for node, attr in _text_slots(block):
            for match in pattern.finditer(getattr(node, attr)):
                candidates.append((node, attr, match))
    if not candidates:
        return False
    node, attr, match = candidates[rng.randrange(len(candidates))]
    value = getattr(node, attr)
    edited = value[: match.start()] + replace(match.group()) + value[match.end() :]
    setattr(node, attr, edited)
    return True


def _replacement_word(word: str) -> str:
    return "amended" if word.lower() != "amended" else "revised"


def _bump(number: str) -> str:
    return str(int(number) + 7)


_UPDATE = (
    "Update 14:30: Officials later confirmed that 45 people were injured and that "
    "two bridges near the city centre remain closed until further notice."
)


def _append_after_container(anatomy: _Anatomy) -> bool:
    paragraph = etree.Element("p")
    paragraph.text = _UPDATE
    container = anatomy.container
    if container.tag in ("body", "html") or container.getparent() is None:
        container.append(paragraph)
    else:
        container.addnext(paragraph)  # the container keeps its tail text
    return True


_HEADLINE_META = ("og:title", "twitter:title", "title", "dc.title")


def _edit_headline(page: Page, tree: etree._Element, rng: random.Random) -> bool:
    # The headline part of "Headline | Section | Site", preferring words the
    # page's <h1> shows too.
    headline = re.split(r"\s+[|\u2013\u2014:-]+\s+", page.expected_title)[0]
    words = re.findall(r"[^\W\d_]{4,}", headline)
    shown = " ".join(h1.text_content() for h1 in tree.iter("h1"))
    words = [w for w in words if w in shown] or words
    if not words:
        return False
    word = words[rng.randrange(len(words))]
    pattern = re.compile(rf"\b{re.escape(word)}\b")
    new = "Revised" if word != "Revised" else "Amended"
    touched = False
    for element in tree.iter("title", "h1"):
        for node, attr in _text_slots(element):
            value = getattr(node, attr)
            if pattern.search(value):
                setattr(node, attr, pattern.sub(new, value))
                touched = True
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        content = meta.get("content") or ""
        if key in _HEADLINE_META and pattern.search(content):
            meta.set("content", pattern.sub(new, content))
            touched = True
    for script in tree.iter("script"):
        if script.get("type") == "application/ld+json" and script.text:
            script.text = _edit_ld_headline(script.text, pattern, new)
    return touched


def _edit_ld_headline(raw: str, pattern: re.Pattern, new: str) -> str:
    def fix(match: re.Match) -> str:
        return pattern.sub(new, match.group())

    return re.sub(r'"(?:headline|name)"\s*:\s*"[^"]*"', fix, raw)


# --- noise (outside the article) ---------------------------------------------------


def _noise_block(anatomy: _Anatomy, element: etree._Element, at_end: bool) -> None:
    body = anatomy.tree.find("body")
    if at_end:
        body.append(element)
    else:
        body.insert(0, element)


def _timestamps(anatomy: _Anatomy, variant: int) -> None:
    minute = 10 + variant * 7
    clock = lxml_html.fragment_fromstring(
        f'<div class="site-clock"><time datetime="2026-12-01T09:{minute}:00Z">'
        f"Tuesday 1 December 2026, 09:{minute}</time> · Last updated {variant + 2} "
        "minutes ago</div>"
    )
    _noise_block(anatomy, clock, at_end=False)
    for time in list(anatomy.tree.iter("time")):
        if time is not clock[0] and not _in_container(time, anatomy.container):
            time.text = f"09:{minute}"
            time.set("datetime", f"2026-12-01T09:{minute}:00Z")


def _counters(anatomy: _Anatomy, variant: int) -> None:
    counter = lxml_html.fragment_fromstring(
        f'<div class="social-bar"><a href="#comments">{157 + variant * 13} comments'
        f'</a> <span class="shares">{1.2 + variant / 10:.1f}K shares</span> '
        f'<span class="views">{40213 + variant * 977} views</span></div>'
    )
    _noise_block(anatomy, counter, at_end=False)


_TEASERS = [
    "Storm closes schools across the region",
    "Minister resigns after budget row",
    "Local team wins the cup in extra time",
    "Prices of bread rise for the third month",
    "New bridge opens two years late",
    "Museum returns stolen painting",
    "Rail strike called off at the last minute",
    "Heatwave warning for the weekend",
]


def _most_read(anatomy: _Anatomy, variant: int) -> None:
    start = variant * 3 % len(_TEASERS)
    items = "".join(
        f'<li><a href="/news/{(start + i) % 8}">{_TEASERS[(start + i) % 8]}</a></li>'
        for i in range(5)
    )
    box = lxml_html.fragment_fromstring(
        f'<aside class="most-read"><h3>Most read</h3><ol>{items}</ol></aside>'
    )
    _noise_block(anatomy, box, at_end=True)


def _tokens(anatomy: _Anatomy, variant: int) -> None:
    token = f"{variant * 7919 + 104729:x}f3a9c{variant}"
    head = anatomy.tree.find("head")
    if head is not None:
        meta = etree.SubElement(head, "meta", name="csrf-token", content=token)
        meta.tail = "\n"
    form = lxml_html.fragment_fromstring(
        f'<form class="login" action="/login" method="post"><input type="hidden" '
        f'name="csrfmiddlewaretoken" value="{token}"><button>Log in</button></form>'
    )
    _noise_block(anatomy, form, at_end=False)
    script = etree.Element("script", nonce=token)
    script.text = f'window.__session = "{token}"; window.__build = {variant};'
    _noise_block(anatomy, script, at_end=True)


def _hashed_classes(anatomy: _Anatomy, variant: int) -> None:
    rng = random.Random(variant)
    for element in anatomy.tree.find("body").iter():
        if not isinstance(element.tag, str) or _in_container(
            element, anatomy.container
        ):
            continue
        if anatomy.container in element.iterdescendants():
            continue  # ancestors keep their classes; the rest of the page churns
        hashed = f"css-{rng.getrandbits(24):06x}"
        classes = (element.get("class") or "").split()
        element.set("class", " ".join([*classes, hashed]))


_NOISE = {
    "timestamps": _timestamps,
    "counters": _counters,
    "most_read": _most_read,
    "tokens": _tokens,
    "hashed_classes": _hashed_classes,
}


def derive_pairs(page: Page) -> tuple[list[Pair], list[str]]:
    """All pairs of one page, and the kinds that could not be derived (with why)."""
    rng = random.Random(page.name)
    base_tree = _parse(page.source)
    if _anatomy(page, base_tree) is None:
        return [], ["no article block of the expected content found in the page"]
    before = _serialise(base_tree)
    pairs: list[Pair] = []
    skipped: list[str] = []

    def edited(kind: str, edit: Callable[[_Anatomy], bool]) -> None:
        tree = _parse(before)
        anatomy = _anatomy(page, tree)
        if anatomy is not None and edit(anatomy):
            pairs.append(Pair(page.name, kind, before, _serialise(tree)))
        else:
            skipped.append(kind)

    edited("body", lambda a: _edit_text(a, rng, _WORD, _replacement_word))
    edited("figure", lambda a: _edit_text(a, rng, _NUMBER, _bump))
    edited("appended", _append_after_container)
    edited("headline", lambda a: _edit_headline(page, a.tree, rng))
    for kind, noise in _NOISE.items():
        sides = []
        for variant in (1, 2):
            tree = _parse(before)
            anatomy = _anatomy(page, tree)
            if anatomy is None:
                break
            noise(anatomy, variant)
            sides.append(_serialise(tree))
        if len(sides) == 2:
            pairs.append(Pair(page.name, kind, sides[0], sides[1]))
        else:
            skipped.append(kind)
    return pairs, skipped
