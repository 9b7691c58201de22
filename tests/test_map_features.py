"""The map an analyst opens, embeds and sends around: filters, search, table, CSV, clusters,
fragments, snapshots, and the `geomap render` / `geomap snapshot` commands.

Browser tests open the written file in headless Debian Chromium with every request that
leaves the file blocked and counted, and fail on any console error.
"""

from __future__ import annotations

import csv
import io
import os
import struct
import subprocess
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import Visit as BaseVisit
from conftest import watch
from test_render import korenevo, page_events, read_events

from geomap.cli import EXIT_ERROR, cli
from geomap.models import EVENT_COLUMNS, EVENT_SCHEMA
from geomap.render import render_fragment, snapshot_map, write_map
from geomap.render.snapshot import DEFAULT_CHROMIUM
from geomap.store import write_csv, write_geojson

CHROMIUM = Path(DEFAULT_CHROMIUM)  # the conftest's `chromium` fixture skips a test where it is missing

TYPES = ("Battles", "Explosions/Remote violence", "Protests")
PLACES = (  # (as written, as resolved)
    ("Odesa", "Odesa"), ("Mykolaiv", "Mykolaiv"), ("Kherson", "Kherson"), ("Zaporizhzhia", "Zaporizhzhia"),
    ("Kyiv", "Kyiv"), ("Dnipro", "Dnipro"), ("Kiev", "Kyiv"), ("Poltava", "Poltava"),
    ("Sumy", "Sumy"), ("Charkiw", "Kharkiv"), ("Lviv", "Lviv"), ("Rivne", "Rivne"),
)
HOSTILE_PLACE = "</script><img src=x onerror=window.__pwned=1>{{ 7*7 }}"
FORMULAS = ('=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1:A2)")


def table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=list(EVENT_COLUMNS))
    return frame.astype({c.name: c.dtype for c in EVENT_SCHEMA})


