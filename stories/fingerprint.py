"""A cheap fingerprint of a page's article, so an unchanged article skips full
extraction.

After a full extraction, `locate_region` finds the smallest element whose text holds
every extracted paragraph (the *region*) and describes it by a CSS selector that
matches exactly one element. On the next fetch, `fingerprint` parses the page with
lexbor (a fraction of a millisecond) and hashes

- the text of the region **and of everything after it** in the page (the region's
  following siblings, then its parent's, up to <body>): an update appended *below*
  the element holding the body ("Update 14:30: ...") moves the fingerprint, because
  the full extraction may well include it;
- every place a headline can come from (meta titles, <title>, <h1>, JSON-LD);

leaving out page furniture the extracted text never contains (`skip`): scripts,
styles, navigation, asides, header/footer, <time>, forms, and the elements found
at learn time whose text is nowhere in the extracted text (a comment counter, a
"Published ... Updated ..." line, a related-links box), addressed by a selector
built from stable class names. A skip selector is only kept when none of the
elements it matches on the learn page carries extracted text, so leaving them out
cannot hide text the extractor reads. Elements without a usable class (a bare
<p> dateline) are skipped by position *and* only while their text is still a
dateline by the extractor's own rule.

The pipeline compares the hash with the one remembered from the last full
extraction. Equal: text and headline cannot have changed, so extraction, diffing and
figure extraction are skipped. Different, or the selector no longer matches one
element: the full extraction decides and the region is learned again. A random
share of "unchanged" checks is audited by the full path (pipeline.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from stories.boilerplate import is_furniture_line
from stories.extraction import decode_html, normalise_text

_SAFE_TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Generated class names (CSS-in-JS, build hashes) differ between deploys or loads:
# "css-1x2y3z", "sc-bdVaJa", "jsx-2465301364", "Story_body__3F2aB".
_HASHED_TOKEN = re.compile(
    r"^(?:css|sc|jsx|emotion|styled|svelte)-|__[A-Za-z0-9]{4,}$"
    r"|(?:^|[-_])(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{5,}$"
)
_MAX_SELECTOR_DEPTH = 4
_HEADLINE_META = (
    'meta[property="og:title"]',
    'meta[name="og:title"]',
    'meta[name="twitter:title"]',
    'meta[property="twitter:title"]',
)
# Never read as text by the extractor (JSON-LD may repeat the article body).
NEVER_TEXT = ("script", "style", "noscript", "template")
# Never article text, wherever they are (kept only if the extracted text says so).
FURNITURE_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "aside",
    "header",
    "footer",
    "time",
    "form",
    "button",
    "iframe",
    "svg",
    "select",
)
# A skip entry starting with this is applied only while the element's text is a
# dateline or label by boilerplate.is_furniture_line.
IF_FURNITURE = "~"
_MAX_SKIP = 40
# Learning looks at this many elements of a page at most, and does not use a
# selector matching more than _MAX_MATCHES elements: fewer skips only cost time.
_MAX_VISITED = 400
_MAX_MATCHES = 50
# A paragraph's first characters (squeezed) identify it well enough to tell a
# container holding it; generated or repeated sentences share shorter starts.
_ANCHOR_CHARS = 64


@dataclass(frozen=True)
class Region:
    selector: str
    fingerprint: str
    skip: tuple[str, ...] = ()


def locate_region(
    html: str | bytes, text: str, learned: Iterable[str] = ()
) -> Region | None:
    """Find the element holding all of `text`'s paragraphs and the furniture to
    leave out of its fingerprint; None when there is no such element.

    `learned`: skip selectors remembered for the page's source; each is kept only
    if it holds no extracted text on this page."""
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
    content = _Content(paragraphs)
    skip = _furniture(tree, best, content, learned)
    return Region(selector, _digest(tree, best, skip), skip)


def fingerprint(
    html: str | bytes, selector: str, skip: Iterable[str] = ()
) -> str | None:
    """Hash of the region's scope and headline sources; None if the region is gone."""
    tree = _parse(html)
    nodes = tree.css(selector)
    if len(nodes) != 1:
        return None
    return _digest(tree, nodes[0], tuple(skip))


# --- finding the region ------------------------------------------------------------


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


# --- learning the furniture ----------------------------------------------------------


class _Content:
    """The extracted text, for "does this element carry any of it?"."""

    def __init__(self, paragraphs: list[str]) -> None:
        self.whole = "".join(paragraphs)
        self.anchors = sorted({p[:_ANCHOR_CHARS] for p in paragraphs}, key=len)

    def carried_by(self, node: LexborNode) -> bool:
        """The node's text is part of the extracted text, or holds the start of
        one of its paragraphs (a container of article and furniture)."""
        text = _squeeze(normalise_text(node.text(deep=True, separator="\n")))
        if not text:
            return False
        if text in self.whole:
            return True
        for anchor in self.anchors:
            if len(anchor) > len(text):
                return False
            if anchor in text:
                return True
        return False


def _scope(region: LexborNode) -> Iterable[LexborNode]:
    """The region, then every element after it up to the end of <body>."""
    yield region
    node: LexborNode | None = region
    while node is not None and node.tag not in ("body", "html", "-document"):
        sibling = node.next
        while sibling is not None:
            if sibling.tag and not sibling.tag.startswith(("-", "#", "_")):
                yield sibling
            sibling = sibling.next
        node = node.parent


