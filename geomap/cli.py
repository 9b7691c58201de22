"""The geomap command line: a thin click group over the library.

Exit codes: 0 all went well; 1 an error stopped the command (nothing written);
2 the command line was wrong; 3 the command finished but some inputs failed
(each named on stderr with its reason).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import click

from geomap.cli_options import (
    Folder,
    InputParam,
    ProgressBar,
    check_engine_options,
    check_geocoder_options,
    date_option,
    engine_options,
    fetch_options,
    geocoder_options,
    geocoder_warnings,
    interval_option,
    make_fetcher,
    online_lookup,
    open_gazetteer,
    store_options,
)
from geomap.errors import ArticleError, ArticleNote, GeomapError

EXIT_ERROR = 1
EXIT_SOME_FAILED = 3


def _fail(message: str) -> None:
    click.echo(_shown(f"Error: {message}"), err=True)
    sys.exit(EXIT_ERROR)


def _s(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _report_failures(failures: list[ArticleError]) -> None:
    for failure in failures:
        kind = "Warning" if isinstance(failure, ArticleNote) else "Failed"
        click.echo(_shown(f"{kind}: {failure.path}: {failure.reason}"), err=True)


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
        _fail(str(err))
    click.echo(f"Wrote {_s(len(articles), 'article')} to {outfile}")
    if failures:
        _report_failures(failures)
        sys.exit(EXIT_SOME_FAILED)


def _geoparser():
    from geomap.pipeline import Geoparser

    return Geoparser(open_gazetteer())


def _write_error_log(err: BaseException) -> Path | None:
    """Write the traceback of an unexpected error to a log file; its path, or None if none could be written."""
    import tempfile
    import traceback

    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    text = f"geomap {' '.join(sys.argv[1:])}\n{''.join(traceback.format_exception(err))}"
    for folder in (Path(tempfile.gettempdir()), Path.cwd()):
        path = folder / f"geomap-error-{stamp}-{os.getpid()}.log"
        try:
            path.write_text(text, encoding="utf-8", errors="backslashreplace")
        except OSError:
            continue
        return path
    return None


def _shown(text: object) -> str:
    """Text safe to print on any terminal: undecodable bytes of file names as \\xNN."""
    return str(text).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class _Group(click.Group):
    """The command group; no traceback reaches the user: an error geomap did not expect
    prints one line and the path of a log file holding the traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except GeomapError as err:
            _fail(_shown(err))
        except OSError as err:
            where = f"{_shown(err.filename)}: " if err.filename else ""
            _fail(f"{where}{err.strerror or err}")
        except Exception as err:  # noqa: BLE001 (the last resort: one line, the traceback in a file)
            log = _write_error_log(err)
            detail = _shown(f"{type(err).__name__}: {err}")[:300]
            where = f"the details are in {log}." if log else "no log file could be written."
            _fail(f"an internal error stopped geomap ({detail}); {where}")


@click.group(cls=_Group)
@click.version_option(package_name="geomap")
def cli() -> None:
    """Turn news articles into a map of incidents, offline.

    \b
    Example:
        geomap run seeds/            # writes output/map.html, events.csv, events.geojson
    """


def _waiting(out_dir: Path):
    from geomap.store import STORE_NAME

    def waiting() -> None:
        click.echo(f"Waiting for another geomap run to finish with {out_dir / STORE_NAME}...", err=True)

    return waiting


def _print_report(report) -> None:
    """What every run and rebuild tells: the summary line, corrections, files, geocoder, staleness."""
    click.echo(_shown(report.summary()))
    for line, to_stderr in report.notes():
        click.echo(_shown(line), err=to_stderr)


