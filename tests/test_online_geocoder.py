"""Online geocoders: built by name, cached, rate-limited, retried, and never fatal.

Every request goes to the local Nominatim stand-in (tests/nominatim_server.py);
no test touches a real service. Time is a fake clock that moves only when the code
under test sleeps, so back-off and rate limiting are asserted on exactly, without waiting.
"""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Sequence

import pytest
from geopy.geocoders import ArcGIS, Nominatim, Photon
from geopy.location import Location
from nominatim_server import NominatimServer, nominatim_server  # noqa: F401 (the fixture)

from geomap.errors import GeocoderError
from geomap.geocode.cache import TABLE, GeocodeCache
from geomap.geocode.online import OnlineLookup, make_geocoder, online_geonameid, place_from_answer
from geomap.models import Place

LOGGER = "geomap.geocode.online"


class FakeClock:
    """Time that passes only when someone sleeps: the seam for RateLimiter and back-off."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


class TinyGazetteer:
    """A small offline lookup with the gazetteer's protocol; its places say source='geonames'."""

    def __init__(self, places: Sequence[Place]) -> None:
        self.places = list(places)
        self.asked: list[str] = []

    def lookup(self, name: str, *, country_codes: Sequence[str] | None = None, limit: int | None = None) -> list[Place]:
        self.asked.append(name)
        codes = {c.upper() for c in country_codes or ()}
        hits = [p for p in self.places
                if p.name.casefold() == name.strip().casefold() and (not codes or p.country_code in codes)]
        return hits[:limit] if limit is not None else hits

    def lookup_scored(self, name: str, *, country_codes: Sequence[str] | None = None,
                      limit: int | None = None) -> list[tuple[Place, float]]:
        places = self.lookup(name, country_codes=country_codes, limit=limit)
        return [(p, 1 / len(places)) for p in places]

    def has_alias(self, name: str) -> bool:
        return any(p.name.casefold() == name.strip().casefold() for p in self.places)

    def get(self, geonameid: int) -> Place | None:
        return next((p for p in self.places if p.geonameid == geonameid), None)


OFFLINE = (
    Place(702658, "Luhansk", 48.56705, 39.31706, "P", "PPLA", "UA", "14", "Luhansk", 452000),
    Place(745044, "Istanbul", 41.01384, 28.94966, "P", "PPLA", "TR", "34", "Istanbul", 14804116),
    Place(524901, "Moscow", 55.75222, 37.61556, "P", "PPLC", "RU", "48", "Moscow", 10381222),
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def gazetteer() -> TinyGazetteer:
    return TinyGazetteer(OFFLINE)


def online(server: NominatimServer, clock: FakeClock, fallback: TinyGazetteer, *,
           cache: GeocodeCache | None = None, timeout: float = 5, **kwargs) -> OnlineLookup:
    geocoder = make_geocoder("nominatim", domain=server.domain, scheme="http", timeout=timeout)
    return OnlineLookup(geocoder, cache=cache, fallback=fallback, sleep=clock.sleep, clock=clock, **kwargs)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


# -- make_geocoder ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "cls"), [("nominatim", Nominatim), ("Photon", Photon), ("arcgis", ArcGIS)],
                         ids=["nominatim", "photon-any-case", "arcgis"])
def test_make_geocoder_builds_the_geopy_service_by_name(name, cls):
    geocoder = make_geocoder(name, timeout=3)
    assert type(geocoder) is cls
    assert geocoder.timeout == 3
    assert geocoder.headers["User-Agent"].startswith("geomap/")


def test_make_geocoder_passes_domain_scheme_and_user_agent():
    geocoder = make_geocoder("nominatim", domain="geo.example.org", scheme="http", user_agent="newsroom-map/2")
    assert geocoder.domain == "geo.example.org"
    assert geocoder.scheme == "http"
    assert geocoder.headers["User-Agent"] == "newsroom-map/2"


def test_unknown_service_name_is_named_with_the_valid_ones():
    with pytest.raises(GeocoderError) as info:
        make_geocoder("nominatimm")
    message = str(info.value)
    assert message.startswith("unknown geocoder 'nominatimm'; expected one of: arcgis, azure,")
    assert "nominatim, opencage" in message and "photon" in message


