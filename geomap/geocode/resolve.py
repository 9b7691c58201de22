"""Putting a document's toponyms on Earth, each in the context of the others.

"Lugansk" in an article about the war in Ukraine is Luhansk, not the Kazakh village;
"Korenevo" next to "Kursk region" is the one in Kursk oblast. Each candidate place of a
name gets features (its prior from the gazetteer, what kind of place it is, how many
live there, how well it fits the countries, regions and points the rest of the document
names, how many of the other names could be places near it, whether a qualifier such
as "Paris, Texas" holds) and a linear score with learned weights
(``data/resolver_ranker.json``, made by ``bench/train_ranker.py``); the best candidate
wins. Repeated names keep one sense per document.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import importlib.resources
import json
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

from geomap.errors import ModelError
from geomap.extract.toponyms import Toponym
from geomap.geo.distance import haversine_km, place_km
from geomap.geocode.lookup import Lookup
from geomap.models import Mention, Place, feature_spec

__all__ = ["resolve_toponyms", "demonym_country", "demonym_place", "is_demonym", "prior", "FEATURES", "RankerWeights", "load_weights"]

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
# A weak name ("Police", found only because a Polish village is called so) must name a
# place at least this big, or a country, a region, a continent or a curated place.
WEAK_MIN_POPULATION = 100_000
# How alike a name and a place's own name must be to be one name spelled two ways
# (rapidfuzz ratio: "st gallen" / "sankt gallen" 86, "olan" / "olemps" 60).
SPELLING_MIN_RATIO = 75.0
# A name the small model calls a nationality ("Cannes") that is no demonym is the town of
# that name if it has this many people.
NORP_MIN_POPULATION = 20_000
ROUNDS = 2
# Places this big are context, not neighbours: distance to a country says little.
POINT_RADIUS_KM = 100.0
# Two candidates of different names this close (or one inside the other's reach) support
# each other: local news names a town and its neighbours, each ambiguous alone.
SUPPORT_KM = 50.0
# Candidates of a name that may lend support: the likeliest few, so a long list of
# namesakes ("Washington") does not support everything.
SUPPORT_CANDIDATES = 10
# The same at the scale of a region: "Charleston" in an article about Virginia towns.
WIDE_SUPPORT_KM = 250.0
# How far from a town the document names a part of a town ("the X neighborhood") may lie.
QUARTER_KM = 30.0

FEATURES = (
    "log_prior",
    "first_prior",
    "wide_area",
    "capital",
    "airport",
    "curated",
    "log_population",
    "country_share",
    "country_named",
    "admin1_named",
    "admin1_share",
    "qualifier_holds",
    "qualifier_fails",
    "log_distance",
    "no_neighbours",
    "region_cue_match",
    "exact_name",
    "actor_country",
    "seat_population",
    "namesake_city",
    "support_share",
    "supported",
    "support_wide",
)
"""The features of a candidate place, in the order of the ranker's weights."""


@dataclass(frozen=True)
class RankerWeights:
    """The linear ranker: one weight per feature of :data:`FEATURES`."""

    weights: tuple[float, ...]

    def score(self, features: Sequence[float]) -> float:
        return math.fsum(w * f for w, f in zip(self.weights, features))


# Before training: the prior alone, with a nudge toward the document's countries.
PRIOR_ONLY = RankerWeights(tuple(1.0 if f == "log_prior" else 2.0 if f == "country_share" else 5.0 if f == "region_cue_match" else 0.0 for f in FEATURES))


@functools.lru_cache(maxsize=2)
def load_weights(path: Path | None = None) -> RankerWeights:
    """The shipped ranker weights (``data/resolver_ranker.json``), or the prior alone if there are none.

    >>> len(load_weights().weights) == len(FEATURES)
    True
    """
    try:
        if path is not None:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        else:
            with importlib.resources.files("geomap.data").joinpath("resolver_ranker.json").open(encoding="utf-8") as fh:
                data = json.load(fh)
    except FileNotFoundError:
        return PRIOR_ONLY
    weights = data.get("weights", {})
    spec, expected = data.get("feature_spec"), feature_spec(FEATURES)
    unknown = sorted(set(weights) - set(FEATURES))
    if spec != expected or unknown:
        raise ModelError(
            f"{path or 'data/resolver_ranker.json'} was fitted to ranker features of spec {spec!r}, but the code computes "
            f"spec {expected!r} ({len(FEATURES)} features{'; unknown in the file: ' + ', '.join(unknown) if unknown else ''}): "
            "retrain it with python bench/train_ranker.py"
        )
    return RankerWeights(tuple(float(weights.get(name, 0.0)) for name in FEATURES))


def prior(place: Place) -> float:
    """How likely a bare mention of a name means this place, before context."""
    return FEATURE_PRIOR.get(place.feature_code, 0.0) + 0.45 * math.log10(place.population + 1)


def _demonym_table(filename: str, column: str) -> dict[str, str]:
    """{demonym, casefolded: its row's ``column``} from a data file with a ``|``-separated ``demonyms`` column."""
    table: dict[str, str] = {}
    with importlib.resources.files("geomap.data").joinpath(filename).open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for name in row["demonyms"].split("|"):
                table[name.casefold()] = row[column]
    return table


