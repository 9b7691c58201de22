"""URLs, RSS / Atom feeds and OPML lists -> articles, from a local news site on 127.0.0.1."""

from __future__ import annotations

import datetime as dt

import pytest
from news_server import NewsServer, news_server  # noqa: F401 (fixture)

from geomap.errors import ArticleError
from geomap.models import Article
from geomap.web.cache import FetchCache
from geomap.web.fetch import Fetcher
from geomap.web.read import read_urls, url_article_id

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Caucasus Daily</title>
  <id>urn:caucasus</id>
  <updated>2025-06-08T21:10:00+04:00</updated>
  <entry>
    <title>Thousands rally outside parliament in Tbilisi</title>
    <link rel="alternate" href="/news/a2.html"/>
    <id>urn:a2</id>
    <updated>2025-06-08T21:10:00+04:00</updated>
  </entry>
</feed>
"""


def read(urls, cache=None):
    fetcher = Fetcher(timeout=5, retries=0, min_delay=0, cache=cache)
    items = list(read_urls(urls, fetcher=fetcher, published=dt.date(2000, 1, 1)))
    return [i for i in items if isinstance(i, Article)], {e.path: e.reason for e in items if isinstance(e, ArticleError)}


def test_a_feed_gives_its_articles_and_names_its_dead_link(news_server: NewsServer) -> None:
    base = news_server.url
    articles, failed = read([base + "/feed.xml"])
    assert failed == {base + "/news/a3.html": "HTTP 404 Not Found"}
    strike, protest = articles
    assert strike.title == "Drone strike on Kharkiv apartment block kills two"
    assert strike.published == dt.date(2025, 6, 10)  # the feed item's date, as the feed writes it (+03:00)
    assert strike.url == "http://news.example/world/kharkiv-drone-strike"  # the page's canonical URL
    assert strike.path == base + "/news/a1.html"
    assert strike.id == url_article_id(strike.url)
    assert "drone strike hit a nine-storey apartment block in Kharkiv" in strike.text
    assert "Battle for Chasiv Yar" not in strike.text and "My cousin in Dnipro" not in strike.text
    assert protest.title == "Thousands rally outside parliament in Tbilisi" and protest.published == dt.date(2025, 6, 8)


def test_a_single_page_url_is_one_article_dated_from_the_page(news_server: NewsServer) -> None:
    (article,), failed = read([news_server.url + "/news/b2.html"])
    assert failed == {}
    assert article.title == "Explosion at chemical plant in Dzerzhinsk injures workers"
    assert article.published == dt.date(2025, 4, 2)  # article:published_time
    assert article.url == "http://news.example/russia/dzerzhinsk-explosion"  # og:url


def test_a_page_without_metadata_takes_the_given_date_and_its_own_url(news_server: NewsServer) -> None:
    url = news_server.add("/bare.html", "<html><body><p>" + "Shelling hit Kherson on Monday, officials said. " * 6
                          + "</p></body></html>")
    (article,), _ = read([url])
    assert (article.published, article.url) == (dt.date(2000, 1, 1), url)


def test_an_atom_feed_and_an_opml_list_of_feeds(news_server: NewsServer) -> None:
    news_server.add("/atom.xml", ATOM, "application/atom+xml")
    news_server.add("/feeds.opml", f"""<?xml version="1.0"?><opml version="2.0"><head><title>My feeds</title></head>
        <body><outline text="News"><outline text="Herald" type="rss" xmlUrl="{news_server.url}/feed.xml"/>
        <outline text="Daily" type="rss" xmlUrl="/atom.xml"/></outline></body></opml>""", "text/x-opml")
    articles, failed = read([news_server.url + "/feeds.opml"])
    # a2 is in both feeds: one article.
    assert [a.title for a in articles] == ["Drone strike on Kharkiv apartment block kills two",
                                          "Thousands rally outside parliament in Tbilisi"]
    assert list(failed) == [news_server.url + "/news/a3.html"]


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"%PDF-1.7 ...", "application/pdf", "not an HTML page, an RSS or Atom feed or an OPML file (content type application/pdf)"),
        (b'{"items": []}', "application/json", "not an HTML page, an RSS or Atom feed or an OPML file (content type application/json)"),
        (b'<rss version="2.0"><channel><title>Empty</title></channel></rss>', "application/rss+xml", "the feed lists no items with a link"),
        (b"<html><head><title>Only a title</title></head><body><script>x()</script></body></html>", "text/html", "no article text on the page"),
    ],
    ids=["pdf", "json", "empty-feed", "no-text"],
)
def test_what_is_not_an_article_is_reported_with_the_reason(news_server: NewsServer, body: bytes,
                                                            content_type: str, reason: str) -> None:
    url = news_server.add("/thing", body, content_type)
    assert read([url]) == ([], {url: reason})


def test_a_feed_item_that_is_not_a_page_is_reported(news_server: NewsServer) -> None:
    news_server.add("/doc.pdf", b"%PDF-1.7", "application/pdf")
    news_server.add("/pdf-feed.xml", f"""<rss version="2.0"><channel><item><title>Report</title>
        <link>{news_server.url}/doc.pdf</link></item></channel></rss>""", "application/rss+xml")
    assert read([news_server.url + "/pdf-feed.xml"]) == ([], {news_server.url + "/doc.pdf": "not an HTML page (content type application/pdf)"})


def test_the_same_story_at_two_urls_is_one_article(news_server: NewsServer) -> None:
    page = (news_server.routes["/news/a1.html"]).body
    mirror = news_server.add("/mirror/kharkiv.html", page)
    articles, _ = read([news_server.url + "/news/a1.html", mirror, news_server.url + "/news/a1.html?utm_source=x"])
    assert len({a.id for a in articles}) == 1  # one canonical URL, one id


def test_a_rerun_on_an_unchanged_feed_asks_only_for_the_feed(news_server: NewsServer) -> None:
    cache = FetchCache(":memory:")
    first, _ = read([news_server.url + "/feed.xml"], cache)
    news_server.clear()
    second, failed = read([news_server.url + "/feed.xml"], cache)
    assert second == first
    # The feed answers 304; its items carry the stamps they had, so they are not asked
    # for; the dead link (never cached) is asked again.
    assert news_server.paths() == ["/feed.xml", "/news/a3.html"]
    assert news_server.requests[0][1]["if-none-match"]
    assert list(failed) == [news_server.url + "/news/a3.html"]


def test_an_item_whose_stamp_changed_is_asked_for_again(news_server: NewsServer) -> None:
    cache = FetchCache(":memory:")
    read([news_server.url + "/feed.xml"], cache)
    feed = news_server.routes["/feed.xml"].body.decode()
    news_server.add("/feed.xml", feed.replace("Tue, 10 Jun 2025 07:45:00 +0300", "Tue, 10 Jun 2025 09:00:00 +0300"),
                    "application/rss+xml")
    news_server.clear()
    read([news_server.url + "/feed.xml"], cache)
    assert news_server.paths() == ["/feed.xml", "/news/a1.html", "/news/a3.html"]
    assert news_server.requests[1][1]["if-none-match"]  # asked conditionally: 304, the cached page


def test_docstring_examples_run() -> None:
    import doctest

    import geomap.web.cache
    import geomap.web.cleanup
    import geomap.web.feeds
    import geomap.web.fetch
    import geomap.web.pages
    import geomap.web.read

    for module in (geomap.web.cache, geomap.web.cleanup, geomap.web.feeds, geomap.web.fetch, geomap.web.pages,
                   geomap.web.read):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
