"""Train the resolver's candidate ranker on the train part of the gold corpora.

For every toponym geomap finds in a train document that overlaps a gold toponym with
coordinates, each gazetteer candidate gets the resolver's features
(:func:`geomap.geocode.resolve.candidate_features`); a candidate is right when it lies
within 161 km of the gold point and no other candidate is much nearer. A conditional logit (softmax over each toponym's
candidates, L2-regularised) is fitted with numpy; the resolver's context features depend
on the other names' choices, so fitting runs in rounds, each round's context coming from
the previous round's weights. The weights go to ``data/resolver_ranker.json``, which the
resolver reads at run time with plain Python.

Documents are split by :func:`geomap.evaluate.split_of`; only ``train`` documents are used
here. Score the result on ``dev`` with ``python bench/geoparse.py``.

Usage:

    python bench/train_ranker.py                  # all corpora, writes data/resolver_ranker.json
    python bench/train_ranker.py --limit 50 --out /tmp/ranker.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from geomap.evaluate import ACCURACY_KM, _match_exact, _match_overlapping, read_gold

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BENCH_DIR = REPO.parent / "shared" / "bench"
CORPORA = ("geowebnews", "lgl", "geovirus")
DEFAULT_OUT = REPO / "data" / "resolver_ranker.json"
NEAREST_SLACK_KM = 25.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR)
    parser.add_argument("--corpus", action="append", choices=CORPORA)
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N train documents of each corpus")
    parser.add_argument("--rounds", type=int, default=3, help="fitting rounds (default: %(default)s)")
    parser.add_argument("--l2", type=float, default=1e-3, help="L2 penalty (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    corpora = args.corpus or list(CORPORA)

    from geomap.extract.nlp import load_nlp
    from geomap.extract.toponyms import find_toponyms
    from geomap.gazetteer import normalize_name, open_gazetteer
    from geomap.geocode.resolve import FEATURES, PRIOR_ONLY, RankerWeights, resolve_document
    from geomap.models import feature_spec
    from geomap.pipeline import BATCH

    gazetteer = open_gazetteer()
    nlp = load_nlp()
    docs: list[tuple[dict[str, Any], list[Any]]] = []
    for corpus in corpora:
        gold = read_gold(args.bench_dir / corpus / f"{corpus}.jsonl", split="train")
        if args.limit is not None:
            gold = gold[: args.limit]
        for doc, parsed in zip(gold, nlp.pipe((g["text"] for g in gold), batch_size=BATCH)):
            docs.append((doc, find_toponyms(parsed, gazetteer.has_alias, normalize_name)))
        print(f"{corpus}: {len(gold)} train documents parsed", file=sys.stderr)

    weights = PRIOR_ONLY
    history = []
    for round_no in range(1, args.rounds + 1):
        groups = _groups(docs, gazetteer, weights, resolve_document)
        before = _accuracy(groups, np.array(weights.weights))
        fitted = _fit(groups, len(FEATURES), args.l2, start=np.array(weights.weights))
        after = _accuracy(groups, fitted)
        history.append({"round": round_no, "toponyms": len(groups), "train_right_before": round(before, 4), "train_right_after": round(after, 4)})
        print(f"round {round_no}: {len(groups)} toponyms; right choices {before:.3f} -> {after:.3f}", file=sys.stderr)
        weights = RankerWeights(tuple(float(w) for w in fitted))

    out = {
        "about": "Weights of geomap's candidate ranker (geomap/geocode/resolve.py): score = sum(weight * feature); "
        "made by bench/train_ranker.py, a conditional logit on the train split of the gold corpora.",
        "made": dt.date.today().isoformat(),
        "corpora": corpora,
        "split": "train",
        "l2": args.l2,
        "rounds": history,
        "feature_spec": feature_spec(FEATURES),  # checked when geomap loads the weights
        "weights": {name: round(w, 5) for name, w in zip(FEATURES, weights.weights)},
    }
    args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _groups(docs, gazetteer, weights, resolve_document) -> list[tuple[np.ndarray, np.ndarray]]:
    """(features of each candidate, which candidates are right) for every matched toponym with a right candidate."""
    from geopy.distance import great_circle

    groups = []
    for doc, toponyms in docs:
        res = resolve_document(toponyms, gazetteer, weights)
        spans = [{"start": t.start, "end": t.end} for t in res.toponyms]
        gold = doc["toponyms"]
        for gi, pi in _match_overlapping(gold, spans, _match_exact(gold, spans)):
            g = gold[gi]
            if g.get("lat") is None or len(res.candidates[pi]) < 2:
                continue
            # The candidates nearest the gold point (Moscow, not Moscow Oblast, though both lie
            # within 161 km); GeoNames ids would teach the ranker the annotators' habit of
            # giving a city the id of its city-region (Tbilisi), which no distance sees.
            km = np.array([great_circle((g["lat"], g["lon"]), (p.lat, p.lon)).km for p, _ in res.candidates[pi]])
            right = (km <= ACCURACY_KM) & (km <= km.min() + NEAREST_SLACK_KM)
            if right.any():
                groups.append((np.array(res.features[pi], dtype=float), right))
    return groups


def _accuracy(groups, w: np.ndarray) -> float:
    return sum(bool(right[int(np.argmax(x @ w))]) for x, right in groups) / max(len(groups), 1)


def _fit(groups, n_features: int, l2: float, start: np.ndarray, steps: int = 600) -> np.ndarray:
    """Maximise the mean log-probability of the right candidates (a softmax over each toponym's
    candidates) minus ``l2 / 2 * |w|**2``, by Adam steps over all toponyms at once."""
    x = np.concatenate([g[0] for g in groups])
    right = np.concatenate([g[1] for g in groups]).astype(float)
    sizes = np.array([len(g[1]) for g in groups])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    gid = np.repeat(np.arange(len(groups)), sizes)
    w = start.astype(float).copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for step in range(1, steps + 1):
        s = x @ w
        e = np.exp(s - np.maximum.reduceat(s, starts)[gid])
        p = e / np.add.reduceat(e, starts)[gid]
        pr = p * right
        q = pr / np.add.reduceat(pr, starts)[gid]
        grad = x.T @ (q - p) / len(groups) - l2 * w
        # Adam: the features differ in scale, plain gradient steps crawl.
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w += 0.05 * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w


if __name__ == "__main__":
    sys.exit(main())
