"""The custom folium elements of an offline events map, in folium's plugin pattern.

Each is a ``MacroElement`` with a ``_template`` whose ``header`` / ``html`` / ``script``
macros folium renders into the page. None links to anything outside the page:
``OfflineAssets`` inlines Leaflet and our glue, ``EmbeddedTileLayer`` carries its tiles.
Values reach the scripts only through ``js_value`` (JSON made safe inside ``<script>``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from branca.element import MacroElement
from folium.map import Layer
from jinja2 import Template
from markupsafe import Markup

from geomap.render.resources import leaflet_css, read_asset
from geomap.render.style import type_css

__all__ = [
    "js_value",
    "OfflineAssets",
    "EmbeddedTileLayer",
    "EventMarkers",
    "MapControl",
    "Attribution",
]

_SCRIPT_UNSAFE = {
    "<": "\\u003c",  # no "</script>" or "<!--" can end or bend the script
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "\u2028": "\\u2028",  # line separators end a string literal in older engines
    "\u2029": "\\u2029",
}


def js_value(value: Any) -> Markup:
    """A JSON value safe to paste into an inline ``<script>``: no text can end or bend it.

    Backslashes, quotes and ``${`` stay inside a JSON string literal (never a template
    literal); ``<``, ``>``, ``&`` and ``'`` become ``\\u`` escapes.

    Example:
        >>> print(js_value({"t": "</script>${x}\\\\"}))
        {"t":"\\u003c/script\\u003e${x}\\\\"}
    """
    out = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in _SCRIPT_UNSAFE.items():
        out = out.replace(char, escape)
    return Markup(out)


class OfflineAssets(MacroElement):
    """Leaflet 1.9.4, its stylesheet (images inlined) and geomap's glue, inlined in the page head.

    Takes the place of folium's CDN links; add it to the map before anything that
    runs Leaflet code.

    Example::

        m = folium.Map(tiles=None)
        m.default_js, m.default_css = [], []
        OfflineAssets().add_to(m)
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.leaflet_css }}</style>
        <script>{{ this.leaflet_js }}</script>
        <style>{{ this.geomap_css }}</style>
        <script>{{ this.geomap_js }}</script>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "OfflineAssets"
        self.leaflet_css = leaflet_css()
        # The source-map comment would make a browser's developer tools fetch a file.
        self.leaflet_js = read_asset("leaflet.js").replace("//# sourceMappingURL=leaflet.js.map", "")
        self.geomap_css = read_asset("geomap.css") + "\n" + type_css()
        self.geomap_js = read_asset("geomap.js")
        for name, body in (("leaflet.js", self.leaflet_js), ("geomap.js", self.geomap_js)):
            assert "</script" not in body.lower(), f"{name} would end its own <script>"


class EmbeddedTileLayer(Layer):
    """A Leaflet tile layer whose PNG tiles travel inside the page as data URIs.

    ``tiles`` maps ``"z/x/y"`` (XYZ scheme) to base64 PNG. Zoom levels past
    ``max_native_zoom``, and tiles missing below it, show their nearest embedded
    ancestor scaled up; nothing is ever fetched.

    Example::

        EmbeddedTileLayer(embedded_tiles(None), attribution="(c) OpenStreetMap").add_to(m)
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = geomap.embeddedTileLayer(
            {{ this.tiles_js }},
            {{ this.options_js }}
        );
        {% endmacro %}
        """
    )

    def __init__(
        self,
        tiles: Mapping[str, str],
        *,
        attribution: str,
        max_native_zoom: int,
        max_zoom: int,
        name: str = "Basemap",
    ) -> None:
        super().__init__(name=name, overlay=False, control=False)
        self._name = "EmbeddedTileLayer"
        self.tiles_js = js_value(dict(tiles))
        self.options_js = js_value(
            {
                "attribution": attribution,
                "minZoom": 0,
                "maxZoom": max_zoom,
                "maxNativeZoom": max_native_zoom,
                "noWrap": False,
            }
        )


class EventMarkers(MacroElement):
    """The pins (and uncertainty circles) of a list of events, added to the parent layer.

    ``events`` are dicts with ``lat``, ``lon``, ``status``, ``radius_m``, ``label``
    and ``popup`` (finished, escaped HTML); ``style`` has the type's ``cls`` and ``color``.
    Add it to a ``folium.FeatureGroup``; the events travel as one JSON array, so
    the page stays small and a cluster layer can later take the group's place.

    Example::

        group = folium.FeatureGroup(name="Battles")
        EventMarkers(events, {"cls": "geomap-t0", "color": "#d62728"}).add_to(group)
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geomap.addEvents({{ this._parent.get_name() }}, {{ this.events_js }}, {{ this.style_js }});
        {% endmacro %}
        """
    )

    def __init__(self, events: Sequence[Mapping[str, Any]], style: Mapping[str, str]) -> None:
        super().__init__()
        self._name = "EventMarkers"
        self.events_js = js_value([dict(e) for e in events])
        self.style_js = js_value(dict(style))


class MapControl(MacroElement):
    """A block of HTML shown as a Leaflet control (a legend, a title).

    ``html`` must be markup built by an autoescaping template; its outer element
    carries ``id=element_id`` and the ``hidden`` attribute until the map shows it.

    Example::

        MapControl('<div id="title" class="geomap-title" hidden>Kursk</div>', "title", "topright").add_to(m)
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        {{ this.html }}
        {% endmacro %}
        {% macro script(this, kwargs) %}
        geomap.addControl({{ this._parent.get_name() }}, {{ this.element_id_js }}, {{ this.position_js }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, element_id: str, position: str = "bottomleft") -> None:
        super().__init__()
        self._name = "MapControl"
        self.html = Markup(html)
        self.element_id_js = js_value(element_id)
        self.position_js = js_value(position)


class Attribution(MacroElement):
    """Credit data sources in the map's attribution control (HTML from our own text only).

    Example::

        Attribution(['Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0)']).add_to(m)
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {%- for credit in this.credits %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ credit }});
        {%- endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, credits: Sequence[str]) -> None:
        super().__init__()
        self._name = "Attribution"
        self.credits = [js_value(c) for c in credits]
