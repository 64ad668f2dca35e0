"""Article URLs in one spelling: tracking parameters gone, rel=canonical honoured.

Pure: no Django, no I/O. Two spellings of one article (``?utm_source=rss``, an
upper-case host, a ``#comments`` fragment, ``:443``) normalise to the same string,
which is what makes "one Article per article" a database constraint on the URL.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html

# Parameters that say how a reader arrived, never which article they read.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "ocid",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "xtor",
        "ito",
        "__twitter_impression",
        "smid",
        "share",
        "s_cid",
        "spm",
        "rss",
        "feature",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "vero_", "oly_")
DEFAULT_PORTS = {"http": 80, "https": 443}
_DOUBLE_SLASH = re.compile(r"/{2,}")


def is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def normalise_url(url: str) -> str:
    """The one spelling of an article URL; raises ValueError for a non-http(s) URL."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    host = parts.hostname.lower().rstrip(".")
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _DOUBLE_SLASH.sub("/", parts.path) or "/"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(key)
    ]
    # Sorted, so that ?a=1&b=2 and ?b=2&a=1 are one article.
    query_string = urlencode(sorted(query), doseq=True)
    return urlunsplit((scheme, netloc, path, query_string, ""))


def canonical_link(html: str | bytes, base_url: str) -> str:
    """The normalised rel=canonical (or og:url) URL of a page, "" if none usable."""
    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return ""
    candidates = tree.xpath(
        "//link[contains(concat(' ', normalize-space(translate(@rel,"
        " 'CANONICAL', 'canonical')), ' '), ' canonical ')]/@href"
    ) + tree.xpath("//meta[@property='og:url']/@content")
    for href in candidates:
        href = str(href).strip()
        if not href:
            continue
        try:
            return normalise_url(urljoin(base_url, href))
        except ValueError:
            continue
    return ""


def same_site(a: str, b: str) -> bool:
    """Whether two URLs share a registrable-looking host (www. ignored)."""
    host_a = (urlsplit(a).hostname or "").removeprefix("www.")
    host_b = (urlsplit(b).hostname or "").removeprefix("www.")
    return bool(host_a) and host_a == host_b
