"""The geomap command line: a thin click group over the library.

Exit codes: 0 all went well; 1 an error stopped the command (nothing written);
2 the command line was wrong; 3 the command finished but some inputs failed
(each named on stderr with its reason).
"""

from __future__ import annotations

import datetime as dt
import json
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
    from geomap.gazetteer import open_gazetteer
    from geomap.pipeline import Geoparser

    said = []

    def progress(message: str, fraction: float) -> None:
        if not said:
            click.echo("Building the offline gazetteer index (first run only)...", err=True)
            said.append(True)
        if sys.stderr.isatty():
            click.echo(f"\r  {fraction:4.0%} {message:<60}", err=True, nl=fraction >= 1.0)

    return Geoparser(open_gazetteer(progress=progress))


@click.group()
@click.version_option(package_name="geomap")
def cli() -> None:
    """Turn news articles into a map of incidents, offline.

    \b
    Example:
        geomap run seeds/            # writes output/map.html, events.csv, events.geojson
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for events.csv, events.geojson and map.html.")
@click.option("--published", callback=_date, metavar="YYYY-MM-DD",
              help="Publication date for articles that do not give one (anchors 'yesterday', 'on Monday').")
def run(paths: tuple[Path, ...], out_dir: Path, published: dt.date | None) -> None:
    """Read articles, extract and place their incidents, write the table and the map.

    PATHS are files or folders of .txt, .md, .html and .jsonl articles (JSONL: one
    article a line with "id", "text" and optionally "title", "published", "url").

    \b
    Example:
        geomap run seeds/ --out output/ --published 2025-07-03
    """
    from geomap.events import build_events
    from geomap.pipeline import extract_events
    from geomap.render import write_map
    from geomap.store import write_csv, write_geojson

    try:
        articles, failures = _read(paths, published)
        if not articles:
            _report_failures(failures)
            _fail(f"no article could be read from {', '.join(map(str, paths))}")
        geoparser = _geoparser()
        with _progress(len(articles)) as advance:
            result = extract_events(articles, geoparser=geoparser, published=published, on_article=advance)
        events = build_events(result.mentions, {a.id: a for a in articles})
        out_dir.mkdir(parents=True, exist_ok=True)
        write_csv(events, out_dir / "events.csv")
        write_geojson(events, out_dir / "events.geojson")
        write_map(events, out_dir / "map.html", title=_map_title(articles))
    except GeomapError as err:
        _fail(str(err))
    places = sum(1 for ms in result.toponyms.values() for m in ms if m.place is not None and m.kind != "modifier")
    located = int(events["lat"].notna().sum())
    click.echo(
        f"Read {len(articles)} article{'s' if len(articles) != 1 else ''}"
        f"{f', {len(failures)} failed' if failures else ''}; "
        f"{len(events)} events ({located} on the map); {places} place names resolved."
    )
    click.echo(f"Wrote {out_dir / 'events.csv'}, {out_dir / 'events.geojson'}, {out_dir / 'map.html'}")
    if failures:
        _report_failures(failures)
        sys.exit(EXIT_SOME_FAILED)


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
    click.echo(f"Wrote {len(articles)} articles to {outfile}")
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
    click.echo(f"Wrote {len(articles)} articles to {outfile}")
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


def main() -> None:
    cli()
