"""Peak memory of `geomap run` on 1,000 real news articles, and where its time goes.

Writes the corpora texts (GeoWebNews, LGL, GeoVirus in ../shared/bench, one from each in
turn, up to ``--limit``) as one JSONL file into a temporary folder (read at run time, never
kept), runs ``python -m geomap run corpus.jsonl --out NEW_DIR --published 2020-01-01`` as a
child process and reports its peak resident set size (``resource.getrusage(RUSAGE_CHILDREN)
.ru_maxrss``: the largest single process among the children, which for one child is its
peak; target < 800 MB) and wall time.

With ``--profile`` the same run goes once more under ``cProfile`` and the top costs are
printed (by own time and by cumulative time), with the share spent inside spaCy/thinc.

Extra ``geomap run`` options go after ``--``, e.g. ``-- --jobs 2`` once the CLI has them
(then the peak is that of the largest process, not the sum of the workers).

Usage:

    python bench/memory.py
    python bench/memory.py --limit 200 --profile
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import DEFAULT_BENCH_DIR, machine, read_corpus_articles  # noqa: E402

PUBLISHED = "2020-01-01"


def write_jsonl(articles, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for a in articles:
            fh.write(json.dumps({"id": a.id, "text": a.text}) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="also profile the run with cProfile")
    parser.add_argument("--top", type=int, default=25, help="profile lines to print")
    parser.add_argument("run_options", nargs="*", help="more `geomap run` options (after --)")
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        articles = read_corpus_articles(args.bench_dir, args.limit)
        corpus = write_jsonl(articles, tmp_path / "corpus.jsonl")
        print(f"input: {len(articles)} articles, {corpus.stat().st_size / 1e6:.1f} MB of JSONL")
        subprocess.run([sys.executable, "-c", "from geomap.gazetteer import open_gazetteer; open_gazetteer()"], check=True)
        cmd = [sys.executable, "-m", "geomap", "run", str(corpus), "--out", str(tmp_path / "out"),
               "--published", PUBLISHED, *args.run_options]
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        if proc.returncode not in (0, 3):
            print(proc.stderr, file=sys.stderr)
            return 1
        print(f"`geomap run corpus.jsonl{' ' + ' '.join(args.run_options) if args.run_options else ''}`: "
              f"{proc.stdout.strip().splitlines()[0]}")
        print(f"peak RSS {peak_mb:.0f} MB (target < 800 MB: {'met' if peak_mb < 800 else 'NOT met'}); "
              f"wall {wall:.1f} s, {len(articles) / wall:.1f} articles/s including start-up and writing")

        if args.profile:
            stats_file = tmp_path / "run.prof"
            profiled = [sys.executable, "-m", "cProfile", "-o", str(stats_file), "-m", "geomap", "run", str(corpus),
                        "--out", str(tmp_path / "out-profiled"), "--published", PUBLISHED, *args.run_options]
            proc = subprocess.run(profiled, capture_output=True, text=True)
            if proc.returncode not in (0, 3):
                print(proc.stderr, file=sys.stderr)
                return 1
            stats = pstats.Stats(str(stats_file))
            total = stats.total_tt
            own = {"spaCy/thinc/blis (Python code)": 0.0, "geomap": 0.0, "pandas": 0.0, "folium/jinja2/branca": 0.0}
            spacy_pipe = 0.0
            for (filename, _, function), (_, _, tottime, cumtime, _) in stats.stats.items():
                if any(f"/{p}/" in filename for p in ("spacy", "thinc", "blis")):
                    own["spaCy/thinc/blis (Python code)"] += tottime
                elif "/geomap/" in filename:
                    own["geomap"] += tottime
                elif "/pandas/" in filename:
                    own["pandas"] += tottime
                elif any(f"/{p}/" in filename for p in ("folium", "jinja2", "branca")):
                    own["folium/jinja2/branca"] += tottime
                if filename.endswith("spacy/language.py") and function == "pipe":
                    spacy_pipe = max(spacy_pipe, cumtime)
            print(f"\nprofile (cProfile, {total:.1f} s profiled):")
            print(f"  inside spaCy's nlp.pipe (cumulative, C code included): {spacy_pipe:.1f} s  {spacy_pipe / total:.0%}")
            print("  own time of Python code by package (C extensions are the {built-in} lines below):")
            for where, seconds in own.items():
                print(f"    {where:<32} {seconds:7.1f} s  {seconds / total:5.0%}")
            print(f"\ntop {args.top} by own time:")
            stats.sort_stats("tottime").print_stats(args.top)
            print(f"top {args.top} by cumulative time:")
            stats.sort_stats("cumulative").print_stats(args.top)
    print(f"machine at the end: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
