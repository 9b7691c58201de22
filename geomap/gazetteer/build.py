"""Build the offline gazetteer index (SQLite) from the packaged data, once, into a cache.

The index file name carries a hash of everything it is built from (package versions,
the landmarks file, this code, :data:`SCHEMA_VERSION`), so a change of any input makes
a new file. Builds write a temporary file and rename it into place, under a file lock,
so a reader never sees a half-written index and two processes never clash.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import math
import os
import sqlite3
import struct
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from geomap.errors import GazetteerError
from geomap.gazetteer.aliases import Aliases, AliasKeys
from geomap.gazetteer.normalize import normalize_name
from geomap.gazetteer.placing import (
    NAMESAKE_OFFSET_OTHER,
    NAMESAKE_OFFSET_SEAT,
    code_regions_by_name,
    find_capitals,
    find_namesakes,
    in_country_flags,
    is_wide_area,
    move_wide_areas,
    place_countries,
    place_region,
)
from geomap.gazetteer.sources import (
    BOOST_MAIN_NAME,
    Entry,
    area_points_path,
    landmarks_path,
    point_sources,
    read_admin1,
    read_admin2,
    read_area_points,
    read_cities,
    read_common_words,
    read_countries,
    read_country_points,
)
from geomap.gazetteer.write import (
    SCHEMA_VERSION,
    SOURCE_PACKAGES,
    package_version,
    write_index,
)
from geomap.paths import cache_dir

__all__ = [
    "SCHEMA_VERSION",
    "Progress",
    "BuildReport",
    "cache_dir",
    "index_key",
    "default_index_path",
    "build_index",
    "check_index",
    "is_wide_area",
]

Progress = Callable[[str, float], None]
"""A build progress callback: ``progress(stage, fraction_done)``."""

# Rank tiers (higher first): curated landmarks > countries > regions > populated places > airports.
# Within populated places one unit of rank is a factor of ten in population. The tiers of the
# point sources (landmarks, continents, airports) are in geomap.gazetteer.sources.
RANK_COUNTRY = 900.0
RANK_ADMIN1 = 500.0
RANK_PLACE = 100.0
BOOST_CAPITAL = 1.0
BOOST_REGION_SEAT = 0.5
# A second-level region ranks as a town of its population, less this; below any town of its
# name in its country ("Boone County" is the county, a bare "Boone" the town).
ADMIN2_OFFSET = 0.5

# The code whose output the index is: a change in any of it makes a new index.
_CODE_FILES = ("build.py", "aliases.py", "placing.py", "write.py", "normalize.py", "sources/*.py")


@dataclass(frozen=True)
class BuildReport:
    """What a build made: the file, its size, the counts and how long it took."""

    path: Path
    places: int
    aliases: int
    size_bytes: int
    seconds: float



def index_key(landmarks: Path | None = None) -> str:
    """Return the hash naming an index: schema version, source package versions, landmarks, build code.

    >>> len(index_key())
    64
    """
    landmarks = landmarks or landmarks_path()
    h = hashlib.sha256()
    h.update(f"schema={SCHEMA_VERSION}\n".encode())
    for pkg in SOURCE_PACKAGES:
        h.update(f"{pkg}={package_version(pkg)}\n".encode())
    try:
        h.update(landmarks.read_bytes())
    except OSError as err:
        raise GazetteerError(f"{landmarks}: cannot read the landmarks file ({err.strerror or err})") from err
    with contextlib.suppress(FileNotFoundError):
        h.update(area_points_path().read_bytes())
    here = Path(__file__).parent
    for pattern in _CODE_FILES:
        for file in sorted(here.glob(pattern)):
            h.update(file.read_bytes())
    for file in sorted((here.parent / "geo").glob("*.py")):  # shapes and distances the build uses
        h.update(file.read_bytes())
    return h.hexdigest()


def default_index_path() -> Path:
    """Return where the index for the installed inputs lives in the cache.

    >>> default_index_path().name.startswith("gazetteer-")
    True
    """
    return cache_dir() / f"gazetteer-{index_key()[:16]}.sqlite"


def check_index(path: Path, key: str | None = None) -> str | None:
    """Return why the index at ``path`` is unusable (missing, truncated, corrupt, stale), or None if it is fine.

    >>> check_index(Path("/nonexistent/gazetteer.sqlite"))
    'missing'
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            header = f.read(100)
    except FileNotFoundError:
        return "missing"
    except OSError as err:
        return f"unreadable ({err.strerror or err})"
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return "not an SQLite file"
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    pages = struct.unpack(">I", header[28:32])[0]
    if page_size * pages != size:
        return f"truncated or damaged ({size} bytes, header says {page_size * pages})"
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        finally:
            con.close()
    except sqlite3.Error as err:
        return f"corrupt ({err})"
    if meta.get("schema_version") != str(SCHEMA_VERSION):
        return f"schema {meta.get('schema_version')} differs from {SCHEMA_VERSION}"
    if meta.get("complete") != "1":
        return "incomplete"
    if key is not None and meta.get("index_key") != key:
        return "built from other inputs"
    return None


