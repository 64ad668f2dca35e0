"""HTML page -> headline, byline, dates, language and normalised main text.

Pure: no Django, no I/O. trafilatura finds the main text; this module adds the
metadata, a little generic boilerplate pruning that trafilatura leaves to the
caller, and the normalisation that makes a re-render of the same article hash
the same.
"""

from __future__ import annotations

import codecs
import email.utils
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import decode_file, load_html

from stories import cleaning
from stories.boilerplate import is_boilerplate, prune_boilerplate

logger = logging.getLogger(__name__)


# The database columns for these are 500 characters wide.
MAX_TITLE_CHARS = 500
MAX_BYLINE_CHARS = 500


class ExtractionError(ValueError):
    """The page holds no main text we can use (empty, not HTML, binary...)."""


@dataclass(frozen=True)
class Extracted:
    title: str
    byline: str
    text: str
    language: str
    published_at: datetime | None
    modified_at: datetime | None
    content_hash: str

    @property
    def word_count(self) -> int:
        return len(self.text.split())


# --- normalisation ---------------------------------------------------------------

_QUOTES = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark / apostrophe
        "\u201a": "'",  # single low-9
        "\u201b": "'",  # single high-reversed-9
        "\u2032": "'",  # prime
        "\u02bc": "'",  # modifier letter apostrophe
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',  # double low-9 („ in nl/de)
        "\u201f": '"',
        "\u2033": '"',  # double prime
    }
)
_LINE_BREAKS = re.compile(r"(?:\r\n|[\n\r\u2028\u2029\x85])+")


def normalise_text(text: str) -> str:
    """Unicode NFC, straight quotes, one space between words, paragraphs joined by a
    blank line; every line break in the input separates paragraphs."""
    # Invisible characters that CMSes sprinkle in (soft hyphens, zero-width spaces
    # and joiners, direction marks) are deleted rather than turned into spaces: they
    # sit inside words as often as between them, and a space there would split a
    # word and show up as a false change.
    text = cleaning.clean_text(text)
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    # str.split() with no argument splits on every Unicode space: NBSP, narrow
    # NBSP, thin and ideographic spaces, tabs.
    paragraphs = (" ".join(line.split()) for line in _LINE_BREAKS.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def _one_line(text: str) -> str:
    return normalise_text(text).replace("\n\n", " ")


def _content_hash(title: str, text: str) -> str:
    return hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()


# --- decoding --------------------------------------------------------------------

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# As browsers do (WHATWG Encoding): these labels really mean windows-1252, and a
# UTF-16 label in a <meta> (which an ASCII-compatible parser could read) is wrong.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
}


def decode_html(data: bytes) -> str:
    """Page bytes -> text: BOM, then the declared charset, then UTF-8, then a guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    declared = _declared_charset(data[:4096])
    if declared:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass  # the declaration lies; fall through to sniffing
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # trafilatura's guesser (charset_normalizer), lossy UTF-8 as the last resort.
    return decode_file(data)


def _declared_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head)
    if not match:
        return None
    label = match.group(1).decode("ascii", "ignore").lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


# --- metadata --------------------------------------------------------------------

_ARTICLE_TYPES = re.compile(r"Article|BlogPosting|Report", re.IGNORECASE)


def _json_ld_article(tree: HtmlElement) -> dict:
    """The first JSON-LD object that describes an article (or has a headline)."""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        for item in _json_ld_items(data):
            types = item.get("@type", "")
            types = " ".join(map(str, types)) if isinstance(types, list) else str(types)
            if _ARTICLE_TYPES.search(types) or "headline" in item:
                return item
    return {}


def _json_ld_items(data: object, depth: int = 0) -> Iterator[dict]:
    # Real pages nest at most a list of @graph objects; stop well before a hostile
    # page's nesting could exhaust the stack.
    if depth > 4:
        return
    if isinstance(data, list):
        for entry in data:
            yield from _json_ld_items(entry, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _json_ld_items(data["@graph"], depth + 1)


def _metas(tree: HtmlElement) -> dict[str, str]:
    """First non-empty content per <meta> property/name/itemprop/http-equiv, keys
    lowercased."""
    metas: dict[str, str] = {}
    for meta in tree.iterfind(".//meta"):
        key = (
            meta.get("property")
            or meta.get("name")
            or meta.get("itemprop")
            or meta.get("http-equiv")
            or ""
        )
        content = (meta.get("content") or "").strip()
        if content:
            metas.setdefault(key.strip().lower(), content)
    return metas


def _first(metas: dict[str, str], *keys: str) -> str:
    return next((metas[key] for key in keys if key in metas), "")


def _ld_text(value: object) -> str:
    """A JSON-LD value as text: a string, the first of a list, or an object's
    @value or name."""
    for _ in range(3):
        if isinstance(value, list):
            value = value[0] if value else ""
        elif isinstance(value, dict):
            value = value.get("@value") or value.get("name") or ""
        else:
            break
    return value if isinstance(value, str) else ""


def _title(tree: HtmlElement, metas: dict[str, str], ld: dict) -> str:
    site_name = _one_line(_first(metas, "og:site_name"))
    # A <title> is usually "Headline | Section | Site": keep the first part.
    page_title = _one_line(_first_text(tree, ".//title"))
    page_title = re.split(r"\s+[|\u00b7\u2013\u2014-]\s+", page_title)[0]
    h1 = _one_line(_first_text(tree, ".//h1"))
    if page_title and not _shares_words(h1, page_title):
        h1 = ""  # an <h1> that is the site's name or a section, not the headline
    for candidate in (
        _first(metas, "og:title", "twitter:title"),
        _ld_text(ld.get("headline")),
        h1,
    ):
        title = _strip_site_suffix(_one_line(candidate), site_name)
        if title:
            return title
    return page_title


def _shares_words(h1: str, page_title: str) -> bool:
    """At least half the <h1>'s words are in the <title>."""
    words = set(re.findall(r"\w+", h1.casefold()))
    if not words:
        return False
    shared = words & set(re.findall(r"\w+", page_title.casefold()))
    return len(shared) * 2 >= len(words)


