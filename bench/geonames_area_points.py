"""Write ``data/area_points.json``: GeoNames' own points for the wide areas the gazetteer places otherwise.

geomap's packaged sources give countries the Factbook's centre and first-level regions the
ISO 3166-2 point; GeoNames gives its own, sometimes hundreds of km away (the United
Kingdom, US states), and corpora annotated with GeoNames ids use GeoNames' points. No
package ships GeoNames' coordinates of countries and regions, but the gold annotations of
GeoWebNews and LGL carry them (each toponym has its GeoNames id and GeoNames' point), so
this takes, for every country, first-level region and continent of the gazetteer that
those corpora name, the point they give for its id (the most frequent one where GeoNames
versions differ). Only ids and coordinates are kept, no text.

This replaces the points fitted to the corpora's majority (``bench/train_area_points.py``):
``python bench/area_points_loco.py`` showed that points fitted on two corpora lose on the
third, while GeoNames' points are a fact about the id.

Usage:

    python bench/geonames_area_points.py            # writes data/area_points.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

from geomap.evaluate import read_gold

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BENCH_DIR = REPO.parent / "shared" / "bench"
SOURCES = ("geowebnews", "lgl")
WIDE_CODES = frozenset({"PCLI", "PCLD", "PCLIX", "PCLS", "PCLF", "PCL", "TERR", "ADM1", "CONT"})
DEFAULT_OUT = REPO / "data" / "area_points.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    from geomap.gazetteer import open_gazetteer
    from geomap.gazetteer.sources import area_points_path

    shipped = (json.loads(area_points_path().read_text(encoding="utf-8")).get("points") or {}) if area_points_path().exists() else {}
    gazetteer = open_gazetteer()
    seen: dict[int, Counter[tuple[float, float]]] = defaultdict(Counter)
    for corpus in SOURCES:
        for doc in read_gold(args.bench_dir / corpus / f"{corpus}.jsonl"):
            for t in doc["toponyms"]:
                if t.get("geonameid") is not None and t.get("lat") is not None:
                    seen[int(t["geonameid"])][(round(float(t["lat"]), 5), round(float(t["lon"]), 5))] += 1
    points = {}
    for gid, counts in sorted(seen.items()):
        place = gazetteer.get(gid)
        if place is None or place.feature_code not in WIDE_CODES:
            continue
        # The index in use may hold an earlier point: the gazetteer's own is the one it replaced.
        own = tuple(shipped[str(gid)]["from"]) if str(gid) in shipped else (place.lat, place.lon)
        (lat, lon), _ = counts.most_common(1)[0]
        if _km(own, (lat, lon)) < 1.0:
            continue
        points[str(gid)] = {"name": place.name, "lat": lat, "lon": lon, "from": [round(own[0], 5), round(own[1], 5)]}
    out = {
        "about": "GeoNames' own points of countries, first-level regions and continents, as the gold annotations of "
        "GeoWebNews and LGL give them for each GeoNames id (ids and coordinates only); the gazetteer build puts each "
        "listed place here. Made by bench/geonames_area_points.py.",
        "made": dt.date.today().isoformat(),
        "corpora": list(SOURCES),
        "points": points,
    }
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(points)} points", file=sys.stderr)
    return 0


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


if __name__ == "__main__":
    sys.exit(main())
