"""Events an analyst can trust: status, dates, places and merging, on the real model and gazetteer."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from geomap.cli import cli
from geomap.events import build_events
from geomap.models import EVENT_COLUMNS, Article
from geomap.pipeline import Geoparser, extract_events


@pytest.fixture(scope="module")
def geoparser(gazetteer):
    return Geoparser(gazetteer)


def events_of(geoparser, *texts: str, published: dt.date | None = None):
    articles = [Article(id=f"a{i}", text=t, published=published) for i, t in enumerate(texts)]
    result = extract_events(articles, geoparser=geoparser)
    return build_events(result.mentions, {a.id: a for a in articles})


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("A car bomb exploded in Kabul on Monday, killing three people.", "reported"),
        ("Unconfirmed reports said a car bomb exploded in Kabul on Monday.", "unconfirmed"),
        ("A car bomb reportedly exploded in Kabul on Monday.", "unconfirmed"),
        ("The two sides will hold talks in Geneva next month.", "planned"),
        ("Officials discussed the possibility of talks in Geneva.", "planned"),
        ("The army denied that its troops shelled Donetsk on Monday.", "denied"),
    ],
    ids=["reported", "unconfirmed-reports", "reportedly", "will", "possibility", "denied"],
)
def test_status_words(geoparser, sentence, status):
    events = events_of(geoparser, sentence, published=dt.date(2025, 3, 5))
    assert list(events["status"]) == [status]


def test_a_sentence_that_says_it_could_not_be_confirmed_makes_the_one_before_unconfirmed(geoparser):
    events = events_of(
        geoparser,
        "A drone strike hit a fuel depot in Bryansk on Monday. The information could not be confirmed.",
        published=dt.date(2025, 3, 5),
    )
    assert list(events["status"]) == ["unconfirmed"]


def test_planned_events_are_never_dated_as_happened(geoparser):
    events = events_of(geoparser, "Peace talks will be held in Istanbul on Friday.", published=dt.date(2025, 3, 5))
    assert events.iloc[0]["status"] == "planned"
    assert events["event_date"].isna().all()


def test_dates_with_a_publication_date(geoparser):
    events = events_of(geoparser, "Shelling killed two civilians in Kharkiv yesterday.", published=dt.date(2025, 3, 5))
    row = events.iloc[0]
    assert row["event_date"] == "2025-03-04"
    assert row["time_precision"] == 1
    assert row["date_source"] == "text"


def test_an_undated_sentence_takes_the_publication_date_with_week_precision(geoparser):
    events = events_of(geoparser, "Shelling killed two civilians in Kharkiv.", published=dt.date(2025, 3, 5))
    row = events.iloc[0]
    assert (row["event_date"], row["time_precision"], row["date_source"]) == ("2025-03-05", 2, "published")


def test_without_a_publication_date_the_year_comes_from_the_text(geoparser):
    text = (
        "The general, who was appointed in March 2024, was killed in a missile strike near Kupiansk on May 12. "
        "A new command will be formed in 2026."
    )
    row = events_of(geoparser, text).iloc[0]
    assert row["event_date"] == "2024-05-12"
    assert row["date_source"] == "text-inferred-year"


def test_without_any_date_the_event_is_undated_not_guessed(geoparser):
    row = events_of(geoparser, "Shelling killed two civilians in Kharkiv.").iloc[0]
    assert pd.isna(row["event_date"])


def test_two_articles_reporting_the_same_strike_merge_into_one_event(geoparser):
    published = dt.date(2025, 3, 5)
    first = "A Russian missile strike hit Kharkiv on Tuesday, killing four people, officials said."
    second = "Four people died when a missile struck a residential area in Kharkiv on Tuesday, the governor said."
    events = events_of(geoparser, first, second, published=published)
    kharkiv = events[events["place_name"] == "Kharkiv"]
    assert len(kharkiv) == 1
    row = kharkiv.iloc[0]
    assert row["n_sources"] == 2
    assert row["fatalities"] == 4
    assert row["event_date"] == "2025-03-04"
    assert "a missile struck" in row["evidence"] and "missile strike hit Kharkiv" in row["evidence"]


def test_strikes_on_two_different_towns_stay_two_events(geoparser):
    events = events_of(
        geoparser,
        "A drone strike hit Kharkiv on Monday. Another drone strike hit Odesa on Monday.",
        published=dt.date(2025, 3, 5),
    )
    assert sorted(events["place_name"]) == ["Kharkiv", "Odesa"]


def test_the_mayor_of_a_city_is_not_where_he_was_killed(geoparser):
    events = events_of(
        geoparser,
        "Gunmen killed the former mayor of Mosul in Baghdad on Monday.",
        published=dt.date(2025, 3, 5),
    )
    assert list(events["place_name"]) == ["Baghdad"]


@pytest.mark.parametrize(
    "text",
    [
        "Abu Khalid, the senior commander of a rebel faction in Syria, was killed in an air raid that targeted a meeting of its leaders.",
        "Two fighters of the group were killed during the recent clashes, according to its media office in Kenya.",
    ],
    ids=["the-commanders-country", "the-sources-office"],
)
def test_a_place_that_only_describes_a_person_or_a_source_is_not_where_the_incident_happened(geoparser, text):
    # The place is read from the verb that reports the incident ("killed"), as the place model
    # learned it, not from the incident's noun ("raid", "clashes"), which sees every name near it.
    events = events_of(geoparser, text, published=dt.date(2025, 3, 5))
    assert len(events) == 1
    assert events.iloc[0]["place_text"] is None or pd.isna(events.iloc[0]["place_text"]), events.iloc[0]["place_text"]


def test_metonymy_is_an_actor_not_a_place(geoparser):
    events = events_of(
        geoparser, "Moscow denied that its forces shelled a market in Kherson on Sunday.", published=dt.date(2025, 3, 5)
    )
    assert list(events["place_name"]) == ["Kherson"]


def test_events_command_writes_spans_into_each_article(tmp_path, gazetteer):
    text = "Shelling killed two civilians in Kharkiv on Monday, officials said."
    infile = tmp_path / "in.jsonl"
    infile.write_text(
        json.dumps({"id": "k1", "text": text, "published": "2025-03-05"}) + "\n"
        + json.dumps({"id": "k2", "text": "The weather was fine."}) + "\n",
        encoding="utf-8",
    )
    outfile = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["events", str(infile), "-o", str(outfile)])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in outfile.read_text(encoding="utf-8").splitlines())
    assert first["id"] == "k1" and second == {"id": "k2", "events": []}
    (event,) = first["events"]
    assert set(EVENT_COLUMNS) <= set(event)
    assert text[event["trigger"]["start"] : event["trigger"]["end"]] == event["trigger"]["text"] == "Shelling"
    assert text[event["location"]["start"] : event["location"]["end"]] == "Kharkiv"
    assert event["event_date"] == "2025-03-03"
    assert event["fatalities"] == 2


def test_a_sentence_whose_root_is_not_a_verb_is_dated_and_placed(geoparser):
    # Headline-like sentences ("...: three dead.") have an adjective or a noun at the root of
    # their parse; walking up from the date to a verb must stop there (it once looped forever).
    import signal

    def hung(*_):
        raise TimeoutError("extraction did not finish in 60 s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        events = events_of(geoparser, "Shelling of Kharkiv on Monday: three dead.", published=dt.date(2025, 3, 5))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    (event,) = events.to_dict("records")
    assert (event["place_name"], str(event["event_date"])[:10], event["fatalities"]) == ("Kharkiv", "2025-03-03", 3)


def test_loose_deaths_are_not_guessed_onto_one_of_two_incidents(geoparser):
    events = events_of(geoparser, "Shelling hit Kharkiv and a drone struck Odesa on Monday: three dead.",
                       published=dt.date(2025, 3, 5))
    rows = events.to_dict("records")
    assert sorted(r["place_name"] for r in rows) == ["Kharkiv", "Odesa"]
    assert all(r["fatalities"] == 0 for r in rows)  # none stated for either one: ACLED's 0


def test_an_unknown_village_keeps_its_name_and_takes_the_coordinates_of_the_town_it_is_near(geoparser):
    events = events_of(geoparser, "Gunmen killed five people in the village of Kayamla near Maiduguri on Monday.",
                       published=dt.date(2024, 5, 1))
    (event,) = events.itertuples()
    assert (event.place_text, event.place_name, event.country_code) == ("Kayamla", "Maiduguri", "NG")
    assert event.geo_precision == 2  # near a known place, not at it
    assert event.radius_km >= 15


def test_a_village_known_abroad_only_by_another_name_is_not_placed_abroad(geoparser):
    # "Olan" is, to the gazetteer, only an old name of Olemps in France; the report is from Aleppo.
    events = events_of(geoparser, "Gunmen opened fire on a checkpoint in the village of Olan in the "
                       "countryside of Al Bab in Aleppo on Monday.", published=dt.date(2022, 5, 1))
    (event,) = events.itertuples()
    assert event.place_text == "Olan"
    assert event.country_code == "SY"


def test_a_township_of_a_named_region_is_not_its_namesake_abroad(geoparser):
    # The gazetteer has no Kani in Myanmar, only the Japanese city; the chain of divisions
    # ends in Sagaing region, which places the village.
    events = events_of(geoparser, "On 3 June 2022, soldiers burned houses in Kyauk Taing village (Kani township, "
                       "Monywa district, Sagaing region).", published=dt.date(2022, 6, 5))
    (event,) = events.itertuples()
    assert (event.country_code, event.admin1) == ("MM", "Sagaing")


def test_a_community_of_believers_is_not_a_quarter_of_a_town_abroad(geoparser):
    # "Suti" is, to the gazetteer, only another name of a Turkish village; "the Muslim
    # community" is people, and takes no place from it.
    event = the_placed_event(geoparser, "On 12 February 2022, police charged members of the Muslim community "
                             "protesting at Suti town (Murshidabad district, WB) with batons.")
    assert (event.place_text, event.country_code) == ("Suti", "IN")
    assert all(m.place is None for m in geoparser.mentions("Members of the Muslim community protested.") if m.text == "Muslim")


def test_a_town_the_small_model_calls_a_person_is_placed_next_to_the_documents_other_places(geoparser):
    events = events_of(geoparser, "Police in Las Vegas said a man was shot dead on Sunday in Pahrump.",
                       published=dt.date(2024, 5, 1))
    (event,) = events.itertuples()
    assert (event.place_text, event.place_name, event.admin1, event.geo_precision) == ("Pahrump", "Pahrump", "Nevada", 1)
    assert abs(event.lat - 36.21) < 0.1 and abs(event.lon + 115.98) < 0.1


def test_a_looked_up_name_must_lie_near_the_places_its_document_names(gazetteer):
    from geomap.geocode.locate import locate_name
    from geomap.models import Mention

    las_vegas = Mention(0, 9, "Las Vegas", "GPE", gazetteer.lookup("Las Vegas", limit=1)[0])
    assert locate_name(Mention(20, 27, "Pahrump", "PERSON"), [las_vegas], gazetteer).admin1_code == "NV"
    # Paris, Texas and Paris, Tennessee are in the country but nowhere near Las Vegas.
    assert locate_name(Mention(20, 25, "Paris", "PERSON"), [las_vegas], gazetteer) is None
    # A text that names no other place: a town of exactly that name, of 1,000 people or more
    # ("Bützow" written "Butzow"), or of any size where the text says it is a village.
    assert locate_name(Mention(20, 27, "Pahrump", "PERSON"), [], gazetteer).admin1_code == "NV"
    assert locate_name(Mention(20, 26, "Butzow", "PERSON"), [], gazetteer).country_code == "DE"
    assert locate_name(Mention(20, 27, "Busdorf", "PERSON"), [], gazetteer) is None
    assert locate_name(Mention(20, 35, "Busdorf village", "PERSON"), [], gazetteer).country_code == "DE"
    assert locate_name(Mention(20, 27, "Colmar", "PERSON"), [], gazetteer).country_code == "FR"
    assert locate_name(Mention(20, 27, "Kalmr", "PERSON"), [], gazetteer) is None  # no town by exactly that name


@pytest.mark.parametrize(
    ("sentence", "verb"),
    [
        ("At least four soldiers were killed in the clashes near Aleppo on Monday.", "killed"),
        ("A suicide bomber detonated a car bomb in Kabul on Monday.", "detonated"),
        ("ISIS launched an offensive on Palmyra on Tuesday.", "launched"),
        # "managed to", "continued to" say the deed was done: it is the deed's verb
        ("Rebel fighters managed to capture the village of Kafr Nabudah on Monday.", "capture"),
        ("Troops continued to shell positions near Marib on Tuesday.", "shell"),
    ],
    ids=["killed-in-clashes", "detonated-a-bomb", "launched-an-offensive", "managed-to-capture", "continued-to-shell"],
)
def test_an_incident_is_anchored_at_the_verb_that_reports_it(geoparser, sentence, verb):
    # Halterman's event sentences mark the verb ("killed"), not the incident's noun ("clashes").
    events = events_of(geoparser, sentence, published=dt.date(2025, 3, 5))
    assert list(events["trigger_text"]) == [verb]
    row = events.iloc[0]
    assert sentence[int(row.trigger_start):int(row.trigger_end)] == verb


def test_each_verb_of_an_incident_is_a_mention_and_the_table_counts_the_incident_once(geoparser):
    texts = ["Gunmen stormed the village of Mainok on Monday, killing 39 people and destroying the market.",
             "Police said a bomb exploded in Quetta on Friday."]
    articles = [Article(id=f"a{i}", text=t, published=dt.date(2025, 3, 5)) for i, t in enumerate(texts)]
    result = extract_events(articles, geoparser=geoparser)
    assert [m.trigger_text for m in result.mentions] == ["stormed", "killing", "destroying", "exploded"]  # "said" tells of it
    first = result.mentions[0]
    assert [m.repeats for m in result.mentions] == [None, first.trigger_start, first.trigger_start, None]
    events = build_events(result.mentions, {a.id: a for a in articles})
    stormed = events[events["article_id"] == "a0"]
    assert list(stormed["trigger_text"]) == ["stormed"]
    assert (int(stormed.iloc[0].n_mentions), int(stormed.iloc[0].fatalities)) == (1, 39)



def test_a_verb_of_the_incident_that_names_its_target_is_at_that_target(geoparser):
    # `geomap events` writes each verb's place: "targeting" is at Saraqib, not at the province
    # the offensive was launched in; the events table still counts the incident once.
    text = "The army launched an offensive in Idlib province on Tuesday, targeting rebel positions in the town of Saraqib."
    article = Article(id="a", text=text, published=dt.date(2025, 3, 5))
    mentions = extract_events([article], geoparser=geoparser).mentions
    assert [(m.trigger_text, m.place.text if m.place else None) for m in mentions] == [
        ("launched", "Idlib province"), ("targeting", "Saraqib")]
    assert len(build_events(mentions, {"a": article})) == 1


def the_placed_event(geoparser, text: str):
    """The one event of ``text`` the map shows (an assertion error when there are none or several)."""
    events = events_of(geoparser, text)
    located = events.dropna(subset=["lat"])
    assert len(located) == 1, events[["place_text", "place_name", "country_code"]]
    return located.iloc[0]


@pytest.mark.parametrize(
    ("text", "place", "admin1", "country"),
    [
        # A one-word name the small model calls a person, after "in" or "through": a town,
        # also where the text names no other place.
        ("On 29 April 2022, activists demonstrated in Kalmar to draw attention to climate change.",
         "Kalmar", "Kalmar län", "SE"),
        ("On 5 February 2022, about 200 protesters marched through Norwich against the bill.",
         "Norwich", "England", "GB"),
        # A name right before ", Region": a place of that region, whatever the model calls it.
        ("On 12 June 2022, Russian forces shelled Soledar, Donetsk. 1 civilian was killed.",
         "Soledar", "Donetska oblast", "UA"),
        ("Around 15 June 2022, close to Santiago Yolomecatl, Oaxaca, a woman was killed.",
         "Santiago Yolomécatl", "Oaxaca", "MX"),
        ("On 19 February 2022, rebel forces fired mortars at positions near Shyrokyne, Donetsk.",
         "Shyrokyne", "Donetska oblast", "UA"),
        # Name and qualifier parsed as one entity.
        ("On 21 February 2022, in Gomez Palacio, Durango, about 100 teachers marched to demand their pay.",
         "Gómez Palacio", "Durango", "MX"),
        # ... or the town and its region both read as persons.
        ("On 9 May 2022, Russian troops shelled Rubizhne, Luhansk, hitting two schools.",
         "Rubizhne", "Luhanska oblast", "UA"),
        # A town read with its bracketed region as one entity, even as a title.
        ("On 16 March 2022, in Chimbote (Ancash), fishermen blocked the port road to demand fuel subsidies.",
         "Chimbote", "Ancash", "PE"),
        ("On 11 June 2022, teachers held a protest at the Statehouse in Montpelier (Vermont) over pensions.",
         "Montpelier", "Vermont", "US"),
        # A town's name the tagger reads as a verb's -ing form, after "in".
        ("On 29 April 2022, climate activists demonstrated in Norrkoping against a new motorway.",
         "Norrköping", "Östergötlands län", "SE"),
        # A spelling of the town's name is its name, whatever other countries the report names.
        ("On 5 March 2022, about 1,500 people, members of the Ukrainian community among them, demonstrated "
         "in St. Gallen against Russia's invasion of Ukraine.", "Sankt Gallen", "Sankt Gallen", "CH"),
        # A province's name shared abroad ("North Western", Zambia) does not move the town out of its country.
        ("On 20 April 2022, fishermen staged a protest in Puttalam (Puttalam, North Western) over fuel prices.",
         "Puttalam", "North Western Province", "LK"),
        # A town the small model calls a nationality, which the text calls a town.
        ("On 31 May 2022, residents held a protest at Surankot town (Poonch district, J&K) over the water supply.",
         "Surankōt", "Jammu and Kashmīr", "IN"),
    ],
    ids=["in-person", "through-person", "person-comma-region", "two-word-person", "nationality-comma-region",
         "one-entity", "two-persons", "bracket-title", "bracket-place", "ing-form", "spelling", "shared-province",
         "nationality-called-town"],
)
def test_a_named_town_is_where_the_event_is(geoparser, text, place, admin1, country):
    event = the_placed_event(geoparser, text)
    assert (event.place_name, event.admin1, event.country_code) == (place, admin1, country)


@pytest.mark.parametrize(
    ("text", "place", "admin1", "country"),
    [
        # A town inside what the small model calls an organisation, after "in": the place.
        ("On 9 March 2022, people staged a protest in front of the UN Office in Colombo (Colombo, Western) "
         "demanding the release of a journalist.", "Colombo", "Western Province", "LK"),
        ("On 22 March 2022, in Natal (Rio Grande do Norte), police officers gathered in front of the "
         "Governor's office to demand a pay rise.", "Natal", "Rio Grande do Norte", "BR"),
        # One word of an organisation's or a square's name is not where it happened.
        ("On 2 July 2022, thousands of protesters, members of the Sor Party and their backers, took to the "
         "streets in Chisinau against price rises.", "Chișinău", "Chișinău", "MD"),
        ("On 22 May 2022, about 200 people protested at the Tbilisser Platz in Saarbrucken for peace.",
         "Saarbrücken", "Saarland", "DE"),
        ("On 22 February 2022, in Tijuana, Baja California, gunmen killed a man in Colonia Pedregal de Santa Julia.",
         "Tijuana", "Baja California", "MX"),
        # A quarter or a square lies in the town the text names, not in a namesake village.
        ("On 8 May 2022, in Monclova, Coahuila de Zaragoza, relatives of a missing man staged a protest in "
         "Colonia Guadalupe.", "Monclova", "Coahuila de Zaragoza", "MX"),
        ("On 7 June 2022, traders demonstrated at Riviera Square in Kisumu (Kisumu) over new market fees.",
         "Kisumu", "Kisumu", "KE"),
        # ... but a site named after its town is in that town.
        ("On 3 May 2022, thousands of students demonstrated at Alexandria University north of Cairo against the war.",
         "Alexandria", "Al Iskandarīyah", "EG"),
    ],
    ids=["org-in-town", "org-town-qualified", "party-name", "square-name", "quarter-name", "colonia-span",
         "square-in-town", "site-named-after-town"],
)
def test_a_name_inside_a_longer_name_gives_way_to_the_town(geoparser, text, place, admin1, country):
    event = the_placed_event(geoparser, text)
    assert (event.place_name, event.admin1, event.country_code) == (place, admin1, country)


def test_a_quarter_written_after_colonia_stays_in_its_town(geoparser):
    events = events_of(geoparser, "On 5 February 2022, in Zaragoza, La Libertad, gang members shot and killed "
                                  "a taxi driver in colonia San Antonio. 1 fatality.")
    assert set(events.dropna(subset=["lat"]).country_code) == {"SV"}


@pytest.mark.parametrize(
    ("text", "name", "admin1", "country"),
    [
        ("On 5 February 2022, in Zaragoza, La Libertad, gang members shot and killed a taxi driver in colonia San Antonio.",
         "Zaragoza", "La Libertad", "SV"),
        ("On 26 February 2022, hundreds of people from the Ukrainian community gathered outside the CNN Center "
         "in downtown Atlanta (Georgia) to pray for Ukraine and protest against Russia. The event was organised "
         "by the Georgia branch of a committee of America.",
         "Atlanta", "Georgia", "US"),
    ],
    ids=["el-salvador-not-peru", "us-state-not-country"],
)
def test_a_qualifier_is_the_region_of_its_name_that_holds_the_town(geoparser, text, name, admin1, country):
    """Not Peru's La Libertad or the country of Georgia, where no such town lies (it was left unplaced)."""
    by_text = {m.text: m.place for m in geoparser.mentions(text)}
    assert by_text[name] is not None
    assert (by_text[name].admin1_name, by_text[name].country_code) == (admin1, country)