def grid_events() -> pd.DataFrame:
    """Twelve events on a 4 x 3 grid (5 degrees apart: never in one cluster at the fitted zoom),
    one of each type on each of four days, and a planned event without a date.

    Event i: type TYPES[i % 3], date 2024-08-0(i // 3 + 1), place PLACES[i].
    """
    rows = []
    for i, (written, resolved) in enumerate(PLACES):
        rows.append(korenevo(
            event_id=f"ev-{i:02d}",
            event_type=TYPES[i % 3],
            sub_event_type=None,
            event_date=f"2024-08-0{i // 3 + 1}",
            place_text=written,
            place_name=resolved,
            actor1="Wagner Group" if i == 5 else "Ukrainian forces",
            actor2=FORMULAS[i % 4] if i >= 8 else None,
            lat=45.0 + (i // 4) * 4.5,
            lon=24.0 + (i % 4) * 5.0,
            evidence=f"Something happened in {written}.",
        ))
    rows.append(korenevo(
        event_id="ev-planned", event_type="Strategic developments", event_date=None, status="planned",
        place_text="Chernihiv", place_name="Chernihiv", lat=56.0, lon=39.0, evidence="Talks are planned.",
    ))
    rows.append(korenevo(
        event_id="ev-hostile", event_type="Riots", event_date="2024-08-02", place_text=HOSTILE_PLACE,
        place_name=HOSTILE_PLACE, actor1="<b>mob</b>", lat=56.0, lon=24.0, evidence=f"Riot in {HOSTILE_PLACE}.",
    ))
    return table(rows)


# --- the browser ----------------------------------------------------------------------


@dataclass
class Visit(BaseVisit):
    """An open page, what it tried to do, and what its panel says."""
    def count_text(self, nth: int = 0) -> str:
        return self.page.locator('[data-geomap="count"]').nth(nth).inner_text()

    def shown(self, nth: int = 0) -> int:
        """How many events the panel says are shown."""
        return int(self.count_text(nth).split(" of ")[0].replace(",", ""))

    def drawn(self, scope: str = "") -> int:
        """Events drawn in view: lone pins plus the counts of the clusters."""
        return self.page.evaluate(
            """scope => [...document.querySelectorAll(scope + ' .geomap-cluster')]
                .reduce((sum, c) => sum + Number(c.textContent), 0)
                + document.querySelectorAll(scope + ' .geomap-event').length""",
            scope,
        )

    def wait_for_count(self, text: str, nth: int = 0) -> None:
        self.page.locator('[data-geomap="count"]').nth(nth).filter(has_text=text).wait_for()


# Whether loaded basemap tiles fill every map, none still loading.
MAPS_DRAWN = """() => {
    const maps = [...document.querySelectorAll('.leaflet-container')];
    if (!maps.length || maps.some(m => !m.classList.contains('geomap-ready'))) return false;
    if (document.querySelector('.leaflet-tile:not(.leaflet-tile-loaded)')) return false;
    return maps.every(m => m.querySelector('.leaflet-tile-loaded img'));
}"""


@pytest.fixture
def open_page(chromium, tmp_path: Path) -> Iterator:
    """Open an HTML file as file:// with every other request blocked (and counted)."""
    contexts = []

    def visit(path: Path, *, viewport: tuple[int, int] = (1280, 800), tiles: bool = True) -> Visit:
        context = chromium.new_context(viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        seen = watch(page, Visit(page), allowed=("file:", "data:", "blob:"))
        page.goto(path.as_uri())
        if tiles:
            page.wait_for_function(MAPS_DRAWN, timeout=10_000)
        else:
            page.wait_for_selector(".leaflet-container.geomap-ready", state="attached", timeout=10_000)
        return seen

    yield visit
    for context in contexts:
        context.close()


@pytest.fixture
def grid_map(open_page, tmp_path: Path) -> Visit:
    return open_page(write_map(grid_events(), tmp_path / "grid.html"))


# --- offline, and what is drawn ---------------------------------------------------------


@pytest.mark.browser
def test_offline_map_asks_for_nothing_outside_the_file(open_page, tmp_path: Path) -> None:
    seen = open_page(write_map(read_events(), tmp_path / "map.html"))
    assert seen.page.locator(".geomap-event").count() == 4
    assert seen.page.locator("path.geomap-outline").count() == 2  # the world, and detail near the events
    assert seen.outside_requests == [] and seen.errors == []


@pytest.mark.browser
def test_online_tiles_map_asks_openstreetmap_for_tiles_and_nothing_else(open_page, tmp_path: Path) -> None:
    seen = open_page(write_map(read_events(), tmp_path / "online.html", online_tiles=True), tiles=False)
    assert seen.page.locator(".geomap-event").count() == 4
    seen.page.wait_for_function("() => document.querySelectorAll('img.leaflet-tile').length > 0")
    assert {url.split("/")[2] for url in seen.outside_requests} == {"tile.openstreetmap.org"}
    assert "OpenStreetMap contributors (ODbL)" in seen.page.locator(".leaflet-control-attribution").inner_text()
    assert all("Failed to load resource" in error for error in seen.errors)  # only the blocked tiles


@pytest.mark.browser
def test_each_located_event_is_one_marker_with_its_precision_drawn(open_page, tmp_path: Path) -> None:
    events = read_events(
        korenevo(event_id="ev-near", place_text="near Kherson", place_name="Kherson", geo_precision=2,
                 radius_km=None, lat=46.64, lon=32.61, status="claimed"),
    )
    seen = open_page(write_map(events, tmp_path / "map.html"))
    page = seen.page
    assert page.locator(".geomap-event").count() == 5  # 6 events, one without a place: listed, not drawn
    assert seen.shown() == 6
    assert page.locator(".geomap-cluster").count() == 0
    # exact places: a pin; "near": a dot in a ring of 10 km; a region: a labelled square, no disc
    assert page.locator(".geomap-event:not(.geomap-approx)").count() == 3
    ring, area = page.locator("path.geomap-ring"), page.locator("path.geomap-area")
    assert ring.count() == 1 and area.count() == 0
    assert ring.get_attribute("fill") == "none"
    assert ring.get_attribute("stroke-dasharray")  # claimed
    mark = page.locator(".geomap-area-event")
    assert mark.inner_text() == "Luhansk Oblast"
    mark.hover()  # its extent: an outline, never a filled disc over the neighbours
    assert area.count() == 1 and area.get_attribute("fill") == "none" and area.get_attribute("stroke-dasharray")
    page.mouse.move(5, 400)
    page.wait_for_function("() => !document.querySelector('path.geomap-area')", timeout=3000)
    for approx in page.locator(".geomap-event.geomap-approx").all():
        assert approx.locator("path").count() == 0  # a dot or a square, never a pin's point
    assert seen.errors == [] and seen.outside_requests == []


@pytest.mark.browser
def test_thousands_of_events_cluster_and_the_counts_add_up(open_page, tmp_path: Path) -> None:
    from test_render import many_events

    events = many_events(3000)  # a 97 x 31 grid, 0.1 by 0.2 degrees apart: far closer than a cluster
    seen = open_page(write_map(events, tmp_path / "many.html"))
    page = seen.page
    assert seen.count_text() == "3,000 of 3,000 events shown"
    clusters = page.locator(".geomap-cluster").count()
    assert 0 < clusters < 400 and page.locator(".leaflet-marker-icon").count() < 500
    assert seen.drawn() == 3000  # the whole grid is in view
    zoom = page.evaluate("() => document.querySelector('.geomap-ready').geomap.map.getZoom()")
    page.locator(".geomap-cluster").first.dispatch_event("click")
    page.wait_for_function(f"() => document.querySelector('.geomap-ready').geomap.map.getZoom() > {zoom}")
    assert seen.errors == [] and seen.outside_requests == []


# Pairs of marks on the map where a cluster's disc and another cluster or a pin overlap.
MARKS_OVERLAPPING = """() => {
    const marks = [...document.querySelectorAll('.geomap-cluster, .geomap-event')]
        .map(e => [e.classList.contains('geomap-cluster'), e.getBoundingClientRect()]);
    let n = 0;
    for (let a = 0; a < marks.length; a++) for (let b = a + 1; b < marks.length; b++) {
        if (!marks[a][0] && !marks[b][0]) continue;
        const r = marks[a][1], s = marks[b][1];
        if (Math.min(r.right, s.right) > Math.max(r.left, s.left) && Math.min(r.bottom, s.bottom) > Math.max(r.top, s.top)) n++;
    }
    return n;
}"""


@pytest.mark.browser
def test_no_cluster_hides_another_clusters_count(open_page, tmp_path: Path) -> None:
    import numpy as np

    rng = np.random.default_rng(1)  # 600 events scattered over eastern Ukraine, thick at the centre
    events = table([korenevo(event_id=f"ev-{i}", lat=float(50 + rng.normal(0, 1.5)), lon=float(35 + rng.normal(0, 2.5)))
                    for i in range(600)])
    seen = open_page(write_map(events, tmp_path / "scatter.html"), viewport=(1400, 900))
    page = seen.page
    for zoom in range(4, 10):
        page.evaluate(f"() => document.querySelector('.geomap-ready').geomap.map.setView([50, 35], {zoom}, {{animate: false}})")
        assert page.evaluate(MARKS_OVERLAPPING) == 0, zoom
        if zoom <= 5:
            assert seen.drawn() == 600  # all in view: the counts still add up
    # a cluster made of two cells' events opens on all of them
    page.evaluate("() => document.querySelector('.geomap-ready').geomap.map.setView([50, 35], 8, {animate: false})")
    biggest = max(page.locator(".geomap-cluster").all(), key=lambda c: int(c.inner_text()))
    biggest.dispatch_event("click")
    page.wait_for_function("() => document.querySelector('.geomap-ready').geomap.map.getZoom() > 8")
    assert seen.errors == []


@pytest.mark.browser
def test_events_at_one_place_are_listed_when_zooming_cannot_part_them(open_page, tmp_path: Path) -> None:
    same_place = [korenevo(event_id=f"ev-{i}", evidence=f"Report number {i} from Korenevo.") for i in range(2)]
    same_place.append(korenevo(event_id="ev-2", evidence="Report number 2 from Korenevo.", place_name=HOSTILE_PLACE))
    seen = open_page(write_map(table(same_place), tmp_path / "same.html"))
    page = seen.page
    cluster = page.locator(".geomap-cluster")
    assert cluster.inner_text() == "3"
    cluster.dispatch_event("click")  # zooms in as far as the map goes: still one place
    page.wait_for_function("() => document.querySelector('.geomap-ready').geomap.map.getZoom() === 12")
    page.locator(".geomap-cluster").dispatch_event("click")
    listing = page.locator(".leaflet-popup-content .geomap-list")
    assert listing.locator("h3").inner_text() == "3 events here"
    assert listing.locator("button").count() == 3
    assert listing.locator("button").nth(2).inner_text() == f"2024-08-06 · Battles: {HOSTILE_PLACE}"
    assert listing.locator("img, script").count() == 0
    listing.locator("button").nth(1).click()
    page.locator(".leaflet-popup-content blockquote", has_text="Report number 1 from Korenevo.").wait_for()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert seen.errors == []


# --- filters -------------------------------------------------------------------------


@pytest.mark.browser
def test_type_and_date_filters_apply_together(grid_map: Visit) -> None:
    page = grid_map.page
    assert grid_map.count_text() == "14 of 14 events shown"
    assert grid_map.drawn() == 14
    page.locator(".geomap-panel label", has_text="Battles").locator("input").uncheck()
    grid_map.wait_for_count("10 of 14")  # 4 battles out
    assert page.locator(".geomap-event.geomap-t0").count() == 0
    page.locator('[data-geomap="date-from"]').fill("2024-08-02")
    grid_map.wait_for_count("8 of 14")  # 2024-08-01 (2 left) out; the undated plan stays while it is ticked
    undated = page.locator('[data-geomap="undated"]')
    assert page.locator(".geomap-undated").inner_text() == "include undated (1)"
    undated.uncheck()
    grid_map.wait_for_count("7 of 14")  # and now the plan too
    page.locator('[data-geomap="date-to"]').fill("2024-08-03")
    grid_map.wait_for_count("5 of 14")  # 2024-08-04 (2) out; the riot of 2024-08-02 stays
    assert grid_map.drawn() == 5 == page.locator(".geomap-event").count()
    shown = sorted(page.locator(".geomap-event").evaluate_all("els => els.map(e => e.title)"))
    assert shown == sorted([
        "Explosions/Remote violence: Kyiv", "Protests: Dnipro",
        "Explosions/Remote violence: Poltava", "Protests: Sumy",
        f"Riots: {HOSTILE_PLACE}",
    ])
    page.locator(".geomap-panel label", has_text="Battles").locator("input").check()
    grid_map.wait_for_count("7 of 14")  # both filters still hold: the battles of those two days come back
    page.locator('[data-geomap="date-to"]').fill("2024-08-01")  # before "from": said, not a silent 0
    grid_map.wait_for_count("0 of 14")
    note = page.locator('[data-geomap="date-note"]')
    assert note.is_visible() and "is after" in note.inner_text()
    page.locator('[data-geomap="date-from"]').fill("")
    page.locator('[data-geomap="date-to"]').fill("")
    grid_map.wait_for_count("13 of 14")
    assert not note.is_visible()
    undated.check()
    grid_map.wait_for_count("14 of 14")
    assert grid_map.errors == [] and grid_map.outside_requests == []


@pytest.mark.browser
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kiev", {"Battles: Kyiv"}),  # as written
        ("KYIV", {"Explosions/Remote violence: Kyiv", "Battles: Kyiv"}),  # as resolved, any case
        ("charkiw", {"Battles: Kharkiv"}),
        ("wagner", {"Protests: Dnipro"}),  # an actor
        ("<img src=x", {f"Riots: {HOSTILE_PLACE}"}),
        ("nowhere at all", set()),
    ],
    ids=["written", "resolved", "written-other", "actor", "hostile", "nothing"],
)
def test_search_narrows_to_the_matching_events(grid_map: Visit, query: str, expected: set) -> None:
    page = grid_map.page
    page.locator('[data-geomap="search"]').fill(query)
    grid_map.wait_for_count(f"{len(expected)} of 14")
    assert set(page.locator(".geomap-event").evaluate_all("els => els.map(e => e.title)")) == expected
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert grid_map.errors == []


