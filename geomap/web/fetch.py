"""Polite, bounded HTTP fetching of pages and feeds.

:class:`Fetcher` asks for one URL at a time with a clear User-Agent and gives up at a
wall-clock deadline (connecting, waiting, reading and retrying included, so a server
that trickles bytes cannot hold a run); it retries what may pass (timeouts, refused
connections, 429 and 5xx answers) with exponential back-off, honouring
``Retry-After``; it waits between two requests to the same host; it stops reading at a
size cap; it follows redirects itself, at most ``max_redirects`` and never in a loop;
and with a :class:`~geomap.web.cache.FetchCache` it asks conditionally (``If-None-Match``
/ ``If-Modified-Since``), so an unchanged page costs a 304 and its body comes from the
cache. Every failure is a :class:`FetchError` naming the URL and the reason.

The clock and the sleep are attributes (``_clock``, ``_sleep``) that tests may replace,
as geopy's ``RateLimiter`` does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from geomap.errors import ArticleError

if TYPE_CHECKING:
    from geomap.web.cache import FetchCache

__all__ = ["DEFAULT_USER_AGENT", "FetchError", "Fetched", "Fetcher"]


def _version() -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version("geomap")
    except importlib.metadata.PackageNotFoundError:
        return "0"


DEFAULT_USER_AGENT = f"geomap/{_version()} (news incident mapper; +https://pypi.org/project/geomap/)"
"""What geomap says it is to every server it asks."""

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_MAX_RETRY_AFTER = 60.0  # seconds: a longer Retry-After is a refusal, not a pause


class FetchError(ArticleError):
    """A URL could not be fetched; ``path`` is the URL and ``reason`` says why."""


@dataclass(frozen=True)
class Fetched:
    """A fetched URL: where it ended up after redirects, its body and content type.

    ``from_cache`` is true when the server answered 304 Not Modified (or was not asked)
    and the body is the cached one.
    """

    url: str
    final_url: str
    status: int
    body: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None
    from_cache: bool = False

    @property
    def media_type(self) -> str:
        """The content type without parameters, lower case: ``text/html``."""
        return self.content_type.split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.content_type.split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


class Fetcher:
    """Fetch URLs politely and within bounds (see the module docstring).

    Parameters:
        user_agent: the ``User-Agent`` header.
        timeout: seconds from the first byte sent to the last byte read of one URL,
            retries and redirects included.
        retries: how many times a failure that may pass is tried again.
        backoff: seconds before the first retry; doubled for each next one.
        min_delay: seconds between two requests to the same host.
        max_bytes: bodies larger than this are refused.
        max_redirects: redirects followed for one URL.
        cache: where ETags, Last-Modified dates and bodies are kept between runs.

    Example:
        >>> fetcher = Fetcher(timeout=10, min_delay=0.5)
        >>> fetcher.user_agent.startswith("geomap/")
        True
    """

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        timeout: float = 30.0,
        retries: int = 2,
        backoff: float = 1.0,
        min_delay: float = 1.0,
        max_bytes: int = 10_000_000,
        max_redirects: int = 5,
        cache: FetchCache | None = None,
        session: requests.Session | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be more than 0 seconds, got {timeout}")
        self.user_agent = user_agent
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.min_delay = max(0.0, min_delay)
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.cache = cache
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.requests = 0  # requests sent, for the run's summary
        self.not_modified = 0  # of which answered 304
        self._last: dict[str, float] = {}  # host -> clock time of its last request
        self._clock: Callable[[], float] = time.monotonic
        self._sleep: Callable[[float], None] = time.sleep

    def close(self) -> None:
        self.session.close()

    def fetch(self, url: str, *, accept: str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
              conditional: bool = True) -> Fetched:
        """Fetch ``url``; :class:`FetchError` names the URL and the reason it failed.

        With a cache and ``conditional``, a URL fetched before is asked with its ETag /
        Last-Modified date, and a 304 answer gives the cached body (``from_cache``).
        """
        _check_url(url)
        deadline = self._clock() + self.timeout
        cached = self.cache.get(url) if (self.cache is not None and conditional) else None
        attempt = 0
        while True:
            try:
                fetched = self._follow(url, accept, deadline, cached)
            except _Retryable as err:
                wait = err.retry_after if err.retry_after is not None else self.backoff * 2**attempt
                if attempt >= self.retries or self._clock() + wait >= deadline:
                    raise FetchError(url, err.reason) from err.__cause__
                attempt += 1
                self._sleep(wait)
                continue
            break
        if self.cache is not None and not fetched.from_cache:
            self.cache.put(fetched)
        return fetched

    # -- one attempt: the request and its redirects ------------------------------------

    def _follow(self, url: str, accept: str, deadline: float, cached: Fetched | None) -> Fetched:
        seen = [url]
        current = url
        while True:
            headers = {"Accept": accept}
            if cached is not None and current == url:
                if cached.etag:
                    headers["If-None-Match"] = cached.etag
                if cached.last_modified:
                    headers["If-Modified-Since"] = cached.last_modified
            response = self._request(current, headers, deadline)
            with response:
                status = response.status_code
                if status in _REDIRECT_STATUS:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError(url, f"HTTP {status} redirect without a Location")
                    target = urljoin(current, location.strip())
                    if target in seen:
                        raise FetchError(url, f"redirect loop ({' -> '.join([*seen, target])})")
                    if len(seen) > self.max_redirects:
                        raise FetchError(url, f"too many redirects (more than {self.max_redirects})")
                    _check_url(target, origin=url)
                    seen.append(target)
                    current = target
                    continue
                if status == 304 and cached is not None:
                    self.not_modified += 1
                    return Fetched(url=url, final_url=cached.final_url, status=200, body=cached.body,
                                   content_type=cached.content_type, etag=cached.etag,
                                   last_modified=cached.last_modified, from_cache=True)
                if status in _RETRY_STATUS:
                    raise _Retryable(f"HTTP {status} {response.reason or ''}".strip(),
                                     _retry_after(response.headers.get("Retry-After"), self._clock, deadline))
                if status >= 400:
                    raise FetchError(url, f"HTTP {status} {response.reason or ''}".strip())
                if status != 200:
                    raise FetchError(url, f"unexpected HTTP {status} {response.reason or ''}".strip())
                body = self._read(url, response, deadline)
                return Fetched(
                    url=url, final_url=current, status=status, body=body,
                    content_type=response.headers.get("Content-Type", ""),
                    etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified"),
                )

    def _request(self, url: str, headers: dict[str, str], deadline: float) -> requests.Response:
        self._wait_for_host(url, deadline)
        remaining = deadline - self._clock()
        if remaining <= 0:
            raise _Retryable(f"timed out after {self.timeout:g} s")
        self.requests += 1
        try:
            return self.session.get(url, headers=headers, timeout=(min(remaining, 10.0), remaining),
                                    allow_redirects=False, stream=True)
        except requests.Timeout as err:
            raise _Retryable(f"timed out after {self.timeout:g} s") from err
        except requests.ConnectionError as err:
            raise _Retryable(f"cannot connect: {_reason(err)}") from err
        except requests.RequestException as err:
            raise FetchError(url, f"bad request: {_reason(err)}") from err

    def _wait_for_host(self, url: str, deadline: float) -> None:
        host = urlsplit(url).netloc.lower()
        last = self._last.get(host)
        if last is not None:
            wait = last + self.min_delay - self._clock()
            if wait > 0:
                if self._clock() + wait >= deadline:
                    raise _Retryable(f"timed out after {self.timeout:g} s")
                self._sleep(wait)
        self._last[host] = self._clock()

    def _read(self, url: str, response: requests.Response, deadline: float) -> bytes:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise FetchError(url, _too_large(int(length), self.max_bytes))
        chunks: list[bytes] = []
        size = 0
        raw = response.raw
        try:
            # read1 returns what has arrived (a read that fills a buffer could wait on a
            # trickling server until the deadline is long gone).
            while chunk := raw.read1(_CHUNK, decode_content=True):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(url, f"too large (more than the {self.max_bytes:,} bytes limit)")
                if self._clock() > deadline:
                    raise _Retryable(f"timed out after {self.timeout:g} s (still reading)")
                chunks.append(chunk)
        except urllib3.exceptions.ReadTimeoutError as err:
            raise _Retryable(f"timed out after {self.timeout:g} s (still reading)") from err
        except urllib3.exceptions.DecodeError as err:
            raise FetchError(url, f"cannot decode the body: {_reason(err)}") from err
        except (urllib3.exceptions.HTTPError, OSError) as err:
            raise _Retryable(f"connection broken while reading: {_reason(err)}") from err
        return b"".join(chunks)


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def _check_url(url: str, *, origin: str | None = None) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        if origin is not None:
            raise FetchError(origin, f"redirected to {url!r}, which is not an http(s) URL")
        raise FetchError(url, "not an http:// or https:// URL")


def _retry_after(value: str | None, clock: Callable[[], float], deadline: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        import datetime as dt

        seconds = (when - dt.datetime.now(when.tzinfo or dt.timezone.utc)).total_seconds()
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER)


def _too_large(size: int, limit: int) -> str:
    return f"too large ({size:,} bytes > {limit:,} bytes limit)"


def _reason(err: Exception) -> str:
    # requests nests the socket error a few levels deep; its last line says it best.
    text = str(err.args[0] if err.args else err)
    for marker in ("Errno", "Connection refused", "Name or service not known", "timed out"):
        if marker in text:
            start = text.find("[Errno")
            if start >= 0:
                end = text.find("'", start)
                end = text.find(")", start) if end < 0 else end
                return text[start : end if end > 0 else None].strip(" '\")")
    return text[:200]
