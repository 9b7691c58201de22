"""The curated landmarks shipped in data/landmarks.csv (see data/README.md for each row's source)."""

from __future__ import annotations

import csv
import importlib.resources
from pathlib import Path

from geomap.errors import GazetteerError
from geomap.gazetteer.sources.entry import Entry, stable_negative_id

LANDMARK_COLUMNS = ("name", "alternate_names", "lat", "lon", "feature_code", "country_code", "admin1_code", "radius_km", "source", "note")

# GeoNames feature classes of the feature codes curated entries may use.
LANDMARK_FEATURE_CLASSES = {
    "PPLX": "P", "RGN": "L", "AREA": "L", "CONT": "L", "ISL": "T", "MTS": "T", "DSRT": "T", "OCN": "H", "GULF": "H", "PEN": "T", "STRT": "H", "SEA": "H",
    "CSTL": "S", "SQR": "S", "BLDG": "S", "BDG": "S", "PSN": "S", "PS": "S", "MILB": "S",
    "LMK": "S", "DAM": "S", "MFG": "S", "ST": "R", "ADMD": "A",
    "STDM": "S", "PRT": "S", "NVB": "S", "AIRB": "S", "STM": "H", "RSV": "H", "LK": "H", "BAY": "H", "CHN": "H",
    "CNL": "H", "SPIT": "T", "ISLS": "T", "DLTA": "T", "PLN": "T", "MT": "T", "PASS": "T", "PRK": "L",
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
        # "EU", "E.U.", "ZNPP": an acronym matches only in capitals, as a country's does ("US").
        trusted=[a for a in alternates if not _is_acronym(a)],
        acronyms=[a for a in alternates if _is_acronym(a)],
    )


def _is_acronym(name: str) -> bool:
    letters = "".join(ch for ch in name if ch.isalpha())
    return 1 < len(letters) <= 5 and letters.isupper() and letters.isascii()
