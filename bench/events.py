"""Event location on Halterman's sentences: does geomap pick the place where the event
happened, out of all the places a sentence names?

For each sentence and annotated trigger: detection recall (does our trigger lexicon
know the annotated trigger), and whether the place we pick overlaps a gold event
location (or, for sentences with none, whether we pick none). ``place_accuracy`` scores
the span picked out of every place-like name (what the task asks: the right span);
``live_place_accuracy`` scores what ``geomap run`` and ``geomap events`` pick
(:func:`geomap.extract.events.choose_place`: the same model, with names unlikely to be
sites giving way to the resolved pick); ``resolved_only_accuracy`` what a pick among
gazetteer-resolved names alone would score (the pipeline before it could keep names
the gazetteer does not know). ``live_with_coordinates`` is the share of live picks that
get coordinates: resolved, located next to the document's places, or a stand-in's. Sentences are split
into train and dev by a hash of their text, so a sentence repeated for several
triggers never straddles the split; tune on train, quote dev.

    python bench/events.py [--bench-dir ../shared/bench] [--limit N] [--json]
    python bench/events.py --model /tmp/no-afp.json --source AFP_RA   # a held-out source
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

from geomap.extract.events import choose_place, mention_roots, person_words, pick_place, trigger_of  # noqa: E402
from geomap.pipeline import Geoparser  # noqa: E402

DEV_SHARE = 20  # percent


def split_of(text: str) -> str:
    return "dev" if int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 100 < DEV_SHARE else "train"


def _right(pick, gold: list[tuple[int, int]]) -> bool:
    """A pick overlapping a gold event location, or no pick where the sentence has none."""
    if pick is None:
        return not gold
    return any(pick.start < e and b < pick.end for b, e in gold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", type=int, default=0, help="print N wrong dev picks")
    parser.add_argument("--model", type=Path, help="an event-place model file other than the shipped one")
    parser.add_argument("--source", help="only the sentences of this source (see the records' 'source')")
    args = parser.parse_args()
    if args.model:
        from geomap.extract.event_place import load_place_model

        model = load_place_model(args.model)
    else:
        model = None  # the shipped one

    path = args.bench_dir / "event_location" / "event_location.jsonl"
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    if args.source:
        records = [r for r in records if r.get("source") == args.source]
    if args.limit:
        records = records[: args.limit]
    geoparser = Geoparser()
    stats = {s: {"n": 0, "detected": 0, "correct": 0, "with_gold": 0, "gold_in_candidates": 0,
                 "none_gold": 0, "none_correct": 0, "live_correct": 0,
                 "resolved_correct": 0, "live_picked": 0, "live_coords": 0} for s in ("train", "dev")}
    errors = []
    started = time.perf_counter()
    docs = geoparser.nlp.pipe((r["text"] for r in records), batch_size=64)
    for record, doc in zip(records, docs):
        mentions = [m for m in geoparser.resolve(doc) if m.kind != "modifier"]
        roots = mention_roots(doc, mentions)
        mentions = [m for m in mentions if id(m) in roots]
        gold = [(g["start"], g["end"]) for g in record["event_locations"]]
        surnames = person_words(doc)
        for trig in record["event_triggers"]:
            span = doc.char_span(trig["start"], trig["end"], alignment_mode="expand")
            if span is None:
                continue
            s = stats[split_of(record["text"])]
            s["n"] += 1
            token = span.root
            s["detected"] += trigger_of(token) is not None
            picked = pick_place(token, mentions, roots, resolved=False, model=model)
            live, stand_in = choose_place(token, mentions, roots, surnames=surnames, model=model)
            resolved_only = pick_place(token, mentions, roots, resolved=True, model=model)
            s["live_correct"] += _right(live, gold)
            s["resolved_correct"] += _right(resolved_only, gold)
            if live is not None:
                s["live_picked"] += 1
                s["live_coords"] += (live.place is not None or stand_in is not None
                                     or geoparser.locate(live, mentions) is not None)
            ok = _right(picked, gold)
            if gold:
                s["with_gold"] += 1
                s["gold_in_candidates"] += any(_right(m, gold) for m in mentions)
            else:
                s["none_gold"] += 1
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
            "resolved_only_accuracy": round(s["resolved_correct"] / n, 3),
            "live_with_coordinates": round(s["live_coords"] / max(s["live_picked"], 1), 3),
        }
    if args.json:
        print(json.dumps({"splits": result, "seconds": round(elapsed, 1)}, indent=1))
        return
    cols = ["sentences", "trigger_recall", "place_accuracy", "acc_with_gold_place", "acc_no_place", "gold_place_recognised",
            "live_place_accuracy", "resolved_only_accuracy", "live_with_coordinates"]
    print(f"{'':<24}" + "".join(f"{split:>8}" for split in result))
    for c in cols:
        print(f"{c:<24}" + "".join(f"{row[c]:>8}" for row in result.values()))
    print(f"({len(records)} records in {elapsed:.1f} s; target: dev place_accuracy and live_place_accuracy >= 0.80)")
    for text, trig, gold, picked, cands in errors:
        print(f"\n- {text}\n  trigger={trig!r} gold={gold} picked={picked!r} candidates={cands}")


if __name__ == "__main__":
    main()
