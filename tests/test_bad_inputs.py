"""Bad input, nothing lost: every bad file is named with its reason, the good articles'
events land, and the event store keeps everything it held before."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import PUBLISHED, incident_report

from geomap.cli import EXIT_SOME_FAILED, cli
from geomap.store import STORE_NAME

RUSSIAN = "Обстрел Харькова\n\nВ понедельник обстрел Харькова унёс жизни двух мирных жителей, сообщили власти.\n"
SCRIPTS = (
    "<!doctype html><html><head><title>Breaking</title>"
    "<script>document.write('Shelling killed 40 people in Uzhhorod on Monday.')</script>"
    "<style>body::after { content: 'A missile strike hit Ternopil on Monday.' }</style></head>"
    "<body><script src=x.js></script><script>var s = `${'</scr' + 'ipt>'}`; alert('Kyiv')</script>"
    "<noscript>A drone attack on Rivne killed five.</noscript>"
    "<img src=x onerror=\"alert('A bomb exploded in Lutsk')\"><script>eval(atob('YWxlcnQoMSk='))</script>"
    "</body></html>"
)


def bad_files(folder: Path) -> dict[str, str]:
    """Write one file of each kind of bad input; returns file name -> the reason a run must give."""
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "russian-cp1251.txt").write_bytes(RUSSIAN.encode("cp1251"))
    with (folder / "huge.txt").open("wb") as fh:  # 50 MB of plausible text, over the 20 MB limit
        line = incident_report(0).encode("utf-8")
        fh.write(line * (50_000_000 // len(line) + 1))
    (folder / "scripts.html").write_text(SCRIPTS, encoding="utf-8")
    return {
        "empty.txt": "empty file",
        "binary.txt": "binary file, not text",
        "russian-cp1251.txt": "not UTF-8 text (invalid byte 0xce at offset 0); it looks like",
        "huge.txt": "too large (50 MB > 20 MB limit)",
        "scripts.html": "no visible text in the HTML",
    }


def good_files(folder: Path) -> list[str]:
    """The readable ones: a good article, a UTF-16 one with its byte order mark, a feed
    with one broken line among good ones. Returns the towns their events are in."""
    (folder / "good.txt").write_text(incident_report(8), encoding="utf-8")  # Poltava
    (folder / "utf16.txt").write_bytes(incident_report(14).encode("utf-16"))  # Belgorod, with a BOM
    lines = [json.dumps({"id": "feed-1", "text": incident_report(17)}),  # Donetsk
             '{"id": "feed-2", "text": "A missile strike hit Kyiv on Monday.",',  # cut off
             json.dumps({"id": "feed-3", "text": incident_report(9)})]  # Kramatorsk
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["Poltava", "Belgorod", "Donetsk", "Kramatorsk"]


BROKEN_LINE = "feed.jsonl:2: invalid JSON: Expecting property name enclosed in double quotes at column 65"


def geomap(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def events(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "events.csv", dtype=str, keep_default_na=False)


def stored(out: Path) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(out / STORE_NAME)) as con:
        return dict(con.execute("SELECT id, text FROM articles"))


@pytest.mark.parametrize(
    "name", ["empty.txt", "binary.txt", "russian-cp1251.txt", "huge.txt", "scripts.html"],
    ids=["empty", "binary", "cp1251", "50MB", "scripts-only-html"],
)
def test_a_bad_file_is_named_with_its_reason_and_the_good_article_lands(tmp_path, gazetteer, name):
    everything = tmp_path / "all"
    everything.mkdir()
    reasons = bad_files(everything)
    folder = tmp_path / "in"
    folder.mkdir()
    (everything / name).rename(folder / name)
    (folder / "good.txt").write_text(incident_report(8), encoding="utf-8")
    out = tmp_path / "out"
    result = geomap("run", folder, "--out", out, "--published", PUBLISHED)
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    assert result.stdout.startswith("Read 1 article, 1 failed; 1 new; 1 new event;")
    assert result.stderr.startswith(f"Failed: {folder / name}: {reasons[name]}")
    assert list(events(out)["place_text"]) == ["Poltava"]


def test_a_jsonl_file_with_a_broken_line_keeps_its_good_lines(tmp_path, gazetteer):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    good_files(folder)
    (folder / "good.txt").unlink()
    (folder / "utf16.txt").unlink()
    result = geomap("run", folder / "feed.jsonl", "--out", out, "--published", PUBLISHED)
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    assert result.stderr.startswith(f"Failed: {folder / BROKEN_LINE}")
    assert sorted(stored(out)) == ["feed-1", "feed-3"]
    assert sorted(events(out)["place_text"]) == ["Donetsk", "Kramatorsk"]


def test_a_utf16_file_with_a_byte_order_mark_is_read(tmp_path, gazetteer):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "utf16.txt").write_bytes(incident_report(14).encode("utf-16"))
    result = geomap("run", folder, "--out", out, "--published", PUBLISHED)
    assert result.exit_code == 0, result.output
    assert list(stored(out).values()) == [incident_report(14)]
    assert list(events(out)["place_text"]) == ["Belgorod"]


def test_a_folder_of_bad_inputs_loses_nothing_the_store_held(tmp_path, gazetteer, write_reports):
    out = tmp_path / "out"
    write_reports(tmp_path / "earlier", range(3))
    assert geomap("run", tmp_path / "earlier", "--out", out, "--published", PUBLISHED).exit_code == 0
    before = events(out)
    held = stored(out)
    assert len(before) == 3

    folder = tmp_path / "bad"
    folder.mkdir()
    reasons = bad_files(folder)
    towns = good_files(folder)
    result = geomap("run", folder, "--out", out, "--published", PUBLISHED)
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    assert result.stdout.startswith("Read 4 articles, 6 failed; 4 new; 4 new events, 3 unchanged; "
                                    "7 events in the store (7 on the map).")
    failed = sorted(line for line in result.stderr.splitlines() if line.startswith("Failed: "))
    expected = sorted([f"Failed: {folder / name}: {reason}" for name, reason in reasons.items()]
                      + [f"Failed: {folder / BROKEN_LINE}"])
    assert len(failed) == len(expected)
    for line, start in zip(failed, expected):
        assert line.startswith(start)

    after = events(out)
    earlier = after[after["event_id"].isin(before["event_id"])]
    assert len(earlier) == 3
    pd.testing.assert_frame_equal(earlier.reset_index(drop=True), before.reset_index(drop=True))
    assert sorted(after[~after["event_id"].isin(before["event_id"])]["place_text"]) == sorted(towns)
    now = stored(out)
    assert {k: now[k] for k in held} == held
    for text in now.values():  # nothing from the scripts, the styles or the attributes
        assert not any(word in text for word in ("Uzhhorod", "Ternopil", "Rivne", "Lutsk", "alert", "Kyiv"))
