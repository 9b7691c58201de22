"""The events table -> one self-contained, offline, deterministic HTML map."""

from __future__ import annotations

import contextlib
import copy
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import folium
import pandas as pd
from branca.element import Element, Figure
from markupsafe import escape

from geomap.errors import RenderError
from geomap.models import EVENT_TYPES
from geomap.render.elements import OfflineAssets
from geomap.render.layers import (
    MAX_ZOOM,
    basemap_layer,
    data_attribution,
    event_layer,
    has_uncertainty_circle,
    legend,
    title_control,
)
from geomap.render.popup import radius_km, text
from geomap.render.resources import Bounds
from geomap.render.style import STATUS_LABELS, status_key

__all__ = ["render_map", "save_map", "write_map"]

FIT_MAX_ZOOM = 6  # a lone event: its region around it (the basemap holds detail to zoom 5)
FIT_PADDING = (40, 40)
_KM_PER_DEGREE = 111.32
_REQUIRED = ("event_type", "lat", "lon")


def render_map(events: pd.DataFrame, *, title: str | None = None) -> folium.Map:
    """Draw the events table as a folium map that works offline.

    One pin per event with a place (rows without lat/lon are counted in the legend,
    not drawn), coloured by event type, one toggleable layer per type, a circle
    where the place is known only roughly, hollow pins for what is not established
    fact, popups with the evidence sentence. Leaflet and the basemap are inlined;
    element ids are fixed, so the same table always gives the same HTML.

    Parameters:
        events: the events table (columns of ``geomap.models.EVENT_COLUMNS``;
            ``event_type``, ``lat`` and ``lon`` are required, others may be missing).
        title: shown on the map and as the page title.

    Raises:
        RenderError: ``events`` is not a DataFrame, lacks a required column, or has a
            coordinate that is not a number within -90..90 / -180..180.

    Example:
        >>> import pandas as pd
        >>> events = pd.DataFrame({"event_type": ["Battles"], "lat": [51.41], "lon": [34.90],
        ...                        "place_name": ["Korenevo"], "status": ["reported"]})
        >>> m = render_map(events, title="Kursk")
        >>> "Battles (1)" in m.get_root().render()
        True
    """
    located, n_unlocated = _located_events(events)
    around = _bounds(located)

    m = folium.Map(
        location=[30.0, 20.0],
        zoom_start=2,
        tiles=None,
        control_scale=True,
    )
    m.options.update(min_zoom=1, max_zoom=MAX_ZOOM)
    m.default_js, m.default_css = [], []  # no CDN links: OfflineAssets inlines Leaflet
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.title = escape(title or "geomap")

    OfflineAssets().add_to(m)
    basemap_layer(around).add_to(m)
    by_type = _group_by_type(located)
    for event_type, group in by_type.items():
        event_layer(event_type, group).add_to(m)
    if title:
        title_control(title).add_to(m)
    statuses = {status_key(text(e.get("status"))) for e in located}
    legend(
        [(event_type, len(group)) for event_type, group in by_type.items()],
        [s for s in (*STATUS_LABELS, "unknown") if s in statuses],
        show_circle=any(has_uncertainty_circle(e) for e in located),
        n_unlocated=n_unlocated,
    ).add_to(m)
    data_attribution().add_to(m)
    if around is not None:
        m.fit_bounds(
            [[around.south, around.west], [around.north, around.east]],
            padding=FIT_PADDING,
            max_zoom=FIT_MAX_ZOOM,
        )
    folium.LayerControl(collapsed=False).add_to(m)  # last: it lists the layers added before it
    _assign_stable_ids(m.get_root())
    return m


def save_map(m: folium.Map, path: Path | str) -> Path:
    """Write a map as one HTML file (created with its folders, replaced atomically).

    Raises:
        RenderError: the file cannot be written; the message names the path and why.

    Example:
        >>> save_map(render_map(events), Path("output/map.html"))  # doctest: +SKIP
        PosixPath('output/map.html')
    """
    path = Path(path)
    _assign_stable_ids(m.get_root())
    # folium's render adds to the tree (each layer's addTo, under a fresh random id):
    # render a copy, so the map itself stays as built and every save is the same.
    html = copy.deepcopy(m.get_root()).render()
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise RenderError(f"cannot write the map to {path}: {err.strerror or err}") from err
    return path


def write_map(events: pd.DataFrame, path: Path | str, *, title: str | None = None) -> Path:
    """Render the events table and write it as one offline HTML file: what the CLI calls.

    Example:
        >>> write_map(events, "output/map.html", title="Kursk, August 2024")  # doctest: +SKIP
        PosixPath('output/map.html')
    """
    return save_map(render_map(events, title=title), path)


def _located_events(events: pd.DataFrame) -> tuple[list[dict[str, Any]], int]:
    """The rows with a place as dicts in a stable order, and how many rows have none."""
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
    rows = events[located].assign(lat=lat[located], lon=lon[located]).to_dict("records")
    rows.sort(key=_sort_key)
    return rows, int((~located).sum())


_TYPE_ORDER = {name: i for i, name in enumerate(EVENT_TYPES)}


def _sort_key(event: Mapping[str, Any]) -> tuple[Any, ...]:
    event_type = text(event.get("event_type"))
    date = text(event.get("event_date"))
    return (
        _TYPE_ORDER.get(event_type, len(_TYPE_ORDER)),
        event_type,
        date == "",
        date,
        text(event.get("event_id")),
        text(event.get("place_name")),
        event["lat"],
        event["lon"],
    )


def _group_by_type(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Events by type, ACLED's six first in codebook order (events are sorted that way)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        groups.setdefault(text(event.get("event_type")) or "Unknown type", []).append(event)
    return groups


def _bounds(events: list[dict[str, Any]]) -> Bounds | None:
    """The box holding every pin and every uncertainty circle, None if there are no events."""
    if not events:
        return None
    south, west, north, east = 90.0, 180.0, -90.0, -180.0
    for e in events:
        lat, lon = e["lat"], e["lon"]
        km = radius_km(e) if has_uncertainty_circle(e) else 0.0
        dlat = km / _KM_PER_DEGREE
        dlon = km / (_KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
        south, north = min(south, lat - dlat), max(north, lat + dlat)
        west, east = min(west, lon - dlon), max(east, lon + dlon)
    return Bounds(max(south, -85.0), max(west, -180.0), min(north, 85.0), min(east, 180.0))


def _assign_stable_ids(root: Element) -> None:
    """Replace folium's random element ids by ids from each element's place in the tree.

    Idempotent: an element keeps its id on every call, so a map saved twice, or a
    table rendered twice, gives byte-identical HTML.
    """

    def visit(element: Element, path: str) -> None:
        element._id = path
        children = type(element._children)()
        for index, (key, child) in enumerate(element._children.items()):
            old_name = child.get_name()
            visit(child, f"{path}_{index}")
            children[child.get_name() if key == old_name else key] = child
        element._children = children

    visit(root, "0")
