"""Reading input files into :class:`~geomap.models.Article` objects.

Plain text and Markdown (``.txt``, ``.md``), web pages (``.html``, ``.htm``) and
JSON Lines (``.jsonl``, one article per line) are understood. Reading never stops
at a bad file: :func:`read_articles` yields an :class:`~geomap.errors.ArticleError`
for it (naming the file, or ``file:line`` for a JSONL line, and the reason) and
goes on with the next one.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from geomap.articles.jsonl import read_jsonl
from geomap.articles.text import (
    article_id,
    decode_text,
    headline,
    normalise_newlines,
)
from geomap.errors import ArticleError
from geomap.models import Article
from geomap.web.cleanup import drop_boilerplate_lines
from geomap.web.pages import extract_page

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUFFIXES",
    "article_id",
    "display_path",
    "iter_input_files",
    "read_articles",
    "text_article",
]

SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".jsonl")
"""File name suffixes read from a folder (compared case-insensitively)."""

DEFAULT_MAX_BYTES = 20_000_000
"""Files larger than this (20 MB) are reported as too large and not read."""

_TEXT_SUFFIXES = (".txt", ".md")
_HTML_SUFFIXES = (".html", ".htm")



def read_articles(
    paths: Iterable[str | os.PathLike[str]],
    *,
    published: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    skip: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[Article | ArticleError]:
    """Read every article in ``paths`` (files or folders), one at a time.

    Yields an :class:`Article` for each article read and an :class:`ArticleError`
    (never raised) for each file or JSONL line that could not be read, so one bad
    file is reported and the others still go through. Folders are expanded with
    :func:`iter_input_files`.

    Parameters:
        paths: files and folders to read.
        published: the publication date to use when a file gives none.
        max_bytes: files larger than this are reported as too large, unread.
        skip: folders not to read inside the folders walked (the output folder).

    A JSONL line whose ``published`` is before 1900 is read without that date, and an
    :class:`~geomap.errors.ArticleNote` saying so is yielded before its article.

    Example:
        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "a.txt").write_text("Shelling hits Kharkiv overnight\\nTwo died.")
        >>> _ = (folder / "b.txt").write_bytes(b"")
        >>> for item in read_articles([folder]):
        ...     print(type(item).__name__, item.title if isinstance(item, Article) else item.reason)
        Article Shelling hits Kharkiv overnight
        ArticleError empty file
    """
    for item in iter_input_files(paths, skip=skip):
        if isinstance(item, ArticleError):
            yield item
        else:
            yield from _read_file(item, published=published, max_bytes=max_bytes)


def iter_input_files(
    paths: Iterable[str | os.PathLike[str]], *, skip: Iterable[str | os.PathLike[str]] = ()
) -> Iterator[Path | ArticleError]:
    """Expand ``paths`` to the input files they name, in a deterministic order.

    Each path is classified by what it is, not by its name: a regular file is yielded
    as given, whatever its suffix (reading it reports an unsupported one); a folder is
    walked recursively in sorted order and yields its regular files whose suffix is in
    :data:`SUFFIXES`, skipping hidden files and folders (names starting with a dot)
    and the folders in ``skip``. Anything else yields an :class:`ArticleError` naming
    it (names that are not UTF-8 shown with ``\\xNN`` escapes, see
    :func:`display_path`): a path that does not exist, a named pipe, socket or device
    ("a named pipe (FIFO), not a regular file; skipped": opening one could block
    forever), a folder that cannot be read ("cannot read the folder: Permission
    denied"). A file reached twice is yielded once.

    Example:
        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> for name in ("b/2.md", "a.txt", "b/1.html", "notes.pdf"):
        ...     (folder / name).parent.mkdir(exist_ok=True)
        ...     _ = (folder / name).write_text("x")
        >>> [p.relative_to(folder).as_posix() for p in iter_input_files([folder])]
        ['a.txt', 'b/1.html', 'b/2.md']
    """
    seen: set[Path] = set()
    skipped = {_key(Path(folder)) for folder in skip}
    for raw in paths:
        path = Path(raw)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            yield ArticleError(display_path(path), "no such file or folder")
            continue
        except OSError as err:
            yield ArticleError(display_path(path), f"cannot read: {err.strerror or err}")
            continue
        if stat.S_ISDIR(mode):
            found: Iterable[Path | ArticleError] = _walk(path, skipped)
        elif stat.S_ISREG(mode):
            found = (path,)
        else:
            yield ArticleError(display_path(path), f"{_special_kind(mode)}, not a regular file; skipped")
            continue
        for file in found:
            if isinstance(file, ArticleError):
                yield file
                continue
            try:
                key = file.resolve()
            except (OSError, RuntimeError):  # a symlink loop
                key = file.absolute()
            if key not in seen:
                seen.add(key)
                yield file



def text_article(text: str, *, published: dt.date | None = None, title: str | None = None) -> Article:
    """An article of a plain text given in code (not read from a file): its id is the text's
    :func:`article_id`, its title the headline it opens with, if any.

    >>> text_article("Missile strike near Korenevo\\n\\nA missile hit the village.").title
    'Missile strike near Korenevo'
    """
    text = normalise_newlines(text)
    if not text.strip():
        raise ArticleError("<text>", "empty text")
    return Article(id=article_id(text), text=text, title=title or headline(text), published=published)


# --- files and folders -------------------------------------------------------------


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as text that can be printed and stored on one line: bytes of the name
    that are not UTF-8 (kept by Python as lone surrogates) become ``\\xNN``, control
    characters and line separators their escapes (``\\n``, ``\\u2028``).

    >>> display_path(os.fsdecode(b"caf\\xe9.txt"))
    'caf\\\\xe9.txt'
    """
    text = os.fspath(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    # A line break or another control character in a name would break the one-line reports.
    return _NAME_CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


_NAME_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return path.absolute()


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a file or folder"


def _walk(folder: Path, skipped: set[Path]) -> Iterator[Path | ArticleError]:
    problems: list[OSError] = []
    for root, dirnames, filenames in os.walk(folder, onerror=problems.append):
        yield from (ArticleError(display_path(err.filename or root), f"cannot read the folder: {err.strerror or err}")
                    for err in problems)
        problems.clear()
        # Sorting in place also fixes the order os.walk descends in.
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and _key(Path(root, d)) not in skipped)
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(SUFFIXES):
                continue
            path = Path(root, name)
            try:
                mode = path.stat().st_mode
            except OSError as err:  # a dangling symlink, a file gone since the listing
                yield ArticleError(display_path(path), f"cannot read: {err.strerror or err}")
                continue
            if stat.S_ISREG(mode):
                yield path
            else:
                yield ArticleError(display_path(path), f"{_special_kind(mode)}, not a regular file; skipped")
    yield from (ArticleError(display_path(err.filename or folder), f"cannot read the folder: {err.strerror or err}")
                for err in problems)


def _read_file(path: Path, *, published: dt.date | None, max_bytes: int) -> Iterator[Article | ArticleError]:
    name = display_path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield ArticleError(name, f"unsupported file type {path.suffix or '(no suffix)'!r} (expected one of {', '.join(SUFFIXES)})")
        return
    try:
        data = _read_bytes(path, max_bytes)
    except ArticleError as err:
        yield err
        return
    try:
        if suffix == ".jsonl":
            yield from read_jsonl(name, data, published=published)
        elif suffix in _HTML_SUFFIXES:
            yield _read_html(name, data, published=published)
        else:
            yield _read_text(path, data, published=published)
    except ArticleError as err:
        yield err


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    name = display_path(path)
    try:
        # Non-blocking: should the file have become a named pipe since it was listed,
        # opening it must not wait for a writer. A regular file ignores the flag.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as stream:
            mode, size = os.fstat(fd).st_mode, os.fstat(fd).st_size
            if not stat.S_ISREG(mode):
                raise ArticleError(name, f"{_special_kind(mode)}, not a regular file; skipped")
            if size > max_bytes:
                raise ArticleError(name, _too_large(size, max_bytes))
            # One byte past the limit tells a file that grew since stat() (or a
            # device that reports size 0) without reading all of it.
            data = stream.read(max_bytes + 1)
    except OSError as err:
        raise ArticleError(name, f"cannot read: {err.strerror or err}") from err
    if len(data) > max_bytes:
        raise ArticleError(name, _too_large(len(data), max_bytes))
    if not data:
        raise ArticleError(name, "empty file")
    return data


def _too_large(size: int, limit: int) -> str:
    shown, shown_limit = f"{size / 1e6:.3g}", f"{limit / 1e6:.3g}"
    if shown == shown_limit:
        return f"too large ({size:,} bytes > {limit:,} bytes limit)"
    return f"too large ({shown} MB > {shown_limit} MB limit)"



# --- plain text and Markdown -------------------------------------------------------


def _read_text(path: Path, data: bytes, *, published: dt.date | None) -> Article:
    name = display_path(path)
    raw = normalise_newlines(decode_text(name, data))
    if not raw.strip():
        raise ArticleError(name, "empty file (only whitespace)")
    # Saved pages keep "Link to main version", view counters and share buttons as
    # lines of their own: they go before extraction. The id stays the hash of the file's
    # text, so a store that read the file before keeps the article (and its event ids).
    text = drop_boilerplate_lines(raw)
    title = headline(text, markdown=path.suffix.lower() == ".md") or display_path(path.stem)
    return Article(id=article_id(raw), text=text, title=title, published=published, path=name)


# --- HTML --------------------------------------------------------------------------

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def _read_html(name: str, data: bytes, *, published: dt.date | None) -> Article:
    """A saved web page: its main text, title, date and canonical URL by trafilatura
    (:func:`geomap.web.pages.extract_page`), as for a fetched page."""
    declared = _CHARSET.search(data[:4096])
    fallback = None
    if declared:
        try:
            fallback = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            fallback = None
        # A page in UTF-16 has a byte order mark; a declared UTF-16 without one is a
        # mislabelled page, which browsers read as UTF-8.
        if fallback and fallback.startswith(("utf-16", "utf-32")):
            fallback = None
    markup = decode_text(name, data, fallback=fallback)
    if not markup.strip():
        raise ArticleError(name, "empty file (only whitespace)")
    page = extract_page(markup)
    if not page.text:
        raise ArticleError(name, "no visible text in the HTML")
    return Article(
        id=article_id(page.text),
        text=page.text,
        title=page.title or Path(name).stem,
        published=page.published or published,
        url=page.url,
        path=name,
    )


