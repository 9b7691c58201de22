"""geomap: news articles in, a trustworthy map of incidents out, offline.

>>> import geomap
>>> articles = [a for a in geomap.read_articles(["seeds/"]) if not isinstance(a, geomap.GeomapError)]
>>> events = geomap.events_frame(articles)  # doctest: +SKIP
"""

from __future__ import annotations

from geomap.articles import read_articles
from geomap.errors import GeomapError

__all__ = [
    "GeomapError",
    "read_articles",
    "geoparse",
    "extract_events",
    "events_frame",
    "build_events",
    "render_map",
    "open_gazetteer",
]


def __getattr__(name: str):
    # The heavy stages (spaCy, folium) load only when asked for.
    if name in ("geoparse", "extract_events", "events_frame"):
        from geomap import pipeline

        return getattr(pipeline, name)
    if name == "build_events":
        from geomap.events import build_events

        return build_events
    if name == "render_map":
        from geomap.render import render_map

        return render_map
    if name == "open_gazetteer":
        from geomap.gazetteer import open_gazetteer

        return open_gazetteer
    raise AttributeError(f"module 'geomap' has no attribute {name!r}")
