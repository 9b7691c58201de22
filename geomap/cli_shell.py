"""The command line's shell: exit codes, the error line, terminal-safe text, and the group
that keeps every traceback off the user's screen (an unexpected error prints one line and
the path of a log file with the traceback).

>>> plural(1, "event"), plural(3, "event")
('1 event', '3 events')
>>> shown("caf\\udce9.txt")
'caf\\\\xe9.txt'
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import traceback
from pathlib import Path

import click

from geomap.errors import ArticleError, ArticleNote, GeomapError

__all__ = ["EXIT_ERROR", "EXIT_SOME_FAILED", "fail", "plural", "shown", "report_failures", "write_error_log",
           "Group"]

EXIT_ERROR = 1
EXIT_SOME_FAILED = 3


def shown(text: object) -> str:
    """Text safe to print on any terminal: undecodable bytes of file names as \\xNN."""
    return str(text).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def fail(message: str) -> None:
    """Say ``message`` as the error on stderr and exit with :data:`EXIT_ERROR`."""
    click.echo(shown(f"Error: {message}"), err=True)
    sys.exit(EXIT_ERROR)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def report_failures(failures: list[ArticleError]) -> None:
    """Name each failed input (or each note on one) with its reason, on stderr."""
    for failure in failures:
        kind = "Warning" if isinstance(failure, ArticleNote) else "Failed"
        click.echo(shown(f"{kind}: {failure.path}: {failure.reason}"), err=True)


def write_error_log(err: BaseException) -> Path | None:
    """Write the traceback of an unexpected error to a log file; its path, or None if none could be written."""
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


class Group(click.Group):
    """The command group; no traceback reaches the user: an error geomap did not expect
    prints one line and the path of a log file holding the traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except GeomapError as err:
            fail(shown(err))
        except OSError as err:
            where = f"{shown(err.filename)}: " if err.filename else ""
            fail(f"{where}{err.strerror or err}")
        except Exception as err:  # noqa: BLE001 (the last resort: one line, the traceback in a file)
            log = write_error_log(err)
            detail = shown(f"{type(err).__name__}: {err}")[:300]
            where = f"the details are in {log}." if log else "no log file could be written."
            fail(f"an internal error stopped geomap ({detail}); {where}")
