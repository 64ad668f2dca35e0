"""Lines and blocks of a page that are not article text: boilerplate blocks
(by class/id), reader-reaction counters, teasers, labels, paywall notices, and
datelines ("Updated at 1:23 p.m.", "Bijgewerkt 20 september 14:03",
"Aktualisiert am ...", "Mis à jour le ...", bylines with a time).

Pure: no Django, no I/O. extraction.py leaves these out of the compared text;
fingerprint.py leaves the same lines out of its hash, so both agree on what is
furniture.
"""

import re

from lxml.html import HtmlElement

# --- boilerplate -----------------------------------------------------------------

# class/id words (whole words between -, _ or spaces) marking blocks that are
# never main text, beyond what trafilatura already drops: reader reactions and
# their counters, teaser lists, ad slots, captions, bylines and timestamps.
_BOILERPLATE_WORD = re.compile(
    r"(?:^|[\s_-])(?:"
    r"comments?|reactions?|reacties|reageren|kommentare?|commentaires?|discussion"
    r"|related|lees-?ook|read-?more|more-?on|mehr-?zum-?thema|lire-?aussi"
    r"|most-?read|meest-?gelezen|net-?binnen|trending|popular|recommended"
    r"|ad-?slot|advert\w*|advertentie|anzeige|sponsored|promo"
    r"|caption|credits?|byline|dateline|timestamp|pubdate"
    r"|share|social|newsletter|tags|breadcrumbs?"
    r")(?:$|[\s_-])",
    re.IGNORECASE,
)
_PRUNABLE_TAGS = {"div", "section", "aside", "ul", "ol", "p", "span", "figure"}
_PRUNABLE_TAGS |= {"figcaption", "footer", "header", "nav", "form", "details", "a"}
_PRUNABLE_TAGS |= {"small", "time", "address"}


def prune_boilerplate(tree: HtmlElement) -> None:
    """Remove blocks whose class/id says boilerplate, unless they hold the article."""
    paragraph_count = len(tree.findall(".//p")) or 1
    doomed = []
    for element in tree.iter(*_PRUNABLE_TAGS):
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if not _BOILERPLATE_WORD.search(marker):
            continue
        # A site that calls its article wrapper "post-with-comments" must not lose
        # the article: keep anything holding the headline or half the paragraphs.
        if element.find(".//h1") is not None:
            continue
        if len(element.findall(".//p")) * 2 > paragraph_count:
            continue
        doomed.append(element)
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)  # drops the tail too, which belongs to nobody


_COMMENT_WORDS = (
    r"reacties?|comments?|reactions?|replies|kommentare?|commentaires?|reageer"
)
# "157 reacties", "Bekijk alle 157 reacties", "2.1K comments", "Kommentare (45)":
# a short phrase with a count, not a sentence (no closing full stop).
_COMMENT_COUNTER = re.compile(
    rf"\d[\d.,]*\s*[kKmM]?\s*(?:{_COMMENT_WORDS})\b|(?:{_COMMENT_WORDS})\s*\(\d+\)",
    re.IGNORECASE,
)
_TEASER_PREFIX = re.compile(
    r"^(?:lees\s+(?:ook|meer)|bekijk\s+ook|kijk\s+ook|read\s+(?:more|also)"
    r"|see\s+also|also\s+read|more\s+on\s+this\s+story|watch|listen"
    r"|lesen\s+sie\s+(?:auch|mehr)|mehr\s+zum\s+thema|(?:à\s+)?lire\s+aussi"
    r"|voir\s+aussi)\b\s*[:|>\u2013\u2014-]",
    re.IGNORECASE,
)
_LABELS = re.compile(
    r"^(?:advertentie|advertisement|anzeige|publicit[ée]|sponsored|"
    r"deel\s+dit\s+artikel|share\s+this\s+(?:article|story)|artikel\s+teilen|"
    r"partager(?:\s+cet\s+article)?|related\s+topics|gerelateerd|"
    r"meest\s+gelezen|net\s+binnen|most\s+read|top\s+stories|"
    r"(?:foto|photo|bild|image|beeld)\s*:.*)$",
    re.IGNORECASE,
)


# "Il vous reste 62 % de cet article à lire. La suite est réservée aux abonnés.",
# "The rest of this article is for subscribers only", "Lees verder met een
# abonnement", "Weiterlesen mit Abo".
_PAYWALL = re.compile(
    r"(?:abonn(?:é|e)s?|abonnees?|abonnement|subscribers?|subscription|abonnenten"
    r"|\babo\b|premium)",
    re.IGNORECASE,
)
_PAYWALL_VERB = re.compile(
    r"(?:reste|suite|lire|rest\b|read|continue|lees|lezen|verder|weiter|lesen)",
    re.IGNORECASE,
)


