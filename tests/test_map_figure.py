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
from test_map_features import CHROMIUM, MAPS_DRAWN, open_page  # noqa: F401  (open_page: a fixture)
from test_render import many_events, read_events

from geomap.render import write_map
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
    from click.testing import CliRunner

    from geomap.cli import cli

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