def _strip_site_suffix(title: str, site_name: str) -> str:
    if site_name and title != site_name:
        for sep in (" | ", " - ", " \u2013 ", " \u2014 ", " : "):
            if title.endswith(sep + site_name):
                return title[: -len(sep + site_name)].strip()
    return title


def _first_text(tree: HtmlElement, path: str) -> str:
    element = tree.find(path)
    return element.text_content() if element is not None else ""


_BYLINE_PREFIX = re.compile(r"^(?:by|door|von|par)\s+", re.IGNORECASE)


def _byline(tree: HtmlElement, metas: dict[str, str], ld: dict) -> str:
    authors = ld.get("author")
    authors = authors if isinstance(authors, list) else [authors]
    names = [_one_line(_ld_text(author)) for author in authors if author]
    names = [name for name in names if name and not _looks_like_url(name)]
    if names:
        return ", ".join(dict.fromkeys(names))
    for candidate in (
        _first(metas, "author", "article:author", "dc.creator"),
        _first_text(tree, ".//*[@rel='author']"),
        _first_text(tree, ".//*[@itemprop='author']"),
    ):
        name = _one_line(candidate)
        if name and not _looks_like_url(name):
            return _BYLINE_PREFIX.sub("", name)
    return ""


def _looks_like_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "www.", "/"))


_LANGUAGE = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]+)*$", re.IGNORECASE)


def _language(tree: HtmlElement, metas: dict[str, str], ld: dict) -> str:
    html = tree.getroottree().getroot()
    for candidate in (
        html.get("lang") or html.get("xml:lang") or "",
        _ld_text(ld.get("inLanguage")),
        _first(metas, "content-language", "og:locale", "dc.language"),
    ):
        match = _LANGUAGE.match(candidate.strip())
        if match:
            return match.group(1).lower()
    return ""


def _datetime(value: str) -> datetime | None:
    """ISO 8601 (or RFC 2822) -> aware UTC datetime; no offset is taken as UTC."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # "0001-01-01T00:00+01:00" has no UTC equivalent
        return None


def _dates(metas: dict[str, str], ld: dict) -> tuple[datetime | None, datetime | None]:
    published = _datetime(
        _first(metas, "article:published_time", "datepublished", "pubdate")
    ) or _datetime(_ld_text(ld.get("datePublished")))
    modified = _datetime(
        _first(metas, "article:modified_time", "datemodified", "og:updated_time")
    ) or _datetime(_ld_text(ld.get("dateModified")))
    return published, modified


# --- main text -------------------------------------------------------------------


# Elements of trafilatura's output tree that start a paragraph of their own.
_BLOCK_TAGS = {"p", "head", "list", "item", "quote", "div", "code", "table", "row"}


def _block_texts(body: etree._Element) -> Iterator[tuple[str, str]]:
    """(top-level tag, paragraph text) for trafilatura's output tree."""
    for block in body:
        for text in _text_with_breaks(block).split("\n"):
            yield block.tag, text
        if block.tail and block.tail.strip():
            yield "tail", block.tail


