"""The command line as a user meets it: exit codes and messages, through the real command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from geomap.cli import EXIT_ERROR, EXIT_SOME_FAILED, cli

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(cli.commands)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"geomap {command}" in result.output


def test_python_dash_m_runs_the_cli():
    proc = subprocess.run([sys.executable, "-m", "geomap", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert "run" in proc.stdout and "geoparse" in proc.stdout


def test_run_with_a_missing_file_says_so(tmp_path):
    result = invoke("run", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "out"))
    assert result.exit_code == EXIT_ERROR
    assert f"{tmp_path / 'nope.txt'}: no such file or folder" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02\x03binary\x00\x00\xff" * 20, "binary"),
        ("Обстрел Харькова: погибли двое мирных жителей.".encode("cp1251"), "not UTF-8"),
    ],
    ids=["empty", "binary", "cp1251"],
)
def test_a_bad_file_is_named_with_its_reason_and_the_good_one_goes_through(tmp_path, gazetteer, content, reason):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad.txt").write_bytes(content)
    (folder / "good.txt").write_text(
        "Shelling in Kharkiv\n\nShelling killed two civilians in Kharkiv on Monday, officials said.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = invoke("run", str(folder), "--out", str(out), "--published", "2025-03-05")
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    assert f"Failed: {folder / 'bad.txt'}:" in result.output
    assert reason in result.output
    events = (out / "events.csv").read_text(encoding="utf-8")
    assert "Kharkiv" in events
    assert "2025-03-03" in events  # "on Monday" before Wednesday 5 March 2025


def test_run_with_only_bad_files_fails_and_writes_nothing(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = invoke("run", str(tmp_path / "empty.txt"), "--out", str(tmp_path / "out"))
    assert result.exit_code == EXIT_ERROR
    assert "empty" in result.output
    assert "Error: no article could be read" in result.output
    assert not (tmp_path / "out").exists()


def test_published_must_be_a_date(tmp_path):
    result = invoke("run", str(ROOT / "seeds"), "--published", "3 July")
    assert result.exit_code == 2
    assert "expected a date as YYYY-MM-DD, got '3 July'" in result.output


def test_geoparse_writes_offsets_into_the_text(tmp_path, gazetteer):
    text = "A car bomb exploded in Lugansk on Friday, and talks were held in Istanbul."
    infile = tmp_path / "in.jsonl"
    infile.write_text(json.dumps({"id": "a1", "text": text}) + "\n", encoding="utf-8")
    outfile = tmp_path / "out.jsonl"
    result = invoke("geoparse", str(infile), "-o", str(outfile))
    assert result.exit_code == 0, result.output
    (line,) = outfile.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["id"] == "a1"
    names = {t["name"]: t for t in record["toponyms"]}
    assert set(names) == {"Lugansk", "Istanbul"}
    for t in record["toponyms"]:
        assert text[t["start"] : t["end"]] == t["name"]
    assert names["Lugansk"]["country_code"] == "UA"
    assert names["Istanbul"]["country_code"] == "TR"
    assert set(names["Lugansk"]) >= {"start", "end", "name", "lat", "lon", "geonameid", "feature_code", "country_code", "score"}


def test_geocode_puts_the_right_place_first(gazetteer):
    result = invoke("geocode", "Lugansk", "--limit", "3")
    assert result.exit_code == 0
    first = result.output.splitlines()[0]
    assert "UA" in first and "Luhansk" in first


def test_geocode_unknown_name(gazetteer):
    result = invoke("geocode", "Qwxzzy")
    assert result.exit_code == EXIT_ERROR
    assert "No place named 'Qwxzzy'" in result.output
