"""Benchmark the map on synthetic events: file size, render time, time to interactive.

For each size (1,000 / 10,000 / 100,000 events by default) this makes a seeded synthetic
events table spread over eastern Europe, with string lengths like real ones (evidence
sentences of 90-260 characters, source titles, URLs, actors, about three events per
article), and writes it twice:

* **geomap**: ``geomap.render.write_map`` (offline: Leaflet, tiles, borders and the events
  table inlined; the page draws, clusters and filters the events itself);
* **folium** (the baseline): a plain folium map with one ``folium.Marker`` and one
  ``folium.Popup`` (the evidence, escaped) per event, folium's default CDN assets.

It prints, per size and per map: the HTML size in MB; the render time in Python (write
the file; median of ``--runs``); the page load time in headless Chromium (median of
``--runs``, each in a fresh browser context) until the map is interactive: for geomap
until its events are drawn (markers and clusters in the DOM) and its basemap tiles are
in, for folium until the ``load`` event with every marker added. Ratios are geomap /
folium, measured in the same run. Also for geomap: how long applying a type filter takes
(unticking the most common type: filter, recluster, redraw; median of ``--runs``).

Offline, as the tests run: every request leaving the file is blocked. folium's page asks
for Leaflet 1.9.3, jQuery, Bootstrap and Font Awesome from CDNs; so that it can draw at
all, its Leaflet requests are answered with geomap's vendored Leaflet 1.9.4 and its jQuery
request with a three-line stand-in for the one call its popups make (``$(html)[0]``: parse
a snippet of HTML); the others are blocked (a plain marker map needs none of them), and
so are its tiles (geomap's are in the file). A folium load that takes longer than ``--timeout`` seconds is
stopped and reported as such; a folium render slower than ``--slow-render`` seconds is
run once instead of ``--runs`` times (the output says so).

Usage:

    python bench/map.py                         # 1,000 / 10,000 / 100,000 events
    python bench/map.py --sizes 1000 --runs 5
    python bench/map.py --keep /tmp/maps        # keep the written maps to look at
    python bench/map.py --geomap-only           # geomap's numbers alone, without the folium baseline
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import itertools
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from geomap.models import EVENT_SCHEMA, EVENT_TYPES
from geomap.render import write_map
from geomap.render.resources import read_asset

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
REGION = {"south": 44.0, "north": 56.0, "west": 22.0, "east": 45.0}
SEED = 20240806

_SYLLABLES = ("ko", "re", "no", "vo", "lu", "hansk", "bel", "go", "rod", "sum", "y", "kha", "rkiv", "dni",
              "pro", "za", "po", "rizh", "zhia", "myko", "la", "iv", "pol", "ta", "va", "kra", "ma", "torsk",
              "slo", "vi", "ansk", "iz", "um", "ku", "pi", "ansk", "cher", "ni", "hiv", "ov", "ka", "ev")
_WORDS = ("the", "a", "of", "in", "on", "near", "said", "officials", "regional", "governor", "reported",
          "forces", "attack", "village", "town", "overnight", "morning", "residents", "according", "to",
          "military", "statement", "damaged", "buildings", "strike", "shelling", "drone", "missile", "killed",
          "wounded", "civilians", "soldiers", "police", "protesters", "gathered", "outside", "administration",
          "infrastructure", "power", "line", "bridge", "road", "checkpoint", "positions", "artillery", "fire")
_ACTORS = ("Ukrainian forces", "Russian forces", "unidentified gunmen", "local police", "protesters",
           "Belarusian border guards", "Wagner Group", "civilians", "regional administration", "national guard",
           "partisan group", "air defence units", "separatist militia", "border service", "volunteer battalion")
_STATUSES = (("reported", 70), ("unconfirmed", 12), ("claimed", 10), ("denied", 3), ("planned", 5))
_TYPES = (("Battles", 30), ("Explosions/Remote violence", 40), ("Violence against civilians", 10),
          ("Protests", 10), ("Riots", 4), ("Strategic developments", 6))
_REGIONS = tuple(f"{name.title()} Oblast" for name in ("kharkiv", "sumy", "kursk", "belgorod", "donetsk",
                                                        "luhansk", "zaporizhzhia", "kherson", "odesa", "kyiv"))


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).title()


class _Vocabulary:
    """News-like words: the common ones above, then made-up ones, drawn with Zipf's law
    (the n-th word about 1/n as often as the first), so that sentences compress about as
    much as English prose does (deflate: about 2.5 to 3 times)."""

    def __init__(self, rng: random.Random, size: int = 3000) -> None:
        made_up = {"".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3))) for _ in range(size * 2)}
        self.words = list(_WORDS) + sorted(made_up - set(_WORDS))[: size - len(_WORDS)]
        self.cum_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(self.words))))

    def sentence(self, rng: random.Random, length: int, place: str) -> str:
        """About ``length`` characters of words, the place among them."""
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < length:
            words.extend(rng.choices(self.words, cum_weights=self.cum_weights, k=4))
        words.insert(rng.randrange(len(words) + 1), place)
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."


def synthetic_events(n: int, seed: int = SEED) -> pd.DataFrame:
    """``n`` events over REGION, typed as the events schema; the same ``n`` and seed give the same table."""
    rng = random.Random(seed)
    vocabulary = _Vocabulary(rng)
    places = []
    for i in range(max(50, n // 30)):
        places.append({
            "place_name": _name(rng),
            "geonameid": 600000 + i,
            "admin1": rng.choice(_REGIONS),
            "country_code": rng.choice(("UA", "UA", "UA", "RU", "RU", "BY")),
            "lat": round(rng.uniform(REGION["south"], REGION["north"]), 5),
            "lon": round(rng.uniform(REGION["west"], REGION["east"]), 5),
        })
    articles = []
    for i in range(max(1, n // 3)):
        title = vocabulary.sentence(rng, rng.randint(30, 80), rng.choice(places)["place_name"])[:-1]
        slug = "-".join(title.lower().split()[:6])
        articles.append({
            "article_id": hashlib.sha256(f"{seed}/{i}".encode()).hexdigest()[:16],
            "source_title": title,
            "source_url": f"https://news.example.org/{2023 + i % 2}/{i % 12 + 1:02d}/{slug}-{i}",
        })
    types, type_weights = zip(*_TYPES)
    statuses, status_weights = zip(*_STATUSES)
    start = dt.date(2023, 1, 1)
    rows: list[dict[str, Any]] = []
    for i in range(n):
        place = rng.choice(places)
        article = articles[i % len(articles)]
        event_type = rng.choices(types, type_weights)[0]
        status = rng.choices(statuses, status_weights)[0]
        precision = rng.choices((1, 2, 3), (70, 20, 10))[0]
        place_text = {1: place["place_name"], 2: f"near {place['place_name']}", 3: place["admin1"]}[precision]
        evidence = vocabulary.sentence(rng, rng.randint(50, 210), place_text)
        rows.append({
            "event_id": "ev-" + hashlib.sha256(f"{seed}/ev/{i}".encode()).hexdigest()[:16],
            **article,
            "event_date": None if status == "planned" else (start + dt.timedelta(days=rng.randrange(730))).isoformat(),
            "time_precision": rng.choices((1, 2, 3), (85, 10, 5))[0],
            "date_source": "text",
            "event_type": event_type,
            "sub_event_type": rng.choice(EVENT_TYPES[event_type]),
            "actor1": rng.choice(_ACTORS),
            "actor2": rng.choice(_ACTORS) if rng.random() < 0.5 else None,
            "fatalities": rng.randint(0, 30) if rng.random() < 0.4 else None,
            "status": status,
            "place_text": place_text,
            **place,
            "feature_code": "PPL" if precision < 3 else "ADM1",
            "geo_precision": precision,
            "radius_km": {1: 0.0, 2: 10.0, 3: float(rng.randint(50, 150))}[precision],
            "evidence": evidence,
            "trigger_start": rng.randint(0, 40),
            "trigger_end": rng.randint(41, 60),
            "trigger_text": rng.choice(("strike", "shelling", "clashed", "attack", "protest")),
            "place_start": rng.randint(0, 80),
            "place_end": rng.randint(81, 120),
            "n_sources": rng.randint(1, 3),
            "n_mentions": rng.randint(1, 4),
        })
    frame = pd.DataFrame.from_records(rows, columns=[c.name for c in EVENT_SCHEMA])
    return frame.astype({c.name: c.dtype for c in EVENT_SCHEMA})


def write_folium_baseline(events: pd.DataFrame, path: Path) -> Path:
    """The plain folium map: one Marker with a Popup per located event, folium's defaults."""
    import folium

    center = [(REGION["south"] + REGION["north"]) / 2, (REGION["west"] + REGION["east"]) / 2]
    m = folium.Map(location=center, zoom_start=5)
    located = events[events["lat"].notna() & events["lon"].notna()]
    for lat, lon, evidence in zip(located["lat"], located["lon"], located["evidence"].fillna("")):
        folium.Marker([lat, lon], popup=folium.Popup(html.escape(evidence), max_width=360)).add_to(m)
    m.save(str(path))
    return path