def test_api_key_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("GEOMAP_OPENCAGE_API_KEY", "key-from-env")
    assert make_geocoder("opencage").api_key == "key-from-env"
    monkeypatch.setenv("NEWSROOM_OPENCAGE", "other-key")
    assert make_geocoder("opencage", api_key_env="NEWSROOM_OPENCAGE").api_key == "other-key"


def test_missing_api_key_names_the_variable_to_set(monkeypatch):
    monkeypatch.delenv("GEOMAP_OPENCAGE_API_KEY", raising=False)
    with pytest.raises(GeocoderError, match=r"geocoder 'opencage' needs api_key \(set the environment variable "
                                            r"GEOMAP_OPENCAGE_API_KEY\)"):
        make_geocoder("opencage")
    monkeypatch.delenv("NEWSROOM_KEY", raising=False)
    with pytest.raises(GeocoderError, match="environment variable NEWSROOM_KEY is empty or not set"):
        make_geocoder("opencage", api_key_env="NEWSROOM_KEY")


def test_an_option_the_service_does_not_take_is_refused_with_the_valid_ones():
    with pytest.raises(GeocoderError, match=r"geocoder 'liveaddress' takes no option 'domain'; its options are: "
                                            r"adapter_factory, auth_id, auth_token, proxies, ssl_context, timeout, "
                                            r"user_agent$"):
        make_geocoder("liveaddress", domain="example.org")


def test_required_options_are_named():
    with pytest.raises(GeocoderError, match=r"^geocoder 'liveaddress' needs auth_id, auth_token$"):
        make_geocoder("liveaddress")


# -- the happy path --------------------------------------------------------------------------


def test_luhansk_is_resolved_through_the_service(nominatim_server, clock, gazetteer):
    lookup = online(nominatim_server, clock, gazetteer)

    places = lookup.lookup("Luhansk", limit=25)

    assert [p.name for p in places] == ["Luhansk", "Luhansk Oblast"]
    city = places[0]
    assert city == Place(
        geonameid=-(3 * 10**15 + 1812006),  # OSM relation 1812006
        name="Luhansk",
        lat=48.5717084,
        lon=39.3087815,
        feature_class="P",
        feature_code="PPLA",  # capital=4: seat of a first-level region
        country_code="UA",
        admin1_code="UA-09",
        admin1_name="Luhansk Oblast",
        population=401297,
        radius_km=city.radius_km,
        source="nominatim",
    )
    assert 10 < city.radius_km < 15  # half the diagonal of a 18 km x 21 km box
    assert places[1].feature_code == "ADM1" and places[1].radius_km > 100
    assert gazetteer.asked == []
    (request,) = nominatim_server.requests
    assert request["q"] == "Luhansk" and request["limit"] == "25" and request["addressdetails"] == "1"
    assert request["accept-language"] == "en"


@pytest.mark.parametrize(
    ("name", "feature"),
    [
        ("Ukraine", ("A", "PCLI")),
        ("Kursk Oblast", ("A", "ADM1")),
        ("Moscow", ("P", "PPLC")),
        ("Kursk", ("P", "PPLA")),
        ("Korenevo", ("P", "PPL")),
        ("Boryspil Airport", ("S", "AIRP")),
    ],
    ids=["country", "oblast", "capital", "regional-capital", "village", "airport"],
)
def test_osm_kinds_become_geonames_feature_codes(nominatim_server, clock, gazetteer, name, feature):
    (place, *_) = online(nominatim_server, clock, gazetteer).lookup(name)
    assert (place.feature_class, place.feature_code) == feature


def test_country_codes_go_to_the_service(nominatim_server, clock, gazetteer):
    lookup = online(nominatim_server, clock, gazetteer)
    assert [p.country_code for p in lookup.lookup("Lugansk", country_codes=["UA"])] == ["UA", "UA"]
    assert lookup.lookup("Lugansk", country_codes=["RU", "tr"]) == []
    assert [r.get("countrycodes") for r in nominatim_server.requests] == ["ua", "ru,tr"]


