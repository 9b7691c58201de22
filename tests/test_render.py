"""The events table -> one offline HTML map: what the written file holds.

What the page does in a browser is in test_browser.py and test_map_features.py; here we
read the file.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.errors import GeomapError, RenderError
from geomap.models import EVENT_COLUMNS, EVENT_SCHEMA
from geomap.render import render_fragment, render_map, save_map, write_map
from geomap.render.elements import EventExplorer, MapAssets, js_value
from geomap.render.resources import LEAFLET_CDN, ONLINE_TILES_URL

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden" / "map.html"

HOSTILE = {
    "evidence": (
        'Shelling hit Korenevo <img src=x onerror=alert(1)> </script><script>window.__pwned=1</script> '
        '${window.__pwned=2} `tick` back\\slash "double" \'single\' {{ 7*7 }} {% for i in range(3) %}Z{% endfor %}'
    ),
    "source_title": "</script><script>window.__pwned=1</script> <b>bold</b> ${window.__pwned=2} {{ 6*7 }}",
    "source_url": "javascript:window.__pwned=3",
    "actor1": "<img src=x onerror=alert(1)>",
    "place_text": "Korenevo",
    "place_name": "</script><script>window.__pwned=8</script>",  # also the pin's title, outside the popup
}


def read_events(*extra: dict) -> pd.DataFrame:
    """The five test events (tests/data/render_events.json) plus any extra rows, typed as EVENT_SCHEMA."""
    rows = json.loads((DATA / "render_events.json").read_text(encoding="utf-8"))
    rows.extend(extra)
    frame = pd.DataFrame.from_records(rows, columns=list(EVENT_COLUMNS))
    return frame.astype({c.name: c.dtype for c in EVENT_SCHEMA})


def korenevo(**changes: object) -> dict:
    """The Korenevo event with some fields changed."""
    rows = json.loads((DATA / "render_events.json").read_text(encoding="utf-8"))
    return {**rows[0], **changes}


def many_events(n: int) -> pd.DataFrame:
    """``n`` events: the Korenevo event with its own id, place, date and evidence each."""
    base = korenevo()
    rows = [
        {
            **base,
            "event_id": f"ev-{i:06d}",
            "lat": 44.0 + (i % 97) * 0.1,
            "lon": 24.0 + (i // 97 % 103) * 0.2,
            "event_date": f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
            "evidence": f"Report {i}: shelling hit Korenevo, {i * 7919 % 10007} houses damaged.",
        }
        for i in range(n)
    ]
    frame = pd.DataFrame.from_records(rows, columns=list(EVENT_COLUMNS))
    return frame.astype({c.name: c.dtype for c in EVENT_SCHEMA})


def html_of(events: pd.DataFrame, **kwargs: object) -> str:
    return render_map(events, **kwargs).get_root().render()


_DATA_BLOCK = re.compile(
    r'<script type="application/json" id="(?P<id>[\w-]+)"(?: data-encoding="(?P<encoding>[\w-]+)")?>(?P<body>.*?)</script>',
    re.S,
)


def page_data(html: str, data_id: str = "geomap-data") -> dict:
    """The events table a page carries, as its script gets it (inflated if it travels deflated)."""
    for match in _DATA_BLOCK.finditer(html):
        if match["id"] == data_id:
            body = match["body"]
            if match["encoding"] == "deflate-base64":
                body = zlib.decompress(base64.b64decode(body)).decode("utf-8")
            return json.loads(body)
    raise AssertionError(f"no data block {data_id!r}")


def page_events(html: str, data_id: str = "geomap-data") -> list[dict]:
    """The page's events, one dict of column -> value each (text columns looked up in their tables)."""
    data = page_data(html, data_id)
    events = []
    for row in data["rows"]:
        event = {}
        for name, table, cell in zip(data["columns"], data["tables"], row):
            event[name] = table[cell] if table is not None else cell
        event["_status_key"] = data["status_keys"][row[data["columns"].index("status")]]
        event["_linkable"] = data["linkable"][row[data["columns"].index("source_url")]]
        events.append(event)
    return events


