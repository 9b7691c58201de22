"""The command line's web part: inputs that may be URLs, the --fetch-* options, the fetcher
a run uses (and what it says it fetched), and `geomap watch`, which runs `geomap run`
now and then every interval. :mod:`geomap.cli` adds :data:`watch` to its group."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import click

from geomap.cli_options import apply_options, date_option, store_options
from geomap.cli_shell import EXIT_ERROR, EXIT_SOME_FAILED, plural

__all__ = ["InputParam", "fetch_options", "interval_option", "fetching", "watch"]


class InputParam(click.ParamType):
    """A file, a folder, or an http(s) URL (kept as written: a Path would fold its '//')."""

    name = "PATH|URL"

    def convert(self, value, param, ctx):
        from geomap.web import is_url

        if isinstance(value, Path) or not is_url(value):
            return Path(value)
        return str(value).strip()


def fetch_options(command):
    """--fetch-delay, --fetch-timeout and --fetch-retries: how politely URLs and feeds are fetched."""
    options = (
        click.option("--fetch-delay", default=1.0, show_default=True, type=click.FloatRange(min=0), metavar="SECONDS",
                     help="At least this long between two requests to the same web site."),
        click.option("--fetch-timeout", default=30.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
                     metavar="SECONDS", help="Give up on a URL after this long (connecting, reading and retries)."),
        click.option("--fetch-retries", default=2, show_default=True, type=click.IntRange(min=0), metavar="N",
                     help="Retries of a URL that timed out or answered 429 / 5xx, with exponential back-off."),
    )
    return apply_options(options, command)


def interval_option(ctx: click.Context, param: click.Parameter, value: str) -> float:
    from geomap.web.watch import parse_interval

    try:
        return parse_interval(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


@contextlib.contextmanager
def fetching(paths, out_dir: Path, *, fetch_delay: float, fetch_timeout: float,
             fetch_retries: int) -> Iterator[object | None]:
    """The Fetcher of the --fetch-* options when ``paths`` hold a URL (its cache in the store's
    file), else None; on the way out it says on stderr how many requests it made, and closes."""
    from geomap.store import STORE_NAME
    from geomap.web import FetchCache, Fetcher, is_url

    if not any(is_url(p) for p in paths):
        yield None
        return
    fetcher = Fetcher(timeout=fetch_timeout, retries=fetch_retries, min_delay=fetch_delay,
                      cache=FetchCache(out_dir / STORE_NAME))
    try:
        yield fetcher
    finally:
        click.echo(f"Fetched: {plural(fetcher.requests, 'request')}, {fetcher.not_modified} answered "
                   "304 Not Modified.", err=True)
        fetcher.close()
        if fetcher.cache is not None:
            fetcher.cache.close()


@click.command()
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
    from geomap.web.watch import interrupt_on_signals
    from geomap.web.watch import watch as watch_loop

    group = ctx.find_root()
    run = group.command.get_command(group, "run")  # type: ignore[attr-defined]

    def update() -> None:
        try:
            ctx.invoke(run, paths=feeds, **options)
        except SystemExit as done:  # run ends with sys.exit (1: an error, 3: some inputs failed); watch goes on
            if done.code not in (None, 0, EXIT_ERROR, EXIT_SOME_FAILED):
                raise

    try:
        with interrupt_on_signals():
            watch_loop(update, every=every)
    except KeyboardInterrupt:
        click.echo("Stopped; everything stored so far is kept.", err=True)
