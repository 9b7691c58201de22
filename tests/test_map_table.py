"""The map's events table as an analyst works with it (issue 14, items 8 and 10): every event
listed (those the text places nowhere as "no place", those without a date as "undated", both in
the CSV download), sorted by a click on a header, with country and actors columns, following the
view on request; and the filters, sort and view in the URL hash, so that a link reopens them.

Browser tests: the written file in headless Debian Chromium, offline, failing on any console error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import watch
from test_map_features import Visit, download_csv, grid_events, open_page, table_rows  # noqa: F401
from test_render import read_events

from geomap.render import render_fragment, write_map

pytestmark = pytest.mark.browser

DATE, TYPE, PLACE, COUNTRY, ACTORS_COLUMN, FATALITIES, STATUS = range(7)


def open_table(page) -> list[list[str]]:
    page.locator(".geomap-table summary").click()
    page.wait_for_function("() => document.querySelectorAll('.geomap-table tbody tr').length > 0")
    return table_rows(page)


def sort_state(page) -> dict[str, str]:
    """Each header's text and its aria-sort, where it has one."""
    return page.locator(".geomap-table th").evaluate_all(
        "ths => Object.fromEntries(ths.filter(t => t.hasAttribute('aria-sort'))"
        ".map(t => [t.querySelector('button').textContent, t.getAttribute('aria-sort')]))"
    )


def explorer_view(page) -> dict:
    return page.evaluate(
        """() => { const m = document.querySelector('.geomap-ready').geomap.map;
                   const c = m.getCenter(); return {lat: c.lat, lon: c.lng, zoom: m.getZoom()}; }"""
    )


@pytest.fixture
def kursk_map(open_page, tmp_path: Path) -> Visit:
    return open_page(write_map(read_events(), tmp_path / "kursk.html"))


def test_an_event_without_a_place_is_listed_as_no_place_and_is_in_the_csv(kursk_map: Visit) -> None:
    page = kursk_map.page
    assert page.locator(".geomap-event").count() == 4  # 5 events: one the text places nowhere
    assert kursk_map.count_text() == "5 of 5 events shown"
    rows = open_table(page)
    assert page.locator(".geomap-table summary").inner_text() == "Table of shown events (5)"
    assert [(r[DATE], r[PLACE]) for r in rows] == [
        ("2024-08-06", "Korenevo"), ("2024-08-07", "Luhansk Oblast"), ("2024-08-08", "Moscow International Business Center"),
        ("2024-08-10", "no place"), ("undated", "Istanbul"),  # the undated plan marked, last
    ]
    unplaced = rows[3]
    assert unplaced[TYPE] == "Violence against civilians"
    assert unplaced[ACTORS_COLUMN] == "Unidentified armed group → Civilians"
    assert page.locator(".geomap-table tbody tr").nth(3).locator("td").nth(PLACE).locator(".geomap-missing").count() == 1
    # a click opens its popup (at the map's centre: it has no place), which says so
    page.locator(".geomap-table tbody tr").nth(3).click()
    popup = page.locator(".leaflet-popup-content")
    assert "no place: not on the map" in popup.inner_text()
    assert "Several civilians were detained" in popup.inner_text()
    name, events = download_csv(page)
    assert [e["event_id"] for e in events] == [
        "ev-korenevo", "ev-luhansk", "ev-moscow-city", "ev-unlocated", "ev-istanbul"
    ]
    row = events[3]
    assert (row["lat"], row["lon"], row["place_name"], row["event_date"]) == ("", "", "", "2024-08-10")
    assert events[4]["event_date"] == ""  # the undated plan too
    # the filters reach it as any other event: unticking its type hides it from table and CSV
    page.locator(".geomap-panel label", has_text="Violence against civilians").locator("input").uncheck()
    kursk_map.wait_for_count("4 of 5")
    assert "no place" not in [r[PLACE] for r in table_rows(page)]
    assert "ev-unlocated" not in [e["event_id"] for e in download_csv(page)[1]]
    assert kursk_map.errors == []


