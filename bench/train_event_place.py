"""Train the event-place model on the TRAIN split of Halterman's event-location sentences.

Writes ``data/event_place_model.json``: feature names, boosted regression trees as
plain lists (stage 1: how likely each candidate is the event's place) and a logistic
decision (stage 2: the best candidate, or none), fitted on the trees' out-of-fold
probabilities. The dev split (the same hash split as ``bench/events.py``) is never
read here; quote ``bench/events.py``'s dev numbers, not these.

    pip install -e '.[train]'
    python bench/train_event_place.py [--bench-dir ../shared/bench]

A check on text of another origin: ``--hold-out-source AFP_RA --out /tmp/no-afp.json``
trains without that source's sentences, then ``python bench/events.py --model
/tmp/no-afp.json --source AFP_RA`` scores the model on them alone (train and dev split
alike: the model never saw any of them).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from events import split_of  # noqa: E402  (bench/events.py: the one split)

from geomap.extract.event_place import PlaceModel, decision_features, place_feature_spec  # noqa: E402
from geomap.extract.events import candidate_features, mention_roots  # noqa: E402
from geomap.pipeline import Geoparser  # noqa: E402


def collect(records, geoparser):
    """Per trigger: the candidates' feature dicts and which overlap a gold place."""
    groups = []
    docs = geoparser.nlp.pipe((r["text"] for r in records), batch_size=64)
    for record, doc in zip(records, docs):
        mentions = [m for m in geoparser.resolve(doc) if m.kind != "modifier"]
        roots = mention_roots(doc, mentions)
        mentions = [m for m in mentions if id(m) in roots]
        gold = [(g["start"], g["end"]) for g in record["event_locations"]]
        for trig in record["event_triggers"]:
            span = doc.char_span(trig["start"], trig["end"], alignment_mode="expand")
            if span is None:
                continue
            cands = candidate_features(span.root, mentions, roots, resolved=False)
            labels = [any(m.start < e and b < m.end for b, e in gold) for m, _ in cands]
            groups.append((cands, labels, bool(gold)))
    return groups


def accuracy(groups, probs_per_group, threshold):
    correct = 0
    for (cands, labels, has_gold), probs in zip(groups, probs_per_group):
        if not cands or max(probs) < threshold:
            correct += not has_gold
        else:
            best = max(range(len(probs)), key=probs.__getitem__)
            correct += labels[best] if has_gold else 0
    return correct / max(len(groups), 1)


def boosted(max_leaf_nodes: int, learning_rate: float, max_iter: int):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=max_iter,
        learning_rate=learning_rate,
        max_leaf_nodes=max_leaf_nodes,
        min_samples_leaf=20,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    )


def export_trees(model) -> tuple[float, list[dict[str, list]]]:
    """The fitted trees as plain lists (leaves have feature -1) and the baseline log-odds.

    Reads scikit-learn's private ``_predictors``; ``main`` checks the export against
    ``predict_proba`` so a change there fails loudly rather than shipping wrong trees.
    """
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        trees.append(
            {
                "feature": [-1 if n["is_leaf"] else int(n["feature_idx"]) for n in nodes],
                "threshold": [0.0 if n["is_leaf"] else float(n["num_threshold"]) for n in nodes],
                "left": [int(n["left"]) for n in nodes],
                "right": [int(n["right"]) for n in nodes],
                "value": [round(float(n["value"]), 5) if n["is_leaf"] else 0.0 for n in nodes],
            }
        )
    return float(np.ravel(model._baseline_prediction)[0]), trees


# (max_leaf_nodes, learning_rate, trees), chosen among by cross-validation on train. Tried
# once (5-fold CV accuracy, trees alone): (15, 0.1, 200) 0.792, (15, 0.1, 300) 0.797,
# (31, 0.05, 300) 0.799 at three times the size; the middle one ships.
CONFIGS = ((15, 0.1, 300),)
# A word-valued feature ("lemma:kill", "head:village") is kept where this many train triggers have it.
MIN_WORD_TRIGGERS = 20


def per_group(groups, probs):
    out, k = [], 0
    for cands, _, _ in groups:
        out.append(list(probs[k : k + len(cands)]))
        k += len(cands)
    return out