def explorer_options(html: str) -> dict:
    match = re.search(r"geomap\.eventExplorer\(\s*\w+,\s*document\.getElementById\([^)]*\),\s*(\{.*?\})\s*\);", html, re.S)
    assert match is not None
    return json.loads(match.group(1))


class _Reader(HTMLParser):
    """What a reader of an HTML fragment sees: its text, and which tags it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def read_fragment(fragment: str) -> _Reader:
    reader = _Reader()
    reader.feed(fragment)
    reader.close()
    return reader


# --- offline and self-contained ---------------------------------------------------------


def test_page_links_nothing_outside_itself() -> None:
    html = html_of(read_events())
    assert not re.search(r"<script[^>]*\bsrc=", html, re.I)
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"<img[^>]*\bsrc=[\"']?https?:", html, re.I)
    assert not re.search(r"url\(\s*[\"']?(https?:|//)", html, re.I)
    assert "@import" not in html
    for host in ("jsdelivr", "cloudflare", "bootstrapcdn", "code.jquery", "unpkg", "tile.openstreetmap"):
        assert host not in html, host
    # Leaflet and our glue are inlined, and the whole-world basemap travels as data
    assert "L.TileLayer" in html and "geomap.embeddedTileLayer(" in html
    assert '"0/0/0":"iVBORw0KGgo' in html  # a PNG, base64


def test_map_credits_its_data_sources() -> None:
    html = html_of(read_events())
    for credit in ("OpenStreetMap", "ODbL", "GeoNames", "CC BY 4.0", "Natural Earth", "GSHHG", "LGPL-3.0"):
        assert credit in html, credit


def test_five_event_map_stays_small(tmp_path: Path) -> None:
    path = write_map(read_events(), tmp_path / "map.html")
    size = path.stat().st_size
    assert 1_500_000 < size < 4_500_000, f"{size:,} bytes"


def test_country_borders_are_detailed_near_the_events_only() -> None:
    html = html_of(read_events())
    match = re.search(r"geomap\.countryOutlines\(\s*(\{.*?\}),\n", html, re.S)
    assert match is not None
    features = {f["properties"]["detail"]: f["geometry"]["coordinates"] for f in json.loads(match.group(1))["features"]}
    assert set(features) == {"world", "events"}
    points = [point for lines in features.values() for line in lines for point in line]
    assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in points)  # GeoJSON: (lon, lat)
    near = [point for line in features["events"] for point in line]
    # the events span Istanbul (41 N, 29 E) to Moscow (55.7 N) and Luhansk's circle (41 E): the box is 4 degrees wider
    assert min(lat for _, lat in near) >= 41.0 - 4.01 and max(lat for _, lat in near) <= 55.75 + 4.01
    assert min(lon for lon, _ in near) >= 28.95 - 4.01 and max(lon for lon, _ in near) <= 41.5 + 4.01
    assert len(match.group(1)) < 400_000


def test_rivers_and_coasts_are_drawn_near_the_events_only() -> None:
    events = read_events()
    html = html_of(events)
    match = re.search(r"geomap\.waterLines\(\s*\w+,\s*(\{.*?\}),\n", html, re.S)
    assert match is not None
    lines = {f["properties"]["kind"]: f["geometry"]["coordinates"] for f in json.loads(match.group(1))["features"]}
    # the Seym and the Don by Korenevo and Luhansk, the Bosporus' and the Black Sea's shores at Istanbul
    assert {"river", "coast"} <= set(lines)
    placed = events.dropna(subset=["lat"])
    # within the 0.25-degree cells 6 cells around an event's own: at most 1.75 degrees away each way
    for kind, parts in lines.items():
        for lon, lat in (point for line in parts for point in line):
            assert any(abs(lat - a) <= 1.75 and abs(lon - o) <= 1.75 for a, o in zip(placed["lat"], placed["lon"])), (
                kind, lat, lon)
    assert len(match.group(1)) < 100_000


# --- deterministic -------------------------------------------------------------------


def test_same_table_gives_identical_html(tmp_path: Path) -> None:
    first = write_map(read_events(), tmp_path / "a.html", title="Kursk").read_bytes()
    second = write_map(read_events(), tmp_path / "b.html", title="Kursk").read_bytes()
    assert first == second


def test_row_order_does_not_change_the_map() -> None:
    events = read_events()
    shuffled = events.iloc[[3, 0, 4, 2, 1]].reset_index(drop=True)
    assert html_of(events) == html_of(shuffled)


def test_saving_twice_gives_identical_html(tmp_path: Path) -> None:
    m = render_map(read_events())
    assert save_map(m, tmp_path / "a.html").read_bytes() == save_map(m, tmp_path / "b.html").read_bytes()


def test_another_process_writes_the_same_bytes(tmp_path: Path) -> None:
    here = write_map(read_events(), tmp_path / "here.html").read_bytes()
    script = (
        "import sys, json, pandas as pd\n"
        "from geomap.models import EVENT_COLUMNS, EVENT_SCHEMA\n"
        "from geomap.render import write_map\n"
        "rows = json.load(open(sys.argv[1], encoding='utf-8'))\n"
        "frame = pd.DataFrame.from_records(rows, columns=list(EVENT_COLUMNS))\n"
        "frame = frame.astype({c.name: c.dtype for c in EVENT_SCHEMA})\n"
        "write_map(frame, sys.argv[2])\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-c", script, str(DATA / "render_events.json"), str(tmp_path / "there.html")],
        check=True,
        env=env,
        timeout=120,
    )
    assert (tmp_path / "there.html").read_bytes() == here


def normalized(html: str) -> str:
    """The page with the vendored files, tiles and borders replaced by short placeholders,
    and the events table as the events it holds, one value a line."""
    assets = MapAssets()
    for name, body in (
        ("leaflet.css", assets.leaflet_css),
        ("leaflet.js", assets.leaflet_js),
        ("geomap.js + events.js", assets.geomap_js),
    ):
        assert body in html, name
        html = html.replace(body, f"/* {name} */")
    tiles = re.search(r"geomap\.embeddedTileLayer\(\s*(\{.*?\}),\n", html, re.S)
    assert tiles is not None
    html = html.replace(tiles.group(1), "/* tiles: " + " ".join(sorted(json.loads(tiles.group(1)))) + " */")
    outlines = re.search(r"geomap\.countryOutlines\(\s*(\{.*?\}),\n", html, re.S)
    assert outlines is not None
    summary = [
        f'{f["properties"]["detail"]}: {len(f["geometry"]["coordinates"])} lines'
        for f in json.loads(outlines.group(1))["features"]
    ]
    html = html.replace(outlines.group(1), "/* borders: " + ", ".join(summary) + " */")
    water = re.search(r"geomap\.waterLines\(\s*\w+,\s*(\{.*?\}),\n", html, re.S)
    assert water is not None
    summary = [
        f'{f["properties"]["kind"]}: {len(f["geometry"]["coordinates"])} lines'
        for f in json.loads(water.group(1))["features"]
    ]
    html = html.replace(water.group(1), "/* water: " + ", ".join(summary) + " */")
    labels = re.search(r"geomap\.placeLabels\(\s*\w+,\s*(\{.*?\}),\n", html, re.S)
    assert labels is not None
    # the names come from the gazetteer, which grows: the golden file keeps only that they are there
    html = html.replace(labels.group(1), "/* place names: %s */" % ("some" if json.loads(labels.group(1))["rows"] else "none"))
    block = str(js_value(page_data(html)))
    assert block in html
    return html.replace(block, "\n" + json.dumps(page_events(html), ensure_ascii=False, indent=1) + "\n")


def test_golden_map() -> None:
    """A diff here means the map changed; rerun with GEOMAP_UPDATE_GOLDEN=1 when it should have."""
    html = normalized(html_of(read_events(), title="Kursk offensive, August 2024"))
    if os.environ.get("GEOMAP_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(html, encoding="utf-8")
    assert html == GOLDEN.read_text(encoding="utf-8")


# --- what the page carries and draws --------------------------------------------------


def test_every_event_travels_once_with_every_column() -> None:
    html = html_of(read_events())
    events = page_events(html)
    assert [e["event_id"] for e in events] == [  # by date, undated (planned) last; the unplaced one too
        "ev-korenevo", "ev-luhansk", "ev-moscow-city", "ev-unlocated", "ev-istanbul"
    ]
    data = page_data(html)
    assert [c for c in data["columns"] if not c.startswith("_")] == list(EVENT_COLUMNS)
    korenevo_row = events[0]
    for name, value in korenevo().items():
        assert korenevo_row[name] == value, name


def test_type_panel_lists_each_type_with_its_count() -> None:
    html = html_of(read_events())
    panel = read_fragment(re.search(r'<details id="geomap-panel".*?</details>', html, re.S).group(0))
    text = " ".join("".join(panel.text).split())
    # the event without a place counts: it is listed in the table, and the filters apply to it
    assert "Battles (1) Explosions/Remote violence (2) Violence against civilians (1) Strategic developments (1)" in text
    assert "5 of 5 events shown" in text
    boxes = [attrs for tag, attrs in panel.tags if tag == "input" and attrs.get("data-geomap") == "type"]
    assert [b["value"] for b in boxes] == ["0", "1", "2", "3"]
    dates = [attrs for tag, attrs in panel.tags if tag == "input" and attrs.get("type") == "date"]
    assert [(d["min"], d["max"]) for d in dates] == [("2024-08-06", "2024-08-10")] * 2
    types = explorer_options(html)["types"]
    assert [t["label"] for t in types] == ["Battles", "Explosions/Remote violence", "Violence against civilians",
                                           "Strategic developments"]
    assert [t["cls"] for t in types] == ["geomap-t0", "geomap-t1", "geomap-t2", "geomap-t5"]


def test_unlocated_event_travels_without_coordinates_and_the_legend_says_where_it_is() -> None:
    html = html_of(read_events())
    (unplaced,) = [e for e in page_events(html) if e["event_id"] == "ev-unlocated"]
    assert unplaced["lat"] is None and unplaced["lon"] is None
    assert "1 event without a known place is not on the map: the table lists it as “no place”." in html


@pytest.mark.parametrize(
    ("changes", "drawn", "km"),
    [
        ({"geo_precision": 1, "radius_km": 0.0}, "pin", 0),
        ({"geo_precision": 1, "radius_km": 1.0}, "pin", 1),
        ({"geo_precision": 2, "radius_km": None}, "ring", 10),  # the default for "near"
        ({"geo_precision": 2, "radius_km": 25.0}, "ring", 25),
        ({"geo_precision": 1, "radius_km": 30.0}, "pin", 30),  # a wide town is still the place itself
        ({"geo_precision": 1, "radius_km": 500.0}, "area", 500),  # "North Caucasus" as the place: an area
        ({"geo_precision": 3, "radius_km": 120.0}, "area", 120),
        ({"geo_precision": 3, "radius_km": None}, "area", 50),  # the default for a region
    ],
    ids=["town", "landmark", "near-default", "near", "wide-town", "wide-place", "region", "region-default"],
)
def test_precision_decides_pin_ring_or_area(changes: dict, drawn: str, km: float) -> None:
    (event,) = page_events(html_of(pd.DataFrame([korenevo(**changes)])))
    assert ["pin", "ring", "area"][event["_draw"]] == drawn
    assert event["_radius_km"] == km


def legend_text(html: str) -> str:
    block = re.search(r'<details id="geomap-legend".*?</details>', html, re.S)
    assert block is not None
    return " ".join("".join(read_fragment(block.group(0)).text).split())


def test_legend_explains_what_is_drawn() -> None:
    legend = legend_text(html_of(read_events(korenevo(event_id="ev-near", geo_precision=2, radius_km=None))))
    assert "pin: the place itself" in legend
    assert "ring: near the place" in legend
    assert "labelled square: somewhere in the region (hover: its extent)" in legend  # Luhansk
    assert "Status planned reported unconfirmed" in legend
    only_towns = legend_text(html_of(read_events().iloc[[0]]))
    assert "pin: the place itself" in only_towns
    assert "ring:" not in only_towns and "square:" not in only_towns


def test_status_reaches_the_pin_style() -> None:
    events = page_events(html_of(read_events(korenevo(event_id="ev-odd", status="<b>maybe</b>"))))
    assert {e["event_id"]: e["_status_key"] for e in events} == {
        "ev-korenevo": "reported",
        "ev-odd": "unknown",
        "ev-luhansk": "unconfirmed",
        "ev-moscow-city": "reported",
        "ev-istanbul": "planned",
        "ev-unlocated": "reported",
    }


def test_view_fits_the_events_and_their_rings() -> None:
    fit = explorer_options(html_of(read_events()))["fit"]
    (south, west), (north, east) = fit["bounds"]
    assert south == pytest.approx(41.01) and north == pytest.approx(55.749)
    assert west == pytest.approx(28.95)
    assert east == pytest.approx(39.31)  # Luhansk region: its labelled square, not its 120 km extent
    assert fit["maxZoom"] == 6
    near = korenevo(event_id="ev-near", geo_precision=2, radius_km=50.0, lat=50.0, lon=40.0)
    (_, _), (_, east) = explorer_options(html_of(read_events(near)))["fit"]["bounds"]
    assert east == pytest.approx(40.0 + 50 / (111.32 * 0.6428), abs=0.05)  # a ring: all of it in view


def test_single_event_gets_a_regional_zoom_not_the_maximum() -> None:
    assert explorer_options(html_of(read_events().iloc[[0]]))["fit"]["maxZoom"] == 6


def test_table_without_events_gives_a_world_map() -> None:
    html = html_of(read_events().iloc[0:0])
    assert "No events on the map" in html
    assert explorer_options(html)["fit"] is None
    assert page_events(html) == []


def test_large_tables_travel_deflated_and_decode_to_the_same_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EventExplorer, "COMPRESS_ABOVE", 100_000)  # bytes of JSON; 2,000 events hold about 300,000
    small, large = many_events(50), many_events(2000)
    assert 'data-encoding="deflate-base64"' not in html_of(small)
    html = html_of(large)
    assert html.count('data-encoding="deflate-base64"') == 1
    events = page_events(html)
    assert len(events) == 2000
    assert {e["event_id"] for e in events} == set(large["event_id"])
    by_id = {e["event_id"]: e for e in events}
    assert by_id["ev-001234"]["evidence"] == "Report 1234: shelling hit Korenevo, 5214 houses damaged."
    (block,) = [m["body"] for m in _DATA_BLOCK.finditer(html)]
    assert len(block) < len(str(js_value(page_data(html)))) * 0.8  # smaller than the JSON it holds


# --- escaping ------------------------------------------------------------------------


def test_hostile_article_text_is_carried_as_data_and_never_as_markup() -> None:
    html = html_of(read_events(korenevo(event_id="ev-hostile", **HOSTILE)))
    hostile = {e["event_id"]: e for e in page_events(html)}["ev-hostile"]
    for field in ("evidence", "source_title", "source_url", "actor1", "place_name"):
        assert hostile[field] == HOSTILE[field], field
    assert hostile["_linkable"] == 0  # javascript: is never a link
    # nothing an article wrote ends the page's script or opens a tag in it
    assert html.count("<script") == html.count("</script>") == 5  # folium's switches, Leaflet, glue, events, map
    assert "<img src=x" not in html
    assert "<script>window.__pwned" not in html
    # folium renders templates: article text is never one of them
    assert "{{ 7*7 }}" in json.dumps(page_data(html), ensure_ascii=False)
    assert "49" not in hostile["evidence"] and "ZZZ" not in hostile["evidence"]


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.org/a", True),
        ("http://example.org/a?b=1&c=2", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//example.org/a", False),
        ("java\nscript:alert(1)", False),
    ],
    ids=["https", "http", "javascript", "mixed-case", "data", "scheme-relative", "newline"],
)
def test_only_http_links_become_links(url: str, linked: bool) -> None:
    (event,) = page_events(html_of(pd.DataFrame([korenevo(source_url=url)])))
    assert event["source_url"] == url.strip()
    assert event["_linkable"] == int(linked)


@settings(max_examples=200, deadline=None)
@given(value=st.recursive(st.text() | st.integers() | st.none(), lambda inner: st.lists(inner, max_size=4), max_leaves=8))
def test_any_value_survives_a_script_block_unchanged(value: object) -> None:
    """What js_value writes inside <script> is read back by an HTML parser as the same JSON value."""
    page = f'<script type="application/json">{js_value(value)}</script><p>after</p>'
    reader = read_fragment(page)
    assert json.loads("".join(reader.scripts)) == value
    assert [tag for tag, _ in reader.tags] == ["script", "p"]
    assert "".join(reader.text) == "after"


def test_title_is_escaped() -> None:
    html = html_of(read_events(), title="<script>window.__pwned=1</script> Kursk & Co {{ 8*8 }}")
    assert "<title>&lt;script&gt;window.__pwned=1&lt;/script&gt; Kursk &amp; Co {{ 8*8 }}</title>" in html
    assert 'class="geomap-title leaflet-control" hidden>&lt;script&gt;window.__pwned=1&lt;/script&gt; Kursk &amp; Co {{ 8*8 }}<' in html


def test_hostile_event_type_is_escaped_in_the_panel() -> None:
    html = html_of(read_events(korenevo(event_id="ev-type", event_type="<img src=x onerror=alert(1)> {{ 5*5 }}")))
    assert "<span class=\"geomap-swatch\"></span>&lt;img src=x onerror=alert(1)&gt; {{ 5*5 }} <span" in html
    assert explorer_options(html)["types"][-1] == {
        "cls": "geomap-tx", "color": "#7f7f7f", "label": "<img src=x onerror=alert(1)> {{ 5*5 }}"
    }


# --- other ways to load --------------------------------------------------------------


def test_online_tiles_use_openstreetmaps_server_with_its_attribution() -> None:
    html = html_of(read_events(), online_tiles=True)
    assert json.dumps(ONLINE_TILES_URL) in html
    assert "geomap.embeddedTileLayer(" not in html and '"0/0/0":"iVBOR' not in html
    assert "OpenStreetMap" in html and "ODbL" in html
    assert re.search(r'"maxZoom": 18', html)
    assert len(html) < 1_000_000  # Leaflet, the borders and the events only


def test_online_tiles_draw_their_own_rivers_and_coasts() -> None:
    # GSHHG's 1 km lines would stray from the rivers OpenStreetMap's tiles draw at street level
    html = html_of(read_events(), online_tiles=True)
    assert "geomap.waterLines(" not in html and "GSHHG" not in html
    assert "geomap.waterLines(" in html_of(read_events())


def test_vendored_leaflet_is_the_cdns_file() -> None:
    """The CDN mode's integrity hashes come from the vendored files: they must be the published ones.

    The sha256 values are those Leaflet's download page gives for 1.9.4.
    """
    assets = Path(__file__).parent.parent / "geomap" / "render" / "assets"
    published = {
        "leaflet.js": "20nQCchB9co0qIjJZRGuk2/Z9VM+kNiyxNV1lvTlZBo=",
        "leaflet.css": "p4NxAoJBhIIN+hmNHrzRCf9tD/miZyoHS5obTRR9BMY=",
    }
    for name, digest in published.items():
        assert base64.b64encode(hashlib.sha256((assets / name).read_bytes()).digest()).decode() == digest, name


def test_cdn_mode_links_leaflet_with_integrity_and_inlines_the_rest() -> None:
    html = html_of(read_events(), cdn=True)
    assets = Path(__file__).parent.parent / "geomap" / "render" / "assets"
    sri = {
        name: "sha384-" + base64.b64encode(hashlib.sha384((assets / name).read_bytes()).digest()).decode()
        for name in ("leaflet.js", "leaflet.css")
    }
    js, css = LEAFLET_CDN["leaflet.js"], LEAFLET_CDN["leaflet.css"]
    assert f'<script src="{js}" integrity="{sri["leaflet.js"]}" crossorigin="anonymous"></script>' in html
    assert f'<link rel="stylesheet" href="{css}" integrity="{sri["leaflet.css"]}" crossorigin="anonymous">' in html
    assert "Leaflet 1.9.4, a JS library" not in html  # not inlined
    assert "geomap.eventExplorer = " in html  # our glue is


# --- embedding -----------------------------------------------------------------------


def element_ids(html: str) -> list[str]:
    return [attrs["id"] for _, attrs in read_fragment(html).tags if "id" in attrs]


def test_fragment_is_one_block_without_page_structure() -> None:
    fragment = render_fragment(read_events(), name="kursk", height="450px")
    assert fragment.startswith('<div class="geomap-embed" id="kursk">') and fragment.rstrip().endswith("</div>")
    for tag in ("<html", "<head", "<body", "<title", "<!DOCTYPE", "<meta"):
        assert tag not in fragment, tag
    assert "html, body" not in fragment  # folium's full-page sizing stays out
    assert "#kursk { position: relative; width: 100%; height: 450px; }" in fragment
    ids = element_ids(fragment)
    assert len(ids) == len(set(ids))
    assert all(i == "kursk" or i.startswith("kursk-") or i.startswith("map_f") for i in ids), ids
    assert len(page_events(fragment, "kursk-data")) == 5
    # the map's script keeps its variables to itself
    assert "<script>\n(function () {\n" in fragment


def test_two_fragments_share_no_id() -> None:
    first = render_fragment(read_events(), name="first")
    second = render_fragment(read_events(), name="second")
    assert not set(element_ids(first)) & set(element_ids(second))


def test_fragment_default_name_is_a_hash_of_its_content() -> None:
    a = render_fragment(read_events())
    assert a == render_fragment(read_events())
    b = render_fragment(read_events().iloc[[0, 1]])
    name_a, name_b = (re.match(r'<div class="geomap-embed" id="([\w-]+)">', f).group(1) for f in (a, b))
    assert re.fullmatch(r"geomap-[0-9a-f]{10}", name_a) and name_a != name_b


@pytest.mark.parametrize("name", ["", "1abc", "a b", "a\"><script>", "x" * 65], ids=["empty", "digit", "space", "quote", "long"])
def test_fragment_name_must_be_an_id(name: str) -> None:
    with pytest.raises(RenderError, match="name must start with a letter"):
        render_fragment(read_events(), name=name)


def test_fragment_height_must_be_a_css_length() -> None:
    with pytest.raises(RenderError, match=r"height must be a CSS length .* got '100px; background: red'"):
        render_fragment(read_events(), height="100px; background: red")


# --- errors --------------------------------------------------------------------------


def test_missing_column_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="no column 'lat'"):
        render_map(read_events().drop(columns=["lat"]))


def test_coordinate_out_of_range_names_the_event() -> None:
    with pytest.raises(RenderError, match=r"event ev-bad: \(lat, lon\) = \(200.0, 34.9\)"):
        render_map(read_events(korenevo(event_id="ev-bad", lat=200.0)))


def test_not_a_dataframe_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="got list"):
        render_map([{"lat": 1.0}])  # type: ignore[arg-type]


def test_unwritable_path_is_a_render_error_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    target = blocker / "map.html"
    with pytest.raises(RenderError) as info:
        write_map(read_events(), target)
    assert str(target) in str(info.value)
    assert isinstance(info.value, GeomapError)
    assert list(tmp_path.iterdir()) == [blocker]


def test_write_map_creates_folders(tmp_path: Path) -> None:
    path = write_map(read_events(), tmp_path / "out" / "maps" / "kursk.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_explorer_compresses_above_its_threshold_only() -> None:
    just_below = {"rows": ["x" * (EventExplorer.COMPRESS_ABOVE - 20)]}
    assert EventExplorer(just_below, {}, data_id="d", popup="").encoding == ""
    above = {"rows": ["x" * (EventExplorer.COMPRESS_ABOVE + 20)]}
    assert EventExplorer(above, {}, data_id="d", popup="").encoding == "deflate-base64"
