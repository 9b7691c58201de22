"""A geopy geocoder over the offline gazetteer: no network, ever.

>>> from geomap.geocode.gazetteer import GazetteerGeocoder
>>> GazetteerGeocoder().geocode("Kursk region").raw["feature_code"]
'ADM1'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from geopy.adapters import BaseSyncAdapter
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geomap.errors import GeocoderError
from geomap.gazetteer import Gazetteer, open_gazetteer
from geomap.models import Place

__all__ = ["GazetteerGeocoder", "geocode_candidates", "format_candidate", "place_precision", "CANDIDATE_COLUMNS"]

_MAX_ALTERNATIVES = 5


class _NoNetworkAdapter(BaseSyncAdapter):
    """A geopy adapter that refuses every request: the gazetteer geocoder works offline."""

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        raise GeocoderError(f"GazetteerGeocoder works offline and does not fetch {url}")

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        raise GeocoderError(f"GazetteerGeocoder works offline and does not fetch {url}")


class GazetteerGeocoder(Geocoder):
    """Geocode names with the offline gazetteer, the geopy way.

    Understands region phrases ("Kursk region", "Luhansk oblast" give the region, not the
    city) and qualifiers after commas ("Springfield, Illinois", "Kyiv, UA") that narrow
    the candidates to a region or country. ``raw`` of each result holds ``geonameid``,
    ``feature_code``, ``country_code``, ``admin1_code``, ``admin1``, ``population``,
    ``radius_km``, ``score`` (the prior probability among the candidates), ``source`` and,
    for ``exactly_one``, the ``alternatives``.

    >>> GazetteerGeocoder().geocode("Lugansk").raw["country_code"]
    'UA'
    """

    def __init__(self, gazetteer: Gazetteer | None = None, *, index_path: Path | None = None) -> None:
        super().__init__(adapter_factory=_NoNetworkAdapter)
        self.gazetteer = gazetteer if gazetteer is not None else open_gazetteer(index_path)
        self._country_names: dict[str, str] = {}

    def geocode(
        self,
        query: str | Mapping[str, str],
        *,
        exactly_one: bool = True,
        country_codes: Sequence[str] | str | None = None,
        limit: int | None = None,
    ) -> Location | list[Location] | None:
        """Return the most likely place for ``query`` (or a list with ``exactly_one=False``), or None.

        ``query`` is a name, a name with qualifiers ("Springfield, Illinois") or a geopy-style
        dict ({"city": ..., "state": ..., "country": ...}); ``country_codes`` restricts to
        ISO alpha-2 countries; ``limit`` caps the list.

        >>> GazetteerGeocoder().geocode("Springfield, Illinois").raw["admin1_code"]
        'IL'
        """
        if isinstance(country_codes, str):
            country_codes = [country_codes]
        _check_limit(limit)
        scored = _candidates(self.gazetteer, _query_text(query), country_codes)
        if not scored:
            return None
        if exactly_one:
            place, score = scored[0]
            return self._location(place, score, alternatives=scored[1 : 1 + _MAX_ALTERNATIVES])
        chosen = scored[:limit] if limit is not None else scored
        return [self._location(p, s) for p, s in chosen]

    def _country_name(self, cc: str) -> str:
        if cc not in self._country_names:
            country = self.gazetteer.country(cc)
            self._country_names[cc] = country.name if country else cc
        return self._country_names[cc]

    def _location(self, place: Place, score: float, alternatives: Sequence[tuple[Place, float]] = ()) -> Location:
        parts = [place.name]
        if place.admin1_name and place.admin1_name != place.name:
            parts.append(place.admin1_name)
        if place.country_code and not place.feature_code.startswith("PCL"):
            parts.append(self._country_name(place.country_code))
        raw: dict[str, Any] = _raw(place, score)
        if alternatives:
            raw["alternatives"] = [_raw(p, s) for p, s in alternatives]
        return Location(", ".join(parts), (place.lat, place.lon), raw)


def _raw(place: Place, score: float) -> dict[str, Any]:
    return {
        "geonameid": place.geonameid,
        "name": place.name,
        "feature_class": place.feature_class,
        "feature_code": place.feature_code,
        "country_code": place.country_code,
        "admin1_code": place.admin1_code,
        "admin1": place.admin1_name,
        "population": place.population,
        "radius_km": place.radius_km,
        "score": round(score, 6),
        "source": place.source,
    }


def _query_text(query: str | Mapping[str, str]) -> str:
    if isinstance(query, Mapping):
        keys = ("city", "county", "state", "country")
        unknown = set(query) - set(keys)
        if unknown:
            raise GeocoderError(f"Unknown query fields {sorted(unknown)}; expected some of {list(keys)}")
        return ", ".join(str(query[k]) for k in keys if query.get(k))
    if not isinstance(query, str):
        raise GeocoderError(f"Expected a place name, got {type(query).__name__} {query!r}")
    return query


def _check_limit(limit: int | None) -> None:
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise GeocoderError(f"limit must be a positive whole number, got {limit!r}")


def _candidates(gazetteer: Gazetteer, query: str, country_codes: Sequence[str] | None) -> list[tuple[Place, float]]:
    """Candidates for a query, most likely first, priors renormalised after narrowing."""
    query = query.strip()
    if not query:
        return []
    whole = gazetteer.lookup_scored(query, country_codes=country_codes)
    parts = [p.strip() for p in query.split(",") if p.strip()]
    if whole or len(parts) < 2:
        return whole
    found = gazetteer.lookup_scored(parts[0], country_codes=country_codes)
    for qualifier in parts[1:]:
        found = _narrow(gazetteer, found, qualifier)
        if not found:
            return []
    total = sum(s for _, s in found)
    return [(p, s / total) for p, s in found] if total > 0 else found


def _narrow(gazetteer: Gazetteer, found: list[tuple[Place, float]], qualifier: str) -> list[tuple[Place, float]]:
    """Keep the candidates that lie in the region or country the qualifier names."""
    code = qualifier.strip().upper()
    if 2 <= len(code) <= 3 and code.isalpha() and qualifier.strip().isupper():
        # "Springfield, IL", "Kyiv, UA": GeoNames admin1 codes of US states are their postal codes.
        by_code = [(p, s) for p, s in found if p.country_code == code or p.admin1_code == code]
        if by_code:
            return by_code
    areas = [p for p in gazetteer.lookup(qualifier) if p.feature_class == "A"]
    kept = []
    for place, score in found:
        for area in areas:
            same_country = place.country_code == area.country_code
            if area.feature_code.startswith("PCL") and same_country:
                kept.append((place, score))
                break
            if area.feature_code == "ADM1" and same_country and place.admin1_code == area.admin1_code and place.geonameid != area.geonameid:
                kept.append((place, score))
                break
    return kept


CANDIDATE_COLUMNS = ("name", "feature_code", "admin1", "country_code", "lat", "lon", "population", "geonameid", "geo_precision", "radius_km")
_WIDE_PREFIXES = ("PCL", "ADM", "TERR", "CONT", "RGN")


def place_precision(place: Place) -> int:
    """ACLED's geo precision of a place itself: 1 the point is the place, 2 the place is near it, 3 a region.

    A village the gazetteer puts at its hromada's centre (source ``katottg``) is 2.

    >>> place_precision(Place(702658, "Luhansk", 48.57, 39.31, "P", "PPL", "UA"))
    1
    """
    if place.feature_code.startswith(_WIDE_PREFIXES):
        return 3
    return 2 if place.source == "katottg" else 1


def geocode_candidates(name: str, *, country: str | None = None, limit: int = 10, gazetteer: Gazetteer | None = None) -> list[Place]:
    """Return the places a name may mean, most likely first: what ``geomap geocode NAME`` prints.

    ``country`` is an ISO alpha-2 code or a country name; an unknown one raises GeocoderError.

    >>> [p.country_code for p in geocode_candidates("Korenevo")]
    ['RU', 'RU']
    """
    _check_limit(limit)
    gazetteer = gazetteer if gazetteer is not None else open_gazetteer()
    codes = None
    if country is not None:
        codes = [_country_code(gazetteer, country)]
    return [p for p, _ in _candidates(gazetteer, name, codes)[:limit]]


def _country_code(gazetteer: Gazetteer, country: str) -> str:
    text = country.strip()
    if len(text) == 2 and text.isalpha() and gazetteer.country(text) is not None:
        return text.upper()
    for place in gazetteer.lookup(text):
        if place.feature_code.startswith("PCL"):
            return place.country_code
    raise GeocoderError(f"Unknown country {country!r}: expected an ISO 3166-1 alpha-2 code such as UA, or a country name")


def format_candidate(place: Place) -> str:
    """Return one tab-separated line for a candidate, in :data:`CANDIDATE_COLUMNS` order.

    >>> format_candidate(Place(702658, "Luhansk", 48.56814, 39.30553, "P", "PPL", "UA", "14", "Luhanska oblast", 397677))
    'Luhansk\\tPPL\\tLuhanska oblast\\tUA\\t48.56814\\t39.30553\\t397677\\t702658\\t1\\t0'
    """
    return "\t".join(
        str(v)
        for v in (place.name, place.feature_code, place.admin1_name, place.country_code, f"{place.lat:.5f}", f"{place.lon:.5f}",
                  place.population, place.geonameid, place_precision(place), f"{place.radius_km:g}")
    )
