"""Writing and reading the events table: CSV and GeoJSON, both carrying the whole schema."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import pandas as pd

from geomap.errors import GeomapError
from geomap.models import EVENT_COLUMNS, EVENT_SCHEMA

__all__ = ["write_csv", "write_geojson", "read_events", "events_to_geojson"]


def _atomic_write(path: Path, text: str) -> Path:
    """Write through a temporary file and a rename, so a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_csv(events: pd.DataFrame, path: str | Path) -> Path:
    """Write the events table as UTF-8 CSV with the schema's columns, in order.

    >>> write_csv(empty_events(), "output/events.csv")  # doctest: +SKIP
    """
    return _atomic_write(Path(path), events[list(EVENT_COLUMNS)].to_csv(index=False, lineterminator="\n"))


def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def events_to_geojson(events: pd.DataFrame) -> dict:
    """The events as a GeoJSON FeatureCollection; unplaced events get a null geometry."""
    features = []
    for record in events[list(EVENT_COLUMNS)].to_dict(orient="records"):
        props = {k: _plain(v) for k, v in record.items()}
        lat, lon = props["lat"], props["lon"]
        # GeoJSON orders coordinates (lon, lat).
        geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
        features.append({"type": "Feature", "id": props["event_id"], "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def write_geojson(events: pd.DataFrame, path: str | Path) -> Path:
    """Write the events as GeoJSON (RFC 7946)."""
    text = json.dumps(events_to_geojson(events), ensure_ascii=False, indent=1, sort_keys=False)
    return _atomic_write(Path(path), text + "\n")


def read_events(path: str | Path) -> pd.DataFrame:
    """Read an events table written by :func:`write_csv` or :func:`write_geojson`."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".geojson", ".json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            frame = pd.DataFrame([f["properties"] for f in data["features"]])
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise GeomapError(f"{path}: not an events table ({err})") from err
    missing = [c for c in EVENT_COLUMNS if c not in frame.columns]
    if missing:
        raise GeomapError(f"{path}: not an events table, missing columns {', '.join(missing)}")
    frame = frame[list(EVENT_COLUMNS)]
    for col in EVENT_SCHEMA:
        if col.dtype in ("Int64", "float64"):
            frame[col.name] = pd.to_numeric(frame[col.name], errors="coerce")
    return frame.astype({c.name: c.dtype for c in EVENT_SCHEMA})