@functools.lru_cache(maxsize=1)
def _demonyms() -> dict[str, str]:
    # The curated table first; countryinfo's demonyms (bench/derive_demonyms.py) fill the rest.
    return {**_demonym_table("demonyms_countryinfo.csv", "country_code"), **_demonym_table("demonyms.csv", "country_code")}


@functools.lru_cache(maxsize=1)
def _region_demonyms() -> dict[str, str]:
    return _demonym_table("region_demonyms.csv", "name")


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


def is_demonym(text: str) -> bool:
    """Whether ``text`` is a demonym of a country or a world region ("Mexican", "European").

    >>> is_demonym("Mexican"), is_demonym("Mexico")
    (True, False)
    """
    return demonym_country(text) is not None or text.casefold().strip() in _region_demonyms()


def demonym_place(text: str, gazetteer: Lookup) -> Place | None:
    """The place a demonym stands for: its country ("Russian"), or a continent or world region ("European").

    >>> from geomap.gazetteer import open_gazetteer
    >>> demonym_place("European", open_gazetteer()).name
    'Europe'
    """
    cc = demonym_country(text)
    if cc is not None:
        country = getattr(gazetteer, "country", None)
        return country(cc) if country is not None else None
    key = text.casefold().strip()
    if key.startswith("pro-") or key.startswith("anti-"):
        return None
    name = _region_demonyms().get(key)
    if name is None:
        return None
    found = gazetteer.lookup(name, limit=1)
    return found[0] if found else None


def _lookup_scored(gazetteer: Lookup, query: str) -> list[tuple[Place, float]]:
    return gazetteer.lookup_scored(query, limit=CANDIDATES)


# "South Philadelphia", "north west London", "Northern Europe": a part of a place the
# gazetteer knows; "Torkula village", "Fargo City": a place and the word for its kind.
_PART_WORDS = frozenset(
    """north south east west northern southern eastern western central northeast northwest
    southeast southwest northeastern northwestern southeastern southwestern upper lower
    greater inner outer downtown""".split()
)
_KIND_WORDS = frozenset("village town city township province district municipality area".split())


def _within(query: str) -> str | None:
    """The name a part or a kind of place is of ("South Philadelphia" -> "Philadelphia";
    "Seoul City - Yongsan", a city and its district, -> "Seoul"), or None."""
    city, dash, _ = query.partition(" - ")
    if dash and city.strip():
        return _within(city.strip()) or city.strip()
    words = query.split()
    start, end = 0, len(words)
    while start < end - 1 and words[start].casefold().rstrip(",") in _PART_WORDS:
        start += 1
    while end > start + 1 and words[end - 1].casefold() in _KIND_WORDS:
        end -= 1
    if (start, end) == (0, len(words)):
        return None
    return " ".join(words[start:end])


def _candidates(gazetteer: Lookup, top: Toponym) -> list[tuple[Place, float]]:
    """Candidates with their prior probability: the gazetteer's own where it gives one.

    A name the gazetteer does not hold that is a part or a kind of a place it does
    ("South Philadelphia", "Torkula village") takes that place's candidates.
    """
    if top.abbreviates:
        # "NSW", "SA": the regions or countries the short form stands for, one each.
        areas: list[Place] = []
        for name in top.abbreviates:
            areas.extend([p for p, _ in _lookup_scored(gazetteer, name) if p.feature_code in COUNTRY_CODES | REGION_CODES][:1])
        return [(area, 1.0 / len(areas)) for area in areas]
    scored = _lookup_scored(gazetteer, top.query)
    if not scored:
        inner = _within(top.query)
        if inner:
            scored = _lookup_scored(gazetteer, inner)
    if top.region_cue:
        # "Anderson County" is an entry of its own; "Kursk region" is found from "Kursk".
        whole = top.text != top.query and top.text.startswith(top.query)
        for found in (gazetteer.lookup_scored(top.text, limit=CANDIDATES) if whole else [], scored):
            regions = [(p, s) for p, s in found if p.feature_code in REGION_CODES]
            if regions:
                total = sum(s for _, s in regions) or 1.0
                return [(p, s / total) for p, s in regions]
    return scored


def contains(area: Place, place: Place) -> bool:
    """Whether ``place`` lies in ``area`` (a country or a first-level region) by its codes."""
    if not area.country_code or area.country_code != place.country_code or area.geonameid == place.geonameid:
        return False
    if area.feature_code in COUNTRY_CODES:
        return True
    if area.feature_code == "ADM1":
        return place.admin1_code == area.admin1_code
    return False


def _norm(text: str) -> str:
    from geomap.gazetteer.normalize import normalize_name

    return normalize_name(text)


