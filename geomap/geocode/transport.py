"""The HTTP transport of the online geocoders: a geopy adapter whose every request ends."""

from __future__ import annotations

import codecs
import contextlib
import http.client
import json
import re
import socket
import threading
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

from geopy import exc as geopy_exc
from geopy.adapters import AdapterHTTPError, BaseSyncAdapter

__all__ = ["BoundedAdapter", "MAX_ANSWER_BYTES", "MAX_REDIRECTS"]

MAX_ANSWER_BYTES = 5_000_000
"""An answer larger than this (5 MB; Nominatim's are a few kB) is cut off and counts as a failure."""
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class BoundedAdapter(BaseSyncAdapter):
    """A geopy adapter whose every request ends: within ``timeout`` seconds of wall-clock
    time (however slowly the server drips its answer), within :data:`MAX_ANSWER_BYTES`,
    and following redirects only within the host it was sent to.

    geopy's own adapters bound each socket read, not the request: a server that sends a
    byte a second holds them forever, and an endless body fills the memory. Here a timer
    shuts the connection down at the deadline, which ends any read in progress.
    A redirect to another host is a fault (:class:`~geopy.adapters.AdapterHTTPError`
    with the redirect's status), never followed: its answers would be cached as the
    configured service's.
    """

    def __init__(self, *, proxies: Any, ssl_context: Any, max_bytes: int = MAX_ANSWER_BYTES) -> None:
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        self.ssl_context = ssl_context
        self.max_bytes = max_bytes

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        text = self.get_text(url, timeout=timeout, headers=headers)
        try:
            return json.loads(text)
        except ValueError:
            raise geopy_exc.GeocoderParseError(f"the answer is not JSON: {_one_line(text, 120)!r}") from None

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        deadline = time.monotonic() + float(timeout)
        origin = urlsplit(url)
        for _ in range(MAX_REDIRECTS + 1):
            status, answer_headers, body = self._fetch(url, deadline, float(timeout), headers)
            text = body.decode(_charset(answer_headers.get("content-type", "")), errors="replace")
            if status in _REDIRECTS and answer_headers.get("location"):
                target = urljoin(url, answer_headers["location"])
                parts = urlsplit(target)
                if parts.hostname != origin.hostname or parts.port != origin.port or parts.scheme not in (
                        origin.scheme, "https"):
                    raise AdapterHTTPError(
                        f"redirected ({status}) to another host, {parts.scheme}://{parts.netloc}; not followed",
                        status_code=status, headers=answer_headers, text=text)
                url = target
                continue
            if status >= 400:
                raise AdapterHTTPError(f"Non-successful status code {status}", status_code=status,
                                       headers=answer_headers, text=text)
            return text
        raise geopy_exc.GeocoderServiceError(f"more than {MAX_REDIRECTS} redirects")

    def _fetch(self, url: str, deadline: float, timeout: float,
               headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise geopy_exc.GeocoderTimedOut(f"Service timed out (no whole answer within {timeout:g} s)")
        if parts.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname or "", parts.port, timeout=remaining, context=self.ssl_context)
        else:
            conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=remaining)
        expired = threading.Event()

        def cut() -> None:
            expired.set()
            sock = conn.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(remaining, cut)
        timer.daemon = True
        timer.start()
        try:
            conn.connect()
            if expired.is_set():
                raise TimeoutError
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("GET", target, headers=headers)
            response = conn.getresponse()
            body = bytearray()
            while chunk := response.read(65536):
                body += chunk
                if len(body) > self.max_bytes:
                    raise geopy_exc.GeocoderServiceError(
                        f"the answer is larger than {self.max_bytes:,} bytes; not read further")
            if expired.is_set():  # the shutdown ends a read as if the answer were complete
                raise TimeoutError
            return response.status, {k.lower(): v for k, v in response.getheaders()}, bytes(body)
        except (OSError, http.client.HTTPException) as err:
            if expired.is_set() or isinstance(err, TimeoutError):
                raise geopy_exc.GeocoderTimedOut(
                    f"Service timed out (no whole answer within {timeout:g} s)") from err
            raise geopy_exc.GeocoderUnavailable(f"Service not available ({type(err).__name__}: {err})") from err
        finally:
            timer.cancel()
            conn.close()


def _charset(content_type: str) -> str:
    match = re.search(r"charset=([\w.:-]+)", content_type, re.IGNORECASE)
    if match:
        try:
            return codecs.lookup(match.group(1)).name
        except LookupError:
            pass
    return "utf-8"



def _one_line(text: str, width: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
