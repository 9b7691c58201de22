"""The event store as a library: what it keeps, how it reads it back, what it refuses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3

import pandas as pd
import pytest

from geomap.events import build_events
from geomap.extract.events import EventMention
from geomap.models import EVENT_COLUMNS, Article
from geomap.overrides import (
    OverrideRow,
    OverridesError,
    apply_overrides,
    read_overrides,
    resolve_overrides,
)
from geomap.pipeline import Geoparser, extract_events
from geomap.store import (
    STORE_NAME,
    EventStore,
    StoreBusyError,
    StoreError,
    compare_events,
    read_events,
    write_csv,
    write_geojson,
)
from geomap.workflow import build_store_events

PUBLISHED = dt.date(2025, 3, 5)
KHARKIV = Article(
    id="kharkiv-1",
    text="Missile strike on Kharkiv\n\nA missile strike hit Kharkiv on Monday, killing two civilians, officials said.",
    title="Missile strike on Kharkiv",
    published=PUBLISHED,
    url="https://example.org/kharkiv",
    path="feed.jsonl:1",
)
LUHANSK = Article(
    id="luhansk-1",
    text="Blast in Lugansk\n\nAn explosion in Lugansk on Tuesday killed the former mayor, local officials said. "
    "Talks will be held in Istanbul next week.",
    title="Blast in Lugansk",
    published=PUBLISHED,
    path="feed.jsonl:2",
)


@pytest.fixture(scope="module")
def geoparser(gazetteer) -> Geoparser:
    return Geoparser(gazetteer)


@pytest.fixture(scope="module")
def extracted(geoparser):
    return extract_events([KHARKIV, LUHANSK], geoparser=geoparser)


def store_all(store: EventStore, extracted, *articles: Article) -> None:
    for article in articles:
        mentions = [m for m in extracted.mentions if m.article_id == article.id]
        store.put_article(article, mentions, extracted.toponyms[article.id], gazetteer_version="test")


def test_mentions_come_back_equal_with_their_places_dates_and_alternatives(tmp_path, extracted):
    with EventStore.open(tmp_path) as store:
        store_all(store, extracted, KHARKIV, LUHANSK)
        again = store.mentions()
        toponyms = store.toponyms()
    assert again == extracted.mentions
    assert all(isinstance(m, EventMention) for m in again)
    dated = [m for m in again if m.date is not None]
    assert dated and all(isinstance(m.date, dt.date) for m in dated)
    placed = [m for m in again if m.place is not None and m.place.place is not None]
    assert placed
    original = {(m.article_id, m.trigger_start): m for m in extracted.mentions}
    for m in placed:
        assert m.place.alternatives == original[(m.article_id, m.trigger_start)].place.alternatives
        assert isinstance(m.place.alternatives, tuple)
    assert toponyms == extracted.toponyms


def test_events_built_from_the_store_equal_those_built_from_the_extraction(tmp_path, extracted):
    with EventStore.open(tmp_path) as store:
        store_all(store, extracted, KHARKIV, LUHANSK)
        events, used = build_store_events(store)
    direct = build_events(extracted.mentions, {KHARKIV.id: KHARKIV, LUHANSK.id: LUHANSK},
                          article_order={KHARKIV.id: 1, LUHANSK.id: 2})
    pd.testing.assert_frame_equal(events, direct)
    assert not used


def test_the_events_table_round_trips_byte_for_byte(tmp_path, extracted):
    with EventStore.open(tmp_path) as store:
        store_all(store, extracted, KHARKIV, LUHANSK)
        events, _ = build_store_events(store)
        store.write_events_table(events)
    with EventStore.open_existing(tmp_path) as store:
        stored = store.read_events()
    pd.testing.assert_frame_equal(stored, events)
    write_csv(events, tmp_path / "a.csv")
    write_csv(stored, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    pd.testing.assert_frame_equal(read_events(tmp_path), events)
    write_geojson(stored, tmp_path / "e.geojson")
    pd.testing.assert_frame_equal(read_events(tmp_path / "e.geojson"), read_events(tmp_path / "a.csv"))


def test_an_article_keeps_its_first_seen_number_when_it_is_replaced(tmp_path, extracted):
    with EventStore.open(tmp_path) as store:
        store_all(store, extracted, KHARKIV, LUHANSK)
        edited = dataclasses.replace(KHARKIV, text=KHARKIV.text.replace("two", "three"))
        seq = store.put_article(edited, [], [], gazetteer_version="test")
        order = store.article_order()
        stored = {s.article.id: s for s in store.stored_articles()}
        mentions = store.mentions()
    assert seq == 1 and order == {KHARKIV.id: 1, LUHANSK.id: 2}
    assert stored[KHARKIV.id].article.text == edited.text
    assert stored[KHARKIV.id].n_mentions == 0
    assert {m.article_id for m in mentions} == {LUHANSK.id}


@pytest.mark.parametrize(
    ("article", "expected"),
    [
        (KHARKIV, "unchanged"),
        (dataclasses.replace(KHARKIV, path="other-name.txt", title="Another title"), "unchanged"),
        (dataclasses.replace(KHARKIV, published=None), "unchanged"),
        (dataclasses.replace(KHARKIV, id="same-text-other-id"), "unchanged"),
        (dataclasses.replace(KHARKIV, text=KHARKIV.text + " More was reported later."), "updated"),
        (dataclasses.replace(KHARKIV, published=dt.date(2025, 3, 6)), "updated"),
        (dataclasses.replace(KHARKIV, id="other", text="Shelling hit Odesa on Monday."), "new"),
    ],
    ids=["same", "same-text-other-file", "no-date-given", "same-text-other-id", "edited-text", "other-date", "new"],
)
def test_a_run_plan_sorts_articles_by_what_the_store_holds(tmp_path, extracted, article, expected):
    with EventStore.open(tmp_path) as store:
        store_all(store, extracted, KHARKIV)
        plan = store.plan([article])
    kinds = {"new": plan.new, "updated": plan.updated, "unchanged": plan.unchanged}
    assert kinds[expected] == [article]
    assert plan.to_extract == ([article] if expected != "unchanged" else [])


def test_the_same_text_twice_in_one_run_is_extracted_once(tmp_path):
    twin = dataclasses.replace(KHARKIV, path="copy.txt")
    with EventStore.open(tmp_path) as store:
        plan = store.plan([KHARKIV, twin, LUHANSK])
    assert plan.to_extract == [KHARKIV, LUHANSK]
    assert plan.unchanged == [twin]


def test_a_second_writer_waits_then_gives_up_with_a_clear_error(tmp_path):
    waited = []
    with EventStore.open(tmp_path):
        with pytest.raises(StoreBusyError, match=r"the store .*geomap\.sqlite is in use by another geomap run"):
            EventStore.open(tmp_path, wait=0.2, on_wait=lambda: waited.append(True))
    assert waited == [True]
    with EventStore.open(tmp_path, wait=0):  # the lock went with the first store
        pass


def test_readers_need_no_lock(tmp_path, extracted):
    with EventStore.open(tmp_path) as store:
        store_all(store, extracted, KHARKIV)
        with EventStore.open_existing(tmp_path) as reader:
            assert [s.article.id for s in reader.stored_articles()] == [KHARKIV.id]
            with pytest.raises(StoreError, match="opened to read"):
                reader.put_article(LUHANSK, [], [], gazetteer_version="test")


def test_no_store_is_an_error_that_says_how_to_make_one(tmp_path):
    with pytest.raises(StoreError, match=r"no event store at .*geomap\.sqlite; `geomap run PATH --out"):
        EventStore.open_existing(tmp_path)


def test_a_file_that_is_not_a_store_is_refused_and_left_alone(tmp_path):
    junk = b"these are notes, not a database\n" * 100
    (tmp_path / STORE_NAME).write_bytes(junk)
    with pytest.raises(StoreError, match=r"is damaged \(not an SQLite database"):
        EventStore.open(tmp_path)
    assert (tmp_path / STORE_NAME).read_bytes() == junk


def test_a_store_from_a_newer_geomap_is_refused(tmp_path):
    with EventStore.open(tmp_path):
        pass
    with sqlite3.connect(tmp_path / STORE_NAME) as db:
        db.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer geomap"):
        EventStore.open(tmp_path)


def test_an_unreadable_stored_extraction_points_to_rebuild(tmp_path, extracted):
    with EventStore.open(tmp_path) as store:
        store_all(store, extracted, KHARKIV)
    with sqlite3.connect(tmp_path / STORE_NAME) as db:
        db.execute("UPDATE mentions SET data = ?", (json.dumps({"article_id": KHARKIV.id}),))
    with EventStore.open(tmp_path) as store, pytest.raises(StoreError, match="geomap rebuild --out"):
        store.mentions()


def test_compare_events_tells_new_merged_changed_unchanged_and_removed():
    before = pd.DataFrame([
        {"event_id": "a", "n_sources": 1, "n_mentions": 1, "place_name": "Kharkiv"},
        {"event_id": "b", "n_sources": 1, "n_mentions": 1, "place_name": "Odesa"},
        {"event_id": "c", "n_sources": 1, "n_mentions": 2, "place_name": "Sumy"},
        {"event_id": "d", "n_sources": 1, "n_mentions": 1, "place_name": "Lviv"},
    ]).reindex(columns=list(EVENT_COLUMNS))
    after = pd.DataFrame([
        {"event_id": "a", "n_sources": 2, "n_mentions": 2, "place_name": "Kharkiv"},
        {"event_id": "b", "n_sources": 1, "n_mentions": 1, "place_name": "Odesa"},
        {"event_id": "c", "n_sources": 1, "n_mentions": 2, "place_name": "Sumy (corrected by analyst)"},
        {"event_id": "e", "n_sources": 1, "n_mentions": 1, "place_name": "Dnipro"},
    ]).reindex(columns=list(EVENT_COLUMNS))
    changes = compare_events(before, after)
    assert (changes.new, changes.merged, changes.changed, changes.unchanged, changes.removed) == (
        ["e"], ["a"], ["c"], ["b"], ["d"])
    assert changes.summary() == "1 new event, 1 merged into stored events, 1 changed, 1 unchanged, 1 removed"


def test_an_event_whose_id_changed_with_its_place_is_changed_not_new():
    row = {"article_id": "k1", "trigger_start": 12, "event_type": "Battles", "n_sources": 1, "n_mentions": 1}
    before = pd.DataFrame([{**row, "event_id": "a", "place_name": "Kharkiv"},
                           {**row, "event_id": "b", "trigger_start": 80, "place_name": "Kharkiv"}])
    after = pd.DataFrame([{**row, "event_id": "c", "place_name": "Kharkiv (corrected by analyst)"},
                          {**row, "event_id": "d", "trigger_start": 99, "place_name": "Kharkiv"}])
    changes = compare_events(before.reindex(columns=list(EVENT_COLUMNS)), after.reindex(columns=list(EVENT_COLUMNS)))
    assert (changes.new, changes.changed, changes.removed) == (["d"], ["c"], ["b"])


# -- corrections ---------------------------------------------------------------------------


def write(tmp_path, text: str):
    path = tmp_path / "overrides.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("place_text,geonameid\nKharkiv,abc\n", ":2: geonameid 'abc' is not a whole number"),
        ("place_text,lat,lon\nKharkiv,95,36.2\n", ":2: lat '95' is not a latitude (expected a number from -90 to 90)"),
        ("place_text,lat,lon\nKharkiv,50.0,east\n", ":2: lon 'east' is not a longitude"),
        ("place_text,lat,lon\nKharkiv,50.0,\n", ":2: lat given without lon"),
        ("place_text,geonameid,lat,lon\nKharkiv,706483,50,36\n", ":2: give a geonameid or lat and lon, not both"),
        ("place_text,geonameid\n,706483\n", ":2: place_text is empty"),
        ("place_text,geonameid\nKharkiv,\n", ":2: no place for 'Kharkiv'"),
        ("place_text,geonameid\nKharkiv,706483,extra\n", ":2: 3 values but the header has 2 columns"),
        ("place,geonameid\nKharkiv,706483\n", ":1: unknown column 'place'"),
        ("place_text,note\nKharkiv,x\n", ":1: the header must have place_text and geonameid or lat and lon"),
        ("# corrections\nplace_text,geonameid\nKharkiv,706483\n\nkharkiv,706483\n",
         ":5: 'kharkiv' is already corrected on line 3"),
    ],
    ids=["geonameid-not-a-number", "lat-off-earth", "lon-not-a-number", "lat-without-lon", "both", "no-place-text",
         "no-place", "too-many-values", "unknown-column", "no-place-column", "twice"],
)
def test_a_bad_overrides_row_is_named_by_file_and_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(OverridesError) as err:
        read_overrides(path)
    assert str(err.value).startswith(f"{path}{message}")


def test_a_geonameid_the_gazetteer_does_not_hold_is_named_by_file_and_line(tmp_path, gazetteer):
    path = write(tmp_path, "place_text,geonameid\nKharkiv,999999999\n")
    with pytest.raises(OverridesError, match=rf"^{path}:2: geonameid 999999999 is not in the gazetteer"):
        resolve_overrides(read_overrides(path), gazetteer)


def test_corrections_replace_the_place_of_matching_mentions_only(tmp_path, gazetteer, extracted):
    (korenevo, *_) = gazetteer.lookup("Korenevo", country_codes=["RU"])
    path = write(
        tmp_path,
        "\ufeffplace_text,article_id,geonameid,lat,lon,name,note\n"
        f"  LUGANSK ,,,48.60,39.25,Luhansk airport,\"seen on video, not the city\"\n"
        f"Kharkiv,{LUHANSK.id},{korenevo.geonameid},,,,wrong article: matches nothing\n",
    )
    rows = read_overrides(path)
    assert [r.line for r in rows] == [2, 3]
    overrides = resolve_overrides(rows, gazetteer)
    mentions, used = apply_overrides(extracted.mentions, overrides)
    assert used == {rows[0]: 1}
    (changed,) = [m for m in mentions if m not in extracted.mentions]
    place = changed.place.place
    assert changed.place.text == "Lugansk"
    assert place.name == "Luhansk airport"
    assert changed.corrected == "corrected by analyst: seen on video, not the city"
    assert (place.lat, place.lon, place.country_code, place.source) == (48.60, 39.25, "UA", "override")
    assert -9 * 10**14 <= place.geonameid < -4 * 10**14
    kharkiv = [m for m in mentions if m.article_id == KHARKIV.id]
    assert kharkiv == [m for m in extracted.mentions if m.article_id == KHARKIV.id]


def test_a_later_correction_of_the_same_place_wins(gazetteer):
    (kharkiv, *_) = gazetteer.lookup("Kharkiv", country_codes=["UA"])
    first = OverrideRow("a.csv", 2, "Kharkiv", lat=50.0, lon=36.2)
    second = OverrideRow("b.csv", 2, "kharkiv", geonameid=kharkiv.geonameid, note="the city")
    (override,) = resolve_overrides([first, second], gazetteer)
    assert override.row == second
    assert (override.place.name, override.corrected) == (kharkiv.name, "corrected by analyst: the city")


def test_the_example_overrides_file_reads_and_resolves(gazetteer):
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "data" / "overrides.example.csv"
    overrides = resolve_overrides(read_overrides(path), gazetteer)
    assert [(o.row.place_text, o.place.country_code) for o in overrides] == [("Korenevo", "RU"), ("Moscow City", "RU")]
    assert (overrides[0].place.name, overrides[0].corrected) == ("Korenevo", "corrected by analyst: the village in Kursk oblast")


def test_a_yaml_overrides_file_gives_the_rows_its_csv_twin_gives(tmp_path):
    csv_path = write(tmp_path, "place_text,article_id,geonameid,lat,lon,name,note\n"
                               "Korenevo,,544906,,,,the village\nLugansk,a1,,48.6,39.25,Luhansk airport,\n")
    yaml_path = tmp_path / "overrides.yaml"
    yaml_path.write_text("# corrections\n- place_text: Korenevo\n  geonameid: 544906\n  note: the village\n"
                         "- place_text: Lugansk\n  article_id: a1\n  lat: 48.6\n  lon: 39.25\n"
                         "  name: Luhansk airport\n", encoding="utf-8")
    from_yaml = read_overrides(yaml_path)
    assert [r.line for r in from_yaml] == [2, 5]
    strip = lambda rows: [dataclasses.replace(r, source="", line=0) for r in rows]  # noqa: E731
    assert strip(from_yaml) == strip(read_overrides(csv_path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- place_text: Kharkiv\n  geonameid: 706483\n- place_text: Odesa\n  latitude: 46.5\n",
         ":3: unknown key 'latitude'"),
        ("- place_text: Kharkiv\n  lat: 49.9\n", ":1: lat given without lon"),
        ("place_text: Kharkiv\n", ":1: expected a list of corrections"),
        ("- place_text: [Kharkiv\n", ":2: not valid YAML"),
    ],
    ids=["unknown-key", "half-a-point", "not-a-list", "broken"],
)
def test_a_bad_yaml_overrides_entry_is_named_by_file_and_line(tmp_path, text, message):
    path = tmp_path / "overrides.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OverridesError) as err:
        read_overrides(path)
    assert str(err.value).startswith(f"{path}{message}")
