"""Geoparsing metrics on small hand-made cases whose numbers are worked out by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from geomap.errors import ArticleError
from geomap.evaluate import auc_of_errors, read_jsonl, score_geoparse

# geopy's great circle uses the mean Earth radius; one degree of a meridian is this long.
KM_PER_DEGREE = math.radians(1) * 6371.009
LN_MAX = math.log(20039)

TEXT = "Floods hit Lyon and Paris; Nice was spared."
LYON: dict[str, Any] = {"start": 11, "end": 15, "name": "Lyon", "lat": 45.75, "lon": 4.85, "geonameid": 2996944}
PARIS: dict[str, Any] = {"start": 20, "end": 25, "name": "Paris", "lat": 48.85, "lon": 2.35, "geonameid": 2988507}
NICE: dict[str, Any] = {"start": 27, "end": 31, "name": "Nice", "lat": 43.70, "lon": 7.27, "geonameid": 2990440}


def gold(*toponyms: dict[str, Any], doc_id: str = "d1", text: str = TEXT) -> list[dict[str, Any]]:
    return [{"id": doc_id, "text": text, "toponyms": list(toponyms)}]


def pred(*toponyms: dict[str, Any], doc_id: str = "d1") -> list[dict[str, Any]]:
    return [{"id": doc_id, "toponyms": list(toponyms)}]


def row(table: str, label: str) -> list[str]:
    """The values on the first table line that starts with ``label``."""
    for line in table.splitlines():
        if line.strip().startswith(label):
            return line.strip()[len(label) :].split()
    raise AssertionError(f"no row {label!r} in:\n{table}")


def moved(toponym: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**toponym, **changes}


def test_the_hand_made_spans_match_the_text() -> None:
    for t in (LYON, PARIS, NICE):
        assert TEXT[t["start"] : t["end"]] == t["name"]


def test_a_perfect_prediction_scores_perfectly() -> None:
    scores = score_geoparse(gold(LYON, PARIS, NICE), pred(LYON, PARIS, NICE))
    for spans in (scores.exact, scores.overlap):
        assert (spans.precision, spans.recall, spans.f1) == (1.0, 1.0, 1.0)
    assert (scores.accuracy, scores.acc_161, scores.mean_error_km, scores.median_error_km, scores.auc) == (1.0, 1.0, 0.0, 0.0, 0.0)
    assert scores.end_to_end_acc_161 == 1.0
    assert (scores.n_resolved, scores.n_unresolved, scores.n_with_geonameid, scores.n_gold_located) == (3, 0, 3, 3)


def test_a_span_shifted_by_one_character_counts_for_overlap_not_exact() -> None:
    shifted = moved(LYON, start=12, end=16)
    scores = score_geoparse(gold(LYON, PARIS), pred(shifted, PARIS))
    assert (scores.exact.matched, scores.exact.precision, scores.exact.recall) == (1, 0.5, 0.5)
    assert (scores.overlap.matched, scores.overlap.precision, scores.overlap.recall) == (2, 1.0, 1.0)
    assert scores.n_resolved == 2  # the shifted span is still scored for where it points
    assert scores.acc_161 == 1.0


def test_a_prediction_200_km_off_misses_accuracy_at_161_km() -> None:
    # Lyon predicted 1.8 degrees due north: 1.8 * 111.195 = 200.15 km off, with the wrong id.
    off = moved(LYON, lat=LYON["lat"] + 1.8, geonameid=1)
    scores = score_geoparse(gold(LYON, PARIS), pred(off, PARIS))
    error = 1.8 * KM_PER_DEGREE
    assert error == pytest.approx(200.15, abs=0.01)
    assert scores.overlap.f1 == 1.0  # recognition is unaffected
    assert scores.accuracy == 0.5
    assert scores.acc_161 == 0.5
    assert scores.mean_error_km == pytest.approx(error / 2, rel=1e-6)
    assert scores.median_error_km == pytest.approx(error / 2, rel=1e-6)  # median of (0, error)
    # Sorted log errors (0, ln(1 + error)): one trapezoid of area ln(1 + error) / 2.
    assert scores.auc == pytest.approx(math.log1p(error) / 2 / LN_MAX, rel=1e-6)
    assert scores.end_to_end_acc_161 == 0.5


def test_a_spurious_prediction_lowers_precision_only() -> None:
    spurious = {"start": 0, "end": 6, "name": "Floods", "lat": 1.0, "lon": 1.0, "geonameid": 42}
    scores = score_geoparse(gold(LYON, PARIS), pred(spurious, LYON, PARIS))
    for spans in (scores.exact, scores.overlap):
        assert spans.precision == pytest.approx(2 / 3)
        assert spans.recall == 1.0
        assert spans.f1 == pytest.approx(0.8)  # 2 * (2/3) * 1 / (2/3 + 1)
    assert (scores.accuracy, scores.acc_161, scores.auc, scores.end_to_end_acc_161) == (1.0, 1.0, 0.0, 1.0)


@pytest.mark.parametrize(
    "predictions",
    [pred(), [], [{"id": "d1"}], [{"id": "d1", "toponyms": None}]],
    ids=["empty-toponym-list", "no-documents", "no-toponyms-key", "null-toponyms"],
)
def test_empty_predictions_give_zero_recall_and_no_resolution(predictions: list[dict[str, Any]]) -> None:
    scores = score_geoparse(gold(LYON, PARIS), predictions)
    for spans in (scores.exact, scores.overlap):
        assert (spans.precision, spans.recall, spans.f1) == (0.0, 0.0, 0.0)
    assert (scores.accuracy, scores.acc_161, scores.mean_error_km, scores.median_error_km, scores.auc) == (None,) * 5
    assert scores.end_to_end_acc_161 == 0.0
    assert row(scores.table(), "accuracy@161km") == ["—"]
    assert row(scores.table(), "mean error (km)") == ["—"]


def test_no_gold_and_no_predictions_divides_by_nothing() -> None:
    scores = score_geoparse(gold(), pred())
    assert (scores.overlap.precision, scores.overlap.recall, scores.overlap.f1) == (0.0, 0.0, 0.0)
    assert scores.end_to_end_acc_161 is None
    assert scores.table()  # renders


def test_matching_is_one_to_one() -> None:
    # Two predictions inside one gold span: one of them matches, the other is spurious.
    new_york = {"start": 0, "end": 13, "name": "New York City", "lat": 40.71, "lon": -74.01, "geonameid": 5128581}
    halves = [moved(new_york, start=0, end=8), moved(new_york, start=9, end=13)]
    scores = score_geoparse(gold(new_york, text="New York City"), pred(*halves))
    assert (scores.overlap.matched, scores.overlap.precision, scores.overlap.recall) == (1, 0.5, 1.0)
    # One prediction covering two gold spans matches only one of them.
    wide = moved(LYON, start=11, end=25)
    scores = score_geoparse(gold(LYON, PARIS), pred(wide))
    assert (scores.overlap.matched, scores.overlap.precision, scores.overlap.recall) == (1, 1.0, 0.5)


def test_matching_finds_the_most_pairs() -> None:
    # Gold A=[0,10) B=[11,20); pred P=[0,5) overlaps A only, Q=[4,12) overlaps A by 6 and B by 1.
    # Giving A its largest overlap (Q) would leave P and B unmatched; the best is A-P, B-Q.
    a = {"start": 0, "end": 10, "lat": 0.0, "lon": 0.0}
    b = {"start": 11, "end": 20, "lat": 10.0, "lon": 10.0}
    p = {"start": 0, "end": 5, "lat": 0.0, "lon": 0.0}
    q = {"start": 4, "end": 12, "lat": 10.0, "lon": 10.0}
    scores = score_geoparse(gold(a, b, text="x" * 20), pred(p, q))
    assert scores.overlap.matched == 2
    assert scores.exact.matched == 0
    assert scores.acc_161 == 1.0  # A got P's point and B got Q's


def test_gold_without_coordinates_counts_for_recognition_only() -> None:
    unresolved = moved(NICE, lat=None, lon=None, geonameid=None)
    scores = score_geoparse(gold(LYON, unresolved), pred(LYON))
    assert scores.overlap.recall == 0.5
    assert (scores.n_resolved, scores.n_gold_located, scores.end_to_end_acc_161) == (1, 1, 1.0)


def test_a_recognised_toponym_left_unresolved_is_counted_and_misses_end_to_end() -> None:
    scores = score_geoparse(gold(LYON, PARIS), pred(LYON, moved(PARIS, lat=None, lon=None, geonameid=None)))
    assert (scores.overlap.recall, scores.n_resolved, scores.n_unresolved) == (1.0, 1, 1)
    assert scores.acc_161 == 1.0  # over the one resolved pair
    assert scores.end_to_end_acc_161 == 0.5


def test_gold_without_geonames_ids_has_no_id_accuracy_but_distances() -> None:
    no_id = [moved(t, geonameid=None) for t in (LYON, PARIS)]
    scores = score_geoparse(gold(*no_id), pred(LYON, PARIS))
    assert (scores.accuracy, scores.n_with_geonameid, scores.acc_161) == (None, 0, 1.0)


def test_geonames_ids_compare_as_numbers() -> None:
    scores = score_geoparse(gold(LYON), pred(moved(LYON, geonameid=str(LYON["geonameid"]))))
    assert scores.accuracy == 1.0


def test_documents_pair_by_id_in_any_order() -> None:
    gold_docs = gold(LYON, doc_id="a") + gold(PARIS, doc_id="b")
    scores = score_geoparse(gold_docs, pred(PARIS, doc_id="b") + pred(LYON, doc_id="a"))
    assert (scores.n_docs, scores.exact.f1, scores.acc_161) == (2, 1.0, 1.0)
    # Lyon's span in document b is not Lyon in document a.
    crossed = score_geoparse(gold_docs, pred(LYON, doc_id="b"))
    assert crossed.overlap.matched == 0


@pytest.mark.parametrize(
    ("gold_docs", "pred_docs", "message"),
    [
        (gold(LYON), pred(LYON, doc_id="zz"), "predictions for documents not in gold: 'zz'"),
        (gold(LYON) + gold(PARIS), pred(), "gold document id 'd1' appears twice"),
        (gold(LYON), pred() + pred(), "prediction document id 'd1' appears twice"),
        (gold(moved(LYON, start=15)), pred(), "gold document 'd1': toponym"),
        (gold(LYON), pred(moved(LYON, start="11")), "prediction document 'd1': toponym"),
        (gold(LYON), pred(moved(LYON, lat=123.0)), "prediction document 'd1': toponym .* has lat 123.0 / lon 4.85 out of range"),
        ([{"text": "x"}], pred(), "a gold document has no 'id'"),
    ],
    ids=["unknown-id", "duplicate-gold", "duplicate-pred", "empty-gold-span", "string-offset", "latitude-out-of-range", "no-id"],
)
def test_bad_input_is_a_clear_value_error(gold_docs: list[dict[str, Any]], pred_docs: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValueError, match="^" + message):
        score_geoparse(gold_docs, pred_docs)


@pytest.mark.parametrize(
    ("errors", "expected"),
    [
        ([], None),
        ([0.0, 0.0, 0.0], 0.0),
        ([20038.0, 20038.0], 1.0),
        ([math.e**2 - 1, 0.0, math.e - 1], 2 / (2 * LN_MAX)),  # logs 0, 1, 2: area 0.5 + 1.5
        ([math.e - 1], 1 / LN_MAX),
    ],
    ids=["none", "all-exact", "all-antipodal", "three-unsorted", "single"],
)
def test_auc_of_log_errors(errors: list[float], expected: float | None) -> None:
    result = auc_of_errors(errors)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


def test_as_dict_is_json_ready_and_flat() -> None:
    scores = score_geoparse(gold(LYON, PARIS), pred(LYON))
    data = json.loads(json.dumps(scores.as_dict()))
    assert data["exact_precision"] == 1.0
    assert data["exact_recall"] == 0.5
    assert data["overlap_f1"] == pytest.approx(2 / 3)
    assert data["end_to_end_acc_161"] == 0.5
    assert data["n_docs"] == 1


def test_the_table_shows_the_numbers() -> None:
    off = moved(LYON, lat=LYON["lat"] + 1.8, geonameid=1)
    table = score_geoparse(gold(LYON, PARIS), pred(off, PARIS)).table(title="tiny")
    lines = table.splitlines()
    assert lines[0] == "tiny"
    assert lines[1].split() == ["Recognition", "(2", "gold,", "2", "predicted)", "precision", "recall", "F1"]
    assert lines[2].split() == ["exact", "spans", "1.000", "1.000", "1.000"]
    assert row(table, "accuracy (GeoNames id, n=2)") == ["0.500"]
    assert row(table, "accuracy@161km") == ["0.500"]
    assert row(table, "mean error (km)") == ["100.1"]
    assert row(table, "AUC of log error (lower is better)") == [f"{math.log1p(1.8 * KM_PER_DEGREE) / 2 / LN_MAX:.3f}"]
    end_to_end = lines.index("End to end (2 gold with coordinates)")
    assert lines[end_to_end + 1].split() == ["accuracy@161km", "0.500"]
    assert row(table, "overlap precision / recall / F1") == ["1.000", "1.000", "1.000"]
    assert row(table, "accuracy@161km (n=2, 0 unplaced)") == ["0.500"]


NEW_YORK_TEXT = "Storms hit New York City and Boston."
NEW_YORK: dict[str, Any] = {"start": 11, "end": 24, "name": "New York City", "lat": 40.71, "lon": -74.01, "geonameid": 5128581}
BOSTON: dict[str, Any] = {"start": 29, "end": 35, "name": "Boston", "lat": 42.36, "lon": -71.06, "geonameid": 4930956}


def test_strict_counts_every_overlap_and_an_unplaced_toponym_as_wrong() -> None:
    # Two predictions inside "New York City" (one placed, one not), Boston found but left
    # without coordinates, and a spurious "Storms". One-to-one matching pairs only one of
    # the two New York pieces; the strict variant counts both for precision, scores New
    # York by the piece that overlaps it most ("New York", placed), and Boston as wrong.
    assert NEW_YORK_TEXT[11:24] == "New York City" and NEW_YORK_TEXT[29:35] == "Boston"
    new_york = moved(NEW_YORK, end=19, name="New York")
    city = moved(NEW_YORK, start=20, name="City", lat=None, lon=None, geonameid=None)
    boston = moved(BOSTON, lat=None, lon=None, geonameid=None)
    storms = {"start": 0, "end": 6, "name": "Storms", "lat": 10.0, "lon": 10.0, "geonameid": 1}
    scores = score_geoparse(gold(NEW_YORK, BOSTON, text=NEW_YORK_TEXT), pred(new_york, city, boston, storms))
    assert (scores.overlap.precision, scores.overlap.recall) == (0.5, 1.0)
    assert scores.acc_161 == 1.0 and scores.n_unresolved == 1  # today's: Boston is left out, not wrong
    strict = scores.strict
    assert (strict.precision, strict.recall) == (0.75, 1.0)
    assert strict.f1 == pytest.approx(2 * 0.75 / 1.75)
    assert (strict.n_located, strict.n_unplaced, strict.acc_161) == (2, 1, 0.5)
    flat = scores.as_dict()
    assert (flat["strict_precision"], flat["strict_recall"], flat["strict_acc_161"]) == (0.75, 1.0, 0.5)


def test_strict_acc_leaves_out_gold_without_coordinates() -> None:
    # LGL's unresolved toponyms count for recognition only, in the strict variant too.
    unlocated = moved(BOSTON, lat=None, lon=None, geonameid=None)
    scores = score_geoparse(gold(NEW_YORK, unlocated, text=NEW_YORK_TEXT), pred(NEW_YORK, BOSTON))
    assert (scores.strict.recall, scores.strict.n_located, scores.strict.acc_161) == (1.0, 1, 1.0)


def test_read_jsonl_reads_objects_and_names_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "a", "toponyms": []}\n\n{"id": "b"\n', encoding="utf-8")
    docs = read_jsonl(path)
    assert next(docs) == {"id": "a", "toponyms": []}
    with pytest.raises(ArticleError) as info:
        next(docs)
    assert str(info.value).startswith(f"{path}:3: invalid JSON")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"[1, 2]\n", ":1: expected a JSON object, got list"), (b'{"id": "a"}\n{"id": "\xe9"}\n', ":2: not UTF-8 text")],
    ids=["array-line", "latin-1-line"],
)
def test_read_jsonl_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_bytes(content)
    with pytest.raises(ArticleError) as info:
        list(read_jsonl(path))
    assert str(info.value) == f"{path}{message}"


def test_read_jsonl_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="nope.jsonl: cannot read: No such file or directory"):
        list(read_jsonl(tmp_path / "nope.jsonl"))


def test_docstring_examples_run() -> None:
    import doctest

    import geomap.evaluate

    result = doctest.testmod(geomap.evaluate)
    assert result.attempted > 0 and result.failed == 0


# --------------------------------------------------------------------------- geomap eval

DATA = Path(__file__).resolve().parent / "data"


def run_eval(*args: str):
    from click.testing import CliRunner

    from geomap.cli import cli

    return CliRunner().invoke(cli, ["eval", *args], catch_exceptions=False)


def test_eval_scores_a_prediction_file_as_worked_out_by_hand() -> None:
    # Gold: Lyon, Paris, Nice; Lugansk, Kursk region. Predicted: Lyon (1 km off), Paris in
    # Texas, Lugansk, "the Kursk region" (overlap only, 38 km off) and a spurious "Shelling".
    result = run_eval(str(DATA / "eval_gold.jsonl"), "--pred", str(DATA / "eval_pred.jsonl"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "eval_gold.jsonl: 2 documents"
    assert row(result.output, "exact spans") == ["0.600", "0.600", "0.600"]
    assert row(result.output, "overlapping spans") == ["0.800", "0.800", "0.800"]
    assert row(result.output, "accuracy (GeoNames id, n=4)") == ["0.750"]
    assert row(result.output, "accuracy@161km")[0] == "0.750"
    lines = result.output.rstrip().splitlines()
    assert lines[lines.index("End to end (5 gold with coordinates)") + 1].split() == ["accuracy@161km", "0.600"]
    # Strict: Lyon, Paris, Lugansk, the Kursk region overlap gold (4 of 5 predicted, 4 of 5
    # gold); of the 4 overlapped gold toponyms 3 are within 161 km (Paris is in Texas).
    assert row(result.output, "overlap precision / recall / F1") == ["0.800", "0.800", "0.800"]
    assert row(result.output, "accuracy@161km (n=4, 0 unplaced)") == ["0.750"]


def test_eval_json_has_every_metric() -> None:
    result = run_eval(str(DATA / "eval_gold.jsonl"), "--pred", str(DATA / "eval_pred.jsonl"), "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert (scores["n_docs"], scores["overlap_matched"], scores["n_resolved"]) == (2, 4, 4)
    assert (scores["accuracy"], scores["acc_161"], scores["end_to_end_acc_161"]) == (0.75, 0.75, 0.6)
    assert scores["median_error_km"] == pytest.approx(19.8, abs=0.5)
    assert 0 < scores["auc"] < 1


def test_eval_runs_the_geoparser_when_no_prediction_is_given(gazetteer) -> None:
    result = run_eval(str(DATA / "eval_gold.jsonl"), "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output[result.output.index("{"):])
    # Lyon, Paris, Lugansk and the Kursk region are found and placed; nothing spurious.
    assert scores["overlap_precision"] == 1.0 and scores["overlap_recall"] >= 0.8
    assert scores["acc_161"] == 1.0


def test_eval_names_a_prediction_for_an_unknown_document(tmp_path: Path) -> None:
    bad = tmp_path / "pred.jsonl"
    bad.write_text('{"id": "g1", "toponyms": [{"start": 5, "end": 2}]}\n', encoding="utf-8")
    result = run_eval(str(DATA / "eval_gold.jsonl"), "--pred", str(bad))
    assert result.exit_code == 1
    assert "Error: cannot score" in result.output and "needs integer offsets" in result.output


def test_split_is_stable_and_keeps_a_third_for_dev() -> None:
    from geomap.evaluate import split_of

    ids = [f"doc-{i}" for i in range(3000)]
    assert [split_of(i) for i in ids] == [split_of(i) for i in ids]
    assert 0.27 < sum(split_of(i) == "dev" for i in ids) / len(ids) < 0.33