# Seconds from navigation start until the map can be used (the condition first holds).
_GEOMAP_READY = """() => {
    const map = document.querySelector('.leaflet-container.geomap-ready');
    if (!map || !map.querySelector('.geomap-event, .geomap-cluster')) return false;
    const tiles = [...map.querySelectorAll('.leaflet-tile')];
    if (!tiles.length || !tiles.every(t => t.classList.contains('leaflet-tile-loaded'))) return false;
    return performance.now() / 1000;
}"""
_FOLIUM_READY = """n => document.readyState === 'complete'
    && document.querySelectorAll('.leaflet-marker-icon').length === n
    && performance.now() / 1000"""
# Untick the most common type: the change handler filters, reclusters and redraws synchronously.
_FILTER_MS = """() => {
    const boxes = [...document.querySelectorAll('input[data-geomap="type"]')];
    const count = box => Number(box.parentNode.querySelector('.geomap-count').textContent.replace(/[^0-9]/g, ''));
    const most = boxes.reduce((a, b) => count(a) >= count(b) ? a : b);
    const t = performance.now();
    most.click();
    return performance.now() - t;
}"""


# folium's popups run `$(`<div ...>...</div>`)[0]`: all of jQuery they use.
_JQUERY_STAND_IN = """window.jQuery = window.$ = function (html) {
    var t = document.createElement('template'); t.innerHTML = String(html).trim(); return [t.content.firstChild];
};"""


