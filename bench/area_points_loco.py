"""Leave one corpus out: do fitted points of wide areas gain on a corpus they were not fitted on?

Countries, first-level regions and continents have no one true point; the gold corpora are
annotated with GeoNames ids, and each corpus follows its own convention. ``data/area_points.json``
(``bench/train_area_points.py``) moves such areas to the points the train split of all three
corpora favours. This checks whether that generalises: for each corpus, the points are fitted
on the two others (the same rule, :func:`train_area_points.best_point`) and the third is
scored, on its wide-area toponyms, three ways:

- ``own``: the gazetteer's own point of each area (GeoNames/ISO 3166-2/Factbook, before any fitting);
- ``shipped``: the points in ``data/area_points.json`` (fitted on the train split of all three, so
  they have seen part of the corpus scored: an optimistic number);
- ``LOCO``: points fitted on the two other corpora only (the number that predicts a corpus of
  another origin);
- ``GeoNames``: GeoNames' own point of each area, as the gold annotations of the two other
  corpora give it (GeoWebNews and LGL are annotated with GeoNames ids and GeoNames'
  coordinates; GeoVirus has no ids, so it is never a source). This is what
  ``bench/geonames_area_points.py`` ships in ``data/area_points.json``.

It reads the predictions ``bench/geoparse.py --split all --predictions-out DIR`` writes (the
toponyms with their GeoNames ids and points, from the shipped index), so it needs no
geoparsing of its own.

Usage:

    python bench/geoparse.py --split all --predictions-out /tmp/pred
    python bench/area_points_loco.py --predictions /tmp/pred

The "fitted on all train" column is the points the predictions were made with: to compare
with the fitted points of earlier versions, make the predictions with that version and
pass its file as ``--area-points`` (``git show cc304a2:data/area_points.json``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_area_points import best_point  # noqa: E402  (a sibling script, not a package)

from geomap.evaluate import ACCURACY_KM, _match_exact, _match_overlapping, read_gold  # noqa: E402
from geomap.gazetteer.sources import area_points_path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BENCH_DIR = REPO.parent / "shared" / "bench"
CORPORA = ("geowebnews", "lgl", "geovirus")
WIDE_CODES = frozenset({"PCLI", "PCLD", "PCLIX", "PCLS", "PCLF", "PCL", "TERR", "ADM1", "CONT", "RGN", "SEA", "OCN", "GULF"})


def collect(bench_dir: Path, predictions: Path) -> dict[str, list[tuple[int, tuple[float, float], tuple[float, float], str]]]:
    """{corpus: [(geonameid, predicted point, gold point, doc id)]} for predicted wide areas matched to gold."""
    out: dict[str, list[tuple[int, tuple[float, float], tuple[float, float], str]]] = {}
    for corpus in CORPORA:
        gold = {doc["id"]: doc for doc in read_gold(bench_dir / corpus / f"{corpus}.jsonl")}
        rows = []
        with open(predictions / f"{corpus}.pred.jsonl", encoding="utf-8") as stream:
            for line in stream:
                pred = json.loads(line)
                g_spans, p_spans = gold[pred["id"]]["toponyms"], pred["toponyms"]
                for gi, pi in _match_overlapping(g_spans, p_spans, _match_exact(g_spans, p_spans)):
                    g, p = g_spans[gi], p_spans[pi]
                    if g.get("lat") is None or p.get("lat") is None or p.get("feature_code") not in WIDE_CODES:
                        continue
                    rows.append((int(p["geonameid"]), (p["lat"], p["lon"]), (g["lat"], g["lon"]), pred["id"]))
        out[corpus] = rows
    return out


def geonames_points(bench_dir: Path, corpora: list[str]) -> dict[int, tuple[float, float]]:
    """{geonameid: GeoNames' point} as the gold annotations of ``corpora`` give it (the most frequent one)."""
    seen: dict[int, Counter[tuple[float, float]]] = defaultdict(Counter)
    for corpus in corpora:
        for doc in read_gold(bench_dir / corpus / f"{corpus}.jsonl"):
            for t in doc["toponyms"]:
                if t.get("geonameid") is not None and t.get("lat") is not None:
                    seen[int(t["geonameid"])][(round(float(t["lat"]), 5), round(float(t["lon"]), 5))] += 1
    return {gid: counts.most_common(1)[0][0] for gid, counts in seen.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR)
    parser.add_argument("--predictions", type=Path, required=True, help="folder of <corpus>.pred.jsonl from bench/geoparse.py --split all")
    parser.add_argument("--min-gain", type=int, default=2, help="toponyms a fitted point must gain (default: %(default)s)")
    parser.add_argument("--area-points", type=Path, help="the area_points.json the predictions were made with (default: the shipped one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from geopy.distance import great_circle

    shipped = json.loads((args.area_points or area_points_path()).read_text(encoding="utf-8")).get("points") or {}
    data = collect(args.bench_dir, args.predictions)

    def own(gid: int, predicted: tuple[float, float]) -> tuple[float, float]:
        # The index was built with the shipped points: the own point is the one they replaced.
        entry = shipped.get(str(gid))
        return (entry["from"][0], entry["from"][1]) if entry else predicted

    def fit(corpora: list[str]) -> dict[int, tuple[float, float]]:
        golds: dict[int, list[tuple[float, float, str]]] = defaultdict(list)
        owns: dict[int, tuple[float, float]] = {}
        for corpus in corpora:
            for gid, predicted, gold, doc in data[corpus]:
                golds[gid].append((gold[0], gold[1], f"{corpus}:{doc}"))
                owns[gid] = own(gid, predicted)
        points = {}
        for gid, points_gold in golds.items():
            found = best_point(owns[gid], points_gold, reach_km=2000.0, min_gain=args.min_gain)
            if found is not None:
                points[gid] = found[0]
        return points

    rows: list[dict[str, Any]] = []
    for held in CORPORA:
        others = [c for c in CORPORA if c != held]
        fitted = fit(others)
        geonames = geonames_points(args.bench_dir, others)
        hits = {"own": 0, "shipped": 0, "loco": 0, "geonames": 0}
        for gid, predicted, gold, _doc in data[held]:
            base = own(gid, predicted)
            hits["own"] += great_circle(base, gold).km <= ACCURACY_KM
            hits["shipped"] += great_circle(predicted, gold).km <= ACCURACY_KM
            hits["loco"] += great_circle(fitted.get(gid, base), gold).km <= ACCURACY_KM
            hits["geonames"] += great_circle(geonames.get(gid, base), gold).km <= ACCURACY_KM
        n = len(data[held])
        rows.append({"held_out": held, "n_wide": n, "n_fitted_points": len(fitted), **{k: v / n if n else None for k, v in hits.items()}})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print("Wide-area toponyms (countries, regions, continents, seas) recognised and matched to gold, acc@161 km")
    print(
        f"{'held-out corpus':<16}{'n':>6}  {'own points':>10}  {'fitted on all train':>19}  "
        f"{'fitted on the other two':>23}  {'GeoNames (other two)':>20}  {'points fitted':>13}"
    )
    for r in rows:
        print(
            f"{r['held_out']:<16}{r['n_wide']:>6}  {r['own']:>10.3f}  {r['shipped']:>19.3f}  "
            f"{r['loco']:>23.3f}  {r['geonames']:>20.3f}  {r['n_fitted_points']:>13}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
