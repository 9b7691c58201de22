"""Dates, death counts and trigger words, on the real spaCy model."""

from __future__ import annotations

import datetime as dt

import pytest

from geomap.extract.casualties import count_victims, parse_count
from geomap.extract.dates import infer_year, parse_date
from geomap.extract.events import trigger_of
from geomap.extract.nlp import load_nlp

THU = dt.date(2025, 7, 3)  # a Thursday


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


@pytest.mark.parametrize(
    ("text", "base", "expected", "precision"),
    [
        ("yesterday", THU, dt.date(2025, 7, 2), 1),
        ("on Monday", THU, dt.date(2025, 6, 30), 1),
        ("on Thursday", THU, THU, 1),  # the paper's own day, not a week before
        ("July 3", dt.date(2025, 12, 31), THU, 1),
        ("3 July 2025", dt.date(2026, 1, 10), THU, 1),
        ("March 2025", THU, dt.date(2025, 3, 3), 3),
        ("last week", THU, dt.date(2025, 6, 26), 2),
    ],
    ids=["yesterday", "weekday", "same-weekday", "month-day", "full", "month", "last-week"],
)
def test_dates_resolve_against_the_publication_date(text, base, expected, precision):
    value = parse_date(text, base)
    assert value is not None
    assert value.date == expected
    assert value.precision == precision


@pytest.mark.parametrize("text", ["2014", "for years", "three decades ago", "recently", ""])
def test_vague_or_bare_years_do_not_date_an_incident(text):
    assert parse_date(text, THU) is None


def test_a_date_after_publication_is_not_an_incident_date():
    assert parse_date("December 25, 2025", THU) is None


def test_year_is_inferred_from_past_tense_clauses_only(nlp):
    doc = nlp(
        "Gudkov, who was appointed commander in March 2025, was killed on July 3. "
        "Production will be expanded further in 2026."
    )
    assert infer_year(doc) == 2025


def test_no_year_without_a_past_tense_year(nlp):
    assert infer_year(nlp("Talks will resume in 2027.")) is None


@pytest.mark.parametrize(
    ("text", "count"),
    [("at least 20", 20), ("two", 2), ("dozens", 12), ("hundreds", 100), ("10-15", 10),
     ("between 10 and 15", 10), ("twenty-two", 22), ("1,200", 1200), ("three hundred", 300)],
    ids=lambda v: str(v),
)
def test_counts_in_words_and_digits(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize(
    ("sentence", "deaths"),
    [
        ("Ukrainian military analyst Yuri Butusov reported 20 Russian servicemen killed in the same strike.", 20),
        ("Shelling hit a trolleybus in Donetsk on Thursday killing 8 people and wounding about 20.", 8),
        ("At least 22 ISIS members were killed in the clashes.", 22),
        ("Dozens of people were killed in the attack.", 12),
        ("Two soldiers died in the blast.", 2),
        ("The Security Service of Ukraine has killed the former mayor of Lugansk, Manolis Pilavov.", 1),
        ("A bomb killed a policeman and two civilians.", 3),
        ("Shelling of Kharkiv on Monday: three dead.", 3),
        ("Car bomb in Kabul leaves at least 12 dead.", 12),
        ("Two dead after blast in Lagos.", 2),
    ],
    ids=["acl-20", "killing-8", "at-least-22", "dozens", "two-died", "named-victim", "conjoined",
         "three-dead", "leaves-12-dead", "two-dead"],
)
def test_deaths_stated_in_a_sentence(nlp, sentence, deaths):
    doc = nlp(sentence)
    counts = [c for t in doc if (c := count_victims(t)) is not None]
    assert max(counts) == deaths


def test_wounded_are_not_deaths(nlp):
    doc = nlp("Five people were wounded in the attack.")
    assert [c for t in doc if (c := count_victims(t)) is not None] == []


@pytest.mark.parametrize(
    ("sentence", "word", "event_type"),
    [
        ("A missile strike hit the port.", "strike", "Explosions/Remote violence"),
        ("Clashes broke out near the border.", "Clashes", "Battles"),
        ("Police arrested three activists.", "arrested", "Strategic developments"),
        ("Thousands joined a protest in the capital.", "protest", "Protests"),
    ],
)
def test_trigger_words_map_to_acled_types(nlp, sentence, word, event_type):
    doc = nlp(sentence)
    token = next(t for t in doc if t.text == word)
    assert trigger_of(token).event_type == event_type


def test_shooting_down_a_drone_is_not_an_incident_word(nlp):
    doc = nlp("Air defences shot down a drone.")
    token = next(t for t in doc if t.text == "shot")
    assert trigger_of(token) is None


@pytest.mark.parametrize(
    ("sentence", "word", "expected"),
    [
        ("They fired rockets at Sderot.", "fired", "Explosions/Remote violence"),
        ("Soldiers fired on protesters.", "fired", "Violence against civilians"),
        ("The company fired 20 workers.", "fired", None),
        ("A shell hit a school in Donetsk.", "hit", "Explosions/Remote violence"),
        ("The economy was hit hard.", "hit", None),
        ("Militants blew up a bridge.", "blew", "Explosions/Remote violence"),
        ("Protesters marched through the city.", "marched", "Protests"),
    ],
    ids=["fired-rockets", "fired-on", "fired-workers", "shell-hit", "economy-hit", "blew-up", "marched"],
)
def test_generic_verbs_need_a_weapon_or_a_crowd(nlp, sentence, word, expected):
    token = next(t for t in nlp(sentence) if t.text == word)
    trig = trigger_of(token)
    assert (trig.event_type if trig else None) == expected
