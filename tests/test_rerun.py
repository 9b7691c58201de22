"""Running again on new articles: the event store through the real command.

Reruns add only what is new and merge incidents reported again into the events they
already are; a run killed at any moment or racing another one leaves a valid store;
corrections apply to every later run; online geocoders fail safe and are asked once.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import PUBLISHED, incident_report
from nominatim_server import FAULTS, NominatimServer, nominatim_server  # noqa: F401 (the fixture)

from geomap.cli import EXIT_ERROR, cli
from geomap.store import STORE_NAME, EventStore, read_events

ROOT = Path(__file__).resolve().parent.parent
# How long a test waits for a subprocess before calling it hung: a guard, never an assertion on speed.
HUNG = 300


def geomap(*args) -> object:
    """The real command, in this process."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def geomap_process(*args, **kwargs) -> subprocess.Popen:
    """The real command, in a process of its own."""
    return subprocess.Popen([sys.executable, "-m", "geomap", *map(str, args)], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def finish(proc: subprocess.Popen) -> tuple[str, str]:
    out, err = proc.communicate(timeout=HUNG)
    return out, err


def db(out: Path) -> contextlib.closing[sqlite3.Connection]:
    return contextlib.closing(sqlite3.connect(out / STORE_NAME))


def stored_ids(out: Path) -> list[str]:
    with db(out) as con:
        return [r[0] for r in con.execute("SELECT id FROM articles ORDER BY seq")]


def csv_rows(out: Path) -> list[dict]:
    return pd.read_csv(out / "events.csv", dtype=str, keep_default_na=False).to_dict(orient="records")


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("events.csv", "events.geojson", "map.html")}


KHARKIV_FIRST = ("Missile strike on Kharkiv\n\nA Russian missile strike hit Kharkiv on Tuesday, "
                 "killing four people, officials said.\n")
KHARKIV_AGAIN = ("Four dead in Kharkiv\n\nFour people died when a missile struck a residential area in Kharkiv "
                 "on Tuesday, the governor said.\n")


# -- rerunning ----------------------------------------------------------------------------


def test_a_second_run_on_the_same_articles_adds_nothing_and_writes_the_same_bytes(tmp_path, gazetteer, write_reports):
    folder, out = tmp_path / "in", tmp_path / "out"
    write_reports(folder, range(3))
    first = geomap("run", folder, "--out", out, "--published", PUBLISHED)
    assert first.exit_code == 0, first.output
    n = len(csv_rows(out))
    assert n == 3
    assert first.stdout.splitlines()[0] == "Read 3 articles; 3 new; 3 new events; 3 events in the store (3 on the map)."
    before = outputs(out)

    # The same texts under other file names are the same articles.
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    for i, path in enumerate(sorted(folder.iterdir())):
        (renamed / f"copy-{i}.md").write_bytes(path.read_bytes())
    for again in (folder, renamed):
        second = geomap("run", again, "--out", out, "--published", PUBLISHED)
        assert second.exit_code == 0, second.output
        assert second.stdout.splitlines()[0] == (
            "Read 3 articles; 3 unchanged; 0 new events, 3 unchanged; 3 events in the store (3 on the map).")
        assert outputs(out) == before
        assert len(stored_ids(out)) == 3