def _build_lock(path: Path) -> FileLock:
    """Builders of one index take turns (the second reuses what the first built), on every OS."""
    return FileLock(path.with_name(path.name + ".lock"))


def build_index(path: Path | None = None, *, landmarks: Path | None = None, progress: Progress | None = None, force: bool = False) -> BuildReport:
    """Build the gazetteer index at ``path`` (default: the cache) unless a valid one is there.

    Writes to a temporary file beside ``path`` and renames it into place; another process
    building the same file waits for it and reuses its result.

    >>> build_index().places > 200_000  # doctest: +SKIP
    True
    """
    landmarks = landmarks or landmarks_path()
    key = index_key(landmarks)
    path = Path(path) if path else cache_dir() / f"gazetteer-{key[:16]}.sqlite"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise GazetteerError(f"{path.parent}: cannot create the gazetteer cache directory ({err.strerror or err})") from err
    report = progress or (lambda stage, fraction: None)
    try:
        with _build_lock(path):
            if not force and check_index(path, key) is None:
                return _report_existing(path, 0.0)
            return _build_atomically(path, key, landmarks, report)
    except sqlite3.Error as err:
        raise GazetteerError(f"{path}: cannot write the gazetteer index ({err})") from err
    except OSError as err:
        raise GazetteerError(f"{path}: cannot write the gazetteer index ({err.strerror or err})") from err


def _build_atomically(path: Path, key: str, landmarks: Path, report: Progress) -> BuildReport:
    start = time.perf_counter()
    # A unique name beside the target, so the rename is atomic and concurrent builds never share it.
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    gc_was_enabled = gc.isenabled()
    gc.disable()  # a million small objects: collection passes would double the build time
    try:
        counts = _build(tmp, key, landmarks, report)
        with tmp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if gc_was_enabled:
            gc.enable()
        tmp.unlink(missing_ok=True)
    if path.parent == cache_dir() and path.name.startswith("gazetteer-"):
        _remove_stale(path)
    report("done", 1.0)
    return BuildReport(path, counts[0], counts[1], path.stat().st_size, time.perf_counter() - start)


def _report_existing(path: Path, seconds: float) -> BuildReport:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    finally:
        con.close()
    return BuildReport(path, int(meta.get("places", 0)), int(meta.get("aliases", 0)), path.stat().st_size, seconds)


def _remove_stale(current: Path) -> None:
    for old in current.parent.glob("gazetteer-*.sqlite*"):
        if old.name not in (current.name, current.name + ".lock") and not old.name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                old.unlink()


# --------------------------------------------------------------------------- build

Rows = dict[tuple[str, int], tuple[float, int, "str | None"]]
"""The ranked aliases being built: {(alias key, geonameid): (rank, is main name, case-sensitive form)}."""


