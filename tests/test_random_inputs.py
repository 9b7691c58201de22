"""Bad input never crashes: random bytes, random Unicode and random JSONL field types,
fed to read_articles and to `geomap run` on a small store (hypothesis, bounded examples).

What must hold for every input: no traceback, every file either read or named on
stderr with a reason, every name printable, the stored events never fewer than before.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import PUBLISHED, incident_report
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.articles import SUFFIXES, read_articles
from geomap.cli import cli
from geomap.errors import ArticleError
from geomap.models import Article

# Characters that break naive text handling: right-to-left marks and overrides, the
# line and paragraph separators, a byte order mark, zero-width joiners, NUL, CR.
AWKWARD = "\u200f\u200e\u202e\u2066\u2028\u2029\ufeff\u200d\x00\r\n\t\"',=@+-"
awkward_text = st.text(alphabet=st.one_of(st.sampled_from(AWKWARD), st.characters()), max_size=60)
# Any code point, lone surrogates included (JSON writes them as \udXXX escapes).
any_text = st.text(alphabet=st.characters(blacklist_categories=()), max_size=60)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
record = st.fixed_dictionaries(
    {},
    optional={"id": json_value, "text": st.one_of(json_value, awkward_text, st.just(incident_report(8))),
              "title": json_value, "published": st.one_of(json_value, st.sampled_from(
                  ["0001-01-01", "9999-12-31", "2025-02-30", "2025-03-05T10:00", ""])), "url": json_value},
)
jsonl = st.lists(st.one_of(record.map(lambda r: json.dumps(r, allow_nan=True)), awkward_text), max_size=4).map(
    lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))
content = st.one_of(
    st.binary(max_size=300),
    awkward_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    any_text.map(lambda t: t.encode("utf-16", "surrogatepass")),
    awkward_text.map(lambda t: f"<html><title>{t}</title><body><p>{t}</p></body></html>".encode("utf-8", "surrogatepass")),
    jsonl,
)
# File names as bytes: anything but "/" and NUL, so names that are not UTF-8 (Python
# reads them as lone surrogates) and names with RTL marks or U+2028 come up.
name_bytes = st.one_of(
    st.binary(min_size=1, max_size=10),
    awkward_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
).map(lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_")).filter(lambda b: b.strip(b".") != b"")
suffix = st.sampled_from([s.encode() for s in SUFFIXES] + [b".TXT", b".pdf", b""])
files = st.lists(st.tuples(name_bytes, suffix, content), min_size=1, max_size=4)

def display_path(path: str) -> str:
    """How a name must be shown: bytes that are not UTF-8 as \\xNN (as in the README), and
    control characters and line separators escaped, so that each report stays one line."""
    text = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c.encode("unicode_escape").decode() if unicodedata.category(c) == "Cc" or c in "\u2028\u2029"
                   else c for c in text)


def write_files(folder: Path, specs) -> list[bytes]:
    """Write the files; returns their paths as bytes (distinct names only)."""
    raw = os.fsencode(folder)
    written: dict[bytes, None] = {}
    for i, (name, ext, data) in enumerate(specs):
        path = raw + b"/" + f"{i}-".encode() + name[:40] + ext
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except OSError:  # a name the file system refuses
            continue
        written[path] = None
    return list(written)


def printable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(specs=files)
def test_read_articles_names_every_bad_input_and_never_raises(tmp_path_factory, specs):
    folder = tmp_path_factory.mktemp("random")
    paths = write_files(folder, specs)
    items = list(read_articles([folder]))
    named = {display_path(os.fsdecode(p)) for p in paths}
    seen = set()
    for item in items:
        assert isinstance(item, (Article, ArticleError))
        where = item.path
        assert where is not None and printable(where), where
        if isinstance(item, Article):
            assert printable(item.text) and printable(item.title or "") and printable(item.id)
        else:
            assert item.reason and printable(item.reason)
        seen.add(where.rsplit(":", 1)[0] if where not in named else where)
    # Every file with a readable suffix is either read or named; the others are not inputs of a folder.
    wanted = {display_path(os.fsdecode(p)) for p in paths if os.fsdecode(p).lower().endswith(SUFFIXES)}
    assert wanted <= seen, (wanted - seen, items)


@pytest.fixture(scope="module")
def small_store(tmp_path_factory, gazetteer) -> tuple[Path, int]:
    out = tmp_path_factory.mktemp("store") / "out"
    folder = out.parent / "seed"
    folder.mkdir()
    for i in (0, 3):
        (folder / f"{i}.txt").write_text(incident_report(i), encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(folder), "--out", str(out), "--published", PUBLISHED])
    assert result.exit_code == 0, result.output
    return out, _events(out)


def _events(out: Path) -> int:
    with contextlib.closing(sqlite3.connect(out / "geomap.sqlite")) as con:
        return con.execute("SELECT COUNT(*) FROM events").fetchone()[0]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(specs=files)
def test_geomap_run_on_random_inputs_loses_nothing_and_names_every_bad_input(tmp_path_factory, small_store, specs):
    template, before = small_store
    work = tmp_path_factory.mktemp("run")
    out = work / "out"
    shutil.copytree(template, out)
    folder = work / "in"
    folder.mkdir()
    paths = write_files(folder, specs)
    result = CliRunner().invoke(cli, ["run", str(folder), "--out", str(out), "--published", PUBLISHED])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 3), result.output
    if result.exit_code == 1:
        assert result.stderr.splitlines()[-1].startswith("Error: no article could be read from"), result.stderr
    failed = [line for line in result.stderr.splitlines() if line.startswith(("Failed: ", "Warning: "))]
    read = ArticlesRead(result.stdout)
    for path in paths:
        shown = display_path(os.fsdecode(path))
        if not os.fsdecode(path).lower().endswith(SUFFIXES):
            continue
        items = list(read_articles([os.fsdecode(path)]))
        if any(isinstance(i, ArticleError) for i in items):
            assert any(line.split(": ", 1)[1].startswith(shown) for line in failed), (shown, result.stderr)
    assert read.ok or result.exit_code == 1
    assert _events(out) >= before


class ArticlesRead:
    """The summary line of a run: 'Read N articles...'."""

    def __init__(self, stdout: str) -> None:
        self.ok = stdout.startswith("Read ")