class _Context:
    """What the rest of the document says, from each name's current choice.

    Counts leave out the name's own mentions (a name never supports itself): mentions
    that share a lookup key share their choice, so a key's own share is its count times
    whether its choice counts.
    """

    def __init__(self, chosen: list[Place | None], keys: list[tuple[str, bool]]) -> None:
        self.chosen = chosen
        self.keys = keys
        self.by_country: dict[str, int] = defaultdict(int)
        self.by_admin1: dict[tuple[str, str], int] = defaultdict(int)
        self.countries_named: dict[str, int] = defaultdict(int)
        self.admin1_named: dict[tuple[str, str], int] = defaultdict(int)
        self.key_count: dict[tuple[str, bool], int] = defaultdict(int)
        self.total = 0
        point_idx: list[int] = []
        for i, p in enumerate(chosen):
            if p is None:
                continue
            self.total += 1
            self.key_count[keys[i]] += 1
            if p.country_code:
                self.by_country[p.country_code] += 1
                self.by_admin1[(p.country_code, p.admin1_code)] += 1
            if p.feature_code in COUNTRY_CODES:
                self.countries_named[p.country_code] += 1
            elif p.feature_code == "ADM1":
                self.admin1_named[(p.country_code, p.admin1_code)] += 1
            if p.radius_km <= POINT_RADIUS_KM and p.feature_class in ("P", "S", "A"):
                point_idx.append(i)
        self.point_keys = [keys[i] for i in point_idx]
        self.point_lat = np.radians([chosen[i].lat for i in point_idx])  # type: ignore[union-attr]
        self.point_lon = np.radians([chosen[i].lon for i in point_idx])  # type: ignore[union-attr]

    def min_distances(self, i: int, places: Sequence[Place]) -> np.ndarray | None:
        """Each place's distance (km) to the nearest point another name chose, or None if there is none."""
        mask = np.array([k != self.keys[i] for k in self.point_keys], dtype=bool)
        if not mask.any() or not places:
            return None
        lat2, lon2 = self.point_lat[mask], self.point_lon[mask]
        lat1 = np.radians([p.lat for p in places])[:, None]
        lon1 = np.radians([p.lon for p in places])[:, None]
        return haversine_km(lat1, lon1, lat2, lon2).min(axis=1)


def _seat_population(region: Place, cands: Sequence[tuple[Place, float]]) -> int | None:
    """The population of the biggest place of the same name inside ``region`` (its namesake
    city: Kharkiv in Kharkiv Oblast, New York City in New York State), or None if there is none.

    Inside means the same first-level code where both have one, else within the region's
    reach of its point (places from an online geocoder may carry no codes).
    """
    best: int | None = None
    for place, _ in cands:
        if place.feature_class != "P" or place.country_code != region.country_code:
            continue
        if place.admin1_code and region.admin1_code and region.feature_code == "ADM1":
            inside = place.admin1_code == region.admin1_code
        else:
            inside = place_km(region, place) <= max(region.radius_km, 100.0)
        if inside:
            best = max(best or 0, place.population)
    return best


def _support(
    cands: Sequence[Sequence[tuple[Place, float]]], keys: Sequence[object], strong: Sequence[bool], near_km: float = SUPPORT_KM
) -> list[np.ndarray]:
    """For each candidate of each toponym, the share of the document's other names (by
    lookup key) that could be a place near it: a candidate within ``near_km`` of it, or a
    first- or second-level region holding it ("Dublin" in Ohio next to "Ohio").

    Local news names a town and its neighbours, each ambiguous alone; the senses that fit
    together support each other. Only point-like candidates get support; only the names'
    likeliest candidates and names the matcher was sure of give it; countries and
    continents give none (a country holds every namesake in it). Independent of any
    choice, so it is computed once per document.
    """
    out = [np.zeros(len(c)) for c in cands]
    key_ids: dict[object, int] = {}
    lat: list[float] = []
    lon: list[float] = []
    reach: list[float] = []
    owner: list[int] = []
    region_of: dict[tuple[str, str], set[int]] = defaultdict(set)
    for k, cs in enumerate(cands):
        if not strong[k] or not cs or keys[k] in key_ids:
            continue
        kid = key_ids[keys[k]] = len(key_ids)
        for place, _ in cs[:SUPPORT_CANDIDATES]:
            if place.feature_code in COUNTRY_CODES or place.feature_code == "CONT" or not place.country_code:
                continue
            if place.feature_code == "ADM1" and place.admin1_code:
                region_of[(place.country_code, place.admin1_code)].add(kid)
                continue
            lat.append(place.lat)
            lon.append(place.lon)
            reach.append(max(near_km, place.radius_km) if place.feature_code in REGION_CODES else near_km)
            owner.append(kid)
    n_keys = len(key_ids)
    if n_keys < 2:
        return out
    lat2, lon2 = np.radians(lat), np.radians(lon)
    reach_arr, owner_arr = np.array(reach), np.array(owner, dtype=int)
    for k, cs in enumerate(cands):
        own = key_ids.get(keys[k], -1)
        others = n_keys - (1 if own >= 0 else 0)
        points = [c for c, (p, _) in enumerate(cs) if p.radius_km <= POINT_RADIUS_KM and p.feature_class in ("P", "S")]
        if others <= 0 or not points:
            continue
        if owner:
            lat1 = np.radians([cs[c][0].lat for c in points])[:, None]
            lon1 = np.radians([cs[c][0].lon for c in points])[:, None]
            near = (haversine_km(lat1, lon1, lat2, lon2) <= reach_arr) & (owner_arr != own)
        for row, c in enumerate(points):
            place = cs[c][0]
            found = set(owner_arr[near[row]].tolist()) if owner else set()
            found |= region_of.get((place.country_code, place.admin1_code), set()) if place.admin1_code else set()
            found.discard(own)
            out[k][c] = len(found) / others
    return out


