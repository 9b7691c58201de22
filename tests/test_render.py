"""The events table -> one offline HTML map: what the written file holds.

What the page does in a browser is in test_browser.py; here we read the file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.errors import GeomapError, RenderError
from geomap.models import EVENT_COLUMNS, EVENT_SCHEMA
from geomap.render import render_map, save_map, write_map
from geomap.render.elements import OfflineAssets
from geomap.render.popup import popup_html

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "render_golden_map.html"

HOSTILE = {
    "evidence": (
        'Shelling hit Korenevo <img src=x onerror=alert(1)> </script><script>window.__pwned=1</script> '
        '${window.__pwned=2} `tick` back\\slash "double" \'single\''
    ),
    "source_title": "</script><script>window.__pwned=1</script> <b>bold</b> ${window.__pwned=2}",
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


def html_of(events: pd.DataFrame, **kwargs: object) -> str:
    return render_map(events, **kwargs).get_root().render()


def page_events(html: str) -> dict[str, list[dict]]:
    """The events each type layer draws, keyed by the type's css class, as the page's script gets them."""
    decoder = json.JSONDecoder()
    layers: dict[str, list[dict]] = {}
    for match in re.finditer(r"geomap\.addEvents\(\w+, ", html):
        events, end = decoder.raw_decode(html, match.end())
        style, _ = decoder.raw_decode(html, end + len(", "))
        layers[style["cls"]] = events
    return layers


_BLOCKS = {"div", "h3", "dl", "dt", "dd", "blockquote", "p", "li"}


class _Reader(HTMLParser):
    """What a reader of an HTML fragment sees: its text, and which tags it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in _BLOCKS:
            self.text.append(" ")  # a browser shows block elements apart

    def handle_data(self, data: str) -> None:
        self.text.append(data)


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
    for host in ("jsdelivr", "cloudflare", "bootstrapcdn", "code.jquery", "tile.openstreetmap"):
        assert host not in html, host
    # Leaflet and our glue are inlined, and the whole-world basemap travels as data
    assert "L.TileLayer" in html and "geomap.embeddedTileLayer(" in html
    assert '"0/0/0":"iVBORw0KGgo' in html  # a PNG, base64


def test_map_credits_its_data_sources() -> None:
    html = html_of(read_events())
    for credit in ("OpenStreetMap", "ODbL", "GeoNames", "CC BY 4.0", "Natural Earth"):
        assert credit in html, credit


def test_five_event_map_stays_small(tmp_path: Path) -> None:
    path = write_map(read_events(), tmp_path / "map.html")
    size = path.stat().st_size
    assert 1_500_000 < size < 4_000_000, f"{size:,} bytes"


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
    """The page with the vendored files and tile data replaced by short placeholders."""
    assets = OfflineAssets()
    for name, body in (
        ("leaflet.css", assets.leaflet_css),
        ("leaflet.js", assets.leaflet_js),
        ("geomap.js", assets.geomap_js),
    ):
        assert body in html, name
        html = html.replace(body, f"/* {name} */")
    tiles = re.search(r"geomap\.embeddedTileLayer\(\s*(\{.*?\}),\n", html, re.S)
    assert tiles is not None
    keys = sorted(json.loads(tiles.group(1)))
    html = html.replace(tiles.group(1), "/* tiles: " + " ".join(keys) + " */")
    # the events, one field a line, so that a diff shows which popup changed
    for events in page_events(html).values():
        compact = json.dumps(events, ensure_ascii=False, separators=(",", ":"))
        escaped = compact.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        escaped = escaped.replace("'", "\\u0027")
        assert escaped in html
        html = html.replace(escaped, json.dumps(events, ensure_ascii=False, indent=1))
    return html


def test_golden_map() -> None:
    """A diff here means the map changed; rerun with GEOMAP_UPDATE_GOLDEN=1 when it should have."""
    html = normalized(html_of(read_events(), title="Kursk offensive, August 2024"))
    if os.environ.get("GEOMAP_UPDATE_GOLDEN"):
        GOLDEN.write_text(html, encoding="utf-8")
    assert html == GOLDEN.read_text(encoding="utf-8")


