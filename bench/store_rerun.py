"""Reruns on the event store: what a second `geomap run` costs when little or nothing is new.

With ``--limit`` real news articles (the corpora of ../shared/bench, as bench/memory.py
writes them, to a temporary JSONL), three ``python -m geomap run ... --out DIR`` child
processes on one store, each timed (wall, median of ``--repeat`` for the reruns):

1. first run: every article is new and extracted;
2. rerun, same input: every article is unchanged; nothing is extracted, the events are
   rebuilt from the stored mentions and the three files rewritten;
3. rerun with ``--new`` more articles: only those are extracted.

The ratio rerun / first run is the figure to quote: a rerun must not pay for what the
store already holds. Usage:

    python bench/store_rerun.py                   # 900 articles, then 100 new
    python bench/store_rerun.py --limit 200 --new 20
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from memory import PUBLISHED, write_jsonl  # noqa: E402
from throughput import DEFAULT_BENCH_DIR, machine, read_corpus_articles  # noqa: E402


def _run(inputs: list[Path], out: Path) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "geomap", "run", *map(str, inputs), "--out", str(out), "--published", PUBLISHED]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return wall, proc.stdout.strip().splitlines()[0]


def main(argv: list[str] | None = None) -> int:
    try:
        from geomap.store import EventStore  # noqa: F401
    except ImportError:
        print("needs the store: geomap.store has no EventStore yet")
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR)
    parser.add_argument("--limit", type=int, default=900, help="articles of the first run")
    parser.add_argument("--new", type=int, default=100, help="new articles of the last rerun")
    parser.add_argument("--repeat", type=int, default=3, help="repeats of each rerun")
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    subprocess.run([sys.executable, "-c", "from geomap.gazetteer import open_gazetteer; open_gazetteer()"], check=True)
    articles = read_corpus_articles(args.bench_dir, args.limit + args.new)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        first = write_jsonl(articles[: args.limit], tmp_path / "first.jsonl")
        more = write_jsonl(articles[args.limit :], tmp_path / "more.jsonl")
        out = tmp_path / "out"
        wall_first, said = _run([first], out)
        print(f"1. first run, {args.limit} articles: {wall_first:.1f} s   [{said}]")
        walls = []
        for _ in range(args.repeat):
            wall, said = _run([first], out)
            walls.append(wall)
        same = statistics.median(walls)
        print(f"2. rerun, same {args.limit} articles: median {same:.1f} s (runs {', '.join(f'{w:.1f}' for w in walls)})   [{said}]")
        walls = []
        for _ in range(args.repeat):
            scratch = tmp_path / "out-more"
            shutil.rmtree(scratch, ignore_errors=True)
            shutil.copytree(out, scratch)  # the store as the first run left it, each time
            wall, said = _run([first, more], scratch)
            walls.append(wall)
        grown = statistics.median(walls)
        print(f"3. rerun with {args.new} new articles: median {grown:.1f} s (runs {', '.join(f'{w:.1f}' for w in walls)})   [{said}]")
        print(f"\nrerun / first run: {same / wall_first:.2f}x (same input); {grown / wall_first:.2f}x (+{args.new} new)")
    print(f"machine at the end: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
