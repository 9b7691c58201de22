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

import inspect
import logging
import math
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geopy import exc as geopy_exc
from geopy.adapters import AdapterHTTPError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder

from geomap.errors import GeocoderError
from geomap.geocode.answers import (
    BadAnswer,
    answer_converter,
    location_answer,
    online_geonameid,
    place_from_answer,
)
from geomap.geocode.cache import GeocodeCache
from geomap.geocode.lookup import Lookup
from geomap.geocode.services import (
    DEFAULT_OPTIONS,
    PUBLIC_NOMINATIM,
    PUBLIC_NOMINATIM_MIN_DELAY,
    api_key_env_name,
    make_geocoder,
    service_name,
)
from geomap.models import Place

MAX_PLACES = 50
"""At most this many places of one answer are kept (and cached); the service's best come first."""

__all__ = [
    "MAX_PLACES",
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

# -- the lookup ----------------------------------------------------------------------------


OfflineLookup = Lookup
"""What the fallback must offer: the one lookup protocol (the gazetteer offers it)."""


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
        options = {k: v for k, v in DEFAULT_OPTIONS.get(self.service, {}).items() if k in accepted}
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
        self._convert = answer_converter(self.service)

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

    def is_place_acronym(self, text: str) -> bool:
        """Whether ``text`` in capitals is a place's acronym ("EU"): the offline fallback decides."""
        decide = getattr(self.fallback, "is_place_acronym", None)
        return bool(decide is not None and decide(text))

    def get(self, geonameid: int) -> Place | None:
        """A place this lookup returned in this run, else whatever the fallback's ``get`` says."""
        if geonameid in self._seen:
            return self._seen[geonameid]
        return self.fallback.get(geonameid)

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
        its own ``lookup_scored`` does.
        """
        places = self._online(name, country_codes, limit)
        if places is None:
            self.stats.fallbacks += 1
            return self.fallback.lookup_scored(name, country_codes=country_codes, limit=limit)
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
                failure = BadAnswer(f"unreadable answer ({type(err).__name__}: {err})")
            else:
                try:
                    return self._answers(result)
                except BadAnswer as err:
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
        if isinstance(failure, (BadAnswer, geopy_exc.GeocoderTimedOut, geopy_exc.GeocoderRateLimited,
                                geopy_exc.GeocoderUnavailable, geopy_exc.GeocoderParseError)):
            return True
        if isinstance(failure, geopy_exc.GeocoderQueryError):
            return False  # the service refuses this query; asking again changes nothing
        if isinstance(failure, geopy_exc.GeocoderServiceError):
            status = _http_status(failure)
            return status is None or status >= 500
        return False

    def _answers(self, result: Any) -> list[dict[str, Any]]:
        """The service's Locations as cache records, checked to be places; raises BadAnswer."""
        if result is None:
            return []
        locations = result if isinstance(result, list) else [result]
        answers, problems = [], []
        for location in locations[: MAX_PLACES * 2]:  # a few may be unreadable; the rest are never looked at
            try:
                answer = location_answer(location)
                self._convert(answer, self.service)
            except BadAnswer as err:
                problems.append(str(err))
                continue
            answers.append(answer)
        if problems and not answers:
            raise BadAnswer(problems[0])
        answers = answers[:MAX_PLACES]
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
        kept: set[int] = set()
        for answer in answers:
            if len(places) >= MAX_PLACES:
                break
            try:
                place = self._convert(answer, self.service)
            except BadAnswer:
                continue  # only a cache written by another version of geomap gets here
            # A service that cannot filter by country is filtered here; a place of unknown country stays.
            if codes and place.country_code and place.country_code.lower() not in codes:
                continue
            if place.geonameid in kept:
                continue
            kept.add(place.geonameid)
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