def test_an_incident_a_new_article_reports_again_merges_into_the_stored_event(tmp_path, gazetteer, write_reports):
    out = tmp_path / "out"
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    (first / "kharkiv.txt").write_text(KHARKIV_FIRST, encoding="utf-8")
    write_reports(first, [1])  # Odesa
    result = geomap("run", first, "--out", out, "--published", PUBLISHED)
    assert result.exit_code == 0, result.output
    (kharkiv,) = [r for r in csv_rows(out) if "Kharkiv" in r["evidence"]]
    assert kharkiv["n_sources"] == "1"

    second.mkdir()
    (second / "kharkiv-again.txt").write_text(KHARKIV_AGAIN, encoding="utf-8")
    result = geomap("run", second, "--out", out, "--published", PUBLISHED)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "Read 1 article; 1 new; 0 new events, 1 merged into stored events, 1 unchanged; "
        "2 events in the store (2 on the map).")
    rows = csv_rows(out)
    (merged,) = [r for r in rows if "Kharkiv" in r["evidence"]]
    assert merged["event_id"] == kharkiv["event_id"]
    assert (merged["n_sources"], merged["n_mentions"]) == ("2", "2")
    assert "a missile struck a residential area" in merged["evidence"]
    features = json.loads((out / "events.geojson").read_text(encoding="utf-8"))["features"]
    assert [f["id"] for f in features].count(kharkiv["event_id"]) == 1
    assert (out / "map.html").read_text(encoding="utf-8").count(kharkiv["event_id"]) == 1


def test_an_edited_jsonl_article_replaces_its_earlier_mentions(tmp_path, gazetteer):
    out, feed = tmp_path / "out", tmp_path / "feed.jsonl"

    def write_feed(odesa_text: str) -> None:
        lines = [{"id": "k1", "text": incident_report(0), "published": PUBLISHED},
                 {"id": "o1", "text": odesa_text, "published": PUBLISHED}]
        feed.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")

    write_feed(incident_report(1))
    assert geomap("run", feed, "--out", out).exit_code == 0
    before = {r["article_id"]: r for r in csv_rows(out)}
    assert set(before) == {"k1", "o1"}

    write_feed("Shelling in Poltava\n\nShelling damaged houses in Poltava on Tuesday and wounded three people.\n")
    result = geomap("run", feed, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "Read 2 articles; 1 updated, 1 unchanged; 1 new event, 1 unchanged, 1 removed; "
        "2 events in the store (2 on the map).")
    after = {r["article_id"]: r for r in csv_rows(out)}
    assert after["k1"] == before["k1"]
    assert "Poltava" in after["o1"]["evidence"] and "Odesa" not in after["o1"]["evidence"]
    assert stored_ids(out) == ["k1", "o1"]  # o1 keeps its place in the order
    with db(out) as con:
        texts = [json.loads(d)["sentence"] for (d,) in con.execute("SELECT data FROM mentions WHERE article_id = 'o1'")]
    assert texts and all("Poltava" in t for t in texts)


# -- a killed run, two runs at once ------------------------------------------------------------


def _count_articles(out: Path) -> int:
    path = out / STORE_NAME
    if not path.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as con:
            return con.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def _check_store(out: Path, reference: dict[str, list[str]], order: list[str]) -> int:
    """The store is sound, holds a prefix of the articles in reading order, each with exactly
    the mentions an uninterrupted run stored for it. Returns how many it holds."""
    if not (out / STORE_NAME).exists():  # killed before it made one
        return 0
    with db(out) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "articles" not in tables:  # killed while creating it
            return 0
        rows = con.execute("SELECT id, seq, n_mentions FROM articles ORDER BY seq").fetchall()
        assert [r[0] for r in rows] == order[: len(rows)]
        assert [r[1] for r in rows] == list(range(1, len(rows) + 1))
        for article_id, _, n_mentions in rows:
            data = [d for (d,) in con.execute("SELECT data FROM mentions WHERE article_id = ? ORDER BY idx",
                                              (article_id,))]
            assert data == reference[article_id]
            assert len(data) == n_mentions
        orphans = con.execute("SELECT count(*) FROM mentions WHERE article_id NOT IN (SELECT id FROM articles)")
        assert orphans.fetchone()[0] == 0
    if (out / "events.csv").exists():  # written whole or not at all
        read_events(out / "events.csv")
        json.loads((out / "events.geojson").read_text(encoding="utf-8"))
    return len(rows)


