"""Train the event-place model on the TRAIN split of Halterman's event-location sentences.

Writes ``data/event_place_model.json`` (feature names, logistic-regression weights and
the probability threshold below which no place is picked). The dev split (the same
hash split as ``bench/events.py``) is never read here; quote ``bench/events.py``'s dev
numbers, not these.

    pip install -e '.[train]'
    python bench/train_event_place.py [--bench-dir ../shared/bench]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from events import split_of  # noqa: E402  (bench/events.py: the one split)

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


def main() -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "event_place_model.json")
    args = parser.parse_args()

    path = args.bench_dir / "event_location" / "event_location.jsonl"
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    train = [r for r in records if split_of(r["text"]) == "train"]
    groups = collect(train, Geoparser())
    names = sorted({k for cands, _, _ in groups for _, f in cands for k in f})
    rows, y, gid = [], [], []
    for g, (cands, labels, _) in enumerate(groups):
        for (_, f), label in zip(cands, labels):
            rows.append([f.get(n, 0.0) for n in names])
            y.append(int(label))
            gid.append(g)
    X, y, gid = np.array(rows), np.array(y), np.array(gid)

    # Choose C and the threshold by 5-fold cross-validation over triggers (train only).
    best = None
    for C in (0.1, 0.3, 1.0, 3.0):
        fold_probs = {}
        for tr, te in GroupKFold(n_splits=5).split(X, y, gid):
            model = LogisticRegression(C=C, max_iter=2000, fit_intercept=False).fit(X[tr], y[tr])
            for i, p in zip(te, model.predict_proba(X[te])[:, 1]):
                fold_probs[i] = p
        probs_per_group, k = [], 0
        for cands, _, _ in groups:
            probs_per_group.append([fold_probs[k + j] for j in range(len(cands))])
            k += len(cands)
        for threshold in np.arange(0.1, 0.7, 0.025):
            acc = accuracy(groups, probs_per_group, threshold)
            if best is None or acc > best[0]:
                best = (acc, C, float(threshold))
    acc, C, threshold = best
    model = LogisticRegression(C=C, max_iter=2000, fit_intercept=False).fit(X, y)
    args.out.write_text(
        json.dumps(
            {
                "about": "Event-place model: logistic regression over geomap.extract.event_place.place_features, "
                "trained by bench/train_event_place.py on the train split of Halterman (2019) event-location "
                "sentences (MIT). Weights only; no text.",
                "features": names,
                "coef": [round(float(c), 5) for c in model.coef_[0]],
                "threshold": round(threshold, 3),
                "cv_accuracy": round(acc, 4),
                "C": C,
                "train_triggers": len(groups),
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"{len(groups)} train triggers, {len(y)} candidates; 5-fold CV accuracy {acc:.3f} (C={C}, threshold={threshold:.3f})")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