def candidate_features(
    top: Toponym,
    place: Place,
    p: float,
    rank: int,
    i: int,
    ctx: _Context,
    qualifier: Place | None,
    distance: float | None,
    seat: int | None = None,
    support: float = 0.0,
    support_wide: float = 0.0,
) -> list[float]:
    """The :data:`FEATURES` of one candidate ``place`` (prior ``p``, ``rank`` by prior) of toponym ``i``.

    ``seat`` (the population of a same-named city inside a region candidate, from
    :func:`_seat_population`) tells a region named after a city in it ("Kharkiv" is the
    city before Kharkiv Oblast) from one that is not ("Texas"). ``support`` and
    ``support_wide`` are the shares of the document's other names that could be a place
    near this one, within :data:`SUPPORT_KM` and :data:`WIDE_SUPPORT_KM` (:func:`_support`).
    """
    code, cls = place.feature_code, place.feature_class
    own = ctx.chosen[i]
    own_n = ctx.key_count.get(ctx.keys[i], 0) if own is not None else 0
    n_others = ctx.total - own_n
    cc = place.country_code
    a1 = (cc, place.admin1_code)

    def others(counter: dict, key: object, counts: bool) -> int:
        return counter.get(key, 0) - (own_n if counts else 0)

    own_cc = own is not None and own.country_code == cc
    own_a1 = own is not None and (own.country_code, own.admin1_code) == a1
    country_share = others(ctx.by_country, cc, own_cc) / n_others if cc and n_others > 0 else 0.0
    country_named = 0.0
    if cc and code not in COUNTRY_CODES:
        country_named = float(others(ctx.countries_named, cc, own_cc and own.feature_code in COUNTRY_CODES) > 0)  # type: ignore[union-attr]
    admin1_named = admin1_share = 0.0
    if cc and place.admin1_code:
        if code != "ADM1":
            admin1_named = float(others(ctx.admin1_named, a1, own_a1 and own.feature_code == "ADM1") > 0)  # type: ignore[union-attr]
        admin1_share = others(ctx.by_admin1, a1, own_a1) / n_others if n_others > 0 else 0.0
    holds = fails = 0.0
    if qualifier is not None:
        if contains(qualifier, place):
            holds = 1.0
        else:
            fails = 1.0
    if distance is None:
        log_distance, no_neighbours = 0.0, 1.0
    else:
        log_distance, no_neighbours = math.log1p(distance) / math.log1p(20000.0), 0.0
    return [
        math.log(max(p, 1e-6)) / 10.0,
        1.0 if rank == 0 else 0.0,
        1.0 if cls in ("L", "H", "T") else 0.0,
        1.0 if code == "PPLC" else 0.0,
        1.0 if code in ("AIRP", "AIRB", "AIRF") else 0.0,
        1.0 if place.source == "curated" else 0.0,
        math.log10(place.population + 1) / 7.0,
        country_share,
        country_named,
        admin1_named,
        admin1_share,
        holds,
        fails,
        log_distance,
        no_neighbours,
        1.0 if top.region_cue and code in REGION_CODES else 0.0,
        1.0 if _norm(place.name) == _norm(top.query) else 0.0,
        1.0 if top.kind == "actor" and (code in COUNTRY_CODES or code == "PPLC") else 0.0,
        math.log10(seat + 1) / 7.0 if seat is not None and code in REGION_CODES else 0.0,
        1.0 if seat is not None and code in REGION_CODES else 0.0,
        support,
        1.0 if support > 0 else 0.0,
        support_wide,
    ]


@dataclass
class _Resolution:
    """One document's toponyms with their candidates, features and choices (also what training reads)."""

    toponyms: list[Toponym]
    candidates: list[list[tuple[Place, float]]]
    fixed: list[Place | None]
    features: list[list[list[float]]]
    scores: list[list[float]]
    chosen: list[int]


def _qualifiers(toponyms: Sequence[Toponym]) -> list[int | None]:
    by_start = {t.start: k for k, t in enumerate(toponyms)}
    return [by_start.get(t.qualifier_start) if t.qualifier_start >= 0 else None for t in toponyms]


