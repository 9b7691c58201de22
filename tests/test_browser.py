"""The written map in a real browser (headless Debian Chromium), opened from disk with no network."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import Visit, watch

from geomap.models import EVENT_COLUMNS, EVENT_SCHEMA
from geomap.render import write_map
from geomap.render.snapshot import DEFAULT_CHROMIUM

CHROMIUM = Path(DEFAULT_CHROMIUM)
DATA = Path(__file__).parent / "data"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (Debian package 'chromium')"),
]

HOSTILE_EVIDENCE = (
    'Shelling hit Korenevo <img src=x onerror=alert(1)> </script><script>window.__pwned=1</script> '
    '${window.__pwned=2} `tick` back\\slash "double" \'single\''
)
HOSTILE_TITLE = "</script><script>window.__pwned=1</script> <b>bold</b> ${window.__pwned=2}"
# http(s), so it does become a link: its quote must not break out of the href
HOSTILE_URL = 'https://evil.example/"onmouseover="window.__pwned=4'


def read_events(*extra: dict) -> pd.DataFrame:
    """The five test events (tests/data/render_events.json) plus any extra rows, typed as EVENT_SCHEMA."""
    rows = json.loads((DATA / "render_events.json").read_text(encoding="utf-8"))
    rows.extend(extra)
    frame = pd.DataFrame.from_records(rows, columns=list(EVENT_COLUMNS))
    return frame.astype({c.name: c.dtype for c in EVENT_SCHEMA})


def korenevo(**changes: object) -> dict:
    rows = json.loads((DATA / "render_events.json").read_text(encoding="utf-8"))
    return {**rows[0], **changes}


# Whether loaded basemap tiles cover at least `fraction` of the window, none still loading.
BASEMAP_SHOWN = """fraction => {
    if (document.querySelector('.leaflet-tile:not(.leaflet-tile-loaded)')) return false;
    const W = window.innerWidth, H = window.innerHeight;
    let area = 0;
    for (const tile of document.querySelectorAll('.leaflet-tile-loaded')) {
        if (!tile.querySelector('img') || !tile.querySelector('img').naturalWidth) continue;
        const r = tile.getBoundingClientRect();
        area += Math.max(0, Math.min(r.right, W) - Math.max(r.left, 0))
              * Math.max(0, Math.min(r.bottom, H) - Math.max(r.top, 0));
    }
    return area >= fraction * W * H;
}"""


def wait_for_basemap(page, fraction: float = 0.99) -> None:
    """Wait (up to 5 s) until the events are drawn and the basemap covers the view: a map with holes fails here."""
    page.wait_for_selector(".leaflet-container.geomap-ready", state="attached", timeout=5000)
    page.wait_for_function(BASEMAP_SHOWN, arg=fraction, timeout=5000)


@pytest.fixture(scope="module")
def browser(chromium) -> object:
    """The session's one headless Chromium (conftest.py): two Playwright sessions cannot share a thread."""
    return chromium


@pytest.fixture
def open_map(browser, tmp_path: Path):
    """Write the events as a map, open it as file:// and block (and count) every other request."""
    contexts = []

    def visit(events: pd.DataFrame, **kwargs: object) -> Visit:
        path = write_map(events, tmp_path / f"map{len(contexts)}.html", **kwargs)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        seen = watch(page, Visit(page))
        page.goto(path.as_uri())
        wait_for_basemap(page)
        return seen

    yield visit
    for context in contexts:
        context.close()


def test_map_opens_offline_with_basemap_markers_and_no_errors(open_map) -> None:
    seen = open_map(read_events(), title="Kursk offensive, August 2024")
    page = seen.page
    assert page.locator(".geomap-event").count() == 4  # 5 events, one without a place
    assert page.locator("path.geomap-uncertainty").count() == 0  # Luhansk region: a labelled square, no disc
    assert page.locator(".geomap-area-event").inner_text() == "Luhansk Oblast"
    # (open_map has waited until the basemap covers the whole view)
    assert page.locator(".geomap-legend").is_visible()
    assert "1 event without a known place is not on the map: the table lists it as “no place”." in (
        page.locator(".geomap-legend").inner_text())
    assert page.locator(".geomap-title").inner_text() == "Kursk offensive, August 2024"
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    for credit in ("OpenStreetMap", "ODbL", "GeoNames", "CC BY 4.0", "Natural Earth"):
        assert credit in attribution
    assert seen.outside_requests == []
    assert seen.errors == []


