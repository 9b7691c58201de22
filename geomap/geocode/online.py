"""Online geocoders through geopy, wrapped so that a run never dies because a service did.

:func:`make_geocoder` builds any geopy service by name. :class:`OnlineLookup` puts one
behind the resolver's ``lookup(name, *, country_codes=None, limit=None) -> list[Place]``
protocol (and ``lookup_scored``, as the gazetteer offers): answers come from a
persistent :class:`~geomap.geocode.cache.GeocodeCache` when it has them, else from
the service, politely rate-limited (geopy's
:class:`~geopy.extra.rate_limiter.RateLimiter`) and retried with exponential back-off on
time-outs, 429 (honouring ``Retry-After``), 5xx and garbled answers. When the service
still fails, the offline fallback (the gazetteer) answers instead, with one warning per
run; after ``give_up_after`` failed lookups in a row, or a refused API key, the service
is left alone for the rest of the run.

Recognising names stays offline: :meth:`OnlineLookup.has_alias` asks the fallback.

Places from a service get a stable negative ``geonameid`` (see :func:`online_geonameid`)
and ``source`` set to the service's name ("nominatim", "photon", ...).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import logging
import math
import os
import re
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from geopy import exc as geopy_exc
from geopy.adapters import AdapterHTTPError, BaseAdapter, RequestsAdapter, URLLibAdapter
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import SERVICE_TO_GEOCODER, get_geocoder_for_service
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geomap.errors import GeocoderError
from geomap.geocode.cache import GeocodeCache
from geomap.models import Place

__all__ = [
    "make_geocoder",
    "api_key_env_name",
    "service_name",
    "OnlineLookup",
    "OnlineStats",
    "OfflineLookup",
    "place_from_answer",
    "online_geonameid",
    "PUBLIC_NOMINATIM",
]

logger = logging.getLogger(__name__)

PUBLIC_NOMINATIM = "nominatim.openstreetmap.org"
# https://operations.osmfoundation.org/policies/nominatim/: "an absolute maximum of 1 request per second".
PUBLIC_NOMINATIM_MIN_DELAY = 1.0
# Where geopy geocoders take their secret; the first one a geocoder accepts is filled
# from the environment. GeoNames calls its key a username (a required one).
_CREDENTIAL_PARAMS = ("api_key", "apikey", "subscription_key", "username")
_NOMINATIM_FAMILY = frozenset({"nominatim", "openmapquest", "pickpoint"})
# What we ask of services by default: Nominatim's address (country, state) and extra
# tags (population, capital) feed the resolver; English names match the gazetteer's.
_DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "nominatim": {"addressdetails": True, "extratags": True, "language": "en"},
    "openmapquest": {"addressdetails": True, "extratags": True, "language": "en"},
    "pickpoint": {"addressdetails": True, "extratags": True, "language": "en"},
    "photon": {"language": "en"},
}


def _geomap_version() -> str:
    try:
        return importlib.metadata.version("geomap")
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        return "0"


def api_key_env_name(service: str) -> str:
    """The environment variable :func:`make_geocoder` reads a service's API key from.

    >>> api_key_env_name("opencage")
    'GEOMAP_OPENCAGE_API_KEY'
    """
    return f"GEOMAP_{re.sub(r'[^A-Z0-9]+', '_', service.upper())}_API_KEY"


def _adapter_without_retries(*, proxies: Any, ssl_context: Any) -> BaseAdapter:
    """geopy's default adapter minus its hidden retries.

    ``RequestsAdapter`` normally retries a timed-out request twice on its own, which
    turns one attempt into three and reports the time-out as "unavailable";
    :class:`OnlineLookup` does the retrying, with back-off, and must see each attempt.
    """
    if RequestsAdapter.is_available:
        return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)
    return URLLibAdapter(proxies=proxies, ssl_context=ssl_context)


def make_geocoder(
    name: str,
    *,
    user_agent: str | None = None,
    domain: str | None = None,
    scheme: str | None = None,
    timeout: float = 10,
    api_key_env: str | None = None,
    **options: Any,
) -> Geocoder:
    """Build the geopy geocoder for service ``name`` (``nominatim``, ``photon``, ``arcgis``, ...).

    Parameters:
        name: a key of ``geopy.geocoders.SERVICE_TO_GEOCODER``, case-insensitive.
        user_agent: sent with every request; default ``geomap/<version>``.
        domain, scheme: where the service lives (e.g. your own Nominatim,
            ``domain="localhost:8080", scheme="http"``); default the service's own.
        timeout: seconds to wait for an answer.
        api_key_env: the environment variable holding the API key (or, for GeoNames,
            the username); default ``GEOMAP_<SERVICE>_API_KEY``
            (:func:`api_key_env_name`). Keys never go on the command line.
        options: any other argument of the geopy class (``proxies=...``,
            ``api_key=...`` given explicitly wins over the environment).

    Raises :class:`GeocoderError` for an unknown service (listing the valid names),
    an option the service does not take, or a missing API key.

    >>> g = make_geocoder("nominatim", domain="localhost:8080", scheme="http")
    >>> type(g).__name__, g.domain, g.headers["User-Agent"].startswith("geomap/")
    ('Nominatim', 'localhost:8080', True)
    """
    service = name.strip().lower()
    try:
        cls = get_geocoder_for_service(service)
    except geopy_exc.GeocoderNotFound as err:
        raise GeocoderError(
            f"unknown geocoder {name!r}; expected one of: {', '.join(sorted(SERVICE_TO_GEOCODER))}"
        ) from err
    params = {k: p for k, p in inspect.signature(cls.__init__).parameters.items() if k != "self"}

    kwargs: dict[str, Any] = {"timeout": timeout, "user_agent": user_agent or f"geomap/{_geomap_version()}"}
    if domain is not None:
        kwargs["domain"] = domain
    if scheme is not None:
        kwargs["scheme"] = scheme
    if "adapter_factory" in params:
        kwargs["adapter_factory"] = _adapter_without_retries
    kwargs.update(options)

    unknown = sorted(k for k in kwargs if k not in params)
    if unknown:
        raise GeocoderError(
            f"geocoder {service!r} takes no option {', '.join(map(repr, unknown))}; "
            f"its options are: {', '.join(sorted(params))}"
        )

    env = api_key_env or api_key_env_name(service)
    credential = next((p for p in _CREDENTIAL_PARAMS if p in params), None)
    if credential == "username" and params["username"].default is not inspect.Parameter.empty:
        credential = None  # ArcGIS' optional username goes with a password: not a key
    if credential is not None and credential not in kwargs:
        value = os.environ.get(env, "").strip()
        if value:
            kwargs[credential] = value
        elif api_key_env is not None:
            raise GeocoderError(f"environment variable {env} is empty or not set; geocoder {service!r} needs it")

    missing = [k for k, p in params.items() if p.default is inspect.Parameter.empty
               and p.kind is not p.VAR_KEYWORD and p.kind is not p.VAR_POSITIONAL and k not in kwargs]
    if missing:
        hint = f" (set the environment variable {env})" if credential in missing else ""
        raise GeocoderError(f"geocoder {service!r} needs {', '.join(missing)}{hint}")
    try:
        return cls(**kwargs)
    except (geopy_exc.ConfigurationError, TypeError, ValueError) as err:
        raise GeocoderError(f"cannot set up geocoder {service!r}: {err}") from err


def service_name(geocoder: Geocoder) -> str:
    """The geopy service name of a geocoder ("nominatim" for a Nominatim or a subclass of it).

    >>> from geopy.geocoders import Photon
    >>> service_name(Photon())
    'photon'
    """
    by_class = {cls: name for name, cls in sorted(SERVICE_TO_GEOCODER.items(), reverse=True)}
    for cls in type(geocoder).__mro__:
        if cls in by_class:
            return by_class[cls]
    return type(geocoder).__name__.lower()


# -- from a service's answer to a Place ------------------------------------------------------


class _BadAnswer(ValueError):
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
        raise _BadAnswer(f"coordinates ({lat!r}, {lon!r}) are not numbers") from None
    if not (math.isfinite(flat) and math.isfinite(flon) and -90 <= flat <= 90 and -180 <= flon <= 180):
        raise _BadAnswer(f"coordinates ({lat!r}, {lon!r}) are not on Earth")
    return flat, flon


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _bbox_radius_km(south: Any, north: Any, west: Any, east: Any) -> float:
    """Half the diagonal of a bounding box: how far the place reaches from its middle."""
    try:
        s, n, w, e = float(south), float(north), float(west), float(east)
    except (TypeError, ValueError):
        return 0.0
    if not all(map(math.isfinite, (s, n, w, e))):
        return 0.0
    return round(_haversine_km(s, w, n, e) / 2, 2)


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
        raise _BadAnswer("the answer names no place")
    return name


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _from_nominatim(answer: Mapping[str, Any], source: str) -> Place:
    raw = answer.get("raw")
    if not isinstance(raw, Mapping):
        raise _BadAnswer(f"expected a JSON object for a place, got {raw!r:.80}")
    lat, lon = _coordinates(raw.get("lat"), raw.get("lon"))
    address = _mapping(raw.get("address"))
    extratags = _mapping(raw.get("extratags"))
    feature_class, feature_code = _osm_feature(
        raw.get("class", raw.get("category")), raw.get("type"), raw.get("addresstype"),
        raw.get("place_rank"), extratags.get("capital"),
    )
    bbox = raw.get("boundingbox")
    radius = _bbox_radius_km(*bbox) if isinstance(bbox, Sequence) and len(bbox) == 4 else 0.0
    return Place(
        geonameid=online_geonameid(source, str(raw.get("place_id", "")),
                                   osm_type=raw.get("osm_type"), osm_id=raw.get("osm_id")),
        name=_name(raw.get("name"), raw.get("display_name")),
        lat=lat,
        lon=lon,
        feature_class=feature_class,
        feature_code=feature_code,
        country_code=str(address.get("country_code", "")).upper(),
        # ISO 3166-2 (UA-09), not GeoNames' admin1 code: consistent among a service's places.
        admin1_code="" if feature_code == "PCLI" else str(address.get("ISO3166-2-lvl4", "")),
        admin1_name="" if feature_code == "PCLI" else str(
            address.get("state") or address.get("province") or address.get("region") or ""
        ),
        population=_population(extratags.get("population")),
        radius_km=radius,
        source=source,
    )


def _from_photon(answer: Mapping[str, Any], source: str) -> Place:
    raw = answer.get("raw")
    props = raw.get("properties") if isinstance(raw, Mapping) else None
    geometry = raw.get("geometry") if isinstance(raw, Mapping) else None
    if not isinstance(props, Mapping) or not isinstance(geometry, Mapping):
        raise _BadAnswer(f"expected a GeoJSON feature for a place, got {raw!r:.80}")
    coords = geometry.get("coordinates")
    if not isinstance(coords, Sequence) or len(coords) < 2:
        raise _BadAnswer(f"expected [lon, lat] coordinates, got {coords!r:.80}")
    lat, lon = _coordinates(coords[1], coords[0])  # GeoJSON gives (lon, lat)
    feature_class, feature_code = _osm_feature(
        props.get("osm_key"), props.get("osm_value"), props.get("type"), None, None
    )
    extent = props.get("extent")  # [west, north, east, south]
    radius = _bbox_radius_km(extent[3], extent[1], extent[0], extent[2]) if (
        isinstance(extent, Sequence) and len(extent) == 4) else 0.0
    return Place(
        geonameid=online_geonameid(source, f"{props.get('osm_type')}{props.get('osm_id')}",
                                   osm_type=props.get("osm_type"), osm_id=props.get("osm_id")),
        name=_name(props.get("name"), answer.get("address")),
        lat=lat,
        lon=lon,
        feature_class=feature_class,
        feature_code=feature_code,
        country_code=str(props.get("countrycode", "")).upper(),
        admin1_name="" if feature_code == "PCLI" else str(props.get("state") or ""),
        radius_km=radius,
        source=source,
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


def _converter(service: str) -> Callable[[Mapping[str, Any], str], Place]:
    if service in _NOMINATIM_FAMILY:
        return _from_nominatim
    if service == "photon":
        return _from_photon
    return _from_location


def _answer(location: Any) -> dict[str, Any]:
    """A geopy Location as the JSON-able record the cache keeps."""
    if not isinstance(location, Location):
        raise _BadAnswer(f"expected a geopy Location, got {type(location).__name__}")
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
        record = _answer(answer) if isinstance(answer, Location) else answer
        return _converter(service)(record, service)
    except _BadAnswer as err:
        raise GeocoderError(f"{service} answered {answer!r:.120}, which is not a place: {err}") from err


# -- the lookup ----------------------------------------------------------------------------


class OfflineLookup(Protocol):
    """What the fallback must offer: the gazetteer's lookup and name recognition."""

    def lookup(
        self, name: str, *, country_codes: Sequence[str] | None = None, limit: int | None = None
    ) -> list[Place]: ...

    def has_alias(self, name: str) -> bool: ...


