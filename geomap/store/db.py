"""The persistent event store: the SQLite schema and :class:`EventStore`.

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
- the output files are written to a temporary file and renamed into place
  (:mod:`geomap.store.exports`).

The online geocoders' answers share the file (table ``geocode_cache``, see
:mod:`geomap.geocode.cache`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib.metadata
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from geomap.errors import ArticleError, StoreDamagedError, StoreError
from geomap.models import EVENT_COLUMNS, EVENT_SCHEMA, Article, Mention
from geomap.store.codec import from_json_dict, plain_value, to_json
from geomap.store.exports import read_events_file
from geomap.store.lock import RunLock

__all__ = [
    "STORE_NAME",
    "DEFAULT_WAIT",
    "EventStore",
    "StoredArticle",
    "ArticlePlan",
    "read_events",
    "geomap_version",
]

STORE_NAME = "geomap.sqlite"
SCHEMA_VERSION = 1
DEFAULT_WAIT = 120.0
# The files a run writes beside the store; a run killed while writing leaves ".NAME.XXXX" temporaries.
OUTPUT_FILES = ("events.csv", "events.geojson", "map.html")


def read_events(path: str | Path) -> pd.DataFrame:
    """Read an events table written by :func:`~geomap.store.write_csv`, :func:`~geomap.store.write_geojson`
    or :func:`~geomap.store.write_parquet`, or the events of an event store (``geomap.sqlite`` or its folder)."""
    path = Path(path)
    if path.is_dir() or path.suffix.lower() in (".sqlite", ".db"):
        with EventStore.open_existing(path if path.is_dir() else path.parent) as store:
            return store.read_events()
    return read_events_file(path)


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
    refused: list[ArticleError] = dataclasses.field(default_factory=list)  # id collisions, not stored


def _keep_aside(path: Path) -> Path:
    """Rename a damaged store (and its WAL and shared-memory files) to ``NAME.damaged-<UTC time>``."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    try:
        os.replace(path, target)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.replace(side, target.with_name(target.name + suffix))
    except OSError as err:
        raise StoreError(f"cannot keep the damaged store {path} aside as {target}: {err.strerror or err}") from err
    return target


def _is_damage(err: sqlite3.Error) -> bool:
    """Whether an SQLite error on reading means the file is damaged (not locked, not a schema change)."""
    text = str(err)
    return "Could not decode" in text or "malformed" in text or (
        isinstance(err, sqlite3.DatabaseError) and not isinstance(err, sqlite3.OperationalError))


def _read_all(db: sqlite3.Connection, path: Path) -> None:
    """Read every row of every table (what quick_check does not look at: text that is not UTF-8)."""
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for _ in db.execute(f'SELECT * FROM "{table}"'):
                pass
    except sqlite3.Error as err:
        raise StoreDamagedError(path, f"cannot read it: {str(err)[:200]}") from err


