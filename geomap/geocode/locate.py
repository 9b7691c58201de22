"""Placing an event's place that the toponym finder passed over.

The event-place model may pick a name the toponym finder did not see as one (the
small spaCy model calls many villages persons or organisations: "exploded near the
village Dvani", "a horse in Pahrump"). Such a name is looked up in the gazetteer and
accepted only where it fits the places its document names: in one of their countries,
and within reach of one of them or inside one of their regions. A name that fits no
such place is left unplaced (the caller then falls back on a coarser place).
"""

from __future__ import annotations

from collections.abc import Sequence

from geomap.geocode.lookup import Lookup
from geomap.geocode.resolve import COUNTRY_CODES, REGION_CODES, _area_of, _in_area, contains, place_km
from geomap.models import Mention, Place

__all__ = ["locate_name", "NEAR_KM"]

# How far from a place its document names a looked-up name may lie.
NEAR_KM = 150.0
_CANDIDATES = 50


def locate_name(name: Mention, context: Sequence[Mention], gazetteer: Lookup) -> Place | None:
    """Where an unresolved name lies, judged by the document's resolved places (``context``).

    Candidates come from the countries the document names; the one nearest to a named
    town (within :data:`NEAR_KM`) wins, else one inside a named region; countries are
    never an answer (a name the resolver could not place is not a country).

    >>> from geomap.gazetteer import open_gazetteer
    >>> gaz = open_gazetteer()
    >>> nevada = [Mention(0, 9, "Las Vegas", "GPE", gaz.lookup("Las Vegas", limit=1)[0])]
    >>> locate_name(Mention(20, 27, "Pahrump", "PERSON"), nevada, gaz).admin1_code
    'NV'
    >>> locate_name(Mention(20, 26, "Paris", "PERSON"), nevada, gaz) is None
    True
    """
    # "Dmytrivka, Kharkiv", "Aber (Oyam, Northern)": a place right after the name is its
    # qualifier, and the name lies in that place's region or is not placed at all.
    qualifier = next((m.place for m in context if m.place is not None and 0 < m.start - name.end <= 2), None)
    area = _area_of(qualifier)
    places = [m.place for m in context if m.place is not None and m.kind != "actor"]
    countries = sorted({p.country_code for p in places if p.country_code})
    if not countries:
        return None
    points = [p for p in places if p.feature_code not in COUNTRY_CODES and p.feature_code not in REGION_CODES
              and p.feature_class not in ("A", "L")]
    regions = [p for p in places if p.feature_code == "ADM1"]
    best: tuple[float, Place] | None = None
    for cand in gazetteer.lookup(name.text, country_codes=countries, limit=_CANDIDATES):
        if cand.feature_code in COUNTRY_CODES or (area is not None and not _in_area(cand, area)):
            continue
        km = min((place_km(cand, p) for p in points), default=float("inf"))
        if km > NEAR_KM:
            if not any(contains(region, cand) for region in regions):
                continue
            km = NEAR_KM  # inside a named region: after every candidate near a named town
        if best is None or km < best[0]:
            best = (km, cand)
    return best[1] if best else None