def _build(tmp: Path, key: str, landmarks: Path, report: Progress) -> tuple[int, int]:
    report("reading GeoNames cities500", 0.0)
    cities = read_cities()
    report("reading regions, countries, airports, landmarks", 0.25)
    admin1 = read_admin1()
    countries, capitals, country_areas = read_countries()
    country_points = read_country_points()
    extra = [(source, source.read()) for source in point_sources(landmarks, cities)]
    common = read_common_words()

    report("reading second-level regions", 0.3)
    admin2 = read_admin2()

    report("normalising names", 0.35)
    alias_keys = AliasKeys(common)
    city_aliases = [alias_keys(e) for e in cities]
    admin1_aliases = [alias_keys(e) for e in admin1]

    report("placing regions and countries", 0.55)
    regions: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_country: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(cities):
        regions[(c.country_code, c.admin1_code)].append(i)
        by_country[c.country_code].append(i)
    capital_ids = find_capitals(cities, city_aliases, by_country, capitals)
    countries = place_countries(countries, cities, capital_ids, by_country, country_areas, country_points)
    admin1, admin1_aliases, region_pop = _place_regions(admin1, admin1_aliases, cities, countries, regions)
    admin1_by_code = {(a.country_code, a.admin1_code): a for a in admin1}
    known_ids = {e.geonameid for e in cities} | {a.geonameid for a in admin1} | {c.geonameid for c in countries}
    admin2 = [e for e in admin2 if e.geonameid not in known_ids]
    for e in cities + admin2 + [e for source, entries in extra if source.region_by == "code" for e in entries]:
        region = admin1_by_code.get((e.country_code, e.admin1_code))
        e.admin1_name = region.name if region else ""
    for source, entries in extra:
        if source.region_by == "name":
            code_regions_by_name(entries, admin1, admin1_aliases)

    report("ranking names", 0.65)
    seats, weak = find_namesakes(cities, city_aliases, admin1, admin1_aliases, regions)
    for ci in capital_ids.values():
        cities[ci].feature_code = "PPLC"
    seat_cities = set(seats.values())

    def city_rank(ci: int, is_main: int) -> float:
        c = cities[ci]
        return (
            RANK_PLACE
            + math.log10(c.population + 1)
            + BOOST_MAIN_NAME * is_main
            + (BOOST_CAPITAL if c.feature_code == "PPLC" else 0.0)
            + (BOOST_REGION_SEAT if ci in seat_cities else 0.0)
        )

    rows: Rows = {}

    def add(alias: str, gid: int, rank: float, is_main: int, cased: str | None) -> None:
        old = rows.get((alias, gid))
        if old is None or rank > old[0]:
            rows[(alias, gid)] = (rank, max(is_main, old[1] if old else 0), cased)

    for ci, (c, al) in enumerate(zip(cities, city_aliases)):
        for alias, (is_main, cased) in al.items():
            add(alias, c.geonameid, city_rank(ci, is_main), is_main, cased)
    for ai, (a, al) in enumerate(zip(admin1, admin1_aliases)):
        strong = RANK_ADMIN1 + math.log10(region_pop.get(a.geonameid, 0) + 1) / 10
        for alias, (is_main, cased) in al.items():
            namesake = weak.get((ai, alias))
            if namesake is None:
                rank = strong + 0.01 * is_main
            else:
                ci, offset = namesake
                rank = city_rank(ci, 1 if normalize_name(cities[ci].name) == alias else 0) - offset
            add(alias, a.geonameid, rank, is_main, cased)
        seat = seats.get(ai)
        if seat is not None:  # "Kharkov region": the region answers to its seat's names too
            for alias, (is_main, cased) in city_aliases[seat].items():
                if (alias, a.geonameid) not in rows:
                    add(alias, a.geonameid, city_rank(seat, is_main) - NAMESAKE_OFFSET_SEAT, 0, cased)
    town_rank: dict[tuple[str, str], float] = {}
    for ci, (c, al) in enumerate(zip(cities, city_aliases)):
        for alias, (is_main, _) in al.items():
            town_key = (c.country_code, alias)
            town_rank[town_key] = max(town_rank.get(town_key, 0.0), city_rank(ci, is_main))
    for e in admin2:
        own = RANK_PLACE + math.log10(e.population + 1) - ADMIN2_OFFSET
        for alias, (is_main, cased) in alias_keys(e).items():
            town = town_rank.get((e.country_code, alias))
            rank = own + BOOST_MAIN_NAME * is_main
            if town is not None:
                rank = min(rank, town - NAMESAKE_OFFSET_OTHER)
            add(alias, e.geonameid, rank, is_main, cased)
    for e in countries:
        for alias, (is_main, cased) in alias_keys(e).items():
            add(alias, e.geonameid, RANK_COUNTRY + math.log10(e.population + 1) / 10 + 0.01 * is_main, is_main, cased)
    town_population: dict[str, int] = {}
    for c, al in zip(cities, city_aliases):
        for alias in al:
            town_population[alias] = max(town_population.get(alias, 0), c.population)
    for source, entries in extra:
        for e in entries:
            for alias, (is_main, cased) in alias_keys(e).items():
                rank = source.rank + source.main_boost * is_main
                if e.feature_code == "AIRP" and _known_by_bare_name(alias, e.name) and town_population.get(alias, VILLAGE_POPULATION) < VILLAGE_POPULATION:
                    # "Heathrow": the airport, not the Florida village of 5,900 people named after it.
                    rank = RANK_PLACE + math.log10(VILLAGE_POPULATION) + BOOST_MAIN_NAME + BOOST_CAPITAL + 0.01
                add(alias, e.geonameid, rank, is_main, cased)

    report("checking points against country polygons", 0.75)
    places = cities + admin1 + admin2 + countries + [e for _, entries in extra for e in entries]
    move_wide_areas(places, read_area_points())
    in_country = in_country_flags(places)
    ids = [p.geonameid for p in places]
    if len(set(ids)) != len(ids):
        raise GazetteerError(f"Duplicate place ids while building the gazetteer: {_first_dupes(ids)}")

    report("writing the index", 0.8)
    return write_index(tmp, key, places, in_country, rows, common)


