"""The learned points of wide areas (data/area_points.json, fitted by bench/train_area_points.py)."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path

from geomap.errors import GazetteerError


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