@pytest.mark.slow
def test_a_run_killed_at_any_point_leaves_a_valid_store_and_a_rerun_completes_it(tmp_path, gazetteer, write_reports):
    folder = tmp_path / "in"
    write_reports(folder, range(20))
    reference = tmp_path / "reference"
    proc = geomap_process("run", folder, "--out", reference, "--published", PUBLISHED)
    finish(proc)
    assert proc.returncode == 0
    order = stored_ids(reference)
    with db(reference) as con:
        mentions = {i: [d for (d,) in con.execute("SELECT data FROM mentions WHERE article_id = ? ORDER BY idx", (i,))]
                    for i in order}

    out = tmp_path / "out"
    rng = random.Random(6)
    # Kill once k articles are stored, then a random moment later: k = 0 while starting or
    # creating the store, k = 20 while building the events or writing the outputs.
    points = [0, *sorted(rng.sample(range(1, 20), 3)), 20]
    held = 0
    for k in points:
        proc = geomap_process("run", folder, "--out", out, "--published", PUBLISHED)
        deadline = time.monotonic() + HUNG
        while _count_articles(out) < k and proc.poll() is None:
            assert time.monotonic() < deadline, "the run hung"
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 1.5 if k == 0 else 0.05))
        os.kill(proc.pid, signal.SIGKILL)
        finish(proc)
        now = _check_store(out, mentions, order)
        assert now >= held
        held = now

    proc = geomap_process("run", folder, "--out", out, "--published", PUBLISHED)
    stdout, stderr = finish(proc)
    assert proc.returncode == 0, stderr
    assert _check_store(out, mentions, order) == 20
    done = f"{20 - held} new, {held} unchanged" if held < 20 else "20 unchanged"
    assert stdout.startswith(f"Read 20 articles; {done}; ")
    assert outputs(out)["events.csv"] == outputs(reference)["events.csv"]
    assert outputs(out)["events.geojson"] == outputs(reference)["events.geojson"]


