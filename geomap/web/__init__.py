"""Articles where they live: web pages, RSS / Atom feeds and OPML lists, fetched politely.

- :mod:`geomap.web.fetch`: the bounded HTTP client (User-Agent, deadline, retries,
  per-host rate limit, size cap, redirects, conditional requests);
- :mod:`geomap.web.cache`: the fetch cache, kept in the event store's file;
- :mod:`geomap.web.feeds`: RSS / Atom items (feedparser) and OPML feed lists;
- :mod:`geomap.web.pages`: a page's main text and metadata (trafilatura);
- :mod:`geomap.web.cleanup`: boilerplate lines of saved pages ("Link to main version", "489");
- :mod:`geomap.web.read`: URLs -> articles (:func:`read_urls`).
"""

from geomap.web.cache import FetchCache
from geomap.web.cleanup import drop_boilerplate_lines
from geomap.web.fetch import Fetcher, FetchError
from geomap.web.pages import Page, extract_page
from geomap.web.read import is_url, read_urls, url_article_id

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
