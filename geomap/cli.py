"""The geomap command line: a thin click group over the library.

Exit codes: 0 all went well; 1 an error stopped the command (nothing written);
2 the command line was wrong; 3 the command finished but some inputs failed
(each named on stderr with its reason).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sys
from pathlib import Path

import click

from geomap.errors import ArticleError, GeomapError

EXIT_ERROR = 1
EXIT_SOME_FAILED = 3


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _report_failures(failures: list[ArticleError]) -> None:
    for failure in failures:
        click.echo(f"Failed: {failure.path}: {failure.reason}", err=True)


def _read(paths, published):
    from geomap.articles import read_articles

    articles, failures = [], []
    for item in read_articles(paths, published=published):
        (failures if isinstance(item, ArticleError) else articles).append(item)
    return articles, failures


def _geoparser():
    from geomap.pipeline import Geoparser

    return Geoparser(_open_gazetteer())


def _open_gazetteer():
    from geomap.gazetteer import open_gazetteer

    said = []

    def progress(message: str, fraction: float) -> None:
        if not said:
            click.echo("Building the offline gazetteer index (first run only)...", err=True)
            said.append(True)
        if sys.stderr.isatty():
            click.echo(f"\r  {fraction:4.0%} {message:<60}", err=True, nl=fraction >= 1.0)

    return open_gazetteer(progress=progress)


@click.group()
@click.version_option(package_name="geomap")
def cli() -> None:
    """Turn news articles into a map of incidents, offline.

    \b
    Example:
        geomap run seeds/            # writes output/map.html, events.csv, events.geojson
    """


def _apply(options, command):
    """Put a group of click options on ``command``, in the order given (as stacked decorators would)."""
    for option in reversed(options):
        command = option(command)
    return command


def _store_options(command):
    """--out, --overrides and --wait: where the store is, its corrections, how long to wait for it."""
    options = (
        click.option("--out", "out_dir", default="output", show_default=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Folder of the event store (geomap.sqlite) and of events.csv, events.geojson and map.html."),
        click.option("--overrides", "overrides_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="CSV or YAML of corrected places (place_text, article_id, geonameid or lat and lon, note), "
                          "kept in the store for every later run; OUT/overrides.csv is always applied too."),
        click.option("--wait", default=120.0, show_default=True, type=click.FloatRange(min=0), metavar="SECONDS",
                     help="How long to wait for another geomap run on the same --out folder to finish."),
    )
    return _apply(options, command)


def _geocoder_options(command):
    """--geocoder and its settings: an online geocoder in front of the offline gazetteer."""
    options = (
        click.option("--geocoder", "geocoder", metavar="NAME",
                     help="Resolve place names with this online geocoder (a geopy service: nominatim, photon, "
                          "arcgis, ...), its answers cached in the store; the offline gazetteer answers whenever "
                          "it fails. An API key comes from the environment variable GEOMAP_<NAME>_API_KEY."),
        click.option("--geocoder-domain", metavar="HOST[:PORT]",
                     help="Where the geocoder lives, e.g. your own Nominatim (default: the service's own)."),
        click.option("--geocoder-scheme", type=click.Choice(["http", "https"]), help="http or https (default https)."),
        click.option("--geocoder-timeout", default=10.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
                     metavar="SECONDS", help="How long to wait for one answer."),
        click.option("--geocoder-min-delay", default=1.0, show_default=True, type=click.FloatRange(min=0),
                     metavar="SECONDS",
                     help="At least this long between two requests (the public Nominatim allows no less than 1)."),
        click.option("--geocoder-retries", default=3, show_default=True, type=click.IntRange(min=0), metavar="N",
                     help="Retries of a failed request, with exponential back-off."),
    )
    return _apply(options, command)


def _engine_options(command):
    """--jobs, --engine and --scheduler: where extraction runs."""
    options = (
        click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(min=1), metavar="N",
                     help="Extract with N worker processes (the events are the same as with one)."),
        click.option("--engine", default="local", show_default=True, type=click.Choice(["local", "dask"]),
                     help="local: a pool of --jobs processes here; dask: a Dask cluster, local with --jobs "
                          "workers or the one at --scheduler (pip install 'geomap[dask]')."),
        click.option("--scheduler", metavar="ADDRESS",
                     help="A running Dask scheduler (tcp://host:8786) whose workers extract; they need geomap "
                          "installed and its gazetteer built (geomap geocode Kyiv builds it)."),
    )
    return _apply(options, command)


def _check_engine_options(engine: dict, lookup) -> None:
    if engine["scheduler"] and engine["engine"] != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    if lookup is not None and (engine["jobs"] > 1 or engine["engine"] == "dask"):
        raise click.UsageError("--geocoder works with one job on the local engine (an online geocoder has one "
                               "rate limit, which parallel workers would break)")


def _check_geocoder_options(settings: dict) -> None:
    if not settings["geocoder"]:
        for name in ("geocoder_domain", "geocoder_scheme"):
            if settings[name]:
                raise click.UsageError(f"--{name.replace('_', '-')} needs --geocoder NAME")


def _online_lookup(gazetteer, settings: dict):
    """The OnlineLookup the options ask for (its cache is attached once the store is open), or None."""
    if not settings["geocoder"]:
        return None
    from geomap.geocode.online import OnlineLookup, make_geocoder

    geocoder = make_geocoder(settings["geocoder"], domain=settings["geocoder_domain"],
                             scheme=settings["geocoder_scheme"], timeout=settings["geocoder_timeout"])
    return OnlineLookup(geocoder, cache=None, fallback=gazetteer,
                        min_delay_seconds=settings["geocoder_min_delay"], max_retries=settings["geocoder_retries"])


class _WarningsToStderr(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"Warning: {record.getMessage()}", err=True)


@contextlib.contextmanager
def _geocoder_warnings():
    """The online geocoders' warnings (a service failing, given up on) go to stderr during a command."""
    logger = logging.getLogger("geomap.geocode")
    handler = _WarningsToStderr(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _read_corrections(out_dir: Path, overrides_file: Path | None):
    """Rows of OUT/overrides.csv and of --overrides FILE, checked (file:line errors)."""
    from geomap.overrides import read_overrides

    automatic = out_dir / "overrides.csv"
    in_folder = read_overrides(automatic) if automatic.is_file() else []
    given = read_overrides(overrides_file) if overrides_file is not None else None
    return in_folder, given


def _corrections(store, gazetteer, in_folder, given):
    """The corrections of this run: OUT/overrides.csv, then --overrides FILE (kept in the store) or
    the rows an earlier --overrides left there; later rows win."""
    from geomap.overrides import resolve_overrides

    if given is not None:
        store.replace_overrides(given)
    rows = [*in_folder, *(given if given is not None else store.overrides())]
    return rows, resolve_overrides(rows, gazetteer)


def _open_store(out_dir: Path, wait: float):
    from geomap.store import STORE_NAME, EventStore

    def waiting() -> None:
        click.echo(f"Waiting for another geomap run to finish with {out_dir / STORE_NAME}...", err=True)

    return EventStore.open(out_dir, wait=wait, on_wait=waiting)


def _gazetteer_version(gazetteer) -> str:
    return gazetteer.meta.get("index_key") or Path(gazetteer.path).name


def _extract_into(store, articles, *, gazetteer, lookup, published, jobs=1, engine="local", scheduler=None) -> None:
    """Extract the articles, storing each (one transaction) as soon as it is done, in input order."""
    if not articles:
        return
    version = _gazetteer_version(gazetteer)
    geocoder = lookup.cache_service if lookup is not None else "offline"

    def save(article, mentions, toponyms) -> None:
        store.put_article(article, mentions, toponyms, gazetteer_version=version, geocoder=geocoder)

    with _progress(len(articles)) as advance:
        if jobs == 1 and engine == "local":
            from geomap.pipeline import Geoparser, extract_events

            extract_events(articles, geoparser=Geoparser(lookup or gazetteer), published=published,
                           on_article=advance, on_extracted=save)
        else:
            from geomap.parallel import extract_parallel

            extract_parallel(articles, jobs=jobs, engine=engine, scheduler=scheduler, published=published,
                             gazetteer=gazetteer, on_article=advance, on_extracted=save)


def _update_outputs(store, out_dir: Path, overrides):
    """Rebuild the events from every stored mention, store them, write the three files."""
    from geomap.render import write_map
    from geomap.store import compare_events, write_csv, write_geojson

    previous = store.read_events()
    events, used = store.build_events(overrides)
    store.write_events_table(events)
    write_csv(events, out_dir / "events.csv")
    write_geojson(events, out_dir / "events.geojson")
    write_map(events, out_dir / "map.html", title=_map_title([s.article for s in store.stored_articles()]))
    return events, compare_events(previous, events), used


def _s(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _store_summary(events, changes) -> str:
    """The end of every run's and rebuild's summary line: what changed, what the store holds."""
    located = int(events["lat"].notna().sum())
    return f"{changes.summary()}; {_s(len(events), 'event')} in the store ({located} on the map)."


def _report_store(store, out_dir: Path, events, rows, used, lookup, gazetteer) -> None:
    """What every run and rebuild tells after its summary line: corrections, files, geocoder, staleness."""
    if rows:
        sources = ", ".join(dict.fromkeys(row.source for row in rows))
        click.echo(f"Corrections: {_s(sum(used.values()), 'event mention')} corrected by "
                   f"{_s(len({r for r in rows if r in used}), 'row')} of {sources}.")
        for row in rows:
            if row not in used:
                scope = f" in article {row.article_id}" if row.article_id else ""
                click.echo(f"Warning: {row.where}: no stored event has the place {row.place_text!r}{scope}", err=True)
    click.echo(f"Wrote {out_dir / 'events.csv'}, {out_dir / 'events.geojson'}, {out_dir / 'map.html'}")
    if lookup is not None:
        click.echo(f"Geocoder {lookup.cache_service}: {lookup.stats.summary()}.", err=True)
    stale = store.stale_articles(gazetteer_version=_gazetteer_version(gazetteer))
    if stale:
        click.echo(f"Note: {_s(len(stale), 'stored article')} {'was' if len(stale) == 1 else 'were'} extracted by "
                   f"another version of geomap or of its gazetteer; `geomap rebuild --out {out_dir}` extracts "
                   "them again.", err=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_store_options
@click.option("--published", callback=_date, metavar="YYYY-MM-DD",
              help="Publication date for articles that do not give one (anchors 'yesterday', 'on Monday').")
@_geocoder_options
@_engine_options
def run(paths: tuple[Path, ...], out_dir: Path, overrides_file: Path | None, wait: float,
        published: dt.date | None, jobs: int, engine: str, scheduler: str | None, **geocoder) -> None:
    """Read articles, extract and place their incidents, write the table and the map.

    PATHS are files or folders of .txt, .md, .html and .jsonl articles (JSONL: one
    article a line with "id", "text" and optionally "title", "published", "url").

    Everything goes into the event store OUT/geomap.sqlite, and OUT/events.csv,
    OUT/events.geojson and OUT/map.html are written from it. Run it again with new
    articles: articles it already holds are not read again (the same text is the
    same article, whatever its file name; a JSONL line with a known id and a new
    text replaces the old one), and an incident that a new article reports again
    joins the event it already is (same event_id, one more source).

    \b
    Example:
        geomap run seeds/ --out output/ --published 2025-07-03
        geomap run new-articles/ --out output/ --overrides corrections.csv
        geomap run seeds/ --geocoder nominatim --geocoder-domain localhost:8080 --geocoder-scheme http
        geomap run feed/ --jobs 2
        geomap run feed/ --engine dask --scheduler tcp://10.0.0.5:8786
    """
    _check_geocoder_options(geocoder)
    settings = {"jobs": jobs, "engine": engine, "scheduler": scheduler}
    _check_engine_options(settings, geocoder["geocoder"])
    lookup = None
    try:
        articles, failures = _read(paths, published)
        if not articles:
            _report_failures(failures)
            _fail(f"no article could be read from {', '.join(map(str, paths))}")
        with _geocoder_warnings():
            gazetteer = _open_gazetteer()
            lookup = _online_lookup(gazetteer, geocoder)
            in_folder, given = _read_corrections(out_dir, overrides_file)
            from geomap.overrides import resolve_overrides

            resolve_overrides([*in_folder, *(given or [])], gazetteer)  # a bad row stops the run before it writes
            with _open_store(out_dir, wait) as store:
                rows, overrides = _corrections(store, gazetteer, in_folder, given)
                if lookup is not None:
                    from geomap.geocode.cache import GeocodeCache

                    lookup.cache = GeocodeCache(store.path)
                plan = store.plan(articles)
                _extract_into(store, plan.to_extract, gazetteer=gazetteer, lookup=lookup, published=published,
                              **settings)
                events, changes, used = _update_outputs(store, out_dir, overrides)
                counts = [f"{len(group)} {word}" for group, word in
                          ((plan.new, "new"), (plan.updated, "updated"), (plan.unchanged, "unchanged")) if group]
                click.echo(
                    f"Read {_s(len(articles), 'article')}{f', {len(failures)} failed' if failures else ''}; "
                    f"{', '.join(counts)}; {_store_summary(events, changes)}"
                )
                _report_store(store, out_dir, events, rows, used, lookup, gazetteer)
    except GeomapError as err:
        _fail(str(err))
    finally:
        if lookup is not None and lookup.cache is not None:
            lookup.cache.close()
    if failures:
        _report_failures(failures)
        sys.exit(EXIT_SOME_FAILED)


@cli.command()
@_store_options
@_geocoder_options
@_engine_options
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

    _check_geocoder_options(geocoder)
    settings = {"jobs": jobs, "engine": engine, "scheduler": scheduler}
    _check_engine_options(settings, geocoder["geocoder"])
    lookup = None
    try:
        if not (out_dir / STORE_NAME).is_file():
            _fail(f"no event store at {out_dir / STORE_NAME}; `geomap run PATH --out {out_dir}` makes one")
        with _geocoder_warnings():
            gazetteer = _open_gazetteer()
            lookup = _online_lookup(gazetteer, geocoder)
            in_folder, given = _read_corrections(out_dir, overrides_file)
            from geomap.overrides import resolve_overrides

            resolve_overrides([*in_folder, *(given or [])], gazetteer)
            with _open_store(out_dir, wait) as store:
                rows, overrides = _corrections(store, gazetteer, in_folder, given)
                if lookup is not None:
                    from geomap.geocode.cache import GeocodeCache

                    lookup.cache = GeocodeCache(store.path)
                articles = [s.article for s in store.stored_articles()]
                _extract_into(store, articles, gazetteer=gazetteer, lookup=lookup, published=None, **settings)
                events, changes, used = _update_outputs(store, out_dir, overrides)
                click.echo(f"Extracted {_s(len(articles), 'stored article')} again; {_store_summary(events, changes)}")
                _report_store(store, out_dir, events, rows, used, lookup, gazetteer)
    except GeomapError as err:
        _fail(str(err))
    finally:
        if lookup is not None and lookup.cache is not None:
            lookup.cache.close()


_SUFFIX_FORMATS = {".csv": "csv", ".geojson": "geojson", ".json": "geojson", ".parquet": "parquet", ".pq": "parquet"}


@cli.command()
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(file_okay=False, path_type=Path),
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

def _map_title(articles) -> str:
    if len(articles) == 1 and articles[0].title:
        return articles[0].title
    return f"geomap: {len(articles)} articles"


class _progress:
    """A progress bar on stderr for long runs; silent for a handful of articles."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._bar = None

    def __enter__(self):
        if self.total >= 20 and sys.stderr.isatty():
            from rich.progress import Progress

            self._bar = Progress(transient=True)
            self._bar.start()
            task = self._bar.add_task("Articles", total=self.total)
            return lambda _article: self._bar.advance(task)
        return lambda _article: None

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


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

    try:
        articles, failures = _read([infile], None)
        parsed = run_geoparse([a.text for a in articles], geoparser=_geoparser()) if articles else []
        outfile.parent.mkdir(parents=True, exist_ok=True)
        with outfile.open("w", encoding="utf-8") as fh:
            for article, toponyms in zip(articles, parsed):
                fh.write(json.dumps({"id": article.id, "toponyms": toponyms}, ensure_ascii=False) + "\n")
    except GeomapError as err:
        _fail(str(err))
    click.echo(f"Wrote {_s(len(articles), 'article')} to {outfile}")
    if failures:
        _report_failures(failures)
        sys.exit(EXIT_SOME_FAILED)


@cli.command()
@click.argument("infile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "outfile", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSONL file to write: one line per input article.")
@click.option("--published", callback=_date, metavar="YYYY-MM-DD",
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
    from geomap.events import build_events, event_records
    from geomap.pipeline import extract_events

    try:
        articles, failures = _read([infile], published)
        result = extract_events(articles, geoparser=_geoparser(), published=published) if articles else None
        outfile.parent.mkdir(parents=True, exist_ok=True)
        with outfile.open("w", encoding="utf-8") as fh:
            for article in articles:
                mentions = [m for m in result.mentions if m.article_id == article.id]
                records = event_records(build_events(mentions, {article.id: article}))
                fh.write(json.dumps({"id": article.id, "events": records}, ensure_ascii=False) + "\n")
    except GeomapError as err:
        _fail(str(err))
    click.echo(f"Wrote {_s(len(articles), 'article')} to {outfile}")
    if failures:
        _report_failures(failures)
        sys.exit(EXIT_SOME_FAILED)


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
@click.option("--demonyms/--no-demonyms", default=False, show_default=True,
              help="Count demonyms (\"Russian\", \"European\") as toponyms of their country or region, as GeoWebNews and LGL annotate them.")
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
            from geomap.pipeline import toponym_record

            geoparser = _geoparser()

            def run_geoparse(texts: list[str]) -> list[list[dict]]:
                return [
                    [toponym_record(m) for m in mentions if m.kind != "modifier" or (demonyms and m.place is not None)]
                    for _doc, mentions in geoparser.pipe(texts)
                ]

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
