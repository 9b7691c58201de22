"""Articles where they live: web pages, RSS / Atom feeds and OPML lists, fetched politely.

- :mod:`geomap.web.fetch`: the bounded HTTP client (User-Agent, deadline, retries,
  per-host rate limit, size cap, redirects, conditional requests);
- :mod:`geomap.web.cache`: the fetch cache, kept in the event store's file;
- :mod:`geomap.web.feeds`: RSS / Atom items (feedparser) and OPML feed lists;
- :mod:`geomap.web.pages`: a page's main text and metadata (trafilatura);
- :mod:`geomap.web.cleanup`: boilerplate lines of saved pages ("Link to main version", "489");
- :mod:`geomap.web.read`: URLs -> articles (:func:`read_urls`).

The names below are imported on first use (PEP 562): reading local files needs none of
:mod:`geomap.web.fetch`'s HTTP client (requests, urllib3: 0.3 s of every ``geomap run``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from geomap.web.cache import FetchCache
    from geomap.web.cleanup import drop_boilerplate_lines
    from geomap.web.fetch import Fetcher, FetchError
    from geomap.web.pages import Page, extract_page
    from geomap.web.read import read_urls, url_article_id
    from geomap.web.urls import is_url

_WHERE = {
    "FetchCache": "geomap.web.cache",
    "FetchError": "geomap.web.fetch",
    "Fetcher": "geomap.web.fetch",
    "Page": "geomap.web.pages",
    "drop_boilerplate_lines": "geomap.web.cleanup",
    "extract_page": "geomap.web.pages",
    "is_url": "geomap.web.urls",
    "read_urls": "geomap.web.read",
    "url_article_id": "geomap.web.read",
}

__all__ = [
    "FetchCache",
    "FetchError",
    "Fetcher",
    "Page",
    "drop_boilerplate_lines",
    "extract_page",
    "is_url",
    "read_urls",
    "url_article_id",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
