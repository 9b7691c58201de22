"""Articles a second: geomap's whole extraction next to spaCy's small model alone, and --jobs 2 vs 1.

On real news texts (the GeoWebNews, LGL and GeoVirus documents in ../shared/bench, taken
in turn from each corpus, up to ``--limit``), each repeat measures in one run:

- ``spacy``: spaCy's small English model as spaCy ships it (``spacy.load``), ``nlp.pipe``
  with the batch size geomap uses: the floor any spaCy-based geoparser pays;
- ``geomap``: :func:`geomap.pipeline.extract_events` (parse, toponyms, resolution, event
  mentions) and :func:`geomap.events.build_events`, model and gazetteer already loaded
  (with ``--write``: also events.csv and map.html);
- ``jobs=N``: :func:`geomap.parallel.extract_parallel` with N workers plus ``build_events``,
  worker start-up (spawn, model and gazetteer loading) included, as a user pays it.

The repeats alternate the measures, so a neighbour's load on this shared machine falls on
all of them; medians are reported, and the ratios of medians are the figures to quote
(targets: geomap / spacy <= 1.5x; jobs=2 / jobs=1 >= 1.7x on 2 cores). The events of every
parallel run are checked identical to the single-process ones.

Usage:

    python bench/throughput.py                    # 1,000 articles, 3 repeats, jobs 2 (local)
    python bench/throughput.py --limit 200 --repeat 5 --engine local --engine dask
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import itertools
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BENCH_DIR = REPO.parent / "shared" / "bench"
CORPORA = ("geowebnews", "lgl", "geovirus")
# The corpora give no publication dates; one for all anchors "on Monday" the same way each run.
PUBLISHED = dt.date(2020, 1, 1)


def machine() -> str:
    """nproc, the CPU model and the load average: what the numbers were measured on."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}), {model}, Python {platform.python_version()}, load average {load}"


def read_corpus_articles(bench_dir: Path = DEFAULT_BENCH_DIR, limit: int = 1000) -> list:
    """Up to ``limit`` articles from the three corpora, one from each in turn (read at run time, never copied)."""
    from geomap.models import Article

    corpora = []
    for name in CORPORA:
        path = bench_dir / name / f"{name}.jsonl"
        with path.open(encoding="utf-8") as fh:
            corpora.append([json.loads(line) for line in fh if line.strip()])
    docs = [d for group in itertools.zip_longest(*corpora) for d in group if d is not None][:limit]
    return [Article(id=d["id"], text=d["text"]) for d in docs]


def as_tuples(items) -> list[tuple]:
    return [dataclasses.astuple(item) for item in items]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR)
    parser.add_argument("--limit", type=int, default=1000, help="articles (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats of each measure (default 3)")
    parser.add_argument("--jobs", type=int, default=2, help="workers of the parallel measure (default 2)")
    parser.add_argument("--engine", action="append", choices=("local", "dask"), help="parallel engine(s) (default local)")
    parser.add_argument("--write", action="store_true", help="also write events.csv and map.html in the geomap measure")
    args = parser.parse_args(argv)
    engines = args.engine or ["local"]

    import pandas as pd
    import spacy

    from geomap.events import build_events
    from geomap.extract.nlp import MODEL_NAMES
    from geomap.parallel import extract_parallel
    from geomap.pipeline import BATCH, Geoparser, extract_events

    articles = read_corpus_articles(args.bench_dir, args.limit)
    texts = [a.text for a in articles]
    by_id = {a.id: a for a in articles}
    print(f"machine: {machine()}")
    print(f"input: {len(articles)} articles ({sum(map(len, texts)) / len(texts):.0f} characters on average) "
          f"from {', '.join(CORPORA)}; batch size {BATCH}; {args.repeat} repeats, medians")

    plain = None
    for name in MODEL_NAMES:
        try:
            plain = spacy.load(name)
            break
        except OSError:
            continue
    assert plain is not None, "no spaCy English small model installed"
    geoparser = Geoparser()
    list(geoparser.pipe(["Warm-up: shelling was reported in Kharkiv, Ukraine."]))
    list(plain.pipe(["Warm-up: shelling was reported in Kharkiv, Ukraine."]))
    print(f"spaCy pipeline as shipped: {', '.join(plain.pipe_names)}")
    print(f"geomap's pipeline:         {', '.join(geoparser.nlp.pipe_names)}")

    out = Path(tempfile.mkdtemp(prefix="geomap-bench-"))
    times: dict[str, list[float]] = {"spacy": [], "geomap": []}
    reference = None
    for r in range(args.repeat):
        t = time.perf_counter()
        for _ in plain.pipe(texts, batch_size=BATCH):
            pass
        times["spacy"].append(time.perf_counter() - t)

        t = time.perf_counter()
        result = extract_events(articles, geoparser=geoparser, published=PUBLISHED)
        events = build_events(result.mentions, by_id)
        if args.write:
            from geomap.render import write_map
            from geomap.store import write_csv

            write_csv(events, out / "events.csv")
            write_map(events, out / "map.html")
        times["geomap"].append(time.perf_counter() - t)
        if reference is None:
            reference = (as_tuples(result.mentions), events)

        for engine in engines:
            key = f"jobs={args.jobs} ({engine})"
            t = time.perf_counter()
            parallel = extract_parallel(articles, jobs=args.jobs, engine=engine, published=PUBLISHED)
            parallel_events = build_events(parallel.mentions, by_id)
            times.setdefault(key, []).append(time.perf_counter() - t)
            identical = as_tuples(parallel.mentions) == reference[0]
            pd.testing.assert_frame_equal(parallel_events, reference[1])  # raises if the table differs
            if not identical:
                print(f"ERROR: {key} gave other event mentions than one process", file=sys.stderr)
                return 1
        print(f"  repeat {r + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()), flush=True)

    n = len(articles)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"\n{'measure':<22} {'median s':>9} {'articles/s':>11}   runs (s)")
    for key, value in med.items():
        runs = ", ".join(f"{x:.1f}" for x in times[key])
        print(f"{key:<22} {value:>9.2f} {n / value:>11.1f}   {runs}")
    print(f"\ngeomap{' + CSV + map' if args.write else ''} / spaCy alone: {med['geomap'] / med['spacy']:.2f}x the time (target <= 1.5x)")
    for engine in engines:
        key = f"jobs={args.jobs} ({engine})"
        print(f"{key} vs jobs=1: {med['geomap'] / med[key]:.2f}x the throughput (target >= 1.7x on 2 cores); "
              f"events identical: yes ({len(reference[0])} event mentions, {len(reference[1])} events)")
    print(f"machine at the end: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
