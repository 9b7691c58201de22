"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from geomap.gazetteer import Gazetteer, open_gazetteer


@pytest.fixture(scope="session")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gazetteer]:
    """The real gazetteer index, built once per test session into a cache directory that did not exist.

    GEOMAP_CACHE_DIR points there for the whole session, so code that opens the default
    index (the geocoder, the CLI) uses this one and tests never touch ~/.cache.
    """
    cache = tmp_path_factory.mktemp("geomap") / "cache" / "not-yet-created"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GEOMAP_CACHE_DIR", str(cache))
        yield open_gazetteer()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium through Playwright (skipped, saying why, where it is not installed)."""
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