@dataclass
class OnlineStats:
    """What an :class:`OnlineLookup` did in this run (for a summary line)."""

    requests: int = 0  # HTTP attempts, retries included
    answered: int = 0  # lookups the service answered
    cache_hits: int = 0  # lookups answered from the cache
    fallbacks: int = 0  # lookups the offline fallback answered instead

    def summary(self) -> str:
        return (f"{self.answered} answered online, {self.cache_hits} from the cache, "
                f"{self.fallbacks} by the offline gazetteer ({self.requests} requests)")


class _ServiceFailed(Exception):
    def __init__(self, reason: str, *, attempts: int, give_up: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts
        self.give_up = give_up


class _RateLimiter(RateLimiter):
    """geopy's RateLimiter with its clock and sleep passed in; retrying is left to OnlineLookup."""

    def __init__(self, func: Callable[..., Any], *, min_delay_seconds: float,
                 clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        super().__init__(func, min_delay_seconds=min_delay_seconds, max_retries=0,
                         error_wait_seconds=min_delay_seconds, swallow_exceptions=False)
        self._clock_fn = clock
        self._sleep_fn = sleep

    def _clock(self) -> float:
        return self._clock_fn()

    def _sleep(self, seconds: float) -> None:
        self._sleep_fn(seconds)


def _one_line(text: str, width: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _http_status(err: BaseException) -> int | None:
    cause = err.__cause__
    return cause.status_code if isinstance(cause, AdapterHTTPError) else None


class OnlineLookup:
    """An online geocoder behind the resolver's lookup protocol, cached, polite and fail-safe.

    Parameters:
        geocoder: any geopy geocoder, best built by :func:`make_geocoder`.
        cache: where answers persist across runs (``None``: no cache; for tests).
        fallback: the offline lookup (the gazetteer) that answers when the service
            cannot, and that recognises names (:meth:`has_alias`).
        min_delay_seconds: at least this long between two requests; Nominatim's public
            server allows no less than 1 second (its usage policy), lower it only for
            your own server.
        max_retries: retries after a failed attempt (so at most ``max_retries + 1``
            requests per name), waiting ``backoff_seconds * 2**n`` (at most
            ``max_backoff_seconds``) or the ``Retry-After`` of a 429, whichever is longer.
            A ``Retry-After`` longer than ``max_backoff_seconds`` pauses the service for
            that long instead of waiting.
        give_up_after: after this many failed lookups in a row the service is left
            alone for the rest of the run (a refused key or quota: at once).
        geocode_options: more arguments for every ``geocode`` call (``language="uk"``);
            they are part of the cache key.
        sleep, clock: seams for tests; every wait goes through ``sleep``. Replace them
            together: geopy's RateLimiter sleeps until ``clock`` has moved on, so a
            ``sleep`` that does not advance ``clock`` makes it spin.

    >>> from geomap.gazetteer import open_gazetteer  # doctest: +SKIP
    >>> lookup = OnlineLookup(make_geocoder("nominatim"), cache=GeocodeCache("output/geomap.sqlite"),
    ...                       fallback=open_gazetteer())  # doctest: +SKIP
    >>> lookup.lookup("Luhansk", limit=3)[0].feature_code  # doctest: +SKIP
    'PPLA'
    """

    def __init__(
        self,
        geocoder: Geocoder,
        *,
        cache: GeocodeCache | None,
        fallback: OfflineLookup,
        min_delay_seconds: float = 1.0,
        max_retries: int = 3,
        backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 60.0,
        give_up_after: int = 5,
        geocode_options: Mapping[str, Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service_name(geocoder)
        domain = str(getattr(geocoder, "domain", "") or "")
        if self.service == "nominatim" and domain == PUBLIC_NOMINATIM and min_delay_seconds < PUBLIC_NOMINATIM_MIN_DELAY:
            raise GeocoderError(
                f"min_delay_seconds={min_delay_seconds} breaks the usage policy of {PUBLIC_NOMINATIM} "
                f"(at most one request per second); use {PUBLIC_NOMINATIM_MIN_DELAY} or more, or your own server"
            )
        for name, value in (("min_delay_seconds", min_delay_seconds), ("backoff_seconds", backoff_seconds),
                            ("max_backoff_seconds", max_backoff_seconds), ("max_retries", max_retries)):
            if value < 0:
                raise GeocoderError(f"{name} must be 0 or more, got {value!r}")
        if give_up_after < 1:
            raise GeocoderError(f"give_up_after must be 1 or more, got {give_up_after!r}")

        self.geocoder = geocoder
        self.cache = cache
        self.fallback = fallback
        self.max_retries = int(max_retries)
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.give_up_after = give_up_after
        self.stats = OnlineStats()
        # The cache tells answers of different servers apart: a private Nominatim is not the public one.
        self.cache_service = f"{self.service}@{domain}" if domain else self.service

        accepted = inspect.signature(geocoder.geocode).parameters
        options = {k: v for k, v in _DEFAULT_OPTIONS.get(self.service, {}).items() if k in accepted}
        for key, value in (geocode_options or {}).items():
            if key not in accepted or key in ("query", "exactly_one", "timeout"):
                raise GeocoderError(
                    f"geocoder {self.service!r} takes no geocode option {key!r}; "
                    f"its options are: {', '.join(k for k in accepted if k not in ('query', 'exactly_one', 'timeout'))}"
                )
            options[key] = value
        self._options = options
        self._accepts_limit = "limit" in accepted
        self._accepts_countries = "country_codes" in accepted
        self._convert = _converter(self.service)

        self._sleep = sleep
        self._clock = clock
        self._geocode = _RateLimiter(geocoder.geocode, min_delay_seconds=min_delay_seconds, clock=clock, sleep=sleep)
        self._seen: dict[int, Place] = {}
        self._warned = False
        self._failures_in_a_row = 0
        self._given_up: str | None = None
        self._paused_until = -math.inf

    # -- the protocol ------------------------------------------------------------------

    def has_alias(self, name: str) -> bool:
        """Whether ``name`` is a place name at all: the offline fallback decides."""
        return self.fallback.has_alias(name)

    def get(self, geonameid: int) -> Place | None:
        """A place this lookup returned in this run, else whatever the fallback's ``get`` says."""
        if geonameid in self._seen:
            return self._seen[geonameid]
        get = getattr(self.fallback, "get", None)
        return get(geonameid) if get is not None else None

    def lookup(self, name: str, *, country_codes: Sequence[str] | None = None, limit: int | None = None) -> list[Place]:
        """The places ``name`` may be, best first, from the cache, the service or the fallback.

        ``country_codes`` (ISO alpha-2, any case) restricts the countries; ``limit``
        caps the number of places. Never raises because of the service.
        """
        places = self._online(name, country_codes, limit)
        if places is None:
            self.stats.fallbacks += 1
            return self.fallback.lookup(name, country_codes=country_codes, limit=limit)
        return places

    def lookup_scored(
        self, name: str, *, country_codes: Sequence[str] | None = None, limit: int | None = None
    ) -> list[tuple[Place, float]]:
        """Like :meth:`lookup`, with each place's prior probability (they sum to 1).

        The service's own order is its judgement (Nominatim ranks by importance): each
        place is taken as half as likely as the one before it. When the fallback answers,
        its own ``lookup_scored`` does, if it has one.
        """
        places = self._online(name, country_codes, limit)
        if places is None:
            self.stats.fallbacks += 1
            scored = getattr(self.fallback, "lookup_scored", None)
            if scored is not None:
                return scored(name, country_codes=country_codes, limit=limit)
            places = self.fallback.lookup(name, country_codes=country_codes, limit=limit)
        weights = [0.5**i for i in range(len(places))]
        total = math.fsum(weights)
        return [(place, weight / total) for place, weight in zip(places, weights)]

    def _online(self, name: str, country_codes: Sequence[str] | None, limit: int | None) -> list[Place] | None:
        """The places from the cache or the service; None when the service cannot answer."""
        query = " ".join(name.split())
        if not query:
            return []
        codes = sorted({c.strip().lower() for c in country_codes or () if c.strip()})
        kwargs = dict(self._options)
        if limit is not None and self._accepts_limit:
            kwargs["limit"] = int(limit)
        if codes and self._accepts_countries:
            kwargs["country_codes"] = codes

        answers = self._cached(query, kwargs)
        if answers is not None:
            self.stats.cache_hits += 1
            return self._places(answers, codes, limit)
        if not self._available():
            return None
        try:
            answers = self._ask(query, kwargs)
        except _ServiceFailed as failure:
            self._note_failure(query, failure)
            return None
        self._failures_in_a_row = 0
        self.stats.answered += 1
        self._store(query, kwargs, answers)
        return self._places(answers, codes, limit)

    # -- the service ---------------------------------------------------------------

    def _available(self) -> bool:
        return self._given_up is None and self._clock() >= self._paused_until

    def _ask(self, query: str, kwargs: dict[str, Any]) -> list[dict[str, Any]]:
        """The service's answers, retried with back-off; raises _ServiceFailed when it will not answer."""
        for attempt in range(1, self.max_retries + 2):
            self.stats.requests += 1
            failure: BaseException
            try:
                result = self._geocode(query, exactly_one=False, **kwargs)
            except geopy_exc.GeopyError as err:
                failure = err
            except (TypeError, ValueError, AttributeError, KeyError, IndexError) as err:
                # geopy choked on what the service sent (a JSON object instead of a list, ...).
                failure = _BadAnswer(f"unreadable answer ({type(err).__name__}: {err})")
            else:
                try:
                    return self._answers(result)
                except _BadAnswer as err:
                    failure = err

            reason = _one_line(f"{type(failure).__name__}: {failure}")
            if isinstance(failure, (geopy_exc.GeocoderAuthenticationFailure,
                                    geopy_exc.GeocoderInsufficientPrivileges)) or (
                    isinstance(failure, geopy_exc.GeocoderQuotaExceeded)
                    and not isinstance(failure, geopy_exc.GeocoderRateLimited)):
                raise _ServiceFailed(reason, attempts=attempt, give_up=True)
            if not self._transient(failure):
                raise _ServiceFailed(reason, attempts=attempt)
            if attempt > self.max_retries:
                raise _ServiceFailed(reason, attempts=attempt)
            delay = min(self.backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds)
            retry_after = getattr(failure, "retry_after", None)
            if retry_after is not None:
                if retry_after > self.max_backoff_seconds:
                    self._paused_until = self._clock() + retry_after
                    raise _ServiceFailed(f"{reason} (asked to wait {retry_after:g} s; pausing it)", attempts=attempt)
                delay = max(delay, float(retry_after))
            logger.debug("%s: %r failed (%s); retry %d in %.3g s", self.service, query, reason, attempt, delay)
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _transient(failure: BaseException) -> bool:
        """Whether trying again may help: time-outs, 429, 5xx, unreachable, garbled answers."""
        if isinstance(failure, (_BadAnswer, geopy_exc.GeocoderTimedOut, geopy_exc.GeocoderRateLimited,
                                geopy_exc.GeocoderUnavailable, geopy_exc.GeocoderParseError)):
            return True
        if isinstance(failure, geopy_exc.GeocoderQueryError):
            return False  # the service refuses this query; asking again changes nothing
        if isinstance(failure, geopy_exc.GeocoderServiceError):
            status = _http_status(failure)
            return status is None or status >= 500
        return False

    def _answers(self, result: Any) -> list[dict[str, Any]]:
        """The service's Locations as cache records, checked to be places; raises _BadAnswer."""
        if result is None:
            return []
        locations = result if isinstance(result, list) else [result]
        answers, problems = [], []
        for location in locations:
            try:
                answer = _answer(location)
                self._convert(answer, self.service)
            except _BadAnswer as err:
                problems.append(str(err))
                continue
            answers.append(answer)
        if problems and not answers:
            raise _BadAnswer(problems[0])
        for problem in problems:
            logger.debug("%s: skipped an answer: %s", self.service, problem)
        return answers

    def _note_failure(self, query: str, failure: _ServiceFailed) -> None:
        self._failures_in_a_row += 1
        message = "%s failed for %r after %d attempt(s) (%s); the offline gazetteer answers instead"
        if not self._warned:
            logger.warning(message + " (further failures in this run are logged at debug level)",
                           self.service, query, failure.attempts, failure.reason)
            self._warned = True
        else:
            logger.debug(message, self.service, query, failure.attempts, failure.reason)
        if failure.give_up or self._failures_in_a_row >= self.give_up_after:
            self._given_up = failure.reason
            logger.warning("%s: giving up on it for the rest of the run after %d failed lookup(s) in a row (%s); "
                           "the offline gazetteer answers from now on",
                           self.service, self._failures_in_a_row, failure.reason)

    # -- answers to places -----------------------------------------------------------

    def _places(self, answers: list[dict[str, Any]], codes: list[str], limit: int | None) -> list[Place]:
        places: list[Place] = []
        for answer in answers:
            try:
                place = self._convert(answer, self.service)
            except _BadAnswer:
                continue  # only a cache written by another version of geomap gets here
            # A service that cannot filter by country is filtered here; a place of unknown country stays.
            if codes and place.country_code and place.country_code.lower() not in codes:
                continue
            if any(p.geonameid == place.geonameid for p in places):
                continue
            self._seen[place.geonameid] = place
            places.append(place)
        return places[:limit] if limit is not None else places

    # -- the cache: a cache that cannot be read or written is skipped, not fatal ------------

    def _cached(self, query: str, kwargs: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        if self.cache is None:
            return None
        try:
            return self.cache.get(self.cache_service, query, kwargs)
        except sqlite3.Error as err:
            logger.warning("geocoding cache %s could not be read (%s); asking %s", self.cache.path, err, self.service)
            return None

    def _store(self, query: str, kwargs: Mapping[str, Any], answers: list[dict[str, Any]]) -> None:
        if self.cache is None:
            return
        try:
            self.cache.put(self.cache_service, query, kwargs, answers)
        except sqlite3.Error as err:
            logger.warning("geocoding cache %s could not be written (%s)", self.cache.path, err)

    def __repr__(self) -> str:
        return f"OnlineLookup({self.service!r}, cache={self.cache!r})"