@pytest.mark.parametrize(
    ("text", "place", "admin1", "country"),
    [
        # The namesake of a part of the town elsewhere (in another region, another country) is
        # not where it happened: the place the report writes with its region in parentheses is.
        ("On 9 June 2022, in Caloto municipality (Cauca), soldiers and dissidents clashed in the La Esperanza "
         "area, leaving two injured.", "Caloto", "Cauca", "CO"),
        ("On 12 May 2022, in Rio Largo municipality (Alagoas), a man was shot and injured in Boa Vista village by a "
         "gunman on a motorcycle.", "Rio Largo", "Alagoas", "BR"),
        ("On 6 April 2022, in Surakarta city (Central Java province), students held a protest at the Victoria "
         "monument against fuel prices.", "Surakarta", "Jawa Tengah", "ID"),
    ],
    ids=["area-namesake", "village-namesake", "monument-namesake"],
)
def test_a_place_elsewhere_gives_way_to_the_one_the_report_places_in_parentheses(geoparser, text, place, admin1, country):
    event = the_placed_event(geoparser, text)
    assert (event.place_name, event.admin1, event.country_code) == (place, admin1, country)


@pytest.mark.parametrize(
    ("text", "district", "admin1"),
    [
        # A village the gazetteer does not hold, written with its district and region: the
        # event stands in at the district (about 50 km across), not at the whole region.
        ("On 4 March 2022, soldiers killed two farmers in Kyun Gyi village of Natogyi township "
         "(Myingyan district, Mandalay region).", "Myingyan District", "Mandalay"),
        ("On 2 June 2022, unidentified gunmen killed a teacher in Baw Sa Kone village (Kyaukse district, "
         "Mandalay region).", "Kyaukse District", "Mandalay"),
    ],
    ids=["village-of-township", "village"],
)
def test_an_unknown_village_stands_in_at_its_district_not_its_region(geoparser, text, district, admin1):
    event = the_placed_event(geoparser, text)
    assert (event.place_name, event.feature_code, event.admin1) == (district, "ADM2", admin1)
