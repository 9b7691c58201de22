"""The offline geopy geocoder over the gazetteer, and the Natural Earth country shapes."""

from __future__ import annotations

import pytest
from geopy.extra.rate_limiter import RateLimiter
from geopy.location import Location

from geomap.errors import GeocoderError
from geomap.gazetteer import Gazetteer
from geomap.geo.shapes import country_at, country_outlines_geojson, in_country
from geomap.geocode.gazetteer import GazetteerGeocoder, format_candidate, geocode_candidates


@pytest.fixture(scope="module")
def geocoder(gazetteer: Gazetteer) -> GazetteerGeocoder:
    return GazetteerGeocoder(gazetteer)


@pytest.mark.parametrize(
    ("query", "name", "country", "lat", "lon"),
    [
        ("Lugansk", "Luhansk", "UA", 48.57, 39.31),
        ("Korenevo", "Korenevo", "RU", 51.41, 34.90),
        ("Kharkov", "Kharkiv", "UA", 49.98, 36.25),
        ("Moscow", "Moscow", "RU", 55.75, 37.62),
        ("Moscow City", "Moscow City", "RU", 55.749, 37.537),
    ],
    ids=["lugansk", "korenevo", "kharkov", "moscow", "moscow-city"],
)
def test_geocode_names_news_uses(geocoder: GazetteerGeocoder, no_network: None, query: str, name: str, country: str, lat: float, lon: float) -> None:
    location = geocoder.geocode(query)
    assert isinstance(location, Location)
    assert (location.raw["name"], location.raw["country_code"]) == (name, country)
    assert (location.latitude, location.longitude) == pytest.approx((lat, lon), abs=0.01)


def test_ukraine_is_the_country(geocoder: GazetteerGeocoder) -> None:
    location = geocoder.geocode("Ukraine")
    assert location.raw["feature_code"] == "PCLI"
    assert location.address == "Ukraine"


@pytest.mark.parametrize(
    ("query", "geonameid"),
    [("Kursk region", 538555), ("Kursk Oblast", 538555), ("Kursk province", 538555), ("Luhansk oblast", 702657), ("Kharkov region", 706482)],
    ids=["kursk-region", "kursk-oblast", "kursk-province", "luhansk-oblast", "kharkov-region"],
)
def test_region_cues_give_the_region(geocoder: GazetteerGeocoder, query: str, geonameid: int) -> None:
    location = geocoder.geocode(query)
    assert location.raw["geonameid"] == geonameid
    assert location.raw["feature_code"] == "ADM1"
    assert location.raw["radius_km"] > 50


def test_raw_carries_what_the_resolver_needs(geocoder: GazetteerGeocoder) -> None:
    location = geocoder.geocode("Lugansk")
    raw = location.raw
    assert raw["geonameid"] == 702658
    assert (raw["feature_code"], raw["admin1_code"], raw["source"]) == ("PPL", "14", "geonames")
    assert raw["population"] > 300_000 and raw["radius_km"] == 0
    assert 0.5 < raw["score"] <= 1
    assert "KZ" in {alt["country_code"] for alt in raw["alternatives"]}
    assert location.address.startswith("Luhansk, ") and location.address.endswith(", Ukraine")


@pytest.mark.parametrize("query", ["Springfield, Illinois", "Springfield, IL", {"city": "Springfield", "state": "Illinois"}], ids=["state-name", "state-code", "dict"])
def test_qualifier_narrows_to_the_region(geocoder: GazetteerGeocoder, query: object) -> None:
    location = geocoder.geocode(query)
    assert (location.raw["country_code"], location.raw["admin1_code"]) == ("US", "IL")
    assert location.raw["score"] == pytest.approx(1.0)


def test_country_qualifier_and_country_codes(geocoder: GazetteerGeocoder) -> None:
    assert geocoder.geocode("Lugansk, Kazakhstan").raw["country_code"] == "KZ"
    assert geocoder.geocode("Lugansk", country_codes=["KZ"]).raw["population"] < 5000
    assert geocoder.geocode("Lugansk", country_codes="kz").raw["country_code"] == "KZ"


def test_unknown_names_and_qualifiers_give_none(geocoder: GazetteerGeocoder) -> None:
    assert geocoder.geocode("Nowhereville") is None
    assert geocoder.geocode("Springfield, Narnia") is None
    assert geocoder.geocode("   ") is None
    assert geocoder.geocode("Lugansk", country_codes=["FR"]) is None


