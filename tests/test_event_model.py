"""The learned event model deciding which sentences report an ACLED event, and of which
type: ordinary news is no incident, and the kinds the trigger lexicon missed or mistyped
come out as ACLED codes them. Through the real pipeline (spaCy, gazetteer, model file)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geomap.events import build_events
from geomap.extract.event_model import MODEL_PATH, EventModel, load_event_model, spec_hash
from geomap.models import Article
from geomap.pipeline import Geoparser, extract_events

PUBLISHED = dt.date(2024, 5, 6)


@pytest.fixture(scope="module")
def geoparser(gazetteer):
    return Geoparser(gazetteer)


def events_of(geoparser, text: str):
    article = Article(id="a", text=text, published=PUBLISHED)
    result = extract_events([article], geoparser=geoparser)
    return build_events(result.mentions, {article.id: article})


# Ordinary news that reports no ACLED event; each of these was an incident before the model.
NOT_INCIDENTS = {
    "firefighting": "Firefighters battled the blaze at a timber yard in Leeds for most of the night.",
    "school-name": "Battle Ground Academy pupils marched through Franklin to celebrate Mardi Gras on Tuesday.",
    "disease": "A cholera outbreak has killed 19 people in Kasese since April, health officials said.",
    "industrial-blast": "An explosion at a chemical plant in Tianjin killed three workers on Monday.",
    "ransomware": "Ransomware attacked a hospital in Dusseldorf, forcing it to turn away emergency patients.",
    "sport": "The team's long-range shooting sank the visitors in Manchester on Sunday.",
    "anniversary": "Residents of Coventry marked the anniversary of the wartime air raids that destroyed the cathedral.",
    "crash": "A bus crashed into a lorry near Nakuru, killing eleven passengers.",
    # fires, storms and history (the event model reads "fighting", "killed", "arrested")
    "fire-crews": "Fire crews in Leeds were busy fighting two apartment fires overnight.",
    "house-fire": "Neighbours in Dundee mourned three children killed in a fire at their home on Friday.",
    "fire-headline": "Family, friends in Preston mourn two brothers killed in fire.",
    "killer-bees": "A man in Tucson recovered after a killer bee attack on Sunday.",
    "storm": "The cyclone destroyed thousands of buildings in Mackay and flattened the sugar cane crop.",
    "history": "Thousands of Jews were arrested in Lyon during World War Two and deported.",
    # illness, accidents and sport the model still read as incidents
    "illness": "Measles has killed nine children in Mzuzu since January, the health ministry said.",
    "road-accident": "A minibus overturned near Kisumu on Sunday, killing seven passengers.",
    "cricket": "Kumar captured three wickets as the visitors collapsed in Colombo on Monday.",
    # incident words in another sense: a prize, a camera, a proof, fame
    "captured-a-title": "The young skier captured her second title of the season on Saturday in Lake Placid, beating the top seed.",
    "camera-captured": "Security cameras captured the moment the van stopped outside the station in Leeds.",
    "demonstrated-that": "The results in Ohio demonstrated that the senator still has broad support among older voters.",
    "shot-to-fame": "The singer shot to fame in Nigeria after her first album.",
}


@pytest.mark.parametrize("text", NOT_INCIDENTS.values(), ids=NOT_INCIDENTS.keys())
def test_ordinary_news_is_no_incident(geoparser, text):
    events = events_of(geoparser, text)
    assert events.empty, events[["event_type", "trigger_text", "place_name"]].to_dict("records")


# (text, event_type, sub_event_type, place): kinds the lexicon missed or typed wrong.
INCIDENTS = {
    "riot": ("Rioters threw stones at police and burned cars in the centre of Lyon on Saturday.",
             "Riots", "Violent demonstration", "Lyon"),
    "mob-lynching": ("Villagers beat two suspected cattle thieves to death in Gulu on Sunday.", "Riots", "Mob violence", "Gulu"),
    "shot-down": ("Air defence forces shot down 3 missiles over Kyiv overnight, the city administration said.",
                  "Strategic developments", "Disrupted weapons use", "Kyiv"),
    "intercepted": ("A Russian missile was intercepted over Odesa on Monday night, the Ukrainian air force said.",
                    "Strategic developments", "Disrupted weapons use", "Odesa"),
    "repelled": ("Ukrainian forces repelled a Russian attack near Bakhmut on Tuesday.", "Battles", "Armed clash", "Bakhmut"),
    "establish-control": ("Russian troops tried to establish control over Avdiivka on Wednesday but were pushed back.",
                          "Battles", "Armed clash", None),
    "group-formed": ("A new armed group announced its formation in Sagaing and said it would fight the military government.",
                     "Strategic developments", "Change to group/activity", "Sagaing"),
    "soldiers-attacked": ("Gunmen attacked an army checkpoint near Maiduguri, killing four soldiers.",
                          "Battles", "Armed clash", "Maiduguri"),
    "police-attacked": ("Militants attacked a police station in Peshawar on Friday, killing two officers.",
                        "Battles", "Armed clash", "Peshawar"),
}


@pytest.mark.parametrize(("text", "event_type", "sub_event_type", "place"), INCIDENTS.values(), ids=INCIDENTS.keys())
def test_incidents_get_acled_type_and_sub_type(geoparser, text, event_type, sub_event_type, place):
    events = events_of(geoparser, text)
    assert len(events) == 1, events[["event_type", "sub_event_type", "place_name"]].to_dict("records")
    row = events.iloc[0]
    assert (row.event_type, row.sub_event_type) == (event_type, sub_event_type)
    if place is not None:  # (the anchor verb "tried" does not find "over Avdiivka" yet)
        assert row.place_name == place


@pytest.mark.parametrize(
    ("text", "event_type", "place"),
    [
        ("Jihadist fighters captured the town of Menaka on Monday after a day of fighting.", "Battles", "Ménaka"),
        ("Hundreds of students demonstrated in Nairobi on Friday against the new fees.", "Protests", "Nairobi"),
    ],
    ids=["captured-a-town", "demonstrated-in"],
)
def test_the_same_words_in_their_incident_sense_stay_incidents(geoparser, text, event_type, place):
    events = events_of(geoparser, text)
    assert len(events) == 1, events[["event_type", "place_name"]].to_dict("records")
    assert (events.iloc[0].event_type, events.iloc[0].place_name) == (event_type, place)


def test_an_incident_the_text_places_nowhere_stays_in_the_table_without_coordinates(geoparser):
    """The table is the record: a protest with no place is a row (no point on the map),
    not lost; ACLED codes it all the same."""
    events = events_of(geoparser, "Hundreds of teachers protested outside the education ministry on Monday, demanding higher pay.")
    assert len(events) == 1, events[["event_type", "place_name"]].to_dict("records")
    row = events.iloc[0]
    assert (row.event_type, row.sub_event_type) == ("Protests", "Peaceful protest")
    assert row.event_date == "2024-05-06"
    assert pd.isna(row.lat) and pd.isna(row.lon) and pd.isna(row.place_name)


def test_an_unplaced_sentence_joins_the_placed_incident_of_its_kind_before_it(geoparser):
    """ "The protesters" of the second sentence are those of Nairobi: one row, not two."""
    events = events_of(geoparser, "Teachers protested in Nairobi on Monday, demanding higher pay. "
                                  "Police later dispersed the protesters with tear gas.")
    assert len(events) == 1, events[["event_type", "place_name", "evidence"]].to_dict("records")
    assert events.iloc[0].place_name == "Nairobi" and events.iloc[0].n_mentions == 2


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("Gunmen set fire to a house in Kano on Sunday, killing four children.", None),
        ("Russian forces fired rockets from a Hurricane launcher at Mykolaiv on Monday.", "Explosions/Remote violence"),
        ("Residents protested in Beira on Monday against the slow repair of homes the cyclone destroyed.", "Protests"),
        ("Police in Kano tortured a man they had detained after a traffic accident, killing him.", None),
        ("Hundreds of students marched through Milan on Tuesday after an accident at their school.", "Protests"),
    ],
    ids=["arson", "a-launcher-named-hurricane", "a-protest-about-a-storm", "torture-after-an-accident",
         "a-march-after-an-accident"],
)
def test_a_fire_or_a_storm_with_a_hand_or_a_cause_is_still_an_incident(geoparser, text, event_type):
    events = events_of(geoparser, text)
    assert len(events) == 1, text
    if event_type is not None:
        assert events.iloc[0].event_type == event_type


def test_a_gathering_that_says_what_it_stands_for_is_a_protest_even_when_it_celebrates(geoparser):
    events = events_of(geoparser, "Thousands marched through Bamako on Sunday to celebrate the French withdrawal and demand elections.")
    assert events[["event_type", "place_name"]].to_dict("records") == [{"event_type": "Protests", "place_name": "Bamako"}]


def test_planned_talks_that_name_no_place_are_no_row(geoparser):
    assert events_of(geoparser, "Delegations will meet for talks next week, the ministry said.").empty


def test_a_hard_line_break_inside_a_sentence_hides_nothing(geoparser):
    """Text copied from a page wraps its lines: the sentence is still one sentence."""
    text = ("Russian forces shelled the village of\nKupiansk on Monday, killing two civilians and wounding five\n"
            "others, the regional governor said.")
    events = events_of(geoparser, text)
    assert len(events) == 1, events[["event_type", "place_name", "evidence"]].to_dict("records")
    row = events.iloc[0]
    assert row.event_type == "Explosions/Remote violence"
    assert row.sub_event_type == "Shelling/artillery/missile attack"
    assert row.place_text == "Kupiansk" and row.country_code == "UA"
    assert row.fatalities == 2


def test_the_model_file_names_its_feature_spec_and_its_sub_types():
    model = EventModel(MODEL_PATH)
    assert model.meta["spec_hash"] == spec_hash()
    assert len(model.subtypes) >= 20 and "Mob violence" in model.subtypes and "Disrupted weapons use" in model.subtypes


def test_a_model_trained_with_another_feature_spec_is_refused(tmp_path):
    import json

    import numpy as np

    with np.load(MODEL_PATH) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"]))
    meta["spec_hash"] = "0" * 12
    arrays["meta"] = np.array(json.dumps(meta))
    path = tmp_path / "old.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="retrain it with bench/train_event_model.py"):
        EventModel(path)


def test_the_model_separates_news_incidents_from_ordinary_news():
    model = load_event_model()
    assert model.guess("Gunmen killed nine villagers in an attack on a farming settlement in Zamfara.").is_event
    assert not model.guess("The museum reopened on Sunday after a two-year renovation.").is_event
