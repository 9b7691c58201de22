"""What an analyst reads in an event's row beyond its type: the date and its precision,
the deaths, the actors and the place a "Village, Region" qualifier names; each case is an
error class seen on human-coded ACLED events, run on the real model and gazetteer."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geomap.events import build_events
from geomap.extract.dates import infer_year
from geomap.extract.nlp import load_nlp
from geomap.models import Article
from geomap.pipeline import Geoparser, extract_events


@pytest.fixture(scope="module")
def geoparser(gazetteer):
    return Geoparser(gazetteer)


def events_of(geoparser, text: str, published: dt.date | None = None) -> list[dict]:
    article = Article(id="a0", text=text, published=published)
    result = extract_events([article], geoparser=geoparser)
    return build_events(result.mentions, {article.id: article}).to_dict("records")


def only_event(geoparser, text: str, published: dt.date | None = None) -> dict:
    rows = events_of(geoparser, text, published)
    assert len(rows) == 1, [(r["event_type"], r["place_name"], r["evidence"]) for r in rows]
    return rows[0]


# --- dates ---------------------------------------------------------------------------


def test_the_year_comes_from_a_full_date_when_the_parse_finds_no_past_tense_verb():
    # spaCy makes "Tens" the root: no verb governs the date.
    doc = load_nlp()("Tens of protesters in Tbilisi on 3 March 2022 against the government.")
    assert infer_year(doc) == 2022


@pytest.mark.parametrize(
    ("text", "published", "date", "precision"),
    [
        ("Around 25 March 2022 (between 24 - 26 March), gunmen killed two farmers in Kaduna.", None, "2022-03-25", 2),
        ("Around 13 April 2022 (week of), a mob beat a suspected thief to death in Kampala.", None, "2022-04-13", 2),
        ("Around 5 March 2022 (month of), soldiers shot dead three civilians in Mopti.", None, "2022-03-05", 3),
        ("Tens of protesters in Tbilisi on 3 March 2022 against the government.", None, "2022-03-03", 1),
        ("Russian drones struck Odesa on the night of 2-3 July, killing two people.", dt.date(2025, 7, 4), "2025-07-02", 1),
        ("Between 20 and 24 March 2022, soldiers killed five herders in the village of Tansamba near Mopti.", None,
         "2022-03-22", 2),
        ("Russian drones struck Odesa overnight, killing two people.", dt.date(2025, 7, 4), "2025-07-04", 1),
        ("Russian drones struck Odesa last night, killing two people.", dt.date(2025, 7, 4), "2025-07-03", 1),
    ],
    ids=["around-with-range", "week-of", "month-of", "tens-as-root", "night-of", "range", "overnight", "last-night"],
)
def test_event_dates_and_their_precision(geoparser, text, published, date, precision):
    event = only_event(geoparser, text, published)
    assert (event["event_date"], event["time_precision"]) == (date, precision)


def test_a_weekday_without_a_publication_date_is_not_a_day_at_the_end_of_the_year(geoparser):
    # The year is known from the text; which Monday is not.
    event = only_event(geoparser, "Gunmen killed two people in Kano on Monday. The state budget was approved on 3 March 2022.")
    assert pd.isna(event["event_date"])


def test_a_weekday_is_the_last_such_day_up_to_the_publication_date(geoparser):
    event = only_event(geoparser, "Gunmen killed two people in Kano on Monday.", dt.date(2025, 7, 3))
    assert event["event_date"] == "2025-06-30"


# --- fatalities ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "deaths"),
    [
        ("On 3 May 2022, 2 drug suspects were shot dead by police in Manila.", 2),
        ("On 3 May 2022, villagers killed a suspected cattle thief in Gulu.", 1),
        ("On 3 May 2022, rebels stabbed and killed an off-duty police constable at a market in Bijapur.", 1),
        ("On 3 May 2022, gunmen attacked a bus in Khost, killing three and injuring five.", 3),
        ("On 3 May 2022, Three HM militants including their commander were killed in an encounter in Anantnag.", 3),
        ("On 3 May 2022, unidentified assailants attacked a shopkeeper in Swabi. He was killed in the incident.", 1),
        ("On 3 May 2022, gunmen shot dead four members of a family in Zamfara.", 4),
        ("On 3 May 2022, protesters blocked a road in Nairobi.", 0),
        # The small model tags "captive" an adjective; "a" makes it one person.
        ("On 3 May 2022, militants killed a captive in the village of Gorom.", 1),
    ],
    ids=["shot-dead", "a-suspected-thief", "conjoined-verb", "killing-n", "number-under-compound",
         "next-sentence", "shot-dead-active", "none-stated-is-0", "a-victim-tagged-adjective"],
)
def test_deaths_as_acled_counts_them(geoparser, text, deaths):
    rows = events_of(geoparser, text)
    assert rows, "no event"
    assert rows[0]["fatalities"] == deaths


def test_the_deaths_of_a_sentence_naming_no_place_belong_to_the_unplaced_attack_before_it(geoparser):
    # Neither sentence names a place: one incident with its deaths, not an attack with 0
    # and a second row with the deaths.
    rows = events_of(geoparser, "On 3 May 2022, gunmen attacked a convoy. Four passengers were killed.")
    assert [r["fatalities"] for r in rows] == [4]


def test_victims_conjoined_to_a_root_the_parse_made_a_noun_add_up():
    # spaCy parses "fighters" as the root and "killed" as conjoined to it.
    from geomap.extract.casualties import count_victims

    doc = load_nlp()("Three volunteer fighters (VDP) and a councilman were killed.")
    assert [count_victims(t) for t in doc if t.lemma_ == "kill"] == [4]


# --- actors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "actor1_acled", "inter1", "actor2_acled", "inter2"),
    [
        ("On 3 May 2022, about 200 people protested in Tbilisi against the government.",
         "Protesters (Georgia)", 6, None, None),
        ("On 3 May 2022, students staged a protest in Dhaka.", "Protesters (Bangladesh)", 6, None, None),
        ("On 3 May 2022, Russian troops shelled Kharkiv, killing two civilians.",
         "Military Forces of Russia (2000-)", 8, None, None),
        ("On 3 May 2022, gunmen killed two farmers in Kaduna.",
         "Unidentified Armed Group (Nigeria)", 3, "Civilians (Nigeria)", 7),
        ("On 3 May 2022, unknown gunmen shot dead a shopkeeper in Kabul.",
         "Unidentified Armed Group (Afghanistan)", 3, "Civilians (Afghanistan)", 7),
        ("On 3 May 2022, Al Shabaab militants attacked a police station in Mogadishu.",
         "Al Shabaab", 2, "Police Forces of Somalia (2017-2022)", 1),
    ],
    ids=["protesters", "students-protest", "foreign-forces", "gunmen-civilians", "unknown-gunmen", "named-group"],
)
def test_actors_get_acled_names_and_inter_codes(geoparser, text, actor1_acled, inter1, actor2_acled, inter2):
    event = only_event(geoparser, text)
    got = tuple(None if pd.isna(event[k]) else event[k] for k in ("actor1_acled", "inter1", "actor2_acled", "inter2"))
    assert got == (actor1_acled, inter1, actor2_acled, inter2)


@pytest.mark.parametrize(
    ("text", "not_actor"),
    [
        ("On 3 May 2022, rebels fired mortars at an army base in Goma.", "mortars"),
        ("On 3 May 2022, at least 19 were killed when militants attacked a village near Maiduguri.", "At least 19"),
        ("On 3 May 2022, gunmen abducted four members of a family in Zamfara.", "four members"),
        ("On 3 May 2022, Russian forces shelled Kharkiv.", "Kharkiv"),
    ],
    ids=["weapon", "count", "count-of-members", "place"],
)
def test_a_number_a_weapon_a_count_or_a_place_is_never_an_actor(geoparser, text, not_actor):
    for event in events_of(geoparser, text):
        assert not_actor.lower() not in {str(event["actor1"]).lower(), str(event["actor2"]).lower()}


# --- place qualifiers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "admin1", "country"),
    [
        ("On 3 May 2022, Russian forces shelled Troitske, Donetsk.", "Donetska oblast", "UA"),
        ("On 3 May 2022, Russian forces shelled Dmytrivka, Kharkiv, killing two civilians.", "Kharkivska oblast", "UA"),
        # A hyphenated village the small model calls an organisation: the whole name, not its
        # part "Buda" (Hungary) nor "Seredyna" (a katottg village in Lviv oblast).
        ("On 3 May 2022, Russian forces shelled Seredyna-Buda, Sumy.", "Sumska oblast", "UA"),
    ],
    ids=["village-region", "village-region-unknown-village", "hyphenated-name"],
)
def test_a_region_after_the_village_keeps_the_event_in_that_region(geoparser, text, admin1, country):
    event = only_event(geoparser, text)
    assert (event["admin1"], event["country_code"]) == (admin1, country)
    assert event["geo_precision"] in (1, 2)


@pytest.mark.parametrize(
    "text",
    ["On 3 May 2022, shelling hit Novo-Oleksandrivka in Kherson oblast.",
     "On 3 May 2022, Russian forces shelled Novo-Oleksandrivka, Kherson."],
    ids=["in-region", "village-region"],
)
def test_a_hyphenated_name_the_gazetteer_writes_as_one_word_is_that_village(geoparser, text):
    # Not the oblast, nor "Oleksandrivka", another village: the gazetteer's "Novooleksandrivka".
    event = only_event(geoparser, text)
    assert (event["place_name"], event["admin1"], event["geo_precision"]) == ("Novooleksandrivka", "Khersonska oblast", 1)


@pytest.mark.parametrize(
    ("text", "place", "admin1"),
    [
        # "Mazar", which the model finds alone, is a town in Jordan.
        ("On 9 June 2022, a man was shot and killed in his home in Mazar-e-Sharif city, Balkh.", "Mazār-e Sharīf", "Balkh"),
        # The model makes "Boa" and "Vista" two names; "Vista" alone is in California.
        ("On 12 March 2022, in Boa Vista (Roraima), a man was shot dead by gunmen.", "Boa Vista", "Roraima"),
        # A qualifier the model calls a person: "Mato Grosso do Sul", not "Sul" in Albania.
        ("On 5 April 2022, gunmen shot and killed four people at a party in Ponta Pora (Mato Grosso do Sul).",
         "Ponta Porã", "Mato Grosso do Sul"),
    ],
    ids=["hyphen-cut-by-the-model", "two-entities-one-name", "qualifier-called-a-person"],
)
def test_a_name_the_model_cuts_short_is_found_whole(geoparser, text, place, admin1):
    event = only_event(geoparser, text)
    assert (event["place_name"], event["admin1"]) == (place, admin1)


def test_a_neighbourhood_lies_in_the_town_the_text_names_not_at_a_namesake_elsewhere(geoparser):
    # There is a Santa Helena in Maranhao, 2,500 km from Rio Branco.
    event = only_event(geoparser, "On 30 March 2022, in Rio Branco (Acre), a man was shot and killed "
                                  "in the Santa Helena neighborhood by gunmen.")
    assert (event["country_code"], event["admin1"]) == ("BR", "Acre")


def test_a_part_of_an_unknown_hyphenated_name_never_leaves_the_region_its_qualifier_names(geoparser):
    # Neither "Seredyna-Dudu" nor "Seredynadudu" is a place; its part "Seredyna" is a village
    # in Lviv oblast, far from the Sumy oblast the text names.
    rows = events_of(geoparser, "On 3 May 2022, Russian forces shelled Seredyna-Dudu, Sumy.")
    assert rows
    assert all(r["admin1"] in ("Sumska oblast", None) for r in rows), [(r["place_name"], r["admin1"]) for r in rows]


@pytest.mark.parametrize(
    ("text", "country", "admin1"),
    [
        # The gazetteer's only Mala is in Peru; the text puts it in Harib district of Marib.
        ("On 21 June 2022, IRG forces fired missiles at Houthi positions in Mala (Harib, Marib).", "YE", None),
        # The first name in the parentheses is none the gazetteer holds; the province still
        # says which New Brighton (not the one in Minnesota).
        ("On 15 February 2022, a mob beat a man to death in New Brighton (Nelson Mandela Bay, Eastern Cape).", "ZA", None),
        # Namti is no gazetteer village: its district (Sivasagar) stands in for it.
        ("On 25 May 2022, students staged a demonstration in Namti (Sivasagar, Assam) against rising fuel prices.", "IN", "Assam"),
        # No word of the protest points at a place: the town the sentence names is where.
        ("On 27 March 2022, transport workers staged a protest next to a Carrefour supermarket located at Nacional "
         "640 roundabout of Lalin (Pontevedra, Galicia), demanding better working conditions.", "ES", "Galicia"),
    ],
    ids=["qualifier-in-another-country", "qualifier-after-an-unknown-name", "unknown-village", "no-word-points-at-it"],
)
def test_an_event_lies_where_its_parenthesised_district_and_province_say(geoparser, text, country, admin1):
    event = only_event(geoparser, text)
    assert event["country_code"] == country, (event["place_name"], event["country_code"])
    if admin1 is not None:
        assert event["admin1"] == admin1
    assert not pd.isna(event["lat"])


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("On 15 June 2022, union members picketed in front of the presidential office (Seoul City - Yongsan).", "Seoul"),
        ("On 29 April 2022, in Buenos Aires - Comuna 1 (Ciudad Autonoma de Buenos Aires), a group marched "
         "towards the Congress to protest against animal abuse.", "Buenos Aires"),
    ],
    ids=["city-dash-district", "city-not-its-province"],
)
def test_a_city_and_its_district_written_with_a_dash_is_that_city(geoparser, text, place):
    event = only_event(geoparser, text)
    assert event["place_name"] == place and event["feature_code"] == "PPLC", (event["place_name"], event["feature_code"])


@pytest.mark.parametrize(
    "text",
    [
        "More than twenty fighters were killed on 3 March 2022, before the rest were forced to withdraw "
        "towards their major bastion of Manbij.",
        "On 3 March 2022, a soldier was shot and killed by a man who had come from Wilmington.",
    ],
    ids=["where-they-went", "where-he-came-from"],
)
def test_a_name_that_is_not_where_the_incident_was_does_not_stand_in_for_its_place(geoparser, text):
    # Nothing in the sentence places the killing: the event stays, without a point, rather
    # than at the town the survivors withdrew to.
    event = only_event(geoparser, text)
    assert pd.isna(event["lat"]), (event["place_name"], event["place_text"])


# --- headlines -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "place", "deaths"),
    [
        ("Car bomb kills 5 in Kabul", "Kabul", 5),
        ("Syria: Regime airstrikes kill 12 civilians in Idlib", "Idlib", 12),
    ],
    ids=["headline", "wire-alert"],
)
def test_a_one_line_text_gives_its_event(geoparser, text, place, deaths):
    event = only_event(geoparser, text, dt.date(2025, 7, 3))
    assert (event["place_name"], event["fatalities"], event["event_type"]) == (place, deaths, "Explosions/Remote violence")
