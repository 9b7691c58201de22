"""Cold start: `geomap run` on one article as a fresh process, and where its time goes.

Measures, each in fresh child processes, with the gazetteer index already built:

1. ``geomap run ARTICLE --out NEW_DIR`` wall time, median of ``--runs`` (target < 3 s);
2. the same run's phases, timed in a child that calls what ``run`` calls: importing
   geomap's CLI and pipeline, opening the gazetteer, loading the spaCy model, extracting,
   building the events, opening the store and writing CSV, GeoJSON and map (medians);
3. what ``python -X importtime`` says ``geomap run`` and ``geomap --help`` import: the
   heaviest top-level packages, and whether ``--help`` loads spaCy, folium or pandas
   (it must not: it does not use them);
4. with ``--build`` (default): the first-run gazetteer build, GEOMAP_CACHE_DIR set to a
   fresh temporary folder, median of ``--build-runs`` (target < 30 s).

The commands run as ``python -m geomap`` with this interpreter (the ``geomap`` script
does the same). Usage:

    python bench/coldstart.py                       # 5 runs, 3 builds
    python bench/coldstart.py --runs 9 --no-build
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import machine  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ARTICLE = REPO / "seeds" / "000_e273c2ac97f3c53a.txt"
HEAVY = ("spacy", "thinc", "folium", "pandas", "numpy", "dateparser", "geopy", "shapely", "jinja2", "rich", "distributed")

# The phases of `geomap run`, timed in a child process, calling what the command calls.
PHASES = r"""
import json, sys, time
t0 = time.perf_counter(); marks = {}
import geomap.cli
from geomap.articles import read_articles
from geomap.pipeline import Geoparser, extract_events
from geomap.events import build_events
marks["import"] = time.perf_counter()
from geomap.gazetteer import open_gazetteer
gazetteer = open_gazetteer()
marks["open gazetteer"] = time.perf_counter()
from geomap.extract.nlp import load_nlp
nlp = load_nlp()
marks["load model"] = time.perf_counter()
articles = [a for a in read_articles([sys.argv[1]])]
result = extract_events(articles, geoparser=Geoparser(gazetteer, nlp))
marks["extract"] = time.perf_counter()
from geomap.store import EventStore, write_csv, write_geojson
from geomap.workflow import build_store_events
from pathlib import Path
out = Path(sys.argv[2])
with EventStore.open(out) as store:
    version = gazetteer.meta.get("index_key", "")
    for a in articles:
        store.put_article(a, [m for m in result.mentions if m.article_id == a.id], result.toponyms[a.id], gazetteer_version=version)
    events, _ = build_store_events(store)
    store.write_events_table(events)
marks["events + store"] = time.perf_counter()
write_csv(events, out / "events.csv"); write_geojson(events, out / "events.geojson")
from geomap.render import write_map
write_map(events, out / "map.html")
marks["render (CSV, GeoJSON, map)"] = time.perf_counter()
previous, spans = t0, {}
for name, t in marks.items():
    spans[name] = t - previous; previous = t
print(json.dumps(spans))
"""


def _run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed, proc


def importtime(args: list[str]) -> dict[str, float]:
    """Package -> seconds spent importing its own modules (``python -X importtime``'s self
    times, summed by top-level package name, whoever imported them)."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-X", "importtime", "-m", "geomap", *[a.replace("{out}", out) for a in args]]
        _, proc = _run(cmd)
    packages: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \| *(\S+)", line)
        if match:
            top = match.group(2).split(".")[0]
            packages[top] = packages.get(top, 0.0) + int(match.group(1)) / 1e6
    return packages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--article", type=Path, default=ARTICLE)
    parser.add_argument("--build", action=argparse.BooleanOptionalAction, default=True,
                        help="also time the first-run gazetteer build (default: yes)")
    parser.add_argument("--build-runs", type=int, default=3)
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    print(f"article: {args.article} ({args.article.stat().st_size} bytes); {args.runs} runs, medians")
    _run([sys.executable, "-c", "from geomap.gazetteer import open_gazetteer; open_gazetteer()"])  # built before timing

    walls, phases = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as out:
            wall, _ = _run([sys.executable, "-m", "geomap", "run", str(args.article), "--out", out])
            walls.append(wall)
        with tempfile.TemporaryDirectory() as out:
            _, proc = _run([sys.executable, "-c", PHASES, str(args.article), out])
            phases.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    wall = statistics.median(walls)
    print(f"\n`geomap run ARTICLE --out NEW_DIR`: median {wall:.2f} s (runs: {', '.join(f'{w:.2f}' for w in walls)}) "
          f"- target < 3 s: {'met' if wall < 3 else 'NOT met'}")

    names = list(phases[0])
    medians = {n: statistics.median(p[n] for p in phases) for n in names}
    total = sum(medians.values())
    print(f"\nphases (timed in a child calling what `run` calls; sum {total:.2f} s, the rest of the wall time is "
          "the interpreter starting and exiting):")
    for name in names:
        print(f"  {name:<28} {medians[name]:6.2f} s  {medians[name] / total:5.0%}")

    for label, cmd in (("geomap run ARTICLE", ["run", str(args.article), "--out", "{out}"]), ("geomap --help", ["--help"])):
        packages = importtime(cmd)
        top = sorted(packages.items(), key=lambda kv: -kv[1])[:8]
        heavy = sorted(p for p in packages if p in HEAVY)
        print(f"\n-X importtime, {label}: {sum(packages.values()):.2f} s of imports; heaviest: "
              + ", ".join(f"{p} {s:.2f} s" for p, s in top))
        print(f"  heavy packages imported: {', '.join(heavy) if heavy else 'none'}")
        if label == "geomap --help":
            bad = [p for p in ("spacy", "folium", "pandas") if p in packages]
            print(f"  --help loads spaCy/folium/pandas: {'NO (good)' if not bad else 'YES: ' + ', '.join(bad)}")

    if args.build and args.build_runs > 0:
        builds = []
        for _ in range(args.build_runs):
            with tempfile.TemporaryDirectory() as cache:
                env = {**os.environ, "GEOMAP_CACHE_DIR": cache}
                t, _ = _run([sys.executable, "-c", "from geomap.gazetteer import open_gazetteer; open_gazetteer()"], env)
                builds.append(t)
        build = statistics.median(builds)
        print(f"\nfirst-run gazetteer build (fresh GEOMAP_CACHE_DIR, whole process): median {build:.1f} s "
              f"(runs: {', '.join(f'{b:.1f}' for b in builds)}) - target < 30 s: {'met' if build < 30 else 'NOT met'}")
    print(f"\nmachine at the end: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
