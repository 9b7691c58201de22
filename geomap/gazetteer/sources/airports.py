"""Airports and air bases from the airportsdata package (ICAO-keyed, MIT)."""

from __future__ import annotations

from geomap.errors import GazetteerError
from geomap.gazetteer.sources.entry import Entry, stable_negative_id

_AIRPORT_SUFFIXES = (
    ("international airport", "AIRP"),
    ("regional airport", "AIRP"),
    ("municipal airport", "AIRP"),
    ("airport", "AIRP"),
    ("air force base", "AIRB"),
    ("air base", "AIRB"),
    ("airbase", "AIRB"),
    ("airfield", "AIRF"),
    ("air field", "AIRF"),
)


def read_airports() -> list[Entry]:
    """Read airports and air bases from airportsdata (ICAO-keyed).

    Aliases: the name, the name with "International" and the city dropped ("Heathrow
    Airport"), and for air bases the usual spellings ("Engels air base", "Engels airbase",
    "Engels airfield"). Feature codes: ``AIRP`` airport, ``AIRB`` air base, ``AIRF`` airfield.
    """
    try:
        import airportsdata
    except ImportError as err:
        raise GazetteerError("The 'airportsdata' package is not installed: pip install airportsdata") from err
    out = []
    for icao, a in airportsdata.load("ICAO").items():
        name = (a.get("name") or "").strip()
        if not name or not a.get("country"):
            continue
        code, names = _airport_names(name, a.get("city") or "", bool(a.get("iata")))
        out.append(
            Entry(
                geonameid=stable_negative_id("airport", icao),
                name=name,
                lat=float(a["lat"]),
                lon=float(a["lon"]),
                feature_class="S",
                feature_code=code,
                country_code=a["country"],
                admin1_name=a.get("subd") or "",
                radius_km=2.0,
                source="airportsdata",
                alternates=names,
            )
        )
    return out


def _airport_names(name: str, city: str, public: bool) -> tuple[str, list[str]]:
    low = name.casefold()
    for suffix, code in _AIRPORT_SUFFIXES:  # noqa: B007 (code is read after the loop)
        if low.endswith(" " + suffix):
            core = name[: -len(suffix)].strip(" -,")
            break
    else:
        return ("AIRB" if "air base" in low or "airbase" in low else "AIRP"), []
    cores = [core]
    if city and core.casefold().startswith(city.casefold() + " ") and len(core) > len(city) + 3:
        cores.append(core[len(city) :].strip())
    words = ("air base", "airbase", "airfield", "air field") if code != "AIRP" else ("airport", "international airport", "airfield")
    names = [f"{c} {w}" for c in cores for w in words]
    first, _, rest = core.partition(" ")
    if code == "AIRP" and public and rest and " " not in rest and len(rest) >= 4 and first.casefold() != city.casefold():
        # "Toronto Pearson International Airport" in Mississauga: news writes "Pearson International Airport".
        names.extend(f"{rest} {w}" for w in words)
    if public or code == "AIRB":
        # Well-known fields go by their bare name ("Heathrow", "Belbek"); ranking keeps towns first.
        names.extend(c for c in cores if len(c) >= 4)
    return code, names