def _remove_temporaries(folder: Path) -> None:
    """Remove the half-written output files of a run that was killed (only the lock holder writes them)."""
    for name in OUTPUT_FILES:
        for leftover in folder.glob(f".{name}.*"):
            with contextlib.suppress(OSError):
                leftover.unlink()


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

    def __init__(self, folder: Path, db: sqlite3.Connection, lock: RunLock | None) -> None:
        self.folder = folder
        self.path = folder / STORE_NAME
        self._db = db
        self._lock = lock
        self.kept_aside: Path | None = None  # where open(new_store=True) put a damaged store

    # -- opening ------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        folder: str | os.PathLike[str],
        *,
        wait: float = DEFAULT_WAIT,
        on_wait: Callable[[], None] | None = None,
        busy_timeout: float = 30.0,
        new_store: bool = False,
    ) -> EventStore:
        """Open (creating it if need be) the store of ``folder`` for a run, holding the run lock.

        ``on_wait`` is called once if another run holds the lock; after ``wait`` seconds
        :class:`StoreBusyError` is raised. A damaged store (empty, not SQLite, failing
        ``PRAGMA quick_check``) raises :class:`StoreDamagedError` and is left as it is;
        with ``new_store=True`` it is renamed aside (``kept_aside`` says where) and a
        new store is started. Temporary files that a killed run left are removed.
        """
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot create the output folder {folder}: {err.strerror or err}") from err
        lock = RunLock(folder / f"{STORE_NAME}.lock")
        lock.acquire(wait, on_wait, store=folder / STORE_NAME)
        kept_aside = None
        try:
            path = folder / STORE_NAME
            try:
                db = cls._connect_checked(path, busy_timeout)
                if new_store:  # the user asked for a new store if this one is damaged: look at every row
                    try:
                        _read_all(db, path)
                    except StoreDamagedError:
                        db.close()
                        raise
            except StoreDamagedError:
                if not new_store:
                    raise
                kept_aside = _keep_aside(path)
                db = cls._connect(path, busy_timeout)
            store = cls(folder, db, lock)
            store.kept_aside = kept_aside
            store._create()
            _remove_temporaries(folder)
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
        store = cls(folder, cls._connect_checked(path, busy_timeout), None)
        try:
            store._check_schema(store._meta())
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def _connect_checked(cls, path: Path, busy_timeout: float) -> sqlite3.Connection:
        """Connect to the store at ``path`` after checking it is whole (a new one is whole)."""
        try:
            exists = path.exists()
            size = path.stat().st_size if exists else 0
        except OSError as err:
            raise StoreError(f"cannot open the event store {path}: {err.strerror or err}") from err
        if exists and size == 0:
            raise StoreDamagedError(path, "an empty file")
        db = cls._connect(path, busy_timeout, damaged_if_not_sqlite=exists)
        if exists:
            try:
                problems = [row[0] for row in db.execute("PRAGMA quick_check(5)").fetchall()]
            except sqlite3.DatabaseError as err:
                db.close()
                raise StoreDamagedError(path, f"SQLite's quick_check cannot read it: {err}") from err
            if problems != ["ok"]:
                db.close()
                raise StoreDamagedError(path, f"SQLite's quick_check: {'; '.join(map(str, problems))[:300]}")
        return db

    @staticmethod
    def _connect(path: Path, busy_timeout: float, *, damaged_if_not_sqlite: bool = False) -> sqlite3.Connection:
        try:
            # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
            db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            # NORMAL is safe in WAL mode: a crash or kill loses no committed transaction
            # and never corrupts the file (a power cut may lose the last ones).
            db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as err:
            if damaged_if_not_sqlite and "not a database" in str(err):
                raise StoreDamagedError(path, f"not an SQLite database: {err}") from err
            raise StoreError(f"cannot open the event store {path} ({err})") from err
        return db

    def _meta(self) -> dict[str, str]:
        try:
            return dict(self._db.execute("SELECT key, value FROM store_meta").fetchall())
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: an SQLite database but not a geomap event store ({err})") from err

    def _check_schema(self, meta: Mapping[str, str]) -> None:
        version = meta.get("schema_version")
        if version is None:
            raise StoreError(f"{self.path}: an SQLite database but not a geomap event store (no schema version)")
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
            raise StoreError(f"{self.path}: cannot set up the event store's tables ({err})") from err

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
        - new: anything else;
        - refused (an :class:`~geomap.errors.ArticleError` each): a JSONL id that is the
          id of a stored file article (a file article's id is the hash of its text) with
          another text; replacing it would silently drop that file's events.
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
            if earlier is not None and earlier[0] != digest and article.id == earlier[0]:
                plan.refused.append(ArticleError(article.path or article.id, (
                    f"id {article.id!r} is already the id of the article read from "
                    f"{self._article_path(article.id)}, with another text; give the line another id")))
                continue
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

    def _article_path(self, article_id: str) -> str:
        rows = self._query("SELECT path FROM articles WHERE id = ?", (article_id,))
        return str(rows[0][0]) if rows and rows[0][0] else "an earlier run"

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

    def article_titles(self) -> list[str | None]:
        """The title of every stored article (None where it has none), in the order the store first saw them."""
        return [r[0] for r in self._query("SELECT title FROM articles ORDER BY seq")]

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
            if _is_damage(err):
                raise StoreDamagedError(self.path, f"cannot read it: {str(err)[:200]}") from err
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
        except sqlite3.OperationalError as err:
            if "no such" not in str(err):  # "Could not decode to UTF-8", I/O errors: say so
                raise StoreError(f"{self.path}: cannot read the events ({str(err)[:200]})") from err
            rows = []  # an events table of another schema: rebuilt by the next run
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read the events ({err})") from err
        if not rows:
            return empty_events()
        frame = pd.DataFrame.from_records(rows, columns=list(EVENT_COLUMNS))
        for col in EVENT_SCHEMA:
            if col.dtype == "float64":
                frame[col.name] = pd.to_numeric(frame[col.name], errors="coerce").astype("float64")
        return frame.astype({c.name: c.dtype for c in EVENT_SCHEMA})

    def write_events_table(self, events: pd.DataFrame) -> None:
        """Replace the stored events table, in one transaction."""
        columns = ", ".join(f'"{c}"' for c in ("position", *EVENT_COLUMNS))
        marks = ", ".join("?" for _ in range(len(EVENT_COLUMNS) + 1))
        rows = [
            (i, *(plain_value(v) for v in record))
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

