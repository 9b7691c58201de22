"""Putting a document's toponyms on Earth, each in the context of the others.

"Lugansk" in an article about the war in Ukraine is Luhansk, not the Kazakh village;
"Korenevo" next to "Kursk region" is the one in Kursk oblast. A candidate's score is
its prior (what kind of place it is, how many people live there) plus how well it
fits the countries and regions the rest of the document points to.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import math
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from geomap.extract.toponyms import Toponym
from geomap.models import Mention, Place

__all__ = ["resolve_toponyms", "demonym_country", "prior"]

FEATURE_PRIOR = {
    "LMK": 4.5,
    "PCLI": 4.0,
    "PCLD": 3.0,
    "PCLIX": 3.0,
    "PCLS": 3.0,
    "PCLF": 3.0,
    "PCL": 3.0,
    "TERR": 2.5,
    "ADM1": 3.0,
    "PPLC": 3.0,
    "PPLA": 2.0,
    "PPLA2": 1.2,
    "PPLA3": 0.6,
    "ADM2": 1.5,
    "AIRP": -0.5,
}
REGION_CODES = frozenset({"ADM1", "ADM2", "ADM1H", "ADM2H"})
COUNTRY_CODES = frozenset({"PCLI", "PCLD", "PCLIX", "PCLS", "PCLF", "PCL", "TERR"})
CANDIDATES = 25


class _Lookup(Protocol):
    def lookup(
        self, name: str, *, country_codes: Sequence[str] | None = None, limit: int | None = None
    ) -> list[Place]: ...


def prior(place: Place) -> float:
    """How likely a bare mention of a name means this place, before context."""
    return FEATURE_PRIOR.get(place.feature_code, 0.0) + 0.45 * math.log10(place.population + 1)


@functools.lru_cache(maxsize=1)
def _demonyms() -> dict[str, str]:
    table: dict[str, str] = {}
    with importlib.resources.files("geomap.data").joinpath("demonyms.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for name in row["demonyms"].split("|"):
                table[name.casefold()] = row["country_code"]
    return table


def demonym_country(text: str) -> str | None:
    """The country a demonym or nationality adjective points to.

    >>> demonym_country("Ukrainian")
    'UA'
    """
    key = text.casefold().strip()
    table = _demonyms()
    if key in table:
        return table[key]
    # "Ukrainian-Russian" names both; the first is enough for context.
    for part in key.replace("–", "-").split("-"):
        if part in table:
            return table[part]
    return None


def _candidates(gazetteer: _Lookup, top: Toponym) -> list[tuple[Place, float]]:
    """Candidates with their prior probability: the gazetteer's own where it gives one."""
    if hasattr(gazetteer, "lookup_scored"):
        scored = gazetteer.lookup_scored(top.query, limit=CANDIDATES)
    else:
        places = gazetteer.lookup(top.query, limit=CANDIDATES)
        weights = [math.exp(prior(p)) for p in places]
        total = sum(weights) or 1.0
        scored = [(p, w / total) for p, w in zip(places, weights)]
    if top.region_cue:
        regions = [(p, s) for p, s in scored if p.feature_code in REGION_CODES]
        if regions:
            return regions
    return scored


PRIOR_WEIGHT = 0.6


def _score(
    place: Place, p: float, top: Toponym, countries: Counter[str], total: float, regions: set[tuple[str, str]]
) -> float:
    score = PRIOR_WEIGHT * math.log(max(p, 1e-9))
    if total:
        score += 3.0 * countries.get(place.country_code, 0) / total
    if place.admin1_code and (place.country_code, place.admin1_code) in regions:
        score += 2.5
    if top.region_cue and place.feature_code in REGION_CODES:
        score += 5.0
    return score


def resolve_toponyms(toponyms: Sequence[Toponym], gazetteer: _Lookup) -> list[Mention]:
    """Resolve each toponym of one document to its most likely place.

    Demonyms ("Russian") give context but are returned with ``place`` None;
    names the gazetteer does not know are returned with ``place`` None too.

    >>> from geomap.gazetteer import open_gazetteer
    >>> from geomap.extract.toponyms import Toponym
    >>> t = Toponym(0, 7, "Lugansk", "Lugansk", "GPE")
    >>> resolve_toponyms([t], open_gazetteer())[0].place.country_code
    'UA'
    """
    cands = [[] if t.kind == "modifier" else _candidates(gazetteer, t) for t in toponyms]

    # Pass 1: what the document is about, from each name's best guess alone, and
    # from demonyms. Unambiguous names (one strong candidate) weigh more.
    countries: Counter[str] = Counter()
    regions: set[tuple[str, str]] = set()
    for top, places in zip(toponyms, cands):
        if top.kind == "modifier":
            cc = demonym_country(top.text)
            if cc:
                countries[cc] += 0.5
            continue
        if not places:
            continue
        best = max(places, key=lambda ps: ps[1])[0]
        countries[best.country_code] += 1.0
        if best.feature_code in REGION_CODES:
            regions.add((best.country_code, best.admin1_code))
    total = sum(countries.values())

    # Pass 2: each name in the light of the others.
    mentions: list[Mention] = []
    for top, places in zip(toponyms, cands):
        if not places:
            mentions.append(Mention(top.start, top.end, top.text, top.label, None, 0.0, top.kind))
            continue
        scored = sorted(
            ((_score(place, p, top, countries, total, regions), place) for place, p in places),
            key=lambda sp: (-sp[0], sp[1].geonameid),
        )
        best_score, best = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else best_score - 10.0
        confidence = 1.0 / (1.0 + math.exp(-(best_score - runner_up)))
        mentions.append(
            Mention(
                start=top.start,
                end=top.end,
                text=top.text,
                label=top.label,
                place=best,
                score=round(confidence, 4),
                kind=top.kind,
                alternatives=tuple(p for _, p in scored[1:5]),
            )
        )
    return mentions
