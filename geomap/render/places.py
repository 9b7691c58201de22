"""Place names around the events: the offline map's detail past the basemap's zoom 5.

The embedded basemap holds OpenStreetMap tiles to zoom 5 only, so zoomed in around an
event there is nothing to read. This module picks the settlements of the offline
GeoNames gazetteer around the events and, for each, the first zoom (6-12) at which its
label fits without overlapping a more important one; the page draws them as text
(``geomap.js``: ``placeLabels``), so they can be found with the browser's search and
read by a screen reader.

Only the neighbourhoods of the events are carried: villages within two grid cells
(:data:`CELL_DEG`) of an event, towns and cities further out (:data:`REACH_CELLS`), at
most :data:`MAX_LABELS` names. A place within ``OWN_KM`` of an event comes first, so the
event's own village is named however small it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from geomap.errors import GazetteerError, RenderError

__all__ = ["MIN_LABEL_ZOOM", "MAX_LABEL_ZOOM", "MAX_LABELS", "place_labels"]

MIN_LABEL_ZOOM = 6  # the basemap's own names stop at zoom 5
MAX_LABEL_ZOOM = 12  # the map's deepest offline zoom (layers.MAX_ZOOM)
MAX_LABELS = 6000  # about 200 KB of the page at most
CELL_DEG = 0.25  # the neighbourhood grid
# How many grid cells from an event a place may be, by its population.
REACH_CELLS: tuple[tuple[int, int], ...] = ((100_000, 12), (10_000, 6), (0, 2))
OWN_KM = 3.0
_CHAR_PX = 6.6  # the label font's average character width (geomap.css: 11px system-ui)
_LABEL_PAD_PX = 10
_LABEL_HEIGHT_PX = 15


def place_labels(lat: Sequence[float], lon: Sequence[float], gazetteer: Any = None) -> dict[str, Any]:
    """The labels to draw around events at ``lat``/``lon``: ``{"rows": [[name, lat, lon, min_zoom], ...]}``.

    ``gazetteer`` is a :class:`geomap.gazetteer.Gazetteer`; by default the offline index
    (opened, and built the first time, by ``open_gazetteer``).

    Raises:
        RenderError: the gazetteer cannot be opened or read (the message says why).

    Example:
        >>> labels = place_labels([51.41], [34.90])
        >>> [row for row in labels["rows"] if row[0] == "Korenevo"][0][3] <= 10
        True
    """
    lats, lons = np.asarray(lat, dtype="float64"), np.asarray(lon, dtype="float64")
    if len(lats) == 0:
        return {"rows": []}
    if gazetteer is None:
        from geomap.gazetteer import open_gazetteer

        try:
            gazetteer = open_gazetteer()
        except GazetteerError as err:
            raise RenderError(f"cannot name the places around the events: {err}") from err
    reach = max(cells for _, cells in REACH_CELLS)
    pad = (reach + 1) * CELL_DEG
    south, north = max(float(lats.min()) - pad, -85.0), min(float(lats.max()) + pad, 85.0)
    west, east = max(float(lons.min()) - pad, -180.0), min(float(lons.max()) + pad, 180.0)
    try:
        found = gazetteer.settlements_in(south, west, north, east)
    except GazetteerError as err:
        raise RenderError(f"cannot name the places around the events: {err}") from err
    if not found:
        return {"rows": []}
    names = [f[0] for f in found]
    plat = np.array([f[1] for f in found])
    plon = np.array([f[2] for f in found])
    pop = np.array([f[3] for f in found], dtype="int64")

    # Which grid cells hold an event, and how far (in cells, a square) each place is from one.
    rows_n = int(math.ceil((north - south) / CELL_DEG)) + 1
    cols_n = int(math.ceil((east - west) / CELL_DEG)) + 1
    grid = np.zeros((rows_n, cols_n), dtype="int32")
    grid[((lats - south) / CELL_DEG).astype(int).clip(0, rows_n - 1),
         ((lons - west) / CELL_DEG).astype(int).clip(0, cols_n - 1)] = 1
    prow = ((plat - south) / CELL_DEG).astype(int).clip(0, rows_n - 1)
    pcol = ((plon - west) / CELL_DEG).astype(int).clip(0, cols_n - 1)
    keep = np.zeros(len(found), dtype=bool)
    integral = np.pad(grid.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    for min_pop, cells in REACH_CELLS:
        r0, r1 = (prow - cells).clip(0, rows_n), (prow + cells + 1).clip(0, rows_n)
        c0, c1 = (pcol - cells).clip(0, cols_n), (pcol + cells + 1).clip(0, cols_n)
        near = integral[r1, c1] - integral[r0, c1] - integral[r1, c0] + integral[r0, c0] > 0
        keep |= near & (pop >= min_pop) & ~keep
    own = _near_events(plat, plon, lats, lons, OWN_KM)

    index = np.flatnonzero(keep)
    order = index[np.lexsort((-pop[index], ~own[index]))]
    min_zoom = _label_zooms([names[i] for i in order], plat[order], plon[order])
    chosen = [k for k in np.argsort(min_zoom, kind="stable") if min_zoom[k] <= MAX_LABEL_ZOOM][:MAX_LABELS]
    chosen.sort()
    rows = [
        [names[order[k]], round(float(plat[order[k]]), 4), round(float(plon[order[k]]), 4), int(min_zoom[k])]
        for k in chosen
    ]
    return {"rows": rows}


def _near_events(plat: np.ndarray, plon: np.ndarray, lats: np.ndarray, lons: np.ndarray, km: float) -> np.ndarray:
    """Whether each place lies within ``km`` of an event (on a grid of ``km``: within about 2 km)."""
    step = km / 111.32
    cells = set(zip(np.round(lats / step).astype(int).tolist(), np.round(lons / step).astype(int).tolist()))
    # The cells next to an event's (or its own), once: one set lookup per place, not nine.
    near = {(r + dr, c + dc) for r, c in cells for dr in (-1, 0, 1) for dc in (-1, 0, 1)}
    prow, pcol = np.round(plat / step).astype(int).tolist(), np.round(plon / step).astype(int).tolist()
    return np.array([(r, c) in near for r, c in zip(prow, pcol)], dtype=bool)


def _label_zooms(names: list[str], lat: np.ndarray, lon: np.ndarray) -> list[int]:
    """The first zoom at which each label (in priority order) fits beside the ones before it.

    At each zoom the labels placed at the zoom before are placed first (twice as far apart
    now, they still fit), then the others in order where they do not overlap; a label
    never placed gets ``MAX_LABEL_ZOOM + 1``.
    """
    n = len(names)
    x = (lon + 180.0) / 360.0
    s = np.sin(np.radians(np.clip(lat, -85.0, 85.0)))
    y = 0.5 - np.log((1 + s) / (1 - s)) / (4 * math.pi)
    width = np.array([len(name) * _CHAR_PX + _LABEL_PAD_PX for name in names])
    zooms = [MAX_LABEL_ZOOM + 1] * n
    bucket = 128.0
    for z in range(MIN_LABEL_ZOOM, MAX_LABEL_ZOOM + 1):
        size = 256.0 * 2**z
        px, py = x * size, y * size
        boxes: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}
        placed_before = [i for i in range(n) if zooms[i] <= z]
        candidates = [i for i in range(n) if zooms[i] > z]
        for i in placed_before + candidates:
            box = (px[i] - 4, py[i] - _LABEL_HEIGHT_PX / 2, px[i] + width[i], py[i] + _LABEL_HEIGHT_PX / 2)
            keys = [
                (bx, by)
                for bx in range(int(box[0] // bucket), int(box[2] // bucket) + 1)
                for by in range(int(box[1] // bucket), int(box[3] // bucket) + 1)
            ]
            if zooms[i] > z:
                clash = any(
                    b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3]
                    for key in keys
                    for b in boxes.get(key, ())
                )
                if clash:
                    continue
                zooms[i] = z
            for key in keys:
                boxes.setdefault(key, []).append(box)
    return zooms