def test_exactly_one_false_and_limit(geocoder: GazetteerGeocoder) -> None:
    locations = geocoder.geocode("Springfield", exactly_one=False, limit=3)
    assert len(locations) == 3
    assert all(isinstance(loc, Location) for loc in locations)
    scores = [loc.raw["score"] for loc in locations]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("limit", [0, -1, 2.5, True])
def test_bad_limit_is_a_geocoder_error(geocoder: GazetteerGeocoder, limit: object) -> None:
    with pytest.raises(GeocoderError, match="limit must be a positive whole number"):
        geocoder.geocode("Kyiv", exactly_one=False, limit=limit)


def test_never_touches_the_network(geocoder: GazetteerGeocoder) -> None:
    with pytest.raises(GeocoderError, match="offline"):
        geocoder.adapter.get_json("https://nominatim.openstreetmap.org/search", timeout=1, headers={})


def test_plugs_into_geopy_rate_limiter(geocoder: GazetteerGeocoder, no_network: None) -> None:
    geocode = RateLimiter(geocoder.geocode, min_delay_seconds=0)
    assert geocode("Kyiv").raw["feature_code"] == "PPLC"


def test_geocode_candidates_for_the_cli(gazetteer: Gazetteer) -> None:
    places = geocode_candidates("Korenevo", gazetteer=gazetteer)
    assert [(p.country_code, p.admin1_code) for p in places] == [("RU", "41"), ("RU", "47")]
    assert geocode_candidates("Korenevo", country="Ukraine", gazetteer=gazetteer) == []
    assert len(geocode_candidates("Springfield", country="US", limit=2, gazetteer=gazetteer)) == 2
    assert format_candidate(places[0]).split("\t") == ["Korenevo", "PPL", places[0].admin1_name, "RU", "51.41065", "34.90008", "6236", "544906", "1", "0"]


def test_geocode_candidates_rejects_unknown_country(gazetteer: Gazetteer) -> None:
    with pytest.raises(GeocoderError, match="Unknown country 'Narnia'"):
        geocode_candidates("Kyiv", country="Narnia", gazetteer=gazetteer)


# --------------------------------------------------------------------------- country shapes


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [(45.0, 34.1, "UA"), (44.95, 34.10, "UA"), (50.45, 30.52, "UA"), (41.01, 28.98, "TR"), (55.75, 37.62, "RU"),
     (48.85, 2.35, "FR"), (59.91, 10.75, "NO"), (42.66, 21.17, "XK"), (35.0, -30.0, None)],
    ids=["crimea", "simferopol", "kyiv", "istanbul", "moscow", "paris-iso-quirk", "oslo-iso-quirk", "pristina", "atlantic"],
)
def test_country_at(lat: float, lon: float, expected: str | None) -> None:
    assert country_at(lat, lon) == expected


def test_in_country_with_coastal_tolerance() -> None:
    assert in_country(46.48, 30.72, "UA")  # Odesa
    assert not in_country(46.48, 30.72, "RU")
    assert in_country(46.40, 30.80, "UA", tolerance_km=20) and not in_country(46.40, 30.80, "UA")  # just offshore


@pytest.mark.parametrize(("lat", "lon"), [(91.0, 0.0), (0.0, 181.0), (float("nan"), 0.0)])
def test_invalid_points_are_rejected(lat: float, lon: float) -> None:
    with pytest.raises(ValueError, match="Expected"):
        country_at(lat, lon)


def test_outlines_geojson_for_the_map() -> None:
    collection = country_outlines_geojson()
    features = {f["properties"]["country_code"]: f for f in collection["features"]}
    assert collection["type"] == "FeatureCollection"
    assert features["UA"]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert len(features) > 200


def test_country_shapes_kept_beside_the_index_are_the_shapes_read_from_natural_earth(tmp_path, monkeypatch):
    from geomap.geo import shapes

    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path))
    fresh = shapes._make_shapes()
    assert shapes._load_cached() is None  # nothing kept yet
    shapes._save_cached(fresh)
    kept = shapes._load_cached()
    assert list(kept) == list(fresh)
    for code, shape in fresh.items():
        other = kept[code]
        assert (other.name, other.names, other.kind, other.label_lat, other.label_lon) == (
            shape.name, shape.names, shape.kind, shape.label_lat, shape.label_lon)
        assert other.geometry.equals_exact(shape.geometry, 0.0)
    # A damaged file is read as no file: the shapes are made again, never a traceback.
    (path,) = tmp_path.glob("countries-*.marshal")
    path.write_bytes(path.read_bytes()[:1000])
    assert shapes._load_cached() is None