def resolve_document(toponyms: Sequence[Toponym], gazetteer: Lookup, weights: RankerWeights | None = None, rounds: int = ROUNDS) -> _Resolution:
    """Candidates, features and the chosen candidate of each toponym of one document."""
    weights = weights or load_weights()
    toponyms = list(toponyms)
    fixed: list[Place | None] = [demonym_place(t.text, gazetteer) if t.kind == "modifier" else None for t in toponyms]
    for k, t in enumerate(toponyms):
        # "Cannes", which the small model calls a nationality: no demonym, but a well-known place.
        if t.kind == "modifier" and fixed[k] is None:
            found = _candidates(gazetteer, t)
            first = found[0][0] if found else None
            # "near Shyrokyne, Donetsk": a qualified "nationality" is a town; so is one the text
            # calls a town ("Surankot town", "Shopian city").
            if first is not None and (_names_well_known(first, t.text) or (
                first.feature_class == "P" and _norm(first.name) == _norm(t.text)
                and (first.population >= NORP_MIN_POPULATION or t.qualifier_start >= 0 or t.town_cue)
            )):
                toponyms[k] = dataclasses.replace(t, kind="place")
    cands = [[] if t.kind == "modifier" else _candidates(gazetteer, t) for t in toponyms]
    for k, t in enumerate(toponyms):
        # "Canadian" in "Canadian Press", "KAZAKH" in capitals: a demonym the model took for a
        # name is its country, unless the name is itself a well-known place ("Mediterranean"),
        # and a town's only by an alternate name does not count ("Kazakh" is one of Petropavl's).
        if t.kind != "modifier" and not (cands[k] and _names_well_known(cands[k][0][0], t.text)):
            fixed[k] = demonym_place(t.text, gazetteer)
            if fixed[k] is not None:
                cands[k] = []
    keys = [(_norm(t.query), t.region_cue) for t in toponyms]
    quals = _qualifiers(toponyms)
    strong = [not t.weak for t in toponyms]
    support = _support(cands, keys, strong)
    support_wide = _support(cands, keys, strong, WIDE_SUPPORT_KM)
    chosen = [0 if c else -1 for c in cands]
    feats: list[list[list[float]]] = [[] for _ in toponyms]
    scores: list[list[float]] = [[] for _ in toponyms]
    for _ in range(max(rounds, 1)):
        current = [_current(k, fixed, cands, chosen) for k in range(len(toponyms))]
        # A weak name ("Council", "Grants") is context only if it names a well-known place.
        current = [p if strong[k] or _well_known(p) else None for k, p in enumerate(current)]
        ctx = _Context(current, keys)
        for k, top in enumerate(toponyms):
            q = quals[k]
            qualifier = current[q] if q is not None else None
            places = [place for place, _ in cands[k]]
            distances = ctx.min_distances(k, places)
            feats[k] = [
                candidate_features(
                    top, place, p, rank, k, ctx, qualifier,
                    None if distances is None else float(distances[rank]),
                    _seat_population(place, cands[k]) if place.feature_code in REGION_CODES else None,
                    float(support[k][rank]),
                    float(support_wide[k][rank]),
                )
                for rank, (place, p) in enumerate(cands[k])
            ]
            scores[k] = [weights.score(f) for f in feats[k]]
        # One sense per document: every mention of a name takes the candidate its mentions favour together.
        groups: dict[tuple[str, bool], list[int]] = defaultdict(list)
        for k, key in enumerate(keys):
            if cands[k]:
                groups[key].append(k)
        for members in groups.values():
            total = [math.fsum(scores[k][c] for k in members) for c in range(len(cands[members[0]]))]
            best = max(range(len(total)), key=lambda c: (total[c], -c))
            for k in members:
                chosen[k] = best
    _constrain(toponyms, cands, fixed, scores, chosen, quals)
    _towns_where_called_so(toponyms, cands, fixed, scores, chosen)
    _runs_kept_in_the_documents_countries(toponyms, cands, fixed, scores, chosen)
    return _Resolution(toponyms, cands, fixed, feats, scores, chosen)


def _current(k: int, fixed: Sequence[Place | None], cands: Sequence[Sequence[tuple[Place, float]]], chosen: Sequence[int]) -> Place | None:
    """The place toponym ``k`` stands for now: its fixed place, else its chosen candidate, else None."""
    return fixed[k] if fixed[k] is not None else (cands[k][chosen[k]][0] if chosen[k] >= 0 else None)


def _area_of(place: Place | None) -> tuple[str, str] | None:
    """The region a qualifier names: a country, or the first-level region of a region or
    of a town ("Dmytrivka, Kharkiv": Kharkiv oblast, where the city of Kharkiv lies)."""
    if place is None or not place.country_code:
        return None
    if place.feature_code in COUNTRY_CODES:
        return (place.country_code, "")
    return (place.country_code, place.admin1_code) if place.admin1_code else None


def _in_area(place: Place, area: tuple[str, str]) -> bool:
    return place.country_code == area[0] and (not area[1] or place.admin1_code == area[1])


def _same_name(name: str, query: str) -> bool:
    """Is a region's name the query's ("Ontario"; "Kharkivska oblast" for "Kharkiv")?"""
    a, b = _norm(name), _norm(query)
    return a == b or (len(b) >= 4 and a.startswith(b[:5]))


