"""The map as a report figure (issue 14): small screens, popups clear of the controls, the
table of every event, the view in the link, clean snapshots and print, embeds in a styled
page, very long article text.

Browser tests open the written file in headless Debian Chromium with every request that
leaves the file blocked and counted, and fail on any console error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_map_features import Visit, grid_events, open_page, table  # noqa: F401  (open_page: a fixture)
from test_render import korenevo, read_events

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
    assert seen.count_text() == "5 of 5 events shown"  # the one without a place is listed in the table
    assert not page.locator(".geomap-panel label", has_text="Battles").is_visible()
    page.locator(".geomap-panel summary").click()
    page.locator(".geomap-panel label", has_text="Battles").locator("input").uncheck()
    seen.wait_for_count("4 of 5")
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


# --- very long and hostile article text (issue 16 row 17) ---------------------------------

# A page pasted where a place name goes: 100,000 characters, with regex metacharacters in it
# (a regular expression made of it was too large, and the popup never opened).
LONG_PLACE = ("Korenevo (Kursk) [x] *" * 5000)[:100_000]
LONG_EVIDENCE = ("Ukrainian forces clashed with Russian troops in Korenevo. " * 1800)[:100_000]


def open_event(page, selector: str = ".geomap-event"):
    """Click a pin as a reader would; the popup's content once it is open."""
    page.locator(selector).first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    return popup


# Whether the open popup's close button is on top at its centre (no control over it) and in the map.
CLOSE_REACHABLE = """() => {
    const b = document.querySelector('.leaflet-popup-close-button').getBoundingClientRect();
    const area = document.querySelector('.leaflet-container').getBoundingClientRect();
    const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
    return b.top >= area.top && b.bottom <= area.bottom && hit !== null
        && hit.closest('.leaflet-popup-close-button') !== null;
}"""


def popup_fits(page) -> None:
    """The open popup is inside the map and clear of its controls, its close button on top."""
    assert page.evaluate(POPUP_CLEAR) == {"inside": True, "over": []}
    assert page.evaluate(CLOSE_REACHABLE) is True


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_a_100000_character_place_and_evidence_open_cut_and_show_all_on_a_click(open_page, tmp_path: Path,
                                                                                viewport) -> None:
    events = table([
        korenevo(place_text=LONG_PLACE, place_name=LONG_PLACE, evidence=LONG_EVIDENCE),
        korenevo(event_id="ev-sudzha", place_text=LONG_PLACE, place_name="Sudzha", lat=51.19, lon=35.27,
                 evidence="Shelling in " + LONG_PLACE + " today."),
    ])
    seen = open_page(write_map(events, tmp_path / "long.html"), viewport=viewport)
    page = seen.page
    page.evaluate("() => document.querySelector('.geomap-ready').geomap.map.setView([51.3, 35.1], 9, {animate: false})")
    korenevo_pin = ".geomap-event[title^='Battles: Korenevo (Kursk)']"
    assert len(page.locator(korenevo_pin).get_attribute("title")) <= 100  # a tooltip, not the page
    popup = open_event(page, korenevo_pin)
    popup_fits(page)
    quote = popup.locator("blockquote")
    shown = quote.inner_text()
    assert shown.endswith("…") and LONG_EVIDENCE.startswith(shown[:-1]) and 100 < len(shown) <= 1_000
    place = popup.locator("dd").nth(2)
    assert place.inner_text().startswith("“Korenevo (Kursk) [x] *") and len(place.inner_text()) < 1_000
    buttons = popup.locator("button", has_text="show all")
    assert buttons.all_inner_texts() == [  # the place as written, as resolved (with its region), the evidence
        "show all (100,000 characters)", "show all (100,011 characters)", "show all (100,000 characters)"]

    buttons.last.click()  # the evidence's
    assert quote.inner_text() == LONG_EVIDENCE
    popup_fits(page)
    buttons.first.click()  # the place as written
    assert place.locator("span").all_inner_texts()[0] == LONG_PLACE  # in a box of its own, that scrolls
    assert place.locator("span").nth(1).inner_text().startswith("Korenevo (Kursk) [x] *")
    assert buttons.count() == 1  # the place as resolved: still cut
    popup_fits(page)
    page.locator(".leaflet-popup-close-button").click()
    page.locator(".leaflet-popup").wait_for(state="detached")

    # the long place is marked in its evidence: cut with it, then whole (Sudzha brought back into
    # view: the popups moved the map, whose foot the time strip takes)
    page.evaluate("() => document.querySelector('.geomap-ready').geomap.map.setView([51.3, 35.1], 9, {animate: false})")
    popup = open_event(page, ".geomap-event[title='Battles: Sudzha']")
    popup_fits(page)
    quote = popup.locator("blockquote")
    marks = quote.locator("mark")
    assert quote.inner_text().startswith("Shelling in Korenevo (Kursk) [x] *") and len(quote.inner_text()) <= 1_000
    assert marks.count() == 1 and LONG_PLACE.startswith(marks.inner_text())
    popup.locator("blockquote + button", has_text="show all").click()
    assert quote.inner_text() == "Shelling in " + LONG_PLACE + " today."
    assert marks.all_inner_texts() == [LONG_PLACE]
    popup_fits(page)
    assert seen.errors == []


