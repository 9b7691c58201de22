"""`geomap run URL...` and `geomap watch FEED...` against a local news site on 127.0.0.1."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from news_server import NewsServer, news_server  # noqa: F401 (the fixture)

from geomap.cli import cli
from geomap.store import EventStore

ROOT = Path(__file__).resolve().parent.parent
HUNG = 300  # seconds before a subprocess counts as hung: a guard, never an assertion on speed
# Places named only in the pages' menus, trending boxes, comments and related links.
FURNITURE_PLACES = {"Pokrovsk", "Chasiv Yar", "Odesa", "Lviv", "Sumy", "Belgrade", "Yerevan", "Dnipro",
                    "Zaporizhzhia", "Batumi", "Sukhumi", "Gori", "Gyumri", "Nagorno-Karabakh"}


def geomap(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def events(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "events.csv", dtype=str, keep_default_na=False)


def test_a_feed_of_two_articles_and_a_dead_link(news_server: NewsServer, tmp_path: Path) -> None:
    base, out = news_server.url, tmp_path / "out"
    # The command, with the default (polite) fetch settings.
    result = geomap("run", f"{base}/feed.xml", "--out", out)
    assert result.exit_code == 3, result.output
    assert f"Failed: {base}/news/a3.html: HTTP 404 Not Found" in result.stderr
    assert "Read 2 articles, 1 failed; 2 new" in result.stdout

    table = events(out)
    strike = table[table["place_name"] == "Kharkiv"]
    assert len(strike) == 1, table[["place_name", "event_type", "evidence"]]
    strike = strike.iloc[0]
    assert strike["event_date"] == "2025-06-10"  # dated from the page / its feed item
    assert strike["event_type"] == "Explosions/Remote violence"
    assert strike["source_url"] == "http://news.example/world/kharkiv-drone-strike"
    assert strike["source_title"] == "Drone strike on Kharkiv apartment block kills two"

    protest = table[(table["place_name"] == "Tbilisi") & (table["event_type"] == "Protests")]
    assert len(protest) == 1
    assert protest.iloc[0]["event_date"] == "2025-06-08"
    assert protest.iloc[0]["source_url"] == "http://news.example/caucasus/tbilisi-protest"

    # Nothing from the menus, trending boxes, comments or related links.
    assert not FURNITURE_PLACES & set(table["place_name"]) and not FURNITURE_PLACES & set(table["place_text"])
    for evidence in table["evidence"]:
        for word in ("Battle", "Trending", "Related", "cousin", "Storm hits"):
            assert word not in evidence

    # The same feed again: nothing new, events.csv byte for byte the same.
    before = (out / "events.csv").read_bytes()
    news_server.clear()
    again = geomap("run", f"{base}/feed.xml", "--out", out)
    assert again.exit_code == 3
    assert "2 unchanged; 0 new events" in again.stdout
    assert (out / "events.csv").read_bytes() == before
    assert news_server.paths() == ["/feed.xml", "/news/a3.html"]  # a 304, and the dead link asked again
    assert "Fetched: 2 requests, 1 answered 304 Not Modified." in again.stderr


def test_a_single_article_url_works_on_its_own(news_server: NewsServer, tmp_path: Path) -> None:
    result = geomap("run", f"{news_server.url}/news/a1.html", "--out", tmp_path, "--fetch-delay", "0")
    assert result.exit_code == 0, result.output
    table = events(tmp_path)
    strike = table[table["place_name"] == "Kharkiv"]
    assert list(strike["sub_event_type"]) == ["Air/drone strike"]
    assert strike.iloc[0]["event_date"] == "2025-06-10"  # article:published_time of the page
    assert strike.iloc[0]["source_title"] == "Drone strike on Kharkiv apartment block kills two"  # the page's own
    assert not FURNITURE_PLACES & set(table["place_name"])


def test_urls_files_and_folders_mix(news_server: NewsServer, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "luhansk.txt").write_text("Explosion in Luhansk\n\nAn explosion killed one person in Luhansk on "
                                        "Monday, local officials said.\n", encoding="utf-8")
    result = geomap("run", folder, f"{news_server.url}/news/a2.html", "--out", tmp_path / "out",
                    "--fetch-delay", "0", "--published", "2025-06-09")
    assert result.exit_code == 0, result.output
    assert {"Luhansk", "Tbilisi"} <= set(events(tmp_path / "out")["place_name"])


def test_a_saved_page_and_the_same_page_fetched_are_one_article(news_server: NewsServer, tmp_path: Path) -> None:
    saved = tmp_path / "a1.html"
    saved.write_bytes(news_server.routes["/news/a1.html"].body)
    out = tmp_path / "out"
    assert geomap("run", saved, "--out", out).exit_code == 0
    result = geomap("run", f"{news_server.url}/news/a1.html", "--out", out, "--fetch-delay", "0")
    assert "1 unchanged; 0 new events" in result.stdout


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ({"kind": "500"}, "HTTP 500 Internal Server Error"),
        ({"kind": "hang"}, "timed out after 1 s"),
        ({"kind": "redirect", "to": "/news/a1.html"}, "redirect loop"),
    ],
    ids=["500", "timeout", "redirect-loop"],
)
def test_a_bad_link_is_named_and_the_rest_goes_through(news_server: NewsServer, tmp_path: Path, fault, reason) -> None:
    news_server.fault("/news/a1.html", **fault)
    if fault["kind"] == "redirect":
        news_server.fault("/news/a1.html", "redirect", to="/news/a1.html")
    result = geomap("run", f"{news_server.url}/feed.xml", "--out", tmp_path, "--fetch-delay", "0",
                    "--fetch-timeout", "1", "--fetch-retries", "1")
    assert result.exit_code == 3
    assert f"Failed: {news_server.url}/news/a1.html: {reason}" in result.stderr
    table = events(tmp_path)
    assert "Protests" in set(table["event_type"]) and "Kharkiv" not in set(table["place_name"])


def test_nothing_stored_is_lost_when_every_link_fails(news_server: NewsServer, tmp_path: Path) -> None:
    assert geomap("run", f"{news_server.url}/news/a2.html", "--out", tmp_path, "--fetch-delay", "0").exit_code == 0
    before = (tmp_path / "events.csv").read_bytes()
    news_server.fault("/news/a2.html", "500")
    result = geomap("run", f"{news_server.url}/news/a2.html", "--out", tmp_path, "--fetch-delay", "0",
                    "--fetch-retries", "0")
    assert result.exit_code == 1
    assert f"Failed: {news_server.url}/news/a2.html: HTTP 500 Internal Server Error" in result.stderr
    assert (tmp_path / "events.csv").read_bytes() == before


# --- geomap watch ---------------------------------------------------------------------


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def watch_process(*args) -> subprocess.Popen:
    """`geomap watch ARGS` in a process that starts with SIGINT ignored, as a non-interactive
    shell starts `geomap watch ... &` (and as pytest's children start when pytest itself runs
    so): Ctrl-C must stop the watch all the same, however it was started."""
    return subprocess.Popen([sys.executable, "-m", "geomap", "watch", *map(str, args)], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_ignore_sigint)


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + HUNG
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def test_watch_updates_on_schedule_and_stops_cleanly_on_ctrl_c(news_server: NewsServer, tmp_path: Path) -> None:
    proc = watch_process(f"{news_server.url}/feed.xml", "--every", "1s", "--out", tmp_path, "--fetch-delay", "0")
    try:
        # The third update has started: two are done.
        wait_for(lambda: news_server.paths().count("/feed.xml") >= 3, "two updates")
        first = (tmp_path / "events.csv").read_bytes()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=HUNG)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Stopped" in err and "Traceback" not in err
    assert out.count("Read 2 articles, 1 failed") >= 2
    assert f"Failed: {news_server.url}/news/a3.html: HTTP 404 Not Found" in err  # reported, and the watch goes on
    assert (tmp_path / "events.csv").read_bytes() == first
    with EventStore.open(tmp_path, wait=0):  # the lock was let go
        pass


def test_watch_never_updates_a_store_another_run_holds(news_server: NewsServer, tmp_path: Path) -> None:
    lines: list[str] = []
    with EventStore.open(tmp_path):
        proc = watch_process(f"{news_server.url}/news/a1.html", "--every", "1s", "--out", tmp_path,
                             "--fetch-delay", "0", "--wait", "0.5")
        reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
        reader.start()
        try:
            wait_for(lambda: sum("is in use by another geomap run" in line for line in lines) >= 2,
                     "two updates that found the store in use")
            assert proc.poll() is None  # it keeps watching
            assert not (tmp_path / "events.csv").exists()
        except BaseException:
            proc.kill()
            raise
    wait_for(lambda: (tmp_path / "events.csv").exists(), "the update after the lock was let go")
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=HUNG)
    reader.join(timeout=HUNG)
    assert proc.returncode == 0
    assert "Stopped; everything stored so far is kept." in "".join(lines)


def test_watch_rejects_a_bad_interval(tmp_path: Path) -> None:
    result = geomap("watch", "http://127.0.0.1:9/feed.xml", "--every", "soon", "--out", tmp_path)
    assert result.exit_code == 2
    assert "expected an interval such as 30s, 15m, 2h or 1d, got 'soon'" in result.output


def test_the_library_workflow_reads_urls_too(news_server: NewsServer, tmp_path: Path) -> None:
    import geomap
    from geomap.web import Fetcher

    result = geomap.run([f"{news_server.url}/news/a1.html"], out=tmp_path, fetcher=Fetcher(min_delay=0))
    strike = result.table[result.table["place_name"] == "Kharkiv"]
    assert list(strike["source_url"]) == ["http://news.example/world/kharkiv-drone-strike"]
    assert [a.reason for a in result.report.failed] == []
