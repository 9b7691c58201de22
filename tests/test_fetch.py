"""Polite, bounded fetching against a local news site on 127.0.0.1."""

from __future__ import annotations

import time

import pytest
from news_server import NewsServer, news_server  # noqa: F401 (fixture)

from geomap.web.cache import FetchCache
from geomap.web.fetch import DEFAULT_USER_AGENT, Fetcher, FetchError


def fetcher(**options) -> Fetcher:
    defaults = {"timeout": 5.0, "retries": 2, "backoff": 0.01, "min_delay": 0.0}
    return Fetcher(**{**defaults, **options})


def fail(f: Fetcher, url: str) -> str:
    with pytest.raises(FetchError) as info:
        f.fetch(url)
    assert info.value.path == url
    return info.value.reason


def test_a_page_is_fetched_with_geomaps_user_agent(news_server: NewsServer) -> None:
    got = fetcher().fetch(news_server.url + "/news/a1.html")
    assert got.status == 200 and got.media_type == "text/html" and b"Kharkiv" in got.body
    (_, headers), = news_server.requests
    assert headers["user-agent"] == DEFAULT_USER_AGENT and DEFAULT_USER_AGENT.startswith("geomap/")


def test_a_dead_link_is_reported_with_its_status_and_not_retried(news_server: NewsServer) -> None:
    assert fail(fetcher(), news_server.url + "/news/a3.html") == "HTTP 404 Not Found"
    assert news_server.paths() == ["/news/a3.html"]


def test_a_server_error_is_retried_with_back_off_then_reported(news_server: NewsServer) -> None:
    news_server.fault("/news/a1.html", "500")
    f = fetcher(retries=2, backoff=0.5)
    slept: list[float] = []
    f._sleep = slept.append
    assert fail(f, news_server.url + "/news/a1.html") == "HTTP 500 Internal Server Error"
    assert news_server.paths() == ["/news/a1.html"] * 3
    assert slept == [0.5, 1.0]  # doubled each time


def test_a_passing_server_error_costs_a_retry_not_the_article(news_server: NewsServer) -> None:
    news_server.fault("/news/a1.html", "503", times=1)
    assert b"Kharkiv" in fetcher().fetch(news_server.url + "/news/a1.html").body
    assert news_server.paths() == ["/news/a1.html"] * 2


def test_too_many_requests_waits_as_long_as_retry_after_says(news_server: NewsServer) -> None:
    news_server.fault("/feed.xml", "429", times=1, retry_after="2")
    f = fetcher(backoff=0.01)
    slept: list[float] = []
    f._sleep = slept.append
    assert f.fetch(news_server.url + "/feed.xml").status == 200
    assert slept == [2.0]


def test_a_server_that_never_answers_is_given_up_at_the_deadline(news_server: NewsServer) -> None:
    news_server.fault("/news/a1.html", "hang")
    start = time.monotonic()
    reason = fail(fetcher(timeout=1.0, retries=5, backoff=0.01), news_server.url + "/news/a1.html")
    assert reason.startswith("timed out after 1 s")
    assert time.monotonic() - start < 3.0  # a wall-clock deadline, retries included


def test_a_server_that_trickles_bytes_is_given_up_at_the_deadline(news_server: NewsServer) -> None:
    news_server.fault("/news/a1.html", "trickle")
    start = time.monotonic()
    reason = fail(fetcher(timeout=1.0, retries=0), news_server.url + "/news/a1.html")
    assert reason == "timed out after 1 s (still reading)"
    assert time.monotonic() - start < 3.0  # each read is quick: only a deadline stops it


def test_a_refused_connection_is_reported(news_server: NewsServer) -> None:
    url = news_server.url + "/news/a1.html"
    news_server.stop()
    reason = fail(fetcher(retries=1), url)
    assert reason.startswith("cannot connect")


def test_a_body_over_the_size_cap_is_refused(news_server: NewsServer) -> None:
    url = news_server.add("/big.html", b"<p>" + b"x" * 5000 + b"</p>")
    assert fail(fetcher(max_bytes=1000), url) == "too large (5,007 bytes > 1,000 bytes limit)"


