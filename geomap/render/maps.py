"""The events table -> one self-contained, deterministic HTML map, or a fragment to embed."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import re
from pathlib import Path

import folium
import pandas as pd
from branca.element import Element, Figure
from markupsafe import escape

from geomap.errors import RenderError
from geomap.render.data import EventTable, event_table
from geomap.render.elements import MapAssets, js_value
from geomap.render.layers import (
    MAX_ZOOM,
    basemap_layer,
    data_attribution,
    event_layer,
    filter_panel,
    legend,
    online_basemap_layer,
    outline_layer,
    place_layer,
    table_panel,
    time_strip,
    title_control,
    water_layer,
)

__all__ = ["render_map", "render_fragment", "save_map", "write_map", "write_fragment"]

FIT_MAX_ZOOM = 6  # a lone event: its region around it (the basemap holds detail to zoom 5)
FIT_PADDING = (40, 40)
ONLINE_MAP_MAX_ZOOM = 18  # with OpenStreetMap's own tiles: street level
DEFAULT_NAME = "geomap"
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
# The HTML elements a map is made of (Leaflet's panes, tiles and controls, geomap's panel,
# legend, table and popups): reset to the browser's defaults inside a fragment.
_RESET_ELEMENTS = (
    "div, span, a, p, h1, h2, h3, h4, ul, ol, li, dl, dt, dd, blockquote, mark, b, strong, em, i, small, "
    "img, section, form, label, input, button, select, textarea, details, summary, fieldset, legend, "
    "table, thead, tbody, tr, th, td"
)
_CSS_LENGTH = re.compile(r"\d{1,5}(\.\d{1,3})?(px|em|rem|vh|%)")


def render_map(
    events: pd.DataFrame,
    *,
    title: str | None = None,
    online_tiles: bool = False,
    cdn: bool = False,
) -> folium.Map:
    """Draw the events table as a folium map that works offline.

    Every event with a place is drawn (rows without lat/lon are counted in the legend):
    a pin where the place is exact, a ring of its radius where the event was near it, a
    shaded area for a region; hollow pins for what is not established fact; clusters
    with counts where events crowd. A panel filters by type, date range and place or
    actor, lists the events shown in a table and downloads them as CSV; popups show the
    evidence sentence. The page's script draws all of it from one compact table of the
    events, so 100,000 events stay interactive. Leaflet, the basemap and the country
    borders are inlined; element ids are fixed, so the same table always gives the same
    HTML.

    Parameters:
        events: the events table (columns of ``geomap.models.EVENT_COLUMNS``;
            ``event_type``, ``lat`` and ``lon`` are required, others may be missing).
        title: shown on the map and as the page title.
        online_tiles: use OpenStreetMap's tile server instead of the embedded basemap
            (a smaller file; the reader needs the internet).
        cdn: load Leaflet from a CDN (unpkg, with integrity hashes) instead of inlining it.

    Raises:
        RenderError: ``events`` is not a DataFrame, lacks a required column, or has a
            coordinate that is not a number within -90..90 / -180..180.

    Example:
        >>> import pandas as pd
        >>> events = pd.DataFrame({"event_type": ["Battles"], "lat": [51.41], "lon": [34.90],
        ...                        "place_name": ["Korenevo"], "status": ["reported"]})
        >>> m = render_map(events, title="Kursk")
        >>> "Battles <span class=\\"geomap-count\\">(1)</span>" in m.get_root().render()
        True
    """
    m = _build_map(event_table(events), DEFAULT_NAME, title=title, online_tiles=online_tiles, cdn=cdn)
    _assign_stable_ids(m.get_root(), "0")
    return m


def render_fragment(
    events: pd.DataFrame,
    *,
    name: str | None = None,
    title: str | None = None,
    height: str = "600px",
    online_tiles: bool = False,
    cdn: bool = False,
) -> str:
    """The map as an HTML fragment to put inside a larger page (a report, a dashboard).

    The fragment is one ``<div>`` holding its own styles and scripts: no ``<html>`` or
    ``<head>``. Every id in it starts with ``name``, and its script keeps its variables
    to itself, so a page can hold several maps; Leaflet and geomap's script run once per
    page however many maps carry them. Two maps on one page need two names: by default
    the name is ``geomap-`` and a hash of the content, so two different tables never
    clash.

    Parameters:
        events: the events table, as for :func:`render_map`.
        name: the prefix of the fragment's ids: a letter, then letters, digits, ``-`` or ``_``.
        title: shown on the map.
        height: the map's height as a CSS length (``600px``, ``70vh``, ``40em``); it is as
            wide as its container.
        online_tiles, cdn: as for :func:`render_map`.

    Raises:
        RenderError: as :func:`render_map`, or ``name`` or ``height`` is not valid.

    Example:
        >>> import pandas as pd
        >>> events = pd.DataFrame({"event_type": ["Riots"], "lat": [50.45], "lon": [30.52]})
        >>> html = render_fragment(events, name="kyiv")
        >>> html.startswith('<div class="geomap-embed" id="kyiv">'), "<html" in html
        (True, False)
    """
    if not _CSS_LENGTH.fullmatch(height):
        raise RenderError(f"height must be a CSS length such as 600px, 70vh or 40em, got {height!r}")
    table = event_table(events)
    if name is None:
        name = f"{DEFAULT_NAME}-{_content_hash(table, title, online_tiles, cdn)}"
    elif not _NAME.fullmatch(name):
        raise RenderError(
            f"name must start with a letter and hold only letters, digits, '-' and '_' (at most 64), got {name!r}"
        )
    m = _build_map(table, name, title=title, online_tiles=online_tiles, cdn=cdn)
    # folium names each element's variable and the map's div after its id: derive the ids
    # from the name, so two fragments' divs differ (their variables stay in their own function).
    _assign_stable_ids(m.get_root(), "f" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10])
    root = copy.deepcopy(m.get_root())
    assert isinstance(root, Figure)
    for child in root._children.values():
        child.render()
    # The page's <meta> and the map's own head block (it sizes <html> and <body>) are for
    # a full page, not for a fragment.
    head = "\n".join(
        element.render() for key, element in root.header._children.items() if key not in ("meta_http", m.get_name())
    )
    # The host page's CSS stops at the fragment: its root starts from CSS's initial values
    # (nothing inherited: font, colour, alignment), and the HTML elements inside from the
    # browser's defaults, so a report's `input {width: 100%}`, `div {padding: 20px}` or
    # `* {box-sizing: content-box}` (specificity 0,0,1 or less) stretch no checkbox and pad
    # no pane, while Leaflet's and geomap's own rules (classes: 0,1,0 and up) still apply.
    # SVG is left alone: `all` would revert its presentation attributes (the pins' shapes).
    style = (
        f"<style>#{name} {{ all: initial; display: block; }}\n"
        f"#{name} {{ position: relative; width: 100%; height: {height}; }}\n"
        f"html :where(#{name}) :is({_RESET_ELEMENTS}) {{ all: revert; }}\n"
        f"#{name} > .folium-map {{ position: absolute; top: 0; right: 0; bottom: 0; left: 0; }}</style>"
    )
    return (
        f'<div class="geomap-embed" id="{name}">\n{style}\n{head}\n{root.html.render()}\n'
        f"<script>\n(function () {{\n{root.script.render()}\n}})();\n</script>\n</div>\n"
    )


def save_map(m: folium.Map, path: Path | str) -> Path:
    """Write a map as one HTML file (created with its folders, replaced atomically).

    Raises:
        RenderError: the file cannot be written; the message names the path and why.

    Example:
        >>> save_map(render_map(events), Path("output/map.html"))  # doctest: +SKIP
        PosixPath('output/map.html')
    """
    _assign_stable_ids(m.get_root(), "0")
    # folium's render adds to the tree (each layer's addTo, under a fresh random id):
    # render a copy, so the map itself stays as built and every save is the same.
    return _write_text(Path(path), copy.deepcopy(m.get_root()).render())


def write_map(
    events: pd.DataFrame,
    path: Path | str,
    *,
    title: str | None = None,
    online_tiles: bool = False,
    cdn: bool = False,
) -> Path:
    """Render the events table and write it as one HTML file: what the CLI calls.

    Example:
        >>> write_map(events, "output/map.html", title="Kursk, August 2024")  # doctest: +SKIP
        PosixPath('output/map.html')
    """
    return save_map(render_map(events, title=title, online_tiles=online_tiles, cdn=cdn), path)


def write_fragment(
    events: pd.DataFrame,
    path: Path | str,
    *,
    name: str | None = None,
    title: str | None = None,
    height: str = "600px",
    online_tiles: bool = False,
    cdn: bool = False,
) -> Path:
    """Write :func:`render_fragment`'s HTML to a file (created with its folders, replaced atomically).

    Example:
        >>> write_fragment(events, "report/map-fragment.html", name="kursk")  # doctest: +SKIP
        PosixPath('report/map-fragment.html')
    """
    fragment = render_fragment(
        events, name=name, title=title, height=height, online_tiles=online_tiles, cdn=cdn
    )
    return _write_text(Path(path), fragment)


def _build_map(table: EventTable, name: str, *, title: str | None, online_tiles: bool, cdn: bool) -> folium.Map:
    """The folium map of one events table; its page elements' ids start with ``name``."""
    ids = {part: f"{name}-{part}" for part in ("data", "popup", "panel", "table", "legend", "title", "time")}
    m = folium.Map(location=[30.0, 20.0], zoom_start=2, tiles=None, control_scale=True)
    m.options.update(min_zoom=1, max_zoom=ONLINE_MAP_MAX_ZOOM if online_tiles else MAX_ZOOM)
    m.default_js, m.default_css = [], []  # MapAssets brings Leaflet, inlined or from a CDN with integrity hashes
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.title = escape(title or "geomap")

    MapAssets(cdn=cdn).add_to(m)
    if online_tiles:
        online_basemap_layer().add_to(m)
        native_zoom = ONLINE_MAP_MAX_ZOOM
    else:
        basemap = basemap_layer(table.bounds)
        basemap.add_to(m)
        native_zoom = basemap.max_native_zoom
    # OpenStreetMap's tiles draw the rivers and coasts to street level; GSHHG's 1 km lines would stray from them
    water = None if online_tiles else water_layer(table)
    if water is not None:
        water.add_to(m)
    outline_layer(table.bounds).add_to(m)
    place_layer(table, native_zoom).add_to(m)
    if title:
        title_control(title, ids["title"]).add_to(m)
    filter_panel(table, ids["panel"]).add_to(m)
    legend(table.statuses, table.draw_kinds, n_unlocated=table.n_unlocated, element_id=ids["legend"]).add_to(m)
    table_panel(table, ids["table"]).add_to(m)
    strip = time_strip(table, ids["time"])
    if strip is not None:
        strip.add_to(m)
    else:
        del ids["time"]
    around = table.bounds
    fit = None
    if around is not None:
        fit = {
            "bounds": [[around.south, around.west], [around.north, around.east]],
            "padding": list(FIT_PADDING),
            "maxZoom": FIT_MAX_ZOOM,
        }
    event_layer(table, ids=ids, fit=fit, csv_name=f"{name}-events.csv").add_to(m)
    data_attribution(water=water is not None).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)  # last: it lists the layers added before it
    return m


def _content_hash(table: EventTable, title: str | None, online_tiles: bool, cdn: bool) -> str:
    content = json.dumps([title, online_tiles, cdn], ensure_ascii=False) + str(js_value(table.data))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:10]


def _write_text(path: Path, text: str) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise RenderError(f"cannot write the map to {path}: {err.strerror or err}") from err
    return path


def _assign_stable_ids(root: Element, root_id: str) -> None:
    """Replace folium's random element ids by ids from each element's place in the tree.

    Idempotent: an element keeps its id on every call, so a map saved twice, or a
    table rendered twice, gives byte-identical HTML.
    """

    def visit(element: Element, path: str) -> None:
        element._id = path
        children = type(element._children)()
        for index, (key, child) in enumerate(element._children.items()):
            old_name = child.get_name()
            visit(child, f"{path}_{index}")
            children[child.get_name() if key == old_name else key] = child
        element._children = children

    visit(root, root_id)
