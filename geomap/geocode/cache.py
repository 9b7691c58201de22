"""A persistent cache of online geocoding answers, in SQLite.

Public geocoding services ask clients to cache (Nominatim's usage policy does), and a
second run over the same articles should not ask again. Answers are stored as the
service gave them (``Location.raw`` plus address and point, as JSON) so a later version
of geomap can map them to places differently without asking the service again.

The cache lives in one table, ``geocode_cache``, so it can share a file with other
geomap tables (``output/geomap.sqlite``) or have its own. The database runs in WAL mode
with a busy timeout, so two processes can read and write it at the same time.

"No result" is an answer and is cached (an empty list); a failure is not an answer and
is never cached: the caller simply does not call :meth:`GeocodeCache.put`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from geomap.errors import GeocoderError
from geomap.gazetteer.normalize import normalize_text

__all__ = ["GeocodeCache", "normalize_query", "TABLE"]

TABLE = "geocode_cache"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    service  TEXT NOT NULL,  -- which service answered, e.g. 'nominatim@nominatim.openstreetmap.org'
    query    TEXT NOT NULL,  -- the query, normalized (normalize_query)
    options  TEXT NOT NULL,  -- canonical JSON of everything else that shapes the answer
    answer   TEXT NOT NULL,  -- JSON list of answers; [] means the service found nothing
    created  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (service, query, options)
)
"""


normalize_query = normalize_text
"""The form a query is cached under: :func:`geomap.gazetteer.normalize.normalize_text`."""


def _canonical(options: Mapping[str, Any] | None) -> str:
    """Options as JSON with sorted keys, so equal options give equal keys."""
    return json.dumps(dict(options or {}), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


class GeocodeCache:
    """Answers of online geocoders, kept across runs in a SQLite file.

    ``path`` may be a file of its own or one shared with other geomap tables;
    parent folders are created. ``busy_timeout`` is how long (seconds) to wait for
    another process that holds the write lock.

    >>> cache = GeocodeCache(":memory:")
    >>> cache.get("nominatim", "Luhansk") is None   # never asked
    True
    >>> cache.put("nominatim", "Luhansk", {"limit": 5}, [{"lat": 48.57, "lon": 39.31}])
    >>> cache.get("nominatim", " luhansk ", {"limit": 5})
    [{'lat': 48.57, 'lon': 39.31}]
    >>> cache.put("nominatim", "Nowhereville", None, [])   # "no result" is an answer too
    >>> cache.get("nominatim", "Nowhereville")
    []
    """

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 30.0) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            # isolation_level=None: autocommit; every put is its own short transaction.
            self._db = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute(_SCHEMA)
        except sqlite3.Error as err:
            raise GeocoderError(f"cannot open the geocoding cache {self.path!r}: {err}") from err

    def get(self, service: str, query: str, options: Mapping[str, Any] | None = None) -> list[dict] | None:
        """The cached answers, ``[]`` for a cached "no result", or None if never asked.

        Raises :class:`sqlite3.Error` if the database cannot be read.
        """
        with self._lock:
            row = self._db.execute(
                f"SELECT answer FROM {TABLE} WHERE service = ? AND query = ? AND options = ?",
                (service, normalize_query(query), _canonical(options)),
            ).fetchone()
        if row is None:
            return None
        try:
            answer = json.loads(row[0])
        except ValueError:
            return None  # a damaged row is as good as a missing one: ask again
        if not isinstance(answer, list) or not all(isinstance(a, dict) for a in answer):
            return None
        return answer

    def put(
        self, service: str, query: str, options: Mapping[str, Any] | None, answers: Sequence[Mapping[str, Any]]
    ) -> None:
        """Store the answers to a query (``[]`` when the service found nothing), replacing older ones.

        Raises :class:`sqlite3.Error` if the database cannot be written.
        """
        text = json.dumps([dict(a) for a in answers], ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self._db.execute(
                f"INSERT OR REPLACE INTO {TABLE} (service, query, options, answer) VALUES (?, ?, ?, ?)",
                (service, normalize_query(query), _canonical(options), text),
            )

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> GeocodeCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GeocodeCache({self.path!r})"
