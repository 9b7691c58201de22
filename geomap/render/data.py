"""The events as the page carries them: one compact table, built once in Python.

The page's script draws, clusters, filters, lists and exports the events from this one
table, so a map of 100,000 events stays well under 30 MB and opens in seconds: there is
no folium ``Marker`` and no popup HTML per event.

The table (see :func:`event_table`)::

    {"columns": ["event_id", ..., "_draw", "_radius_km"],
     "tables":  [["ev-1", ...], ..., null, null],
     "rows":    [[0, ...], ...],
     "status_keys": ["reported", ...], "linkable": [1, 0, ...]}

A text column holds indices into its table of distinct values, most frequent first (so
most indices are one or two digits; missing text is ""); ``event_type``'s table is in
the legend's order. A number column holds numbers or null. Columns whose names start
with "_" are decided here for the page (``_draw``: pin, ring or area; ``_radius_km``: the
radius drawn and shown) and are not exported. ``status_keys`` gives each ``status``
value's css key, ``linkable`` whether each ``source_url`` may become a link: Python
keeps those judgements, the page only reads them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from geomap.errors import RenderError
from geomap.models import EVENT_SCHEMA, EVENT_TYPES
from geomap.render.resources import Bounds
from geomap.render.style import DEFAULT_RADIUS_KM, RING, draw_kind, status_key

__all__ = [
    "EventTable",
    "event_table",
    "located_events",
    "all_events",
    "text",
    "whole",
    "safe_href",
    "radius_km",
    "type_order",
]

_REQUIRED = ("event_type", "lat", "lon")
_KM_PER_DEGREE = 111.32
_COORD_DIGITS = 5  # about 1 m
_TEXT_DTYPES = ("string", "object")
_NUMBER_DIGITS = {"lat": _COORD_DIGITS, "lon": _COORD_DIGITS, "radius_km": 3}
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x1f\s]")


def text(value: Any) -> str:
    """A cell as text, "" for a missing value (None, NaN, pandas NA).

    Example:
        >>> text(float("nan")), text(" Kursk "), text(3)
        ('', 'Kursk', '3')
    """
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    return str(value).strip()


def whole(value: Any) -> int | None:
    """A cell as an int, None for a missing or non-numeric value.

    Example:
        >>> whole(2.0), whole(None), whole("x")
        (2, None, None)
    """
    if text(value) == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


def safe_href(url: str) -> str | None:
    """The URL if it may become a link: http(s) with a host; None otherwise.

    Example:
        >>> safe_href("https://example.org/a?b=1"), safe_href("javascript:alert(1)")
        ('https://example.org/a?b=1', None)
    """
    url = url.strip()
    if not url or _CONTROL_OR_SPACE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def radius_km(event: Mapping[str, Any]) -> float:
    """How far from its point an event may be: radius_km, else a default for geo_precision 2/3.

    Example:
        >>> radius_km({"radius_km": 35.0, "geo_precision": 3}), radius_km({"geo_precision": 2})
        (35.0, 10.0)
    """
    value = event.get("radius_km")
    if text(value):
        try:
            km = float(text(value))
        except (TypeError, ValueError):
            km = 0.0
        if km > 0 and math.isfinite(km):
            return km
    return DEFAULT_RADIUS_KM.get(whole(event.get("geo_precision")) or 0, 0.0)


def type_order(event_types: Sequence[str]) -> list[str]:
    """The event types in the legend's order: ACLED's six in codebook order, then others sorted.

    Example:
        >>> type_order(["Riots", "Other", "Battles"])
        ['Battles', 'Riots', 'Other']
    """
    acled = [name for name in EVENT_TYPES if name in event_types]
    return acled + sorted(set(event_types) - set(acled))


@dataclass(frozen=True)
class EventTable:
    """Every event as the page's table (those without a place with null lat/lon: listed in the
    table and the CSV, not drawn), and what the controls around it need."""

    data: dict[str, Any]
    type_counts: list[tuple[str, int]]  # in the legend's order; "" is a missing type
    statuses: list[str]  # the status keys present
    draw_kinds: set[int]  # PIN, RING, AREA present
    first_date: str  # "" when no event has a date
    last_date: str
    bounds: Bounds | None  # every point and circle; None for no located events
    n_unlocated: int

    @property
    def n_events(self) -> int:
        return len(self.data["rows"])

    @property
    def n_located(self) -> int:
        return self.n_events - self.n_unlocated


def located_events(events: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The rows with a place, with float lat/lon, in a stable order; and how many have none.

    The order (date, undated last; type in the legend's order; id; place; then a hash of
    the whole row) does not depend on the input's row order, so neither does the map.

    Raises:
        RenderError: as :func:`all_events`.
    """
    frame, n_unlocated = all_events(events)
    if n_unlocated:
        frame = frame[frame["lat"].notna()].reset_index(drop=True)
    return frame, n_unlocated