class Browser:
    """Headless Chromium through Playwright; every page blocks requests leaving the file."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        self._leaflet = {"leaflet.js": read_asset("leaflet.js"), "leaflet.css": read_asset("leaflet.css")}

    def close(self) -> None:
        self._browser.close()
        self._playwright.stop()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
            return
        for name, body in self._leaflet.items():
            if "/leaflet@" in url and url.endswith("/" + name):
                kind = "application/javascript" if name.endswith(".js") else "text/css"
                route.fulfill(status=200, body=body, content_type=kind)
                return
        if "/jquery-" in url:
            route.fulfill(status=200, body=_JQUERY_STAND_IN, content_type="application/javascript")
            return
        route.abort()

    def load(self, path: Path, kind: str, n: int) -> dict[str, float]:
        """Seconds from navigation until the map is interactive, and for geomap the filter's ms."""
        context = self._browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            page = context.new_page()
            page.route("**/*", self._route)
            page.goto(path.as_uri(), wait_until="commit")
            ready, arg = (_GEOMAP_READY, None) if kind == "geomap" else (_FOLIUM_READY, n)
            seconds = page.wait_for_function(ready, arg=arg, timeout=0, polling=20).json_value()
            result = {"seconds": float(seconds)}
            if kind == "geomap":
                result["filter_ms"] = page.evaluate(_FILTER_MS)
            return result
        finally:
            context.close()


def measure_load(path: Path, kind: str, n: int, timeout_s: float) -> dict[str, float] | None:
    """One page load in a browser of its own, in a child process killed after ``timeout_s``.

    A page that runs one script for minutes (folium's, at 100,000 markers) blocks its
    renderer: no in-page timeout fires, so the whole process group goes instead.
    """
    child = subprocess.Popen(
        [sys.executable, __file__, "--measure-load", kind, str(path), str(n)],
        stdout=subprocess.PIPE,
        start_new_session=True,  # its own process group: the browser goes with it
    )
    try:
        out, _ = child.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        return None
    if child.returncode != 0:
        raise RuntimeError(f"measuring {path} failed (exit {child.returncode})")
    return json.loads(out)


def _median(values: list[float | None]) -> float | None:
    done = [v for v in values if v is not None]
    return statistics.median(done) if len(done) == len(values) and done else None


def _timed(write, runs: int, slow_s: float) -> tuple[float, int]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        write()
        times.append(time.perf_counter() - started)
        if times[0] > slow_s:
            break
    return statistics.median(times), len(times)


def _fmt(value: float | None, unit: str = "", digits: int = 2) -> str:
    return "timeout" if value is None else f"{value:.{digits}f}{unit}"