@pytest.mark.slow
def test_two_runs_at_once_on_one_store_both_land_whole(tmp_path, gazetteer, write_reports):
    a, b, out = tmp_path / "a", tmp_path / "b", tmp_path / "out"
    a.mkdir()
    b.mkdir()
    (a / "kharkiv.txt").write_text(KHARKIV_FIRST, encoding="utf-8")
    write_reports(a, range(1, 10))
    (b / "kharkiv-again.txt").write_text(KHARKIV_AGAIN, encoding="utf-8")
    write_reports(b, range(10, 20))
    # What one run after the other gives, in either order: the first to report the strike names it.
    expected = {}
    for first, second in ((a, b), (b, a)):
        ref = tmp_path / f"ref-{first.name}"
        for folder in (first, second):
            assert geomap("run", folder, "--out", ref, "--published", PUBLISHED).exit_code == 0
        expected[first.name] = outputs(ref)["events.csv"]
    assert expected["a"] != expected["b"]

    procs = [geomap_process("run", folder, "--out", out, "--published", PUBLISHED) for folder in (a, b)]
    results = [finish(p) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    waited = [err for _, err in results if "Waiting for another geomap run to finish" in err]
    assert len(waited) <= 1
    with db(out) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        first_path = con.execute("SELECT path FROM articles WHERE seq = 1").fetchone()[0]
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 21
    winner = Path(first_path).parent.name
    assert outputs(out)["events.csv"] == expected[winner]
    (merged,) = [r for r in csv_rows(out) if "Kharkiv" in r["evidence"]]
    assert merged["n_sources"] == "2"


def test_a_run_on_a_store_in_use_gives_up_with_a_clear_message(tmp_path, gazetteer, write_reports):
    folder, out = tmp_path / "in", tmp_path / "out"
    write_reports(folder, range(2))
    with EventStore.open(out):  # another run holds the store
        proc = geomap_process("run", folder, "--out", out, "--wait", "0")
        stdout, stderr = finish(proc)
    assert proc.returncode == EXIT_ERROR
    assert stdout == ""
    assert stderr == (f"Error: the store {out / STORE_NAME} is in use by another geomap run (waited 0 s for it; "
                      "try again when it has finished, or give --wait more seconds)\n")
    assert stored_ids(out) == []
    assert not (out / "events.csv").exists()


def test_a_run_waits_for_the_store_and_goes_on_when_it_is_free(tmp_path, gazetteer, write_reports):
    folder, out = tmp_path / "in", tmp_path / "out"
    write_reports(folder, range(2))
    holder = EventStore.open(out)
    try:
        proc = geomap_process("run", folder, "--out", out, "--wait", str(HUNG))
        lines = iter(proc.stderr.readline, "")
        said = next((line for line in lines if line.startswith("Waiting")), None)
        assert said == f"Waiting for another geomap run to finish with {out / STORE_NAME}...\n"
    finally:
        holder.close()
    stdout, stderr = finish(proc)
    assert proc.returncode == 0, stderr
    assert stdout.startswith("Read 2 articles; 2 new;")
    assert len(stored_ids(out)) == 2


# -- corrections -------------------------------------------------------------------------------


def test_corrections_apply_now_and_on_every_later_run(tmp_path, gazetteer, write_reports):
    folder, out = tmp_path / "in", tmp_path / "out"
    write_reports(folder, range(2))  # Kharkiv, Odesa
    assert geomap("run", folder, "--out", out, "--published", PUBLISHED).exit_code == 0
    before = {r["evidence"]: r for r in csv_rows(out)}

    corrections = tmp_path / "corrections.csv"
    corrections.write_text("place_text,lat,lon,note\nKharkiv,49.95,36.40,strike was on the eastern outskirts\n",
                           encoding="utf-8")
    result = geomap("run", folder, "--out", out, "--overrides", corrections)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "Read 2 articles; 2 unchanged; 0 new events, 1 changed, 1 unchanged; 2 events in the store (2 on the map).")
    assert result.stdout.splitlines()[1] == f"Corrections: 1 event mention corrected by 1 row of {corrections}."
    rows = {r["evidence"]: r for r in csv_rows(out)}
    (kharkiv,) = [r for e, r in rows.items() if "Kharkiv" in e]
    # The place keeps its name; its own column says who moved it and why.
    assert kharkiv["place_name"] == "Kharkiv"
    assert kharkiv["corrected"] == "corrected by analyst: strike was on the eastern outskirts"
    assert (float(kharkiv["lat"]), float(kharkiv["lon"])) == (49.95, 36.40)
    assert kharkiv["event_id"] == before[kharkiv["evidence"]]["event_id"]  # moved, still the same event
    assert "corrected by analyst: strike was on the eastern outskirts" in (out / "map.html").read_text(encoding="utf-8")
    (odesa,) = [r for e, r in rows.items() if "Odesa" in e]
    assert odesa == before[odesa["evidence"]]

    # A later run with a new article and no --overrides still applies them (kept in the store) ...
    write_reports(tmp_path / "more", [2])
    result = geomap("run", tmp_path / "more", "--out", out, "--published", PUBLISHED)
    assert result.exit_code == 0, result.output
    assert ",corrected by analyst: strike was on the eastern outskirts\n" in (out / "events.csv").read_text()
    # ... and so does OUT/overrides.csv, picked up by itself; a row matching nothing is pointed out.
    (odesa_place, *_) = gazetteer.lookup("Odesa", country_codes=["UA"])
    (out / "overrides.csv").write_text(
        f"place_text,geonameid,note\nodesa,{odesa_place.geonameid},\nAtlantis,{odesa_place.geonameid},typo?\n",
        encoding="utf-8")
    result = geomap("run", folder, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"Warning: {out / 'overrides.csv'}:3: no stored event has the place 'Atlantis'" in result.stderr
    rows = {r["evidence"]: r for r in csv_rows(out)}
    (odesa,) = [r for e, r in rows.items() if "Odesa" in e]
    assert (odesa["place_name"], odesa["corrected"]) == (odesa_place.name, "corrected by analyst")
    assert int(odesa["geonameid"]) == odesa_place.geonameid
    assert sum(r["corrected"].startswith("corrected by analyst") for r in rows.values()) == 2
    assert not any("corrected" in r["place_name"] for r in rows.values())


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("place_text,lat,lon\nKharkiv,49.9,36.3\nOdesa,46.5,\n", 3, "lat given without lon"),
        ("place_text,geonameid\nKharkiv,-1\n", 2, "geonameid -1 is not in the gazetteer"),
        ("place_text,latitude,longitude\nKharkiv,49.9,36.3\n", 1, "unknown column 'latitude'"),
    ],
    ids=["half-a-point", "unknown-geonameid", "misnamed-column"],
)
def test_a_bad_corrections_row_stops_the_run_naming_file_and_line_and_changes_nothing(
        tmp_path, gazetteer, write_reports, text, line, reason):
    folder, out = tmp_path / "in", tmp_path / "out"
    write_reports(folder, range(2))
    assert geomap("run", folder, "--out", out, "--published", PUBLISHED).exit_code == 0
    before = outputs(out)
    write_reports(tmp_path / "more", [2])
    corrections = tmp_path / "corrections.csv"
    corrections.write_text(text, encoding="utf-8")
    result = geomap("run", tmp_path / "more", "--out", out, "--overrides", corrections)
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith(f"Error: {corrections}:{line}: {reason}")
    assert outputs(out) == before
    assert len(stored_ids(out)) == 2


