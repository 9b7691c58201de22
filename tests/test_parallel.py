"""Parallel extraction gives exactly what one process gives: local worker processes and Dask.

Real model, real gazetteer, real worker processes (a ``ProcessPoolExecutor`` and a Dask
``LocalCluster`` of two worker processes); nothing of geomap is replaced.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys

import pandas as pd
import pytest

from geomap.events import build_events
from geomap.models import Article
from geomap.parallel import ParallelError, dask_missing_message, extract_parallel
from geomap.pipeline import Geoparser, extract_events

# Worker processes and Dask clusters take seconds each.
pytestmark = pytest.mark.slow

PUBLISHED = dt.date(2025, 3, 5)

TEXTS = (
    "Missile strike on Kharkiv\n\nA missile strike hit Kharkiv on Monday, killing four civilians, officials said.",
    "Shelling in Kherson\n\nRussian shelling damaged houses in Kherson on Tuesday and wounded two people.",
    "Car bomb in Mogadishu\n\nA car bomb exploded near a market in Mogadishu on Sunday. Al-Shabaab claimed the attack.",
    "Protests in Nairobi\n\nThousands of protesters marched in Nairobi on Tuesday against tax rises. Police fired tear gas.",
    "Talks planned\n\nUkrainian and Russian delegations will hold talks in Istanbul next week, Turkey's foreign ministry said.",
    "Airstrikes in Idlib\n\nSyrian government airstrikes hit the town of Ariha in Idlib province on Saturday, killing seven people.",
    "Strike on Kharkiv confirmed\n\nThe regional governor confirmed that a missile hit Kharkiv on Monday and killed four people.",
    "No place named\n\nGunmen killed three villagers on Sunday, a local official said, without saying where.",
    "Arrests in Minsk\n\nPolice arrested dozens of demonstrators in Minsk on Saturday, a rights group said.",
    "Drone attack on Belgorod\n\nA Ukrainian drone attack on Belgorod on Monday injured five people, the governor said. "
    "Air defences shot down two drones over the Kursk region.",
    "Clashes in Tripoli\n\nHeavy fighting broke out between rival militias in Tripoli on Sunday; at least 12 people were killed.",
    "Flooding in Porto Alegre\n\nFloods in Porto Alegre forced thousands from their homes. No violence was reported.",
)


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    # A third of them carry their own date; the others take the run's --published.
    return [
        Article(id=f"art-{i:02d}", text=text, title=text.split("\n")[0], published=dt.date(2025, 3, 4) if i % 3 == 0 else None)
        for i, text in enumerate(TEXTS)
    ]


@pytest.fixture(scope="module")
def one_process(gazetteer, articles):
    """The reference: the single-process pipeline."""
    return extract_events(articles, geoparser=Geoparser(gazetteer), published=PUBLISHED)


def as_tuples(items) -> list[tuple]:
    # astuple, not ==: Mention.alternatives is left out of dataclass equality, not out of this.
    return [dataclasses.astuple(item) for item in items]


def assert_same_extraction(got, want, articles) -> None:
    assert as_tuples(got.mentions) == as_tuples(want.mentions)
    assert list(got.toponyms) == list(want.toponyms)
    for article_id in want.toponyms:
        assert as_tuples(got.toponyms[article_id]) == as_tuples(want.toponyms[article_id])
    by_id = {a.id: a for a in articles}
    pd.testing.assert_frame_equal(build_events(got.mentions, by_id), build_events(want.mentions, by_id))


def test_the_reference_finds_events_in_most_articles(one_process, articles):
    # Otherwise the comparisons below would compare next to nothing.
    assert len({m.article_id for m in one_process.mentions}) >= 9
    events = build_events(one_process.mentions, {a.id: a for a in articles})
    assert events["lat"].notna().sum() >= 8
    assert (events["n_sources"] == 2).any()  # the Kharkiv strike, reported twice, is one event


@pytest.fixture(scope="module")
def local_two_jobs(gazetteer, articles):
    # chunk_size=4: three chunks for two workers, so chunks finish out of order and are reassembled.
    return extract_parallel(articles, jobs=2, engine="local", published=PUBLISHED, chunk_size=4)


def test_two_local_processes_give_what_one_gives(local_two_jobs, one_process, articles):
    assert_same_extraction(local_two_jobs, one_process, articles)


def test_the_default_chunks_give_what_one_process_gives(gazetteer, one_process, articles):
    got = extract_parallel(articles, jobs=2, engine="local", published=PUBLISHED, geoparser=Geoparser(gazetteer))
    assert_same_extraction(got, one_process, articles)


def test_dask_local_cluster_of_two_workers_gives_what_one_process_gives(gazetteer, one_process, articles):
    got = extract_parallel(articles, jobs=2, engine="dask", published=PUBLISHED, chunk_size=4)
    assert_same_extraction(got, one_process, articles)


def test_dask_scheduler_address_gives_what_one_process_gives(gazetteer, one_process, articles):
    distributed = pytest.importorskip("distributed")
    # A cluster started apart, reached by its address as a remote one would be: its workers
    # open their own default gazetteer (GEOMAP_CACHE_DIR, inherited from this session).
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        got = extract_parallel(articles, engine="dask", scheduler=cluster.scheduler_address,
                               published=PUBLISHED, chunk_size=3)
        with distributed.Client(cluster) as client:
            assert len(client.scheduler_info()["workers"]) == 2  # the call left the cluster running
    assert_same_extraction(got, one_process, articles)


def test_callbacks_come_in_input_order_with_each_articles_results(gazetteer, one_process, articles):
    seen, done = [], []
    extract_parallel(articles, jobs=2, published=PUBLISHED, chunk_size=5, gazetteer=gazetteer,
                     on_extracted=lambda a, m, t: seen.append((a.id, as_tuples(m), as_tuples(t))),
                     on_article=lambda a: done.append(a.id))
    assert done == [a.id for a in articles]
    want = [
        (a.id, as_tuples(m for m in one_process.mentions if m.article_id == a.id), as_tuples(one_process.toponyms[a.id]))
        for a in articles
    ]
    assert seen == want


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_no_articles_give_an_empty_result(gazetteer, engine):
    result = extract_parallel([], jobs=2, engine=engine)
    assert result.mentions == [] and result.toponyms == {}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"engine": "spark"}, "unknown engine 'spark' (expected one of 'local', 'dask')"),
        ({"jobs": 0}, "jobs must be a whole number of at least 1, got 0"),
        ({"jobs": 2.5}, "jobs must be a whole number of at least 1, got 2.5"),
        ({"scheduler": "tcp://10.0.0.1:8786"}, "a scheduler address ('tcp://10.0.0.1:8786') needs the dask engine, not 'local'"),
        ({"jobs": 2, "chunk_size": 0}, "chunk_size must be at least 1, got 0"),
    ],
    ids=["unknown-engine", "no-jobs", "fractional-jobs", "scheduler-without-dask", "empty-chunks"],
)
def test_wrong_options_are_refused_saying_what_is_valid(options, message, articles):
    with pytest.raises(ParallelError) as info:
        extract_parallel(articles, **options)
    assert str(info.value) == message


def test_the_dask_engine_without_distributed_says_how_to_install_it(monkeypatch, articles):
    monkeypatch.setitem(sys.modules, "distributed", None)  # what Python does for a package that is not there
    with pytest.raises(ParallelError) as info:
        extract_parallel(articles, jobs=2, engine="dask")
    assert str(info.value) == dask_missing_message()
    assert "pip install 'geomap[dask]'" in str(info.value)


def test_an_unreachable_scheduler_is_named(gazetteer, articles):
    dask = pytest.importorskip("dask")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(ParallelError, match=r"cannot reach the Dask scheduler tcp://127\.0\.0\.1:9: "):
            extract_parallel(articles, engine="dask", scheduler="tcp://127.0.0.1:9")


def test_an_online_geocoder_is_refused_for_several_jobs(gazetteer, articles):
    from geomap.geocode.online import OnlineLookup, make_geocoder

    lookup = OnlineLookup(make_geocoder("nominatim", domain="127.0.0.1:9", scheme="http"), cache=None, fallback=gazetteer)
    with pytest.raises(ParallelError, match="offline gazetteer only, not OnlineLookup"):
        extract_parallel(articles, jobs=2, geoparser=Geoparser(lookup))


def test_a_worker_that_would_extract_differently_stops_the_run_naming_the_difference(gazetteer):
    from geomap.parallel import _check_fingerprint, fingerprint

    here = fingerprint(gazetteer.meta["index_key"])
    assert set(here) == {"geomap", "code and data", "gazetteer index", "spaCy"}
    _check_fingerprint(here, dict(here), None)  # the same: goes on
    there = {**here, "gazetteer index": "0123abcd"}
    with pytest.raises(ParallelError) as info:
        _check_fingerprint(here, there, "tcp://10.0.0.1:8786")
    assert str(info.value) == (
        f"a worker of tcp://10.0.0.1:8786 extracts with gazetteer index '0123abcd' instead of {here['gazetteer index']!r}: "
        "install the same geomap everywhere and build its gazetteer there (geomap geocode Kyiv)"
    )


# -- the command line: geomap run --jobs / --engine / --scheduler ----------------------------------


def geomap_cli(*args):
    from click.testing import CliRunner

    from geomap.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def feed(tmp_path_factory):
    """The articles above as a folder of .txt files, the way a user hands them to `geomap run`."""
    folder = tmp_path_factory.mktemp("feed")
    for i, text in enumerate(TEXTS):
        (folder / f"{i:02d}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def one_job_run(gazetteer, feed, tmp_path_factory):
    out = tmp_path_factory.mktemp("one-job")
    result = geomap_cli("run", feed, "--out", out, "--published", PUBLISHED.isoformat())
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("options", [["--jobs", "2"], ["--engine", "dask", "--jobs", "2"]], ids=["local", "dask"])
def test_run_with_two_jobs_writes_the_table_one_job_writes(gazetteer, feed, one_job_run, tmp_path, options):
    result = geomap_cli("run", feed, "--out", tmp_path, "--published", PUBLISHED.isoformat(), *options)
    assert result.exit_code == 0, result.output
    assert "Read 12 articles; 12 new" in result.output
    want = (one_job_run / "events.csv").read_bytes()
    assert len(pd.read_csv(one_job_run / "events.csv")) >= 8
    assert (tmp_path / "events.csv").read_bytes() == want
    assert (tmp_path / "events.geojson").read_bytes() == (one_job_run / "events.geojson").read_bytes()


def test_a_rerun_with_two_jobs_extracts_only_the_new_article(gazetteer, feed, one_job_run, tmp_path):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(one_job_run, out)
    new = tmp_path / "new"
    new.mkdir()
    (new / "x.txt").write_text("Shelling in Sumy\n\nShelling hit Sumy on Monday, wounding three people.\n",
                               encoding="utf-8")
    result = geomap_cli("run", feed, new, "--out", out, "--published", PUBLISHED.isoformat(), "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert "Read 13 articles; 1 new, 12 unchanged" in result.output
    assert "Sumy" in set(pd.read_csv(out / "events.csv")["place_name"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
        (["--jobs", "2", "--geocoder", "nominatim"], "--geocoder works with one job"),
        (["--jobs", "0"], "Invalid value for '--jobs' / '-j'"),
    ],
    ids=["scheduler-without-dask", "online-geocoder", "no-jobs"],
)
def test_run_refuses_engine_options_that_cannot_work(feed, tmp_path, options, message):
    result = geomap_cli("run", feed, "--out", tmp_path, *options)
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "events.csv").exists()