def test_a_long_place_in_the_table_is_cut_and_shown_whole_without_opening_the_popup(open_page,
                                                                                     tmp_path: Path) -> None:
    events = table([korenevo(place_name=LONG_PLACE), korenevo(event_id="ev-sudzha", place_name="Sudzha", lon=35.27)])
    seen = open_page(write_map(events, tmp_path / "table.html"))
    page = seen.page
    page.locator(".geomap-table summary").click()
    row = page.locator(".geomap-table tbody tr", has_text="Korenevo (Kursk)")
    cell = row.locator("td").nth(2)
    assert cell.inner_text().startswith("Korenevo (Kursk) [x] *") and len(cell.inner_text()) < 200
    assert row.bounding_box()["height"] < 100
    cell.locator("button", has_text="show all (100,000 characters)").click()
    assert cell.locator("span").inner_text() == LONG_PLACE
    assert row.bounding_box()["height"] < 200  # whole, in a box that scrolls
    assert page.locator(".leaflet-popup").count() == 0  # the button is not the row: no popup
    row.locator("td").first.click()
    assert "Korenevo (Kursk) [x] *" in page.locator(".leaflet-popup-content").inner_text()
    assert seen.errors == []


@pytest.mark.parametrize(
    ("place", "evidence", "marked"),
    [
        ("a(b", "Seen at A(B, then at a(b; not at ab.", ["A(B", "a(b"]),
        ("[x", "Near [X, [x] and x.", ["[X", "[x"]),
        ("*", "One * two ** none.", ["*", "*", "*"]),
        ("$&", "Costs $& more: $&.", ["$&", "$&"]),
        ("Kyiv", "Kyïv, KYIV and Kiev.", ["Kyïv", "KYIV"]),  # case and accents aside, as the search finds it
        ("İzmir", "İZMİR and izmir.", ["İZMİR", "izmir"]),  # a dotted capital I folds to i, as in the search
    ],
    ids=["paren", "bracket", "star", "dollar", "accent", "dotted-i"],
)
def test_the_place_is_marked_in_its_evidence_whatever_characters_it_holds(open_page, tmp_path: Path, place: str,
                                                                          evidence: str, marked: list) -> None:
    seen = open_page(write_map(table([korenevo(place_text=place, evidence=evidence)]), tmp_path / "marks.html"))
    quote = open_event(seen.page).locator("blockquote")
    assert quote.inner_text() == evidence
    assert quote.locator("mark").all_inner_texts() == marked
    assert seen.errors == []


HOSTILE = "<img src=x onerror=window.__pwned=1></script><script>window.__pwned=2</script>${window.__pwned=3}"