def _place_regions(
    admin1: list[Entry],
    admin1_aliases: list[Aliases],
    cities: list[Entry],
    countries: list[Entry],
    regions: dict[tuple[str, str], list[int]],
) -> tuple[list[Entry], list[Aliases], dict[int, int]]:
    """The first-level regions that can be placed (from their cities, else in their country), their
    aliases, and the population of each (its cities')."""
    country_radius = {e.country_code: e.radius_km for e in countries}
    adm1_per_country: dict[str, int] = defaultdict(int)
    for a in admin1:
        adm1_per_country[a.country_code] += 1
    region_pop: dict[int, int] = {}
    kept_admin1 = []
    kept_admin1_aliases = []
    for a, al in zip(admin1, admin1_aliases):
        members = regions.get((a.country_code, a.admin1_code), [])
        fallback = country_radius.get(a.country_code, 100.0) / math.sqrt(max(adm1_per_country[a.country_code], 1))
        if place_region(a, [cities[i] for i in members], fallback):
            region_pop[a.geonameid] = sum(cities[i].population for i in members)
            kept_admin1.append(a)
            kept_admin1_aliases.append(al)
    return kept_admin1, kept_admin1_aliases, region_pop


# An airport's bare name ("Heathrow", "Gatwick", "Dulles") outranks towns of that name
# smaller than this; a real town ("Luton", "Narita", "Boryspil") keeps its name first.
VILLAGE_POPULATION = 10_000
_AIRPORT_WORDS = frozenset({"airport", "air", "airfield", "field", "base", "airbase", "international"})


def _known_by_bare_name(alias: str, name: str) -> bool:
    """Is ``alias`` the bare name of a major airport: "heathrow" of "London Heathrow Airport"?

    The airport's full name says more than the bare name and "airport" (its city, or
    "International"); "Council Airport" in an Alaskan village is not lifted above the village.
    """
    words = alias.split()
    if _AIRPORT_WORDS.intersection(words):
        return False
    return bool(set(normalize_name(name).split()) - set(words) - {"airport"})


def _first_dupes(ids: list[int]) -> list[int]:
    seen: set[int] = set()
    out = []
    for i in ids:
        if i in seen:
            out.append(i)
        seen.add(i)
    return out[:5]
