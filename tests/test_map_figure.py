"""The map as a figure in a report (issue 14): a clean, sharp snapshot, a printed page,
a fragment inside a styled report page, `geomap render` beside a run.

Browser tests open the written file in headless Debian Chromium with every request that
leaves the file blocked and counted, and fail on any console error.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from test_map_features import CHROMIUM, open_page  # noqa: F401  (open_page: a fixture)
from test_render import read_events

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
