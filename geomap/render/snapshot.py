"""A PNG of a written map, taken in headless Chromium once the basemap and the events are drawn.

Uses the Chromium (or Chrome) installed on the system, through Playwright: never a
browser that Playwright would download. ``$GEOMAP_CHROMIUM`` points at another one.
"""

from __future__ import annotations

import concurrent.futures
import importlib.util
import os
from pathlib import Path

from geomap.errors import RenderError

__all__ = ["snapshot_map", "chromium_path", "DEFAULT_CHROMIUM"]

DEFAULT_CHROMIUM = "/usr/bin/chromium"
MIN_SCALE, MAX_SCALE = 0.5, 4.0  # device pixels per CSS pixel
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

# Whether every map in the page is drawn: each tile loaded (or failed, for online tiles
# without the network) and faded in; geomap maps mark themselves ready once their events
# are drawn, which happens before the load event.
_DRAWN = """() => {
    const maps = document.querySelectorAll('.leaflet-container');
    if (!maps.length) return false;
    for (const map of maps) {
        if (map.querySelector('.geomap-panel, [data-geomap]') && !map.classList.contains('geomap-ready')) return false;
    }
    const tiles = [...document.querySelectorAll('.leaflet-tile')];
    if (document.querySelector('.leaflet-tile-pane') && !tiles.length) return false;
    return tiles.every(t =>
        (t.classList.contains('leaflet-tile-loaded') && (t.style.opacity === '' || t.style.opacity === '1'))
        || (t.tagName === 'IMG' && t.complete));
}"""


# A clean figure: every map's controls to click hidden (geomap.css: .geomap-clean), its
# legend unfolded, its events fitted into the room the title and the legend leave; the
# title, the scale and the credits stay.
_CLEAN = """() => {
    for (const map of document.querySelectorAll('.leaflet-container')) {
        map.classList.add('geomap-clean');
        map.querySelectorAll('details.geomap-legend').forEach(legend => { legend.open = true; });
        if (window.geomap && window.geomap.fitClear) window.geomap.fitClear(map);
    }
}"""


def chromium_path() -> Path:
    """The browser snapshots use: ``$GEOMAP_CHROMIUM``, else Debian's ``/usr/bin/chromium``.

    Example:
        >>> chromium_path().name in ("chromium", os.path.basename(os.environ.get("GEOMAP_CHROMIUM", "")))
        True
    """
    return Path(os.environ.get("GEOMAP_CHROMIUM") or DEFAULT_CHROMIUM)


def snapshot_map(
    html_path: Path | str,
    png_path: Path | str,
    *,
    width: int = 1280,
    height: int = 800,
    scale: float = 1.0,
    clean: bool = False,
    timeout_s: float = 60.0,
) -> Path:
    """Open a written map in headless Chromium and save what it shows as a PNG.

    Waits until the basemap tiles are in and the events are drawn, then takes the
    window of ``width`` x ``height`` CSS pixels; the PNG has ``scale`` device pixels to
    each (``scale=2``: twice as wide and tall, as sharp as on a high-density screen).
    ``clean=True`` makes a figure for a report: no zoom buttons, layer switch, filter
    panel, search, download button or table; the title, the legend (unfolded), the scale
    and the attribution stay. A map made with ``online_tiles=True`` needs the network
    for its tiles; an offline map needs none.

    Raises:
        RenderError: a size or scale out of range; no map at ``html_path``; no browser
            (the message names the path looked at and how to install one); the map not drawn within ``timeout_s``;
            the PNG cannot be written.

    Example:
        >>> snapshot_map("output/map.html", "output/map.png", width=1024, height=768)  # doctest: +SKIP
        PosixPath('output/map.png')
        >>> snapshot_map("output/map.html", "figure.png", width=800, height=500, scale=2, clean=True)  # doctest: +SKIP
        PosixPath('figure.png')
    """
    html_path, png_path = Path(html_path), Path(png_path)
    for name, value in (("width", width), ("height", height)):
        if not 100 <= value <= 8000:
            raise RenderError(f"{name} must be 100 to 8000 pixels, got {value}")
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise RenderError(f"scale must be {MIN_SCALE:g} to {MAX_SCALE:g}, got {scale:g}")
    if not html_path.is_file():
        raise RenderError(f"no map at {html_path}")
    executable = chromium_path()
    if not executable.is_file():
        raise RenderError(
            f"no Chromium at {executable}: install it (Debian, Ubuntu: `apt-get install chromium`), "
            "or set GEOMAP_CHROMIUM to the path of a Chromium or Chrome executable"
        )
    if importlib.util.find_spec("playwright") is None:
        raise RenderError("snapshots need Playwright: pip install 'geomap[snapshot]'")
    # Playwright's sync API refuses to run in a thread with a running asyncio loop (a
    # Jupyter notebook, another Playwright session): give it a thread of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_snapshot, executable, html_path, png_path, width, height, scale, clean, timeout_s).result()


def _snapshot(executable: Path, html_path: Path, png_path: Path, width: int, height: int, scale: float,
              clean: bool, timeout_s: float) -> Path:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    timeout_ms = timeout_s * 1000
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(executable), headless=True, args=CHROMIUM_ARGS)
        except PlaywrightError as err:
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise RenderError(f"cannot start Chromium at {executable}: {reason}") from err
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=scale)
            page.goto(html_path.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
            page.wait_for_function(_DRAWN, timeout=timeout_ms)
            if clean:
                page.evaluate(_CLEAN)
                page.wait_for_function(_DRAWN, timeout=timeout_ms)  # the tiles of the view fitted anew
            # two frames: what the last change drew is painted before the picture is taken
            page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            png_path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(png_path))
        except PlaywrightTimeout as err:
            raise RenderError(f"{html_path}: the map was not drawn within {timeout_s:g} s") from err
        except PlaywrightError as err:
            raise RenderError(f"cannot take a snapshot of {html_path}: {str(err).strip().splitlines()[0]}") from err
        except OSError as err:
            raise RenderError(f"cannot write {png_path}: {err.strerror or err}") from err
        finally:
            browser.close()
    return png_path
