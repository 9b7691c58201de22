"""A local stand-in for Nominatim's search API, for tests that must never leave 127.0.0.1.

It answers ``/search?q=...&format=json[&addressdetails=1][&extratags=1][&limit=N]
[&countrycodes=ua,ru]`` from the small table below, in the shape Nominatim 4.x gives
(strings for coordinates and bounding boxes, ``osm_type``/``osm_id``, ``class``/``type``,
``addresstype``, ``place_rank``, ``importance``). Coordinates, bounding boxes and
populations are those of the real places, rounded; the OSM ids are illustrative.

It can be told to misbehave, for every request or for the first N only::

    server.fail("timeout")                # hang longer than the client waits (bounded)
    server.fail("429", retry_after="7")   # Too Many Requests, with a Retry-After header
    server.fail("500", times=2)           # two 500s, then normal answers
    server.fail("403")                    # Forbidden (what the public server tells a blocked client)
    server.fail("not-json")               # 200 with an HTML page
    server.fail("wrong-shape")            # 200 with JSON that is not a list of places
    server.fail("bad-coordinates")        # 200 with places whose lat/lon are not numbers
    server.fail("drip")                   # 200, then the body a byte every ``drip_seconds`` (bounded)
    server.fail("endless")                # 200 with a body that never ends (bounded by ``endless_bytes``)
    server.fail("many-places")            # 200 with ``many_places`` copies of the answer's places
    server.fail("redirect", location=URL) # 302 to URL (another host's answers)

and it counts what it was asked (``server.count``, ``server.requests``).

Use it with the ``nominatim_server`` fixture (import it into a test module or list this
module in ``pytest_plugins``), or directly::

    >>> with NominatimServer() as server:  # doctest: +SKIP
    ...     server.domain
    '127.0.0.1:40123'
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from local_server import Fault, LocalServer, QuietHandler

__all__ = ["NominatimServer", "PLACES", "FAULTS", "ABUSES", "nominatim_server"]

LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"
FAULTS = ("timeout", "403", "429", "500", "503", "not-json", "wrong-shape", "bad-coordinates")
# Answers that test how far a client lets a server go (a drip, an endless body, a flood of
# places, a redirect): some of them are answers, not failures, so they are not in FAULTS.
ABUSES = ("drip", "endless", "many-places", "redirect")
DEFAULT_LIMIT = 10  # Nominatim's own default
MAX_LIMIT = 40  # Nominatim's own cap


def _place(
    *,
    names: tuple[str, ...],
    osm: tuple[str, int],
    lat: float,
    lon: float,
    cls: str,
    type: str,
    addresstype: str,
    place_rank: int,
    importance: float,
    bbox: tuple[float, float, float, float],
    display_name: str,
    address: dict[str, str],
    extratags: dict[str, str],
) -> dict:
    return {
        "names": names,
        "result": {
            "place_id": 100000 + osm[1] % 100000,
            "licence": LICENCE,
            "osm_type": osm[0],
            "osm_id": osm[1],
            "lat": f"{lat:.7f}",
            "lon": f"{lon:.7f}",
            "class": cls,
            "type": type,
            "place_rank": place_rank,
            "importance": importance,
            "addresstype": addresstype,
            "name": names[0],
            "display_name": display_name,
            "boundingbox": [f"{v:.7f}" for v in bbox],
        },
        "address": address,
        "extratags": extratags,
    }


# What the server knows: each entry's ``names`` are what a query must equal (casefolded).
PLACES: tuple[dict, ...] = (
    _place(
        names=("Luhansk", "Lugansk"),
        osm=("relation", 1812006),
        lat=48.5717084, lon=39.3087815,
        cls="boundary", type="administrative", addresstype="city", place_rank=16, importance=0.6139,
        bbox=(48.4816, 48.6423, 39.1771, 39.4567),
        display_name="Luhansk, Luhansk Urban Hromada, Luhansk Raion, Luhansk Oblast, 91000, Ukraine",
        address={"city": "Luhansk", "district": "Luhansk Raion", "state": "Luhansk Oblast",
                 "ISO3166-2-lvl4": "UA-09", "postcode": "91000", "country": "Ukraine", "country_code": "ua"},
        extratags={"capital": "4", "population": "401297", "wikidata": "Q5025"},
    ),
    _place(
        names=("Luhansk Oblast", "Luhansk", "Lugansk"),
        osm=("relation", 71971),
        lat=48.7568, lon=39.1955,
        cls="boundary", type="administrative", addresstype="state", place_rank=8, importance=0.5712,
        bbox=(47.8256, 50.0855, 37.8268, 40.2285),
        display_name="Luhansk Oblast, Ukraine",
        address={"state": "Luhansk Oblast", "ISO3166-2-lvl4": "UA-09", "country": "Ukraine", "country_code": "ua"},
        extratags={"population": "2102921", "wikidata": "Q171965"},
    ),
    _place(
        names=("Kursk Oblast", "Kursk region"),
        osm=("relation", 72223),
        lat=51.6567, lon=36.1436,
        cls="boundary", type="administrative", addresstype="state", place_rank=8, importance=0.5604,
        bbox=(50.8988, 52.4372, 34.0869, 38.5307),
        display_name="Kursk Oblast, Central Federal District, Russia",
        address={"state": "Kursk Oblast", "ISO3166-2-lvl4": "RU-KRS", "region": "Central Federal District",
                 "country": "Russia", "country_code": "ru"},
        extratags={"population": "1082458", "wikidata": "Q2024"},
    ),
    _place(
        names=("Kursk",),
        osm=("node", 27504363),
        lat=51.7303637, lon=36.1925603,
        cls="place", type="city", addresstype="city", place_rank=16, importance=0.5838,
        bbox=(51.5703637, 51.8903637, 36.0325603, 36.3525603),
        display_name="Kursk, Kursk Urban Okrug, Kursk Oblast, Central Federal District, 305000, Russia",
        address={"city": "Kursk", "state": "Kursk Oblast", "ISO3166-2-lvl4": "RU-KRS",
                 "postcode": "305000", "country": "Russia", "country_code": "ru"},
        extratags={"capital": "4", "population": "440052", "wikidata": "Q4428"},
    ),
    _place(
        names=("Korenevo",),
        osm=("node", 451281749),
        lat=51.4094878, lon=34.9199183,
        cls="place", type="village", addresstype="village", place_rank=19, importance=0.2501,
        bbox=(51.3894878, 51.4294878, 34.8999183, 34.9399183),
        display_name="Korenevo, Korenevsky District, Kursk Oblast, Central Federal District, Russia",
        address={"village": "Korenevo", "county": "Korenevsky District", "state": "Kursk Oblast",
                 "ISO3166-2-lvl4": "RU-KRS", "country": "Russia", "country_code": "ru"},
        extratags={"population": "5420"},
    ),
    _place(
        names=("Istanbul", "İstanbul", "Constantinople"),
        osm=("relation", 223474),
        lat=41.0091982, lon=28.9662187,
        cls="place", type="city", addresstype="city", place_rank=16, importance=0.7926,
        bbox=(40.8533, 41.3207, 28.5978, 29.3737),
        display_name="Istanbul, Fatih, Istanbul, Marmara Region, Türkiye",
        address={"city": "Istanbul", "province": "Istanbul", "ISO3166-2-lvl4": "TR-34",
                 "region": "Marmara Region", "country": "Türkiye", "country_code": "tr"},
        extratags={"capital": "4", "population": "15655924", "wikidata": "Q406"},
    ),
    _place(
        names=("Moscow", "Moskva"),
        osm=("relation", 2555133),
        lat=55.7505412, lon=37.6174782,
        cls="place", type="city", addresstype="city", place_rank=16, importance=0.8076,
        bbox=(55.1421, 56.0212, 36.8031, 37.9674),
        display_name="Moscow, Central Federal District, Russia",
        address={"city": "Moscow", "state": "Moscow", "ISO3166-2-lvl4": "RU-MOW",
                 "region": "Central Federal District", "country": "Russia", "country_code": "ru"},
        extratags={"capital": "yes", "population": "13010112", "wikidata": "Q649"},
    ),
    _place(
        names=("Ukraine",),
        osm=("relation", 60199),
        lat=49.4871968, lon=31.2718321,
        cls="boundary", type="administrative", addresstype="country", place_rank=4, importance=0.8820,
        bbox=(44.1845980, 52.3797464, 22.1370590, 40.2275801),
        display_name="Ukraine",
        address={"country": "Ukraine", "country_code": "ua"},
        extratags={"population": "41130432", "wikidata": "Q212"},
    ),
    _place(
        names=("Boryspil International Airport", "Boryspil Airport"),
        osm=("way", 27061226),
        lat=50.3449736, lon=30.8946739,
        cls="aeroway", type="aerodrome", addresstype="aeroway", place_rank=30, importance=0.4318,
        bbox=(50.3226, 50.3658, 30.8578, 30.9346),
        display_name="Boryspil International Airport, Boryspil Raion, Kyiv Oblast, Ukraine",
        address={"aeroway": "Boryspil International Airport", "state": "Kyiv Oblast",
                 "ISO3166-2-lvl4": "UA-32", "country": "Ukraine", "country_code": "ua"},
        extratags={"iata": "KBP", "icao": "UKBB"},
    ),
)


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def search(params: dict[str, str]) -> list[dict]:
    """Nominatim's answer to a ``/search`` query, from :data:`PLACES`."""
    query = _key(params.get("q", ""))
    countries = {c.strip().casefold() for c in params.get("countrycodes", "").split(",") if c.strip()}
    limit = min(int(params.get("limit", DEFAULT_LIMIT)), MAX_LIMIT)
    hits = [
        entry
        for entry in PLACES
        if query in {_key(n) for n in entry["names"]}
        and (not countries or entry["address"]["country_code"] in countries)
    ]
    hits.sort(key=lambda entry: -entry["result"]["importance"])
    answer = []
    for entry in hits[:limit]:
        result = dict(entry["result"])
        if params.get("addressdetails") == "1":
            result["address"] = dict(entry["address"])
        if params.get("extratags") in ("1", "True", "true"):
            result["extratags"] = dict(entry["extratags"])
        answer.append(result)
    return answer