def _names_region(place: Place) -> bool:
    """Does the qualifier name a region: a country, a first- or second-level region, or a
    city its region is named after ("Kharkiv": Kharkivska oblast), not just a district town?"""
    if place.feature_code in COUNTRY_CODES or place.feature_code in REGION_CODES:
        return True
    name, region = _norm(place.name), _norm(place.admin1_name)
    return len(name) >= 4 and region.startswith(name[:5])


def _in_list(toponyms: Sequence[Toponym], q: int | None) -> bool:
    """Is the qualifier followed by another name ("Hajjah, Marib and Saada"): a list of places, not a qualifier."""
    if q is None:
        return True
    end = toponyms[q].end
    return any(0 < t.start - end <= 6 for t in toponyms)


def _constrain(
    toponyms: Sequence[Toponym],
    cands: list[list[tuple[Place, float]]],
    fixed: list[Place | None],
    scores: list[list[float]],
    chosen: list[int],
    quals: list[int | None],
) -> None:
    """Hard limits on the ranker's choice: a qualified name ("Troitske, Donetsk", "Aber
    (Oyam, Northern)") lies in its qualifier's region when any of its candidates does, and
    a name that is only part of a longer one never leaves the document's countries."""
    def current(k: int) -> Place | None:
        return _current(k, fixed, cands, chosen)

    # A qualifier names a region: "London (Ontario)" is the province, not the Californian
    # town the ranker may pick with its namesake London. Only a region of the qualifier's
    # own name, and only where it moves the area (Kharkiv city and oblast are one area).
    for qi in sorted({q for q in quals if q is not None}):
        if fixed[qi] is not None or chosen[qi] < 0:
            continue
        area = _area_of(cands[qi][chosen[qi]][0])
        regions = [c for c, (p, _) in enumerate(cands[qi])
                   if (p.feature_code in COUNTRY_CODES or p.feature_code in REGION_CODES) and _same_name(p.name, toponyms[qi].query)]
        if (regions and cands[qi][chosen[qi]][0].feature_code not in COUNTRY_CODES | REGION_CODES
                and all(_area_of(cands[qi][c][0]) != area for c in regions)):
            chosen[qi] = max(regions, key=lambda c: scores[qi][c])
    # Innermost first: in "Aber (Oyam, Northern)", Oyam is settled by Northern before Aber by Oyam.
    areas: dict[int, tuple[str, str]] = {}
    # How many names put the document in each country: a qualifier in parentheses moves its
    # name out of another country only when more than itself says the text is there.
    support = Counter(p.country_code for k in range(len(toponyms)) if (p := current(k)) is not None and not toponyms[k].partial)
    for k in sorted((k for k, q in enumerate(quals) if q is not None), key=lambda k: -toponyms[k].start):
        q = quals[k]
        while q is not None and current(q) is None and quals[q] is not None and toponyms[k].qualifier_paren:
            q = quals[q]  # "Kani township, Yinmarbin district, Sagaing region": Yinmarbin unknown, Sagaing places it
        walked = q != quals[k]  # then only where more than the region says the text is there
        own = current(q) if q is not None else None
        area = _area_of(own)
        if area is None or not cands[k]:
            continue
        areas[k] = area
        if chosen[k] >= 0 and _in_area(cands[k][chosen[k]][0], area):
            continue  # already there ("Cordoba (Cordoba)": the city in its province)
        holding = [c for c, (p, _) in enumerate(cands[k]) if _in_area(p, area) and (own is None or p.geonameid != own.geonameid)]
        if not holding and q is not None and fixed[q] is None and quals[q] is None:
            pair = _qualified_pair(cands[k], cands[q], scores[k], scores[q], toponyms[q].query)
            if pair is not None:
                # "Zaragoza, La Libertad", "Atlanta (Georgia)": the qualifier is the region of its
                # name that holds the town (El Salvador's department, the US state), not the
                # ranker's first choice in a country where no such town lies.
                chosen[k], chosen[q] = pair
                own = current(q)
                areas[k] = area = _area_of(own)  # type: ignore[assignment]
                continue
        if holding:
            if chosen[k] not in holding:
                chosen[k] = max(holding, key=lambda c: scores[k][c])
        elif chosen[k] >= 0 and own is not None and (
            (toponyms[k].qualifier_paren and cands[k][chosen[k]][0].country_code != area[0]
             and support[area[0]] - _counts_in(current(k), area[0]) >= 2)
            or (not walked and (len(cands[k]) > 1 or cands[k][chosen[k]][0].country_code != area[0])
                and cands[k][chosen[k]][0].population < WEAK_MIN_POPULATION
                and not _in_list(toponyms, q) and _names_region(own))
        ):
            # A village of that name elsewhere is not the one the text places in this region
            # (a list of big cities, "Kharkiv, Donetsk", is not a qualifier and keeps its cities);
            # "Mala (Harib, Marib)" is in Marib, whatever the gazetteer's Mala in Peru.
            chosen[k] = -1
    _keep_quarters_in_town(toponyms, cands, fixed, scores, chosen)
    # A short form standing alone is a region or country of the document's ("horses from NSW"
    # in a story on Sydney), or not a place at all; a weak name left out of the output
    # ("Leinster", a person's name) does not say where the document is.
    named = {p.country_code for k, t in enumerate(toponyms)
             if not t.partial and not t.abbreviates and (p := current(k)) is not None and p.country_code
             and (not t.weak or _well_known(p))}
    for k, t in enumerate(toponyms):
        if t.abbreviates:
            inside = [c for c, (p, _) in enumerate(cands[k]) if p.country_code in named]
            chosen[k] = max(inside, key=lambda c: scores[k][c]) if inside else -1
    countries = {p.country_code for k, t in enumerate(toponyms) if not t.partial and (p := current(k)) is not None and p.country_code}
    for k, t in enumerate(toponyms):
        if not t.partial or not cands[k] or fixed[k] is not None or not (countries or k in areas):
            continue  # with no other country named, nothing says where the document is
        inside = [c for c, (p, _) in enumerate(cands[k])
                  if (_in_area(p, areas[k]) if k in areas else p.country_code in countries)]
        if chosen[k] not in inside:
            chosen[k] = max(inside, key=lambda c: scores[k][c]) if inside else -1