# -- rebuild and export ------------------------------------------------------------------------


def test_rebuild_extracts_every_stored_article_again_after_an_upgrade(tmp_path, gazetteer, write_reports):
    folder, out = tmp_path / "in", tmp_path / "out"
    write_reports(folder, range(2))
    assert geomap("run", folder, "--out", out, "--published", PUBLISHED).exit_code == 0
    before = outputs(out)
    with db(out) as con, con:
        # What an older geomap left: another gazetteer, mentions this version cannot read.
        con.execute("UPDATE articles SET gazetteer_version = 'older'")
        con.execute("UPDATE mentions SET data = '{\"article_id\": \"x\"}'")

    result = geomap("run", folder, "--out", out)
    assert result.exit_code == EXIT_ERROR
    assert f"`geomap rebuild --out {out}` extracts every stored article again" in result.stderr
    assert outputs(out) == before

    result = geomap("rebuild", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "Extracted 2 stored articles again; 0 new events, 2 unchanged; 2 events in the store (2 on the map).")
    assert "Note:" not in result.stderr
    assert outputs(out) == before
    with db(out) as con:
        assert {v for (v,) in con.execute("SELECT gazetteer_version FROM articles")} == {gazetteer.meta["index_key"]}

    with db(out) as con, con:
        con.execute("UPDATE articles SET gazetteer_version = 'older' WHERE seq = 1")
    result = geomap("run", folder, "--out", out)
    assert result.exit_code == 0
    assert (f"Note: 1 stored article was extracted by another version of geomap or of its gazetteer; "
            f"`geomap rebuild --out {out}` extracts them again.") in result.stderr


def test_rebuild_needs_a_store(tmp_path):
    result = geomap("rebuild", "--out", tmp_path / "nothing")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr == (f"Error: no event store at {tmp_path / 'nothing' / STORE_NAME}; "
                             f"`geomap run PATH --out {tmp_path / 'nothing'}` makes one\n")
    assert not (tmp_path / "nothing").exists()