class _Handler(QuietHandler):
    server_state: NominatimServer
    default_content_type = "application/json; charset=utf-8"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        fault = self.server_state._record(parts.path, params)
        if fault is not None:
            self._misbehave(fault, params)
            return
        if parts.path.rstrip("/") != "/search":
            self.send(404, b'{"error": "Unknown endpoint"}')
            return
        if params.get("format") not in ("json", "jsonv2"):
            self.send(400, b'{"error": "format must be json here"}')
            return
        try:
            body = json.dumps(search(params), ensure_ascii=False).encode()
        except ValueError as err:
            self.send(400, json.dumps({"error": str(err)}).encode())
            return
        self.send(200, body)

    def _misbehave(self, fault: Fault, params: dict[str, str]) -> None:
        kind = fault.kind
        state = self.server_state
        if kind == "drip":
            body = json.dumps(search(params)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for i in range(min(len(body), state.drip_bytes)):
                    if state.released.wait(state.drip_seconds):
                        return
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()
                    state.sent_bytes += 1
            except OSError:  # the client gave up
                pass
            return
        if kind == "endless":
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = (json.dumps(search(params))[1:-1] + ",").encode() * 256 or b" " * 65536
            try:
                self.wfile.write(b"[")
                while state.sent_bytes < state.endless_bytes and not state.released.is_set():
                    self.wfile.write(chunk)
                    state.sent_bytes += len(chunk)
            except OSError:  # the client gave up
                pass
            self.close_connection = True
            return
        if kind == "many-places":  # distinct villages of the name asked for, all near Luhansk
            name = params.get("q", "")
            many = [{"place_id": i, "osm_type": "node", "osm_id": i, "lat": "48.5", "lon": "39.3", "class": "place",
                     "type": "village", "display_name": name, "importance": 0.1} for i in range(state.many_places)]
            self.send(200, json.dumps(many).encode())
            return
        if kind == "redirect":
            self.send(302, b"", "text/plain", {"Location": fault.location or "/"})
            return
        if kind == "timeout":
            self.server_state.released.wait(self.server_state.hang_seconds)
            try:
                self.send(200, b"[]")
            except OSError:  # the client gave up long ago
                pass
        elif kind == "429":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            self.send(429, b"<html><body>Too Many Requests</body></html>", "text/html", headers)
        elif kind == "403":
            self.send(403, b"<html><body>Access blocked: see the usage policy</body></html>", "text/html")
        elif kind in ("500", "503"):
            self.send(int(kind), b"<html><body>Server error</body></html>", "text/html")
        elif kind == "not-json":
            self.send(200, b"<html><body>Welcome to our captive portal</body></html>", "text/html")
        elif kind == "wrong-shape":
            self.send(200, b'{"status": "ok", "results": "Luhansk"}')
        elif kind == "bad-coordinates":
            self.send(200, b'[{"display_name": "Luhansk", "lat": "north", "lon": "east", "osm_type": "node"}]')


class NominatimServer(LocalServer):
    """A threaded HTTP server on 127.0.0.1 (ephemeral port) that speaks Nominatim's search API.

    ``hang_seconds`` bounds how long a ``"timeout"`` fault holds a request (stopping the
    server releases it at once).
    """

    handler = _Handler
    thread_name = "nominatim-server"

    def __init__(self, *, hang_seconds: float = 5.0, drip_seconds: float = 0.25, drip_bytes: int = 120,
                 endless_bytes: int = 50_000_000, many_places: int = 10_000) -> None:
        super().__init__(hang_seconds=hang_seconds)
        self.drip_seconds = drip_seconds
        self.drip_bytes = drip_bytes  # a drip stops after this many bytes, so a client that waits still ends
        self.endless_bytes = endless_bytes
        self.many_places = many_places
        self.sent_bytes = 0  # body bytes sent by "drip" and "endless", for the tests
        self.requests: list[dict[str, str]] = []
        self._fault: Fault | None = None

    # -- control -------------------------------------------------------------------

    def fail(self, kind: str, *, times: int | None = None, retry_after: str | None = None,
             location: str | None = None) -> None:
        """Answer the next ``times`` requests (all, if None) with fault ``kind``."""
        if kind not in FAULTS + ABUSES:
            raise ValueError(f"unknown fault {kind!r}; expected one of {', '.join(FAULTS + ABUSES)}")
        with self._lock:
            self._fault = Fault(kind, times, retry_after, location)

    def recover(self) -> None:
        """Answer normally again."""
        with self._lock:
            self._fault = None

    @property
    def count(self) -> int:
        """How many requests the server has received."""
        with self._lock:
            return len(self.requests)

    # -- used by the handler -------------------------------------------------------

    def _record(self, path: str, params: dict[str, str]) -> Fault | None:
        with self._lock:
            self.requests.append({"path": path, **params})
            fault = self._fault
            if fault is None:
                return None
            if not fault.spend():
                self._fault = None
                return None
            return Fault(fault.kind, None, fault.retry_after, fault.location)


@pytest.fixture
def nominatim_server() -> Iterator[NominatimServer]:
    """A running :class:`NominatimServer`, stopped after the test."""
    with NominatimServer() as server:
        yield server
