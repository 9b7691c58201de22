"""The seed article end to end, through the real command: what an analyst opening
events.csv would check first."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def run_geomap(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geomap", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory, gazetteer) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("seed-out")
    proc = run_geomap("run", str(SEEDS), "--out", str(out), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return out, proc


@pytest.fixture(scope="module")
def events(seed_run) -> pd.DataFrame:
    out, _ = seed_run
    return pd.read_csv(out / "events.csv")


def near(events: pd.DataFrame, lat: float, lon: float, radius_km: float) -> pd.DataFrame:
    located = events.dropna(subset=["lat", "lon"])
    mask = [km(lat, lon, a, b) <= radius_km for a, b in zip(located["lat"], located["lon"])]
    return located[mask]


def test_run_writes_the_three_outputs_and_a_summary(seed_run):
    out, proc = seed_run
    for name in ("events.csv", "events.geojson", "map.html"):
        assert (out / name).stat().st_size > 0, name
    assert proc.stdout.startswith("Read 1 article;")
    assert "events" in proc.stdout and "map.html" in proc.stdout


def test_the_strike_near_korenevo_is_one_event(events):
    strike = near(events, 51.41, 34.90, 10)
    assert len(strike) == 1, strike[["place_name", "event_type", "evidence"]]
    row = strike.iloc[0]
    assert row["event_type"] == "Explosions/Remote violence"
    assert row["event_date"] in ("2025-07-03", "2025-07-02")
    assert row["fatalities"] >= 20
    assert "Korenevo" in row["evidence"]
    assert row["place_text"] == "Korenevo"
    # "in the Kursk region" and "near Korenevo" are one strike, not two events.
    kursk = events[events["admin1"].fillna("").str.contains("Kursk")]
    assert len(kursk) == 1


def test_the_luhansk_explosion_killed_the_former_mayor(events):
    luhansk = near(events, 48.57, 39.31, 15)
    assert len(luhansk) == 1
    row = luhansk.iloc[0]
    assert row["event_date"] == "2025-07-03"
    assert row["fatalities"] == 1
    assert row["place_text"] == "Lugansk"
    assert row["country_code"] == "UA"


def test_the_moscow_car_explosion_is_unconfirmed(events):
    moscow = near(events, 55.75, 37.62, 25)
    assert len(moscow) == 1
    assert moscow.iloc[0]["status"] == "unconfirmed"
    assert moscow.iloc[0]["event_type"] == "Explosions/Remote violence"
    # "At the same time" as the July 3 events the article reports, a paragraph before.
    assert moscow.iloc[0]["event_date"] == "2025-07-03"


def test_the_istanbul_talks_are_planned_not_dated(events):
    istanbul = near(events, 41.01, 28.95, 30)
    assert len(istanbul) == 1
    row = istanbul.iloc[0]
    assert row["status"] == "planned"
    assert pd.isna(row["event_date"])
    assert row["event_type"] == "Strategic developments"


def test_no_event_outside_the_countries_or_at_a_country_centre(events):
    located = events.dropna(subset=["lat", "lon"])
    assert set(located["country_code"]) <= {"RU", "UA", "TR"}
    assert not located["feature_code"].fillna("").str.startswith("PCL").any()
    assert len(located) == 4


def test_events_csv_is_byte_identical_on_a_second_run(seed_run, tmp_path):
    out, _ = seed_run
    proc = run_geomap("run", str(SEEDS), "--out", str(tmp_path), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "events.csv").read_bytes() == (out / "events.csv").read_bytes()
    assert (tmp_path / "map.html").read_bytes() == (out / "map.html").read_bytes()


@pytest.mark.browser
def test_the_seed_map_opens_offline_with_one_marker_per_located_event(seed_run, events, chromium):
    out, _ = seed_run
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    outside, errors = [], []

    def route(route) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto((out / "map.html").as_uri())
    page.wait_for_selector(".geomap-event")
    try:
        assert page.locator(".geomap-event").count() == int(events["lat"].notna().sum()) == 4
        assert outside == []
        assert errors == []
    finally:
        context.close()
