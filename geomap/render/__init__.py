"""Render the events table as one self-contained, offline, interactive HTML map.

The only part of geomap that imports folium. The written file inlines Leaflet, the
basemap tiles, the country borders and the events, so it opens from disk with no
network at all; :func:`render_fragment` gives the same map as a block to embed in a
larger page, and :func:`snapshot_map` a PNG of a written map.

Example::

    from geomap.render import write_map
    write_map(events, "output/map.html", title="Kursk region, August 2024")
"""

from geomap.render.maps import render_fragment, render_map, save_map, write_fragment, write_map
from geomap.render.snapshot import snapshot_map

__all__ = ["render_map", "render_fragment", "save_map", "write_map", "write_fragment", "snapshot_map"]