@pytest.mark.browser
def test_search_and_type_filter_combine(grid_map: Visit) -> None:
    page = grid_map.page
    page.locator('[data-geomap="search"]').fill("kyiv")
    grid_map.wait_for_count("2 of 14")
    page.locator(".geomap-panel label", has_text="Battles").locator("input").uncheck()
    grid_map.wait_for_count("1 of 14")
    assert page.locator(".geomap-event").evaluate_all("els => els.map(e => e.title)") == [
        "Explosions/Remote violence: Kyiv"
    ]


# --- the table and the CSV --------------------------------------------------------------


def table_rows(page) -> list[list[str]]:
    return page.locator(".geomap-table tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )


ACTORS = "Ukrainian forces → Russian forces"  # korenevo()'s


def download_csv(page) -> tuple[str, list[dict]]:
    with page.expect_download() as info:
        page.locator('[data-geomap="download"]').click()
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    return download.suggested_filename, list(csv.DictReader(io.StringIO(text)))


@pytest.mark.browser
def test_table_and_csv_hold_exactly_the_shown_events(grid_map: Visit, tmp_path: Path) -> None:
    page = grid_map.page
    page.locator(".geomap-table summary").click()
    # The rows are drawn on the details' "toggle" event, which the browser fires after the click.
    page.wait_for_function("() => document.querySelectorAll('.geomap-table tbody tr').length > 0")
    rows = table_rows(page)
    assert len(rows) == 14
    # date, type, place, country, actors, fatalities, status
    assert rows[0] == ["2024-08-01", "Battles", "Odesa", "Russia", "Ukrainian forces", "3", "reported"]
    assert rows[-1] == ["undated", "Strategic developments", "Chernihiv", "Russia", ACTORS, "3", "planned"]  # undated last, marked
    assert rows[6] == ["2024-08-02", "Riots", HOSTILE_PLACE, "Russia", "<b>mob</b> → Russian forces", "3", "reported"]  # as text
    assert page.locator(".geomap-table img, .geomap-table script").count() == 0
    page.locator(".geomap-panel label", has_text="Protests").locator("input").uncheck()
    page.locator('[data-geomap="date-to"]').fill("2024-08-02")
    grid_map.wait_for_count("6 of 14")  # the undated plan stays listed: "include undated" is ticked
    assert page.locator(".geomap-table summary").inner_text() == "Table of shown events (6)"
    assert [r[0] + " " + r[2] for r in table_rows(page)] == [
        "2024-08-01 Odesa", "2024-08-01 Mykolaiv", "2024-08-02 Zaporizhzhia", "2024-08-02 Kyiv",
        f"2024-08-02 {HOSTILE_PLACE}", "undated Chernihiv",
    ]
    name, records = download_csv(page)
    assert name == "geomap-events.csv"
    assert [r["event_id"] for r in records] == ["ev-00", "ev-01", "ev-03", "ev-04", "ev-hostile", "ev-planned"]
    assert records[-1]["event_date"] == ""
    assert list(records[0]) == list(EVENT_COLUMNS)
    (hostile,) = [r for r in records if r["event_id"] == "ev-hostile"]
    assert hostile["place_name"] == HOSTILE_PLACE and hostile["actor1"] == "<b>mob</b>"
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert [float(records[0]["lat"]), float(records[0]["lon"])] == [45.0, 24.0]
    assert grid_map.errors == []


@pytest.mark.browser
def test_csv_cells_cannot_run_as_spreadsheet_formulas(grid_map: Visit) -> None:
    page = grid_map.page
    page.locator('[data-geomap="undated"]').uncheck()
    page.locator('[data-geomap="date-from"]').fill("2024-08-03")  # events 6-11: actor2 set from event 8 on
    grid_map.wait_for_count("6 of 14")
    _, records = download_csv(page)
    actors = {r["event_id"]: r["actor2"] for r in records}
    assert actors == {
        "ev-06": "", "ev-07": "",
        "ev-08": "'" + FORMULAS[0], "ev-09": "'" + FORMULAS[1], "ev-10": "'" + FORMULAS[2], "ev-11": "'" + FORMULAS[3],
    }


@pytest.mark.browser
def test_downloaded_csv_renders_again(grid_map: Visit, tmp_path: Path) -> None:
    page = grid_map.page
    page.locator('[data-geomap="search"]').fill("kyiv")
    grid_map.wait_for_count("2 of 14")
    with page.expect_download() as info:
        page.locator('[data-geomap="download"]').click()
    saved = tmp_path / "shown.csv"
    info.value.save_as(saved)
    result = CliRunner().invoke(cli, ["render", str(saved), "-o", str(tmp_path / "again.html")])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 2 events (2 on the map) to {tmp_path / 'again.html'}\n"
    html = (tmp_path / "again.html").read_text(encoding="utf-8")
    assert [e["event_id"] for e in page_events(html)] == ["ev-04", "ev-06"]


@pytest.mark.browser
def test_a_table_row_opens_its_event(grid_map: Visit) -> None:
    page = grid_map.page
    page.locator(".geomap-table summary").click()
    page.locator(".geomap-table tbody tr", has_text="Kharkiv").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "“Charkiw” → Kharkiv" in popup.inner_text()


# --- popups --------------------------------------------------------------------------

POPUP_TEXT = """id => {
    const map = document.querySelector('.geomap-ready').geomap;
    for (let i = 0; i < map.rows.length; i++) {
        if (map.value(i, 'event_id') === id) {
            const popup = map.showEvent(i, false).getElement();
            return popup.querySelector('.leaflet-popup-content').innerText.split(/\\s+/).join(' ');
        }
    }
}"""

CASES = [
    ({}, "Battles · Armed clash"),
    ({}, "Date 2024-08-06 Status reported Place “Korenevo” → Korenevo, Kursk, RU"),
    ({}, "Precision the place itself (51.4100, 34.9000)"),
    ({}, "Actors Ukrainian forces → Russian forces Fatalities 3"),
    ({}, "Source: Fighting reaches Kursk region villages · reported by 2 sources"),
    ({"status": "planned", "event_date": None}, "Date planned (no date)"),
    ({"status": "reported", "event_date": None}, "Date date unknown"),
    ({"time_precision": 2}, "Date 2024-08-06 (within a week)"),
    ({"status": "unconfirmed"}, "Status unconfirmed: not independently verified"),
    ({"status": "claimed"}, "Status claimed by a party, not verified"),
    ({"geo_precision": 3, "radius_km": 120.0}, "somewhere in the region, within about 120 km (51.4100, 34.9000)"),
    ({"geo_precision": 2, "radius_km": None}, "near the place, within about 10 km"),
    ({"geo_precision": 1, "radius_km": 12.0}, "Precision the place itself, a place about 12 km across"),
    ({"geo_precision": 1, "radius_km": 500.0}, "Precision somewhere in the region, within about 500 km"),
    ({"fatalities": None}, "Fatalities not stated"),
    ({"n_sources": 1}, "reported by 1 source"),
    ({"actor1": None, "actor2": None}, "Precision the place itself (51.4100, 34.9000) Fatalities 3"),
    ({"source_title": None}, "Source: https://news.example.org/2024/08/06/kursk ·"),
    ({"source_url": "javascript:alert(1)"}, "Source: Fighting reaches Kursk region villages (javascript:alert(1)) ·"),
    ({"place_name": None, "admin1": None, "country_code": None}, "Place “Korenevo” → unresolved"),
    # An analyst's correction keeps the place's name and says so in the popup.
    ({"corrected": "corrected by analyst: checked on imagery"},
     "Place “Korenevo” → Korenevo, Kursk, RU (corrected by analyst: checked on imagery) Precision"),
]


@pytest.mark.browser
def test_popups_say_what_is_known_and_what_is_uncertain(open_page, tmp_path: Path) -> None:
    events = table([korenevo(event_id=f"ev-{i}", **changes) for i, (changes, _) in enumerate(CASES)])
    seen = open_page(write_map(events, tmp_path / "popups.html"))
    for i, (changes, expected) in enumerate(CASES):
        assert expected in seen.page.evaluate(POPUP_TEXT, f"ev-{i}"), changes
    assert seen.errors == []


@pytest.mark.browser
def test_popup_marks_each_mention_of_the_place(open_page, tmp_path: Path) -> None:
    events = table([korenevo(evidence="Troops left korenevo; Korenevo (K.) burned.", place_text="Korenevo")])
    seen = open_page(write_map(events, tmp_path / "marks.html"))
    seen.page.locator(".geomap-event").click()
    quote = seen.page.locator(".leaflet-popup-content blockquote")
    quote.wait_for()
    assert quote.inner_text() == "Troops left korenevo; Korenevo (K.) burned."
    assert quote.locator("mark").all_inner_texts() == ["korenevo", "Korenevo"]


# --- embedding -----------------------------------------------------------------------


@pytest.mark.browser
def test_two_fragments_work_on_one_page(open_page, tmp_path: Path) -> None:
    first = render_fragment(read_events(), name="first", title="First", height="420px")
    second = render_fragment(grid_events(), name="second", title="Second", height="420px")
    page_html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>A report</title>"
        "<style>body { font-family: serif; max-width: 1000px; margin: 0 auto; }</style></head><body>"
        f"<h1>A report</h1><p>Before the maps.</p>{first}<p>Between the maps.</p>{second}<p>After.</p></body></html>"
    )
    path = tmp_path / "report.html"
    path.write_text(page_html, encoding="utf-8")
    seen = open_page(path, viewport=(1100, 1200))
    page = seen.page
    assert page.locator(".leaflet-container").count() == 2
    assert page.locator("#first .geomap-event").count() == 4
    assert seen.drawn("#second") == 14
    assert seen.count_text(0) == "5 of 5 events shown" and seen.count_text(1) == "14 of 14 events shown"
    page.locator("#second .geomap-panel label", has_text="Battles").locator("input").uncheck()
    seen.wait_for_count("10 of 14", nth=1)
    assert seen.count_text(0) == "5 of 5 events shown"  # the first map is not touched
    assert page.locator("#first .geomap-event").count() == 4
    page.locator("#first .geomap-event.geomap-t0").click()
    page.locator("#first .leaflet-popup-content", has_text="Korenevo").wait_for()
    assert page.locator("h1").evaluate("h => getComputedStyle(h).fontFamily") == "serif"  # the page keeps its style
    assert page.evaluate("Object.keys(window).filter(k => /^(map|feature_group|layer_control)_/.test(k))") == []
    assert seen.errors == [] and seen.outside_requests == []


