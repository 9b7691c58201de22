"""The offline gazetteer: normalisation, the index build and cache, and lookups a user relies on."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from geomap.errors import GazetteerError, GeomapError
from geomap.gazetteer import Gazetteer, check_index, normalize_name, open_gazetteer
from geomap.gazetteer.build import is_wide_area
from geomap.gazetteer.normalize import is_code_like, romanize_russian, romanize_ukrainian
from geomap.gazetteer.sources import read_area_points, read_landmarks

# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Luhans'k", "luhansk"),
        ("Luhans’k", "luhansk"),
        ("LUHANSK", "luhansk"),
        ("Ivano-Frankivsk", "ivano frankivsk"),
        ("Rostov–on–Don", "rostov on don"),
        ("The Hague", "hague"),
        ("  Kyiv \n", "kyiv"),
        ("Zürich", "zurich"),
        ("Łódź", "lodz"),
        ("Kurskaya oblast'", "kurskaya oblast"),
        ("U.S.", "us"),
        ("St. Petersburg", "st petersburg"),
        ("Коренёво", "коренево"),
        ("Theodosia", "theodosia"),
    ],
    ids=["ascii-apostrophe", "typographic-apostrophe", "upper-case", "hyphen", "en-dash", "leading-the",
         "whitespace", "umlaut", "polish-letters", "soft-sign-apostrophe", "dots", "abbreviation", "cyrillic-yo",
         "the-inside-a-word"],
)
def test_normalize_name(name: str, expected: str) -> None:
    assert normalize_name(name) == expected


@pytest.mark.parametrize(
    ("cyrillic", "expected"),
    [("Луганск", "Lugansk"), ("Харьков", "Kharkov"), ("Голая Пристань", "Golaya Pristan"), ("Артёмовск", "Artemovsk"), ("Евпатория", "Evpatoria")],
    ids=["lugansk", "kharkov", "golaya-pristan", "artemovsk-yo", "final-iya"],
)
def test_romanize_russian_gives_news_spellings(cyrillic: str, expected: str) -> None:
    assert expected in romanize_russian(cyrillic)


@pytest.mark.parametrize(
    ("cyrillic", "expected"),
    [("Вовчанськ", "Vovchansk"), ("Запоріжжя", "Zaporizhzhia"), ("Часів Яр", "Chasiv Yar"), ("Куп'янськ", "Kupiansk"), ("Згурівка", "Zghurivka")],
    ids=["vovchansk", "zaporizhzhia", "word-initial-ya", "apostrophe", "zgh"],
)
def test_romanize_ukrainian_national_system(cyrillic: str, expected: str) -> None:
    assert romanize_ukrainian(cyrillic) == [expected]


@pytest.mark.parametrize(("alias", "code"), [("VSG", True), ("UKBB", True), ("123", True), ("Vsg", False), ("Kyiv", False), ("Ufa", False)])
def test_codes_are_told_from_names(alias: str, code: bool) -> None:
    assert is_code_like(alias) is code


# --------------------------------------------------------------------------- lookups


@pytest.mark.parametrize(
    ("variant", "official"),
    [("Lugansk", "Luhansk"), ("Kiev", "Kyiv"), ("Kharkov", "Kharkiv"), ("Artemovsk", "Bakhmut"), ("Odessa", "Odesa"),
     ("Zaporozhye", "Zaporizhzhia"), ("Nikolaev", "Mykolaiv"), ("Novaya Kakhovka", "Nova Kakhovka"), ("Gulyaypole", "Huliaipole")],
    ids=["lugansk", "kiev", "kharkov", "artemovsk", "odessa", "zaporozhye", "nikolaev", "novaya-kakhovka", "gulyaypole"],
)
def test_transliteration_variants_find_the_same_place(gazetteer: Gazetteer, variant: str, official: str) -> None:
    first = gazetteer.lookup(variant)[0]
    assert first.geonameid == gazetteer.lookup(official)[0].geonameid
    assert first.country_code == "UA"


def test_lugansk_is_the_ukrainian_city_not_the_kazakh_village(gazetteer: Gazetteer) -> None:
    places = gazetteer.lookup("Lugansk")
    assert (places[0].name, places[0].country_code) == ("Luhansk", "UA")
    assert places[0].lat == pytest.approx(48.57, abs=0.01) and places[0].lon == pytest.approx(39.31, abs=0.01)
    assert "KZ" in {p.country_code for p in places}  # the village is still a candidate, just not first


def test_korenevo_in_kursk_oblast_comes_before_the_moscow_oblast_one(gazetteer: Gazetteer) -> None:
    places = gazetteer.lookup("Korenevo")
    assert [p.admin1_code for p in places[:2]] == ["41", "47"]
    assert places[0].population > places[1].population
    assert (places[0].lat, places[0].lon) == pytest.approx((51.41, 34.90), abs=0.01)
    assert places[0].admin1_name == gazetteer.admin1("RU", "41").name


def test_ukraine_is_the_country_not_the_spanish_town(gazetteer: Gazetteer) -> None:
    scored = gazetteer.lookup_scored("Ukraine")
    place, prior = scored[0]
    assert (place.feature_code, place.country_code) == ("PCLI", "UA")
    assert prior > 0.99
    assert place.radius_km > 300  # a country is no point
    assert gazetteer.in_country(place.geonameid) is True


def test_moscow_is_the_russian_capital(gazetteer: Gazetteer) -> None:
    place = gazetteer.lookup("Moscow")[0]
    assert (place.name, place.feature_code, place.country_code) == ("Moscow", "PPLC", "RU")


def test_moscow_city_is_the_business_district(gazetteer: Gazetteer) -> None:
    place = gazetteer.lookup("Moscow City")[0]
    assert place.geonameid < 0 and place.source == "curated"
    assert (place.lat, place.lon) == pytest.approx((55.749, 37.537), abs=0.002)
    assert place.radius_km < 5


def test_the_kremlin_is_in_moscow(gazetteer: Gazetteer) -> None:
    place = gazetteer.lookup("the Kremlin")[0]
    assert place.country_code == "RU" and place.admin1_code == "48"
    assert gazetteer.get(place.geonameid) == place


@pytest.mark.parametrize("query", ["Kursk region", "Kursk Oblast", "Kursk province", "Kurskaya oblast'"])
def test_region_phrases_give_the_oblast_not_the_city(gazetteer: Gazetteer, query: str) -> None:
    places = gazetteer.lookup(query)
    assert [p.geonameid for p in places] == [538555]  # GeoNames' Kursk Oblast
    assert places[0].feature_code == "ADM1" and places[0].admin1_code == "41"
    assert 50 < places[0].radius_km < 300


@pytest.mark.parametrize(
    ("query", "first", "second"),
    [("Kyiv region", 703446, 703447), ("Kiev region", 703446, 703447), ("Moscow region", 524925, 524894)],
    ids=["kyiv-region", "kiev-region", "moscow-region"],
)
def test_city_region_phrases_give_the_oblast_before_the_city_region(gazetteer: Gazetteer, query: str, first: int, second: int) -> None:
    # Kyiv and Moscow are regions of their own; "Kyiv region" in news is Kyiv Oblast around it.
    assert [p.geonameid for p in gazetteer.lookup(query)] == [first, second]


def test_district_phrases_give_the_town(gazetteer: Gazetteer) -> None:
    assert gazetteer.has_alias("bakhmut district")
    assert gazetteer.lookup("Bakhmut district")[0].geonameid == gazetteer.lookup("Bakhmut")[0].geonameid
    assert not gazetteer.has_alias("nowhereville district")


def test_bare_region_name_is_the_city_first_and_the_region_second(gazetteer: Gazetteer) -> None:
    places = gazetteer.lookup("Kursk")
    assert [(p.feature_code, p.geonameid) for p in places[:2]] == [("PPL", 538560), ("ADM1", 538555)]


def test_acronyms_match_only_in_capitals(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("U.S.")[0].feature_code == "PCLI"
    assert gazetteer.lookup("UK")[0].country_code == "GB"
    assert all(p.feature_code != "PCLI" for p in gazetteer.lookup("us"))
    assert gazetteer.has_alias("us")  # the cheap probe says "maybe"; lookup decides on case


def test_codes_lowercase_romanisations_and_common_words_are_not_aliases(gazetteer: Gazetteer) -> None:
    # GeoNames lists these as alternate names of Luhansk, Kursk and Tallinn.
    assert all(p.name != "Luhansk" for p in gazetteer.lookup("VSG"))  # IATA code
    assert all(p.name != "Kursk" for p in gazetteer.lookup("URS"))  # IATA code
    assert not gazetteer.has_alias("lwhansk")  # machine romanisation
    assert all(p.name != "Tallinn" for p in gazetteer.lookup("Revel"))  # a common English verb
    assert gazetteer.is_common_word("most") and not gazetteer.is_common_word("kyiv")


def test_lookup_many_and_country_filter(gazetteer: Gazetteer) -> None:
    found = gazetteer.lookup_many(["Kyiv", "Nowhereville", "Springfield"])
    assert found["Nowhereville"] == []
    assert found["Kyiv"][0].feature_code == "PPLC"
    assert {p.country_code for p in gazetteer.lookup("Springfield", country_codes=["au"])} == {"AU"}
    assert len(gazetteer.lookup("Springfield", limit=2)) == 2


def test_priors_sum_to_one(gazetteer: Gazetteer) -> None:
    scored = gazetteer.lookup_scored("Springfield")
    assert sum(s for _, s in scored) == pytest.approx(1.0)
    assert [s for _, s in scored] == sorted((s for _, s in scored), reverse=True)


def test_get_country_and_admin1(gazetteer: Gazetteer) -> None:
    assert gazetteer.get(702658).name == "Luhansk"
    assert gazetteer.get(1) is None
    assert gazetteer.country("ru").name == "Russia"
    assert gazetteer.country("ZZ") is None
    luhansk_oblast = gazetteer.admin1("UA", "14")
    assert luhansk_oblast.geonameid == 702657
    assert gazetteer.lookup("Luhansk")[0].admin1_name == luhansk_oblast.name


def test_fuzzy_finds_near_misses(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("Mariupl") == []
    assert gazetteer.fuzzy("Mariupl")[0][0].name == "Mariupol"


def test_curated_landmarks_are_all_in_the_index(gazetteer: Gazetteer) -> None:
    for entry in read_landmarks():
        place = gazetteer.get(entry.geonameid)
        assert place is not None and place.source == "curated", entry.name
        assert gazetteer.lookup(entry.name)[0].geonameid == entry.geonameid, entry.name


# --------------------------------------------------------------------------- the index file


def test_missing_cache_dir_was_created_with_the_index(gazetteer: Gazetteer) -> None:
    # The session fixture points GEOMAP_CACHE_DIR at a directory that did not exist.
    assert gazetteer.path.parent.name == "not-yet-created"
    assert gazetteer.path.is_file() and check_index(gazetteer.path) is None


def test_opening_a_built_index_is_fast(gazetteer: Gazetteer) -> None:
    start = time.perf_counter()
    fresh = Gazetteer(gazetteer.path)
    fresh.lookup("Kyiv")
    assert time.perf_counter() - start < 0.5
    fresh.close()


def test_truncated_index_is_detected(gazetteer: Gazetteer, tmp_path: Path) -> None:
    damaged = tmp_path / "gazetteer.sqlite"
    damaged.write_bytes(gazetteer.path.read_bytes()[: 1 << 20])
    assert "truncated" in check_index(damaged)


def test_garbage_file_raises_gazetteer_error_when_opened_directly(tmp_path: Path) -> None:
    garbage = tmp_path / "gazetteer.sqlite"
    garbage.write_bytes(os.urandom(4096))
    with pytest.raises(GazetteerError, match="gazetteer.sqlite"):
        Gazetteer(garbage)


def test_corrupt_index_is_rebuilt(gazetteer: Gazetteer, tmp_path: Path) -> None:
    target = tmp_path / "gazetteer.sqlite"
    target.write_bytes(b"this is not a database" * 1000)
    rebuilt = open_gazetteer(target)
    assert check_index(target) is None
    assert rebuilt.lookup("Lugansk")[0].geonameid == 702658
    rebuilt.close()


def test_unwritable_cache_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    with pytest.raises(GeomapError, match="file-not-dir"):
        open_gazetteer(blocker / "gazetteer.sqlite")


def test_bad_landmarks_row_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "landmarks.csv"
    shutil.copy(read_landmarks.__globals__["landmarks_path"](), bad)
    with bad.open("a", encoding="utf-8") as f:
        f.write("Nowhere,,95.0,10.0,BLDG,XX,,0,https://example.org,\n")
    lines = bad.read_text(encoding="utf-8").splitlines()
    with pytest.raises(GazetteerError, match=rf"landmarks.csv:{len(lines)}: expected lat"):
        read_landmarks(bad)


def test_wide_areas_sit_where_gold_corpora_put_them(gazetteer: Gazetteer) -> None:
    # GeoNames puts Hawaii on Maui; the ISO point on the Big Island is 170 km away.
    hawaii = gazetteer.lookup("Hawaii")[0]
    assert hawaii.feature_code == "ADM1"
    assert abs(hawaii.lat - 20.75) < 1.0 and abs(hawaii.lon + 156.5) < 1.0
    # Towns keep their own points: only wide areas move.
    assert is_wide_area("ADM1", "geonames", 300.0) and is_wide_area("OCN", "curated", 4000.0)
    assert not is_wide_area("PPL", "geonames", 0.0) and not is_wide_area("BLDG", "curated", 0.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [('{"points": {"5855797": {"lat": 95, "lon": 0}}}', "out of range"), ('{"points": {"x": {"lat": 1}}}', "expected"), ("not json", "cannot read"), ("[1, 2]", "expected an object")],
    ids=["out-of-range", "bad-row", "not-json", "not-an-object"],
)
def test_bad_area_points_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "area_points.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GazetteerError, match=message):
        read_area_points(path)


def test_no_area_points_file_changes_nothing(tmp_path: Path) -> None:
    assert read_area_points(tmp_path / "missing.json") == {}


def test_a_build_entry_carries_every_field_of_a_place_as_a_place_declares_it():
    """The build's Entry is a Place plus its raw names: the same fields, in the same order,
    with the same types and defaults, so the index writes what the lookups read back."""
    import dataclasses

    from geomap.gazetteer.sources import Entry
    from geomap.models import Place

    def spec(cls, names):
        by_name = {f.name: f for f in dataclasses.fields(cls)}
        return [(n, str(by_name[n].type), by_name[n].default) for n in names]

    place_fields = [f.name for f in dataclasses.fields(Place)]
    entry_fields = [f.name for f in dataclasses.fields(Entry)]
    assert entry_fields[: len(place_fields)] == place_fields
    assert spec(Entry, place_fields) == spec(Place, place_fields)
