"""Scoring a geoparser against gold toponym annotations.

Gold documents are ``{"id", "text", "toponyms": [{"start", "end", "name", "lat",
"lon", "geonameid"}, ...]}``; predictions are ``{"id", "toponyms": [...]}`` with the
same toponym keys (extra keys are ignored). Offsets are Python string indices, end
exclusive.

Recognition is scored with exact spans and with overlapping spans; resolution is
scored on the gold toponyms that were recognised (overlap-matched) with the metrics
of Gritta et al. (2018, 2020): accuracy (GeoNames id), accuracy@161 km, mean and
median error, and the AUC of the log error curve.
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from geopy.distance import great_circle

from geomap.errors import ArticleError

__all__ = [
    "ACCURACY_KM",
    "MAX_ERROR_KM",
    "DEV_SHARE",
    "GeoparseScores",
    "SpanScores",
    "StrictScores",
    "auc_of_errors",
    "predict_documents",
    "read_gold",
    "read_jsonl",
    "score_geoparse",
    "split_of",
]

ACCURACY_KM = 161.0
"""A resolved toponym within this many km (100 miles) of the gold point counts as right."""

MAX_ERROR_KM = 20039.0
"""The largest error the AUC curve is normalised by (Gritta et al. 2018)."""


@dataclass(frozen=True)
class SpanScores:
    """Toponym recognition: how many predicted spans matched gold spans one-to-one."""

    matched: int
    n_gold: int
    n_pred: int

    @property
    def precision(self) -> float:
        return self.matched / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class StrictScores:
    """The strict variant (issue 13): overlap counted many-to-one, unplaced toponyms wrong.

    precision = predicted spans that overlap some gold span / predicted spans;
    recall = gold spans that some prediction overlaps / gold spans; ``acc_161`` is over
    the overlapped gold spans that have coordinates, each judged by the prediction that
    overlaps it most, and a prediction without coordinates counts as wrong (a user sees
    no pin for it).
    """

    n_gold: int
    n_pred: int
    pred_overlapping: int
    gold_overlapped: int
    # Overlapped gold spans with coordinates, and how many of them a prediction put within 161 km.
    n_located: int
    n_unplaced: int
    hits_161: int

    @property
    def precision(self) -> float:
        return self.pred_overlapping / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.gold_overlapped / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def acc_161(self) -> float | None:
        return self.hits_161 / self.n_located if self.n_located else None


@dataclass(frozen=True)
class GeoparseScores:
    """What :func:`score_geoparse` measured.

    Resolution metrics (``accuracy``, ``acc_161``, ``mean_error_km``,
    ``median_error_km``, ``auc``) are ``None`` when there was nothing to measure
    them on; ``auc`` is lower-is-better, the others higher-is-better except the
    errors.
    """

    n_docs: int
    exact: SpanScores
    overlap: SpanScores
    # Overlap-matched pairs where gold and prediction both have coordinates.
    n_resolved: int
    # Overlap-matched pairs where gold has coordinates and the prediction has none.
    n_unresolved: int
    # Of the resolved pairs, those whose gold has a GeoNames id.
    n_with_geonameid: int
    accuracy: float | None
    acc_161: float | None
    mean_error_km: float | None
    median_error_km: float | None
    auc: float | None
    # Gold toponyms with coordinates, and the share of them found and put within 161 km.
    n_gold_located: int
    end_to_end_acc_161: float | None
    strict: StrictScores

    def as_dict(self) -> dict[str, Any]:
        """The scores as a flat, JSON-ready dict.

        >>> gold = [{"id": "d", "text": "Paris", "toponyms": [{"start": 0, "end": 5, "lat": 48.85, "lon": 2.35}]}]
        >>> score_geoparse(gold, [{"id": "d", "toponyms": []}]).as_dict()["overlap_recall"]
        0.0
        """
        out: dict[str, Any] = {"n_docs": self.n_docs}
        for name in ("exact", "overlap"):
            spans: SpanScores = getattr(self, name)
            out |= {f"{name}_{key}": value for key, value in asdict(spans).items()}
            out |= {f"{name}_precision": spans.precision, f"{name}_recall": spans.recall, f"{name}_f1": spans.f1}
        out |= {key: value for key, value in asdict(self).items() if key not in ("n_docs", "exact", "overlap", "strict")}
        strict = self.strict
        out |= {f"strict_{key}": value for key, value in asdict(strict).items()}
        out |= {"strict_precision": strict.precision, "strict_recall": strict.recall, "strict_f1": strict.f1, "strict_acc_161": strict.acc_161}
        return out

    def table(self, title: str | None = None) -> str:
        """The scores as an aligned plain-text table, for a terminal or a log.

        >>> gold = [{"id": "d", "text": "Paris", "toponyms": [{"start": 0, "end": 5, "lat": 48.85, "lon": 2.35}]}]
        >>> print(score_geoparse(gold, [{"id": "d", "toponyms": [{"start": 0, "end": 5, "lat": 48.85, "lon": 2.35}]}]).table())
        Recognition (1 gold, 1 predicted)   precision  recall     F1
          exact spans                           1.000   1.000  1.000
          overlapping spans                     1.000   1.000  1.000
        Resolution (1 recognised with coordinates, 0 without)
          accuracy (GeoNames id, n=0)               —
          accuracy@161km                        1.000
          mean error (km)                         0.0
          median error (km)                       0.0
          AUC of log error (lower is better)    0.000
        End to end (1 gold with coordinates)
          accuracy@161km                        1.000
        Strict (any overlap; a recognised toponym without coordinates is wrong)
          overlap precision / recall / F1       1.000   1.000  1.000
          accuracy@161km (n=1, 0 unplaced)      1.000
        """
        lines = [title] if title else []
        head = f"Recognition ({self.overlap.n_gold:,} gold, {self.overlap.n_pred:,} predicted)"
        width = max(36, len(head) + 1)  # the label column; numbers align right of it
        lines.append(f"{head:<{width}}{'precision':>9}{'recall':>8}{'F1':>7}")
        for label, spans in (("exact spans", self.exact), ("overlapping spans", self.overlap)):
            lines.append(f"  {label:<{width - 2}}{spans.precision:>9.3f}{spans.recall:>8.3f}{spans.f1:>7.3f}")
        lines.append(f"Resolution ({self.n_resolved:,} recognised with coordinates, {self.n_unresolved:,} without)")
        rows = (
            (f"accuracy (GeoNames id, n={self.n_with_geonameid:,})", self.accuracy, ".3f"),
            ("accuracy@161km", self.acc_161, ".3f"),
            ("mean error (km)", self.mean_error_km, ".1f"),
            ("median error (km)", self.median_error_km, ".1f"),
            ("AUC of log error (lower is better)", self.auc, ".3f"),
        )
        lines += [f"  {label:<{width - 2}}{_format(value, spec):>9}" for label, value, spec in rows]
        lines.append(f"End to end ({self.n_gold_located:,} gold with coordinates)")
        lines.append(f"  {'accuracy@161km':<{width - 2}}{_format(self.end_to_end_acc_161, '.3f'):>9}")
        strict = self.strict
        lines.append("Strict (any overlap; a recognised toponym without coordinates is wrong)")
        lines.append(f"  {'overlap precision / recall / F1':<{width - 2}}{strict.precision:>9.3f}{strict.recall:>8.3f}{strict.f1:>7.3f}")
        label = f"accuracy@161km (n={strict.n_located:,}, {strict.n_unplaced:,} unplaced)"
        lines.append(f"  {label:<{width - 2}}{_format(strict.acc_161, '.3f'):>9}")
        return "\n".join(lines)


def _format(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def score_geoparse(gold: Iterable[Mapping[str, Any]], pred: Iterable[Mapping[str, Any]]) -> GeoparseScores:
    """Score predicted toponyms against gold ones, document by document.

    Documents are paired by ``id``; a gold document without a prediction counts as
    one where nothing was found. Spans are matched one-to-one (as many pairs
    as possible, identical spans first, then larger overlaps). Resolution is scored on the
    overlap-matched pairs where both sides have coordinates; a matched toponym the
    prediction left without coordinates is counted in ``n_unresolved`` and as a
    miss end to end.

    Raises:
        ValueError: a document id appears twice, a prediction's id is not in gold,
            or a toponym has no valid ``start``/``end``.

    Example:
        >>> gold = [{"id": "d1", "text": "Floods in Lyon and Paris.", "toponyms": [
        ...     {"start": 10, "end": 14, "name": "Lyon", "lat": 45.75, "lon": 4.85, "geonameid": 2996944},
        ...     {"start": 19, "end": 24, "name": "Paris", "lat": 48.85, "lon": 2.35, "geonameid": 2988507}]}]
        >>> pred = [{"id": "d1", "toponyms": [
        ...     {"start": 10, "end": 14, "name": "Lyon", "lat": 45.76, "lon": 4.84, "geonameid": 2996944}]}]
        >>> scores = score_geoparse(gold, pred)
        >>> scores.exact.precision, scores.exact.recall, scores.acc_161, scores.end_to_end_acc_161
        (1.0, 0.5, 1.0, 0.5)
    """
    predictions = _by_id(pred, "prediction")
    gold_docs = _by_id(gold, "gold")
    unknown = sorted(set(predictions) - set(gold_docs))
    if unknown:
        raise ValueError(f"predictions for documents not in gold: {', '.join(map(repr, unknown[:5]))}" + (" ..." if len(unknown) > 5 else ""))

    exact_matched = overlap_matched = n_gold = n_pred = 0
    strict_pred = strict_gold = strict_located = strict_unplaced = strict_hits = 0
    n_unresolved = n_gold_located = end_to_end_hits = 0
    errors_km: list[float] = []
    id_hits: list[bool] = []
    for doc_id, gold_doc in gold_docs.items():
        gold_spans = _toponyms(gold_doc, doc_id, "gold")
        pred_spans = _toponyms(predictions.get(doc_id, {}), doc_id, "prediction")
        n_gold += len(gold_spans)
        n_pred += len(pred_spans)
        exact_pairs = _match_exact(gold_spans, pred_spans)
        exact_matched += len(exact_pairs)
        pairs = _match_overlapping(gold_spans, pred_spans, exact_pairs)
        overlap_matched += len(pairs)
        n_gold_located += sum(1 for g in gold_spans if _point(g) is not None)
        strict_pred += sum(1 for p in pred_spans if any(_overlap(g, p) > 0 for g in gold_spans))
        for g in gold_spans:
            overlapping = [p for p in pred_spans if _overlap(g, p) > 0]
            if not overlapping:
                continue
            strict_gold += 1
            gold_point = _point(g)
            if gold_point is None:
                continue
            strict_located += 1
            best = max(overlapping, key=lambda p: (_overlap(g, p), -abs(g["start"] - p["start"])))
            best_point = _point(best)
            if best_point is None:
                strict_unplaced += 1
            elif great_circle(gold_point, best_point).km <= ACCURACY_KM:
                strict_hits += 1
        for gi, pi in pairs:
            g, p = gold_spans[gi], pred_spans[pi]
            gold_point, pred_point = _point(g), _point(p)
            if gold_point is None:
                continue
            if pred_point is None:
                n_unresolved += 1
                continue
            error = great_circle(gold_point, pred_point).km
            errors_km.append(error)
            end_to_end_hits += error <= ACCURACY_KM
            if g.get("geonameid") is not None:
                id_hits.append(_same_id(g.get("geonameid"), p.get("geonameid")))

    return GeoparseScores(
        n_docs=len(gold_docs),
        exact=SpanScores(exact_matched, n_gold, n_pred),
        overlap=SpanScores(overlap_matched, n_gold, n_pred),
        n_resolved=len(errors_km),
        n_unresolved=n_unresolved,
        n_with_geonameid=len(id_hits),
        accuracy=sum(id_hits) / len(id_hits) if id_hits else None,
        acc_161=sum(e <= ACCURACY_KM for e in errors_km) / len(errors_km) if errors_km else None,
        mean_error_km=statistics.fmean(errors_km) if errors_km else None,
        median_error_km=statistics.median(errors_km) if errors_km else None,
        auc=auc_of_errors(errors_km),
        n_gold_located=n_gold_located,
        end_to_end_acc_161=end_to_end_hits / n_gold_located if n_gold_located else None,
        strict=StrictScores(n_gold, n_pred, strict_pred, strict_gold, strict_located, strict_unplaced, strict_hits),
    )


DEV_SHARE = 0.3
"""The share of documents :func:`split_of` puts in the development part."""


def split_of(doc_id: str, dev_share: float = DEV_SHARE) -> str:
    """Return ``"dev"`` or ``"train"`` for a document, from a hash of its id alone.

    The split is deterministic and independent of the order or number of documents, so a
    model trained on the train part of a corpus is always scored on documents it never saw.

    Example:
        >>> split_of("lgl-38765806"), split_of("lgl-38765806")
        ('train', 'train')
        >>> sum(split_of(f"doc-{i}") == "dev" for i in range(1000))
        310
    """
    digest = hashlib.sha256(str(doc_id).encode("utf-8")).digest()
    return "dev" if int.from_bytes(digest[:4], "big") / 2**32 < dev_share else "train"


def read_gold(path: str | Path, *, split: str | None = None) -> list[dict[str, Any]]:
    """Read a gold corpus (JSON Lines) as documents with ``id``, ``text`` and ``toponyms``.

    ``unresolved_toponyms`` (real place names without coordinates, as LGL has) join the
    toponyms with no coordinates, so they count for recognition only. ``split`` keeps only
    the ``"dev"`` or ``"train"`` documents (see :func:`split_of`).

    Raises:
        ArticleError: a line is not a JSON object, or a document has no ``id`` or ``text``.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "gold.jsonl"
        >>> _ = path.write_text('{"id": "d1", "text": "Paris", "toponyms": [], "unresolved_toponyms": [{"start": 0, "end": 5}]}\\n')
        >>> read_gold(path)[0]["toponyms"]
        [{'start': 0, 'end': 5, 'lat': None, 'lon': None, 'geonameid': None}]
    """
    if split not in (None, "dev", "train"):
        raise ValueError(f"split must be 'dev', 'train' or None, got {split!r}")
    docs = []
    for number, doc in enumerate(read_jsonl(path), start=1):
        if "id" not in doc or not isinstance(doc.get("text"), str):
            raise ArticleError(f"{path}:{number}", "a gold document needs an 'id' and a 'text'")
        if split is not None and split_of(doc["id"]) != split:
            continue
        extra = [{**t, "lat": None, "lon": None, "geonameid": None} for t in doc.get("unresolved_toponyms") or ()]
        docs.append({**doc, "toponyms": [*(doc.get("toponyms") or ()), *extra]})
    return docs


def predict_documents(
    docs: Sequence[Mapping[str, Any]], geoparse: Callable[[list[str]], list[list[dict[str, Any]]]]
) -> list[dict[str, Any]]:
    """Run ``geoparse`` over the documents' texts and pair each result with its document id.

    Example:
        >>> predict_documents([{"id": "d1", "text": "Paris"}], lambda texts: [[] for _ in texts])
        [{'id': 'd1', 'toponyms': []}]
    """
    found = geoparse([str(doc["text"]) for doc in docs])
    if len(found) != len(docs):
        raise ValueError(f"geoparse returned {len(found)} results for {len(docs)} texts; it must return one list per text")
    return [{"id": doc["id"], "toponyms": toponyms} for doc, toponyms in zip(docs, found)]


def auc_of_errors(errors_km: Iterable[float]) -> float | None:
    """Area under the curve of sorted log errors, normalised to 0 (all exact) .. 1.

    As Gritta et al. (2018) define it: each error becomes ``ln(1 + km)``, the values
    are sorted, integrated with the trapezoid rule at unit spacing and divided by
    the area of the worst curve, ``ln(20039) * (n - 1)``. A single error is its
    own normalised log value. Lower is better; ``None`` for no errors.

    Example:
        >>> auc_of_errors([0.0, 0.0])
        0.0
        >>> round(auc_of_errors([0.0, 20038.0]), 3)  # one exact, one antipodal
        0.5
    """
    logs = sorted(math.log1p(max(0.0, e)) for e in errors_km)
    if not logs:
        return None
    scale = math.log(MAX_ERROR_KM)
    if len(logs) == 1:
        return logs[0] / scale
    area = sum((a + b) / 2 for a, b in zip(logs, logs[1:]))
    return area / (scale * (len(logs) - 1))


def read_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    """Read a JSON Lines file of documents, one JSON object per non-blank line.

    Raises:
        ArticleError: naming ``file:line`` for a line that is not a JSON object,
            or the file when it cannot be opened or is not UTF-8.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "gold.jsonl"
        >>> _ = path.write_text('{"id": "d1", "toponyms": []}\\n\\n{"id": "d2", "toponyms": []}\\n')
        >>> [doc["id"] for doc in read_jsonl(path)]
        ['d1', 'd2']
    """
    try:
        stream = open(path, "rb")
    except OSError as err:
        raise ArticleError(str(path), f"cannot read: {err.strerror or err}") from err
    with stream:
        for number, raw in enumerate(stream, start=1):
            where = f"{path}:{number}"
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as err:
                raise ArticleError(where, "not UTF-8 text") from err
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise ArticleError(where, f"invalid JSON: {err.msg} at column {err.colno}") from err
            if not isinstance(record, dict):
                raise ArticleError(where, f"expected a JSON object, got {type(record).__name__}")
            yield record


# --- matching ----------------------------------------------------------------------


def _by_id(docs: Iterable[Mapping[str, Any]], kind: str) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for doc in docs:
        if "id" not in doc:
            raise ValueError(f"a {kind} document has no 'id' (keys: {', '.join(sorted(doc))})")
        doc_id = str(doc["id"])
        if doc_id in out:
            raise ValueError(f"{kind} document id {doc_id!r} appears twice")
        out[doc_id] = doc
    return out


def _toponyms(doc: Mapping[str, Any], doc_id: str, kind: str) -> list[Mapping[str, Any]]:
    toponyms = doc.get("toponyms") or []
    for t in toponyms:
        start, end = t.get("start"), t.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
            raise ValueError(f"{kind} document {doc_id!r}: toponym {dict(t)!r} needs integer offsets with 0 <= start < end")
        try:
            _point(t)
        except ValueError as err:
            raise ValueError(f"{kind} document {doc_id!r}: toponym {dict(t)!r} has {err}") from err
    return list(toponyms)


def _overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> int:
    return min(a["end"], b["end"]) - max(a["start"], b["start"])


def _match_exact(gold: list[Mapping[str, Any]], pred: list[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """Pairs of (gold index, pred index) with identical spans, one-to-one."""
    free: dict[tuple[int, int], list[int]] = {}
    for pi, p in enumerate(pred):
        free.setdefault((p["start"], p["end"]), []).append(pi)
    pairs = []
    for gi, g in enumerate(gold):
        candidates = free.get((g["start"], g["end"]))
        if candidates:
            pairs.append((gi, candidates.pop(0)))
    return pairs


def _match_overlapping(
    gold: list[Mapping[str, Any]], pred: list[Mapping[str, Any]], exact: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The most one-to-one pairs of overlapping spans (a maximum bipartite matching).

    Each gold span tries its identical prediction first, then the others by
    overlap, largest first, so a pair is only re-routed when that finds one more.
    """
    exact_pred = dict(exact)
    candidates: list[list[int]] = []
    for gi, g in enumerate(gold):
        ranked = []
        for pi, p in enumerate(pred):
            overlap = min(g["end"], p["end"]) - max(g["start"], p["start"])
            if overlap > 0:
                ranked.append((pi != exact_pred.get(gi), -overlap, abs(g["start"] - p["start"]), pi))
        candidates.append([pi for *_, pi in sorted(ranked)])

    owner: dict[int, int] = {}  # pred index -> gold index

    def augment(gi: int, visited: set[int]) -> bool:
        for pi in candidates[gi]:
            if pi in visited:
                continue
            visited.add(pi)
            if pi not in owner or augment(owner[pi], visited):
                owner[pi] = gi
                return True
        return False

    for gi in range(len(gold)):
        augment(gi, set())
    return sorted((gi, pi) for pi, gi in owner.items())


def _point(toponym: Mapping[str, Any]) -> tuple[float, float] | None:
    lat, lon = toponym.get("lat"), toponym.get("lon")
    if lat is None or lon is None:
        return None
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if math.isnan(lat) or math.isnan(lon):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"lat {lat} / lon {lon} out of range (expected -90..90 and -180..180)")
    return lat, lon  # geopy's (lat, lon) order


def _same_id(gold_id: Any, pred_id: Any) -> bool:
    if pred_id is None:
        return False
    try:
        return int(gold_id) == int(pred_id)
    except (TypeError, ValueError):
        return str(gold_id) == str(pred_id)
