"""Finding place names in text, as a reader of ``geomap geoparse`` output would judge it.

Hand-made sentences; the real spaCy model and the real gazetteer.
"""

from __future__ import annotations

import pytest

from geomap.extract.nlp import load_nlp
from geomap.extract.toponyms import Toponym, find_toponyms, region_abbreviation
from geomap.gazetteer import Gazetteer, normalize_name


@pytest.fixture(scope="module")
def find(gazetteer: Gazetteer):
    nlp = load_nlp()

    def run(text: str) -> list[Toponym]:
        found = find_toponyms(nlp(text), gazetteer.has_alias, normalize_name)
        for t in found:
            assert text[t.start : t.end] == t.text
        return found

    return run


def by_text(found: list[Toponym]) -> dict[str, Toponym]:
    return {t.text: t for t in found}


def test_region_cue_takes_the_region_word_along(find) -> None:
    (kursk,) = find("A drone strike hit the Kursk region overnight.")
    assert (kursk.text, kursk.query, kursk.region_cue, kursk.kind) == ("Kursk region", "Kursk", True, "place")


def test_state_abbreviation_after_a_town_is_read_as_the_state(find) -> None:
    found = by_text(find("A man from Gainesville, Fla., was arrested on Monday."))
    assert found["Fla."].query == "Florida" and found["Fla."].region_cue
    # The town is qualified by the state that follows its comma.
    assert found["Gainesville"].qualifier_start == found["Fla."].start


@pytest.mark.parametrize(
    ("text", "after_comma", "expected"),
    [("Calif.", False, "California"), ("N.Y.", False, "New York"), ("B.C.", False, "British Columbia"),
     ("CA", False, None), ("CA", True, "California"), ("Paris", True, None)],
    ids=["ap-style", "dotted", "canadian", "postal-code-alone", "postal-code-after-comma", "not-an-abbreviation"],
)
def test_region_abbreviations(text: str, after_comma: bool, expected: str | None) -> None:
    assert region_abbreviation(text, after_comma=after_comma) == expected


def test_demonyms_are_modifiers(find) -> None:
    found = by_text(find("Russian troops and European monitors crossed the border."))
    assert found["Russian"].kind == "modifier"
    assert found["European"].kind == "modifier"


def test_a_place_inside_an_organisation_name_is_an_actor_not_a_location(find) -> None:
    found = by_text(find("The Texas Department of State Health Services confirmed the case."))
    assert found["Texas"].kind == "actor"


def test_an_acronym_that_is_a_whole_organisation_is_not_a_place(find) -> None:
    assert "NATO" not in by_text(find("NATO ministers met again on Thursday to discuss the plan."))


def test_a_disease_named_after_a_place_is_not_a_place(find) -> None:
    assert [t.text for t in find("Three horses died of West Nile virus last summer.")] == []


def test_a_surname_used_for_a_person_in_the_document_is_not_a_place(find) -> None:
    # "Modi" is also a village name; here the document calls a person so.
    found = find("Prime Minister Narendra Modi arrived on Tuesday. Modi spoke about trade with Japan.")
    assert [t.text for t in found] == ["Japan"]


@pytest.mark.parametrize("word", ["West", "Valley", "Centre"])
def test_a_direction_or_a_kind_of_place_alone_is_not_a_place(find, word: str) -> None:
    # Each is the name of a first-level region somewhere (Cameroon, Honduras, Burkina Faso).
    text = f"Officials from the {word} attended the meeting."
    assert word not in by_text(find(text))


def test_a_capitalised_common_noun_is_marked_weak_and_a_real_place_is_not(find) -> None:
    found = by_text(find("Secretary Jones said the bridge in Gdansk would open."))
    assert "Gdansk" in found and not found["Gdansk"].weak
    assert "Secretary" not in found or found["Secretary"].weak


def test_the_article_and_possessive_are_not_part_of_the_name(find) -> None:
    found = by_text(find("The Netherlands' ports and Ukraine's grain exports grew."))
    assert "Ukraine" in found
    assert all(not t.text.endswith("'s") and not t.text.startswith("The ") for t in found.values())


def test_a_town_the_model_calls_a_person_is_a_toponym_after_in(find) -> None:
    # The small model tags "Milton Keynes" PERSON; after "in" and known to the gazetteer it is the town.
    assert [t.text for t in find("He was admitted to a hospital in Milton Keynes, but later died on Sunday.")] == [
        "Milton Keynes"]
    assert [t.text for t in find("She met Milton Keynes yesterday.")] == []


def test_an_official_name_longer_than_the_matcher_looks_is_one_toponym(find) -> None:
    # The small model calls it an organisation; "Republic of Korea" inside it is the South.
    found = find("The Democratic People's Republic of Korea fired a missile on Monday.")
    assert [t.text for t in found] == ["Democratic People's Republic of Korea"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Pope Francis spoke in St. Peter's Basilica on Sunday.", "St. Peter's Basilica"),
        ("The service at St George's Chapel in Windsor was brief.", "St George's Chapel"),
        ("He was treated at St Mary's Hospital in London.", "St Mary's Hospital"),
    ],
    ids=["basilica", "chapel", "hospital-after-a-town-name"],
)
def test_a_saints_institution_is_its_whole_name_not_the_town_of_the_saint(find, text, name) -> None:
    found = {t.text: t for t in find(text)}
    assert name in found and found[name].query == name
    assert not {"St. Peter", "St George", "Mary"} & found.keys()


def test_a_towns_possessive_stays_the_town(find) -> None:
    assert [t.text for t in find("St. Louis's mayor said the city would help.")] == ["St. Louis"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # The small model tags "Deir" alone as a place and leaves "ez Zor"; it cuts "Bandar
        # Abbas" into an organisation and a person: the gazetteer knows each name whole.
        ("Gunmen attacked a checkpoint in Shiheil town in Deir ez Zor.", "Deir ez Zor"),
        ("Retirees protested in front of the governor's office in Bandar Abbas city (Hormozgan).", "Bandar Abbas"),
        # "upon", "am": read apart, Newcastle is the Australian city and Kingston Jamaica's capital.
        ("People took to the streets in Newcastle upon Tyne to protest.", "Newcastle upon Tyne"),
        ("A man was stabbed in Kingston upon Hull on Friday.", "Kingston upon Hull"),
    ],
)
def test_a_name_the_model_cut_in_two_is_one_place(find, text, name) -> None:
    found = by_text(find(text))
    assert name in found
    assert not {"Deir", "Zor", "Bandar", "Abbas", "Newcastle", "Tyne", "Kingston", "Hull"} & found.keys()


def test_the_places_a_report_lists_in_parentheses_are_places_whatever_the_model_calls_them(find) -> None:
    # The small model calls the district and the province an organisation: in a report's
    # "(district, province)" they say where the hill is.
    found = by_text(find("On 8 February 2022, police abducted an opposition member on Mirama hill, "
                         "Muyira zone (Kanyosha, Bujumbura Rural)."))
    assert (found["Kanyosha"].kind, found["Bujumbura Rural"].kind) == ("place", "place")
    # An organisation's name glossed in parentheses is still an organisation.
    gloss = by_text(find("The boy was arrested by fighters of the Palestinian Liwaa Al Quds (Al-Quds Brigade)."))
    assert gloss["Al-Quds"].kind == "actor"


def test_towns_listed_after_between_are_places_whatever_the_model_calls_them(find) -> None:
    # The small model calls "Beni and Butembo" a work of art; the gazetteer knows both towns.
    found = by_text(find("On 2 March 2022, the army clashed with rebels on the road between Beni and Butembo."))
    assert {"Beni", "Butembo"} <= found.keys()