def test_clicking_a_marker_opens_its_popup_with_the_evidence(open_map) -> None:
    seen = open_map(read_events())
    page = seen.page
    page.locator(".geomap-event.geomap-t0").click()  # the one battle: Korenevo
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Ukrainian forces clashed with Russian troops in Korenevo on Tuesday, killing three soldiers." in text
    assert popup.locator("mark").inner_text() == "Korenevo"
    link = popup.locator("a")
    assert link.inner_text() == "Fighting reaches Kursk region villages"
    assert link.get_attribute("href") == "https://news.example.org/2024/08/06/kursk"
    assert seen.errors == [] and seen.outside_requests == []


def test_unticking_a_type_hides_its_markers(open_map) -> None:
    seen = open_map(read_events())
    page = seen.page
    explosions = page.locator(".geomap-panel label", has_text="Explosions/Remote violence")
    assert page.locator(".geomap-event.geomap-t1").count() == 2
    explosions.locator("input").uncheck()
    assert page.locator(".geomap-event.geomap-t1").count() == 0
    assert page.locator("path.geomap-uncertainty").count() == 0  # Luhansk's circle goes with its pin
    assert page.locator(".geomap-event").count() == 2  # the other types stay
    explosions.locator("input").check()
    assert page.locator(".geomap-event.geomap-t1").count() == 2
    assert seen.errors == []


