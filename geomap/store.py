"""The persistent event store, and the events table as CSV, GeoJSON and Parquet.

``geomap run PATH --out DIR`` keeps what it learns in ``DIR/geomap.sqlite`` (an
:class:`EventStore`): every article it read (text, title, URL, date, where it came
from, when the store first saw it), the event mentions and toponyms extracted from
it, the versions of geomap and of the gazetteer that extracted them, the analysts'
corrections, and the events table built from all of that. A rerun extracts only the
articles the store does not hold yet, then rebuilds the events from every stored
mention, so an incident reported again merges into the event it already is.

Safety:

- each article is stored in one transaction, so a run killed at any moment leaves
  every article stored wholly or not at all (SQLite in WAL mode);
- one run at a time: a run holds ``DIR/geomap.sqlite.lock`` (an OS file lock, released
  when the process ends, however it ends) and another one waits for it, then gives up
  with :class:`StoreBusyError`;
- the output files are written to a temporary file and renamed into place.

The online geocoders' answers share the file (table ``geocode_cache``, see
:mod:`geomap.geocode.cache`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import importlib.metadata
import json
import math
import os
import sqlite3
import sys
import tempfile
import time
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from geomap.errors import GeomapError
from geomap.models import EVENT_COLUMNS, EVENT_SCHEMA, Article, Mention

__all__ = [
    "STORE_NAME",
    "EventStore",
    "StoredArticle",
    "ArticlePlan",
    "EventChanges",
    "StoreError",
    "StoreBusyError",
    "compare_events",
    "write_csv",
    "write_geojson",
    "write_parquet",
    "write_events",
    "read_events",
    "events_to_geojson",
    "EXPORT_FORMATS",
]

STORE_NAME = "geomap.sqlite"
SCHEMA_VERSION = 1
EXPORT_FORMATS = ("csv", "geojson", "parquet")
DEFAULT_WAIT = 120.0


class StoreError(GeomapError, RuntimeError):
    """The event store cannot be opened, read or written."""


class StoreBusyError(StoreError, TimeoutError):
    """Another geomap run holds the store and did not let go in time."""


# -- files ------------------------------------------------------------------------------


def _atomic_write(path: Path, text: str) -> Path:
    """Write through a temporary file and a rename, so a crash never leaves half a file."""
    return _atomic(Path(path), lambda tmp: _write_text(tmp, text))


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _atomic(path: Path, write: Callable[[Path], None]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        # mkstemp makes the file private (0600); the output gets the usual permissions.
        os.chmod(tmp, 0o666 & ~_umask())
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_csv(events: pd.DataFrame, path: str | Path) -> Path:
    """Write the events table as UTF-8 CSV with the schema's columns, in order.

    >>> write_csv(empty_events(), "output/events.csv")  # doctest: +SKIP
    """
    return _atomic_write(Path(path), events[list(EVENT_COLUMNS)].to_csv(index=False, lineterminator="\n"))


def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def events_to_geojson(events: pd.DataFrame) -> dict:
    """The events as a GeoJSON FeatureCollection; unplaced events get a null geometry."""
    features = []
    for record in events[list(EVENT_COLUMNS)].to_dict(orient="records"):
        props = {k: _plain(v) for k, v in record.items()}
        lat, lon = props["lat"], props["lon"]
        # GeoJSON orders coordinates (lon, lat).
        geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
        features.append({"type": "Feature", "id": props["event_id"], "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def write_geojson(events: pd.DataFrame, path: str | Path) -> Path:
    """Write the events as GeoJSON (RFC 7946)."""
    text = json.dumps(events_to_geojson(events), ensure_ascii=False, indent=1, sort_keys=False)
    return _atomic_write(Path(path), text + "\n")


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401 (only whether it is there)
    except ImportError as err:
        raise StoreError(
            "writing Parquet needs the pyarrow package, which is not installed: "
            "pip install 'geomap[parquet]' (or pip install pyarrow)"
        ) from err


def write_parquet(events: pd.DataFrame, path: str | Path) -> Path:
    """Write the events as Parquet through pandas and pyarrow (``pip install 'geomap[parquet]'``).

    Raises :class:`StoreError` when pyarrow is not installed.
    """
    _require_pyarrow()
    frame = events[list(EVENT_COLUMNS)].reset_index(drop=True)
    return _atomic(Path(path), lambda tmp: frame.to_parquet(tmp, engine="pyarrow", index=False))


def write_events(events: pd.DataFrame, path: str | Path, *, format: str) -> Path:
    """Write the events table in one of :data:`EXPORT_FORMATS` (``csv``, ``geojson``, ``parquet``)."""
    writers = {"csv": write_csv, "geojson": write_geojson, "parquet": write_parquet}
    if format not in writers:
        raise StoreError(f"unknown format {format!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    return writers[format](events, path)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The schema's columns, in order, with the schema's dtypes."""
    frame = frame[list(EVENT_COLUMNS)].copy()
    for col in EVENT_SCHEMA:
        if col.dtype in ("Int64", "float64"):
            frame[col.name] = pd.to_numeric(frame[col.name], errors="coerce")
    return frame.astype({c.name: c.dtype for c in EVENT_SCHEMA})


