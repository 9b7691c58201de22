"""The base of the tests' local HTTP servers (:mod:`news_server`, :mod:`nominatim_server`):
a threaded server on 127.0.0.1 (an ephemeral port) started and stopped around a test, a
quiet handler, and faults told to last for every request or for the first N.

A server subclass names its handler (a :class:`QuietHandler` whose ``server_state`` is the
server); stopping the server sets :attr:`LocalServer.released`, so a fault that holds a
request (a hang, a drip) ends at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

__all__ = ["LocalServer", "QuietHandler", "Fault"]


@dataclass
class Fault:
    """A misbehaviour: ``kind``, for ``times`` more requests (None: every one), with what it needs."""

    kind: str
    times: int | None
    retry_after: str | None = None
    location: str | None = None  # where a redirect points

    def spend(self) -> bool:
        """Count one request; False once the fault is used up (the request is answered normally)."""
        if self.times is None:
            return True
        if self.times <= 0:
            return False
        self.times -= 1
        return True


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up (a timeout under test) resets its connection: expected


class QuietHandler(BaseHTTPRequestHandler):
    """A handler that logs nothing and sends headers and body at once (no 40 ms Nagle delay)."""

    server_state: Any
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    default_content_type: ClassVar[str | None] = None

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes, content_type: str | None = None,
             headers: dict[str, str] | None = None) -> None:
        """Answer ``status`` with ``body`` (Content-Type ``content_type``, else the handler's default)."""
        self.send_response(status)
        content_type = content_type or self.default_content_type
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def quietly(self, send) -> None:
        """Call ``send()``; a client that gave up meanwhile is no error."""
        try:
            send()
        except OSError:
            pass


class LocalServer:
    """A threaded HTTP server on 127.0.0.1, on an ephemeral port, in a daemon thread."""

    handler: ClassVar[type[QuietHandler]]
    thread_name: ClassVar[str] = "local-server"

    def __init__(self, *, hang_seconds: float = 5.0) -> None:
        self.hang_seconds = hang_seconds  # how long a fault may hold a request
        self.released = threading.Event()  # set by stop(): held requests end now
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def domain(self) -> str:
        """``host:port``."""
        assert self._httpd is not None, "server not started"
        return f"127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.domain}"

    def start(self):
        handler = type("Handler", (self.handler,), {"server_state": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self.released.clear()
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