def test_unconfirmed_and_planned_pins_look_different(open_map) -> None:
    seen = open_map(read_events())
    fill = seen.page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.geomap-event')].map(m => {
            const square = m.querySelector('.geomap-area-square');  // a region: its square's inside
            const shape = getComputedStyle(square || m.querySelector('.geomap-pin-shape'));
            return [m.title, [square ? shape.backgroundColor : shape.fill, shape.strokeDasharray]];
        }))"""
    )
    assert fill["Battles: Korenevo"] == ["rgb(214, 39, 40)", "none"]  # reported: solid red
    assert fill["Explosions/Remote violence: Luhansk Oblast"][0] == "rgb(255, 255, 255)"  # unconfirmed: hollow
    assert fill["Strategic developments: Istanbul"][0] == "rgb(255, 255, 255)"  # planned: hollow
    assert fill["Strategic developments: Istanbul"][1] != "none"  # and dashed
    seen.page.locator(".geomap-event.geomap-t5").click()
    assert "planned: has not happened" in seen.page.locator(".leaflet-popup-content").inner_text()


def test_hostile_article_text_shows_as_text_and_runs_nothing(open_map) -> None:
    hostile = korenevo(
        event_id="ev-hostile",
        event_type="Riots",
        sub_event_type="<b>Mob</b> ${window.__pwned=5}",
        evidence=HOSTILE_EVIDENCE,
        source_title=HOSTILE_TITLE,
        source_url=HOSTILE_URL,
        actor1="<img src=x onerror=alert(1)>",
        place_text="Korenevo",
        lat=46.48,  # apart from every other pin, so that a click cannot land on a neighbour
        lon=30.72,
    )
    script_url = korenevo(
        event_id="ev-js-url", event_type="Protests", lat=50.0, lon=36.2, source_url="javascript:window.__pwned=3"
    )
    # fields that also reach the page's script outside the popup: the pin's title, the layer's name
    hostile_fields = korenevo(
        event_id="</script><script>window.__pwned=7</script>",
        event_type="<img src=x onerror=alert(1)>",
        place_name="</script><script>window.__pwned=8</script>",
        event_date="${window.__pwned=9}",
        lat=44.6,
        lon=33.5,
    )
    seen = open_map(
        read_events(hostile, script_url, hostile_fields), title="</script><script>window.__pwned=6</script>"
    )
    page = seen.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    page.locator(".geomap-event.geomap-t4").click()  # Riots: the hostile event
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert HOSTILE_EVIDENCE in text
    assert HOSTILE_TITLE in text
    assert "<img src=x onerror=alert(1)>" in text
    assert "<b>Mob</b> ${window.__pwned=5}" in text
    assert popup.locator("img, script, b").count() == 0
    link = popup.locator("a")
    assert link.get_attribute("href") == HOSTILE_URL
    assert link.get_attribute("onmouseover") is None
    link.hover()

    page.locator(".leaflet-popup-close-button").click()
    page.locator(".leaflet-popup").wait_for(state="detached")  # fading out, it would take the next click
    page.locator(".geomap-event.geomap-t3").click()  # Protests: the javascript: URL
    protest = page.locator(".leaflet-popup-content", has_text="Protests")
    protest.wait_for()
    assert protest.locator("a").count() == 0
    assert "javascript:window.__pwned=3" in protest.inner_text()  # shown, not linked

    assert page.locator(".geomap-title").inner_text() == "</script><script>window.__pwned=6</script>"
    odd = page.locator(".geomap-event.geomap-tx")
    assert odd.get_attribute("title") == "<img src=x onerror=alert(1)>: </script><script>window.__pwned=8</script>"
    assert "<img src=x onerror=alert(1)> (1)" in " ".join(page.locator(".geomap-panel").text_content().split())
    page.locator(".leaflet-popup", has_text="Protests").locator(".leaflet-popup-close-button").click()
    odd.click()
    odd_popup = page.locator(".leaflet-popup-content", has_text="${window.__pwned=9}")
    odd_popup.wait_for()
    assert "</script><script>window.__pwned=8</script>" in odd_popup.inner_text()
    assert page.locator(".leaflet-container img:not(.leaflet-tile-container img)").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []
    assert seen.errors == [] and seen.outside_requests == []


def test_zooming_past_the_embedded_tiles_neither_errors_nor_leaves_holes(open_map) -> None:
    seen = open_map(read_events().iloc[[0]])
    page = seen.page
    assert page.evaluate("Object.values(window).find(v => v instanceof L.Map).getZoom()") == 6
    for zoom, fraction in ((12, 0.99), (1, 0.6)):  # at zoom 1 the world is 512 px tall
        page.evaluate(
            f"""() => new Promise(done => {{
                const map = Object.values(window).find(v => v instanceof L.Map);
                map.once('zoomend', () => setTimeout(done, 50));
                map.setView([51.41, 34.90], {zoom}, {{animate: false}});
            }})"""
        )
        wait_for_basemap(page, fraction)
    assert page.locator(".geomap-event").count() == 1
    assert seen.errors == [] and seen.outside_requests == []


def _set_view(page, lat: float, lon: float, zoom: int) -> None:
    page.evaluate(
        f"""() => new Promise(done => {{
            const map = Object.values(window).find(v => v instanceof L.Map);
            map.once('moveend', () => setTimeout(done, 50));
            map.setView([{lat}, {lon}], {zoom}, {{animate: false}});
        }})"""
    )


# The texts of the place names inside the window, as a reader sees them.
NAMES_IN_VIEW = """() => Array.from(document.querySelectorAll('.leaflet-map-pane .geomap-place-name'))
    .filter(e => { const r = e.getBoundingClientRect();
                   return r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight; })
    .map(e => e.textContent)"""


def test_zoomed_in_on_korenevo_the_map_names_it_and_the_towns_around_it(open_map) -> None:
    seen = open_map(read_events())
    page = seen.page
    _set_view(page, 51.41, 34.90, 10)
    names = page.evaluate(NAMES_IN_VIEW)
    assert "Korenevo" in names
    assert len(set(names) - {"Korenevo"}) >= 3, names
    assert {"Sudzha", "Ryl’sk"} <= set(names)  # the towns an analyst places Korenevo by
    # real text in the page: the browser's find sees it
    assert page.evaluate("window.find('Sudzha')")
    note = page.locator(".geomap-detail-note")
    assert note.is_visible() and "detail ends at zoom 5" in note.inner_text()
    # at the fitted view (zoom 6) the basemap still has its detail: no note, only the bigger towns
    _set_view(page, 51.41, 34.90, 5)
    assert not note.is_visible()
    assert page.evaluate(NAMES_IN_VIEW) == []
    assert seen.errors == [] and seen.outside_requests == []


# Points every 5 px along the drawn river lines that lie inside the window, in window pixels.
RIVER_POINTS_IN_VIEW = """() => {
    const points = [];
    for (const path of document.querySelectorAll('.leaflet-map-pane path.geomap-water-river')) {
        const ctm = path.getScreenCTM(), length = path.getTotalLength();
        for (let at = 0; at <= length; at += 5) {
            const p = path.getPointAtLength(at).matrixTransform(ctm);
            if (p.x >= 0 && p.y >= 0 && p.x <= innerWidth && p.y <= innerHeight) points.push([p.x, p.y]);
        }
    }
    return points;
}"""


def test_zoomed_in_on_korenevo_the_map_draws_the_seym_past_rylsk(open_map) -> None:
    seen = open_map(read_events())
    page = seen.page
    _set_view(page, 51.41, 34.90, 10)
    points = page.evaluate(RIVER_POINTS_IN_VIEW)
    assert len(points) * 5 >= 600, f"{len(points) * 5} px of river in view"  # a river across the view, not a stub
    # the Seym runs past Ryl'sk, 20 km north-west of Korenevo: the line passes within 3 km of the town's name
    rylsk = page.evaluate(
        """() => { const map = Object.values(window).find(v => v instanceof L.Map);
                   const p = map.latLngToContainerPoint([51.5681, 34.6802]), box = map.getContainer().getBoundingClientRect();
                   return [p.x + box.left, p.y + box.top, 3000 / map.distance([51.5681, 34.6802], map.containerPointToLatLng(p.add([1, 0])))]; }"""
    )
    nearest = min(((x - rylsk[0]) ** 2 + (y - rylsk[1]) ** 2) ** 0.5 for x, y in points)
    assert nearest <= rylsk[2], f"nearest river point {nearest:.0f} px from Ryl'sk (3 km is {rylsk[2]:.0f} px)"
    assert "GSHHG" in page.locator(".leaflet-control-attribution").inner_text()
    # a reader can switch them off with the other overlays
    page.locator(".leaflet-control-layers").hover()
    page.get_by_label("Rivers and coasts").uncheck()
    assert page.evaluate(RIVER_POINTS_IN_VIEW) == []
    assert seen.errors == [] and seen.outside_requests == []


SEARCHES = (
    ("Kursk", {"ev-korenevo"}),  # the region: the strike is in Kursk oblast
    ("explosion", {"ev-luhansk", "ev-moscow-city"}),  # the type
    ("turkey", {"ev-istanbul"}),  # the country's name
    ("prisoner exchange", {"ev-istanbul"}),  # the evidence sentence
    ("unidentified drone", {"ev-moscow-city"}),  # an actor
)


def test_search_looks_at_region_country_type_and_evidence(open_map) -> None:
    seen = open_map(read_events())
    page = seen.page
    for query, expected in SEARCHES:
        page.locator('[data-geomap="search"]').fill(query)
        page.wait_for_function(
            "n => document.querySelector('[data-geomap=\"count\"]').textContent.startsWith(n + ' of')",
            arg=len(expected), timeout=5000,
        )
        shown = page.evaluate(
            "() => { const e = document.querySelector('.geomap-ready').geomap;"
            " return Array.from(e.shown, i => e.value(i, 'event_id')); }"
        )
        assert set(shown) == expected, query
    assert seen.errors == []


def test_the_undated_istanbul_talks_are_listed_and_stay_under_a_date_range(open_map) -> None:
    seen = open_map(read_events())
    page = seen.page
    page.locator(".geomap-table summary").click()
    # the rows are drawn on the details' "toggle" event, which the browser fires after the click
    page.wait_for_function("() => document.querySelectorAll('.geomap-table tbody tr').length > 0")
    rows = page.locator(".geomap-table tbody tr").evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert ["undated", "Strategic developments", "Istanbul", "Turkey", "Russia → Ukraine", "", "planned"] in rows
    page.locator('[data-geomap="date-from"]').fill("2024-08-07")
    # Luhansk, Moscow, the detentions the text places nowhere (2024-08-10), and the undated talks
    page.wait_for_function("() => document.querySelector('[data-geomap=\"count\"]').textContent.startsWith('4 of')")
    rows = page.locator(".geomap-table tbody tr").evaluate_all("rows => rows.map(r => r.cells[2].textContent)")
    assert "Istanbul" in rows and "Korenevo" not in rows
    assert page.locator(".geomap-undated").inner_text() == "include undated (1)"
    page.locator('[data-geomap="undated"]').uncheck()
    page.wait_for_function("() => document.querySelector('[data-geomap=\"count\"]').textContent.startsWith('3 of')")
    assert seen.errors == []