def _workflow(command, options: dict, geocoder: dict, **kwargs):
    """Run the workflow ``command`` (run or rebuild) with the command line's options; print its report."""
    check_geocoder_options(geocoder)
    settings = {"jobs": options.pop("jobs"), "engine": options.pop("engine"), "scheduler": options.pop("scheduler")}
    check_engine_options(settings, geocoder["geocoder"])
    try:
        with geocoder_warnings():
            gazetteer = open_gazetteer()
            result = command(**kwargs, gazetteer=gazetteer, lookup=online_lookup(gazetteer, geocoder),
                             on_wait=_waiting(kwargs["out"]), progress=ProgressBar, **settings, **options)
    except GeomapError as err:
        _report_failures(getattr(err, "failures", []))
        _fail(str(err))
    _print_report(result.report)
    return result


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=InputParam())
@store_options
@click.option("--published", callback=date_option, metavar="YYYY-MM-DD",
              help="Publication date for articles that do not give one (anchors 'yesterday', 'on Monday').")
@click.option("--new-store", is_flag=True,
              help="When the store in OUT is damaged: keep it aside (renamed OUT/geomap.sqlite.damaged-<time>) "
                   "and start a new one from these articles; without it a damaged store stops the run unchanged.")
@fetch_options
@geocoder_options
@engine_options
def run(paths: tuple[Path | str, ...], out_dir: Path, overrides_file: Path | None, wait: float,
        published: dt.date | None, new_store: bool, fetch_delay: float, fetch_timeout: float, fetch_retries: int,
        jobs: int, engine: str, scheduler: str | None, **geocoder) -> None:
    """Read articles, extract and place their incidents, write the table and the map.

    PATHS are files or folders of .txt, .md, .html and .jsonl articles (JSONL: one
    article a line with "id", "text" and optionally "title", "published", "url"),
    and URLs of article pages, RSS / Atom feeds and OPML lists of feeds, mixed freely.
    Pages are fetched politely (--fetch-*) and asked again only if they changed (the
    fetch cache is in OUT/geomap.sqlite).

    Everything goes into the event store OUT/geomap.sqlite, and OUT/events.csv,
    OUT/events.geojson and OUT/map.html are written from it. Run it again with new
    articles: articles it already holds are not read again (the same text is the
    same article, whatever its file name; a JSONL line with a known id and a new
    text replaces the old one; a web page is known by its canonical URL), and an
    incident that a new article reports again joins the event it already is (same
    event_id, one more source).

    \b
    Example:
        geomap run seeds/ --out output/ --published 2025-07-03
        geomap run new-articles/ --out output/ --overrides corrections.csv
        geomap run seeds/ --geocoder nominatim --geocoder-domain localhost:8080 --geocoder-scheme http
        geomap run feed/ --jobs 2
        geomap run feed/ --engine dask --scheduler tcp://10.0.0.5:8786
        geomap run https://news.example/feed.xml https://news.example/a1.html notes/
    """
    from geomap.web import is_url
    from geomap.workflow import run as run_workflow

    options = {"jobs": jobs, "engine": engine, "scheduler": scheduler, "overrides": overrides_file, "wait": wait,
               "published": published, "new_store": new_store}
    fetcher = None
    if any(is_url(p) for p in paths):
        fetcher = make_fetcher(out_dir, fetch_delay=fetch_delay, fetch_timeout=fetch_timeout,
                               fetch_retries=fetch_retries)
        options["fetcher"] = fetcher
    try:
        result = _workflow(run_workflow, options, geocoder, inputs=list(paths), out=out_dir)
    finally:
        if fetcher is not None:
            click.echo(f"Fetched: {_s(fetcher.requests, 'request')}, {fetcher.not_modified} answered "
                       "304 Not Modified.", err=True)
            fetcher.close()
            if fetcher.cache is not None:
                fetcher.cache.close()
    if result.report.failed:
        _report_failures(result.report.failed)
        sys.exit(EXIT_SOME_FAILED)


@cli.command()
@click.argument("feeds", nargs=-1, required=True, type=InputParam())
@click.option("--every", "every", default="15m", show_default=True, callback=interval_option, metavar="INTERVAL",
              help="How often to update: 30s, 15m, 2h, 1d (from the start of one update to the next).")
@store_options
@click.option("--published", callback=date_option, metavar="YYYY-MM-DD",
              help="Publication date for articles that do not give one.")
