"""One function per map layer or control; ``render_map`` assembles them.

Each returns a folium element to add with ``.add_to(m)``. Events arrive as plain
dicts (rows of the events table, located ones only).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import jinja2
from markupsafe import Markup

from geomap.render.elements import Attribution, EmbeddedTileLayer, EventMarkers, MapControl
from geomap.render.popup import popup_html, radius_km, text, whole
from geomap.render.resources import (
    BASEMAP_ATTRIBUTION,
    DETAIL_ZOOM,
    WORLD_ZOOM,
    Bounds,
    embedded_tiles,
    read_asset,
)
from geomap.render.style import PIN_SVG, UNCERTAIN_KM, status_key, type_class, type_color

__all__ = [
    "MAX_ZOOM",
    "DATA_CREDITS",
    "basemap_layer",
    "event_layer",
    "legend",
    "title_control",
    "data_attribution",
    "has_uncertainty_circle",
]

MAX_ZOOM = 12  # past the basemap's detail, but close enough to tell nearby events apart

DATA_CREDITS = (
    'Places: <a href="https://www.geonames.org/">GeoNames</a>'
    ' (<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>)',
    'Countries: <a href="https://www.naturalearthdata.com/">Natural Earth</a> (public domain)',
)

_env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_LEGEND = _env.from_string(read_asset("legend.html"))


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


def has_uncertainty_circle(event: Mapping[str, Any]) -> bool:
    """Whether an event's place is vague enough to draw its radius: geo_precision 2/3 or a wide radius.

    Example:
        >>> has_uncertainty_circle({"geo_precision": 1, "radius_km": 0.0})
        False
        >>> has_uncertainty_circle({"geo_precision": 3, "radius_km": 120.0})
        True
    """
    return whole(event.get("geo_precision")) in (2, 3) or radius_km(event) > UNCERTAIN_KM


def _marker_data(event: Mapping[str, Any]) -> dict[str, Any]:
    """What the page's script needs to draw one event."""
    place = text(event.get("place_name")) or text(event.get("place_text"))
    label = f"{text(event.get('event_type')) or 'Event'}: {place}" if place else text(event.get("event_type"))
    return {
        "id": text(event.get("event_id")),
        "lat": round(float(event["lat"]), 6),
        "lon": round(float(event["lon"]), 6),
        "date": text(event.get("event_date")),
        "status": status_key(text(event.get("status"))),
        "radius_m": round(radius_km(event) * 1000) if has_uncertainty_circle(event) else 0,
        "label": label,
        "popup": popup_html(event),
    }


def event_layer(event_type: str, events: Sequence[Mapping[str, Any]]) -> folium.FeatureGroup:
    """A toggleable layer with one pin per event of one type (and circles for vague places).

    Its name in the layer control is escaped: Leaflet shows layer names as HTML.

    Example:
        >>> group = event_layer("Battles", [{"event_type": "Battles", "lat": 51.41, "lon": 34.9}])
        >>> group.layer_name
        '<span class="geomap-swatch geomap-t0"></span> Battles (1)'
    """
    cls = type_class(event_type)
    name = f'<span class="geomap-swatch {cls}"></span> {html.escape(event_type)} ({len(events)})'
    group = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
    style = {"cls": cls, "color": type_color(event_type), "pin": PIN_SVG}
    EventMarkers([_marker_data(e) for e in events], style).add_to(group)
    return group


def legend(
    type_counts: Sequence[tuple[str, int]],
    statuses: Sequence[str],
    *,
    show_circle: bool,
    n_unlocated: int,
    element_id: str = "geomap-legend",
) -> MapControl:
    """The legend: a swatch per event type with its count, the certainty key, unplaced events.

    Example:
        >>> control = legend([("Battles", 2)], ["reported", "planned"], show_circle=True, n_unlocated=1)
        >>> "1 event without a known place is not on the map." in control.html
        True
    """
    markup = _LEGEND.render(
        element_id=element_id,
        types=[{"name": name, "count": count, "type_class": type_class(name)} for name, count in type_counts],
        statuses=[status_key(s) for s in statuses],
        show_circle=show_circle,
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


def data_attribution() -> Attribution:
    """Credits for the data behind the places and borders (the basemap credits itself).

    Example:
        >>> "GeoNames" in data_attribution().credits[0]
        True
    """
    return Attribution(DATA_CREDITS)
