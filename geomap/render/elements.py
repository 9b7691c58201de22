"""The custom folium elements of an offline events map, in folium's plugin pattern.

Each is a ``MacroElement`` with a ``_template`` whose ``header`` / ``html`` / ``script``
macros folium renders into the page. None links to anything outside the page:
``MapAssets`` inlines Leaflet and our glue (or links Leaflet from a CDN when asked),
``EmbeddedTileLayer`` carries its tiles, ``EventExplorer`` its events.
Values reach the scripts only through ``js_value`` (JSON made safe inside ``<script>``),
and every element here is a :class:`VerbatimMacroElement`, whose output folium does
not compile as a template again.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from jinja2 import Template
from markupsafe import Markup

from geomap.render.resources import LEAFLET_CDN, glue_js, leaflet_css, read_asset, subresource_integrity
from geomap.render.style import type_css

__all__ = [
    "js_value",
    "VerbatimMacroElement",
    "MapAssets",
    "EmbeddedTileLayer",
    "CountryOutlines",
    "WaterLines",
    "PlaceLabels",
    "EventExplorer",
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


class _Verbatim(Element):
    """Text that goes into the page exactly as given."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Verbatim"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class VerbatimMacroElement(MacroElement):
    """A ``MacroElement`` whose rendered ``header`` / ``html`` / ``script`` reach the page verbatim.

    branca's ``MacroElement.render`` wraps each macro's output in ``Element(output)``,
    which compiles that output as a Jinja template and renders it once more: article text
    holding ``{{ ... }}`` or ``{% ... %}`` would run as Jinja code in Python, and a table
    of 100,000 events would take seconds to tokenize. Here the output is added as it is.
    Put this class after folium's (``class X(Layer, VerbatimMacroElement)``) so that
    ``Layer.render`` still adds the layer to its parent.

    Example::

        class Note(VerbatimMacroElement):
            _template = Template("{% macro html(this, kwargs) %}{{ this.text }}{% endmacro %}")
    """

    def render(self, **kwargs):  # type: ignore[no-untyped-def]  # as branca's MacroElement.render
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        for part in ("header", "html", "script"):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Verbatim(str(macro(self, kwargs))), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class MapAssets(VerbatimMacroElement):
    """Leaflet 1.9.4, its stylesheet and geomap's glue, in the page head.

    Offline (the default) inlines everything, Leaflet's images as data URIs. ``cdn=True``
    links Leaflet from unpkg instead, with Subresource Integrity hashes computed from the
    vendored copy (the same bytes as the CDN's), so a changed CDN file is refused; the
    glue stays inline. Inline Leaflet runs only where the page has no Leaflet yet, and
    the glue defines itself once, so a page may hold several maps. Add it to the map
    before anything that runs Leaflet code, in place of folium's CDN links.

    Example::

        m = folium.Map(tiles=None)
        m.default_js, m.default_css = [], []
        MapAssets().add_to(m)
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        {%- if this.cdn %}
        <link rel="stylesheet" href="{{ this.leaflet_css_url }}" integrity="{{ this.leaflet_css_sri }}" crossorigin="anonymous">
        <script src="{{ this.leaflet_js_url }}" integrity="{{ this.leaflet_js_sri }}" crossorigin="anonymous"></script>
        {%- else %}
        <style>{{ this.leaflet_css }}</style>
        <script>if (!window.L) {
        {{ this.leaflet_js }}
        }</script>
        {%- endif %}
        <style>{{ this.geomap_css }}</style>
        <script>{{ this.geomap_js }}</script>
        {% endmacro %}
        """
    )

    def __init__(self, *, cdn: bool = False) -> None:
        super().__init__()
        self._name = "MapAssets"
        self.cdn = cdn
        if cdn:
            self.leaflet_js_url, self.leaflet_css_url = LEAFLET_CDN["leaflet.js"], LEAFLET_CDN["leaflet.css"]
            self.leaflet_js_sri, self.leaflet_css_sri = subresource_integrity("leaflet.js"), subresource_integrity("leaflet.css")
        else:
            self.leaflet_css = leaflet_css()
            # The source-map comment would make a browser's developer tools fetch a file.
            self.leaflet_js = read_asset("leaflet.js").replace("//# sourceMappingURL=leaflet.js.map", "")
        self.geomap_css = read_asset("geomap.css") + "\n" + type_css()
        self.geomap_js = glue_js()
        for name, body in (("leaflet.js", getattr(self, "leaflet_js", "")), ("glue", self.geomap_js)):
            assert "</script" not in body.lower(), f"{name} would end its own <script>"


