"""The map's time strip (issue 14, item 10): the events per day as bars under the map, a range
brushed across them that every other view follows (pins, count, table, CSV, link), step and
play through the days, and a visible "include undated (N)" switch; and no control of the map
lying over another (the strip is under the map, not over it).

Browser tests: the written file in headless Debian Chromium, offline, failing on any console error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_map_features import Visit, download_csv, grid_events, open_page, table_rows  # noqa: F401
from test_render import many_events, read_events

from geomap.render import write_map

pytestmark = pytest.mark.browser

BARS = ".geomap-time .geomap-bar"


def bar_titles(page) -> list[str]:
    return page.locator(BARS).evaluate_all("bars => bars.map(b => b.title)")


def in_range(page) -> list[bool]:
    return page.locator(BARS).evaluate_all("bars => bars.map(b => b.classList.contains('geomap-in-range'))")


def dates(page) -> tuple[str, str]:
    return (page.locator('[data-geomap="date-from"]').input_value(), page.locator('[data-geomap="date-to"]').input_value())


@pytest.fixture
def grid(open_page, tmp_path: Path) -> Visit:
    # 14 events: 3 on each of 2024-08-01 .. 04, a fourth on the 2nd, one undated (a plan)
    return open_page(write_map(grid_events(), tmp_path / "grid.html"), viewport=(1400, 900))


def test_the_strip_shows_events_per_day_and_a_brushed_range_drives_every_view(grid: Visit) -> None:
    page = grid.page
    strip = page.locator(".geomap-time")
    assert strip.is_visible()
    assert bar_titles(page) == ["2024-08-01: 3 events", "2024-08-02: 4 events", "2024-08-03: 3 events",
                                "2024-08-04: 3 events"]
    heights = page.locator(BARS).evaluate_all("bars => bars.map(b => b.getBoundingClientRect().height)")
    assert heights[1] > heights[0] > 0 and heights[0] == heights[2] == heights[3]  # the busiest day is highest
    assert in_range(page) == [True] * 4 and strip.locator("summary").inner_text() == "Time: all dates"
    # drag from the 2nd's bar to the 3rd's
    second, third = (page.locator(BARS).nth(k).bounding_box() for k in (1, 2))
    page.mouse.move(second["x"] + second["width"] / 2, second["y"] + second["height"] / 2)
    page.mouse.down()
    page.mouse.move(third["x"] + third["width"] / 2, third["y"] + 2, steps=4)
    page.mouse.up()
    grid.wait_for_count("8 of 14")  # 4 + 3, and the undated plan ("include undated" is ticked)
    assert dates(page) == ("2024-08-02", "2024-08-03")  # the panel's boxes say the same range
    assert in_range(page) == [False, True, True, False]
    assert strip.locator("summary").inner_text() == "Time: 2024-08-02 to 2024-08-03 (2 days)"
    assert grid.drawn() == 8
    page.locator(".geomap-table summary").click()
    page.wait_for_function("() => document.querySelectorAll('.geomap-table tbody tr').length === 8")
    assert sorted({r[0] for r in table_rows(page)}) == ["2024-08-02", "2024-08-03", "undated"]
    _, rows = download_csv(page)
    assert len(rows) == 8
    page.wait_for_function("() => location.hash.includes('geomap.from=2024-08-02')")  # the link keeps it
    # the bars count what the other filters pass: without the battles, the 1st had 2
    page.locator(".geomap-panel label", has_text="Battles").locator("input").uncheck()
    grid.wait_for_count("6 of 14")
    assert bar_titles(page)[0] == "2024-08-01: 2 events"
    page.locator('[data-geomap="time-all"]').click()
    grid.wait_for_count("10 of 14")
    assert dates(page) == ("", "") and strip.locator("summary").inner_text() == "Time: all dates"
    assert grid.errors == [] and grid.outside_requests == []


def test_step_and_play_walk_through_the_days(grid: Visit) -> None:
    page = grid.page
    step = page.get_by_role("button", name="step forward")
    step.click()
    grid.wait_for_count("4 of 14")  # the first day, and the undated plan
    assert dates(page) == ("2024-08-01", "2024-08-01")
    step.click()
    grid.wait_for_count("5 of 14")
    assert dates(page) == ("2024-08-02", "2024-08-02") and in_range(page) == [False, True, False, False]
    page.get_by_role("button", name="step back").click()
    grid.wait_for_count("4 of 14")
    assert dates(page) == ("2024-08-01", "2024-08-01")
    play = page.locator('[data-geomap="time-play"]')
    play.click()
    assert play.inner_text() == "❚❚ pause"
    # a day every 0.9 s, to the last, where it stops by itself
    page.wait_for_function("() => document.querySelector('[data-geomap=\"time-play\"]').textContent === '▶ play'",
                           timeout=10_000)
    assert dates(page) == ("2024-08-04", "2024-08-04")
    assert grid.count_text() == "4 of 14 events shown"
    assert grid.errors == []


def test_include_undated_is_a_visible_switch_on_the_strip(open_page, tmp_path: Path) -> None:
    seen = open_page(write_map(read_events(), tmp_path / "kursk.html"), viewport=(390, 844))  # a phone
    page = seen.page
    switch = page.locator(".geomap-time label", has_text="include undated (1)")
    assert switch.is_visible()  # the panel is folded on a phone: the strip's switch is in view
    switch.locator("input").uncheck()
    seen.wait_for_count("4 of 5")  # the undated Istanbul talks left out
    assert page.locator('.geomap-panel [data-geomap="undated"]').is_checked() is False  # one switch, shown twice
    page.wait_for_function("() => location.hash.includes('geomap.undated=0')")
    switch.locator("input").check()
    seen.wait_for_count("5 of 5")
    assert seen.errors == []


# Each pair of the map's visible controls that overlap, with the size of the overlap.
OVERLAPS = """() => {
    const controls = [...document.querySelectorAll('.leaflet-control-container .leaflet-control')]
        .filter(c => c.offsetWidth && c.offsetHeight);
    const out = [];
    for (let a = 0; a < controls.length; a++) for (let b = a + 1; b < controls.length; b++) {
        const r = controls[a].getBoundingClientRect(), s = controls[b].getBoundingClientRect();
        const w = Math.min(r.right, s.right) - Math.max(r.left, s.left), h = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
        if (w > 0 && h > 0) out.push([controls[a].className.split(' ')[0], controls[b].className.split(' ')[0], w, h]);
    }
    return out;
}"""


@pytest.mark.parametrize("viewport", [(1400, 900), (390, 844), (640, 400)], ids=["desktop", "phone", "embed"])
def test_no_control_lies_over_another(open_page, tmp_path: Path, viewport) -> None:
    seen = open_page(write_map(read_events(), tmp_path / "map.html", title="Kursk offensive, August 2024"),
                     viewport=viewport)
    page = seen.page
    assert page.evaluate(OVERLAPS) == []
    for summary in (".geomap-panel summary", ".geomap-legend summary"):  # opened or folded
        page.locator(summary).click()
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        assert page.evaluate(OVERLAPS) == [], summary
    assert seen.errors == []


@pytest.mark.parametrize("viewport", [(640, 400), (800, 500)], ids=["embed", "small-window"])
def test_the_detail_notes_arrival_pushes_no_control_over_another(open_page, tmp_path: Path, viewport) -> None:
    # the legend opened at the fitted view (zoom 4, no note), then zoomed in past the basemap's detail:
    # the note joined the legend's corner and pushed the legend up over the zoom buttons and the panel
    seen = open_page(write_map(read_events(), tmp_path / "map.html", title="Kursk"), viewport=viewport)
    page = seen.page
    legend = page.locator(".geomap-legend")
    if not legend.evaluate("d => d.open"):
        legend.locator("summary").click()
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert page.evaluate(OVERLAPS) == []
    page.evaluate(
        """() => new Promise(done => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            map.once('moveend', () => requestAnimationFrame(() => requestAnimationFrame(done)));
            map.setView([51.41, 34.90], 10, {animate: false});
        })"""
    )
    note = page.locator(".geomap-detail-note")
    assert note.is_visible() and "detail ends at zoom 5" in note.inner_text()
    # Leaflet stacks it in the bottom-left corner, with the legend and the scale
    assert note.evaluate("n => n.parentNode.matches('.leaflet-bottom.leaflet-left')")
    assert page.evaluate(OVERLAPS) == []
    assert legend.evaluate("d => d.open")  # still open (it scrolls in the room left), not folded away
    # zoomed out again, the note goes and nothing overlaps either
    page.evaluate(
        """() => new Promise(done => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            map.once('moveend', () => requestAnimationFrame(() => requestAnimationFrame(done)));
            map.setView([51.41, 34.90], 4, {animate: false});
        })"""
    )
    assert not note.is_visible() and page.evaluate(OVERLAPS) == []
    assert seen.errors == []


def test_the_range_is_chosen_from_the_keyboard_too(grid: Visit) -> None:
    page = grid.page
    page.locator(".geomap-time .geomap-histogram").focus()
    page.keyboard.press("ArrowRight")
    grid.wait_for_count("4 of 14")
    assert dates(page) == ("2024-08-01", "2024-08-01")
    page.keyboard.press("Shift+ArrowRight")  # widened by a day
    grid.wait_for_count("8 of 14")
    assert dates(page) == ("2024-08-01", "2024-08-02") and in_range(page) == [True, True, False, False]
    page.keyboard.press("ArrowRight")  # moved by a day, its length kept
    assert dates(page) == ("2024-08-02", "2024-08-03")
    page.keyboard.press("End")
    grid.wait_for_count("4 of 14")
    assert dates(page) == ("2024-08-04", "2024-08-04")
    assert grid.errors == []


def test_on_a_phone_the_strip_is_the_screens_width_with_bars_a_finger_can_pick(open_page, tmp_path: Path) -> None:
    # 300 events over 2024 (a bar per 4 days), one undated: at 390x844 the bars stood in 218 px
    # beside the undated switch, 1.4 px each
    events = many_events(300)
    events.loc[299, "event_date"] = None  # an undated one: its switch stands on the strip too
    seen = open_page(write_map(events, tmp_path / "year.html"), viewport=(390, 844))
    page = seen.page
    histogram = page.locator(".geomap-time .geomap-histogram").bounding_box()
    assert histogram["width"] >= 0.85 * 390, histogram
    widths = page.locator(BARS).evaluate_all("bars => bars.map(b => b.getBoundingClientRect().width)")
    assert min(widths) >= 2.5, f"bars {min(widths):.1f} px wide"
    # a tap on a bar picks its days, as the bar's title says
    titles = bar_titles(page)
    k = next(k for k in range(len(titles) // 2, len(titles)) if not titles[k].endswith(": 0 events"))
    first_day, last_day = titles[k].split(":")[0].split(" to ")
    bar = page.locator(BARS).nth(k).bounding_box()
    page.mouse.click(bar["x"] + bar["width"] / 2, histogram["y"] + histogram["height"] - 2)
    page.wait_for_function(
        "d => document.querySelector('[data-geomap=\"date-to\"]').value === d", arg=last_day, timeout=5000)
    assert dates(page) == (first_day, last_day)
    assert page.locator('[data-geomap="time-per"]').inner_text() == "per 4 days"
    assert seen.errors == []