# --- what is drawn ------------------------------------------------------------------


def test_one_marker_per_located_event_grouped_by_type() -> None:
    html = html_of(read_events())
    layers = page_events(html)
    ids = {cls: [e["id"] for e in events] for cls, events in layers.items()}
    assert ids == {
        "geomap-t0": ["ev-korenevo"],
        "geomap-t1": ["ev-luhansk", "ev-moscow-city"],
        "geomap-t5": ["ev-istanbul"],
    }
    for name in ("Battles (1)", "Explosions/Remote violence (2)", "Strategic developments (1)"):
        assert name in html
    assert "Violence against civilians" not in html.split("geomap.addEvents", 1)[1]


def test_unlocated_event_is_counted_not_drawn() -> None:
    html = html_of(read_events())
    assert "ev-unlocated" not in html
    assert "1 event without a known place is not on the map." in html


def test_vague_places_get_a_circle_of_their_radius() -> None:
    layers = page_events(html_of(read_events(korenevo(event_id="ev-near", geo_precision=2, radius_km=None))))
    radius = {e["id"]: e["radius_m"] for events in layers.values() for e in events}
    assert radius == {
        "ev-korenevo": 0,  # the town itself: a pin only
        "ev-near": 10_000,  # "near" with no radius given: the default for precision 2
        "ev-luhansk": 120_000,  # a region
        "ev-moscow-city": 0,  # a landmark, 1 km
        "ev-istanbul": 0,
    }


def test_status_reaches_the_pin_style() -> None:
    layers = page_events(html_of(read_events(korenevo(event_id="ev-odd", status="<b>maybe</b>"))))
    status = {e["id"]: e["status"] for events in layers.values() for e in events}
    assert status == {
        "ev-korenevo": "reported",
        "ev-odd": "unknown",
        "ev-luhansk": "unconfirmed",
        "ev-moscow-city": "reported",
        "ev-istanbul": "planned",
    }


def test_bounds_fit_the_events_and_their_circles() -> None:
    html = html_of(read_events())
    match = re.search(r"map_\w+\.fitBounds\(\s*(\[\[.*?\]\]),\s*(\{.*?\})\s*\)", html, re.S)
    assert match is not None
    (south, west), (north, east) = json.loads(match.group(1))
    assert south == pytest.approx(41.01) and north == pytest.approx(55.749)
    assert west == pytest.approx(28.95)
    assert east == pytest.approx(39.31 + 120 / (111.32 * 0.6615), abs=0.05)  # Luhansk's 120 km circle
    assert json.loads(match.group(2))["maxZoom"] == 6


def test_single_event_gets_a_regional_zoom_not_the_maximum() -> None:
    html = html_of(read_events().iloc[[0]])
    options = re.search(r"map_\w+\.fitBounds\(\s*\[\[.*?\]\],\s*(\{.*?\})\s*\)", html, re.S)
    assert options is not None and json.loads(options.group(1))["maxZoom"] == 6


def test_table_without_events_gives_a_world_map() -> None:
    html = html_of(read_events().iloc[0:0])
    assert "No events on the map" in html
    assert not re.search(r"map_\w+\.fitBounds\(", html)
    assert page_events(html) == {}


# --- popups --------------------------------------------------------------------------


def popups(html: str) -> dict[str, _Reader]:
    return {e["id"]: read_fragment(e["popup"]) for events in page_events(html).values() for e in events}


def test_popup_tells_what_when_where_who_and_from_where() -> None:
    popup = popups(html_of(read_events()))["ev-korenevo"]
    text = " ".join("".join(popup.text).split())
    for expected in (
        "Battles · Armed clash",
        "Date 2024-08-06",
        "Status reported",
        "Place “Korenevo” → Korenevo, Kursk, RU",
        "exact: the place itself (51.4100, 34.9000)",
        "Actors Ukrainian forces → Russian forces",
        "Fatalities 3",
        "Ukrainian forces clashed with Russian troops in Korenevo on Tuesday, killing three soldiers.",
        "Source: Fighting reaches Kursk region villages · reported by 2 sources",
    ):
        assert expected in text, expected
    links = [attrs for tag, attrs in popup.tags if tag == "a"]
    assert links == [
        {
            "href": "https://news.example.org/2024/08/06/kursk",
            "target": "_blank",
            "rel": "noopener noreferrer nofollow",
        }
    ]


