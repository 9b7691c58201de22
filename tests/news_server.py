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
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

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


@dataclass
class _Fault:
    kind: str
    times: int | None
    to: str | None = None
    retry_after: str | None = None


class NewsServer:
    """A threaded HTTP server on 127.0.0.1 (ephemeral port) serving a small news site."""

    def __init__(self, *, hang_seconds: float = 5.0) -> None:
        self.hang_seconds = hang_seconds
        self.routes: dict[str, _Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._faults: dict[str, _Fault] = {}
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

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
            self._faults[path] = _Fault(kind, times, to, retry_after)

    def paths(self) -> list[str]:
        """The paths asked for, in order."""
        with self._lock:
            return [path for path, _ in self.requests]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- life cycle ------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> NewsServer:
        handler = type("Handler", (_Handler,), {"state": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._released.clear()
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="news-server", daemon=True)
        self._thread.start()
        for page in sorted(NEWS.glob("*.html")):
            self.add(f"/news/{page.name}", page.read_bytes())
        self.add("/feed.xml", FEED_TEMPLATE.format(base=self.url), "application/rss+xml; charset=utf-8")
        return self

    def stop(self) -> None:
        self._released.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> NewsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- used by the handler ---------------------------------------------------------

    def _take(self, path: str, headers: dict[str, str]) -> tuple[_Route | None, _Fault | None]:
        with self._lock:
            self.requests.append((path, headers))
            fault = self._faults.get(path)
            if fault is not None and fault.times is not None:
                if fault.times <= 0:
                    del self._faults[path]
                    fault = None
                else:
                    fault.times -= 1
            return self.routes.get(path), fault


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up (a timeout under test) resets its connection: expected


class _Handler(BaseHTTPRequestHandler):
    state: NewsServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = urlsplit(self.path).path
        route, fault = self.state._take(path, {k.lower(): v for k, v in self.headers.items()})
        if fault is not None:
            self._misbehave(fault, route)
            return
        if route is None:
            self._send(404, b"<html><body><h1>Not found</h1></body></html>", "text/html")
            return
        etag = '"' + hashlib.sha1(route.body).hexdigest()[:12] + '"'
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED, **route.headers}
        if route.conditional and (
            self.headers.get("If-None-Match") == etag
            or (self.headers.get("If-None-Match") is None and self.headers.get("If-Modified-Since") == LAST_MODIFIED)
        ):
            self._send(304, b"", None, headers)
            return
        self._send(200, route.body, route.content_type, headers)

    def _misbehave(self, fault: _Fault, route: _Route | None) -> None:
        kind = fault.kind
        if kind in ("500", "503", "429"):
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._send(int(kind), b"<html><body>Server error</body></html>", "text/html", headers)
        elif kind == "redirect":
            self._send(302, b"", "text/html", {"Location": fault.to or "/"})
        elif kind == "hang":
            self.state._released.wait(self.state.hang_seconds)
            self._quietly(lambda: self._send(200, b"<p>late</p>", "text/html"))
        elif kind == "trickle":
            def trickle() -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                deadline = time.monotonic() + self.state.hang_seconds
                while time.monotonic() < deadline and not self.state._released.is_set():
                    self.wfile.write(b"<p>.")
                    self.wfile.flush()
                    time.sleep(0.2)
            self._quietly(trickle)
            self.close_connection = True
        elif kind == "drop":
            self.close_connection = True
        else:
            raise ValueError(f"unknown fault {kind!r}")

    def _quietly(self, send) -> None:
        try:
            send()
        except OSError:  # the client gave up
            pass

    def _send(self, status: int, body: bytes, content_type: str | None, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)


@pytest.fixture
def news_server() -> Iterator[NewsServer]:
    """A running :class:`NewsServer`, stopped after the test."""
    with NewsServer() as server:
        yield server