def read_events(path: str | Path) -> pd.DataFrame:
    """Read an events table written by :func:`write_csv`, :func:`write_geojson` or
    :func:`write_parquet`, or the events of an event store (``geomap.sqlite`` or its folder)."""
    path = Path(path)
    if path.is_dir() or path.suffix.lower() in (".sqlite", ".db"):
        with EventStore.open_existing(path if path.is_dir() else path.parent) as store:
            return store.read_events()
    try:
        if path.suffix.lower() in (".geojson", ".json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            frame = pd.DataFrame([f["properties"] for f in data["features"]])
        elif path.suffix.lower() == ".parquet":
            _require_pyarrow()
            frame = pd.read_parquet(path, engine="pyarrow")
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise GeomapError(f"{path}: not an events table ({err})") from err
    missing = [c for c in EVENT_COLUMNS if c not in frame.columns]
    if missing:
        raise GeomapError(f"{path}: not an events table, missing columns {', '.join(missing)}")
    return _typed(frame)


# -- dataclasses <-> JSON -------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(obj: Any) -> str:
    """A frozen dataclass (EventMention, Mention, Place) as compact JSON."""
    return json.dumps(dataclasses.asdict(obj), default=_json_default, ensure_ascii=False, separators=(",", ":"))


Converter = Callable[[Any], Any]


@functools.lru_cache(maxsize=None)
def _converter(tp: Any) -> Converter | None:
    """How to turn the JSON of a non-null value of type ``tp`` back into it (None: as it is)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):  # X | None: nulls never reach a converter
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return _converter(options[0]) if len(options) == 1 else None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return lambda v: _decoder(tp)(v)
    if tp is dt.date:
        return dt.date.fromisoformat
    if origin is tuple:
        inner = _converter(typing.get_args(tp)[0])
        return tuple if inner is None else (lambda v: tuple(inner(x) for x in v))
    return None  # str, int, float, bool: JSON keeps them as they were


@functools.lru_cache(maxsize=None)
def _decoder(cls: type) -> Converter:
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    plan = [(f.name, _converter(hints[f.name])) for f in fields]
    required = frozenset(
        f.name for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )

    def decode(data: Mapping[str, Any]) -> Any:
        missing = required - data.keys()
        if missing:
            raise KeyError(f"{cls.__name__} needs {', '.join(sorted(missing))}")
        return cls(**{name: (data[name] if convert is None or data[name] is None else convert(data[name]))
                      for name, convert in plan if name in data})

    return decode


def from_json_dict(cls: type, data: Mapping[str, Any]) -> Any:
    """Rebuild a dataclass written by :func:`to_json` (nested dataclasses, dates, tuples).

    Keys the class does not know are ignored; a missing required one raises KeyError.
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"expected a JSON object for {cls.__name__}, got {type(data).__name__}")
    return _decoder(cls)(data)