def decision_rows(groups, probs_per_group, names):
    """Second-stage rows, one per trigger with a candidate: its features, whether
    picking the best candidate is right, and whether picking none is right."""
    known = set(names)
    rows, pick_right, none_right = [], [], []
    for (cands, labels, has_gold), probs in zip(groups, probs_per_group):
        if not cands:
            continue
        best = max(range(len(probs)), key=probs.__getitem__)
        rows.append(decision_features(probs, {k: v for k, v in cands[best][1].items() if k in known}))
        pick_right.append(bool(has_gold and labels[best]))
        none_right.append(not has_gold)
    return rows, np.array(pick_right), np.array(none_right)


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, KFold

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "event_place_model.json")
    parser.add_argument("--hold-out-source", metavar="SOURCE", help="leave this source's sentences out of training")
    args = parser.parse_args()

    path = args.bench_dir / "event_location" / "event_location.jsonl"
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    train = [r for r in records if split_of(r["text"]) == "train" and r.get("source") != args.hold_out_source]
    if args.hold_out_source and args.out == parser.get_default("out"):
        raise SystemExit("--hold-out-source writes an experiment: give --out")
    groups = collect(train, Geoparser())
    seen = Counter(k for cands, _, _ in groups for k in {k for _, f in cands for k in f})
    names = sorted(k for k, n in seen.items() if ":" not in k or n >= MIN_WORD_TRIGGERS)
    rows, y, gid = [], [], []
    for g, (cands, labels, _) in enumerate(groups):
        for (_, f), label in zip(cands, labels):
            rows.append([f.get(n, 0.0) for n in names])
            y.append(int(label))
            gid.append(g)
    X, y, gid = np.array(rows), np.array(y), np.array(gid)

    # Stage 1: the trees' size and a bare threshold, by 5-fold cross-validation over triggers (train only).
    best = None
    for config in CONFIGS:
        fold_probs = np.zeros(len(y))
        for tr, te in GroupKFold(n_splits=5).split(X, y, gid):
            fold_probs[te] = boosted(*config).fit(X[tr], y[tr]).predict_proba(X[te])[:, 1]
        probs_per_group = per_group(groups, fold_probs)
        for threshold in np.arange(0.1, 0.7, 0.025):
            acc = accuracy(groups, probs_per_group, threshold)
            if best is None or acc > best[0]:
                best = (acc, config, float(threshold), probs_per_group)
        print(f"trees {config}: best CV accuracy so far {best[0]:.3f} with {best[1]}", flush=True)
    acc, config, threshold, probs_per_group = best
    model = boosted(*config).fit(X, y)
    baseline, trees = export_trees(model)
    exported = PlaceModel(names, threshold, trees=trees, baseline=baseline)
    sample = [f for cands, _, _ in groups[:300] for _, f in cands]
    expected = model.predict_proba(np.array([[f.get(n, 0.0) for n in names] for f in sample]))[:, 1]
    drift = max(abs(exported.probability(f) - p) for f, p in zip(sample, expected))
    if drift > 1e-3:
        raise SystemExit(f"exported trees disagree with scikit-learn by {drift:.4f}: check export_trees")

    # Stage 2: pick the best candidate or none, learnt from the out-of-fold stage-1 probabilities.
    d_rows, pick_right, none_right = decision_rows(groups, probs_per_group, names)
    d_names = sorted({k for r in d_rows for k in r})
    D = np.array([[r.get(n, 0.0) for n in d_names] for r in d_rows])
    empty_right = sum(1 for cands, _, has_gold in groups if not cands and not has_gold)
    d_probs = np.zeros(len(d_rows))
    for tr, te in KFold(n_splits=5, shuffle=True, random_state=0).split(D):
        d_probs[te] = LogisticRegression(max_iter=3000).fit(D[tr], pick_right[tr]).predict_proba(D[te])[:, 1]
    d_acc, d_threshold = max(
        ((np.where(d_probs >= t, pick_right, none_right).sum() + empty_right) / len(groups), float(t))
        for t in np.arange(0.2, 0.8, 0.025)
    )
    decider = LogisticRegression(max_iter=3000).fit(D, pick_right)
    weights = {n: round(float(w), 5) for n, w in zip(d_names, decider.coef_[0]) if abs(w) >= 1e-5}
    decision = {"intercept": round(float(decider.intercept_[0]), 5), "weights": weights, "threshold": round(d_threshold, 3)}
    if d_acc <= acc:  # the second stage must earn its place
        decision, d_acc = None, acc

    args.out.write_text(
        json.dumps(
            {
                "about": "Event-place model: boosted regression trees (scikit-learn HistGradientBoosting, "
                "exported as plain lists) over geomap.extract.event_place.place_features, then a logistic "
                "decision (place or none) over geomap.extract.event_place.decision_features; trained by "
                "bench/train_event_place.py on the train split of Halterman (2019) event-location sentences (MIT). "
                "Split thresholds, leaf values and weights only; no text.",
                "feature_spec": place_feature_spec(),  # checked when geomap loads the model
                "features": names,
                "baseline": round(baseline, 6),
                "trees": trees,
                "threshold": round(threshold, 3),
                "decision": decision,
                "cv_accuracy": round(d_acc, 4),
                "cv_accuracy_trees_only": round(acc, 4),
                "config": {"max_leaf_nodes": config[0], "learning_rate": config[1], "max_iter": config[2]},
                "train_triggers": len(groups),
            },
            separators=(",", ":"),
        )
        + "\n",
        encoding="utf-8",
    )
    print(
        f"{len(groups)} train triggers, {len(y)} candidates; 5-fold CV accuracy {acc:.3f} with the trees alone "
        f"({config}, threshold={threshold:.3f}), "
        + (f"{d_acc:.3f} with the decision stage (threshold={d_threshold:.3f})" if decision else "no better with the decision stage (not kept)")
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