def test_recognition_stays_offline(nominatim_server, clock, gazetteer):
    lookup = online(nominatim_server, clock, gazetteer)
    assert lookup.has_alias("Istanbul") and not lookup.has_alias("Korenevo")
    assert nominatim_server.count == 0


def test_get_knows_the_places_it_returned_and_asks_the_fallback_for_others(nominatim_server, clock, gazetteer):
    lookup = online(nominatim_server, clock, gazetteer)
    (kursk,) = lookup.lookup("Kursk")
    assert lookup.get(kursk.geonameid) == kursk
    assert lookup.get(745044).name == "Istanbul"


# -- faults: retried, then the offline answer, and no exception ---------------------------------


@pytest.mark.parametrize(
    ("fault", "retry_after", "sleeps"),
    [
        ("timeout", None, [1, 2]),
        ("429", "3", [3, 3]),  # Retry-After 3 s outlasts the first back-offs
        ("429", None, [1, 2]),
        ("500", None, [1, 2]),
        ("503", None, [1, 2]),
        ("not-json", None, [1, 2]),
        ("wrong-shape", None, [1, 2]),
        ("bad-coordinates", None, [1, 2]),
    ],
    ids=["timeout", "429-retry-after", "429", "500", "503", "not-json", "wrong-shape", "bad-coordinates"],
)
def test_a_failing_service_is_retried_then_the_offline_gazetteer_answers(
    nominatim_server, clock, gazetteer, caplog, fault, retry_after, sleeps
):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    nominatim_server.fail(fault, retry_after=retry_after)
    lookup = online(nominatim_server, clock, gazetteer, max_retries=2, timeout=0.2)

    places = lookup.lookup("Istanbul", limit=5)

    assert places == [OFFLINE[1]]
    assert nominatim_server.count == 3  # one try and two retries, each a single HTTP request
    assert clock.sleeps == sleeps
    (warning,) = warnings_of(caplog)
    assert warning.startswith("nominatim failed for 'Istanbul' after 3 attempt(s) (")
    assert lookup.stats.fallbacks == 1 and lookup.stats.requests == 3


def test_back_off_doubles_up_to_its_cap(nominatim_server, clock, gazetteer):
    nominatim_server.fail("500")
    lookup = online(nominatim_server, clock, gazetteer, max_retries=5, backoff_seconds=2, max_backoff_seconds=10)
    assert lookup.lookup("Moscow") == [OFFLINE[2]]
    assert clock.sleeps == [2, 4, 8, 10, 10]
    assert nominatim_server.count == 6


