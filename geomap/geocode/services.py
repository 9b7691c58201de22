"""geopy services by name: build one with its API key from the environment, and name one."""

from __future__ import annotations

import importlib.metadata
import inspect
import logging
import os
import re
from typing import Any

from geopy import exc as geopy_exc
from geopy.adapters import BaseAdapter, RequestsAdapter, URLLibAdapter
from geopy.geocoders import SERVICE_TO_GEOCODER, get_geocoder_for_service
from geopy.geocoders.base import Geocoder

from geomap.errors import GeocoderError
from geomap.geocode.transport import BoundedAdapter

logger = logging.getLogger(__name__)

PUBLIC_NOMINATIM = "nominatim.openstreetmap.org"
# https://operations.osmfoundation.org/policies/nominatim/: "an absolute maximum of 1 request per second".
PUBLIC_NOMINATIM_MIN_DELAY = 1.0
# Where geopy geocoders take their secret; the first one a geocoder accepts is filled
# from the environment. GeoNames calls its key a username (a required one).
_CREDENTIAL_PARAMS = ("api_key", "apikey", "subscription_key", "username")
NOMINATIM_FAMILY = frozenset({"nominatim", "openmapquest", "pickpoint"})
# What we ask of services by default: Nominatim's address (country, state) and extra
# tags (population, capital) feed the resolver; English names match the gazetteer's.
DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {
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
    """geopy's default adapter minus its hidden retries, bounded (:class:`BoundedAdapter`).

    ``RequestsAdapter`` normally retries a timed-out request twice on its own, which
    turns one attempt into three and reports the time-out as "unavailable";
    :class:`OnlineLookup` does the retrying, with back-off, and must see each attempt.
    With proxies, geopy's own adapters are used (they bound each read, not the request).
    """
    if not proxies:
        return BoundedAdapter(proxies=proxies, ssl_context=ssl_context)
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
