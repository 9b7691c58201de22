"""The command line's shared pieces: option groups, their checks, and the terminal plumbing
(a progress bar, the online geocoders' warnings on stderr, the gazetteer build message).
:mod:`geomap.cli` puts them on its commands (the web ones are in :mod:`geomap.cli_web`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sys
from pathlib import Path

import click

__all__ = ["date_option", "store_options", "geocoder_options", "engine_options", "check_engine_options",
           "check_geocoder_options", "online_lookup", "geocoder_warnings", "ProgressBar", "open_gazetteer",
           "apply_options", "Folder"]


def date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}") from None

def open_gazetteer():
    from geomap.gazetteer import open_gazetteer

    said = []

    def progress(message: str, fraction: float) -> None:
        if not said:
            click.echo("Building the offline gazetteer index (first run only)...", err=True)
            said.append(True)
        if sys.stderr.isatty():
            click.echo(f"\r  {fraction:4.0%} {message:<60}", err=True, nl=fraction >= 1.0)

    return open_gazetteer(progress=progress)

def apply_options(options, command):
    """Put a group of click options on ``command``, in the order given (as stacked decorators would)."""
    for option in reversed(options):
        command = option(command)
    return command


class Folder(click.Path):
    """A folder path that may not be empty: ``--out ""`` would write into the current folder unasked."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not value.strip():
            self.fail("is empty; give a folder (--out . for the current one)", param, ctx)
        return super().convert(value, param, ctx)


def store_options(command):
    """--out, --overrides and --wait: where the store is, its corrections, how long to wait for it."""
    options = (
        click.option("--out", "out_dir", default="output", show_default=True,
                     type=Folder(file_okay=False, path_type=Path),
                     help="Folder of the event store (geomap.sqlite) and of events.csv, events.geojson and map.html."),
        click.option("--overrides", "overrides_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="CSV or YAML of corrected places (place_text, article_id, geonameid or lat and lon, note), "
                          "kept in the store for every later run; OUT/overrides.csv is always applied too."),
        click.option("--wait", default=120.0, show_default=True, type=click.FloatRange(min=0), metavar="SECONDS",
                     help="How long to wait for another geomap run on the same --out folder to finish."),
    )
    return apply_options(options, command)


def geocoder_options(command):
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
    return apply_options(options, command)


def engine_options(command):
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
    return apply_options(options, command)


def check_engine_options(engine: dict, lookup) -> None:
    if engine["scheduler"] and engine["engine"] != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    if lookup is not None and (engine["jobs"] > 1 or engine["engine"] == "dask"):
        raise click.UsageError("--geocoder works with one job on the local engine (an online geocoder has one "
                               "rate limit, which parallel workers would break)")


def check_geocoder_options(settings: dict) -> None:
    if not settings["geocoder"]:
        for name in ("geocoder_domain", "geocoder_scheme"):
            if settings[name]:
                raise click.UsageError(f"--{name.replace('_', '-')} needs --geocoder NAME")


def online_lookup(gazetteer, settings: dict):
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
def geocoder_warnings():
    """The online geocoders' warnings (a service failing, given up on) go to stderr during a command."""
    logger = logging.getLogger("geomap.geocode")
    handler = _WarningsToStderr(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)

class ProgressBar:
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
