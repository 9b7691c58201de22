"""The map as a report figure (issue 14): small screens, popups clear of the controls, the
table of every event, the view in the link, clean snapshots and print, embeds in a styled
page, very long article text.

Browser tests open the written file in headless Debian Chromium with every request that
leaves the file blocked and counted, and fail on any console error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_map_features import Visit, grid_events, open_page  # noqa: F401  (open_page: a fixture)
from test_render import read_events

from geomap.render import write_map

pytestmark = pytest.mark.browser

# The share of the map's area under its controls (panel, legend, title, table, zoom,
# layers, attribution, scale), sampled every 5 px over the map.
COVERED = """() => {
    const map = document.querySelector('.leaflet-container');
    const area = map.getBoundingClientRect();
    const boxes = [...map.querySelectorAll('.leaflet-control-container .leaflet-control')]
        .map(c => c.getBoundingClientRect()).filter(b => b.width && b.height);
    let covered = 0, all = 0;
    for (let x = area.left + 2.5; x < area.right; x += 5) {
        for (let y = area.top + 2.5; y < area.bottom; y += 5) {
            all += 1;
            if (boxes.some(b => x >= b.left && x < b.right && y >= b.top && y < b.bottom)) covered += 1;
        }
    }
    return covered / all;
}"""

# Where the open popup is against the map and each of its controls.
POPUP_CLEAR = """() => {
    const map = document.querySelector('.leaflet-container');
    const area = map.getBoundingClientRect();
    const popup = map.querySelector('.leaflet-popup').getBoundingClientRect();
    const over = [...map.querySelectorAll('.leaflet-control-container .leaflet-control')]
        .filter(c => { const b = c.getBoundingClientRect();
            return b.width && b.height && popup.right > b.left && popup.left < b.right
                && popup.bottom > b.top && popup.top < b.bottom; })
        .map(c => c.className);
    const inside = popup.left >= area.left && popup.right <= area.right
        && popup.top >= area.top && popup.bottom <= area.bottom;
    return {inside, over};
}"""

# Move the map so that the pin of event `id` sits just under the filter panel's lower
# left corner, then open its popup as a click would.
OPEN_UNDER_PANEL = """id => {
    const explorer = document.querySelector('.geomap-ready').geomap;
    const map = explorer.map;
    const panel = map.getContainer().querySelector('.geomap-panel').getBoundingClientRect();
    const area = map.getContainer().getBoundingClientRect();
    const drawn = Object.values(explorer.drawn).map(d => d.marker)
        .find(m => explorer.value(m.geomapIndex, 'event_id') === id);
    const target = L.point(panel.left - area.left + 30, panel.bottom - area.top + 30);
    map.panBy(map.latLngToContainerPoint(drawn.getLatLng()).subtract(target), {animate: false});
    drawn.fire('click');
}"""


def test_on_a_phone_the_controls_fold_and_leave_the_map_in_view(open_page, tmp_path: Path) -> None:
    path = write_map(read_events(), tmp_path / "phone.html", title="Kursk offensive, August 2024")
    seen = open_page(path, viewport=(390, 844))
    page = seen.page
    assert page.evaluate(COVERED) <= 1 / 3
    # folded, each still says what it holds, and opens with a tap
    assert seen.count_text() == "4 of 4 events shown"
    assert not page.locator(".geomap-panel label", has_text="Battles").is_visible()
    page.locator(".geomap-panel summary").click()
    page.locator(".geomap-panel label", has_text="Battles").locator("input").uncheck()
    seen.wait_for_count("3 of 4")
    page.locator(".geomap-legend summary").click()
    assert page.locator(".geomap-legend", has_text="pin: the place itself").is_visible()
    # a wide screen opens with both unfolded
    wide = open_page(path, viewport=(1280, 800))
    assert wide.page.locator(".geomap-panel label", has_text="Battles").is_visible()
    assert wide.page.locator(".geomap-legend", has_text="pin: the place itself").is_visible()
    assert seen.errors == [] and wide.errors == []


@pytest.mark.parametrize("viewport", [(390, 844), (1280, 800)])
def test_a_popup_pans_into_view_clear_of_the_controls(open_page, tmp_path: Path, viewport) -> None:
    seen = open_page(write_map(read_events(), tmp_path / "map.html", title="Kursk offensive, August 2024"),
                     viewport=viewport)
    page = seen.page
    page.evaluate("() => document.querySelector('.geomap-ready').geomap.map.setView([51.41, 34.9], 7, {animate: false})")
    page.evaluate(OPEN_UNDER_PANEL, "ev-korenevo")
    page.locator(".leaflet-popup-content", has_text="Korenevo").wait_for()
    assert page.evaluate(POPUP_CLEAR) == {"inside": True, "over": []}
    assert seen.errors == []