def test_the_count_says_how_many_shown_events_are_not_on_the_map(kursk_map: Visit) -> None:
    page = kursk_map.page
    summary = page.locator(".geomap-panel summary")
    assert page.locator(".geomap-event").count() == 4
    assert summary.inner_text() == "5 of 5 events shown · 1 not on the map"  # 5 counted, 4 drawn: it says why
    page.locator(".geomap-panel label", has_text="Violence against civilians").locator("input").uncheck()
    kursk_map.wait_for_count("4 of 5")
    assert summary.inner_text() == "4 of 5 events shown"  # the unplaced one filtered out: all shown are drawn
    page.locator(".geomap-panel label", has_text="Violence against civilians").locator("input").check()
    page.locator('[data-geomap="search"]').fill("korenevo")
    kursk_map.wait_for_count("1 of 5")
    assert summary.inner_text() == "1 of 5 events shown"
    assert kursk_map.errors == []


def test_the_country_and_actors_columns_show_each_events(kursk_map: Visit) -> None:
    rows = {r[PLACE]: r for r in open_table(kursk_map.page)}
    assert rows["Korenevo"][COUNTRY] == "Russia"
    assert rows["Luhansk Oblast"][COUNTRY] == "Ukraine"
    assert rows["Korenevo"][ACTORS_COLUMN] == "Ukrainian forces → Russian forces"
    assert rows["no place"][COUNTRY] == ""
    assert kursk_map.errors == []


def test_a_click_on_a_header_sorts_the_table(open_page, tmp_path: Path) -> None:
    seen = open_page(write_map(grid_events(), tmp_path / "grid.html"))
    page = seen.page
    rows = open_table(page)
    assert sort_state(page) == {"Date": "ascending"}  # as it opens: by date, undated last
    dates = [r[DATE] for r in rows]
    assert dates == sorted(dates[:-1]) + ["undated"]

    page.locator(".geomap-table th button", has_text="Date").click()
    assert sort_state(page) == {"Date": "descending"}
    dates = [r[DATE] for r in table_rows(page)]
    assert dates[0] == "2024-08-04" and dates[-2] == "2024-08-01" and dates[-1] == "undated"  # missing last either way
    assert dates[:-1] == sorted(dates[:-1], reverse=True)

    page.locator(".geomap-table th button", has_text="Place").click()
    assert sort_state(page) == {"Place": "ascending"}
    places = [r[PLACE] for r in table_rows(page)]
    assert [p.casefold() for p in places] == sorted(p.casefold() for p in places)
    page.locator(".geomap-table th button", has_text="Place").click()
    assert sort_state(page) == {"Place": "descending"}
    assert [r[PLACE] for r in table_rows(page)] == places[::-1]
    assert seen.errors == []


def test_only_events_in_view_follows_the_map(open_page, tmp_path: Path) -> None:
    seen = open_page(write_map(grid_events(), tmp_path / "grid.html"))
    page = seen.page
    assert len(open_table(page)) == 14
    page.locator('[data-geomap="in-view"]').check()
    assert len(table_rows(page)) == 14  # the map opens fitted to every event
    # Odesa (at 45.0, 24.0 in the grid, the others 5 degrees or more away) alone in view
    page.evaluate("() => document.querySelector('.geomap-ready').geomap.map.setView([45.0, 24.0], 8, {animate: false})")
    page.wait_for_function("() => document.querySelectorAll('.geomap-table tbody tr').length === 1")
    assert [r[PLACE] for r in table_rows(page)] == ["Odesa"]
    assert page.locator(".geomap-table summary").inner_text() == "Table of shown events (1)"
    assert seen.count_text() == "14 of 14 events shown"  # the filters did not change
    page.evaluate("() => document.querySelector('.geomap-ready').geomap.map.setView([45.0, 29.0], 8, {animate: false})")
    page.wait_for_function("() => [...document.querySelectorAll('.geomap-table tbody tr')].map(r => r.cells[2].textContent).join() === 'Mykolaiv'")
    page.locator('[data-geomap="in-view"]').uncheck()
    assert len(table_rows(page)) == 14
    assert seen.errors == []


