"""One cleaning for untrusted text where it comes in: pages, feeds, imports.

What it removes, and why:

- lone surrogates (halves of UTF-16 pairs, from a JSON ``"\\ud800"`` escape or an
  ``&#xD800;`` reference): UTF-8 cannot encode them, so hashing or storing the text
  would raise;
- control characters other than tab and line breaks: PostgreSQL refuses NUL and
  XML 1.0 (the Atom feeds) refuses every C0 control. The whitespace-like ones (VT,
  FF, the information separators) become spaces and NEL a line break, as
  ``str.split`` and ``str.splitlines`` already read them;
- format characters (Unicode category Cf: soft hyphen, zero-width space, ZWNJ, ZWJ,
  direction marks, invisible operators, BOM, tag characters…) and the combining
  grapheme joiner: nobody can see them, so a page that adds or drops one must not
  count as a change;
- the noncharacters U+FFFE and U+FFFF, which XML refuses too.

Pure: no Django, no I/O.
"""

from typing import Any

import regex

_SPACE_LIKE = regex.compile("[\x0b\x0c\x1c-\x1f]")
_DROP = regex.compile(
    r"[\p{Cs}\p{Cf}\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u034f\ufffe\uffff]+"
)


# A numeric character reference to a code point no document may hold: libxml2 stops
# parsing at one (`&#1;`, `&#xFFFE;`), which loses the rest of the page. C1 code
# points (&#128;-&#159;) stay: HTML reads them as Windows-1252 (&#150; is a dash).
_CHAR_REF = regex.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,8})|0*([0-9]{1,10}));?")
_CHAR_REF_BYTES = regex.compile(rb"&#(?:[xX]0*([0-9a-fA-F]{1,8})|0*([0-9]{1,10}));?")


def clean_markup(html: str) -> str:
    """HTML source without NUL bytes and references to forbidden code points, so
    one such character cannot end parsing early; the text is cleaned later."""
    return _CHAR_REF.sub(_drop_forbidden_reference, html.replace("\x00", ""))


def clean_markup_bytes(markup: bytes) -> bytes:
    """clean_markup for undecoded XML/HTML (feeds): only the references go, since
    an ASCII-compatible encoding spells them the same; NUL bytes stay (UTF-16)."""
    return _CHAR_REF_BYTES.sub(_drop_forbidden_reference, markup)


def _drop_forbidden_reference(match: regex.Match) -> Any:
    hex_digits, decimal = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(decimal)
    forbidden = (
        (code < 0x20 and code not in (0x09, 0x0A, 0x0D))
        or 0xD800 <= code <= 0xDFFF
        or code in (0xFFFE, 0xFFFF)
        or code > 0x10FFFF
    )
    return match.group(0)[:0] if forbidden and code != 0 else match.group(0)


def clean_text(text: str) -> str:
    """Text without invisible, unencodable or control characters (see module doc);
    tabs and line breaks stay."""
    text = _SPACE_LIKE.sub(" ", text).replace("\x85", "\n")
    return _DROP.sub("", text)


def clean_line(text: str) -> str:
    """clean_text, then every run of whitespace (line breaks too) as one space."""
    return " ".join(clean_text(text).split())
