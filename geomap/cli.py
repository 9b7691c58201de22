"""The geomap command line: a thin click group over the library.

Exit codes: 0 all went well; 1 an error stopped the command (nothing written);
2 the command line was wrong; 3 the command finished but some inputs failed
(each named on stderr with its reason).

Here: the group and the commands of an event store (run, rebuild, export) and of its
map (render, snapshot). The option groups are in :mod:`geomap.cli_options`, the error
shell in :mod:`geomap.cli_shell`, `geomap watch` and the --fetch-* options in
:mod:`geomap.cli_web`, and the text commands (geoparse, events, geocode, eval) in
:mod:`geomap.cli_text`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from geomap.cli_options import (
    Folder,
    ProgressBar,
    check_engine_options,
    check_geocoder_options,
    date_option,
    engine_options,
    geocoder_options,
    geocoder_warnings,
    online_lookup,
    open_gazetteer,
    store_options,
)
from geomap.cli_shell import EXIT_ERROR, EXIT_SOME_FAILED, Group, fail, plural, report_failures, shown
from geomap.cli_text import COMMANDS as TEXT_COMMANDS
from geomap.cli_web import InputParam, fetch_options, fetching, watch
from geomap.errors import GeomapError

__all__ = ["cli", "main", "EXIT_ERROR", "EXIT_SOME_FAILED"]


@click.group(cls=Group)
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
    click.echo(shown(report.summary()))
    for line, to_stderr in report.notes():
        click.echo(shown(line), err=to_stderr)


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
        report_failures(getattr(err, "failures", []))
        fail(str(err))
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
    from geomap.workflow import run as run_workflow

    options = {"jobs": jobs, "engine": engine, "scheduler": scheduler, "overrides": overrides_file, "wait": wait,
               "published": published, "new_store": new_store}
    with fetching(paths, out_dir, fetch_delay=fetch_delay, fetch_timeout=fetch_timeout,
                  fetch_retries=fetch_retries) as fetcher:
        if fetcher is not None:
            options["fetcher"] = fetcher
        result = _workflow(run_workflow, options, geocoder, inputs=list(paths), out=out_dir)
    if result.report.failed:
        report_failures(result.report.failed)
        sys.exit(EXIT_SOME_FAILED)


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
        fail(f"no event store at {out_dir / STORE_NAME}; `geomap run PATH --out {out_dir}` makes one")
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
        fail(str(err))
    click.echo(f"Wrote {plural(len(events), 'event')} to {outfile}")

@cli.command()
@click.argument("events_file", metavar="EVENTS", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "outfile", type=click.Path(path_type=Path),
              help="HTML file to write, or a folder to write it in (default: beside EVENTS, EVENTS-map.html, "
                   "or map-embed.html with --embed: never over the map.html of a run).")
@click.option("--title", help="Shown on the map and as the page's title (default: the title the run gave its map).")
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
    Parquet file) or an event store's folder. The map is written beside it
    (output/events.csv: output/events-map.html; a folder: events-map.html in it),
    leaving the run's own map.html as it is, or where -o says.

    \b
    Example:
        geomap render output/events.csv            # output/events-map.html, titled as the run's map
        geomap render output/events.csv --title "Kursk, August 2024" -o report/
        geomap render output/events.geojson --embed --name kursk -o report/map.html
        geomap render output/events.csv --online-tiles --cdn -o small-map.html
    """
    from geomap.render import write_fragment, write_map
    from geomap.store import read_events
    from geomap.workflow import run_title

    if not embed and (name is not None or height != "600px"):
        raise click.UsageError("--name and --height need --embed")
    folder = events_file if events_file.is_dir() else events_file.parent
    default_name = "map-embed.html" if embed else f"{'events' if events_file.is_dir() else events_file.stem}-map.html"
    if outfile is None:
        outfile = folder / default_name
    elif outfile.is_dir() or str(outfile).endswith(("/", os.sep)):
        outfile = outfile / default_name
    try:
        events = read_events(events_file)
        if title is None:
            title = run_title(events_file, events)
        if embed:
            write_fragment(events, outfile, name=name, title=title, height=height, online_tiles=online_tiles, cdn=cdn)
        else:
            write_map(events, outfile, title=title, online_tiles=online_tiles, cdn=cdn)
    except GeomapError as err:
        fail(str(err))
    located = int(events["lat"].notna().sum())
    click.echo(f"Wrote {plural(len(events), 'event')} ({located} on the map) to {outfile}")


@cli.command()
@click.argument("html_file", metavar="MAP", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "outfile", type=click.Path(dir_okay=False, path_type=Path),
              help="PNG file to write (default: MAP with the suffix .png).")
@click.option("--width", default=1280, show_default=True, type=click.IntRange(100, 8000), help="Pixels.")
@click.option("--height", default=800, show_default=True, type=click.IntRange(100, 8000), help="Pixels.")
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(0.5, 4.0), metavar="FACTOR",
              help="Device pixels per pixel: --scale 2 writes a PNG twice as wide and tall, as sharp as on a "
                   "high-density screen.")
@click.option("--clean", is_flag=True,
              help="A figure for a report: no zoom buttons, layer switch, filters, search, download button or "
                   "table; the title, the legend, the scale and the credits stay.")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              metavar="SECONDS", help="How long to wait for the map to be drawn.")
def snapshot(html_file: Path, outfile: Path | None, width: int, height: int, scale: float, clean: bool,
             timeout: float) -> None:
    """Save a picture of a map as PNG, taken in headless Chromium once it is drawn.

    Uses the system's Chromium (Debian, Ubuntu: apt-get install chromium), or the
    browser that the GEOMAP_CHROMIUM environment variable points at.

    \b
    Example:
        geomap snapshot output/map.html -o map.png
        geomap snapshot output/map.html -o thumbnail.png --width 640 --height 400
        geomap snapshot output/map.html -o figure.png --clean --scale 2 --width 800 --height 500
    """
    from geomap.render import snapshot_map

    outfile = outfile or html_file.with_suffix(".png")
    try:
        snapshot_map(html_file, outfile, width=width, height=height, scale=scale, clean=clean, timeout_s=timeout)
    except GeomapError as err:
        fail(str(err))
    click.echo(f"Wrote {outfile} ({round(width * scale)}x{round(height * scale)})")


cli.add_command(watch)
for _command in TEXT_COMMANDS:
    cli.add_command(_command)


def main() -> None:
    cli()