def all_events(events: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Every row, with float lat/lon (NaN where the event has no place), in the order of
    :func:`located_events`; and how many have no place.

    Raises:
        RenderError: not a DataFrame, a required column missing, or a coordinate that is
            not a number within -90..90 / -180..180 (the message names the event).
    """
    if not isinstance(events, pd.DataFrame):
        raise RenderError(f"expected the events table as a pandas DataFrame, got {type(events).__name__}")
    missing = [c for c in _REQUIRED if c not in events.columns]
    if missing:
        raise RenderError(
            f"the events table has no column {', '.join(map(repr, missing))}; "
            "expected the columns of geomap.models.EVENT_COLUMNS"
        )
    coords = {}
    for column in ("lat", "lon"):
        try:
            coords[column] = pd.to_numeric(events[column], errors="raise").astype("float64")
        except (TypeError, ValueError) as err:
            raise RenderError(f"column {column!r} holds a value that is not a number: {err}") from err
    lat, lon = coords["lat"], coords["lon"]
    located = lat.notna() & lon.notna()
    valid = lat.between(-90, 90) & lon.between(-180, 180)
    bad = located & ~valid
    if bad.any():
        row = events[bad].iloc[0]
        name = text(row.get("event_id")) or text(row.get("place_name")) or f"row {events[bad].index[0]}"
        raise RenderError(
            f"event {name}: (lat, lon) = ({row['lat']}, {row['lon']}) is outside -90..90, -180..180"
        )
    frame = events.assign(lat=lat.where(located), lon=lon.where(located))
    frame = frame.reindex(columns=[c.name for c in EVENT_SCHEMA]).reset_index(drop=True)
    return _sorted(frame), int((~located).sum())


def _texts(column: pd.Series) -> pd.Series:
    """A column as stripped text, "" for missing values."""
    return column.astype("string").fillna("").str.strip().astype(object)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    types = _texts(frame["event_type"])
    rank = {name: i for i, name in enumerate(type_order(sorted(set(types))))}
    dates = _texts(frame["event_date"])
    keys = pd.DataFrame(
        {
            "undated": dates.eq(""),
            "date": dates,
            "type": types.map(rank),
            "id": _texts(frame["event_id"]),
            "place": _texts(frame["place_name"]),
            "lat": frame["lat"],
            "lon": frame["lon"],
            # last: a hash of every cell, so that rows equal on the keys above still sort the same
            "row": pd.util.hash_pandas_object(frame.astype("string").fillna(""), index=False),
        }
    )
    order = keys.sort_values(list(keys.columns), kind="mergesort").index
    return frame.loc[order].reset_index(drop=True)


def _frequency_table(values: pd.Series) -> tuple[list[str], list[int]]:
    """Distinct values, most frequent first (ties by value), and each row's index into them."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), sort=True)
    counts = np.bincount(codes, minlength=len(uniques))
    order = np.argsort(-counts, kind="stable")  # stable: ties keep the sorted values' order
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return [str(v) for v in uniques[order]], rank[codes].tolist()


def _numbers(column: pd.Series, digits: int | None) -> list[int | float | None]:
    """A number column as JSON numbers: ints (digits None) or floats rounded to ``digits``; None for missing."""
    values = pd.to_numeric(column, errors="coerce").astype("float64").to_numpy()
    missing = ~np.isfinite(values)
    if digits is None:
        out = np.where(missing, 0, values).astype(np.int64).astype(object)
    else:
        out = np.round(np.where(missing, 0.0, values), digits).astype(object)
    out[missing] = None
    return out.tolist()


def _drawing(frame: pd.DataFrame) -> tuple[list[float], list[int]]:
    """Each event's radius (:func:`radius_km`) and how it is drawn (``style.draw_kind``).

    Worked out once per distinct (radius_km, geo_precision) pair: few, however many events.
    """
    pairs = pd.DataFrame(
        {
            "radius_km": pd.to_numeric(frame["radius_km"], errors="coerce").astype("float64"),
            "geo_precision": [whole(v) for v in frame["geo_precision"].tolist()],
        }
    )
    keys = list(zip(pairs["radius_km"].fillna(-1.0).tolist(), pairs["geo_precision"].fillna(-1).tolist()))
    drawn: dict[tuple[float, float], tuple[float, int]] = {}
    for key, row in zip(keys, pairs.itertuples(index=False)):
        if key not in drawn:
            event = {"radius_km": row.radius_km, "geo_precision": row.geo_precision}
            km = radius_km(event)
            drawn[key] = (km, draw_kind(whole(row.geo_precision), km))
    return [drawn[k][0] for k in keys], [drawn[k][1] for k in keys]


def event_table(events: pd.DataFrame) -> EventTable:
    """The page's table of every event (see the module docstring for its shape).

    Raises:
        RenderError: as :func:`located_events`.

    Example:
        >>> frame = pd.DataFrame({"event_type": ["Battles", "Riots"], "lat": [51.41, None],
        ...                       "lon": [34.9, None], "status": ["claimed", None]})
        >>> table = event_table(frame)
        >>> table.n_events, table.n_located, table.n_unlocated, table.type_counts
        (2, 1, 1, [('Battles', 1), ('Riots', 1)])
        >>> table.data["tables"][table.data["columns"].index("status")], table.data["status_keys"]
        (['', 'claimed'], ['unknown', 'claimed'])
    """
    frame, n_unlocated = all_events(events)
    columns: list[str] = []
    tables: list[list[str] | None] = []
    cells: list[list[Any]] = []
    for column in EVENT_SCHEMA:
        series = frame[column.name]
        if column.dtype in _TEXT_DTYPES:
            values = _texts(series)
            if column.name == "event_type":
                table = type_order(sorted(set(values)))
                index = {v: i for i, v in enumerate(table)}
                codes = [index[v] for v in values]
            else:
                table, codes = _frequency_table(values)
            tables.append(table)
            cells.append(codes)
        else:
            tables.append(None)
            digits = _NUMBER_DIGITS.get(column.name, 6 if column.dtype == "float64" else None)
            cells.append(_numbers(series, digits))
        columns.append(column.name)

    radii, kinds = _drawing(frame)
    columns += ["_draw", "_radius_km"]
    tables += [None, None]
    cells += [kinds, [round(r, 3) if r % 1 else int(r) for r in radii]]

    by_name = dict(zip(columns, tables))
    type_table = by_name["event_type"] or []
    type_codes = cells[columns.index("event_type")]
    code_counts = Counter(type_codes)
    status_table = by_name["status"] or []
    status_keys = [status_key(s) for s in status_table]
    status_codes = set(cells[columns.index("status")])
    dates = sorted(d for d in (by_name["event_date"] or []) if d)
    placed = frame["lat"].notna().to_numpy() if len(frame) else np.zeros(0, dtype=bool)
    data = {
        "columns": columns,
        "tables": tables,
        "rows": list(zip(*cells)) if cells and len(frame) else [],
        "status_keys": status_keys,
        "linkable": [int(safe_href(url) is not None) for url in (by_name["source_url"] or [])],
    }
    return EventTable(
        data=data,
        type_counts=[(name, code_counts[i]) for i, name in enumerate(type_table)],
        statuses=sorted({status_keys[i] for i in status_codes}),
        draw_kinds={k for k, p in zip(kinds, placed) if p},
        first_date=dates[0] if dates else "",
        last_date=dates[-1] if dates else "",
        bounds=_bounds(frame["lat"].to_numpy()[placed], frame["lon"].to_numpy()[placed],
                       [r for r, p in zip(radii, placed) if p], [k for k, p in zip(kinds, placed) if p]),
        n_unlocated=n_unlocated,
    )


def _bounds(lat: np.ndarray, lon: np.ndarray, radii: Sequence[float], kinds: Sequence[int]) -> Bounds | None:
    """The box holding every point and every ring drawn, None if there are no events."""
    if len(lat) == 0:
        return None
    # a ring is drawn at its size; a pin and an area's labelled square are points
    km = np.where(np.asarray(kinds) == RING, np.asarray(radii, dtype="float64"), 0.0)
    dlat = km / _KM_PER_DEGREE
    dlon = km / (_KM_PER_DEGREE * np.maximum(np.cos(np.radians(lat)), 0.01))
    return Bounds(
        max(float((lat - dlat).min()), -85.0),
        max(float((lon - dlon).min()), -180.0),
        min(float((lat + dlat).max()), 85.0),
        min(float((lon + dlon).max()), 180.0),
    )
