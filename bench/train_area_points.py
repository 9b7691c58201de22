"""Learn where the gold corpora put wide areas (countries, regions, continents, seas) from their train part.

A country, a first-level region or an ocean has no one true point: GeoNames, Wikipedia and
the Factbook each give their own, hundreds of km apart (Hawaii, China, the Middle East),
and geoparsing corpora are annotated with one convention or another. For each wide area
that geomap's geoparser puts a train toponym on, this collects the gold points, then picks
the point that puts the most of those toponyms within 161 km: the gazetteer's own point,
one of the gold points, or the midpoint of two of them (a midpoint often satisfies two
conventions at once); among equals, the one nearest the gold points overall. A point replaces the gazetteer's only if it gains at least
``--min-gain`` toponyms from at least two documents; the gazetteer reads the result
(``data/area_points.json``) when it builds its index.

Only ``train`` documents are read (:func:`geomap.evaluate.split_of`); score on ``dev`` with
``python bench/geoparse.py``. A gold point farther from the area's point than its reach
is taken for another place of the same name and left out.

Usage:

    python bench/train_area_points.py                # all corpora, writes data/area_points.json
    python bench/train_area_points.py --out /tmp/area_points.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path
from typing import Any

from geomap.evaluate import ACCURACY_KM, _match_exact, _match_overlapping, read_gold

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BENCH_DIR = REPO.parent / "shared" / "bench"
CORPORA = ("geowebnews", "lgl", "geovirus")
DEFAULT_OUT = REPO / "data" / "area_points.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR)
    parser.add_argument("--corpus", action="append", choices=CORPORA)
    parser.add_argument("--min-gain", type=int, default=2, help="toponyms a new point must gain (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    corpora = args.corpus or list(CORPORA)

    from geomap.gazetteer.build import is_wide_area
    from geomap.gazetteer.sources import area_points_path
    from geomap.pipeline import Geoparser

    geoparser = Geoparser()
    # {geonameid: (place, [(gold lat, gold lon, doc id)])}
    seen: dict[int, tuple[Any, list[tuple[float, float, str]]]] = {}
    for corpus in corpora:
        gold = read_gold(args.bench_dir / corpus / f"{corpus}.jsonl", split="train")
        for doc, (_parsed, mentions) in zip(gold, geoparser.pipe(g["text"] for g in gold)):
            spans = [{"start": m.start, "end": m.end} for m in mentions]
            for gi, pi in _match_overlapping(doc["toponyms"], spans, _match_exact(doc["toponyms"], spans)):
                g, place = doc["toponyms"][gi], mentions[pi].place
                if g.get("lat") is None or place is None or not is_wide_area(place.feature_code, place.source, place.radius_km):
                    continue
                seen.setdefault(place.geonameid, (place, []))[1].append((g["lat"], g["lon"], doc["id"]))
        print(f"{corpus}: {len(gold)} train documents", file=sys.stderr)

    # The index in use was built with the shipped points: start from the points they replaced.
    shipped = _read_points(area_points_path())
    points: dict[str, Any] = {}
    for gid, (place, golds) in sorted(seen.items(), key=lambda item: item[1][0].name):
        own = tuple(shipped[str(gid)]["from"]) if str(gid) in shipped else (place.lat, place.lon)
        found = best_point(own, golds, reach_km=max(place.radius_km, 500.0), min_gain=args.min_gain)
        if found is not None:
            (lat, lon), before, after = found
            points[str(gid)] = {"name": place.name, "lat": lat, "lon": lon, "from": [round(own[0], 5), round(own[1], 5)], "train_hits": [before, after]}
            print(f"{place.name} ({gid}): ({own[0]:.2f}, {own[1]:.2f}) -> ({lat:.2f}, {lon:.2f}); within 161 km {before} -> {after}", file=sys.stderr)

    out = {
        "about": "Points for wide areas (countries, regions, continents, seas) that agree with how gold geoparsing corpora "
        "place them; the gazetteer build puts each listed place here. Made by bench/train_area_points.py from the train split.",
        "made": dt.date.today().isoformat(),
        "corpora": corpora,
        "split": "train",
        "min_gain": args.min_gain,
        "points": points,
    }
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(points)} points", file=sys.stderr)
    return 0


def best_point(
    own: tuple[float, float], golds: list[tuple[float, float, str]], *, reach_km: float, min_gain: int
) -> tuple[tuple[float, float], int, int] | None:
    """The point that puts the most gold points within 161 km, with the hits before and after, or None to keep ``own``.

    >>> best_point((0.0, 0.0), [(0.0, 2.0, "a"), (0.0, 2.0, "b")], reach_km=1000, min_gain=2)
    ((0.0, 2.0), 0, 2)
    """
    from geopy.distance import great_circle

    golds = [g for g in golds if great_circle(own, g[:2]).km <= reach_km]
    if not golds:
        return None
    distinct = sorted({(round(lat, 2), round(lon, 2)) for lat, lon, _ in golds})
    options = [own, *distinct]
    options += [_midpoint(a, b) for i, a in enumerate(options) for b in options[i + 1 :]]

    def hits(point: tuple[float, float]) -> tuple[int, int]:
        near = [g for g in golds if great_circle(point, g[:2]).km <= ACCURACY_KM]
        return len(near), len({doc for _, _, doc in near})

    def spread(point: tuple[float, float]) -> float:
        # Among points with as many hits, the one nearest the gold points overall (the AUC of log errors).
        return math.fsum(math.log1p(great_circle(point, g[:2]).km) for g in golds)

    before, _ = hits(own)
    scored = [(hits(p)[0], -spread(p), p) for p in options]
    after, _, point = max(scored, key=lambda s: (s[0], s[1]))
    own_docs = {doc for lat, lon, doc in golds if great_circle(own, (lat, lon)).km <= ACCURACY_KM}
    gained_docs = {doc for lat, lon, doc in golds if great_circle(point, (lat, lon)).km <= ACCURACY_KM} - own_docs
    if after - before < min_gain or len(gained_docs) < 2:
        return None
    return (round(point[0], 3), round(point[1], 3)), before, after


def _read_points(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("points") or {}
    except FileNotFoundError:
        return {}


def _midpoint(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    lon_b = b[1] + 360 if b[1] - a[1] < -180 else b[1] - 360 if b[1] - a[1] > 180 else b[1]
    lon = (a[1] + lon_b) / 2
    return (a[0] + b[0]) / 2, (lon - 360 if lon > 180 else lon + 360 if lon < -180 else lon)


if __name__ == "__main__":
    sys.exit(main())
