"""From an online service's answer (Nominatim, Photon, any geopy Location) to a :class:`~geomap.models.Place`."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from geopy.location import Location

from geomap.errors import GeocoderError
from geomap.geo.distance import km
from geomap.geocode.services import NOMINATIM_FAMILY
from geomap.models import Place

# -- from a service's answer to a Place ------------------------------------------------------


class BadAnswer(ValueError):
    """A service answered, but not with places."""


_OSM_TYPES = {"node": 1, "n": 1, "way": 2, "w": 2, "relation": 3, "r": 3}
# Curated gazetteer entries use -1 .. -2**47 (geomap.gazetteer.sources.stable_negative_id);
# online ids lie below that, and above -2**53 so JavaScript (GeoJSON, the map) keeps them exact.
_OSM_SPAN = 10**15
_HASHED_BASE = 5 * 10**15
_MAX_SAFE = 2**53


def online_geonameid(service: str, ident: str, *, osm_type: str | None = None, osm_id: Any = None) -> int:
    """A stable negative id for a place that came from an online service.

    - An OpenStreetMap object (Nominatim, Photon): ``-(k * 10**15 + osm_id)`` with
      k = 1 node, 2 way, 3 relation, so the object can be read back from the id and
      the same object gets the same id from any OSM-based service: -1e15 > id > -4e15.
    - Anything else: ``-(5 * 10**15 + h)`` where h is a SHA-256 of the service name
      and the service's own id (``ident``) reduced below 2**53 - 5e15: -5e15 >= id > -2**53.

    Both ranges lie below the ids of curated gazetteer entries (-1 .. -2**47) and
    within 2**53, so JSON and JavaScript carry them exactly.

    >>> online_geonameid("nominatim", "", osm_type="relation", osm_id=71971)
    -3000000000071971
    >>> online_geonameid("arcgis", "Luhansk|48.57,39.31") == online_geonameid("arcgis", "Luhansk|48.57,39.31")
    True
    """
    kind = _OSM_TYPES.get(str(osm_type or "").lower())
    if kind is not None:
        try:
            number = int(osm_id)
        except (TypeError, ValueError):
            number = -1
        if 0 < number < _OSM_SPAN:
            return -(kind * _OSM_SPAN + number)
    digest = hashlib.sha256(f"{service}\x1f{ident}".encode()).hexdigest()
    return -(_HASHED_BASE + int(digest[:16], 16) % (_MAX_SAFE - _HASHED_BASE))


def _coordinates(lat: Any, lon: Any) -> tuple[float, float]:
    try:
        flat, flon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise BadAnswer(f"coordinates ({lat!r}, {lon!r}) are not numbers") from None
    if not (math.isfinite(flat) and math.isfinite(flon) and -90 <= flat <= 90 and -180 <= flon <= 180):
        raise BadAnswer(f"coordinates ({lat!r}, {lon!r}) are not on Earth")
    return flat, flon


def _bbox_radius_km(south: Any, north: Any, west: Any, east: Any) -> float:
    """Half the diagonal of a bounding box: how far the place reaches from its middle."""
    try:
        s, n, w, e = float(south), float(north), float(west), float(east)
    except (TypeError, ValueError):
        return 0.0
    if not all(map(math.isfinite, (s, n, w, e))):
        return 0.0
    return round(km(s, w, n, e) / 2, 2)


def _population(value: Any) -> int:
    digits = re.sub(r"[\s,._']", "", str(value or "")).split(";")[0]
    return int(digits) if digits.isdigit() else 0


# OSM class/type pairs that name a kind of place outright.
_OSM_CLASS_TYPE = {
    ("aeroway", "aerodrome"): ("S", "AIRP"),
    ("aeroway", "airport"): ("S", "AIRP"),
    ("place", "country"): ("A", "PCLI"),
    ("place", "state"): ("A", "ADM1"),
    ("place", "province"): ("A", "ADM1"),
    ("place", "island"): ("T", "ISL"),
    ("place", "islet"): ("T", "ISL"),
    ("natural", "peak"): ("T", "PK"),
    ("natural", "water"): ("H", "LK"),
    ("natural", "bay"): ("H", "BAY"),
    ("waterway", "river"): ("H", "STM"),
    ("railway", "station"): ("S", "RSTN"),
    ("amenity", "hospital"): ("S", "HSP"),
    ("landuse", "military"): ("S", "MILB"),
    ("military", "base"): ("S", "MILB"),
    ("power", "plant"): ("S", "PS"),
    ("man_made", "bridge"): ("S", "BDG"),
}
# Nominatim's addresstype (Photon's "type"): what kind of address part the place is.
_ADDRESS_TYPES = {
    "country": ("A", "PCLI"),
    "state": ("A", "ADM1"),
    "province": ("A", "ADM1"),
    "county": ("A", "ADM2"),
    "state_district": ("A", "ADM2"),
    "district": ("A", "ADM2"),
    "municipality": ("A", "ADM3"),
    "city": ("P", "PPL"),
    "town": ("P", "PPL"),
    "village": ("P", "PPL"),
    "hamlet": ("P", "PPL"),
    "isolated_dwelling": ("P", "PPL"),
    "locality": ("P", "PPL"),
    "city_district": ("P", "PPLX"),
    "borough": ("P", "PPLX"),
    "suburb": ("P", "PPLX"),
    "quarter": ("P", "PPLX"),
    "neighbourhood": ("P", "PPLX"),
    "aeroway": ("S", "AIRP"),
    "island": ("T", "ISL"),
}
# OSM's capital=* on a populated place: 2/yes national, 4 first-level region, 6 second.
_CAPITALS = {"yes": "PPLC", "2": "PPLC", "3": "PPLA", "4": "PPLA", "5": "PPLA2", "6": "PPLA2",
             "7": "PPLA3", "8": "PPLA3"}


def _osm_feature(cls: Any, type_: Any, addresstype: Any, place_rank: Any, capital: Any) -> tuple[str, str]:
    """GeoNames-like (feature_class, feature_code) from what Nominatim or Photon says of an OSM object."""
    feature = _OSM_CLASS_TYPE.get((str(cls), str(type_))) or _ADDRESS_TYPES.get(str(addresstype))
    if feature is None and str(cls) == "boundary" and str(type_) == "administrative":
        # Nominatim's place_rank of a boundary follows its admin_level: 4 country,
        # 8 first level (admin_level 4), 10-12 second level.
        try:
            rank = int(place_rank)
        except (TypeError, ValueError):
            rank = 0
        feature = {4: ("A", "PCLI"), 8: ("A", "ADM1"), 10: ("A", "ADM2"), 12: ("A", "ADM2")}.get(rank)
    if feature is None and str(cls) == "place":
        feature = _ADDRESS_TYPES.get(str(type_))
    feature = feature or ("P", "PPL")
    if feature == ("P", "PPL") and str(capital) in _CAPITALS:
        feature = ("P", _CAPITALS[str(capital)])
    return feature


def _name(raw_name: Any, display: Any) -> str:
    name = str(raw_name or "").strip() or str(display or "").split(",")[0].strip()
    if not name:
        raise BadAnswer("the answer names no place")
    return name


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _osm_place(source: str, key: str, osm_type: Any, osm_id: Any, *, name: str, point: tuple[float, float],
               feature: tuple[str, str], country_code: Any, admin1_code: str = "", admin1_name: str = "",
               population: int = 0, radius_km: float = 0.0) -> Place:
    """The Place of an answer from an OpenStreetMap-based service (Nominatim, Photon): its id
    from the service's key (the OSM object when given), its country code upper-cased, and no
    region for a country."""
    feature_class, feature_code = feature
    country = feature_code == "PCLI"
    return Place(
        geonameid=online_geonameid(source, key, osm_type=osm_type, osm_id=osm_id),
        name=name,
        lat=point[0],
        lon=point[1],
        feature_class=feature_class,
        feature_code=feature_code,
        country_code=str(country_code).upper(),
        admin1_code="" if country else admin1_code,
        admin1_name="" if country else admin1_name,
        population=population,
        radius_km=radius_km,
        source=source,
    )


def _from_nominatim(answer: Mapping[str, Any], source: str) -> Place:
    raw = answer.get("raw")
    if not isinstance(raw, Mapping):
        raise BadAnswer(f"expected a JSON object for a place, got {raw!r:.80}")
    lat, lon = _coordinates(raw.get("lat"), raw.get("lon"))
    address = _mapping(raw.get("address"))
    extratags = _mapping(raw.get("extratags"))
    feature = _osm_feature(
        raw.get("class", raw.get("category")), raw.get("type"), raw.get("addresstype"),
        raw.get("place_rank"), extratags.get("capital"),
    )
    bbox = raw.get("boundingbox")
    radius = _bbox_radius_km(*bbox) if isinstance(bbox, Sequence) and len(bbox) == 4 else 0.0
    return _osm_place(
        source, str(raw.get("place_id", "")), raw.get("osm_type"), raw.get("osm_id"),
        name=_name(raw.get("name"), raw.get("display_name")), point=(lat, lon), feature=feature,
        country_code=address.get("country_code", ""),
        # ISO 3166-2 (UA-09), not GeoNames' admin1 code: consistent among a service's places.
        admin1_code=str(address.get("ISO3166-2-lvl4", "")),
        admin1_name=str(address.get("state") or address.get("province") or address.get("region") or ""),
        population=_population(extratags.get("population")), radius_km=radius,
    )


def _from_photon(answer: Mapping[str, Any], source: str) -> Place:
    raw = answer.get("raw")
    props = raw.get("properties") if isinstance(raw, Mapping) else None
    geometry = raw.get("geometry") if isinstance(raw, Mapping) else None
    if not isinstance(props, Mapping) or not isinstance(geometry, Mapping):
        raise BadAnswer(f"expected a GeoJSON feature for a place, got {raw!r:.80}")
    coords = geometry.get("coordinates")
    if not isinstance(coords, Sequence) or len(coords) < 2:
        raise BadAnswer(f"expected [lon, lat] coordinates, got {coords!r:.80}")
    lat, lon = _coordinates(coords[1], coords[0])  # GeoJSON gives (lon, lat)
    feature = _osm_feature(
        props.get("osm_key"), props.get("osm_value"), props.get("type"), None, None
    )
    extent = props.get("extent")  # [west, north, east, south]
    radius = _bbox_radius_km(extent[3], extent[1], extent[0], extent[2]) if (
        isinstance(extent, Sequence) and len(extent) == 4) else 0.0
    return _osm_place(
        source, f"{props.get('osm_type')}{props.get('osm_id')}", props.get("osm_type"), props.get("osm_id"),
        name=_name(props.get("name"), answer.get("address")), point=(lat, lon), feature=feature,
        country_code=props.get("countrycode", ""), admin1_name=str(props.get("state") or ""), radius_km=radius,
    )


def _from_location(answer: Mapping[str, Any], source: str) -> Place:
    """What any geopy service gives: an address and a point; nothing better known than PPL."""
    lat, lon = _coordinates(answer.get("lat"), answer.get("lon"))
    name = _name(None, answer.get("address"))
    return Place(
        geonameid=online_geonameid(source, f"{answer.get('address')}|{lat:.5f},{lon:.5f}"),
        name=name,
        lat=lat,
        lon=lon,
        feature_class="P",
        feature_code="PPL",
        country_code="",
        source=source,
    )


def answer_converter(service: str) -> Callable[[Mapping[str, Any], str], Place]:
    if service in NOMINATIM_FAMILY:
        return _from_nominatim
    if service == "photon":
        return _from_photon
    return _from_location


def location_answer(location: Any) -> dict[str, Any]:
    """A geopy Location as the JSON-able record the cache keeps."""
    if not isinstance(location, Location):
        raise BadAnswer(f"expected a geopy Location, got {type(location).__name__}")
    return {"address": location.address, "lat": location.latitude, "lon": location.longitude, "raw": location.raw}


def place_from_answer(answer: Mapping[str, Any] | Location, service: str) -> Place:
    """Turn one answer of ``service`` (a geopy Location or its cached record) into a Place.

    Nominatim-like raw answers give feature codes, country, first-level region,
    population and extent; Photon's give most of that; any other service gives a
    point and an address, taken as a populated place (``P``/``PPL``).
    Raises :class:`GeocoderError` if the answer is not a place.

    >>> from geopy.location import Location
    >>> raw = {"osm_type": "relation", "osm_id": 71971, "lat": "48.76", "lon": "39.20",
    ...        "class": "boundary", "type": "administrative", "addresstype": "state",
    ...        "name": "Luhansk Oblast", "address": {"country_code": "ua", "state": "Luhansk Oblast"}}
    >>> place = place_from_answer(Location("Luhansk Oblast, Ukraine", (48.76, 39.20), raw), "nominatim")
    >>> place.feature_code, place.country_code, place.geonameid, place.source
    ('ADM1', 'UA', -3000000000071971, 'nominatim')
    """
    try:
        record = location_answer(answer) if isinstance(answer, Location) else answer
        return answer_converter(service)(record, service)
    except BadAnswer as err:
        raise GeocoderError(f"{service} answered {answer!r:.120}, which is not a place: {err}") from err
