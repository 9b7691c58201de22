"""Event location on Halterman's sentences: does geomap pick the place where the event
happened, out of all the places a sentence names?

For each sentence and annotated trigger: detection recall (does our trigger lexicon
know the annotated trigger), and whether the place we pick overlaps a gold event
location (or, for sentences with none, whether we pick none). ``place_accuracy`` scores
the span picked out of every place-like name (what the task asks: the right span);
``live_place_accuracy`` scores what ``geomap run`` picks, out of the names the gazetteer
resolves only (a name it cannot place is never an event's place there). Sentences are split
into train and dev by a hash of their text, so a sentence repeated for several
triggers never straddles the split; tune on train, quote dev.

    python bench/events.py [--bench-dir ../shared/bench] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geomap.extract.events import mention_roots, pick_place, trigger_of  # noqa: E402
from geomap.pipeline import Geoparser  # noqa: E402

DEV_SHARE = 20  # percent


def split_of(text: str) -> str:
    return "dev" if int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 100 < DEV_SHARE else "train"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", type=int, default=0, help="print N wrong dev picks")
    args = parser.parse_args()

    path = args.bench_dir / "event_location" / "event_location.jsonl"
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    if args.limit:
        records = records[: args.limit]
    geoparser = Geoparser()
    stats = {s: {"n": 0, "detected": 0, "correct": 0, "with_gold": 0, "gold_in_candidates": 0,
                 "none_gold": 0, "none_correct": 0, "live_correct": 0} for s in ("train", "dev")}
    errors = []
    started = time.perf_counter()
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
            s = stats[split_of(record["text"])]
            s["n"] += 1
            token = span.root
            s["detected"] += trigger_of(token) is not None
            picked = pick_place(token, mentions, roots, resolved=False)
            live = pick_place(token, mentions, roots, resolved=True)
            s["live_correct"] += (any(live.start < e and b < live.end for b, e in gold) if live is not None and gold
                                  else live is None and not gold)
            if gold:
                s["with_gold"] += 1
                s["gold_in_candidates"] += any(m.start < e and b < m.end for m in mentions for b, e in gold)
                ok = picked is not None and any(picked.start < e and b < picked.end for b, e in gold)
            else:
                s["none_gold"] += 1
                ok = picked is None
                s["none_correct"] += ok
            s["correct"] += ok
            if not ok and split_of(record["text"]) == "dev" and len(errors) < args.errors:
                errors.append((record["text"], trig["text"], [record["text"][b:e] for b, e in gold],
                               picked.text if picked else None, [m.text for m in mentions]))
    elapsed = time.perf_counter() - started

    result = {}
    for split, s in stats.items():
        n = max(s["n"], 1)
        result[split] = {
            "sentences": s["n"],
            "trigger_recall": round(s["detected"] / n, 3),
            "place_accuracy": round(s["correct"] / n, 3),
            "acc_with_gold_place": round((s["correct"] - s["none_correct"]) / max(s["with_gold"], 1), 3),
            "acc_no_place": round(s["none_correct"] / max(s["none_gold"], 1), 3),
            "gold_place_recognised": round(s["gold_in_candidates"] / max(s["with_gold"], 1), 3),
            "live_place_accuracy": round(s["live_correct"] / n, 3),
        }
    if args.json:
        print(json.dumps({"splits": result, "seconds": round(elapsed, 1)}, indent=1))
        return
    cols = ["sentences", "trigger_recall", "place_accuracy", "acc_with_gold_place", "acc_no_place", "gold_place_recognised",
            "live_place_accuracy"]
    print(f"{'split':<6}" + "".join(f"{c:>23}" for c in cols))
    for split, row in result.items():
        print(f"{split:<6}" + "".join(f"{row[c]:>23}" for c in cols))
    print(f"({len(records)} records in {elapsed:.1f} s; target: dev place_accuracy >= 0.80)")
    for text, trig, gold, picked, cands in errors:
        print(f"\n- {text}\n  trigger={trig!r} gold={gold} picked={picked!r} candidates={cands}")


if __name__ == "__main__":
    main()
