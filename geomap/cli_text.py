"""The command line's text commands, each on a JSONL file or a name, none touching an event
store: `geomap geoparse`, `geomap events`, `geomap geocode` and `geomap eval`.
:mod:`geomap.cli` adds :data:`COMMANDS` to its group."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from geomap.cli_options import date_option, open_gazetteer
from geomap.cli_shell import EXIT_ERROR, EXIT_SOME_FAILED, fail, plural, report_failures
from geomap.errors import GeomapError

__all__ = ["COMMANDS", "geoparse", "events", "geocode", "evaluate_command"]


def _read(paths, published):
    from geomap.workflow import read_inputs

    return read_inputs(list(paths), published=published)


def _per_article(infile: Path, outfile: Path, published: dt.date | None, key: str, compute) -> None:
    """Read the articles of a JSONL file, write one line {"id", key: ...} per article, report."""
    try:
        articles, failures = _read([infile], published)
        found = compute(articles if key == "events" else [a.text for a in articles], published) if articles else []
        outfile.parent.mkdir(parents=True, exist_ok=True)
        with outfile.open("w", encoding="utf-8") as fh:
            for article, records in zip(articles, found):
                fh.write(json.dumps({"id": article.id, key: records}, ensure_ascii=False) + "\n")
    except GeomapError as err:
        fail(str(err))
    click.echo(f"Wrote {plural(len(articles), 'article')} to {outfile}")
    if failures:
        report_failures(failures)
        sys.exit(EXIT_SOME_FAILED)


def _geoparser():
    from geomap.pipeline import Geoparser

    return Geoparser(open_gazetteer())


@click.command()
@click.argument("infile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "outfile", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSONL file to write: one line per input article.")
def geoparse(infile: Path, outfile: Path) -> None:
    """Find and resolve the place names in each article of a JSONL file.

    Each input line is {"id", "text"}; each output line is {"id", "toponyms": [{"start",
    "end", "name", "lat", "lon", "geonameid", "feature_code", "country_code", "score"}]}
    with character offsets into "text".

    \b
    Example:
        geomap geoparse articles.jsonl -o toponyms.jsonl
    """
    from geomap.pipeline import geoparse as run_geoparse

    _per_article(infile, outfile, None, "toponyms", lambda texts, published: run_geoparse(texts, geoparser=_geoparser()))


@click.command()
@click.argument("infile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "outfile", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSONL file to write: one line per input article.")
@click.option("--published", callback=date_option, metavar="YYYY-MM-DD",
              help="Publication date for articles that do not give one.")
def events(infile: Path, outfile: Path, published: dt.date | None) -> None:
    """Extract the events of each article of a JSONL file, article by article.

    Each input line is {"id", "text", optional "published"}; each output line is
    {"id", "events": [...]}, every event with the events-table columns plus "trigger"
    and "location" as {"start", "end", "text"} spans into "text" ("location" null when
    the text names no place). Incidents are merged within an article, not across.

    \b
    Example:
        geomap events articles.jsonl -o events.jsonl --published 2025-07-03
    """
    from geomap.pipeline import article_events

    _per_article(infile, outfile, published, "events", lambda articles, day: article_events(
        articles, geoparser=_geoparser(), published=day))


@click.command()
@click.argument("name")
@click.option("--country", metavar="CC", help="Only places in this country (ISO 3166 alpha-2, e.g. UA).")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100), help="How many candidates.")
def geocode(name: str, country: str | None, limit: int) -> None:
    """List the ranked places the offline gazetteer holds for NAME.

    \b
    Example:
        geomap geocode Lugansk
        geomap geocode "Kursk region" --limit 3
    """
    from geomap.geocode.gazetteer import format_candidate, geocode_candidates

    try:
        candidates = geocode_candidates(name, country=country, limit=limit)
    except GeomapError as err:
        fail(str(err))
    if not candidates:
        click.echo(f"No place named {name!r} in the gazetteer.", err=True)
        sys.exit(EXIT_ERROR)
    for place in candidates:
        click.echo(format_candidate(place))


@click.command("eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pred", "pred_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Predictions to score, JSONL of {\"id\", \"toponyms\"} (as geomap geoparse writes); default: geoparse the gold texts now.")
@click.option("--demonyms/--no-demonyms", default=True, show_default=True,
              help="Count demonyms (\"Russian\", \"European\") as toponyms of their country or region, as geomap geoparse outputs them "
                   "and GeoWebNews and LGL annotate them; --no-demonyms drops them (GeoVirus does not annotate them).")
@click.option("--split", type=click.Choice(["all", "dev", "train"]), default="all", show_default=True,
              help="Score only the dev or train part of the gold (a hash of each document id decides).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object instead of a table.")
def evaluate_command(gold: Path, pred_path: Path | None, demonyms: bool, split: str, as_json: bool) -> None:
    """Score geoparsing against a gold corpus: recognition, resolution and end to end.

    GOLD is JSONL, one document a line: {"id", "text", "toponyms": [{"start", "end",
    "lat", "lon", "geonameid"}]} ("unresolved_toponyms" count for recognition only).
    Recognition is span precision, recall and F1 (exact and overlapping spans);
    resolution, on the recognised gold toponyms, is GeoNames id accuracy, accuracy
    within 161 km, mean and median error and the AUC of the log error; end to end is the
    share of gold toponyms found and put within 161 km.

    \b
    Example:
        geomap eval gold.jsonl
        geomap eval gold.jsonl --pred toponyms.jsonl --json
    """
    from geomap.evaluate import predict_documents, read_gold, read_jsonl, score_geoparse

    try:
        docs = read_gold(gold, split=None if split == "all" else split)
        if pred_path is not None:
            wanted = {str(d["id"]) for d in docs}
            predictions = [p for p in read_jsonl(pred_path) if str(p.get("id")) in wanted]
        else:
            from geomap.pipeline import geoparse

            geoparser = _geoparser()

            def run_geoparse(texts: list[str]) -> list[list[dict]]:
                return geoparse(texts, geoparser=geoparser, demonyms=demonyms)

            predictions = predict_documents(docs, run_geoparse)
        scores = score_geoparse(docs, predictions)
    except GeomapError as err:
        fail(str(err))
    except ValueError as err:
        fail(f"cannot score {pred_path or 'the predictions'} against {gold}: {err}")
    if as_json:
        click.echo(json.dumps(scores.as_dict(), indent=2))
    else:
        click.echo(scores.table(f"{gold.name}: {scores.n_docs:,} documents"))


COMMANDS = (geoparse, events, geocode, evaluate_command)
