"""The geomap command line: a thin click group over the library."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="geomap")
def cli() -> None:
    """Turn news articles into a map of incidents."""


def main() -> None:
    cli()