def test_export_writes_the_stored_events(tmp_path, gazetteer, write_reports):
    folder, out = tmp_path / "in", tmp_path / "out"
    write_reports(folder, range(3))
    assert geomap("run", folder, "--out", out, "--published", PUBLISHED).exit_code == 0
    for name, args in (("e.csv", ()), ("e.txt", ("--format", "csv")), ("e.geojson", ()), ("e.json", ("--format", "geojson"))):
        result = geomap("export", "--out", out, *args, "-o", tmp_path / name)
        assert result.exit_code == 0, result.output
        assert result.stdout == f"Wrote 3 events to {tmp_path / name}\n"
    assert (tmp_path / "e.csv").read_bytes() == (tmp_path / "e.txt").read_bytes() == (out / "events.csv").read_bytes()
    assert (tmp_path / "e.geojson").read_bytes() == (tmp_path / "e.json").read_bytes() == (out / "events.geojson").read_bytes()


def test_export_says_what_it_needs(tmp_path, gazetteer, write_reports):
    result = geomap("export", "--out", tmp_path, "-o", tmp_path / "events.xlsx")
    assert result.exit_code == 2
    assert "cannot tell the format from 'events.xlsx'; give --format csv, geojson or parquet" in result.stderr
    result = geomap("export", "--out", tmp_path / "nothing", "-o", tmp_path / "events.csv")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith(f"Error: no event store at {tmp_path / 'nothing' / STORE_NAME}")

    out = tmp_path / "out"
    write_reports(tmp_path / "in", range(1))
    assert geomap("run", tmp_path / "in", "--out", out, "--published", PUBLISHED).exit_code == 0
    # Without pyarrow (an optional extra), Parquet is refused with the way to get it.
    code = ("import sys; sys.modules['pyarrow'] = None; from geomap.cli import main; "
            f"sys.argv = ['geomap', 'export', '--out', {str(out)!r}, '-o', {str(tmp_path / 'e.parquet')!r}]; main()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=HUNG)
    assert proc.returncode == EXIT_ERROR
    assert proc.stderr == ("Error: writing Parquet needs the pyarrow package, which is not installed: "
                           "pip install 'geomap[parquet]' (or pip install pyarrow)\n")
    assert not (tmp_path / "e.parquet").exists()


def test_export_to_parquet(tmp_path, gazetteer, write_reports):
    pytest.importorskip("pyarrow", reason="Parquet is the optional extra geomap[parquet]")
    folder, out = tmp_path / "in", tmp_path / "out"
    write_reports(folder, range(3))
    assert geomap("run", folder, "--out", out, "--published", PUBLISHED).exit_code == 0
    result = geomap("export", "--out", out, "-o", tmp_path / "events.parquet")
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(read_events(tmp_path / "events.parquet"), read_events(out / "events.csv"))


# -- online geocoders --------------------------------------------------------------------------

LUHANSK = "Blast in Luhansk\n\nAn explosion in Luhansk on Monday killed the former mayor, officials said.\n"
KORENEVO = ("Strike near Korenevo\n\nA missile strike hit a command post near Korenevo in the Kursk region on Tuesday, "
            "killing 20 servicemen.\n")


@pytest.fixture
def geocoded_articles(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "luhansk.txt").write_text(LUHANSK, encoding="utf-8")
    (folder / "korenevo.txt").write_text(KORENEVO, encoding="utf-8")
    return folder


def online(server: NominatimServer) -> tuple[str, ...]:
    return ("--geocoder", "nominatim", "--geocoder-domain", server.domain, "--geocoder-scheme", "http",
            "--geocoder-min-delay", "0", "--geocoder-retries", "0", "--geocoder-timeout", "0.5")


def cached_answers(out: Path) -> int:
    with db(out) as con:
        return con.execute("SELECT count(*) FROM geocode_cache").fetchone()[0]


def geocoder_stats(stderr: str, server: NominatimServer) -> dict[str, int]:
    """The numbers of the "Geocoder ..." line a run prints on stderr."""
    (line,) = [line for line in stderr.splitlines() if line.startswith(f"Geocoder nominatim@{server.domain}: ")]
    match = re.fullmatch(r"Geocoder \S+: (\d+) answered online, (\d+) from the cache, "
                         r"(\d+) by the offline gazetteer \((\d+) requests\)\.", line)
    assert match, line
    return dict(zip(("online", "cache", "offline", "requests"), map(int, match.groups())))


def test_an_online_geocoder_places_the_events_and_is_asked_once(tmp_path, gazetteer, nominatim_server,
                                                                geocoded_articles):
    out = tmp_path / "out"
    result = geomap("run", geocoded_articles, "--out", out, "--published", PUBLISHED, *online(nominatim_server))
    assert result.exit_code == 0, result.output
    asked = nominatim_server.count
    stats = geocoder_stats(result.stderr, nominatim_server)
    assert stats["online"] == stats["requests"] == asked == cached_answers(out) > 0
    assert stats["offline"] == 0
    rows = csv_rows(out)
    assert len(rows) == 2
    assert all(-4 * 10**15 < int(r["geonameid"]) <= -10**15 for r in rows)  # OpenStreetMap objects
    before = outputs(out)

    # Extracting everything again asks the cache, not the service.
    result = geomap("rebuild", "--out", out, *online(nominatim_server))
    assert result.exit_code == 0, result.output
    assert nominatim_server.count == asked
    assert geocoder_stats(result.stderr, nominatim_server) == {
        "online": 0, "cache": stats["online"] + stats["cache"], "offline": 0, "requests": 0}
    assert outputs(out) == before


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failing_geocoder_never_stops_the_run_the_gazetteer_answers(tmp_path, gazetteer, nominatim_server,
                                                                     geocoded_articles, fault):
    offline = tmp_path / "offline"
    assert geomap("run", geocoded_articles, "--out", offline, "--published", PUBLISHED).exit_code == 0

    nominatim_server.fail(fault)
    out = tmp_path / "out"
    result = geomap("run", geocoded_articles, "--out", out, "--published", PUBLISHED, *online(nominatim_server))
    assert result.exit_code == 0, result.output
    assert nominatim_server.count > 0
    assert "Warning: nominatim failed for " in result.stderr
    stats = geocoder_stats(result.stderr, nominatim_server)
    assert (stats["online"], stats["cache"]) == (0, 0) and stats["offline"] > 0
    assert outputs(out)["events.csv"] == outputs(offline)["events.csv"]
    assert len(csv_rows(out)) == 2
    assert cached_answers(out) == 0  # a failure is not an answer


def test_after_a_failure_the_service_is_asked_again(tmp_path, gazetteer, nominatim_server, geocoded_articles):
    out = tmp_path / "out"
    nominatim_server.fail("503")
    assert geomap("run", geocoded_articles, "--out", out, "--published", PUBLISHED,
                  *online(nominatim_server)).exit_code == 0
    assert all(int(r["geonameid"]) > 0 for r in csv_rows(out))  # GeoNames places, from the gazetteer
    nominatim_server.recover()
    failed = nominatim_server.count
    result = geomap("rebuild", "--out", out, *online(nominatim_server))
    assert result.exit_code == 0, result.output
    assert nominatim_server.count > failed
    assert all(int(r["geonameid"]) < 0 for r in csv_rows(out))  # now the service's places


def test_geocoder_settings_without_a_geocoder_are_a_usage_error(tmp_path):
    result = geomap("run", tmp_path, "--geocoder-domain", "localhost:8080")
    assert result.exit_code == 2
    assert "--geocoder-domain needs --geocoder NAME" in result.stderr


def test_an_unknown_geocoder_is_refused_before_anything_is_written(tmp_path, gazetteer, write_reports):
    write_reports(tmp_path / "in", range(1))
    result = geomap("run", tmp_path / "in", "--out", tmp_path / "out", "--geocoder", "nominatum")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith("Error: unknown geocoder 'nominatum'; expected one of: ")
    assert not (tmp_path / "out").exists()

