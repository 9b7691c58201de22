"""RSS / Atom feeds (by feedparser) and OPML lists of feeds: what a fetched body is, and
the items or feeds it lists."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import lxml.etree

__all__ = ["FeedItem", "kind_of", "parse_feed", "parse_opml"]

_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+xml"})
_XML_TYPES = frozenset({"application/xml", "text/xml"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_PROLOGUE = re.compile(rb"\s*(?:<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>]*>)", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed: its link, and what the feed says of it."""

    link: str
    title: str | None = None
    published: dt.date | None = None
    stamp: str | None = None  # the item's updated / published value as written: it changes when the item does


def kind_of(body: bytes, media_type: str) -> str | None:
    """What a fetched body is: ``"feed"`` (RSS, Atom, RDF), ``"opml"``, ``"html"``, or
    ``None`` for anything else. The first element decides; the content type only when
    there is none to see (servers often call feeds ``text/xml`` or ``text/html``).

    >>> kind_of(b'<?xml version="1.0"?><rss version="2.0"></rss>', "text/xml"), kind_of(b"<!doctype html><p>x", "")
    ('feed', 'html')
    >>> kind_of(b"%PDF-1.7", "application/pdf") is None
    True
    """
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    root = _first_element(head)
    if root in ("rss", "feed", "rdf:rdf", "rdf"):
        return "feed"
    if root == "opml":
        return "opml"
    if root in ("html", "head", "body") or head[:9].lower() == b"<!doctype":
        return "html"
    if root is not None and media_type in _HTML_TYPES:
        return "html"
    if root is None and media_type in _FEED_TYPES:
        return "feed"
    return None


def _first_element(head: bytes) -> str | None:
    # Past comments, the XML declaration and a doctype, the first tag names the document.
    text = _PROLOGUE.sub(b"", head).lstrip()
    match = _ROOT.match(text)
    return match.group(1).decode("ascii", "replace").lower() if match else None


def parse_feed(body: bytes, base_url: str) -> list[FeedItem]:
    """The items of an RSS or Atom feed, in the feed's order, with absolute links.

    Raises :class:`ValueError` (with the reason) for a body feedparser cannot read as a feed.

    >>> items = parse_feed(b'<rss version="2.0"><channel><item><title>Strike</title><link>/a1.html</link>'
    ...                    b'<pubDate>Tue, 10 Jun 2025 07:45:00 +0300</pubDate></item></channel></rss>', "http://news.example/feed.xml")
    >>> items[0].link, items[0].published
    ('http://news.example/a1.html', datetime.date(2025, 6, 10))
    """
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    if not parsed.version and not parsed.entries:
        reason = getattr(parsed.get("bozo_exception"), "getMessage", lambda: "")() or "not an RSS or Atom feed"
        raise ValueError(f"cannot read the feed: {reason}")
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        link = _entry_link(entry, base_url)
        if not link or link in seen:
            continue
        seen.add(link)
        raw = dict.get(entry, "published") or dict.get(entry, "updated") or dict.get(entry, "created")
        items.append(FeedItem(
            link=link,
            title=" ".join((entry.get("title") or "").split()) or None,
            published=_date(raw, dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")),
            # dict.get: feedparser maps a missing "updated" to "published" with a warning.
            stamp=dict.get(entry, "updated") or dict.get(entry, "published") or None,
        ))
    return items


def _entry_link(entry, base_url: str) -> str | None:
    link = entry.get("link")
    if not link:
        for candidate in entry.get("links", ()):
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                link = candidate["href"]
                break
    if not link and entry.get("guidislink") and entry.get("id"):
        link = entry["id"]
    if not link:
        return None
    absolute = urljoin(base_url, link.strip())
    return absolute if absolute.lower().startswith(("http://", "https://")) else None


def _date(raw: str | None, parsed) -> dt.date | None:
    """The date as the feed writes it (RFC 822 or ISO 8601), in the feed's own time zone."""
    if raw:
        try:
            return parsedate_to_datetime(raw).date()
        except (TypeError, ValueError, IndexError):
            pass
        match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", raw)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                pass
    if parsed:
        try:
            return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
        except (AttributeError, ValueError):
            return None
    return None


def parse_opml(body: bytes, base_url: str) -> list[str]:
    """The feed URLs an OPML file lists (``<outline xmlUrl=...>``, nested outlines too).

    Raises :class:`ValueError` for a body that is not well-formed XML.

    >>> parse_opml(b'<opml version="2.0"><body><outline text="News" xmlUrl="http://news.example/feed.xml"/></body></opml>', "")
    ['http://news.example/feed.xml']
    """
    # No DTDs, no entities, no network: an OPML file is data from anywhere.
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = lxml.etree.fromstring(body, parser)
    except lxml.etree.XMLSyntaxError as err:
        raise ValueError(f"cannot read the OPML: {err}") from err
    urls: list[str] = []
    for outline in root.iter("outline"):
        value = outline.get("xmlUrl") or outline.get("xmlurl")
        if value:
            url = urljoin(base_url, value.strip())
            if url.lower().startswith(("http://", "https://")) and url not in urls:
                urls.append(url)
    return urls