@fetch_options
@click.pass_context
def watch(ctx: click.Context, feeds: tuple[Path | str, ...], every: float, **options) -> None:
    """Keep a map current: run FEEDS into OUT now and then every INTERVAL, until Ctrl-C.

    FEEDS are what `geomap run` takes (feeds, pages, OPML lists, files, folders). Each
    update is a `geomap run`: a feed that has not changed costs one conditional request
    and adds nothing. Updates never overlap, and a store another geomap run holds is
    left alone until the next update (see --wait). Ctrl-C or SIGTERM stops it cleanly:
    every article stored so far is kept. A bad link is reported and the watch goes on.

    \b
    Example:
        geomap watch https://news.example/feed.xml --every 15m --out output/
        # or from cron, every 15 minutes:
        # */15 * * * *  geomap run https://news.example/feed.xml --out /srv/map
    """
    from geomap.web.watch import interrupt_on_sigterm
    from geomap.web.watch import watch as watch_loop

    def update() -> None:
        try:
            ctx.invoke(run, paths=feeds, **options)
        except SystemExit as done:  # run ends with sys.exit (1: an error, 3: some inputs failed); watch goes on
            if done.code not in (None, 0, EXIT_ERROR, EXIT_SOME_FAILED):
                raise

    try:
        with interrupt_on_sigterm():
            watch_loop(update, every=every)
    except KeyboardInterrupt:
        click.echo("Stopped; everything stored so far is kept.", err=True)


@cli.command()
@store_options
@geocoder_options
@engine_options
def rebuild(out_dir: Path, overrides_file: Path | None, wait: float, jobs: int, engine: str,
            scheduler: str | None, **geocoder) -> None:
    """Extract every stored article again and rewrite the events, the table and the map.

    For after an upgrade of geomap or of its gazetteer (a run says when stored
    articles were extracted by another version), or to place every stored article
    with an online geocoder. Event ids stay those of the first article that
    reported each incident.

    \b
    Example:
        geomap rebuild --out output/
        geomap rebuild --out output/ --geocoder nominatim
        geomap rebuild --out output/ --jobs 2
    """
    from geomap.store import STORE_NAME
    from geomap.workflow import rebuild as rebuild_workflow

    if not (out_dir / STORE_NAME).is_file():
        _fail(f"no event store at {out_dir / STORE_NAME}; `geomap run PATH --out {out_dir}` makes one")
    options = {"jobs": jobs, "engine": engine, "scheduler": scheduler, "overrides": overrides_file, "wait": wait}
    _workflow(rebuild_workflow, options, geocoder, out=out_dir)


_SUFFIX_FORMATS = {".csv": "csv", ".geojson": "geojson", ".json": "geojson", ".parquet": "parquet", ".pq": "parquet"}


@cli.command()
@click.option("--out", "out_dir", default="output", show_default=True, type=Folder(file_okay=False, path_type=Path),
              help="Folder of the event store (geomap.sqlite) to export from.")
@click.option("--format", "fmt", type=click.Choice(["csv", "geojson", "parquet"]),
              help="What to write (default: from FILE's suffix: .csv, .geojson or .json, .parquet). "
                   "Parquet needs pyarrow: pip install 'geomap[parquet]'.")
