"""The map as a figure in a report (issue 14): a clean, sharp snapshot, a printed page,
a fragment inside a styled report page, `geomap render` beside a run.

Browser tests open the written file in headless Debian Chromium with every request that
leaves the file blocked and counted, and fail on any console error.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import PUBLISHED
from test_map_features import CHROMIUM, MAPS_DRAWN, grid_events, open_page  # noqa: F401  (open_page: a fixture)
from test_render import many_events, read_events

from geomap.cli import cli
from geomap.render import render_fragment, write_map
from geomap.render.snapshot import _CLEAN

TITLE = "Kursk offensive, August 2024"

# What a reader could click or type into, among what is visible: inputs, buttons, selects,
# and the controls' links that act as buttons (Leaflet's zoom, the layer switch).
VISIBLE_CONTROLS = """() => [...document.querySelectorAll(
        'input, button, select, textarea, .leaflet-control-container [role="button"]')]
    .filter(e => e.checkVisibility() && e.getBoundingClientRect().width > 0)
    .map(e => e.outerHTML.slice(0, 80))"""

# The drawn events (pins, dots, squares) each of which overlaps a visible control.
EVENTS_UNDER_CONTROLS = """() => {
    const controls = [...document.querySelectorAll('.leaflet-control-container .leaflet-control')]
        .filter(c => c.checkVisibility()).map(c => c.getBoundingClientRect()).filter(b => b.width && b.height);
    return [...document.querySelectorAll('.geomap-event')].filter(e => {
        const r = (e.querySelector('.geomap-area-square') || e).getBoundingClientRect();
        return controls.some(b => r.right > b.left && r.left < b.right && r.bottom > b.top && r.top < b.bottom);
    }).map(e => e.title);
}"""


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --- geomap snapshot --clean --scale ----------------------------------------------------


@pytest.mark.browser
def test_clean_snapshot_at_scale_2_is_a_1600_px_figure(tmp_path: Path) -> None:
    html = write_map(read_events(), tmp_path / "map.html", title=TITLE)
    png = tmp_path / "x.png"
    result = subprocess.run(
        [sys.executable, "-m", "geomap", "snapshot", str(html), "-o", str(png),
         "--clean", "--scale", "2", "--width", "800", "--height", "500"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "GEOMAP_CHROMIUM": str(CHROMIUM)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Wrote {png} (1600x1000)\n"
    assert png_size(png) == (1600, 1000)


@pytest.mark.browser
def test_the_clean_page_has_no_control_but_keeps_title_legend_and_credits(open_page, tmp_path: Path) -> None:
    seen = open_page(write_map(read_events(), tmp_path / "map.html", title=TITLE), viewport=(800, 500))
    page = seen.page
    before = page.evaluate(VISIBLE_CONTROLS)
    assert len(before) > 5  # the type boxes, dates, search, download, zoom, layers: there to hide
    page.evaluate(_CLEAN)
    assert page.evaluate(VISIBLE_CONTROLS) == []
    assert page.locator(".geomap-title").inner_text() == TITLE
    legend = page.locator(".geomap-legend")
    assert legend.is_visible() and "pin: the place itself" in legend.inner_text()  # unfolded
    attribution = page.locator(".leaflet-control-attribution")
    assert attribution.is_visible()
    for credit in ("OpenStreetMap", "GeoNames", "Natural Earth"):
        assert credit in attribution.inner_text()
    # the view is fitted anew into the room the title and the legend leave: every event shows
    assert page.locator(".geomap-event").count() == 4
    assert page.evaluate(EVENTS_UNDER_CONTROLS) == []
    assert seen.errors == [] and seen.outside_requests == []


def test_snapshot_refuses_a_scale_out_of_range(tmp_path: Path) -> None:
    html = tmp_path / "map.html"
    html.write_text("<!DOCTYPE html><title>x</title>", encoding="utf-8")
    result = CliRunner().invoke(cli, ["snapshot", str(html), "--scale", "9"])
    assert result.exit_code == 2
    assert "Invalid value for '--scale'" in result.output
    assert not (tmp_path / "map.png").exists()


# --- print -------------------------------------------------------------------------------

MM = 96 / 25.4  # CSS pixels per millimetre
PAGE_AREA = {"A4": (210 - 24, 297 - 24), "Letter": (215.9 - 24, 279.4 - 24)}  # in mm, inside 12 mm margins

# Where the map, its legend, the table and each drawn event are on the page.
PRINTED = """() => {
    const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
    const map = document.querySelector('.leaflet-container');
    const table = document.querySelector('.geomap-table');
    return {
        map: box(map), legend: box(map.querySelector('.geomap-legend')), table: box(table),
        tableInMap: map.contains(table), rows: [...table.querySelectorAll('tbody tr')].map(r => r.cells[2].textContent),
        events: [...map.querySelectorAll('.geomap-event')].map(e => box(e.querySelector('.geomap-area-square') || e)),
    };
}"""


# Print media switched on, the page has laid itself out for print (the table out of the map)
# and drawn the view it fitted for the paper.
PRINT_READY = """() => {
    const map = document.querySelector('.leaflet-container');
    return !map.contains(document.querySelector('.geomap-table'))
        && !document.querySelector('.leaflet-tile:not(.leaflet-tile-loaded)');
}"""


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def inside(inner: dict, outer: dict) -> bool:
    return (inner["left"] >= outer["left"] and inner["right"] <= outer["right"]
            and inner["top"] >= outer["top"] and inner["bottom"] <= outer["bottom"])


@pytest.mark.browser
def test_printed_the_map_and_legend_fill_the_first_page_and_the_table_follows(open_page, tmp_path: Path) -> None:
    path = write_map(read_events(), tmp_path / "map.html", title=TITLE)
    seen = open_page(path, viewport=(round(210 * MM), round(297 * MM)))  # an A4 sheet's width
    page = seen.page
    page.emulate_media(media="print")
    page.wait_for_function(PRINT_READY, timeout=10_000)
    page.wait_for_function(MAPS_DRAWN, timeout=10_000)
    at = page.evaluate(PRINTED)
    for paper, (width, height) in PAGE_AREA.items():
        assert at["map"]["top"] >= 0 and at["map"]["bottom"] <= height * MM, paper
        assert at["map"]["right"] - at["map"]["left"] <= width * MM, paper
    assert page.evaluate(VISIBLE_CONTROLS) == []
    assert page.locator(".geomap-legend").is_visible() and inside(at["legend"], at["map"])
    assert "pin: the place itself" in page.locator(".geomap-legend").inner_text()
    assert len(at["events"]) == 4 and all(inside(e, at["map"]) for e in at["events"])
    assert page.evaluate(EVENTS_UNDER_CONTROLS) == []
    # the table: out of the map, after it, unfolded, with the events
    assert not at["tableInMap"] and at["table"]["top"] >= at["map"]["bottom"]
    assert {"Korenevo", "Istanbul"} <= set(at["rows"])
    assert page.locator(".geomap-table").is_visible()
    # the PDFs: the map, its legend and this short table on one sheet, A4 as Letter
    assert pdf_pages(page.pdf(format="A4")) == 1
    assert pdf_pages(page.pdf(format="Letter")) == 1
    # back on screen: the table in the map again, the filters there
    page.emulate_media(media="screen")
    page.wait_for_function("() => document.querySelector('.leaflet-container .geomap-table') !== null")
    assert page.locator(".geomap-panel").is_visible()
    assert seen.errors == [] and seen.outside_requests == []


@pytest.mark.browser
def test_printed_the_time_strip_stands_under_the_map_on_its_page_before_the_table(open_page, tmp_path: Path) -> None:
    path = write_map(many_events(300), tmp_path / "map.html", title=TITLE)
    seen = open_page(path, viewport=(round(210 * MM), round(297 * MM)))
    page = seen.page
    page.locator(".geomap-time summary").click()  # folded on screen: it prints unfolded all the same
    page.emulate_media(media="print")
    page.wait_for_function(PRINT_READY, timeout=10_000)
    at = page.evaluate(PRINTED)
    strip = page.evaluate(
        """() => { const s = document.querySelector('.geomap-time'), r = s.getBoundingClientRect(),
                         h = s.querySelector('.geomap-histogram').getBoundingClientRect();
                   return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, histogram: h.width,
                           bars: s.querySelectorAll('.geomap-bar').length, open: s.open}; }"""
    )
    assert strip["open"] and page.locator(".geomap-time .geomap-histogram").is_visible()
    # under the map, as wide as it, with its bars; the whole of it on the first page of A4 and Letter
    assert at["map"]["bottom"] <= strip["top"] < at["map"]["bottom"] + 10
    assert strip["histogram"] >= 0.5 * (at["map"]["right"] - at["map"]["left"]) and strip["bars"] > 50
    assert strip["bottom"] <= PAGE_AREA["Letter"][1] * MM and strip["bottom"] <= PAGE_AREA["A4"][1] * MM
    assert "2024-01-01" in page.locator(".geomap-time-axis").inner_text()
    assert page.evaluate(VISIBLE_CONTROLS) == []  # no play button, no switch
    # the table after the strip, not between it and the map
    assert at["table"]["top"] >= strip["bottom"] and len(at["rows"]) == 300
    # back on screen: folded again, as the reader left it
    page.emulate_media(media="screen")
    page.wait_for_function("() => !document.querySelector('.geomap-time').open")
    assert seen.errors == []


@pytest.mark.browser
def test_a_long_table_prints_on_the_pages_after_the_map(open_page, tmp_path: Path) -> None:
    seen = open_page(write_map(many_events(120), tmp_path / "map.html", title=TITLE))
    page = seen.page
    pdf = page.pdf(format="A4")  # the browser's print: beforeprint, print media, afterprint
    assert pdf_pages(pdf) >= 3
    page.emulate_media(media="print")
    page.wait_for_function(PRINT_READY, timeout=10_000)
    at = page.evaluate(PRINTED)
    assert at["map"]["bottom"] <= PAGE_AREA["Letter"][1] * MM
    assert len(at["rows"]) == 120 and at["table"]["top"] >= at["map"]["bottom"]
    assert seen.errors == []


# --- embedded in a report page with its own CSS -------------------------------------------

# Rules report pages carry (a form framework, a reset, a blog theme): none of them may reach the map.
HOST_CSS = (
    "input { width: 100%; } * { box-sizing: content-box; } div { padding: 20px; } "
    "img { max-width: 100%; } button { background: red; padding: 12px; } label { display: block; } "
    "summary { display: block; } ul { padding-left: 40px; } a { color: red; } "
    "body { font: 20px/2 serif; color: #600; text-align: center; }"
)

# Where each part of each map is, relative to its fragment: the controls, the type boxes
# and the drawn events (which move if a host rule pads Leaflet's panes).
LAYOUT = """() => Object.fromEntries([...document.querySelectorAll('.geomap-embed')].map(root => {
    const origin = root.getBoundingClientRect();
    const box = e => { const r = e.getBoundingClientRect();
        return [r.left - origin.left, r.top - origin.top, r.width, r.height].map(Math.round); };
    const parts = {root: [[0, 0, Math.round(origin.width), Math.round(origin.height)]]};
    for (const selector of ['.geomap-panel', '.geomap-panel label', 'input[data-geomap="type"]', '.geomap-swatch',
                            'input[type="date"]', 'input[type="search"]', '[data-geomap="download"]', '.geomap-legend',
                            '.geomap-title', '.geomap-table', '.leaflet-control-zoom', '.leaflet-control-attribution',
                            '.geomap-event', '.leaflet-tile-loaded']) {
        parts[selector] = [...root.querySelectorAll(selector)].slice(0, 40).map(box);
    }
    return [root.id, parts];
}))"""


def report_page(path: Path, css: str) -> Path:
    first = render_fragment(read_events(), name="first", title="First", height="420px")
    second = render_fragment(grid_events(), name="second", title="Second", height="420px")
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>A report</title>"
        f"<style>{css}</style></head><body><div style='width: 1000px'>"
        f"<h1>A report</h1><p>Before the maps.</p>{first}<p>Between the maps.</p>{second}<p>After.</p>"
        "</div></body></html>",
        encoding="utf-8",
    )
    return path


def close_enough(a: list, b: list, tolerance: int = 2) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= tolerance for p, q in zip(a, b) for x, y in zip(p, q))


@pytest.mark.browser
def test_a_fragment_in_a_styled_report_page_looks_as_in_a_plain_one(open_page, tmp_path: Path) -> None:
    plain = open_page(report_page(tmp_path / "plain.html", ""), viewport=(1100, 1200))
    styled = open_page(report_page(tmp_path / "styled.html", HOST_CSS), viewport=(1100, 1200))
    expected, seen = plain.page.evaluate(LAYOUT), styled.page.evaluate(LAYOUT)
    for name in ("first", "second"):
        for part, boxes in expected[name].items():
            assert boxes, (name, part)  # each part is there to compare
            assert close_enough(seen[name][part], boxes), (name, part, seen[name][part][:3], boxes[:3])
    # the type boxes keep a checkbox's size (a host's `input {width: 100%}` made them 68 px wide)
    widths = styled.page.locator('input[data-geomap="type"]').evaluate_all("bs => bs.map(b => b.offsetWidth)")
    assert len(widths) == 4 + 5 and max(widths) <= 20  # the first map: 4 types (its unplaced event is listed)
    button = styled.page.locator('#first [data-geomap="download"]')
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(255, 0, 0)"
    # the page keeps its own style
    assert styled.page.locator("h1").evaluate("h => getComputedStyle(h).textAlign") == "center"
    # and the two maps stay apart: filtering one leaves the other
    styled.page.locator("#second .geomap-panel label", has_text="Battles").locator("input").uncheck()
    styled.wait_for_count("10 of 14", nth=1)
    assert styled.count_text(0) == "5 of 5 events shown"
    assert styled.page.locator("#first .geomap-event").count() == 4
    styled.page.locator("#first .geomap-panel label", has_text="Battles").locator("input").uncheck()
    styled.wait_for_count("4 of 5", nth=0)
    assert styled.count_text(1) == "10 of 14 events shown"
    assert plain.errors == [] and styled.errors == [] and styled.outside_requests == []


# --- geomap render beside a run ----------------------------------------------------------


def page_title(path: Path) -> str:
    match = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"))
    assert match is not None
    return match.group(1)


def render(*args: object) -> str:
    result = CliRunner().invoke(cli, ["render", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result.output


def test_render_keeps_the_runs_title_and_never_writes_over_its_map(tmp_path: Path, gazetteer, write_reports) -> None:
    out = tmp_path / "out"
    for indices, title in (([0], "Missile strike on Kharkiv"), ([0, 1, 2], "geomap: 3 articles")):
        write_reports(tmp_path / "in", indices)
        result = CliRunner().invoke(cli, ["run", str(tmp_path / "in"), "--out", str(out), "--published", PUBLISHED])
        assert result.exit_code == 0, result.output
        run_map = (out / "map.html").read_bytes()
        assert page_title(out / "map.html") == title
        # beside the table, as the run titled it; the run's own map left as it was
        assert render(out / "events.csv").endswith(f"to {out / 'events-map.html'}\n")
        assert page_title(out / "events-map.html") == title
        assert (out / "map.html").read_bytes() == run_map
        render(out)  # the store's folder: its events, beside them
        assert page_title(out / "events-map.html") == title
        assert (out / "map.html").read_bytes() == run_map
    # where -o says: a file, a folder; --title still wins
    assert render(out / "events.geojson", "-o", tmp_path / "report" / "kursk.html").endswith(
        f"to {tmp_path / 'report' / 'kursk.html'}\n")
    assert page_title(tmp_path / "report" / "kursk.html") == "geomap: 3 articles"
    render(out / "events.csv", "-o", tmp_path / "report", "--title", "Kharkiv and Odesa")
    assert page_title(tmp_path / "report" / "events-map.html") == "Kharkiv and Odesa"
    # a table far from its store: titled from the articles it names
    away = tmp_path / "away"
    away.mkdir()
    header, *rows = (out / "events.csv").read_text(encoding="utf-8").splitlines()
    kharkiv = [row for row in rows if "Missile strike on Kharkiv" in row]
    assert kharkiv and len(kharkiv) < len(rows)
    (away / "one.csv").write_text("\n".join([header, *kharkiv]) + "\n", encoding="utf-8")
    render(away / "one.csv")
    assert page_title(away / "one-map.html") == "Missile strike on Kharkiv"
    assert not (away / "map.html").exists()
