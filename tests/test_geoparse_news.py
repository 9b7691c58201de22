"""Geoparsing news of origins it was never tuned on (issue 13), one class of error per test.

Each sentence is what a wire story writes; the assertion is what a reader of
``geomap geoparse`` output would check: the name is found, whole, and put at the right
place. The real spaCy model and the real gazetteer.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from geopy.distance import great_circle

from geomap.cli import cli
from geomap.gazetteer import Gazetteer
from geomap.pipeline import Geoparser, geoparse


@pytest.fixture(scope="module")
def parse(gazetteer: Gazetteer):
    geoparser = Geoparser(gazetteer)

    def run(text: str) -> dict[str, dict[str, Any]]:
        (found,) = geoparse([text], geoparser=geoparser)
        return {t["name"]: t for t in found}

    return run


def km(toponym: dict[str, Any], lat: float, lon: float) -> float:
    assert toponym["lat"] is not None, f"{toponym['name']} was left without coordinates"
    return great_circle((toponym["lat"], toponym["lon"]), (lat, lon)).km


# (sentence, name as written, where it is: lat, lon), each within 50 km.
BIG_PLACES = [
    ("EDMONTON — The Alberta government announced new measures on Tuesday.", "EDMONTON", 53.55, -113.47),
    ("WINNIPEG, Manitoba (CP) — A storm closed schools across the province.", "WINNIPEG", 49.90, -97.14),
    ("Flights from Heathrow were cancelled as snow fell.", "Heathrow", 51.47, -0.45),
    ("Passengers at Gatwick waited for hours.", "Gatwick", 51.15, -0.18),
    ("Heavy snow hit Glasgow and Edinburgh.", "Glasgow", 55.86, -4.25),
    ("The film festival in Cannes drew stars from Hollywood.", "Cannes", 43.55, 7.01),
    ("A man from Queens was arrested.", "Queens", 40.68, -73.84),
]


@pytest.mark.parametrize(("text", "name", "lat", "lon"), BIG_PLACES, ids=[case[1] for case in BIG_PLACES])
def test_big_cities_airports_and_datelines_are_found_and_placed(parse, text: str, name: str, lat: float, lon: float) -> None:
    found = parse(text)
    assert name in found, f"{name} not found in {text!r}: {sorted(found)}"
    assert km(found[name], lat, lon) < 50


# "Town, Abbr.": the abbreviation is the province or state, and the town is the one there.
ABBREVIATIONS = [
    ("The mayor of Red Deer, Alta., spoke on Monday.", "Alta.", "CA", "01", "Red Deer", 52.27, -113.81),
    ("Officials in Brandon, Man., closed the road.", "Man.", "CA", "03", "Brandon", 49.85, -99.95),
    ("Bushfires near Dubbo, N.S.W., forced evacuations.", "N.S.W.", "AU", "02", "Dubbo", -32.25, 148.60),
    ("A boy from Kamloops, B.C., won the prize.", "B.C.", "CA", "02", "Kamloops", 50.67, -120.32),
    ("Floods hit Toowoomba, Qld., overnight.", "Qld.", "AU", "04", "Toowoomba", -27.56, 151.95),
]


@pytest.mark.parametrize(("text", "abbr", "cc", "admin1", "town", "lat", "lon"), ABBREVIATIONS, ids=[case[1] for case in ABBREVIATIONS])
def test_canadian_and_australian_abbreviations_are_their_provinces(
    parse, gazetteer: Gazetteer, text: str, abbr: str, cc: str, admin1: str, town: str, lat: float, lon: float
) -> None:
    found = parse(text)
    assert abbr in found, f"{abbr} not found in {text!r}: {sorted(found)}"
    region = gazetteer.get(found[abbr]["geonameid"])
    assert region is not None and (region.feature_code, region.country_code, region.admin1_code) == ("ADM1", cc, admin1)
    assert km(found[town], lat, lon) < 30


FACILITIES = [
    ("Passengers at Pearson International Airport waited for hours.", "Pearson International Airport", 43.68, -79.63),
    ("The match at the Stade de France was stopped.", "Stade de France", 48.92, 2.36),
]


@pytest.mark.parametrize(("text", "name", "lat", "lon"), FACILITIES, ids=[case[1] for case in FACILITIES])
def test_a_facility_is_resolved_by_its_full_name_not_a_word_inside(parse, text: str, name: str, lat: float, lon: float) -> None:
    found = parse(text)
    assert name in found, f"{name} not found whole in {text!r}: {sorted(found)}"
    assert km(found[name], lat, lon) < 10
    inner = set(found) - {name}
    assert not inner, f"words inside {name} were taken for places: {sorted(inner)}"


def test_a_place_acronym_the_model_calls_an_organisation_is_the_place(parse) -> None:
    found = parse("EU leaders met the DPRK envoy, while NATO said nothing.")
    assert (found["EU"]["name"], found["EU"]["lat"] is not None) == ("EU", True)
    assert found["DPRK"]["country_code"] == "KP"
    assert "NATO" not in found  # the alliance, whatever place shares its name


def test_people_are_not_demonym_toponyms(parse) -> None:
    # The corpora count "Mexican" (an adjective, a place) but not "Mexicans" (people).
    found = parse("Mexicans crossed the border; Mexican officials said so.")
    assert found["Mexican"]["kind"] == "demonym" and "Mexicans" not in found


def test_geoparse_outputs_demonyms_marked_at_their_country(tmp_path, gazetteer: Gazetteer) -> None:
    text = "Russian forces shelled the town; Turkish and Syrian officials met in Ankara."
    infile, outfile = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    infile.write_text(json.dumps({"id": "a1", "text": text}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["geoparse", str(infile), "-o", str(outfile)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    toponyms = {t["name"]: t for t in json.loads(outfile.read_text(encoding="utf-8"))["toponyms"]}
    assert {name: (t["kind"], t["country_code"]) for name, t in toponyms.items()} == {
        "Russian": ("demonym", "RU"),
        "Turkish": ("demonym", "TR"),
        "Syrian": ("demonym", "SY"),
        "Ankara": ("place", "TR"),
    }


def test_geocode_finds_a_frontline_village_cities500_lacks(gazetteer: Gazetteer) -> None:
    # Robotyne (Zaporizhzhia oblast) is in the KATOTTG codifier, not in GeoNames cities500:
    # it is placed at its hromada's centre (Tokmak) with the radius that says so.
    result = CliRunner().invoke(cli, ["geocode", "Robotyne", "--limit", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    name, code, admin1, cc, lat, lon, _population, _gid, precision, radius = result.output.splitlines()[0].split("\t")
    assert (name, code, admin1, cc, precision) == ("Robotyne", "PPL", "Zaporizka oblast", "UA", "2")
    # The village lies 24 km north-east of Tokmak: the radius must reach it.
    assert great_circle((float(lat), float(lon)), (47.44, 35.83)).km <= float(radius)


def test_a_codifier_village_in_an_event_is_near_its_point(gazetteer: Gazetteer) -> None:
    import datetime as dt

    from geomap.events import build_events
    from geomap.models import Article
    from geomap.pipeline import extract_events

    article = Article(id="a1", text="Russian artillery shelled Robotyne on 3 July 2025, killing two civilians.", published=dt.date(2025, 7, 4))
    result = extract_events([article], geoparser=Geoparser(gazetteer))
    events = build_events(result.mentions, {article.id: article})
    row = events[events["place_text"] == "Robotyne"].iloc[0]
    assert (row["admin1"], row["geo_precision"]) == ("Zaporizka oblast", 2)


# A disease named after a place, or a pathogen's code, is not a place where the text names
# the disease: the names a reader would see pinned on the map by mistake.
DISEASES = [
    ("At least four people in Peru have contracted HIV, the virus that causes AIDS.", "HIV", {"Peru"}),
    ("The number of confirmed human cases of H5N1 in Turkey is 18.", "H5N1", {"Turkey"}),
    ("Nine people have died from Ebola in the Republic of Congo this month.", "Ebola", {"Republic of Congo"}),
    ("Marburg haemorrhagic fever broke out in Angola. Because Marburg kills more slowly, "
     "a victim has more time to infect others.", "Marburg", {"Angola"}),
]


@pytest.mark.parametrize(("text", "disease", "places"), DISEASES, ids=[case[1] for case in DISEASES])
def test_a_disease_is_not_a_place(parse, text: str, disease: str, places: set[str]) -> None:
    found = parse(text)
    assert disease not in found, f"the disease {disease} was taken for a place in {text!r}"
    assert set(found) == places


def test_a_place_a_disease_is_named_after_stays_a_place_where_the_text_says_so(parse) -> None:
    found = parse("Researchers met in Marburg, Germany, where the Marburg virus was first identified in 1967.")
    assert found["Marburg"]["country_code"] == "DE"
    assert km(found["Marburg"], 50.81, 8.77) < 20


# A region's or country's short form standing alone, in a story on that country: the region
# (or country), whatever the small model calls it; the same form elsewhere is no place.
STANDALONE = [
    ("Restrictions were placed on horses near Sydney. Three horses from NSW showed symptoms.", "NSW", "ADM1", "AU", "02"),
    ("Officials in Nelson, British Columbia, opened an office. Hospitals across BC reported cases.", "BC", "ADM1", "CA", "02"),
    ("Mining affects the livelihoods of millions around Rustenburg. Chiefs in post-apartheid SA hold the land.", "SA", "PCLI", "ZA", ""),
    ("Wine growers near Adelaide said the harvest in SA was early.", "SA", "ADM1", "AU", "05"),
]


@pytest.mark.parametrize(("text", "abbr", "code", "cc", "admin1"), STANDALONE, ids=[f"{c[1]}-{c[3]}" for c in STANDALONE])
def test_a_standalone_region_abbreviation_is_the_region_of_the_story(
    parse, gazetteer: Gazetteer, text: str, abbr: str, code: str, cc: str, admin1: str
) -> None:
    found = parse(text)
    assert abbr in found, f"{abbr} not found in {text!r}: {sorted(found)}"
    place = gazetteer.get(found[abbr]["geonameid"])
    assert place is not None and (place.feature_code, place.country_code) == (code, cc)
    assert admin1 == "" or place.admin1_code == admin1


def test_a_standalone_abbreviation_in_a_story_on_elsewhere_is_no_place(parse) -> None:
    found = parse("The SA team beat Leinster in Dublin on Saturday.")
    assert "SA" not in found and "Dublin" in found


US_IN_NAMES = [
    "The soldier had been embedded with US Special Forces near the Turkish border.",
    "According to the US Census Bureau, 47 percent of residents rent their homes.",
]


@pytest.mark.parametrize("text", US_IN_NAMES, ids=["Special Forces", "Census Bureau"])
def test_us_inside_an_organisations_name_is_the_united_states(parse, text: str) -> None:
    found = parse(text)
    assert "US" in found, f"US not found in {text!r}: {sorted(found)}"
    assert found["US"]["country_code"] == "US" and found["US"]["kind"] == "actor"
