"""Placing an event's place that the toponym finder passed over.

The event-place model may pick a name the toponym finder did not see as one (the
small spaCy model calls many villages persons or organisations: "exploded near the
village Dvani", "a horse in Pahrump"). Such a name is looked up in the gazetteer and
accepted only where it fits the places its document names: in one of their countries,
and within reach of one of them or inside one of their regions. A name that fits no
such place is left unplaced (the caller then falls back on a coarser place).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from geomap.extract.toponyms import REGION_WORDS
from geomap.gazetteer.normalize import normalize_name
from geomap.geocode.lookup import Lookup
from geomap.geocode.resolve import COUNTRY_CODES, REGION_CODES, _area_of, _in_area, contains, place_km
from geomap.models import Mention, Place

__all__ = ["locate_name", "NEAR_KM", "LONE_MIN_POPULATION"]

# How far from a place its document names a looked-up name may lie.
NEAR_KM = 150.0
# A text that names no other place ("residents demonstrated in Gidy") places a name only
# where the gazetteer knows a town of at least this many people by exactly that name.
LONE_MIN_POPULATION = 1000
_CANDIDATES = 50
_SETTLEMENT_WORDS = frozenset({"city", "town", "village", "municipality", "township", "commune"})
_KIND_WORDS = REGION_WORDS | _SETTLEMENT_WORDS | {"raion", "rayon", "kebele"}


def _split_name(text: str) -> tuple[str, list[str], str | None]:
    """The name, the qualifiers written inside the span and the kind word after the name:
    "Tumbes (Tumbes" -> ("Tumbes", ["Tumbes"], None); "Gomez Palacio, Durango" ->
    ("Gomez Palacio", ["Durango"], None); "Myaung township" -> ("Myaung", [], "township").

    >>> _split_name("Maligawatte (Maligawatte, Western)")
    ('Maligawatte', ['Maligawatte', 'Western'], None)
    """
    parts = [p.strip() for p in re.split(r"[(),]", text) if p.strip()]
    if not parts:
        return text, [], None
    head, *qualifiers = parts
    words = head.split()
    kind = None
    if len(words) > 1 and words[-1].lower() in _KIND_WORDS:
        kind = words[-1].lower()
        head = " ".join(words[:-1])
    return head, qualifiers, kind


def _in_named_area(place: Place, qualifier: str, gazetteer: Lookup) -> bool:
    """Does ``place`` lie in a country or first-level region called ``qualifier``?"""
    for area in gazetteer.lookup(qualifier, limit=_CANDIDATES):
        if area.feature_code in COUNTRY_CODES and area.country_code == place.country_code:
            return True
        if area.feature_code == "ADM1" and area.geonameid != place.geonameid and _in_area(place, (area.country_code, area.admin1_code)):
            return True
    return False


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
    text, written, kind = _split_name(name.text)
    if written:
        # "Gomez Palacio, Durango" as one span: the name lies in the region written after it.
        for cand in gazetteer.lookup(text, country_codes=countries or None, limit=_CANDIDATES):
            if cand.feature_code not in COUNTRY_CODES and all(_in_named_area(cand, q, gazetteer) for q in written if q != text):
                if area is None or _in_area(cand, area):
                    return cand
        return None
    if not countries:
        # Places inside organisations' names ("Parauapebas (Para" as one) still say the country.
        within = sorted({m.place.country_code for m in context if m.place is not None and m.place.country_code})
        return _lone(text, kind, area, gazetteer, within or None)
    points = [p for p in places if p.feature_code not in COUNTRY_CODES and p.feature_code not in REGION_CODES
              and p.feature_class not in ("A", "L")]
    regions = [p for p in places if p.feature_code == "ADM1"]
    best: tuple[float, Place] | None = None
    for cand in gazetteer.lookup(text, country_codes=countries, limit=_CANDIDATES):
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


def _lone(text: str, kind: str | None, area: tuple[str, str] | None, gazetteer: Lookup,
          countries: Sequence[str] | None) -> Place | None:
    """A name in a text that names no other place: the gazetteer's first town of exactly that
    name (in the qualifier's region, where one follows) with :data:`LONE_MIN_POPULATION` people,
    or any size where a qualifier or a word like "village" says it is a settlement."""
    key = normalize_name(text)
    for cand in gazetteer.lookup(text, country_codes=countries, limit=_CANDIDATES):
        if cand.feature_class != "P" or normalize_name(cand.name) != key:
            continue
        if area is not None and not _in_area(cand, area):
            continue
        if cand.population >= LONE_MIN_POPULATION or area is not None or kind in _SETTLEMENT_WORDS:
            return cand
    return None
