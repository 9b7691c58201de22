"""Shared fixtures."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from geomap.gazetteer import Gazetteer, open_gazetteer
from geomap.render.snapshot import CHROMIUM_ARGS, DEFAULT_CHROMIUM

# -- no network: every test may talk to this machine only -----------------------------------


class NetworkUsed(AssertionError):
    """A test tried to reach another machine (only 127.0.0.1 / ::1 / unix sockets are allowed)."""


_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "", None})


def _is_local(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    return host in _LOCAL_HOSTS or (isinstance(host, str) and host.startswith("127."))


@pytest.fixture(autouse=True)
def no_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse, in every test not marked ``network``, connections and name lookups beyond this machine."""
    if request.node.get_closest_marker("network"):
        return
    connect, connect_ex, getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def guarded(original):
        def call(self, address):
            if not _is_local(address):
                raise NetworkUsed(f"a test tried to connect to {address!r}")
            return original(self, address)
        return call

    def lookup(host, *args, **kwargs):
        if not _is_local((host.decode() if isinstance(host, bytes) else host,)):
            raise NetworkUsed(f"a test tried to look up {host!r}")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded(connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(connect_ex))
    monkeypatch.setattr(socket, "getaddrinfo", lookup)


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """GEOMAP_CACHE_DIR for the whole session: a directory that did not exist, so tests never touch ~/.cache
    (the map's place names open the default gazetteer too)."""
    cache = tmp_path_factory.mktemp("geomap") / "cache" / "not-yet-created"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GEOMAP_CACHE_DIR", str(cache))
        yield cache


@pytest.fixture(scope="session")
def gazetteer(_cache_dir: Path) -> Iterator[Gazetteer]:
    """The real gazetteer index, built once per test session into the session's cache directory.

    Code that opens the default index (the geocoder, the CLI, the map) uses this one.
    """
    yield open_gazetteer()


# The browser and flags `geomap snapshot` launches: Debian's chromium, headless, no background traffic.
CHROMIUM = DEFAULT_CHROMIUM


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium through Playwright (skipped, saying why, where it is not installed)."""
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS))
        yield browser
        browser.close()


# -- small articles for the event store's tests (tests/test_rerun.py, tests/test_bad_inputs.py) --

TOWNS = (
    "Kharkiv", "Odesa", "Dnipro", "Zaporizhzhia", "Kherson", "Sumy", "Chernihiv", "Mykolaiv", "Poltava",
    "Kramatorsk", "Sloviansk", "Pokrovsk", "Kupiansk", "Izium", "Belgorod", "Kursk", "Bryansk", "Donetsk",
    "Mariupol", "Lviv",
)
_REPORTS = (
    ("Missile strike on {town}", "A missile strike hit {town} on {day}, killing {n} civilians, officials said."),
    ("Shelling in {town}", "Shelling damaged houses in {town} on {day} and wounded {n} people, the regional governor said."),
    ("Drone attack on {town}", "A drone attack on {town} on {day} killed {n} people, according to local authorities."),
    ("Clashes near {town}", "Heavy fighting broke out near {town} on {day}; {n} soldiers were killed, the military said."),
)
_DAYS = ("Monday", "Tuesday", "Sunday", "Saturday")
PUBLISHED = "2025-03-05"  # a Wednesday: the days above are the 3rd, 4th, 2nd and 1st of March


def incident_report(i: int) -> str:
    """Article ``i`` (0-19) of a small fixed set: a headline and one sentence reporting an incident in TOWNS[i]."""
    title, body = _REPORTS[i % len(_REPORTS)]
    town = TOWNS[i]
    return f"{title.format(town=town)}\n\n{body.format(town=town, day=_DAYS[i % len(_DAYS)], n=i % 5 + 2)}\n"


@pytest.fixture
def write_reports():
    """Write articles ``indices`` of :func:`incident_report` into ``folder`` as ``NN_town.txt``; returns the paths."""

    def write(folder: Path, indices) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for i in indices:
            path = folder / f"{i:02d}_{TOWNS[i].lower()}.txt"
            path.write_text(incident_report(i), encoding="utf-8")
            paths.append(path)
        return paths

    return write


# -- watching a page in the browser tests (tests/test_browser.py, tests/test_map_features.py) ---


@dataclass
class Visit:
    """An open page and what it tried to do: requests leaving the file, console errors."""

    page: object
    outside_requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def watch(page, visit: Visit, allowed: tuple[str, ...] = ("file:", "data:")) -> Visit:
    """Block (and record in ``visit``) every request whose URL does not start with ``allowed``,
    and record console errors and uncaught page errors."""

    def route(route) -> None:
        url = route.request.url
        if url.startswith(allowed):
            route.continue_()
        else:
            visit.outside_requests.append(url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: visit.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: visit.errors.append(f"page error: {err}"))
    return visit