def is_boilerplate(paragraph: str) -> bool:
    words = len(paragraph.split())
    if words <= 30 and _PAYWALL.search(paragraph) and _PAYWALL_VERB.search(paragraph):
        return True
    if words <= 6 and _COMMENT_COUNTER.search(paragraph):
        return not paragraph.endswith((".", "!", "?"))
    if words <= 30 and _TEASER_PREFIX.match(paragraph):
        return True
    if words <= 8 and _LABELS.match(paragraph):
        return True
    return is_dateline(paragraph)


def is_furniture_line(paragraph: str) -> bool:
    """A paragraph the compared text leaves out: a dateline, an "updated at" stamp,
    a byline with a time, a comment counter, a teaser or a label."""
    return bool(paragraph) and is_boilerplate(paragraph)


# --- datelines ---------------------------------------------------------------------

_MONTHS = (
    r"jan|feb|m(?:a|ä)r|apr|ma[iyj]|jun|jul|aug|sep|o[ck]t|nov|de[cz]|janv|f(?:é|e)vr"
    r"|avr|juin|juil|ao(?:û|u)t|sept|d(?:é|e)c|mrt|mei|okt|januari|februari|maart"
    r"|april|juni|juli|augustus|september|oktober|november|december|january"
    r"|february|march|june|july|august|october|januar|februar|m(?:ä|a)rz|dezember"
    r"|janvier|f(?:é|e)vrier|mars|avril|juillet|septembre|octobre|novembre"
    r"|d(?:é|e)cembre"
)
_WEEKDAYS = (
    r"mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|ma|di|wo|do|vr|za|zo|maandag|dinsdag|woensdag|donderdag"
    r"|vrijdag|zaterdag|zondag|montag|dienstag|mittwoch|donnerstag|freitag|samstag"
    r"|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|today|yesterday"
    r"|vandaag|gisteren|heute|gestern|aujourd'hui|hier"
)
_TIME = r"\d{1,2}(?:[:.h]\d{2}|\s*[ap]\.?\s?m\.?)"
_STAMP_TOKEN = re.compile(
    r"^(?:last|first|laatst|laatste|zuletzt|updated?|update|published|posted"
    r"|modified|bijgewerkt|gepubliceerd|geplaatst|aangepast|aktualisiert"
    r"|ver(?:ö|oe)ffentlicht|stand|mis|mise|jour|publi(?:é|e)|modifi(?:é|e)|ago"
    r"|geleden|vor|il|y|a|minutes?|minuten|mins?|hours?|uur|stunden?|heures?"
    r"|seconds?|seconden|sekunden|secondes?|days?|dagen|tagen?|jours?|an|one)$",
    re.IGNORECASE,
)
# Words a pure date/time line is made of ("Tuesday 20 September 2023, 14:03 CET").
_DATE_TOKEN = re.compile(
    rf"^(?:\d[\d:./h-]*(?:st|nd|rd|th|e|er)?|(?:{_MONTHS})\w*|{_WEEKDAYS}"
    r"|[ap]\.?m\.?|uhr|at|om|um|à|on|op|am|le|de|der|the|et|en|and|und|of|in"
    r"|cet|cest|utc|gmt|[ecmp][sd]t|[·|,/–—:-]+)\.?$",
    re.IGNORECASE,
)
_BYLINE_WITH_TIME = re.compile(
    rf"^[\[(]?\s*(?:by|door|von|par)\s+[^\n]{{1,60}}?{_TIME}", re.IGNORECASE
)


def is_dateline(paragraph: str) -> bool:
    """ "Updated at 1:23 p.m.", "Posted on Monday, ... at 11:08 a.m.", "[Bijgewerkt
    20 september 14:03]", "Aktualisiert am 20.09.2023, 14:03 Uhr", "Mis à jour le
    20 septembre à 14h03", "By Jane Doe, 14:03", "3 minutes ago", or a bare date
    and time: a short line of date, time and stamp words only."""
    if not any(c.isdigit() for c in paragraph):
        return False
    segments = [s for s in _META_SEPARATOR.split(paragraph) if s.strip()]
    if len(segments) > 1 and len(paragraph.split()) <= 30:
        # "Le Monde | 09:17 • Mis à jour le 09:17 | Par Martin Untersinger": a
        # stamp among short name-like segments (no sentence among them).
        short = all(
            len(s.split()) <= 12 and not s.strip().endswith(".") for s in segments
        )
        return short and any(_is_stamp(s) for s in segments)
    return _is_stamp(paragraph)


_META_SEPARATOR = re.compile(r"\s[|•·]\s")


def _is_stamp(text: str) -> bool:
    words = [w.strip("[](),;:") for w in text.split()]
    words = [w for w in words if w]
    if not words or len(words) > 20 or not any(c.isdigit() for c in text):
        return False
    if len(words) <= 12 and _BYLINE_WITH_TIME.match(text.strip()):
        return True
    return all(_DATE_TOKEN.match(w) or _STAMP_TOKEN.match(w) for w in words)