def _ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def _measure_size(n: int, args: argparse.Namespace, folder: Path, notes: list[str]) -> tuple:
    """Sizes, render times and load times of both maps of ``n`` synthetic events."""
    events = synthetic_events(n)
    ours, theirs = folder / f"geomap-{n}.html", folder / f"folium-{n}.html"
    ours_s, _ = _timed(lambda: write_map(events, ours, title=f"{n:,} synthetic events"), args.runs, float("inf"))
    if args.geomap_only:
        theirs_s, theirs_runs = None, args.runs
    else:
        theirs_s, theirs_runs = _timed(lambda: write_folium_baseline(events, theirs), args.runs, args.slow_render)
    if theirs_runs < args.runs:
        notes.append(f"folium render at {n:,} events took {theirs_s:.0f} s: run once, not {args.runs} times")
    located = int(events["lat"].notna().sum())
    loads = [measure_load(ours, "geomap", located, args.timeout) for _ in range(args.runs)]
    ours_load = _median([load and load["seconds"] for load in loads])
    filter_ms = _median([load and load["filter_ms"] for load in loads])
    theirs_loads: list[float | None] = []
    for _ in range(0 if args.geomap_only else args.runs):
        load = measure_load(theirs, "folium", located, args.timeout)
        theirs_loads.append(load and load["seconds"])
        if load is None:
            notes.append(f"folium load at {n:,} events: not interactive within {args.timeout:.0f} s, browser start "
                         "included (the browser was stopped; not run again)")
            break
    theirs_load = _median(theirs_loads)
    print(f"... {n:,} events done", file=sys.stderr, flush=True)
    theirs_mb = theirs.stat().st_size / 1e6 if theirs.exists() else None
    return n, ours.stat().st_size / 1e6, theirs_mb, ours_s, theirs_s, ours_load, theirs_load, filter_ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated event counts")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is shown)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds a page load may take, browser start included")
    parser.add_argument("--slow-render", type=float, default=60.0,
                        help="a folium render slower than this many seconds is run once")
    parser.add_argument("--geomap-only", action="store_true",
                        help="skip the folium baseline (its 100,000-event render takes about 13 minutes)")
    parser.add_argument("--keep", type=Path, help="write the maps into this folder and keep them")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    folder = args.keep or Path(tempfile.mkdtemp(prefix="geomap-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    # warm-up, outside the timed runs: folium's import, the country borders, the basemap tiles
    write_map(synthetic_events(10), folder / "warm-up.html")
    if not args.geomap_only:
        write_folium_baseline(synthetic_events(10), folder / "warm-up-folium.html")
    notes: list[str] = []
    rows = [_measure_size(n, args, folder, notes) for n in sizes]

    print(f"geomap map benchmark: synthetic events (seed {SEED}), medians of {args.runs} runs, "
          "headless Chromium 1280x800, no network")
    print()
    header = ("events", "HTML MB geomap", "folium", "ratio", "render s geomap", "folium", "ratio",
              "load s geomap", "folium", "ratio", "filter ms geomap")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for n, ours_mb, theirs_mb, ours_s, theirs_s, ours_load, theirs_load, filter_ms in rows:
        if args.geomap_only:
            theirs_cell = load_ratio = "-"
        elif theirs_load is None and ours_load is not None:  # stopped: folium took longer than the timeout
            theirs_cell, load_ratio = f">{args.timeout:.0f}", f"<{ours_load / args.timeout:.3f}"
        else:
            theirs_cell, load_ratio = _fmt(theirs_load), _ratio(ours_load, theirs_load)
        print(" | ".join((
            f"{n:,}", f"{ours_mb:.1f}", "-" if theirs_mb is None else f"{theirs_mb:.1f}", _ratio(ours_mb, theirs_mb),
            f"{ours_s:.2f}", "-" if theirs_s is None else f"{theirs_s:.2f}", _ratio(ours_s, theirs_s),
            _fmt(ours_load), theirs_cell, load_ratio,
            _fmt(filter_ms, digits=0),
        )))
    for note in notes:
        print(f"note: {note}")
    if args.keep is None:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    return 0


def _measure_one(kind: str, path: str, n: str) -> int:
    browser = Browser()
    try:
        print(json.dumps(browser.load(Path(path), kind, int(n))))
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure-load"]:
        sys.exit(_measure_one(*sys.argv[2:5]))
    sys.exit(main())