def _furniture(
    tree: LexborHTMLParser,
    region: LexborNode,
    content: _Content,
    learned: Iterable[str],
) -> tuple[str, ...]:
    """Selectors of elements in the region's scope whose text the extractor never
    kept, validated: every element a selector matches is free of extracted text."""
    candidates: dict[str, None] = dict.fromkeys(FURNITURE_TAGS)
    candidates.update(dict.fromkeys(learned))
    budget = [_MAX_VISITED]
    for node in _scope(region):
        _collect(node, content, candidates, budget)
    ancestors = {region.mem_id}
    parent = region.parent
    while parent is not None:
        ancestors.add(parent.mem_id)
        parent = parent.parent
    kept = list(NEVER_TEXT)
    for entry in candidates:
        if entry in NEVER_TEXT:
            continue
        selector = entry.removeprefix(IF_FURNITURE)
        try:
            matches = tree.css(selector)
        except Exception:  # noqa: BLE001 - a stale learned selector lexbor rejects
            continue
        if (
            not matches
            or len(matches) > _MAX_MATCHES
            or any(
                node.mem_id in ancestors or content.carried_by(node) for node in matches
            )
        ):
            continue
        kept.append(entry)
        if len(kept) >= _MAX_SKIP:
            break
    return tuple(kept)


def _collect(
    node: LexborNode, content: _Content, into: dict[str, None], budget: list[int]
) -> None:
    """Walk down from node; every text-carrying element free of extracted text
    becomes a candidate (by stable class/id, or by position while a dateline)."""
    stack = [node]
    while stack and budget[0] > 0:
        budget[0] -= 1
        current = stack.pop()
        if current.tag in FURNITURE_TAGS:
            continue
        if not content.carried_by(current):
            text = current.text(deep=True, separator=" ").strip()
            if not text:
                continue  # empty (an ad slot): nothing to hash anyway
            simple = _simple_selector(current)
            if simple is not None and simple != current.tag:
                into[simple] = None
                continue
            positional = _positional_selector(current)
            if positional and is_furniture_line(normalise_text(text)):
                into[IF_FURNITURE + positional] = None
                continue
        child = current.child
        while child is not None:
            if child.tag and not child.tag.startswith(("-", "#", "_")):
                stack.append(child)
            child = child.next


def _positional_selector(node: LexborNode) -> str | None:
    """E.g. "article.story > p:nth-of-type(2)": the parent by a unique stable
    selector, the element by its position among its kind."""
    parent = node.parent
    if parent is None or not node.tag or not _SAFE_TOKEN.match(node.tag):
        return None
    owner = _simple_selector(parent)
    if owner is None or owner == parent.tag:
        return None
    index = 1
    sibling = node.prev
    while sibling is not None:
        if sibling.tag == node.tag:
            index += 1
        sibling = sibling.prev
    return f"{owner} > {node.tag}:nth-of-type({index})"


# --- hashing -----------------------------------------------------------------------


def _parse(html: str | bytes) -> LexborHTMLParser:
    # Decode as the extractor does, so both read the same characters.
    return LexborHTMLParser(html if isinstance(html, str) else decode_html(html))


def _digest(tree: LexborHTMLParser, region: LexborNode, skip: tuple[str, ...]) -> str:
    _drop_furniture(tree, region, skip)
    texts = [node.text(deep=True, separator="\n") for node in _scope(region)]
    parts = [" ".join(" ".join(texts).split())]
    parts.extend(_headline_sources(tree))
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "replace")).hexdigest()


def _drop_furniture(
    tree: LexborHTMLParser, region: LexborNode, skip: tuple[str, ...]
) -> None:
    """Remove the skipped elements from the tree (never the region or its
    ancestors, which a selector might match on a changed page)."""
    plain = [s for s in skip if not s.startswith(IF_FURNITURE)]
    guarded = [s[1:] for s in skip if s.startswith(IF_FURNITURE)]
    protected = {region.mem_id}
    parent = region.parent
    while parent is not None:
        protected.add(parent.mem_id)
        parent = parent.parent
    doomed = []
    if plain:
        doomed.extend(tree.css(", ".join(plain)))
    for selector in guarded:
        for node in tree.css(selector):
            if is_furniture_line(normalise_text(node.text(deep=True, separator=" "))):
                doomed.append(node)
    for node in doomed:
        if node.mem_id not in protected:
            node.decompose()


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


# --- selectors -----------------------------------------------------------------------


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
    """tag#id, tag.class.class (generated class names left out), or tag."""
    tag = node.tag
    if not tag or not _SAFE_TOKEN.match(tag):
        return None
    attributes = node.attributes
    element_id = attributes.get("id") or ""
    if (
        element_id
        and _SAFE_TOKEN.match(element_id)
        and not _HASHED_TOKEN.search(element_id)
    ):
        return f"{tag}#{element_id}"
    classes = [c for c in (attributes.get("class") or "").split() if c]
    stable = [
        c for c in classes if _SAFE_TOKEN.match(c) and not _HASHED_TOKEN.search(c)
    ]
    if stable:
        return tag + "".join(f".{c}" for c in stable)
    return tag
