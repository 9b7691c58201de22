"""geomap: news articles in, a trustworthy map of incidents out, offline.

In a notebook:

>>> import geomap
>>> result = geomap.run(["seeds/"], out="output/")  # doctest: +SKIP
>>> result.events.dtypes["event_date"]  # doctest: +SKIP
dtype('<M8[ns]')
>>> result.map  # doctest: +SKIP
>>> geomap.events_frame(["On 3 July 2025 a missile strike near Korenevo killed 20 people."])  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from geomap.articles import read_articles
from geomap.errors import GeomapError

__all__ = [
    "GeomapError",
    "run",
    "rebuild",
    "read_articles",
    "geoparse",
    "extract_events",
    "events_frame",
    "build_events",
    "render_map",
    "open_gazetteer",
]

def __getattr__(name: str) -> Any:
    # The heavy stages (spaCy, folium, pandas) load only when asked for: `geomap --help` stays fast.
    if name in ("run", "rebuild"):
        from geomap import workflow

        return getattr(workflow, name)
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