def test_the_csv_holds_what_the_table_lists_in_view_and_in_its_order(open_page, tmp_path: Path) -> None:
    seen = open_page(write_map(grid_events(), tmp_path / "grid.html"))
    page = seen.page
    download = page.locator('[data-geomap="download"]')
    open_table(page)
    page.locator('[data-geomap="in-view"]').check()
    page.evaluate("() => document.querySelector('.geomap-ready').geomap.map.setView([45.0, 24.0], 8, {animate: false})")
    page.wait_for_function("() => document.querySelectorAll('.geomap-table tbody tr').length === 1")
    assert download.inner_text() == "Download CSV (1 in view)"  # the button says what it exports
    _, rows = download_csv(page)
    assert [r["place_name"] for r in rows] == ["Odesa"]  # as the table: not the 14 shown everywhere
    page.locator('[data-geomap="in-view"]').uncheck()
    page.locator(".geomap-table th button", has_text="Place").click()
    assert download.inner_text() == "Download CSV"
    listed = [r[PLACE] for r in table_rows(page)]
    _, rows = download_csv(page)
    assert [r["place_name"] for r in rows] == listed and len(listed) == 14  # every shown event, in the table's order
    assert seen.errors == []


def test_a_link_with_the_hash_reopens_the_same_search_sort_and_view(open_page, chromium, tmp_path: Path) -> None:
    seen = open_page(write_map(grid_events(), tmp_path / "grid.html"))
    page = seen.page
    assert "#" not in page.url  # opening the map writes nothing
    page.locator('[data-geomap="search"]').fill("kyiv")
    seen.wait_for_count("2 of 14")  # Kyiv, and Kiev resolved to Kyiv
    page.locator(".geomap-panel label", has_text="Protests").locator("input").uncheck()
    open_table(page)
    page.locator(".geomap-table th button", has_text="Date").click()
    page.evaluate("() => document.querySelector('.geomap-ready').geomap.map.setView([49.5, 29.0], 7, {animate: false})")
    page.wait_for_function("() => location.hash.includes('geomap.z=7')")  # written once the map has stopped
    link = page.url
    assert "geomap.q=kyiv" in link and "geomap.z=7" in link

    context = chromium.new_context(viewport={"width": 1280, "height": 800})  # another reader, the link pasted
    reopened = context.new_page()
    again = watch(reopened, Visit(reopened), allowed=("file:", "data:", "blob:"))
    reopened.goto(link)
    reopened.wait_for_selector(".leaflet-container.geomap-ready", state="attached")
    assert reopened.locator('[data-geomap="search"]').input_value() == "kyiv"
    assert reopened.locator(".geomap-panel label", has_text="Protests").locator("input").is_checked() is False
    assert again.count_text() == seen.count_text()
    view = explorer_view(reopened)
    assert view["zoom"] == 7 and abs(view["lat"] - 49.5) < 1e-4 and abs(view["lon"] - 29.0) < 1e-4
    open_table(reopened)
    assert sort_state(reopened) == {"Date": "descending"}
    assert table_rows(reopened) == table_rows(page)
    assert seen.errors == [] and again.errors == [] and again.outside_requests == []
    context.close()


def test_a_host_pages_own_anchor_is_left_as_it_is(open_page, tmp_path: Path) -> None:
    # a report with a table of contents: its reader is at "#methods"; filtering a map must not
    # rewrite that anchor into "#methods=&first.q=..." (a link that no longer opens the section)
    first = render_fragment(read_events(), name="first", title="First", height="420px")
    second = render_fragment(grid_events(), name="second", title="Second", height="420px")
    path = tmp_path / "report.html"
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>A report</title></head><body>"
        f"<h1>A report</h1>{first}<h2 id='methods'>Methods</h2><p>How it was made.</p>{second}</body></html>",
        encoding="utf-8",
    )
    seen = open_page(path, viewport=(1100, 900))
    page = seen.page
    # on its own, the report's link keeps the maps' state (the second map's search written)
    page.locator('#second [data-geomap="search"]').fill("kyiv")
    page.wait_for_function("() => location.hash === '#second.q=kyiv'")
    page.locator('#second [data-geomap="search"]').fill("")
    page.wait_for_function("() => location.hash === ''")
    page.evaluate("() => { location.hash = 'methods'; }")  # the reader follows the contents to a section
    page.locator('#first [data-geomap="search"]').fill("kursk")
    seen.wait_for_count("1 of 5", nth=0)
    page.locator('#second .geomap-panel label', has_text="Battles").locator("input").uncheck()
    seen.wait_for_count("10 of 14", nth=1)
    page.wait_for_timeout(1000)  # the maps write their state 250 ms after the last change
    assert page.evaluate("() => location.hash") == "#methods"
    assert seen.errors == []
