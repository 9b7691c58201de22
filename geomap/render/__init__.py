"""Render the events table as one self-contained, offline, interactive HTML map.

The only part of geomap that imports folium. The written file inlines Leaflet, the
basemap tiles and the events, so it opens from disk with no network at all.

Example::

    from geomap.render import write_map
    write_map(events, "output/map.html", title="Kursk region, August 2024")
"""

from geomap.render.maps import render_map, save_map, write_map

__all__ = ["render_map", "save_map", "write_map"]
