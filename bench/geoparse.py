"""Benchmark geomap's geoparser on the gold geoparsing corpora.

For each corpus (GeoWebNews, LGL, GeoVirus) this runs geomap's geoparser over the
document texts, scores the toponyms it finds with :func:`geomap.evaluate.score_geoparse`,
and times it against spaCy's small English model alone on the same texts (the floor any
spaCy-based geoparser pays): the same model object, the same batch size, each run
``--repeat`` times in turn, the fastest run of each compared.

Documents are split by a hash of their id (:func:`geomap.evaluate.split_of`): the resolver's
ranker is trained on the ``train`` part (``bench/train_ranker.py``), so report ``dev``
numbers (the default).

Gold used: each corpus's ``toponyms`` (all have coordinates); for LGL also its
``unresolved_toponyms`` (real toponyms without a gazetteer entry), which count for
recognition only. GeoWebNews' ``other_spans`` ("the city", ...) are not toponyms and are
left out, so finding them costs precision.

Demonyms ("Russian", "European") are annotated as toponyms of their country or continent
in GeoWebNews and LGL, and are not in GeoVirus. Each corpus is scored under its own
annotation policy (the table), and the other way too (the "demonyms" line), so both are
measured. ``geomap geoparse`` outputs demonyms that name a place, marked ``"kind": "demonym"``.

Each corpus is scored twice over: with today's scores (one-to-one span matching,
resolution over the recognised toponyms that have coordinates) and with the strict
variant of issue 13 (any overlap counts for precision and recall; a recognised toponym
left without coordinates is wrong), on the whole corpus and on its dev split (``--split
both``, the default: the whole corpus is geoparsed once and both are scored from it).

Usage:

    python bench/geoparse.py                      # all three corpora, whole and dev
    python bench/geoparse.py --limit 20 --corpus lgl
    python bench/geoparse.py --split all --json > geoparse.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from geomap.errors import GeomapError
from geomap.evaluate import read_gold, score_geoparse, split_of

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BENCH_DIR = REPO.parent / "shared" / "bench"
CORPORA = ("geowebnews", "lgl", "geovirus")
# Whether each corpus's annotators marked demonyms ("French engineer") as toponyms.
DEMONYMS_ANNOTATED = {"geowebnews": True, "lgl": True, "geovirus": False}
WARM_UP = ["Warm-up: shelling was reported in Kharkiv, Ukraine, and in Paris, France."]


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    from geomap.pipeline import BATCH, Geoparser

    started = time.perf_counter()
    geoparser = Geoparser()
    list(geoparser.pipe(WARM_UP))  # loads the model and the gazetteer outside the timed runs
    startup_s = time.perf_counter() - started

    results: dict[str, dict[str, Any]] = {}
    for corpus in args.corpus:
        gold = read_gold(args.bench_dir / corpus / f"{corpus}.jsonl", split=args.split if args.split in ("dev", "train") else None)
        if args.limit is not None:
            gold = gold[: args.limit]
        results[corpus] = _run(corpus, gold, geoparser, BATCH, args)
        if not args.json:
            _print_corpus(corpus, results[corpus], "whole" if args.split in ("all", "both") else args.split)
            print(flush=True)
    if args.json:
        for result in results.values():
            del result["table"]
        print(json.dumps({"split": args.split, "startup_s": round(startup_s, 3), "corpora": results}, indent=2))
    else:
        _print_summary(results, args.split)
        print(f"startup (not in the times above): model and gazetteer {startup_s:.1f} s")
    return 0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR, help="folder with <corpus>/<corpus>.jsonl (default: %(default)s)")
    parser.add_argument("--corpus", action="append", choices=CORPORA, help="run only this corpus (repeatable; default: all)")
    parser.add_argument("--split", choices=("dev", "train", "all", "both"), default="both",
                        help="which documents: both = the whole corpus and its dev split, scored from one run (default: %(default)s)")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N documents of each corpus")
    parser.add_argument("--repeat", type=int, default=1, metavar="N", help="time each side N times, keep the fastest (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--predictions-out", type=Path, metavar="DIR", help="also write <corpus>.pred.jsonl files here, for error analysis")
    args = parser.parse_args(argv)
    args.corpus = args.corpus or list(CORPORA)
    if args.limit is not None and args.limit < 1:
        parser.error(f"--limit must be at least 1, got {args.limit}")
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    for corpus in args.corpus:
        path = args.bench_dir / corpus / f"{corpus}.jsonl"
        if not path.is_file():
            parser.error(f"no gold file {path} (set --bench-dir to the folder holding {', '.join(CORPORA)})")
    return args


def _run(corpus: str, gold: list[dict[str, Any]], geoparser: Any, batch: int, args: argparse.Namespace) -> dict[str, Any]:
    from geomap.pipeline import is_output_toponym, toponym_record

    texts = [doc["text"] for doc in gold]
    spacy_runs, geoparse_runs = [], []
    found: list[list[dict[str, Any]]] = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        for _doc in geoparser.nlp.pipe(texts, batch_size=batch):
            pass
        spacy_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        found = [[toponym_record(m) for m in mentions if is_output_toponym(m)] for _doc, mentions in geoparser.pipe(texts)]
        geoparse_runs.append(time.perf_counter() - started)
    spacy_s, geoparse_s = min(spacy_runs), min(geoparse_runs)

    # What geomap geoparse writes: demonyms that name a place, marked "kind": "demonym".
    with_demonyms = [{"id": doc["id"], "toponyms": toponyms} for doc, toponyms in zip(gold, found)]
    without = [{"id": p["id"], "toponyms": [t for t in p["toponyms"] if t.get("kind") != "demonym"]} for p in with_demonyms]
    policy = DEMONYMS_ANNOTATED[corpus]
    predictions, other = (with_demonyms, without) if policy else (without, with_demonyms)
    if args.predictions_out:
        args.predictions_out.mkdir(parents=True, exist_ok=True)
        with open(args.predictions_out / f"{corpus}.pred.jsonl", "w", encoding="utf-8") as stream:
            for prediction in predictions:
                stream.write(json.dumps(prediction, ensure_ascii=False) + "\n")
    try:
        scores = score_geoparse(gold, predictions)
        other_scores = score_geoparse(gold, other)
        dev_scores = None
        if args.split == "both":
            dev_gold = [doc for doc in gold if split_of(doc["id"]) == "dev"]
            dev_ids = {doc["id"] for doc in dev_gold}
            dev_scores = score_geoparse(dev_gold, [p for p in predictions if p["id"] in dev_ids])
    except ValueError as err:
        sys.exit(f"error: geoparse output for {corpus} cannot be scored: {err}")
    return {
        "dev_scores": dev_scores.as_dict() if dev_scores else None,
        "n_docs": len(texts),
        "n_chars": sum(map(len, texts)),
        "demonyms_counted": policy,
        "geoparse_s": round(geoparse_s, 3),
        "spacy_s": round(spacy_s, 3),
        "ratio_to_spacy": round(geoparse_s / spacy_s, 3) if spacy_s else None,
        "scores": scores.as_dict(),
        "other_policy_scores": other_scores.as_dict(),
        "table": scores.table(),
    }


def _print_corpus(corpus: str, result: dict[str, Any], split: str) -> None:
    policy = "demonyms counted as toponyms" if result["demonyms_counted"] else "demonyms not counted"
    print(f"== {corpus} ({split}): {result['n_docs']:,} documents, {result['n_chars']:,} characters; {policy} ==")
    print(result["table"])
    other = result["other_policy_scores"]
    flipped = "without" if result["demonyms_counted"] else "with"
    print(
        f"The other way ({flipped} demonyms): overlap P {other['overlap_precision']:.3f} R {other['overlap_recall']:.3f} "
        f"F1 {other['overlap_f1']:.3f}; acc@161km {_fmt(other['acc_161'])}"
    )
    ratio = f"{result['ratio_to_spacy']:.2f}x" if result["ratio_to_spacy"] is not None else "n/a"
    rate = result["n_chars"] / result["geoparse_s"] if result["geoparse_s"] else float("inf")
    print(
        f"Time (total, fastest of runs): geoparse {result['geoparse_s']:.2f} s ({rate:,.0f} chars/s); "
        f"spaCy small model alone {result['spacy_s']:.2f} s; ratio {ratio}"
    )


def _print_summary(results: dict[str, dict[str, Any]], split: str) -> None:
    """One line per corpus and split: today's overlap F1 and acc@161 next to the strict ones."""
    print("corpus       split  docs  | overlap F1  acc@161 | strict P   strict R   strict F1  strict acc@161 (unplaced)")
    for corpus, result in results.items():
        rows = [("whole" if split in ("all", "both") else split, result["scores"])]
        if result.get("dev_scores"):
            rows.append(("dev", result["dev_scores"]))
        for name, sc in rows:
            print(
                f"{corpus:<12} {name:<5} {sc['n_docs']:>5}  |   {sc['overlap_f1']:.3f}    {_fmt(sc['acc_161'])} |"
                f"  {sc['strict_precision']:.3f}      {sc['strict_recall']:.3f}      {sc['strict_f1']:.3f}      "
                f"{_fmt(sc['strict_acc_161'])} ({sc['strict_n_unplaced']})"
            )
    print()


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    try:
        sys.exit(main())
    except GeomapError as err:
        sys.exit(f"error: {err}")
