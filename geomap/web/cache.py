"""The fetch cache: what each URL answered last time, kept in the event store's file.

For every URL fetched with a 200 it keeps the final URL, content type, ``ETag``,
``Last-Modified`` and the body (zlib-compressed), so the next run asks conditionally
and a 304 answer gives the same bytes back: the same page gives the same article, which
the store already holds, and ``events.csv`` stays byte for byte the same. A feed item
also keeps the stamp the feed gave it (its ``updated`` / ``published`` value): a feed
that lists an item with the same stamp again does not make geomap ask for the item.

The table ``fetch_cache`` lives in ``DIR/geomap.sqlite`` beside the store's tables (as
the geocoder cache does); WAL mode and a busy timeout let it be written while the run
holds the store.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import zlib
from pathlib import Path

from geomap.web.fetch import Fetched

__all__ = ["FetchCache", "TABLE"]

TABLE = "fetch_cache"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    url           TEXT PRIMARY KEY,  -- as asked for (before redirects)
    final_url     TEXT NOT NULL,     -- where the redirects ended
    content_type  TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    body          BLOB NOT NULL,     -- zlib-compressed
    stamp         TEXT,              -- a feed item's updated/published value when it was fetched
    fetched       TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
)
"""


class FetchCache:
    """Fetched URLs kept across runs in a SQLite file (usually the event store's).

    >>> cache = FetchCache(":memory:")
    >>> cache.get("http://news.example/a") is None
    True
    >>> cache.put(Fetched(url="http://news.example/a", final_url="http://news.example/a", status=200,
    ...                   body=b"<p>Hi</p>", content_type="text/html", etag='"v1"'))
    >>> cache.get("http://news.example/a").etag
    '"v1"'
    """

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 30.0) -> None:
        self.path = str(path)
        self._busy_timeout = busy_timeout
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    @property
    def _db(self) -> sqlite3.Connection:
        # Opened on first use: a run whose every link fails leaves no file behind.
        if self._conn is None:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=self._busy_timeout, isolation_level=None,
                                         check_same_thread=False)
            self._conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute(_SCHEMA)
        return self._conn

    def _exists(self) -> bool:
        return self._conn is not None or self.path == ":memory:" or Path(self.path).is_file()

    def get(self, url: str) -> Fetched | None:
        """What ``url`` answered last time, or ``None`` if it was never fetched."""
        if not self._exists():
            return None
        with self._lock:
            row = self._db.execute(
                f"SELECT final_url, content_type, etag, last_modified, body FROM {TABLE} WHERE url = ?", (url,)
            ).fetchone()
        if row is None:
            return None
        try:
            body = zlib.decompress(row[4])
        except zlib.error:
            return None  # a damaged row is as good as none: the URL is fetched again
        return Fetched(url=url, final_url=row[0], status=200, body=body, content_type=row[1], etag=row[2],
                       last_modified=row[3], from_cache=True)

    def put(self, fetched: Fetched, *, stamp: str | None = None) -> None:
        """Keep what ``fetched.url`` answered (replacing what was kept for it)."""
        with self._lock:
            self._db.execute(
                f"INSERT INTO {TABLE} (url, final_url, content_type, etag, last_modified, body, stamp)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT(url) DO UPDATE SET final_url = excluded.final_url,"
                " content_type = excluded.content_type, etag = excluded.etag, last_modified = excluded.last_modified,"
                " body = excluded.body, stamp = COALESCE(excluded.stamp, stamp), fetched = CURRENT_TIMESTAMP",
                (fetched.url, fetched.final_url, fetched.content_type, fetched.etag, fetched.last_modified,
                 zlib.compress(fetched.body), stamp),
            )

    def stamp(self, url: str) -> str | None:
        """The feed stamp kept with ``url`` (``None`` if none or never fetched)."""
        if not self._exists():
            return None
        with self._lock:
            row = self._db.execute(f"SELECT stamp FROM {TABLE} WHERE url = ?", (url,)).fetchone()
        return row[0] if row else None

    def set_stamp(self, url: str, stamp: str | None) -> None:
        if not self._exists():
            return
        with self._lock:
            self._db.execute(f"UPDATE {TABLE} SET stamp = ? WHERE url = ?", (stamp, url))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> FetchCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