def _text_with_breaks(element: etree._Element) -> str:
    """Text of element with line breaks only between paragraphs: around nested
    blocks and at <br><br>; the page's own newlines are just spaces."""
    parts = [_LINE_BREAKS.sub(" ", element.text or "")]
    after_break = False
    for child in element:
        if child.tag == "lb":
            parts.append("\n" if after_break else " ")
        elif child.tag in _BLOCK_TAGS:
            parts.append(f"\n{_text_with_breaks(child)}\n")
        else:
            parts.append(_text_with_breaks(child))
        parts.append(_LINE_BREAKS.sub(" ", child.tail or ""))
        after_break = child.tag == "lb" and not (child.tail or "").strip()
    return "".join(parts)


def _main_paragraphs(
    body: etree._Element, headlines: set[str], byline: str, ledes: list[str]
) -> list[str]:
    author = byline.casefold()
    blocks = []
    for tag, raw in _block_texts(body):
        text = _one_line(raw)
        if not text or is_boilerplate(text):
            continue
        if text.casefold() in headlines:
            continue  # trafilatura keeps the <h1>; the headline is tracked apart
        if not blocks:
            text = _without_headline(text, headlines)
        if author and _BYLINE_PREFIX.sub("", text).casefold() == author:
            continue
        blocks.append((tag, text))
    present = {text for _, text in blocks}
    blocks[:0] = [("p", lede) for lede in ledes if lede not in present]
    # A heading with nothing after it introduces a block that was pruned
    # ("NUjij-reacties", "More on this story"), not article text.
    while blocks and blocks[-1][0] == "head":
        blocks.pop()
    return [text for _, text in blocks]


def _without_headline(text: str, headlines: set[str]) -> str:
    """A fallback extractor may glue the <h1> to the first paragraph ("Kop Het
    kabinet is gevallen."): the headline is tracked apart, so it goes."""
    folded = text.casefold()
    for headline in headlines:
        if headline and folded.startswith(headline + " "):
            return text[len(headline) + 1 :]
    return text


def _ledes(tree: HtmlElement) -> list[str]:
    """Standfirst paragraphs placed right after the <h1>, outside the article body.

    Many sites (Le Monde, Guardian) put the standfirst in the page header next to
    the headline, where trafilatura's choice of body container does not reach.
    """
    h1 = tree.find(".//h1")
    if h1 is None:
        return []
    ledes = []
    for sibling in h1.itersiblings():
        if sibling.tag != "p":
            continue
        text = _one_line(sibling.text_content())
        # Short lines next to the headline are datelines and "updated" labels.
        if len(text.split()) >= 10 and not is_boilerplate(text):
            ledes.append(text)
    return ledes


def _looks_binary(text: str) -> bool:
    """Mostly replacement characters, control/unassigned code points or symbols:
    bytes that were never text."""
    sample = text[:5000]
    bad = sum(
        1
        for ch in sample
        if ch == "\ufffd" or (unicodedata.category(ch)[0] in "CS" and not ch.isspace())
    )
    return bad > len(sample) * 0.1


def extract_article(html: str | bytes, url: str = "") -> Extracted:
    """HTML page -> Extracted; raises ExtractionError when there is no main text."""
    tree = _parse(html)
    metas = _metas(tree)
    ld = _json_ld_article(tree)
    title = _title(tree, metas, ld)[:MAX_TITLE_CHARS].strip()
    byline = _byline(tree, metas, ld)[:MAX_BYLINE_CHARS].strip()
    published_at, modified_at = _dates(metas, ld)
    text = _main_text(tree, title, byline, url)
    return Extracted(
        title=title,
        byline=byline,
        text=text,
        language=_language(tree, metas, ld),
        published_at=published_at,
        modified_at=modified_at,
        content_hash=_content_hash(title, text),
    )


def _parse(html: str | bytes) -> HtmlElement:
    if isinstance(html, bytes):
        html = decode_html(html)
    html = cleaning.clean_markup(html)
    if not html.strip():
        raise ExtractionError("The page is empty.")
    try:
        tree = load_html(html)
    except (TypeError, ValueError, etree.LxmlError) as exc:
        raise ExtractionError(f"The page could not be parsed as HTML ({exc}).") from exc
    if tree is None:
        raise ExtractionError("The page is not HTML.")
    return tree