def test_long_hostile_text_shown_whole_stays_text(open_page, tmp_path: Path) -> None:
    place = " ".join(["Korenevo " + HOSTILE] * 3)  # over the cut of a field
    evidence = " ".join(["Shelling hit " + place + " at dawn."] * 4)  # over the cut of the evidence
    actor = " ".join(["<b onmouseover=window.__pwned=4>mob</b>"] * 10)
    title = HOSTILE * 3
    event = korenevo(place_text=place, place_name=place, actor1=actor, evidence=evidence, source_title=title)
    seen = open_page(write_map(table([event]), tmp_path / "hostile.html"))
    page = seen.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    popup = open_event(page)
    buttons = popup.locator("button", has_text="show all")
    assert buttons.count() == 5  # place as written, as resolved, the actor, the evidence, the title
    while buttons.count():
        buttons.first.click()
    text = popup.inner_text()
    for whole in (place, actor, title):
        assert whole in text
    assert popup.locator("blockquote").inner_text() == evidence
    assert popup.locator("blockquote mark").all_inner_texts() == [place] * 4
    assert popup.locator("img, script, b").count() == 0
    page.locator(".leaflet-popup-close-button").click()
    page.locator(".geomap-table summary").click()
    page.locator(".geomap-table tbody td:nth-child(3) button", has_text="show all").click()  # the place's
    assert page.locator(".geomap-table tbody td").nth(2).inner_text() == place
    assert page.locator(".leaflet-container img:not(.leaflet-tile-container img)").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []
    assert seen.errors == [] and seen.outside_requests == []


def test_on_a_phone_the_opened_legend_stays_inside_the_map(open_page, tmp_path: Path) -> None:
    seen = open_page(write_map(read_events(), tmp_path / "phone.html"), viewport=(390, 844))
    page = seen.page
    page.locator(".geomap-legend summary").click()
    legend = page.locator(".geomap-legend")
    assert "labelled square: somewhere in the region (hover: its extent)" in legend.inner_text()
    box, area = legend.bounding_box(), page.locator(".leaflet-container").bounding_box()
    assert box["x"] >= area["x"] and box["x"] + box["width"] <= area["x"] + area["width"]  # no line cut at the edge
    assert seen.errors == []


# Where the opened panel's Download button is: inside the panel's visible box (not scrolled to),
# and the thing a tap at its centre hits.
DOWNLOAD_IN_VIEW = """() => {
    const panel = document.querySelector('.geomap-panel'), button = panel.querySelector('[data-geomap="download"]');
    const p = panel.getBoundingClientRect(), b = button.getBoundingClientRect();
    const hit = document.elementFromPoint((b.left + b.right) / 2, (b.top + b.bottom) / 2);
    return {scrolled: panel.scrollTop, inside: b.top >= p.top && b.bottom <= p.bottom && b.bottom <= innerHeight,
            hit: hit === button, scrolls: panel.scrollHeight > panel.clientHeight};
}"""


@pytest.mark.parametrize("viewport", [(360, 640), (375, 667)], ids=["360x640", "375x667"])
def test_on_a_phone_the_csv_download_is_in_view_in_the_opened_panel(open_page, tmp_path: Path, viewport) -> None:
    # five types, dates, undated, a title on two lines: on a small phone the opened panel scrolls,
    # and the Download button stood below its fold
    title = "Kursk offensive and the strikes on Odesa and Luhansk, August 2024"
    seen = open_page(write_map(grid_events(), tmp_path / "grid.html", title=title), viewport=viewport)
    page = seen.page
    page.locator(".geomap-panel summary").click()
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    at = page.evaluate(DOWNLOAD_IN_VIEW)
    assert at["scrolls"], at  # the case at hand: the panel is taller than its room
    assert at["scrolled"] == 0 and at["inside"] and at["hit"], at
    # scrolled to its end, the button is still where it was, over nothing it hides for good
    page.locator(".geomap-panel").evaluate("p => { p.scrollTop = p.scrollHeight; }")
    assert page.evaluate(DOWNLOAD_IN_VIEW)["hit"]
    assert page.locator('.geomap-panel [data-geomap="search"]').is_visible()
    with page.expect_download() as info:
        page.locator('[data-geomap="download"]').click(no_wait_after=True)
    assert info.value.suggested_filename.endswith(".csv")
    assert seen.errors == []
