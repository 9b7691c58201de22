"""Derive ``data/demonyms_countryinfo.csv``: the demonym of every country the curated
``data/demonyms.csv`` leaves out, from the ``countryinfo`` package (MIT; already a
dependency: the gazetteer takes country centres from it).

A demonym is taken only where it names one country in countryinfo ("French" names
France and five territories: left to the curated file), is not the country's own name
(countryinfo gives "Djibouti" and "Gibraltar" as demonyms), and is not already in the
curated file. Plurals are added the regular way ("Jamaican" -> "Jamaicans").

    python bench/derive_demonyms.py      # rewrites data/demonyms_countryinfo.csv
"""

from __future__ import annotations

import csv
import glob
import json
import os
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CURATED = ROOT / "data" / "demonyms.csv"
OUT = ROOT / "data" / "demonyms_countryinfo.csv"
# ISO codes no longer assigned (Serbia and Montenegro).
RETIRED = {"CS", "AN", "YU"}


def plural(word: str) -> str | None:
    last = word.split()[-1]
    if last.endswith(("an", "i", "er")):
        return word + "s"
    return None  # "Nepalese", "Malagasy", "Manx": no regular plural


def main() -> None:
    import countryinfo

    curated = {}
    with CURATED.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for name in row["demonyms"].split("|"):
                curated[name.casefold()] = row["country_code"]
    owners: dict[str, set[str]] = defaultdict(set)
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(glob.glob(os.path.join(os.path.dirname(countryinfo.__file__), "data", "*.json"))):
        with open(path, encoding="utf-8") as fh:
            info = json.load(fh)
        code = (info.get("ISO") or {}).get("alpha2")
        if not code or code in RETIRED or not info.get("demonym"):
            continue
        own_names = {str(n).casefold() for n in [info.get("name"), *(info.get("altSpellings") or [])] if n}
        for word in info["demonym"].replace("/", ",").split(","):
            word = word.strip()
            if word and word.casefold() not in own_names:
                owners[word.casefold()].add(code)
                found[code].append(word)
    rows = []
    for code in sorted(found):
        words = [w for w in found[code] if len(owners[w.casefold()]) == 1 and w.casefold() not in curated]
        words += [p for w in words if (p := plural(w)) and p.casefold() not in curated]
        if words:
            rows.append((code, "|".join(words)))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["country_code", "demonyms"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} countries' demonyms to {OUT}")


if __name__ == "__main__":
    main()
