"""URLs -> :class:`~geomap.models.Article` objects: article pages, RSS / Atom feeds and
OPML lists of feeds, fetched politely (:mod:`geomap.web.fetch`).

:func:`read_urls` never stops at a bad link: it yields a
:class:`~geomap.web.fetch.FetchError` (an :class:`~geomap.errors.ArticleError` whose
``path`` is the URL) for it, with the reason, and goes on.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from geomap.errors import ArticleError
from geomap.models import Article
from geomap.web.feeds import FeedItem, kind_of, parse_feed, parse_opml
from geomap.web.fetch import Fetched, Fetcher, FetchError
from geomap.web.pages import extract_page
from geomap.web.urls import is_url

__all__ = ["is_url", "read_urls", "url_article_id", "canonical_url"]

_ACCEPT_ANY = ("application/rss+xml, application/atom+xml, text/html;q=0.9, application/xhtml+xml;q=0.9, "
               "application/xml;q=0.8, text/xml;q=0.8, text/x-opml;q=0.8, */*;q=0.1")
_ACCEPT_PAGE = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
_ACCEPT_FEED = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid)$", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """``url`` as an article is known by: no fragment, no tracking parameters
    (``utm_*``, ``fbclid``, ...), scheme and host in lower case.

    >>> canonical_url("HTTPS://News.Example/a1.html?utm_source=x&id=3#comments")
    'https://news.example/a1.html?id=3'
    """
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))


def url_article_id(url: str) -> str:
    """The stable id of a web article: 16 hex digits of the SHA-1 of its canonical URL,
    so the same story reached by two links, or edited since, is one article.

    >>> url_article_id("http://news.example/a1.html#top") == url_article_id("http://news.example/a1.html")
    True
    """
    return hashlib.sha1(("url:" + canonical_url(url)).encode("utf-8")).hexdigest()[:16]


def read_urls(urls: Iterable[str], *, fetcher: Fetcher, published: dt.date | None = None) -> Iterator[Article | ArticleError]:
    """Fetch each URL and yield its articles: a page is one article, a feed gives one
    per item (its page fetched), an OPML file the items of each feed it lists.

    An article's title and date come from its feed item when there is one, else from
    the page (``article:published_time``, JSON-LD ``datePublished``, ``<time>``), else
    ``published``; its ``url`` is the page's canonical URL (or where the redirects
    ended) and its id :func:`url_article_id` of it. A feed item already fetched under
    the same stamp (the feed's updated / published value) is not asked for again.

    Parameters:
        urls: ``http://`` / ``https://`` URLs.
        fetcher: the :class:`Fetcher` to ask with (its cache makes reruns cheap).
        published: the date for articles that give none.

    Example:
        >>> fetcher = Fetcher(timeout=2, retries=0)
        >>> [str(e) for e in read_urls(["ftp://news.example/a"], fetcher=fetcher)]
        ['ftp://news.example/a: not an http:// or https:// URL']
    """
    seen: set[str] = set()
    for url in urls:
        url = url.strip()
        if url in seen:
            continue
        seen.add(url)
        yield from _read_url(url, fetcher=fetcher, published=published, seen=seen, from_opml=False)


def _read_url(url: str, *, fetcher: Fetcher, published: dt.date | None, seen: set[str],
              from_opml: bool) -> Iterator[Article | ArticleError]:
    try:
        fetched = fetcher.fetch(url, accept=_ACCEPT_FEED if from_opml else _ACCEPT_ANY)
    except FetchError as err:
        yield err
        return
    kind = kind_of(fetched.body, fetched.media_type)
    if kind == "html" and not from_opml:
        yield _page_article(fetched, None, published)
    elif kind == "feed":
        try:
            items = parse_feed(fetched.body, fetched.final_url)
        except ValueError as err:
            yield FetchError(url, str(err))
            return
        if not items:
            yield FetchError(url, "the feed lists no items with a link")
        for item in items:
            if item.link not in seen:
                seen.add(item.link)
                yield _item_article(item, fetcher, published)
    elif kind == "opml" and not from_opml:
        try:
            feeds = parse_opml(fetched.body, fetched.final_url)
        except ValueError as err:
            yield FetchError(url, str(err))
            return
        if not feeds:
            yield FetchError(url, "the OPML file lists no feeds (no outline with an xmlUrl)")
        for feed in feeds:
            if feed not in seen:
                seen.add(feed)
                yield from _read_url(feed, fetcher=fetcher, published=published, seen=seen, from_opml=True)
    else:
        expected = "an RSS or Atom feed" if from_opml else "an HTML page, an RSS or Atom feed or an OPML file"
        yield FetchError(url, f"not {expected} (content type {fetched.media_type or 'not given'})")


def _item_article(item: FeedItem, fetcher: Fetcher, published: dt.date | None) -> Article | ArticleError:
    cache = fetcher.cache
    fetched = None
    if cache is not None and item.stamp is not None and cache.stamp(item.link) == item.stamp:
        fetched = cache.get(item.link)  # the feed says the item has not changed: do not ask
    if fetched is None:
        try:
            fetched = fetcher.fetch(item.link, accept=_ACCEPT_PAGE)
        except FetchError as err:
            return err
        if cache is not None:
            cache.set_stamp(item.link, item.stamp)
    if kind_of(fetched.body, fetched.media_type) != "html":
        return FetchError(item.link, f"not an HTML page (content type {fetched.media_type or 'not given'})")
    return _page_article(fetched, item, published)


def _page_article(fetched: Fetched, item: FeedItem | None, published: dt.date | None) -> Article | ArticleError:
    page = extract_page(_decode(fetched), url=fetched.final_url)
    if not page.text.strip():
        return FetchError(fetched.url, "no article text on the page")
    url = page.url or fetched.final_url
    return Article(
        id=url_article_id(url),
        text=page.text,
        title=(item.title if item else None) or page.title,
        published=(item.published if item else None) or page.published or published,
        url=url,
        path=fetched.url,
    )


def _decode(fetched: Fetched) -> str:
    """A page's text: the HTTP charset, else a byte order mark or the page's declared
    charset, else UTF-8, else Windows-1252 (what browsers fall back to)."""
    body = fetched.body
    candidates = [fetched.charset]
    if body.startswith(codecs.BOM_UTF8):
        candidates.insert(0, "utf-8-sig")
    declared = _CHARSET.search(body[:4096])
    if declared:
        candidates.append(declared.group(1).decode("ascii", "replace"))
    for encoding in [*candidates, "utf-8"]:
        if not encoding:
            continue
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("cp1252", errors="replace")
