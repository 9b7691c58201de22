"""The events table as files: CSV, GeoJSON and Parquet, each written through a temporary file and a rename."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from geomap.errors import GeomapError, StoreError
from geomap.models import EVENT_COLUMNS, EVENT_SCHEMA
from geomap.paths import atomic_write, atomic_write_text
from geomap.store.codec import plain_value

EXPORT_FORMATS = ("csv", "geojson", "parquet")



# A cell a spreadsheet would run as a formula starts with one of these (OWASP's list);
# a leading quote makes it text. The map's CSV download (render/assets/events.js) does the same.
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_GUARDED = re.compile(r"^'+[=+\-@\t\r]")
_NEEDS_QUOTES = re.compile(r'[",\r\n]')


def guard_formula(text: str) -> str:
    """``text`` as a CSV cell that no spreadsheet runs: a leading ``'`` before a formula.

    Reversed by :func:`unguard_formula` (text that already starts with quotes and a
    formula character gets one more quote, so the two are exact inverses).

    >>> print(guard_formula("=SUM(A1)"), guard_formula("Kyiv"), unguard_formula("'=1"))
    '=SUM(A1) Kyiv =1
    """
    return "'" + text if _FORMULA.match(text) else text


def unguard_formula(text: str) -> str:
    """The text :func:`guard_formula` was given."""
    return text[1:] if _GUARDED.match(text) else text


def _csv_cell(value: str) -> str:
    # The csv module quotes a field with "\n" but not one with a lone "\r" when lines
    # end in "\n", and every reader then splits the row there: quote both.
    return '"' + value.replace('"', '""') + '"' if _NEEDS_QUOTES.search(value) else value


def to_csv_text(frame: pd.DataFrame, *, text_columns: Sequence[str]) -> str:
    """The one CSV writer: UTF-8 text, a header row, ``\n`` line ends, fields quoted when
    they hold a comma, a quote, a line feed or a carriage return (so any text reads back
    as the same rows), and formulas in ``text_columns`` guarded (:func:`guard_formula`).
    """
    text = set(text_columns)
    columns = []
    for name in frame.columns:
        series = frame[name]
        cells = series.astype(object).where(series.notna(), None).tolist()
        if name in text:
            columns.append(["" if v is None else _csv_cell(guard_formula(str(v))) for v in cells])
        else:
            columns.append(["" if v is None else _csv_cell(_number_text(v)) for v in cells])
    lines = [",".join(_csv_cell(str(name)) for name in frame.columns)]
    lines.extend(",".join(row) for row in zip(*columns))
    return "\n".join(lines) + "\n"


def _number_text(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(events: pd.DataFrame, path: str | Path) -> Path:
    """Write the events table as UTF-8 CSV with the schema's columns, in order, through
    :func:`to_csv_text` (formulas guarded, every field quoted that needs it).

    >>> write_csv(empty_events(), "output/events.csv")  # doctest: +SKIP
    """
    frame = events[list(EVENT_COLUMNS)]
    text_columns = [c.name for c in EVENT_SCHEMA if c.dtype == "string"]
    return atomic_write_text(Path(path), to_csv_text(frame, text_columns=text_columns))


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
            for col in EVENT_SCHEMA:
                if col.dtype == "string" and col.name in frame.columns:
                    frame[col.name] = frame[col.name].map(unguard_formula, na_action="ignore")
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise GeomapError(f"{path}: not an events table ({err})") from err
    missing = [c for c in EVENT_COLUMNS if c not in frame.columns]
    if missing:
        raise GeomapError(f"{path}: not an events table, missing columns {', '.join(missing)}")
    return typed_events(frame)


# -- dataclasses <-> JSON -------------------------------------------------------------------
