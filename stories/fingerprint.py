"""A cheap fingerprint of a page's article region, so an unchanged article skips
full extraction.

After a full extraction, `locate_region` finds the smallest element whose text holds
every extracted paragraph and describes it by a CSS selector that matches exactly one
element. On the next fetch, `fingerprint` parses the page with lexbor (a fraction of a
millisecond), hashes that element's text together with every place a headline can come
from, and the pipeline compares the hash with the one remembered from last time. Equal:
the article text and headline cannot have changed, so extraction, diffing and figure
extraction are skipped. Different, or the selector no longer matches one element: full
extraction decides, as if there were no fingerprint. Page furniture inside the region
(a counter, an ad slot) only makes the fingerprint move, which costs time, never a
missed change.
"""

import hashlib
import json
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from stories.extraction import decode_html, normalise_text

_SAFE_TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_MAX_SELECTOR_DEPTH = 4
_HEADLINE_META = (
    'meta[property="og:title"]',
    'meta[name="og:title"]',
    'meta[name="twitter:title"]',
    'meta[property="twitter:title"]',
)


@dataclass(frozen=True)
class Region:
    selector: str
    fingerprint: str


def locate_region(html: str | bytes, text: str) -> Region | None:
    """Find the element holding all of `text`'s paragraphs; None when there is none."""
    tree = _parse(html)
    if tree.body is None:
        return None
    paragraphs = [_squeeze(p) for p in text.split("\n\n") if p.strip()]
    if not paragraphs:
        return None
    best = _climb_from_first_paragraph(tree, paragraphs) or _smallest_container(
        tree, paragraphs
    )
    if best is None:
        return None
    selector = _unique_selector(tree, best)
    if selector is None:
        return None
    digest = _digest(tree, best)
    return Region(selector, digest)


def _holds(node: LexborNode, paragraphs: list[str], needed: int) -> bool:
    raw = node.text(deep=True, separator="\n")
    if len(raw) < needed:  # cheap: squeezing only makes it shorter
        return False
    content = _squeeze(normalise_text(raw))
    return all(p in content for p in paragraphs)


def _climb_from_first_paragraph(
    tree: LexborHTMLParser, paragraphs: list[str]
) -> LexborNode | None:
    """Fast path: the first block holding the first paragraph, then its ancestors
    up to the first one that holds every paragraph."""
    probe = paragraphs[0][:40]
    needed = sum(map(len, paragraphs))
    for block in tree.body.css("p, li, blockquote, h2, h3, h4, td"):
        if probe in _squeeze(normalise_text(block.text(deep=True, separator="\n"))):
            node: LexborNode | None = block
            while node is not None and node.tag not in ("body", "html"):
                if _holds(node, paragraphs, needed):
                    return node
                node = node.parent
            return None
    return None


def _smallest_container(
    tree: LexborHTMLParser, paragraphs: list[str]
) -> LexborNode | None:
    """Slow path for text that sits outside the usual blocks: try every element."""
    needed = sum(map(len, paragraphs))
    best: LexborNode | None = None
    best_size = 0
    for node in tree.body.traverse(include_text=False):
        if not _holds(node, paragraphs, needed):
            continue
        size = len(node.text(deep=True))
        if best is None or size <= best_size:
            # traverse() is depth-first, so on a tie the deeper element wins.
            best, best_size = node, size
    return best


def fingerprint(html: str | bytes, selector: str) -> str | None:
    """Hash of the region's text and headline sources; None if the region is gone."""
    tree = _parse(html)
    nodes = tree.css(selector)
    if len(nodes) != 1:
        return None
    return _digest(tree, nodes[0])


def _parse(html: str | bytes) -> LexborHTMLParser:
    # Decode as the extractor does, so both read the same characters.
    return LexborHTMLParser(html if isinstance(html, str) else decode_html(html))


def _digest(tree: LexborHTMLParser, region: LexborNode) -> str:
    parts = [" ".join(region.text(deep=True, separator="\n").split())]
    parts.extend(_headline_sources(tree))
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "replace")).hexdigest()


def _headline_sources(tree: LexborHTMLParser) -> list[str]:
    """Everything the extractor may take the headline from (see extraction._title)."""
    sources = []
    for selector in _HEADLINE_META:
        for node in tree.css(selector):
            sources.append(node.attributes.get("content") or "")
    for selector in ("h1", "title"):
        for node in tree.css(selector):
            sources.append(" ".join(node.text(deep=True, separator=" ").split()))
    for node in tree.css('script[type="application/ld+json"]'):
        sources.extend(_json_ld_headlines(node.text(deep=True)))
    return sources


def _json_ld_headlines(raw: str) -> list[str]:
    # Only the headline: JSON-LD also carries dateModified, which moves on every load.
    try:
        data = json.loads(raw)
    except ValueError:
        return [raw]  # unreadable: hash it whole, which is safe
    found: list[str] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in ("headline", "name"):
                if isinstance(item.get(key), str):
                    found.append(item[key])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _squeeze(text: str) -> str:
    # Inline tags split text differently in lexbor and trafilatura: compare without
    # whitespace so containment does not depend on where the spaces fell.
    return "".join(text.split())


def _unique_selector(tree: LexborHTMLParser, node: LexborNode) -> str | None:
    parts: list[str] = []
    current: LexborNode | None = node
    for _ in range(_MAX_SELECTOR_DEPTH):
        if current is None or current.tag in (None, "html", "-document"):
            return None
        part = _simple_selector(current)
        if part is None:
            return None
        parts.insert(0, part)
        selector = " > ".join(parts)
        if len(tree.css(selector)) == 1:
            return selector
        if part.startswith(f"{current.tag}#"):
            return None  # a duplicated id: nothing more specific to say
        current = current.parent
    return None


def _simple_selector(node: LexborNode) -> str | None:
    tag = node.tag
    if not tag or not _SAFE_TOKEN.match(tag):
        return None
    element_id = node.attributes.get("id") or ""
    if element_id and _SAFE_TOKEN.match(element_id):
        return f"{tag}#{element_id}"
    classes = [c for c in (node.attributes.get("class") or "").split() if c]
    if classes and all(_SAFE_TOKEN.match(c) for c in classes):
        return tag + "".join(f".{c}" for c in classes)
    return tag
