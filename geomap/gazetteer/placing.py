"""Where the build puts what the sources give no point or rank for: countries, regions, region seats,
capitals; and which points lie in their country."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from geomap.gazetteer.aliases import Aliases
from geomap.gazetteer.normalize import (
    normalize_name,
)
from geomap.gazetteer.sources import Entry
from geomap.geo.distance import km, km_to_many

# A region yields a name to a city of that name in its country at least this big ("Moscow"
# is the city, not Moscow Oblast); in its own region, any size ("Kursk").
NAMESAKE_MIN_POPULATION = 50_000
FOREIGN_NAMESAKE_MIN_POPULATION = 100_000
# How far (in factors of ten) such a region ranks below the city: its seat, or another city.
NAMESAKE_OFFSET_SEAT = 0.3
NAMESAKE_OFFSET_OTHER = 1.0
# Points this close to their country's polygon count as inside (Natural Earth coasts are generalised).
IN_COUNTRY_TOLERANCE_KM = 5.0
# Two estimates of a country's centre this close agree (see _country_point).
COUNTRY_POINTS_AGREE_KM = 150.0

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


def move_wide_areas(places: list[Entry], points: dict[int, tuple[float, float]]) -> None:
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


def find_capitals(cities: list[Entry], aliases: list[Aliases], by_country: dict[str, list[int]], capitals: dict[str, str]) -> dict[str, int]:
    out = {}
    for cc, name in capitals.items():
        key = normalize_name(name) if name else ""
        matches = [i for i in by_country.get(cc, []) if key and key in aliases[i]]
        if matches:
            out[cc] = max(matches, key=lambda i: (normalize_name(cities[i].name) == key, cities[i].population))
    return out


def place_countries(
    countries: list[Entry],
    cities: list[Entry],
    capital_ids: dict[str, int],
    by_country: dict[str, list[int]],
    areas: dict[str, float],
    factbook: dict[str, tuple[float, float]],
) -> list[Entry]:
    from geomap.geo.shapes import country_shapes, geodesic_area_km2

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
    agree = km(*label, *centroid) <= COUNTRY_POINTS_AGREE_KM
    if point is None or (agree and min(km(*point, *label), km(*point, *centroid)) > COUNTRY_POINTS_AGREE_KM):
        lon_c = centroid[1] + 360 if centroid[1] - label[1] < -180 else centroid[1] - 360 if centroid[1] - label[1] > 180 else centroid[1]
        lon = (label[1] + lon_c) / 2
        point = ((label[0] + centroid[0]) / 2, lon - 360 if lon > 180 else lon + 360 if lon < -180 else lon)
    if shape.geometry.distance(shapely.Point(point[1], point[0])) < 1.0:
        return point
    return label


def _median_point(places: list[Entry]) -> tuple[float, float]:
    lats = np.array([p.lat for p in places])
    lons = np.array([p.lon for p in places])
    if lons.max() - lons.min() > 180:  # across the antimeridian
        lons = np.where(lons < 0, lons + 360, lons)
    lon = float(np.median(lons))
    return float(np.median(lats)), (lon - 360 if lon > 180 else lon)


def place_region(a: Entry, members: list[Entry], fallback_radius: float) -> bool:
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
    spread = km_to_many(mlat, mlon, lats, lons)
    if have_iso:
        # iso3166-2 points are of unclear provenance: keep one only if the region's places are near it.
        nearest = float(km_to_many(a.lat, a.lon, lats, lons).min())
        if nearest > max(150.0, float(np.median(spread))):
            a.lat, a.lon = mlat, mlon
    else:
        a.lat, a.lon = mlat, mlon
    dist = km_to_many(a.lat, a.lon, lats, lons)
    if len(members) >= 5:
        a.radius_km = round(max(float(np.percentile(dist, 90)), 5.0), 1)
    else:
        a.radius_km = round(max(fallback_radius, float(dist.max())), 1)
    return True


def code_regions_by_name(places: list[Entry], admin1: list[Entry], aliases: list[Aliases]) -> None:
    by_name: dict[tuple[str, str], Entry] = {}
    for a, al in zip(admin1, aliases):
        for alias in al:
            by_name.setdefault((a.country_code, alias), a)
    for e in places:
        region = by_name.get((e.country_code, normalize_name(e.admin1_name))) if e.admin1_name else None
        e.admin1_code = region.admin1_code if region else ""
        e.admin1_name = region.name if region else ""


def find_namesakes(
    cities: list[Entry],
    city_aliases: list[Aliases],
    admin1: list[Entry],
    admin1_aliases: list[Aliases],
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


def in_country_flags(places: list[Entry]) -> list[int | None]:
    from geomap.geo.shapes import points_in_country

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