# --- snapshots -----------------------------------------------------------------------


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and pixels (RGB or RGBA bytes each) of an 8-bit, non-interlaced PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = {}, 8
    idat = b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IDAT":
            idat += body
        else:
            chunks.setdefault(kind, body)
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert depth == 8 and color in (2, 6) and interlace == 0
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    pixels = []
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, up_left = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        pixels.extend(bytes(line[i:i + channels]) for i in range(0, stride, channels))
        previous = line
    return width, height, pixels


@pytest.mark.browser
def test_snapshot_is_a_png_of_the_drawn_map(tmp_path: Path) -> None:
    html = write_map(read_events().iloc[[0]], tmp_path / "map.html", title="Korenevo")  # the view centres on it
    png = tmp_path / "out" / "map.png"
    result = subprocess.run(
        [sys.executable, "-m", "geomap", "snapshot", str(html), "-o", str(png), "--width", "640", "--height", "480"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "GEOMAP_CHROMIUM": str(CHROMIUM)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Wrote {png} (640x480)\n"
    width, height, pixels = read_png(png)
    assert (width, height) == (640, 480)
    colours = Counter(pixels)
    assert len(colours) > 500  # a basemap, not a blank page
    assert colours.most_common(1)[0][1] < 0.5 * len(pixels)
    # the battle's red pin stands just above the centre, its tip on Korenevo
    pin = [pixels[y * width + x] for y in range(240 - 28, 240 - 8) for x in range(320 - 6, 320 + 6)]
    assert sum(r > 170 and g < 90 and b < 90 for r, g, b, *_ in pin) > 40


def test_snapshot_without_a_browser_says_which_and_how_to_install_one(tmp_path: Path, monkeypatch) -> None:
    missing = tmp_path / "no" / "chromium"
    monkeypatch.setenv("GEOMAP_CHROMIUM", str(missing))
    html = tmp_path / "map.html"
    html.write_text("<!DOCTYPE html><title>x</title>", encoding="utf-8")
    result = CliRunner().invoke(cli, ["snapshot", str(html)])
    assert result.exit_code == EXIT_ERROR
    assert result.output == (
        f"Error: no Chromium at {missing}: install it (Debian, Ubuntu: `apt-get install chromium`), "
        "or set GEOMAP_CHROMIUM to the path of a Chromium or Chrome executable\n"
    )
    assert not (tmp_path / "map.png").exists()
    with pytest.raises(Exception, match="no Chromium at"):
        snapshot_map(html, tmp_path / "map.png")


# --- geomap render ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".geojson"])
def test_render_draws_a_stored_table_again(tmp_path: Path, suffix: str) -> None:
    events = read_events()
    stored = (write_csv if suffix == ".csv" else write_geojson)(events, tmp_path / f"events{suffix}")
    result = CliRunner().invoke(cli, ["render", str(stored), "--title", "Kursk"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 5 events (4 on the map) to {tmp_path / 'events-map.html'}\n"
    html = (tmp_path / "events-map.html").read_text(encoding="utf-8")
    assert "<title>Kursk</title>" in html
    direct = write_map(events, tmp_path / "direct.html", title="Kursk").read_text(encoding="utf-8")
    assert page_events(html) == page_events(direct)


def test_render_embed_online_tiles_and_cdn(tmp_path: Path) -> None:
    stored = write_csv(read_events(), tmp_path / "events.csv")
    runner = CliRunner()
    result = runner.invoke(cli, ["render", str(stored), "--embed", "--name", "kursk", "--height", "50vh"])
    assert result.exit_code == 0, result.output
    fragment = (tmp_path / "map-embed.html").read_text(encoding="utf-8")
    assert fragment.startswith('<div class="geomap-embed" id="kursk">') and "<html" not in fragment
    assert "height: 50vh" in fragment
    result = runner.invoke(cli, ["render", str(stored), "-o", str(tmp_path / "small.html"), "--online-tiles", "--cdn"])
    assert result.exit_code == 0, result.output
    small = (tmp_path / "small.html").read_text(encoding="utf-8")
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in small and "https://unpkg.com/leaflet@1.9.4" in small
    assert len(small) < 600_000
    assert len(page_events(small)) == 5  # the one without a place too: it is in the table


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--name", "x"], 2, "Error: --name and --height need --embed"),
        (["--embed", "--name", "1x"], 1, "Error: name must start with a letter"),
        (["--embed", "--height", "tall"], 1, "Error: height must be a CSS length"),
    ],
    ids=["name-without-embed", "bad-name", "bad-height"],
)
def test_render_refuses_bad_options(tmp_path: Path, args: list, code: int, message: str) -> None:
    stored = write_csv(read_events(), tmp_path / "events.csv")
    result = CliRunner().invoke(cli, ["render", str(stored), *args])
    assert result.exit_code == code
    assert message in result.output
    assert not (tmp_path / "events-map.html").exists() and not (tmp_path / "map-embed.html").exists()


def test_render_of_a_file_that_is_not_an_events_table_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "notes.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(bad)])
    assert result.exit_code == EXIT_ERROR
    assert result.output.startswith(f"Error: {bad}: not an events table, missing columns event_id")
    assert not (tmp_path / "notes-map.html").exists()