def _qualified_pair(
    cands: list[tuple[Place, float]], qual_cands: list[tuple[Place, float]],
    scores: list[float], qual_scores: list[float], qual_query: str,
) -> tuple[int, int] | None:
    """The best (name, qualifier) candidates where the qualifier is a region or country of its
    own name (a first-level region: a district elsewhere of that name is not it) and the name
    lies in it, or None where no such pair exists."""
    best: tuple[float, int, int] | None = None
    for qc, (region, _) in enumerate(qual_cands):
        if region.feature_code not in COUNTRY_CODES | {"ADM1", "ADM1H"} or not _same_name(region.name, qual_query):
            continue
        area = _area_of(region)
        if area is None:
            continue
        for c, (place, _) in enumerate(cands):
            if place.geonameid != region.geonameid and _in_area(place, area):
                total = scores[c] + qual_scores[qc]
                if best is None or total > best[0]:
                    best = (total, c, qc)
    return (best[1], best[2]) if best else None


def _counts_in(place: Place | None, country: str) -> int:
    """1 when ``place`` is in ``country`` (it is then one of that country's own supporters)."""
    return int(place is not None and place.country_code == country)


def _keep_quarters_in_town(
    toponyms: Sequence[Toponym],
    cands: list[list[tuple[Place, float]]],
    fixed: list[Place | None],
    scores: list[list[float]],
    chosen: list[int],
) -> None:
    """A part of a town ("the Santa Cruz neighborhood" in an article on Rio de Janeiro)
    lies within :data:`QUARTER_KM` of a town the document names, or in a first-level
    region it names where it names no town; a namesake town elsewhere is not it."""
    others = [(k, _current(k, fixed, cands, chosen)) for k, t in enumerate(toponyms) if not t.quarter]
    towns = [(k, p) for k, p in others if p is not None and p.feature_class == "P" and toponyms[k].kind == "place"]
    regions = [p for _, p in others if p is not None and p.feature_code == "ADM1"]
    if not towns and not regions:
        return
    for k, t in enumerate(toponyms):
        if not t.quarter or fixed[k] is not None or t.kind == "modifier":
            continue  # "the Muslim community": people, not a quarter of the town
        if towns:
            inside = [c for c, (p, _) in enumerate(cands[k]) if any(place_km(p, town) <= QUARTER_KM for _, town in towns)]
        else:
            inside = [c for c, (p, _) in enumerate(cands[k]) if any(contains(r, p) for r in regions)]
        if chosen[k] in inside:
            continue
        chosen[k] = max(inside, key=lambda c: scores[k][c]) if inside else -1
        if chosen[k] < 0 and towns:
            # Unknown or known only elsewhere: the part lies in the town the text names
            # before it (else the first after it), the best point there is for it.
            before = [(j, p) for j, p in towns if j < k]
            fixed[k] = (before[-1] if before else towns[0])[1]
            cands[k], scores[k] = [], []


def _towns_where_called_so(
    toponyms: Sequence[Toponym],
    cands: list[list[tuple[Place, float]]],
    fixed: list[Place | None],
    scores: list[list[float]],
    chosen: list[int],
) -> None:
    """A name the text calls a town ("Amara city", "the village of Kafr Nabl") is a populated
    place, not the region or district of that name the ranker chose: the town of that name in
    the same country, else in a country the document's other names are in, else, when the
    document names no other country, the most populous town so called."""
    def current(k: int) -> Place | None:
        return _current(k, fixed, cands, chosen)

    for k, t in enumerate(toponyms):
        place = current(k)
        if not t.town_cue or fixed[k] is not None or place is None or place.feature_class == "P":
            continue
        towns = [c for c, (p, _) in enumerate(cands[k]) if p.feature_class == "P"]
        if not towns:
            continue
        same = [c for c in towns if cands[k][c][0].country_code == place.country_code]
        others = {p.country_code for j in range(len(toponyms)) if j != k and (p := current(j)) is not None}
        named = [c for c in towns if cands[k][c][0].country_code in others]
        if same or named:
            chosen[k] = max(same or named, key=lambda c: scores[k][c])
        elif not others:
            chosen[k] = max(towns, key=lambda c: (cands[k][c][0].population, scores[k][c]))