# -- the store ----------------------------------------------------------------------------

_SQL_TYPES = {"string": "TEXT", "Int64": "INTEGER", "float64": "REAL"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS store_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    id                TEXT PRIMARY KEY,   -- Article.id: a content hash, or the id a JSONL line gives
    seq               INTEGER NOT NULL UNIQUE,  -- the order the store first saw the articles in
    text_hash         TEXT NOT NULL,      -- content hash of the text (geomap.articles.article_id)
    title             TEXT,
    url               TEXT,
    published         TEXT,               -- ISO date, or NULL
    path              TEXT,               -- where the article was first read from
    text              TEXT NOT NULL,
    n_mentions        INTEGER NOT NULL,   -- rows in mentions for this article
    n_toponyms        INTEGER NOT NULL,   -- rows in toponyms for this article
    geomap_version    TEXT NOT NULL,      -- what extracted them
    gazetteer_version TEXT NOT NULL,
    geocoder          TEXT NOT NULL       -- 'offline' or the online service, e.g. 'nominatim@host'
);
CREATE INDEX IF NOT EXISTS articles_by_text_hash ON articles (text_hash);
CREATE TABLE IF NOT EXISTS mentions (
    article_id TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    data       TEXT NOT NULL,             -- an EventMention as JSON
    PRIMARY KEY (article_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS toponyms (
    article_id TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    data       TEXT NOT NULL,             -- a Mention as JSON
    PRIMARY KEY (article_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS overrides (
    idx  INTEGER PRIMARY KEY,
    data TEXT NOT NULL                    -- an OverrideRow as JSON (from `geomap run --overrides FILE`)
);
"""


def _events_table_sql() -> str:
    columns = ",\n    ".join(f'"{c.name}" {_SQL_TYPES[c.dtype]}' for c in EVENT_SCHEMA)
    return f'CREATE TABLE events (\n    "position" INTEGER PRIMARY KEY,\n    {columns}\n)'


def geomap_version() -> str:
    """The installed geomap's version ("0" when running from a bare source tree)."""
    try:
        return importlib.metadata.version("geomap")
    except importlib.metadata.PackageNotFoundError:
        return "0"


@dataclass(frozen=True)
class StoredArticle:
    """An article as the store holds it: the article, when it was first seen, what extracted it."""

    article: Article
    seq: int
    text_hash: str
    n_mentions: int
    geomap_version: str
    gazetteer_version: str
    geocoder: str


@dataclass
class ArticlePlan:
    """What a run must do with the articles it read (see :meth:`EventStore.plan`)."""

    new: list[Article] = dataclasses.field(default_factory=list)
    updated: list[Article] = dataclasses.field(default_factory=list)
    unchanged: list[Article] = dataclasses.field(default_factory=list)
    to_extract: list[Article] = dataclasses.field(default_factory=list)  # new and updated, in reading order


@dataclass
class EventChanges:
    """How the events table changed: event ids per kind of change."""

    new: list[str] = dataclasses.field(default_factory=list)
    merged: list[str] = dataclasses.field(default_factory=list)  # more mentions or sources than before
    changed: list[str] = dataclasses.field(default_factory=list)  # other values (or another id, same trigger)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    removed: list[str] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
        """ "2 new events, 1 merged into stored events, 5 unchanged" (zero counts left out but the first)."""
        parts = [f"{len(self.new)} new event{'s' if len(self.new) != 1 else ''}"]
        for ids, words in ((self.merged, "merged into stored events"), (self.changed, "changed"),
                           (self.unchanged, "unchanged"), (self.removed, "removed")):
            if ids:
                parts.append(f"{len(ids)} {words}")
        return ", ".join(parts)


def _records(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {
        r["event_id"]: {k: _plain(v) for k, v in r.items()}
        for r in frame[list(EVENT_COLUMNS)].to_dict(orient="records")
    }


def compare_events(previous: pd.DataFrame, current: pd.DataFrame) -> EventChanges:
    """Tell new, merged (more mentions or sources), changed, unchanged and removed events apart, by event id."""
    before, after = _records(previous), _records(current)
    changes = EventChanges()
    for event_id, row in after.items():
        old = before.get(event_id)
        if old is None:
            changes.new.append(event_id)
        elif row == old:
            changes.unchanged.append(event_id)
        elif (row["n_mentions"] or 0) > (old["n_mentions"] or 0) or (row["n_sources"] or 0) > (old["n_sources"] or 0):
            changes.merged.append(event_id)
        else:
            changes.changed.append(event_id)
    changes.removed = [event_id for event_id in before if event_id not in after]
    # An event whose id changed with its place (a correction, a better gazetteer) is the
    # same incident: the same trigger in the same article.
    gone = {_incident(before[i]): i for i in changes.removed if None not in _incident(before[i])}
    for event_id in list(changes.new):
        old_id = gone.pop(_incident(after[event_id]), None) if None not in _incident(after[event_id]) else None
        if old_id is not None:
            changes.new.remove(event_id)
            changes.removed.remove(old_id)
            changes.changed.append(event_id)
    return changes


def _incident(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return (row["article_id"], row["trigger_start"], row["event_type"])


class _RunLock:
    """An exclusive OS lock on a file, for one geomap run at a time per store.

    The operating system drops it when the process ends, however it ends (a killed
    run never leaves a stale lock behind).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: typing.BinaryIO | None = None

    def acquire(self, wait: float, on_wait: Callable[[], None] | None = None, *, store: Path) -> None:
        fh = open(self.path, "a+b")  # noqa: SIM115 (held until release)
        deadline = time.monotonic() + max(wait, 0.0)
        told = False
        while True:
            try:
                _lock_file(fh)
            except OSError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    fh.close()
                    raise StoreBusyError(
                        f"the store {store} is in use by another geomap run"
                        f" (waited {wait:g} s for it; try again when it has finished, or give --wait more seconds)"
                    ) from None
                if not told and on_wait is not None:
                    on_wait()
                    told = True
                time.sleep(min(0.05, remaining))
            else:
                self._fh = fh
                return

    def release(self) -> None:
        if self._fh is not None:
            try:
                _unlock_file(self._fh)
            finally:
                self._fh.close()
                self._fh = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_file(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock_file(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_file(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class EventStore:
    """The articles, event mentions, corrections and events of one output folder, in SQLite.

    Open it for a run with :meth:`open` (creates the folder and the database, takes the
    run lock, waiting up to ``wait`` seconds for another run); read an existing one with
    :meth:`open_existing` (no lock: SQLite's WAL gives readers a consistent view while a
    run writes).

    >>> import tempfile
    >>> with EventStore.open(tempfile.mkdtemp()) as store:
    ...     len(store.stored_articles())
    0
    """

    def __init__(self, folder: Path, db: sqlite3.Connection, lock: _RunLock | None) -> None:
        self.folder = folder
        self.path = folder / STORE_NAME
        self._db = db
        self._lock = lock

    # -- opening ------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        folder: str | os.PathLike[str],
        *,
        wait: float = DEFAULT_WAIT,
        on_wait: Callable[[], None] | None = None,
        busy_timeout: float = 30.0,
    ) -> EventStore:
        """Open (creating it if need be) the store of ``folder`` for a run, holding the run lock.

        ``on_wait`` is called once if another run holds the lock; after ``wait`` seconds
        :class:`StoreBusyError` is raised.
        """
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot create the output folder {folder}: {err.strerror or err}") from err
        lock = _RunLock(folder / f"{STORE_NAME}.lock")
        lock.acquire(wait, on_wait, store=folder / STORE_NAME)
        try:
            db = cls._connect(folder / STORE_NAME, busy_timeout)
            store = cls(folder, db, lock)
            store._create()
        except BaseException:
            lock.release()
            raise
        return store

    @classmethod
    def open_existing(cls, folder: str | os.PathLike[str], *, busy_timeout: float = 30.0) -> EventStore:
        """Open the store of ``folder`` to read it; :class:`StoreError` if there is none."""
        folder = Path(folder)
        path = folder / STORE_NAME
        if not path.is_file():
            raise StoreError(f"no event store at {path}; `geomap run PATH --out {folder}` makes one")
        store = cls(folder, cls._connect(path, busy_timeout), None)
        store._check_schema(store._meta())
        return store

    @staticmethod
    def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
        try:
            # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
            db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            # NORMAL is safe in WAL mode: a crash or kill loses no committed transaction
            # and never corrupts the file (a power cut may lose the last ones).
            db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as err:
            raise StoreError(f"{path}: not a geomap event store, or it cannot be opened ({err})") from err
        return db

    def _meta(self) -> dict[str, str]:
        try:
            return dict(self._db.execute("SELECT key, value FROM store_meta").fetchall())
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: not a geomap event store ({err})") from err

    def _check_schema(self, meta: Mapping[str, str]) -> None:
        version = meta.get("schema_version")
        if version is None:
            raise StoreError(f"{self.path}: not a geomap event store (no schema version)")
        if int(version) > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer geomap (store schema {version}, this geomap reads {SCHEMA_VERSION}); "
                "upgrade geomap"
            )

    def _create(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                meta = dict(self._db.execute("SELECT key, value FROM store_meta").fetchall())
                if "schema_version" in meta:
                    self._check_schema(meta)
                else:
                    self._db.execute("INSERT INTO store_meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                self._ensure_events_table()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: not a geomap event store, or it cannot be written ({err})") from err

    def _ensure_events_table(self) -> None:
        """The events table is derived data: rebuilt whole on every run, so a schema change just recreates it."""
        have = [r[1] for r in self._db.execute("PRAGMA table_info(events)").fetchall()]
        if have != ["position", *EVENT_COLUMNS]:
            self._db.execute("DROP TABLE IF EXISTS events")
            self._db.execute(_events_table_sql())

    def close(self) -> None:
        """Close the database and let go of the run lock."""
        try:
            self._db.close()
        finally:
            if self._lock is not None:
                self._lock.release()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EventStore({str(self.path)!r})"

    class _Tx:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, exc_type, exc, tb) -> None:
            if exc_type is None:
                self.db.execute("COMMIT")
            else:
                self.db.execute("ROLLBACK")

    def _transaction(self) -> EventStore._Tx:
        if self._lock is None:
            raise StoreError(f"{self.path} was opened to read; open it with EventStore.open to write")
        return EventStore._Tx(self._db)

    # -- articles -------------------------------------------------------------------

    def _article_rows(self) -> dict[str, tuple[str, str | None]]:
        rows = self._db.execute("SELECT id, text_hash, published FROM articles").fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def plan(self, articles: Iterable[Article]) -> ArticlePlan:
        """Sort the articles of a run into new, updated and unchanged ones.

        - unchanged: the store holds this id with the same text (and no other
          publication date), or the same text under another id (the same article
          read from another file), or it came earlier in this run;
        - updated: the store holds this id with another text or publication date (an
          edited JSONL line): its earlier mentions will be replaced;
        - new: anything else.
        """
        from geomap.articles import article_id as text_hash

        stored = self._article_rows()
        by_hash = {h: i for i, (h, _) in stored.items()}
        plan = ArticlePlan()
        seen: dict[str, str] = {}  # id -> text hash, this run
        seen_hashes: set[str] = set()
        for article in articles:
            digest = text_hash(article.text)
            published = article.published.isoformat() if article.published else None
            if seen.get(article.id) == digest or (article.id not in seen and digest in seen_hashes):
                plan.unchanged.append(article)
                continue
            earlier = stored.get(article.id)
            if article.id in seen or earlier is not None:
                same = earlier is not None and earlier[0] == digest and published in (None, earlier[1])
                if article.id in seen or not same:
                    plan.updated.append(article)
                    plan.to_extract.append(article)
                else:
                    plan.unchanged.append(article)
            elif digest in by_hash:
                plan.unchanged.append(article)
            else:
                plan.new.append(article)
                plan.to_extract.append(article)
            seen[article.id] = digest
            seen_hashes.add(digest)
        return plan

    def put_article(
        self,
        article: Article,
        mentions: Sequence[Any],
        toponyms: Sequence[Mention],
        *,
        gazetteer_version: str,
        geocoder: str = "offline",
    ) -> int:
        """Store an article with its event mentions and toponyms, replacing what the store
        held for its id, in one transaction. Returns its first-seen sequence number."""
        from geomap.articles import article_id as text_hash

        for m in mentions:
            if m.article_id != article.id:
                raise StoreError(f"event mention of article {m.article_id!r} stored with article {article.id!r}")
        mention_rows = [(article.id, i, to_json(m)) for i, m in enumerate(mentions)]
        toponym_rows = [(article.id, i, to_json(m)) for i, m in enumerate(toponyms)]
        try:
            with self._transaction() as db:
                row = db.execute("SELECT seq FROM articles WHERE id = ?", (article.id,)).fetchone()
                seq = row[0] if row else db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM articles").fetchone()[0]
                db.execute("DELETE FROM mentions WHERE article_id = ?", (article.id,))
                db.execute("DELETE FROM toponyms WHERE article_id = ?", (article.id,))
                db.execute(
                    "INSERT INTO articles (id, seq, text_hash, title, url, published, path, text, n_mentions, n_toponyms,"
                    " geomap_version, gazetteer_version, geocoder) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT(id) DO UPDATE SET text_hash = excluded.text_hash, title = excluded.title,"
                    " url = excluded.url, published = excluded.published, text = excluded.text,"
                    " n_mentions = excluded.n_mentions, n_toponyms = excluded.n_toponyms,"
                    " geomap_version = excluded.geomap_version, gazetteer_version = excluded.gazetteer_version,"
                    " geocoder = excluded.geocoder",
                    (
                        article.id, seq, text_hash(article.text), article.title, article.url,
                        article.published.isoformat() if article.published else None, article.path, article.text,
                        len(mention_rows), len(toponym_rows), geomap_version(), gazetteer_version, geocoder,
                    ),
                )
                db.executemany("INSERT INTO mentions (article_id, idx, data) VALUES (?,?,?)", mention_rows)
                db.executemany("INSERT INTO toponyms (article_id, idx, data) VALUES (?,?,?)", toponym_rows)
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot store article {article.id} ({err})") from err
        return seq

    def stored_articles(self) -> list[StoredArticle]:
        """Every stored article, in the order the store first saw them."""
        rows = self._query(
            "SELECT id, text, title, published, url, path, seq, text_hash, n_mentions, geomap_version,"
            " gazetteer_version, geocoder FROM articles ORDER BY seq"
        )
        return [
            StoredArticle(
                article=Article(id=r[0], text=r[1], title=r[2], published=dt.date.fromisoformat(r[3]) if r[3] else None,
                                url=r[4], path=r[5]),
                seq=r[6], text_hash=r[7], n_mentions=r[8], geomap_version=r[9], gazetteer_version=r[10], geocoder=r[11],
            )
            for r in rows
        ]

    def article_order(self) -> dict[str, int]:
        """Article id -> first-seen sequence number (what keeps event ids stable)."""
        return dict(self._query("SELECT id, seq FROM articles"))

    def mentions(self) -> list[Any]:
        """Every stored event mention, article by article in first-seen order."""
        from geomap.extract.events import EventMention

        return self._load(
            "SELECT m.article_id, m.data FROM mentions m JOIN articles a ON a.id = m.article_id ORDER BY a.seq, m.idx",
            EventMention,
        )

    def toponyms(self) -> dict[str, list[Mention]]:
        """Every stored article's toponyms, by article id."""
        out: dict[str, list[Mention]] = {}
        rows = self._query(
            "SELECT t.article_id, t.data FROM toponyms t JOIN articles a ON a.id = t.article_id ORDER BY a.seq, t.idx"
        )
        for article_id, data in rows:
            out.setdefault(article_id, []).append(self._decode(Mention, article_id, data))
        return out

    def _load(self, sql: str, cls: type) -> list[Any]:
        return [self._decode(cls, article_id, data) for article_id, data in self._query(sql)]

    def _decode(self, cls: type, article_id: str, data: str) -> Any:
        try:
            return from_json_dict(cls, json.loads(data))
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise StoreError(
                f"{self.path}: the stored extraction of article {article_id} cannot be read by this geomap ({err}); "
                f"`geomap rebuild --out {self.folder}` extracts every stored article again"
            ) from err

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read the event store ({err})") from err

    # -- corrections ----------------------------------------------------------------

    def replace_overrides(self, rows: Sequence[Any]) -> None:
        """Keep these correction rows (:class:`geomap.overrides.OverrideRow`) for every later run, replacing earlier ones."""
        try:
            with self._transaction() as db:
                db.execute("DELETE FROM overrides")
                db.executemany("INSERT INTO overrides (idx, data) VALUES (?, ?)",
                               [(i, to_json(row)) for i, row in enumerate(rows)])
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot store the corrections ({err})") from err

    def overrides(self) -> list[Any]:
        """The correction rows kept by an earlier ``--overrides FILE``."""
        from geomap.overrides import OverrideRow

        return [from_json_dict(OverrideRow, json.loads(data)) for (data,) in self._query("SELECT data FROM overrides ORDER BY idx")]

    # -- events -----------------------------------------------------------------------

    def read_events(self) -> pd.DataFrame:
        """The events table as the last run left it (columns and dtypes of ``EVENT_SCHEMA``)."""
        from geomap.events import empty_events

        names = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
        try:
            rows = self._db.execute(f"SELECT {names} FROM events ORDER BY position").fetchall()
        except sqlite3.OperationalError:  # an events table of another schema: rebuilt by the next run
            rows = []
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read the event store ({err})") from err
        if not rows:
            return empty_events()
        frame = pd.DataFrame.from_records(rows, columns=list(EVENT_COLUMNS))
        for col in EVENT_SCHEMA:
            if col.dtype == "float64":
                frame[col.name] = pd.to_numeric(frame[col.name], errors="coerce").astype("float64")
        return frame.astype({c.name: c.dtype for c in EVENT_SCHEMA})

    def build_events(self, overrides: Sequence[Any] = ()) -> tuple[pd.DataFrame, Any]:
        """Merge every stored mention (corrections applied) into the events table.

        Returns the table and how many mentions each correction row changed.
        """
        from geomap.events import build_events
        from geomap.overrides import apply_overrides

        mentions, used = apply_overrides(self.mentions(), overrides)
        articles = {s.article.id: s.article for s in self.stored_articles()}
        events = build_events(mentions, articles, article_order=self.article_order())
        return events, used

    def write_events_table(self, events: pd.DataFrame) -> None:
        """Replace the stored events table, in one transaction."""
        columns = ", ".join(f'"{c}"' for c in ("position", *EVENT_COLUMNS))
        marks = ", ".join("?" for _ in range(len(EVENT_COLUMNS) + 1))
        rows = [
            (i, *(_plain(v) for v in record))
            for i, record in enumerate(events[list(EVENT_COLUMNS)].itertuples(index=False, name=None))
        ]
        try:
            with self._transaction() as db:
                self._ensure_events_table()
                db.execute("DELETE FROM events")
                db.executemany(f"INSERT INTO events ({columns}) VALUES ({marks})", rows)
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot store the events ({err})") from err

    def stale_articles(self, *, gazetteer_version: str) -> list[str]:
        """Ids of stored articles that another geomap or gazetteer version extracted."""
        rows = self._query(
            "SELECT id FROM articles WHERE geomap_version != ? OR gazetteer_version != ? ORDER BY seq",
            (geomap_version(), gazetteer_version),
        )
        return [r[0] for r in rows]