def test_a_service_that_fails_twice_then_recovers_gives_its_answer(nominatim_server, clock, gazetteer, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    nominatim_server.fail("503", times=2)
    lookup = online(nominatim_server, clock, gazetteer, max_retries=3)

    (moscow,) = lookup.lookup("Moscow")

    assert moscow.source == "nominatim" and moscow.feature_code == "PPLC"
    assert nominatim_server.count == 3
    assert clock.sleeps == [1, 2]
    assert gazetteer.asked == [] and warnings_of(caplog) == []


def test_a_long_retry_after_pauses_the_service_instead_of_waiting(nominatim_server, clock, gazetteer):
    # Seconds, not minutes: an HTTP layer that honoured Retry-After on its own
    # (urllib3's default retries do) would make this test wait for real.
    nominatim_server.fail("429", times=1, retry_after="3")
    lookup = online(nominatim_server, clock, gazetteer, max_backoff_seconds=2)

    assert lookup.lookup("Istanbul") == [OFFLINE[1]]
    assert nominatim_server.count == 1 and clock.sleeps == []

    clock.now += 2.5  # still inside the pause: not even asked
    assert lookup.lookup("Moscow") == [OFFLINE[2]]
    assert nominatim_server.count == 1

    clock.now += 1  # the pause is over and the server has recovered
    assert lookup.lookup("Moscow")[0].source == "nominatim"
    assert nominatim_server.count == 2


def test_the_failure_warning_comes_once_per_run(nominatim_server, clock, gazetteer, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    nominatim_server.fail("500")
    lookup = online(nominatim_server, clock, gazetteer, max_retries=1, give_up_after=10)
    for name in ("Istanbul", "Moscow", "Luhansk"):
        lookup.lookup(name)
    assert len(warnings_of(caplog)) == 1
    assert nominatim_server.count == 6


def test_after_failures_in_a_row_the_service_is_left_alone(nominatim_server, clock, gazetteer, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    nominatim_server.fail("500")
    lookup = online(nominatim_server, clock, gazetteer, max_retries=1, give_up_after=2)
    lookup.lookup("Istanbul")
    lookup.lookup("Moscow")
    nominatim_server.recover()

    assert lookup.lookup("Luhansk") == [OFFLINE[0]]
    assert nominatim_server.count == 4  # nothing asked after giving up
    assert warnings_of(caplog)[-1].startswith("nominatim: giving up on it for the rest of the run after 2 failed")


def test_a_blocked_client_gives_up_at_once(nominatim_server, clock, gazetteer, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    nominatim_server.fail("403")
    lookup = online(nominatim_server, clock, gazetteer)
    assert lookup.lookup("Istanbul") == [OFFLINE[1]]
    assert lookup.lookup("Moscow") == [OFFLINE[2]]
    assert nominatim_server.count == 1 and clock.sleeps == []
    assert "GeocoderInsufficientPrivileges" in warnings_of(caplog)[-1]


# -- rate limiting --------------------------------------------------------------------------


def test_the_rate_limiter_spaces_requests(nominatim_server, clock, gazetteer):
    lookup = online(nominatim_server, clock, gazetteer, min_delay_seconds=1.5)
    lookup.lookup("Kursk")
    lookup.lookup("Moscow")
    clock.now += 1.0  # time spent elsewhere counts towards the delay
    lookup.lookup("Istanbul")
    assert clock.sleeps == [1.5, 0.5]
    assert nominatim_server.count == 3


def test_public_nominatim_gets_at_most_one_request_per_second(gazetteer, clock):
    public = make_geocoder("nominatim")  # builds only; nothing is sent
    with pytest.raises(GeocoderError, match=r"min_delay_seconds=0.2 breaks the usage policy of "
                                            r"nominatim.openstreetmap.org \(at most one request per second\)"):
        OnlineLookup(public, cache=None, fallback=gazetteer, min_delay_seconds=0.2)


# -- the cache --------------------------------------------------------------------------------


def test_a_second_lookup_is_answered_from_the_cache(nominatim_server, clock, gazetteer, tmp_path):
    cache = GeocodeCache(tmp_path / "geomap.sqlite")
    lookup = online(nominatim_server, clock, gazetteer, cache=cache)
    first = lookup.lookup("Luhansk", limit=25)

    again = lookup.lookup("  luhansk ", limit=25)

    assert again == first
    assert nominatim_server.count == 1
    assert lookup.stats.cache_hits == 1 and lookup.stats.answered == 1


def test_the_cache_answers_the_next_run(nominatim_server, clock, gazetteer, tmp_path):
    path = tmp_path / "output" / "geomap.sqlite"
    with GeocodeCache(path) as cache:
        first = online(nominatim_server, clock, gazetteer, cache=cache).lookup("Kursk Oblast", country_codes=["RU"])
    with GeocodeCache(path) as cache:
        second = online(nominatim_server, FakeClock(), gazetteer, cache=cache).lookup(
            "Kursk Oblast", country_codes=["ru"])
    assert second == first and first[0].feature_code == "ADM1"
    assert nominatim_server.count == 1


def test_no_result_is_cached_too(nominatim_server, clock, gazetteer):
    lookup = online(nominatim_server, clock, gazetteer, cache=GeocodeCache(":memory:"))
    assert lookup.lookup("Atlantis") == []
    assert lookup.lookup("Atlantis") == []
    assert nominatim_server.count == 1


def test_failures_are_not_cached(nominatim_server, clock, gazetteer):
    lookup = online(nominatim_server, clock, gazetteer, cache=GeocodeCache(":memory:"), max_retries=0)
    nominatim_server.fail("500", times=1)
    assert lookup.lookup("Moscow") == [OFFLINE[2]]

    assert lookup.lookup("Moscow")[0].source == "nominatim"
    assert nominatim_server.count == 2


def test_other_options_are_other_questions(nominatim_server, clock, gazetteer):
    lookup = online(nominatim_server, clock, gazetteer, cache=GeocodeCache(":memory:"))
    assert len(lookup.lookup("Luhansk", limit=1)) == 1
    assert len(lookup.lookup("Luhansk", limit=5)) == 2
    assert len(lookup.lookup("Luhansk", limit=5, country_codes=["UA"])) == 2
    assert nominatim_server.count == 3


def test_the_cache_shares_a_file_with_other_tables(tmp_path):
    path = tmp_path / "geomap.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (event_id TEXT PRIMARY KEY)")
        db.execute("INSERT INTO events VALUES ('e1')")
    with GeocodeCache(path) as cache:
        cache.put("nominatim", "Kursk", {"limit": 5}, [{"lat": 51.73, "lon": 36.19}])
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT event_id FROM events").fetchall() == [("e1",)]
        assert db.execute(f"SELECT service, query, options FROM {TABLE}").fetchall() == [
            ("nominatim", "kursk", '{"limit":5}')]


def test_two_processes_share_the_cache(tmp_path):
    path = tmp_path / "geomap.sqlite"
    with GeocodeCache(path) as cache:
        cache.put("nominatim", "Moscow", None, [{"lat": 55.75, "lon": 37.62}])
        writer = textwrap.dedent(f"""
            from geomap.geocode.cache import GeocodeCache
            cache = GeocodeCache({str(path)!r})
            assert cache.get("nominatim", "moscow") == [{{"lat": 55.75, "lon": 37.62}}]
            cache.put("nominatim", "Kursk", None, [])
        """)
        subprocess.run([sys.executable, "-c", writer], check=True, timeout=60)
        assert cache.get("nominatim", "Kursk") == []
        assert len(cache) == 2


def test_a_file_that_is_not_a_database_is_named(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(GeocoderError, match=r"cannot open the geocoding cache '.*notes.sqlite': file is not a database"):
        GeocodeCache(path)


# -- converting answers -----------------------------------------------------------------------


def test_photon_answers_become_places():
    raw = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [36.1925603, 51.7303637]},
        "properties": {"osm_type": "N", "osm_id": 27504363, "osm_key": "place", "osm_value": "city",
                       "type": "city", "name": "Kursk", "countrycode": "RU", "state": "Kursk Oblast",
                       "extent": [36.03, 51.89, 36.35, 51.57]},
    }
    place = place_from_answer(Location("Kursk, Kursk Oblast, Russia", (51.7303637, 36.1925603), raw), "photon")
    assert (place.name, place.lat, place.lon) == ("Kursk", 51.7303637, 36.1925603)
    assert (place.feature_code, place.country_code, place.admin1_name) == ("PPL", "RU", "Kursk Oblast")
    # The same OSM node as Nominatim's Kursk, so the same id.
    assert place.geonameid == -(10**15 + 27504363) and place.source == "photon"
    assert 15 < place.radius_km < 25


def test_any_other_service_gives_a_populated_place_at_its_point():
    location = Location("Luhansk, Luhanska Oblast, UKR", (48.567, 39.317), {"score": 100})
    place = place_from_answer(location, "arcgis")
    assert (place.name, place.lat, place.lon, place.feature_code, place.source) == (
        "Luhansk", 48.567, 39.317, "PPL", "arcgis")
    assert -(2**53) < place.geonameid == place_from_answer(location, "arcgis").geonameid <= -5 * 10**15
    assert place.geonameid != place_from_answer(location, "bing").geonameid


def test_an_answer_that_is_not_a_place_is_named():
    with pytest.raises(GeocoderError, match=r"nominatim answered .* which is not a place: coordinates \('north'"):
        place_from_answer({"raw": {"lat": "north", "lon": "east", "name": "Luhansk"}}, "nominatim")


@pytest.mark.parametrize(("osm_type", "expected"), [("node", -1_000_000_000_071_971), ("W", -2_000_000_000_071_971),
                                                    ("relation", -3_000_000_000_071_971)],
                         ids=["node", "way", "relation"])
def test_osm_ids_are_kept_readable_in_the_negative_id(osm_type, expected):
    assert online_geonameid("nominatim", "", osm_type=osm_type, osm_id=71971) == expected


def test_online_ids_never_meet_curated_gazetteer_ids():
    curated_floor = -(2**47)  # geomap.gazetteer.sources.stable_negative_id's range
    ids = [online_geonameid("nominatim", "", osm_type=t, osm_id=n) for t in ("node", "way", "relation")
           for n in (1, 13_000_000_000)]
    ids += [online_geonameid(service, key) for service in ("arcgis", "bing") for key in ("a", "Luhansk|48.5,39.3")]
    assert all(-(2**53) < i < curated_floor for i in ids)


def test_scored_lookup_follows_the_services_order(nominatim_server, clock, gazetteer):
    lookup = online(nominatim_server, clock, gazetteer)
    scored = lookup.lookup_scored("Lugansk", limit=25)
    assert [(p.name, round(s, 3)) for p, s in scored] == [("Luhansk", 0.667), ("Luhansk Oblast", 0.333)]


class ScoringGazetteer(TinyGazetteer):
    """A fallback that gives its own priors, as the real gazetteer does."""

    def lookup_scored(self, name, *, country_codes=None, limit=None):
        return [(p, 1.0) for p in self.lookup(name, country_codes=country_codes, limit=limit)]


def test_scored_lookup_uses_the_fallbacks_own_priors_when_the_service_fails(nominatim_server, clock):
    nominatim_server.fail("503")
    lookup = online(nominatim_server, clock, ScoringGazetteer(OFFLINE), max_retries=0)
    assert lookup.lookup_scored("Moscow") == [(OFFLINE[2], 1.0)]
    assert lookup.stats.fallbacks == 1


# -- the resolver consumes it like the gazetteer ---------------------------------------------------


def test_the_resolver_places_names_through_the_service(nominatim_server, clock, gazetteer):
    from geomap.extract.toponyms import Toponym
    from geomap.geocode.resolve import resolve_toponyms

    text = "Shelling hit Lugansk; Kursk region reported drones."
    toponyms = [Toponym(13, 20, "Lugansk", "Lugansk", "GPE"),
                Toponym(22, 34, "Kursk region", "Kursk region", "GPE", region_cue=True)]
    assert [text[t.start:t.end] for t in toponyms] == ["Lugansk", "Kursk region"]
    lookup = online(nominatim_server, clock, gazetteer, cache=GeocodeCache(":memory:"))

    luhansk, kursk = (m.place for m in resolve_toponyms(toponyms, lookup))

    assert (luhansk.name, luhansk.source, luhansk.feature_code) == ("Luhansk", "nominatim", "PPLA")
    assert (kursk.name, kursk.feature_code, kursk.country_code) == ("Kursk Oblast", "ADM1", "RU")

    nominatim_server.fail("500")  # a later run with the service down: the cache still answers
    again = online(nominatim_server, FakeClock(), gazetteer, cache=lookup.cache)
    assert [m.place for m in resolve_toponyms(toponyms, again)] == [luhansk, kursk]
    assert again.stats.cache_hits == 2 and again.stats.requests == 0


def test_geocode_options_reach_the_service_and_unknown_ones_are_refused(nominatim_server, clock, gazetteer):
    online(nominatim_server, clock, gazetteer, geocode_options={"language": "uk"}).lookup("Kursk")
    assert nominatim_server.requests[-1]["accept-language"] == "uk"
    with pytest.raises(GeocoderError, match=r"geocoder 'nominatim' takes no geocode option 'colour'; "
                                            r"its options are: limit, addressdetails, language,"):
        online(nominatim_server, clock, gazetteer, geocode_options={"colour": "red"})