def _runs_kept_in_the_documents_countries(
    toponyms: Sequence[Toponym],
    cands: list[list[tuple[Place, float]]],
    fixed: list[Place | None],
    scores: list[list[float]],
    chosen: list[int],
) -> None:
    """A name that is one word of a longer capitalised run ("Arida" of "Arida Abu Jarada",
    "Pure" of "Pure Third Command") is a small place only in a country the document's other
    names are in; elsewhere it is a word of another name, and not placed. So is a name the
    gazetteer knows only as another name of a small place ("Olan", an old name of Olemps in
    France, in a report from Aleppo): abroad, it is a village the gazetteer lacks."""
    def current(k: int) -> Place | None:
        return _current(k, fixed, cands, chosen)

    def another_name(k: int) -> bool:
        place = current(k)
        if fixed[k] is not None or place is None or _well_known(place):
            return False
        name, query = _norm(place.name), _norm(toponyms[k].query)
        # "Jounieh city" is Jounieh by its name; "St. Gallen" is Sankt Gallen, a spelling of it.
        return name not in query and query not in name and fuzz.ratio(name, query) < SPELLING_MIN_RATIO

    aliased = [another_name(k) for k in range(len(toponyms))]
    sure = [(t.kind, p.country_code) for k, t in enumerate(toponyms)
            if not t.partial and not t.in_run and not aliased[k] and (p := current(k)) is not None and p.country_code]
    countries = {cc for _, cc in sure}
    # Where the places named are (a demonym says who acted, not where: "Russian forces shelled Mykhaylivka").
    placed = {cc for kind, cc in sure if kind != "modifier"}
    for k, t in enumerate(toponyms):
        place = current(k)
        where = countries if t.in_run else placed if aliased[k] else set()
        if not where or fixed[k] is not None or place is None or _well_known(place) or place.country_code in where:
            continue
        inside = [c for c, (p, _) in enumerate(cands[k]) if p.country_code in where]
        chosen[k] = max(inside, key=lambda c: scores[k][c]) if inside else -1


def _names_well_known(place: Place, text: str) -> bool:
    """Is ``text`` the name of a well-known ``place``, rather than a demonym?"""
    return _well_known(place) and (place.feature_class != "P" or _norm(place.name) == _norm(text))


def _well_known(place: Place | None) -> bool:
    if place is None:
        return False
    return (
        place.feature_code in COUNTRY_CODES
        or place.feature_code in ("ADM1", "CONT")
        or place.source == "curated"
        or place.feature_code == "AIRP"  # "Gatwick", which the small model calls a person
        or place.population >= WEAK_MIN_POPULATION
    )


def resolve_toponyms(toponyms: Sequence[Toponym], gazetteer: Lookup) -> list[Mention]:
    """Resolve each toponym of one document to its most likely place.

    Demonyms ("Russian", "European") are returned as modifiers with the country or
    region they stand for as ``place`` (or None); names the gazetteer does not know are
    returned with ``place`` None. A weak name (a capitalised common noun only the
    gazetteer matched, see :class:`Toponym`) is left out unless it names a well-known place.

    >>> from geomap.gazetteer import open_gazetteer
    >>> from geomap.extract.toponyms import Toponym
    >>> t = Toponym(0, 7, "Lugansk", "Lugansk", "GPE")
    >>> resolve_toponyms([t], open_gazetteer())[0].place.country_code
    'UA'
    """
    res = resolve_document(toponyms, gazetteer)
    mentions: list[Mention] = []
    for k, top in enumerate(res.toponyms):
        if top.weak and not _well_known(res.candidates[k][res.chosen[k]][0] if res.chosen[k] >= 0 else None):
            continue
        if top.abbreviates and res.chosen[k] < 0:
            continue  # "SA" in a story that names no place of South Africa or South Australia
        if top.in_run and res.chosen[k] < 0 and res.candidates[k] and res.fixed[k] is None:
            continue  # "Pure" of "Pure Third Command": a word of another name, placed nowhere the story is
        if res.fixed[k] is not None:
            mentions.append(Mention(top.start, top.end, top.text, top.label, res.fixed[k], 1.0, top.kind))
            continue
        if res.chosen[k] < 0:
            mentions.append(Mention(top.start, top.end, top.text, top.label, None, 0.0, top.kind))
            continue
        scores = res.scores[k]
        best = res.chosen[k]
        top_score = max(scores)
        total = math.fsum(math.exp(s - top_score) for s in scores)
        confidence = math.exp(scores[best] - top_score) / total
        order = sorted(range(len(scores)), key=lambda c: (-scores[c], c))
        mentions.append(
            Mention(
                start=top.start,
                end=top.end,
                text=top.text,
                label=top.label,
                place=res.candidates[k][best][0],
                score=round(confidence, 4),
                kind=top.kind,
                alternatives=tuple(res.candidates[k][c][0] for c in order if c != best)[:4],
            )
        )
    return mentions
