"""A local news site on 127.0.0.1 for tests that fetch pages and feeds (never the internet).

It serves the pages of ``tests/data/web/news/`` under ``/news/``, an RSS feed of two of
them plus a dead third link at ``/feed.xml``, and whatever a test adds with
``server.add(path, body, content_type)``. Every answer carries an ``ETag`` and a
``Last-Modified`` date and honours ``If-None-Match`` / ``If-Modified-Since`` with a 304,
as a well-run site does. A path can be told to misbehave, always or the first N times::

    server.fault("/news/a1.html", "500", times=2)   # two 500s, then the page
    server.fault("/slow", "hang")                    # no answer for hang_seconds
    server.fault("/trickle", "trickle")              # a byte every 0.2 s, forever (bounded)
    server.fault("/loop", "redirect", to="/loop")    # 302 to itself
    server.fault("/feed", "429", retry_after="1")

and it records every request (``server.requests``: path and headers).
"""

from __future__ import annotations

import email.utils
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from local_server import Fault, LocalServer, QuietHandler

__all__ = ["NewsServer", "news_server", "FEED_TEMPLATE"]

NEWS = Path(__file__).parent / "data" / "web" / "news"
LAST_MODIFIED = email.utils.formatdate(1749540000, usegmt=True)  # 2025-06-10

FEED_TEMPLATE = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
  <title>Eastern Herald: latest</title>
  <link>{base}/</link>
  <description>Latest news</description>
  <item>
    <title>Drone strike on Kharkiv apartment block kills two</title>
    <link>{base}/news/a1.html</link>
    <pubDate>Tue, 10 Jun 2025 07:45:00 +0300</pubDate>
    <guid>{base}/news/a1.html</guid>
  </item>
  <item>
    <title>Thousands rally outside parliament in Tbilisi</title>
    <link>{base}/news/a2.html</link>
    <pubDate>Sun, 08 Jun 2025 21:10:00 +0400</pubDate>
    <guid>{base}/news/a2.html</guid>
  </item>
  <item>
    <title>Floods in the west</title>
    <link>{base}/news/a3.html</link>
    <pubDate>Mon, 09 Jun 2025 10:00:00 +0300</pubDate>
    <guid>{base}/news/a3.html</guid>
  </item>
</channel>
</rss>
"""


@dataclass
class _Route:
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    conditional: bool = True  # answer If-None-Match / If-Modified-Since


class _Handler(QuietHandler):
    server_state: NewsServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = urlsplit(self.path).path
        route, fault = self.server_state._take(path, {k.lower(): v for k, v in self.headers.items()})
        if fault is not None:
            self._misbehave(fault, route)
            return
        if route is None:
            self.send(404, b"<html><body><h1>Not found</h1></body></html>", "text/html")
            return
        etag = '"' + hashlib.sha1(route.body).hexdigest()[:12] + '"'
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED, **route.headers}
        if route.conditional and (
            self.headers.get("If-None-Match") == etag
            or (self.headers.get("If-None-Match") is None and self.headers.get("If-Modified-Since") == LAST_MODIFIED)
        ):
            self.send(304, b"", None, headers)
            return
        self.send(200, route.body, route.content_type, headers)

    def _misbehave(self, fault: Fault, route: _Route | None) -> None:
        kind = fault.kind
        state = self.server_state
        if kind in ("500", "503", "429"):
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self.send(int(kind), b"<html><body>Server error</body></html>", "text/html", headers)
        elif kind == "redirect":
            self.send(302, b"", "text/html", {"Location": fault.location or "/"})
        elif kind == "hang":
            state.released.wait(state.hang_seconds)
            self.quietly(lambda: self.send(200, b"<p>late</p>", "text/html"))
        elif kind == "trickle":
            def trickle() -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                deadline = time.monotonic() + state.hang_seconds
                while time.monotonic() < deadline and not state.released.is_set():
                    self.wfile.write(b"<p>.")
                    self.wfile.flush()
                    time.sleep(0.2)
            self.quietly(trickle)
            self.close_connection = True
        elif kind == "drop":
            self.close_connection = True
        else:
            raise ValueError(f"unknown fault {kind!r}")


class NewsServer(LocalServer):
    """A threaded HTTP server on 127.0.0.1 (ephemeral port) serving a small news site."""

    handler = _Handler
    thread_name = "news-server"

    def __init__(self, *, hang_seconds: float = 5.0) -> None:
        super().__init__(hang_seconds=hang_seconds)
        self.routes: dict[str, _Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._faults: dict[str, Fault] = {}

    # -- content ---------------------------------------------------------------------

    def add(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8", *,
            conditional: bool = True, headers: dict[str, str] | None = None) -> str:
        """Serve ``body`` at ``path``; returns its full URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self.routes[path] = _Route(data, content_type, dict(headers or {}), conditional)
        return self.url + path

    def fault(self, path: str, kind: str, *, times: int | None = None, to: str | None = None,
              retry_after: str | None = None) -> None:
        """Make ``path`` misbehave (``times`` requests, or all): ``"500"``, ``"503"``, ``"429"``,
        ``"hang"``, ``"trickle"``, ``"redirect"`` (302 to ``to``), ``"drop"`` (close without answering)."""
        with self._lock:
            self._faults[path] = Fault(kind, times, retry_after, to)

    def paths(self) -> list[str]:
        """The paths asked for, in order."""
        with self._lock:
            return [path for path, _ in self.requests]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def start(self) -> NewsServer:
        super().start()
        for page in sorted(NEWS.glob("*.html")):
            self.add(f"/news/{page.name}", page.read_bytes())
        self.add("/feed.xml", FEED_TEMPLATE.format(base=self.url), "application/rss+xml; charset=utf-8")
        return self

    # -- used by the handler ---------------------------------------------------------

    def _take(self, path: str, headers: dict[str, str]) -> tuple[_Route | None, Fault | None]:
        with self._lock:
            self.requests.append((path, headers))
            fault = self._faults.get(path)
            if fault is not None and not fault.spend():
                del self._faults[path]
                fault = None
            return self.routes.get(path), fault


@pytest.fixture
def news_server() -> Iterator[NewsServer]:
    """A running :class:`NewsServer`, stopped after the test."""
    with NewsServer() as server:
        yield server