def test_popup_highlights_the_place_in_the_evidence() -> None:
    html = popup_html({**korenevo(), "evidence": "Troops left korenevo; Korenevo burned."})
    assert "Troops left <mark>korenevo</mark>; <mark>Korenevo</mark> burned." in html


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"status": "planned", "event_date": None}, "Date planned (no date)"),
        ({"status": "reported", "event_date": None}, "Date date unknown"),
        ({"time_precision": 2}, "Date 2024-08-06 (within a week)"),
        ({"status": "unconfirmed"}, "Status unconfirmed: not independently verified"),
        ({"status": "claimed"}, "Status claimed by a party, not verified"),
        ({"geo_precision": 3, "radius_km": 120.0}, "somewhere in the region, within about 120 km"),
        ({"fatalities": None}, "Fatalities not stated"),
        ({"n_sources": 1}, "reported by 1 source"),
    ],
    ids=["planned", "no-date", "week", "unconfirmed", "claimed", "region", "no-fatalities", "one-source"],
)
def test_popup_says_what_is_uncertain(changes: dict, expected: str) -> None:
    popup = read_fragment(popup_html(korenevo(**changes)))
    assert expected in " ".join("".join(popup.text).split())


def test_hostile_article_text_is_shown_as_text() -> None:
    html = html_of(read_events(korenevo(event_id="ev-hostile", **HOSTILE)))
    popup = popups(html)["ev-hostile"]
    text = "".join(popup.text)
    assert HOSTILE["evidence"] in text
    assert HOSTILE["source_title"] in text
    assert HOSTILE["actor1"] in text
    assert {tag for tag, _ in popup.tags} <= {"div", "h3", "span", "dl", "dt", "dd", "blockquote", "mark"}
    # nothing an article wrote ends the page's script or opens a tag in it
    assert html.count("<script") == html.count("</script>") == 4  # folium's switches, Leaflet, glue, map
    assert "<img src=x" not in html
    assert "<script>window.__pwned" not in html


def test_only_http_links_become_links() -> None:
    for url, linked in [
        ("https://example.org/a", True),
        ("http://example.org/a?b=1&c=2", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//example.org/a", False),
        ("java\nscript:alert(1)", False),
    ]:
        popup = read_fragment(popup_html(korenevo(source_url=url, source_title="The source")))
        links = [attrs["href"] for tag, attrs in popup.tags if tag == "a"]
        assert links == ([url] if linked else []), url


@settings(max_examples=60, deadline=None)
@given(
    evidence=st.text(max_size=80),
    title=st.text(max_size=40),
    url=st.text(max_size=40),
    place=st.text(max_size=10),
)
def test_any_article_text_renders_as_exactly_that_text(evidence: str, title: str, url: str, place: str) -> None:
    popup = read_fragment(
        popup_html(korenevo(evidence=evidence, source_title=title, source_url=url, place_text=place))
    )
    shown = "".join(popup.text)
    assert evidence.strip() in shown
    assert {tag for tag, _ in popup.tags} <= {"div", "h3", "span", "dl", "dt", "dd", "blockquote", "mark", "a"}


def test_title_is_escaped() -> None:
    html = html_of(read_events(), title="<script>window.__pwned=1</script> Kursk & Co")
    assert "<title>&lt;script&gt;window.__pwned=1&lt;/script&gt; Kursk &amp; Co</title>" in html
    assert 'class="geomap-title leaflet-control" hidden>&lt;script&gt;' in html


def test_hostile_event_type_is_escaped_in_the_layer_control() -> None:
    html = html_of(read_events(korenevo(event_id="ev-type", event_type="<img src=x onerror=alert(1)>")))
    assert "&lt;img src=x onerror=alert(1)&gt; (1)" in json.loads(
        '"' + re.search(r'"([^"]*onerror[^"]*\(1\))"\s*:', html).group(1) + '"'
    )
    assert "geomap-tx" in page_events(html)


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