class EmbeddedTileLayer(Layer, VerbatimMacroElement):
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
        self.max_native_zoom = max_native_zoom
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


class CountryOutlines(Layer, VerbatimMacroElement):
    """Country borders (a GeoJSON of lines) as a thin, unclickable overlay under the events.

    Example::

        CountryOutlines(outline_geojson(None), name="Country borders").add_to(m)
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = geomap.countryOutlines(
            {{ this.data_js }},
            {{ this.style_js }}
        );
        {% endmacro %}
        """
    )

    def __init__(self, data: Mapping[str, Any], *, name: str, style: Mapping[str, Any]) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "CountryOutlines"
        self.data_js = js_value(data)
        self.style_js = js_value(dict(style))


class WaterLines(Layer, VerbatimMacroElement):
    """Rivers, coasts and lake shores (a GeoJSON of lines, a feature per ``properties.kind``)
    as an unclickable overlay in its own pane, under the borders and the events; ``styles``
    gives each kind its Leaflet path style.

    Example::

        WaterLines(water_geojson([51.41], [34.9]), name="Rivers and coasts", styles=WATER_STYLES).add_to(m)
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = geomap.waterLines(
            {{ this._parent.get_name() }},
            {{ this.data_js }},
            {{ this.styles_js }}
        );
        {% endmacro %}
        """
    )

    def __init__(self, data: Mapping[str, Any], *, name: str, styles: Mapping[str, Mapping[str, Any]]) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "WaterLines"
        self.data_js = js_value(data)
        self.styles_js = js_value({kind: dict(style) for kind, style in styles.items()})


class PlaceLabels(Layer, VerbatimMacroElement):
    """Settlement names around the events (``places.place_labels``) as a toggleable text overlay,
    with a note on the map once it is zoomed past ``native_zoom``, the basemap's detail.

    Example::

        PlaceLabels(place_labels([51.41], [34.9]), name="Place names", native_zoom=5).add_to(m)
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = geomap.placeLabels(
            {{ this._parent.get_name() }},
            {{ this.data_js }},
            {{ this.options_js }}
        );
        {% endmacro %}
        """
    )

    def __init__(self, data: Mapping[str, Any], *, name: str, native_zoom: int) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "PlaceLabels"
        self.data_js = js_value(dict(data))
        self.options_js = js_value({"nativeZoom": native_zoom})


class EventExplorer(VerbatimMacroElement):
    """The events of a map: one table in the page, drawn, clustered, filtered and listed
    by the page's script (``assets/events.js``).

    The table travels in a ``<script type="application/json">`` block next to the popup's
    ``<template>``: as JSON (made safe by :func:`js_value`) up to ``COMPRESS_ABOVE`` bytes,
    beyond that deflated and base64-encoded (``data-encoding="deflate-base64"``), which
    makes a map of 100,000 events about a third of the size; the page inflates it with
    the browser's ``DecompressionStream`` (Chrome 80, Firefox 113, Safari 16.4 and later).
    ``options`` names the panel, table and template elements and carries the types'
    classes, colours and labels, the pin drawings and the words of the popup.

    Example::

        EventExplorer(event_table(events).data, options, data_id="geomap-data",
                      popup=popup_template("geomap-popup")).add_to(m)
    """

    COMPRESS_ABOVE = 2_000_000  # bytes of JSON: about 6,000 events
    COMPRESS_LEVEL = 4  # about 1 s for 100,000 events; 6 saves 8 % more in three times as long

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <script type="application/json" id="{{ this.data_id }}"
            {%- if this.encoding %} data-encoding="{{ this.encoding }}"{% endif %}>{{ this.data_js }}</script>
        {{ this.popup }}
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = geomap.eventExplorer(
            {{ this._parent.get_name() }},
            document.getElementById({{ this.data_id_js }}),
            {{ this.options_js }}
        );
        {% endmacro %}
        """
    )

    def __init__(self, data: Mapping[str, Any], options: Mapping[str, Any], *, data_id: str, popup: str) -> None:
        super().__init__()
        self._name = "EventExplorer"
        self.data_id = data_id
        self.data_id_js = js_value(data_id)
        self.data_js, self.encoding = js_value(dict(data)), ""
        if len(self.data_js) > self.COMPRESS_ABOVE:
            deflated = zlib.compress(str(self.data_js).encode("utf-8"), self.COMPRESS_LEVEL)
            self.data_js, self.encoding = Markup(base64.b64encode(deflated).decode("ascii")), "deflate-base64"
        self.options_js = js_value(dict(options))
        self.popup = Markup(popup)


class MapControl(VerbatimMacroElement):
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


class Attribution(VerbatimMacroElement):
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
