"""The events table as files: CSV, GeoJSON and Parquet, each written through a temporary file and a rename."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from geomap.errors import GeomapError, StoreError
from geomap.models import EVENT_COLUMNS, EVENT_SCHEMA
from geomap.paths import atomic_write, atomic_write_text
from geomap.store.codec import plain_value

EXPORT_FORMATS = ("csv", "geojson", "parquet")



def write_csv(events: pd.DataFrame, path: str | Path) -> Path:
    """Write the events table as UTF-8 CSV with the schema's columns, in order.

    >>> write_csv(empty_events(), "output/events.csv")  # doctest: +SKIP
    """
    return atomic_write_text(Path(path), events[list(EVENT_COLUMNS)].to_csv(index=False, lineterminator="\n"))


def events_to_geojson(events: pd.DataFrame) -> dict:
    """The events as a GeoJSON FeatureCollection; unplaced events get a null geometry."""
    features = []
    for record in events[list(EVENT_COLUMNS)].to_dict(orient="records"):
        props = {k: plain_value(v) for k, v in record.items()}
        lat, lon = props["lat"], props["lon"]
        # GeoJSON orders coordinates (lon, lat).
        geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
        features.append({"type": "Feature", "id": props["event_id"], "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def write_geojson(events: pd.DataFrame, path: str | Path) -> Path:
    """Write the events as GeoJSON (RFC 7946)."""
    text = json.dumps(events_to_geojson(events), ensure_ascii=False, indent=1, sort_keys=False)
    return atomic_write_text(Path(path), text + "\n")


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401 (only whether it is there)
    except ImportError as err:
        raise StoreError(
            "writing Parquet needs the pyarrow package, which is not installed: "
            "pip install 'geomap[parquet]' (or pip install pyarrow)"
        ) from err


def write_parquet(events: pd.DataFrame, path: str | Path) -> Path:
    """Write the events as Parquet through pandas and pyarrow (``pip install 'geomap[parquet]'``).

    Raises :class:`StoreError` when pyarrow is not installed.
    """
    _require_pyarrow()
    frame = events[list(EVENT_COLUMNS)].reset_index(drop=True)
    return atomic_write(Path(path), lambda tmp: frame.to_parquet(tmp, engine="pyarrow", index=False))


def write_events(events: pd.DataFrame, path: str | Path, *, format: str) -> Path:
    """Write the events table in one of :data:`EXPORT_FORMATS` (``csv``, ``geojson``, ``parquet``)."""
    writers = {"csv": write_csv, "geojson": write_geojson, "parquet": write_parquet}
    if format not in writers:
        raise StoreError(f"unknown format {format!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    return writers[format](events, path)


def typed_events(frame: pd.DataFrame) -> pd.DataFrame:
    """The schema's columns, in order, with the schema's dtypes."""
    frame = frame[list(EVENT_COLUMNS)].copy()
    for col in EVENT_SCHEMA:
        if col.dtype in ("Int64", "float64"):
            frame[col.name] = pd.to_numeric(frame[col.name], errors="coerce")
    return frame.astype({c.name: c.dtype for c in EVENT_SCHEMA})


def read_events_file(path: str | Path) -> pd.DataFrame:
    """Read an events table written by :func:`write_csv`, :func:`write_geojson` or :func:`write_parquet`."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".geojson", ".json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            frame = pd.DataFrame([f["properties"] for f in data["features"]])
        elif path.suffix.lower() == ".parquet":
            _require_pyarrow()
            frame = pd.read_parquet(path, engine="pyarrow")
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise GeomapError(f"{path}: not an events table ({err})") from err
    missing = [c for c in EVENT_COLUMNS if c not in frame.columns]
    if missing:
        raise GeomapError(f"{path}: not an events table, missing columns {', '.join(missing)}")
    return typed_events(frame)


# -- dataclasses <-> JSON -------------------------------------------------------------------
