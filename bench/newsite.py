"""A local news-site simulator for the benchmark: N articles, rounds of real edits.

    .venv/bin/python bench/newsite.py --articles 1000 [--change-fraction 0.1]
        [--no-etag] [--port 0] [--seed 1]

Serves on 127.0.0.1 only (asyncio, HTTP/1.1 keep-alive) and prints
``listening <port>`` on its first stdout line.

- ``GET /a/<n>``: article n (0-based), 60-120 KB: a big menu, inline scripts, ad
  slots, a "most read" block, and page furniture that changes on every request (an
  "updated at" stamp, a comment counter, ad and nonce ids, JSON-LD dateModified).
  Body text is 400-900 words of generated nl or en sentences.
  ``--furniture-fraction`` (default 0.9) of the articles carry, as real sites do,
  furniture that changes on every request *inside* the article body: a
  "Published ... · Updated <time>" dateline paragraph, a comment counter, an
  inline related-links box with a rotating teaser, an ad slot with a random id,
  and generated (hashed) class names on the body's elements. ``--old-layout``
  renders the earlier page (furniture around the article, none in it) instead.
  A few articles (``--noisy-fraction``) carry a rotating teaser inside the
  article body itself.
- ``POST /_round``: advance the round; ``round(change_fraction * N)`` articles really
  change (a text edit, a headline edit, or a figure revision such as "32 doden" ->
  "45 doden"). ``POST /_round?quiet=1`` advances with no changes.
- ``GET /_truth``: JSON ``{"round": r, "articles": {"<n>": {"text": [...],
  "headline": [...]}}}``, the rounds in which each article's text/headline changed.
- ETag/304: with ETag on (default), the ETag is the article's revision (as a CMS
  that versions articles would send), so an unchanged article answers 304 even
  though its furniture would differ. ``--no-etag`` sends no validators at all.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

# --- generated text ------------------------------------------------------------

WORDS = {
    "nl": {
        "subject": [
            "De minister",
            "Een woordvoerder van de gemeente",
            "De burgemeester",
            "Het kabinet",
            "De politie",
            "Een ooggetuige",
            "De oppositie",
            "Het ministerie van Defensie",
            "De vakbond",
            "Een hoogleraar internationaal recht",
            "De directeur van het ziekenhuis",
            "Een lokale journalist",
            "De brandweer",
            "Het Rode Kruis",
            "De rechtbank",
        ],
        "verb": [
            "zei dinsdag dat",
            "liet weten dat",
            "bevestigde later dat",
            "ontkende dat",
            "waarschuwde dat",
            "verklaarde in een persbericht dat",
            "schreef op sociale media dat",
            "benadrukte dat",
            "erkende woensdag dat",
            "meldde aan het eind van de middag dat",
        ],
        "clause": [
            "de situatie in {place} ernstig blijft",
            "er nog geen zicht is op een oplossing",
            "de hulpverlening in {place} op gang komt",
            "de onderhandelingen in {place} zijn vastgelopen",
            "de evacuatie van {place} langer duurt dan verwacht",
            "er in {place} meer troepen worden ingezet",
            "het onderzoek naar de oorzaak nog loopt",
            "de gevolgen voor de regio groot zijn",
            "de wegen rond {place} voorlopig dicht blijven",
            "er extra geld komt voor de opvang in {place}",
            "de verkiezingen in {place} worden uitgesteld",
            "de spanningen in {place} verder oplopen",
        ],
        "place": [
            "Stepanakert",
            "Rotterdam",
            "de grensstreek",
            "het noorden",
            "de hoofdstad",
            "Utrecht",
            "Goris",
            "de haven",
            "Groningen",
            "het kustgebied",
        ],
        "tail": [
            "",
            " volgens persbureau ANP",
            " aldus een bron binnen de regering",
            " meldt de NOS",
            " zo blijkt uit documenten die deze krant inzag",
        ],
        "figure": "Bij de aanval zijn volgens de autoriteiten {n} doden gevallen.",
        "figure2": "Zeker {n} mensen raakten gewond, {m} van hen ernstig.",
        "head": [
            "Onrust in {place} houdt aan",
            "Kabinet onder druk na besluit over {place}",
            "Evacuatie {place} loopt vertraging op",
            "Hulpverleners bereiken {place}",
            "Gesprekken over {place} vastgelopen",
        ],
        "head_edit": [
            " (update)",
            ": dodental stijgt",
            ", oppositie eist opheldering",
            " na nieuwe beschietingen",
        ],
        "menu": "Nieuws Binnenland Buitenland Politiek Economie Sport Cultuur Media",
        "updated": "Bijgewerkt",
        "comments": "reacties",
        "most_read": "Meest gelezen",
        "teaser": "Lees ook:",
    },
    "en": {
        "subject": [
            "The minister",
            "A city council spokesperson",
            "The mayor",
            "The government",
            "Police",
            "A witness",
            "The opposition leader",
            "The defence ministry",
            "The union",
            "A professor of international law",
            "The hospital director",
            "A local reporter",
            "The fire service",
            "The Red Cross",
            "The court",
        ],
        "verb": [
            "said on Tuesday that",
            "told reporters that",
            "later confirmed that",
            "denied that",
            "warned that",
            "said in a statement that",
            "wrote on social media that",
            "stressed that",
            "acknowledged on Wednesday that",
            "said late in the afternoon that",
        ],
        "clause": [
            "the situation in {place} remains serious",
            "no solution is yet in sight",
            "aid is starting to reach {place}",
            "talks in {place} have stalled",
            "the evacuation of {place} is taking longer than expected",
            "more troops are being sent to {place}",
            "the investigation into the cause is continuing",
            "the consequences for the region are severe",
            "roads around {place} will stay closed for now",
            "extra money will be made available for shelters in {place}",
            "elections in {place} will be postponed",
            "tensions in {place} are rising further",
        ],
        "place": [
            "Stepanakert",
            "Manchester",
            "the border region",
            "the north",
            "the capital",
            "Leeds",
            "Goris",
            "the harbour",
            "Glasgow",
            "the coastal strip",
        ],
        "tail": [
            "",
            ", according to Reuters",
            ", a government source said",
            ", the BBC reported",
            ", documents seen by this newspaper show",
        ],
        "figure": "At least {n} people were killed in the attack, officials said.",
        "figure2": "Some {n} people were injured, {m} of them seriously.",
        "head": [
            "Unrest in {place} continues",
            "Government under pressure over {place} decision",
            "Evacuation of {place} delayed",
            "Aid workers reach {place}",
            "Talks on {place} stall",
        ],
        "head_edit": [
            " (update)",
            ": death toll rises",
            " as opposition demands answers",
            " after new shelling",
        ],
        "menu": "News UK World Politics Business Sport Culture Media Science Health",
        "updated": "Updated",
        "comments": "comments",
        "most_read": "Most read",
        "teaser": "Read more:",
    },
}


def sentence(rng: random.Random, lang: str) -> str:
    w = WORDS[lang]
    place = rng.choice(w["place"])
    clause = rng.choice(w["clause"]).format(place=place)
    text = f"{rng.choice(w['subject'])} {rng.choice(w['verb'])} {clause}"
    return text + rng.choice(w["tail"]) + "."


@dataclass
class Article:
    n: int
    lang: str
    headline: str
    paragraphs: list[list[str]]
    killed: int
    injured: int
    revision: int = 0
    noisy: bool = False
    furnished: bool = False
    text_rounds: list[int] = field(default_factory=list)
    headline_rounds: list[int] = field(default_factory=list)
    furniture_seed: int = 0

    def figure_sentences(self) -> list[str]:
        w = WORDS[self.lang]
        return [
            w["figure"].format(n=self.killed),
            w["figure2"].format(n=self.injured, m=max(1, self.injured // 4)),
        ]


def new_article(
    n: int, rng: random.Random, noisy: bool, furnished: bool = False
) -> Article:
    lang = "nl" if n % 3 else "en"
    w = WORDS[lang]
    target = rng.randint(400, 860)  # plus the two figure sentences
    paragraphs: list[list[str]] = []
    words = 0
    while words < target:
        para = [sentence(rng, lang) for _ in range(rng.randint(2, 5))]
        words += sum(len(s.split()) for s in para)
        paragraphs.append(para)
    headline = rng.choice(w["head"]).format(place=rng.choice(w["place"]))
    return Article(
        n=n,
        lang=lang,
        headline=f"{headline} ({n})",
        paragraphs=paragraphs,
        killed=rng.randint(3, 60),
        injured=rng.randint(10, 200),
        noisy=noisy,
        furnished=furnished,
        furniture_seed=rng.randint(0, 1 << 30),
    )


# --- page rendering ------------------------------------------------------------


def _menu(rng: random.Random, lang: str) -> str:
    sections = WORDS[lang]["menu"].split()
    items = []
    for section in sections:
        sub = "".join(
            f'<li class="menu__sub"><a href="/{section.lower()}/{k}" '
            f'data-track="nav-{section.lower()}-{k}">{section} '
            f"{rng.choice(WORDS[lang]['place'])} {k}</a></li>"
            for k in range(rng.randint(14, 24))
        )
        items.append(
            f'<li class="menu__item"><a href="/{section.lower()}">{section}</a>'
            f'<ul class="menu__list">{sub}</ul></li>'
        )
    return (
        f'<nav class="site-nav" id="nav"><ul class="menu">{"".join(items)}</ul></nav>'
    )


def _script(rng: random.Random, kb: int) -> str:
    # Minified-looking analytics/config blobs: realistic bulk that parsers must skip.
    keys = [f"k{rng.randint(0, 1 << 20):x}" for _ in range(kb * 48)]
    config = {k: rng.randint(0, 1 << 30) for k in keys}
    return (
        "<script>window.__CONFIG__=" + json.dumps(config, separators=(",", ":")) + ";"
        "(function(w,d){var s=d.createElement('script');s.async=1;"
        "s.src='/static/tag.js';d.head.appendChild(s)})(window,document);</script>"
    )


class Page:
    """Static furniture of one article, rendered once; the rest per request."""

    def __init__(self, article: Article) -> None:
        rng = random.Random(article.furniture_seed)
        lang = article.lang
        self.head_scripts = _script(rng, rng.randint(28, 55))
        self.menu = _menu(rng, lang)
        self.footer_scripts = _script(rng, rng.randint(10, 26))
        related = "".join(
            f'<li><a href="/a/{rng.randint(0, 99999)}">{sentence(rng, lang)}</a></li>'
            for _ in range(rng.randint(20, 40))
        )
        self.related = (
            f'<aside class="related"><h2>{WORDS[lang]["most_read"]}</h2>'
            f"<ol>{related}</ol></aside>"
        )
        self.footer = (
            '<footer class="site-footer"><ul>'
            + "".join(f'<li><a href="/info/{k}">Info {k}</a></li>' for k in range(60))
            + "</ul><p>&copy; 2025 Bench Media</p></footer>"
        )


def render(article: Article, page: Page, request_no: int, now: float) -> bytes:
    rng = random.Random(request_no * 7919 + article.n)
    lang = article.lang
    w = WORDS[lang]
    stamp = time.strftime("%H:%M:%S", time.gmtime(now))
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    headline = article.headline
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": headline,
            "datePublished": "2025-03-01T08:00:00Z",
            "dateModified": iso,
            "inLanguage": lang,
            "author": {"@type": "Person", "name": "Bench Reporter"},
        }
    )
    paras = []
    figure_at = min(2, len(article.paragraphs) - 1)
    for k, para in enumerate(article.paragraphs):
        sentences = para + article.figure_sentences() if k == figure_at else para
        paras.append(f"<p>{' '.join(sentences)}</p>")
        if article.noisy and k == 1:
            # A rotating teaser inside the article body: furniture in the region.
            paras.append(
                f'<p class="inline-teaser"><a href="/a/{rng.randint(0, 99999)}">'
                f"{w['teaser']} {sentence(rng, lang)}</a></p>"
            )
        if k == 3:
            paras.append(
                f'<div class="ad-slot" id="ad-{rng.randint(0, 1 << 30):x}" '
                f'data-nonce="{rng.getrandbits(64):x}"></div>'
            )
    body_class = "article-body"
    if article.furnished:
        paras = _furnish(paras, rng, lang, stamp)
        body_class += " " + _hashed(rng)
    comments = rng.randint(0, 900)
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{headline} | Bench Media</title>"
        f'<meta property="og:title" content="{headline}">'
        f'<meta property="og:site_name" content="Bench Media">'
        f'<meta name="csrf" content="{rng.getrandbits(128):x}">'
        f'<script type="application/ld+json">{ld}</script>'
        f"{page.head_scripts}</head><body>"
        f'<header class="masthead"><a href="/">Bench Media</a>'
        f'<span class="clock">{stamp}</span></header>{page.menu}'
        f'<div class="ad-slot top" id="ad-{rng.randint(0, 1 << 30):x}"></div>'
        f'<main><article class="story">'
        f"<h1>{headline}</h1>"
        f'<div class="meta"><span class="byline">Bench Reporter</span>'
        f' <span class="timestamp">{w["updated"]} {stamp}</span>'
        f' <a class="comments-count" href="#c">{comments} {w["comments"]}</a></div>'
        f'<div class="{body_class}">{"".join(paras)}</div>'
        f"</article>{page.related}</main>"
        f'<div class="ad-slot bottom" data-nonce="{rng.getrandbits(64):x}"></div>'
        f"{page.footer}{page.footer_scripts}"
        f"<script>window.__REQ__={request_no};</script></body></html>"
    )
    return html.encode("utf-8")


def _hashed(rng: random.Random) -> str:
    # CSS-in-JS class names: regenerated on every render here, the worst case.
    return f"css-{rng.getrandbits(24):06x}"


def _furnish(paras: list[str], rng: random.Random, lang: str, stamp: str) -> list[str]:
    """Furniture inside the article body that changes on every request."""
    w = WORDS[lang]
    dateline = (
        f"<p>Published 1 March 2025 08:00 · {w['updated']} {stamp}</p>"
        if lang == "en"
        else f"<p>Gepubliceerd 1 maart 2025 08:00 · {w['updated']} {stamp}</p>"
    )
    counter = (
        f'<div class="comment-counter {_hashed(rng)}"><a href="#c">'
        f"{rng.randint(0, 900)} {w['comments']}</a></div>"
    )
    related = (
        f'<div class="related-inline {_hashed(rng)}"><span>{w["teaser"]}</span> '
        f'<a href="/a/{rng.randint(0, 99999)}">{sentence(rng, lang)}</a></div>'
    )
    ad = f'<div class="ad {_hashed(rng)}" id="ad-{rng.getrandbits(40):x}"></div>'
    hashed = [p.replace("<p>", f'<p class="{_hashed(rng)}">', 1) for p in paras]
    middle = min(3, len(hashed))
    return [dateline, counter, *hashed[:middle], related, ad, *hashed[middle:]]


# --- the site ------------------------------------------------------------------


class Site:
    def __init__(
        self,
        n: int,
        change_fraction: float,
        seed: int,
        use_etag: bool,
        noisy_fraction: float,
        furniture_fraction: float = 0.0,
    ) -> None:
        self.rng = random.Random(seed)
        noisy = set(self.rng.sample(range(n), round(n * noisy_fraction)))
        furnished = set(self.rng.sample(range(n), round(n * furniture_fraction)))
        self.articles = [
            new_article(k, self.rng, k in noisy, k in furnished) for k in range(n)
        ]
        # Sites share their menus and scripts across pages: a few templates per
        # language, so 10,000 articles do not need a gigabyte of furniture.
        self.templates: dict[tuple[str, int], Page] = {}
        self.change_fraction = change_fraction
        self.use_etag = use_etag
        self.round = 0
        self.requests = 0
        self.not_modified = 0

    def advance(self, quiet: bool = False) -> list[int]:
        self.round += 1
        if quiet:
            return []
        count = round(len(self.articles) * self.change_fraction)
        changed = self.rng.sample(range(len(self.articles)), count)
        for k in changed:
            self._edit(self.articles[k])
        return changed

    def _edit(self, article: Article) -> None:
        rng = self.rng
        kind = rng.choice(("text", "text", "headline", "figure"))
        lang = article.lang
        if kind == "headline":
            base = article.headline.split(" (")[0].split(":")[0]
            edit = rng.choice(WORDS[lang]["head_edit"])
            article.headline = f"{base}{edit} ({article.n}, r{self.round})"
            article.headline_rounds.append(self.round)
        elif kind == "figure":
            article.killed += rng.randint(1, 20)  # "32 doden" -> "45 doden"
            article.text_rounds.append(self.round)
        else:
            para = rng.choice(article.paragraphs)
            if rng.random() < 0.5 or len(para) < 2:
                para.insert(rng.randrange(len(para) + 1), sentence(rng, lang))
            else:
                para[rng.randrange(len(para))] = sentence(rng, lang)
            article.text_rounds.append(self.round)
        article.revision += 1

    def truth(self) -> dict:
        return {
            "round": self.round,
            "articles": {
                str(a.n): {"text": a.text_rounds, "headline": a.headline_rounds}
                for a in self.articles
            },
        }

    def respond(self, method: str, target: str, headers: dict[str, str]) -> tuple:
        parts = urlsplit(target)
        path = parts.path
        if method == "POST" and path == "/_round":
            quiet = parse_qs(parts.query).get("quiet") == ["1"]
            changed = self.advance(quiet=quiet)
            body = json.dumps({"round": self.round, "changed": changed}).encode()
            return 200, "application/json", body, {}
        if method == "GET" and path == "/_truth":
            return 200, "application/json", json.dumps(self.truth()).encode(), {}
        if method == "GET" and path == "/_stats":
            stats = {"requests": self.requests, "not_modified": self.not_modified}
            return 200, "application/json", json.dumps(stats).encode(), {}
        if method == "GET" and path.startswith("/a/"):
            try:
                article = self.articles[int(path[3:])]
            except (ValueError, IndexError):
                return 404, "text/html", b"<html><body>Not found</body></html>", {}
            self.requests += 1
            extra = {}
            if self.use_etag:
                tag = hashlib.sha1(f"{article.n}:{article.revision}".encode())
                etag = f'"{tag.hexdigest()[:16]}"'
                extra["ETag"] = etag
                if headers.get("if-none-match") == etag:
                    self.not_modified += 1
                    return 304, "", b"", extra
            key = (article.lang, article.furniture_seed % TEMPLATES)
            if key not in self.templates:
                self.templates[key] = Page(article)
            page = self.templates[key]
            body = render(article, page, self.requests, time.time())
            return 200, "text/html; charset=utf-8", body, extra
        return 404, "text/html", b"<html><body>Not found</body></html>", {}


TEMPLATES = 48
REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 404: "Not Found"}
MAX_HEADER_BYTES = 16_384
IDLE_TIMEOUT = 30.0


async def handle(
    site: Site, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            try:
                head = await asyncio.wait_for(
                    reader.readuntil(b"\r\n\r\n"), IDLE_TIMEOUT
                )
            except (
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                TimeoutError,
            ):
                return
            if len(head) > MAX_HEADER_BYTES:
                return
            lines = head.decode("latin-1").split("\r\n")
            try:
                method, target, _version = lines[0].split(" ", 2)
            except ValueError:
                return
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            if length:
                await reader.readexactly(min(length, MAX_HEADER_BYTES))
            status, ctype, body, extra = site.respond(method, target, headers)
            out = [f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}"]
            if ctype:
                out.append(f"Content-Type: {ctype}")
            if status != 304:
                out.append(f"Content-Length: {len(body)}")
            out.extend(f"{k}: {v}" for k, v in extra.items())
            close = headers.get("connection", "").lower() == "close"
            out.append("Connection: close" if close else "Connection: keep-alive")
            writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
            if close:
                return
    except (ConnectionError, OSError):
        return
    finally:
        writer.close()


async def serve(site: Site, port: int) -> None:
    server = await asyncio.start_server(
        lambda r, w: handle(site, r, w), "127.0.0.1", port, backlog=1024
    )
    bound = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"listening {bound}\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--change-fraction", type=float, default=0.1)
    parser.add_argument("--noisy-fraction", type=float, default=0.05)
    parser.add_argument("--furniture-fraction", type=float, default=0.9)
    parser.add_argument(
        "--old-layout",
        action="store_true",
        help="no furniture inside the article (the layout before issue 14)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--etag", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    site = Site(
        args.articles,
        args.change_fraction,
        args.seed,
        args.etag,
        args.noisy_fraction,
        0.0 if args.old_layout else args.furniture_fraction,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(site, args.port))


if __name__ == "__main__":
    main()