# The recall floor. trafilatura's fast recall-favouring pass is the main pass: on
# real pages it keeps more of the article and less furniture than the
# precision-favouring one (token F1 0.92 against 0.85 on ../shared/realpages). When
# it keeps fewer than SHORT_TEXT_WORDS words, the page may hold an article that pass
# missed (text outside <p>, a legacy table/<font>/<br> layout): the full recall
# pass, with trafilatura's own readability/justext fallbacks, runs too, and its
# result replaces the fast one when it is at least LONGER_BY times as long plus
# LONGER_MARGIN words (pick_longer).
SHORT_TEXT_WORDS = 200
LONGER_BY = 1.25
LONGER_MARGIN = 10
_TRAFILATURA = {
    "favor_recall": True,
    "include_comments": False,
    "include_tables": True,  # a table in an article (a casualty list) is text
    "include_images": False,
    "include_links": False,
    "include_formatting": False,
    "with_metadata": False,
    "deduplicate": False,
}


def _main_text(tree: HtmlElement, title: str, byline: str, url: str) -> str:
    prune_boilerplate(tree)
    ledes = _ledes(tree)
    # The <h1> can differ from og:title (a social headline); neither is text.
    headlines = {title.casefold()}
    headlines.update(_one_line(h1.text_content()).casefold() for h1 in tree.iter("h1"))
    text = _paragraphs_of(_extract_body(tree, url, fast=True), headlines, byline, ledes)
    if len(text.split()) < SHORT_TEXT_WORDS:
        fuller = _paragraphs_of(
            _extract_body(tree, url, fast=False), headlines, byline, ledes
        )
        text = pick_longer(text, fuller)
    text = normalise_text("\n\n".join([text, *_appended(tree, text)]))
    if not text:
        raise ExtractionError("No article text was found on the page.")
    if _looks_binary(text):
        raise ExtractionError("The page looks like binary data, not an article.")
    return text


def pick_longer(first: str, second: str) -> str:
    """The recall floor's rule: `second` wins when `first` is empty, or when it has
    at least LONGER_BY times the words of `first` plus LONGER_MARGIN (a headline
    glued to the text by a fallback is not more article); otherwise `first`."""
    words = len(first.split())
    if not first or len(second.split()) >= LONGER_BY * words + LONGER_MARGIN:
        return second or first
    return first


def _extract_body(tree: HtmlElement, url: str, fast: bool) -> etree._Element | None:
    try:
        # trafilatura works on its own copy of the tree.
        document = trafilatura.bare_extraction(
            tree, url=url or None, fast=fast, **_TRAFILATURA
        )
    except Exception as exc:
        # Hostile markup must end as a readable status, not a crashed worker.
        logger.warning("trafilatura failed url=%s error=%r", url, exc)
        raise ExtractionError(f"The extractor failed on this page ({exc!r}).") from exc
    return getattr(document, "body", None)


def _paragraphs_of(
    body: etree._Element | None, headlines: set[str], byline: str, ledes: list[str]
) -> str:
    if body is None:
        return ""
    return normalise_text("\n\n".join(_main_paragraphs(body, headlines, byline, ledes)))


# --- updates appended after the body ---------------------------------------------

# How far up from the block holding the last paragraph to look for paragraphs that
# follow the article body ("Update 14:30: ..." added below the body container).
_APPEND_LEVELS = 6
_SENTENCE_END = (".", "!", "?", '"', "'", ")", "\u2026")


def _appended(tree: HtmlElement, text: str) -> list[str]:
    """<p> siblings that follow the element holding the article's last paragraph,
    at its level and up to _APPEND_LEVELS levels up (never inside a following
    footer, aside or box): an update a site appended after its body container is
    article text even where trafilatura stops short. Only sentence-like
    paragraphs count, not labels, datelines, counters or lists of links."""
    paragraphs = text.split("\n\n")
    node = _block_holding(tree, paragraphs[-1]) if text else None
    present = set(paragraphs)
    found: list[str] = []
    for _ in range(_APPEND_LEVELS):
        if node is None or node.tag in ("body", "html"):
            break
        for sibling in node.itersiblings():
            if sibling.tag == "p":
                line = _one_line(sibling.text_content())
                if line not in present and _reads_as_text(sibling, line):
                    found.append(line)
        node = node.getparent()
    return found


def _block_holding(tree: HtmlElement, paragraph: str) -> HtmlElement | None:
    """The last <p>-like block whose text holds the start of `paragraph` (or, on
    a layout without them, the last <div>/<td>/<font>)."""
    probe = paragraph[:60]
    for tags in (("p", "li", "blockquote", "dd", "pre"), ("div", "td", "font")):
        for block in reversed(list(tree.iter(*tags))):
            if probe in _one_line(block.text_content()):
                return block
    return None


def _reads_as_text(element: HtmlElement, line: str) -> bool:
    if len(line.split()) < 8 or not line.endswith(_SENTENCE_END):
        return False
    if is_boilerplate(line):
        return False
    linked = sum(len(a.text_content()) for a in element.iter("a"))
    return linked * 3 < len(line)
