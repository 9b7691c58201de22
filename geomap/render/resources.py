"""Read the vendored files in ``assets/``: Leaflet, our glue, templates and basemap tiles.

Nothing here reaches the network; the map inlines what these functions return.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import math
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

__all__ = [
    "Bounds",
    "BASEMAP_ATTRIBUTION",
    "WORLD_ZOOM",
    "DETAIL_ZOOM",
    "ONLINE_TILES_URL",
    "ONLINE_MAX_ZOOM",
    "LEAFLET_CDN",
    "read_asset",
    "leaflet_css",
    "glue_js",
    "subresource_integrity",
    "embedded_tiles",
]

BASEMAP_FILE = "basemap.mbtiles"
BASEMAP_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
    ' contributors (<a href="https://opendatacommons.org/licenses/odbl/">ODbL</a>)'
)
# OpenStreetMap's own tile server, for maps made with online_tiles=True (its usage
# policy asks for the attribution above, which the map shows).
ONLINE_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ONLINE_MAX_ZOOM = 19
# Where cdn=True maps load Leaflet from: the same files as assets/leaflet.*.
LEAFLET_CDN = {
    "leaflet.js": "https://unpkg.com/leaflet@1.9.4/dist/leaflet.js",
    "leaflet.css": "https://unpkg.com/leaflet@1.9.4/dist/leaflet.css",
}
GLUE_FILES = ("geomap.js", "events.js")
WORLD_ZOOM = 4  # zoom 0-4 of the whole world: about 1.4 MB of PNG in every map
DETAIL_ZOOM = 5  # the deepest zoom vendored; inlined only around the events
DETAIL_PAD = 2  # tiles of margin around the events, for the fitted view's edges
MAX_DETAIL_TILES = 96  # beyond this the events are too spread out for zoom 5 to matter

_MAX_LAT = 85.0511287798  # where Web Mercator ends


@dataclass(frozen=True)
class Bounds:
    """A latitude/longitude box, south-west to north-east, in degrees."""

    south: float
    west: float
    north: float
    east: float


def read_asset(name: str) -> str:
    """The text of one file in ``geomap/render/assets``.

    Example:
        >>> "L.TileLayer" in read_asset("geomap.js")
        True
    """
    return (resources.files("geomap.render") / "assets" / name).read_text(encoding="utf-8")


def _read_asset_bytes(name: str) -> bytes:
    return (resources.files("geomap.render") / "assets" / name).read_bytes()


@functools.cache
def leaflet_css() -> str:
    """Leaflet's stylesheet with its images inlined as data URIs, so it loads nothing.

    Example:
        >>> "url(images/" in leaflet_css()
        False
    """

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode(_read_asset_bytes(match.group(1))).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", inline, read_asset("leaflet.css"))


@functools.cache
def glue_js() -> str:
    """geomap's page scripts (``GLUE_FILES``), marked with a hash of their text.

    A page holding several maps runs them once per build: the hash tells two builds apart.

    Example:
        >>> "__GEOMAP_BUILD__" in glue_js(), "geomap.eventExplorer" in glue_js()
        (False, True)
    """
    body = "\n".join(read_asset(name) for name in GLUE_FILES)
    build = hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]
    return body.replace("__GEOMAP_BUILD__", build)


@functools.cache
def subresource_integrity(name: str) -> str:
    """The Subresource Integrity value (sha384) of a vendored file, for its CDN link.

    Example:
        >>> subresource_integrity("leaflet.js").startswith("sha384-")
        True
    """
    digest = hashlib.sha384(_read_asset_bytes(name)).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


def _tile_xy(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    """The (x, y) of the XYZ tile holding a point."""
    n = 2**zoom
    lat = max(-_MAX_LAT, min(_MAX_LAT, lat))
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


@functools.cache
def _basemap_tiles(zoom: int) -> dict[tuple[int, int], str]:
    """All tiles of one zoom level as {(x, y): base64 PNG}, y in XYZ order."""
    with resources.as_file(resources.files("geomap.render") / "assets" / BASEMAP_FILE) as path:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute(
                "SELECT tile_column, tile_row, tile_data FROM tiles WHERE zoom_level = ?",
                (zoom,),
            ).fetchall()
        finally:
            db.close()
    flip = 2**zoom - 1  # MBTiles stores TMS rows, counted from the south
    return {(x, flip - row): base64.b64encode(data).decode("ascii") for x, row, data in rows}


def embedded_tiles(around: Bounds | None) -> dict[str, str]:
    """The basemap tiles a map inlines, as {"z/x/y": base64 PNG} in a stable order.

    Zoom 0..WORLD_ZOOM for the whole world, and DETAIL_ZOOM tiles covering ``around``
    plus a margin, unless that box needs more than MAX_DETAIL_TILES tiles.

    Example:
        >>> tiles = embedded_tiles(Bounds(51.0, 34.0, 52.0, 35.0))
        >>> "0/0/0" in tiles, "5/19/10" in tiles, "5/0/0" in tiles
        (True, True, False)
    """
    keys: dict[str, str] = {}
    for zoom in range(WORLD_ZOOM + 1):
        for (x, y), data in sorted(_basemap_tiles(zoom).items()):
            keys[f"{zoom}/{x}/{y}"] = data
    if around is None:
        return keys
    x0, y0 = _tile_xy(around.north, around.west, DETAIL_ZOOM)
    x1, y1 = _tile_xy(around.south, around.east, DETAIL_ZOOM)
    last = 2**DETAIL_ZOOM - 1
    xs = range(max(x0 - DETAIL_PAD, 0), min(x1 + DETAIL_PAD, last) + 1)
    ys = range(max(y0 - DETAIL_PAD, 0), min(y1 + DETAIL_PAD, last) + 1)
    if len(xs) * len(ys) > MAX_DETAIL_TILES:
        return keys
    detail = _basemap_tiles(DETAIL_ZOOM)
    for x in xs:
        for y in ys:
            if (x, y) in detail:
                keys[f"{DETAIL_ZOOM}/{x}/{y}"] = detail[(x, y)]
    return keys