@click.option("-o", "--output", "outfile", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write.")
def export(out_dir: Path, fmt: str | None, outfile: Path) -> None:
    """Write the events table of the event store as CSV, GeoJSON or Parquet.

    \b
    Example:
        geomap export --out output/ --format parquet -o events.parquet
        geomap export --out output/ -o events.geojson
    """
    from geomap.store import EventStore, write_events

    fmt = fmt or _SUFFIX_FORMATS.get(outfile.suffix.lower())
    if fmt is None:
        raise click.UsageError(f"cannot tell the format from {outfile.name!r}; give --format csv, geojson or parquet")
    try:
        with EventStore.open_existing(out_dir) as store:
            events = store.read_events()
        write_events(events, outfile, format=fmt)
    except GeomapError as err:
        _fail(str(err))
    click.echo(f"Wrote {_s(len(events), 'event')} to {outfile}")

@cli.command()
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


@cli.command()
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


@cli.command()
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
        _fail(str(err))
    if not candidates:
        click.echo(f"No place named {name!r} in the gazetteer.", err=True)
        sys.exit(EXIT_ERROR)
    for place in candidates:
        click.echo(format_candidate(place))


@cli.command("eval")
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
        _fail(str(err))
    except ValueError as err:
        _fail(f"cannot score {pred_path or 'the predictions'} against {gold}: {err}")
    if as_json:
        click.echo(json.dumps(scores.as_dict(), indent=2))
    else:
        click.echo(scores.table(f"{gold.name}: {scores.n_docs:,} documents"))


@cli.command()
@click.argument("events_file", metavar="EVENTS", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "outfile", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (default: map.html, or map-embed.html with --embed, beside EVENTS).")
@click.option("--title", help="Shown on the map and as the page's title.")
@click.option("--embed", is_flag=True,
              help="Write an HTML fragment to put inside a larger page (no <html> or <head>; several fit in one page).")
@click.option("--name", metavar="NAME",
              help="With --embed: the prefix of the fragment's element ids (default: from a hash of its content).")
@click.option("--height", default="600px", show_default=True, metavar="CSS",
              help="With --embed: the map's height as a CSS length (600px, 70vh, 40em).")
@click.option("--online-tiles", is_flag=True,
              help="Use OpenStreetMap's tile server for the basemap instead of embedding it (smaller; needs the internet).")
@click.option("--cdn", is_flag=True,
              help="Load Leaflet from a CDN (unpkg, with integrity hashes) instead of inlining it (smaller; needs the internet).")
def render(events_file: Path, outfile: Path | None, title: str | None, embed: bool, name: str | None,
           height: str, online_tiles: bool, cdn: bool) -> None:
    """Draw the map again from a stored events table, without reading any article.

    EVENTS is an events table that geomap wrote (events.csv, events.geojson, a
    Parquet file) or an event store's folder.

    \b
    Example:
        geomap render output/events.csv --title "Kursk, August 2024"
        geomap render output/events.geojson --embed --name kursk -o report/map.html
        geomap render output/events.csv --online-tiles --cdn -o small-map.html
    """
    from geomap.render import write_fragment, write_map
    from geomap.store import read_events

    if not embed and (name is not None or height != "600px"):
        raise click.UsageError("--name and --height need --embed")
    outfile = outfile or (events_file if events_file.is_dir() else events_file.parent) / (
        "map-embed.html" if embed else "map.html")
    try:
        events = read_events(events_file)
        if embed:
            write_fragment(events, outfile, name=name, title=title, height=height, online_tiles=online_tiles, cdn=cdn)
        else:
            write_map(events, outfile, title=title, online_tiles=online_tiles, cdn=cdn)
    except GeomapError as err:
        _fail(str(err))
    located = int(events["lat"].notna().sum())
    click.echo(f"Wrote {_s(len(events), 'event')} ({located} on the map) to {outfile}")


@cli.command()
@click.argument("html_file", metavar="MAP", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "outfile", type=click.Path(dir_okay=False, path_type=Path),
              help="PNG file to write (default: MAP with the suffix .png).")
@click.option("--width", default=1280, show_default=True, type=click.IntRange(100, 8000), help="Pixels.")
@click.option("--height", default=800, show_default=True, type=click.IntRange(100, 8000), help="Pixels.")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              metavar="SECONDS", help="How long to wait for the map to be drawn.")
def snapshot(html_file: Path, outfile: Path | None, width: int, height: int, timeout: float) -> None:
    """Save a picture of a map as PNG, taken in headless Chromium once it is drawn.

    Uses the system's Chromium (Debian, Ubuntu: apt-get install chromium), or the
    browser that the GEOMAP_CHROMIUM environment variable points at.

    \b
    Example:
        geomap snapshot output/map.html -o map.png
        geomap snapshot output/map.html -o thumbnail.png --width 640 --height 400
    """
    from geomap.render import snapshot_map

    outfile = outfile or html_file.with_suffix(".png")
    try:
        snapshot_map(html_file, outfile, width=width, height=height, timeout_s=timeout)
    except GeomapError as err:
        _fail(str(err))
    click.echo(f"Wrote {outfile} ({width}x{height})")


def main() -> None:
    cli()