def test_a_body_over_the_size_cap_without_a_length_is_cut_off(news_server: NewsServer) -> None:
    news_server.fault("/endless.html", "trickle")
    f = fetcher(max_bytes=10, timeout=5.0, retries=0)
    assert fail(f, news_server.url + "/endless.html") == "too large (more than the 10 bytes limit)"


def test_redirects_are_followed_and_the_final_url_kept(news_server: NewsServer) -> None:
    news_server.fault("/r1", "redirect", to="/r2")
    news_server.fault("/r2", "redirect", to=news_server.url + "/news/a1.html")
    got = fetcher().fetch(news_server.url + "/r1")
    assert got.final_url == news_server.url + "/news/a1.html" and b"Kharkiv" in got.body


def test_a_redirect_loop_is_reported(news_server: NewsServer) -> None:
    news_server.fault("/loop-a", "redirect", to="/loop-b")
    news_server.fault("/loop-b", "redirect", to="/loop-a")
    base = news_server.url
    assert fail(fetcher(), base + "/loop-a") == f"redirect loop ({base}/loop-a -> {base}/loop-b -> {base}/loop-a)"


def test_too_many_redirects_are_reported(news_server: NewsServer) -> None:
    for i in range(10):
        news_server.fault(f"/hop{i}", "redirect", to=f"/hop{i + 1}")
    assert fail(fetcher(max_redirects=3), news_server.url + "/hop0") == "too many redirects (more than 3)"
    assert len(news_server.requests) == 4


def test_a_redirect_away_from_the_web_is_refused(news_server: NewsServer) -> None:
    news_server.fault("/away", "redirect", to="file:///etc/passwd")
    assert fail(fetcher(), news_server.url + "/away") == "redirected to 'file:///etc/passwd', which is not an http(s) URL"


def test_requests_to_one_host_are_spaced_by_the_rate_limit(news_server: NewsServer) -> None:
    f = fetcher(min_delay=0.3)
    start = time.monotonic()
    for name in ("a1", "a2", "b1"):
        f.fetch(f"{news_server.url}/news/{name}.html")
    assert time.monotonic() - start >= 0.6  # two waits of 0.3 s between three requests


def test_a_second_fetch_asks_conditionally_and_gets_the_cached_body(news_server: NewsServer) -> None:
    cache = FetchCache(":memory:")
    f = fetcher(cache=cache)
    first = f.fetch(news_server.url + "/news/a1.html")
    second = f.fetch(news_server.url + "/news/a1.html")
    assert (first.from_cache, second.from_cache) == (False, True)
    assert second.body == first.body
    (_, asked_first), (_, asked_second) = news_server.requests
    assert "if-none-match" not in asked_first
    assert asked_second["if-none-match"] == first.etag and asked_second["if-modified-since"] == first.last_modified
    assert (f.requests, f.not_modified) == (2, 1)


def test_a_changed_page_is_fetched_again(news_server: NewsServer) -> None:
    cache = FetchCache(":memory:")
    f = fetcher(cache=cache)
    url = news_server.add("/live.html", "<p>First version</p>")
    f.fetch(url)
    news_server.add("/live.html", "<p>Second version</p>")
    got = f.fetch(url)
    assert not got.from_cache and got.body == b"<p>Second version</p>"
    assert cache.get(url).body == b"<p>Second version</p>"


def test_last_modified_alone_is_enough_for_a_conditional_request(news_server: NewsServer) -> None:
    cache = FetchCache(":memory:")
    f = fetcher(cache=cache)
    url = news_server.add("/no-etag.html", "<p>Same</p>", headers={"ETag": ""})
    first = f.fetch(url)
    assert not first.etag
    assert f.fetch(url).from_cache
    assert news_server.requests[-1][1]["if-modified-since"] == first.last_modified


@pytest.mark.parametrize("url", ["ftp://news.example/a", "news.example/a", "http://"], ids=["ftp", "no-scheme", "no-host"])
def test_only_http_urls_are_fetched(url: str) -> None:
    assert fail(fetcher(), url) == "not an http:// or https:// URL"
