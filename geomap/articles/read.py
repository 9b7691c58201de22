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
import enum
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from geomap.articles.jsonl import read_jsonl
from geomap.articles.text import (
    article_id,
    decode_text,
    headline,
    normalise_newlines,
    parse_iso_date,
)
from geomap.errors import ArticleError
from geomap.models import Article

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUFFIXES",
    "article_id",
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
    for item in iter_input_files(paths):
        if isinstance(item, ArticleError):
            yield item
        else:
            yield from _read_file(item, published=published, max_bytes=max_bytes)


def iter_input_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | ArticleError]:
    """Expand ``paths`` to the input files they name, in a deterministic order.

    A file is yielded as given, whatever its suffix (reading it reports an
    unsupported one). A folder is walked recursively in sorted order and yields its
    files whose suffix is in :data:`SUFFIXES`, skipping hidden files and folders
    (names starting with a dot). A path that does not exist yields an
    :class:`ArticleError` ("no such file or folder"). A file reached twice is
    yielded once.

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
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found: Iterable[Path] = _walk(path)
        elif path.exists():
            found = (path,)
        else:
            yield ArticleError(str(path), "no such file or folder")
            continue
        for file in found:
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


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirnames, filenames in os.walk(folder):
        # Sorting in place also fixes the order os.walk descends in.
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name.lower().endswith(SUFFIXES):
                yield Path(root, name)


def _read_file(path: Path, *, published: dt.date | None, max_bytes: int) -> Iterator[Article | ArticleError]:
    name = str(path)
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
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ArticleError(name, _too_large(size, max_bytes))
        with path.open("rb") as stream:
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
    name = str(path)
    text = normalise_newlines(decode_text(name, data))
    if not text.strip():
        raise ArticleError(name, "empty file (only whitespace)")
    title = headline(text, markdown=path.suffix.lower() == ".md") or path.stem
    return Article(id=article_id(text), text=text, title=title, published=published, path=name)


# --- HTML --------------------------------------------------------------------------

# Elements whose content is never visible article text.
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "math", "object", "canvas", "head", "nav", "aside", "footer", "form", "button", "select", "textarea", "dialog"})
_BLOCK = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "th",
        "thead", "tfoot", "tr", "ul",
    }
)  # fmt: skip
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"})
# Elements whose end tag HTML lets authors leave out: hiding one of these by an
# attribute cannot be tracked to its end, so it is not attempted.
# What may stand in <head>; any other element starts the body.
_HEAD_CONTENT = frozenset({"head", "title", "meta", "link", "base", "style", "script", "noscript", "template"})
_OPTIONAL_END = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "rt", "rp", "colgroup", "caption", "html", "body"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_PUBLISHED_META = frozenset({"article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate", "date"})
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\n\r\f\v]+")


class _Break(enum.Enum):
    """A break between pieces of page text."""

    PARAGRAPH = "paragraph"
    LINE = "line"


@dataclass
class _Page:
    title: str | None = None
    h1: str | None = None
    published: dt.date | None = None
    url: str | None = None
    body: list[str | _Break] = field(default_factory=list)
    article: list[str | _Break] = field(default_factory=list)


class _ArticleHTMLParser(HTMLParser):
    """Collect the visible text of a page, its title, publication date and URL.

    Script-like and boilerplate elements are dropped with everything inside them;
    attributes are never turned into text, so ``onerror=`` handlers and
    ``javascript:`` links contribute nothing.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = _Page()
        self._skipping: list[str] = []  # open elements whose content is dropped
        self._capture: list[str] | None = None  # collects <title> or <h1> text
        self._capturing = ""
        self._capture_depth = 0  # how many skipped elements were open when capture began
        self._article_depth = 0
        self._time_published: dt.date | None = None

    # The standard parser raises AssertionError on some malformed "<![" sections;
    # a browser treats them as bogus comments, and so do we.
    def parse_marked_section(self, i: int, report: bool = True) -> int:
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i + 3)
            return -1 if end < 0 else end + 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, {key: value or "" for key, value in attrs}, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # "<iframe .../>" or "<svg/>": nothing inside to drop, so wait for no end tag.
        self._start(tag, {key: value or "" for key, value in attrs}, closed=True)

    def _start(self, tag: str, attributes: dict[str, str], *, closed: bool) -> None:
        if "head" in self._skipping and tag not in _HEAD_CONTENT:
            self._close_skipped("head")  # </head> is optional: body content ends the head
        if tag == "meta":
            self._meta(attributes)
        elif tag == "link" and "canonical" in attributes.get("rel", "").lower().split():
            self._url(attributes.get("href", ""))
        if self._skipping:
            if tag == "title" and self._skipping == ["head"]:
                self._start_capture("title")
            elif tag in _SKIP and not closed:
                self._skipping.append(tag)
            return
        if tag in _SKIP or (tag not in _VOID and tag not in _OPTIONAL_END and _hidden(attributes)):
            if not closed:
                self._skipping.append(tag)
            return
        if tag == "title":
            self._start_capture("title")
        elif tag == "h1" and self.page.h1 is None:
            self._start_capture("h1")
        elif tag == "time" and self._time_published is None:
            self._time_published = parse_iso_date(attributes.get("datetime", ""))
        if tag == "article":
            self._article_depth += 1
        if tag == "br":
            self._emit(_Break.LINE)
        elif tag in _BLOCK:
            self._emit(_Break.PARAGRAPH)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._capturing:
            self._end_capture()
        if self._skipping:
            if tag in self._skipping:
                self._close_skipped(tag)
            return
        if tag == "article" and self._article_depth:
            self._article_depth -= 1
            self._emit(_Break.PARAGRAPH)
        elif tag in _BLOCK or tag == "br":
            self._emit(_Break.LINE if tag == "br" else _Break.PARAGRAPH)

    def handle_data(self, data: str) -> None:
        if self._capture is not None and len(self._skipping) == self._capture_depth:
            self._capture.append(data)
        if not self._skipping and self._capturing != "title":
            self._emit(data)

    def close(self) -> None:
        super().close()
        if self._capture is not None:
            self._end_capture()
        if self.page.published is None:
            self.page.published = self._time_published

    def _emit(self, piece: str | _Break) -> None:
        self.page.body.append(piece)
        if self._article_depth:
            self.page.article.append(piece)

    def _close_skipped(self, tag: str) -> None:
        while self._skipping and self._skipping.pop() != tag:
            pass

    def _start_capture(self, what: str) -> None:
        if self._capture is None:
            self._capture, self._capturing = [], what
            self._capture_depth = len(self._skipping)

    def _end_capture(self) -> None:
        text = _SPACES.sub(" ", "".join(self._capture or ())).strip() or None
        if self._capturing == "title" and self.page.title is None:
            self.page.title = text
        elif self._capturing == "h1" and self.page.h1 is None:
            self.page.h1 = text
        self._capture, self._capturing = None, ""

    def _meta(self, attributes: dict[str, str]) -> None:
        key = (attributes.get("property") or attributes.get("name") or attributes.get("itemprop") or "").lower()
        content = attributes.get("content", "")
        if key in _PUBLISHED_META and self.page.published is None:
            self.page.published = parse_iso_date(content)
        elif key == "og:url":
            self._url(content)

    def _url(self, href: str) -> None:
        href = href.strip()
        if self.page.url is None and href.lower().startswith(("http://", "https://")):
            self.page.url = href


def _hidden(attributes: dict[str, str]) -> bool:
    return "hidden" in attributes or attributes.get("aria-hidden", "").lower() == "true" or bool(_HIDDEN_STYLE.search(attributes.get("style", "")))


def _join_pieces(pieces: list[str | _Break]) -> str:
    """Visible text from parser pieces: spaces collapsed, blocks become paragraphs
    (separated by a blank line), ``<br>`` a line break."""
    paragraphs: list[str] = []
    lines: list[str] = []
    words: list[str] = []
    for piece in [*pieces, _Break.PARAGRAPH]:
        if isinstance(piece, str):
            words.append(piece)
            continue
        line = _SPACES.sub(" ", "".join(words)).strip()
        words.clear()
        if line:
            lines.append(line)
        if piece is _Break.PARAGRAPH and lines:
            paragraphs.append("\n".join(lines))
            lines.clear()
    return "\n\n".join(paragraphs)


def _read_html(name: str, data: bytes, *, published: dt.date | None) -> Article:
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
    parser = _ArticleHTMLParser()
    try:
        parser.feed(markup)
        parser.close()
    except AssertionError as err:  # the standard parser's last resort on broken markup
        raise ArticleError(name, f"cannot parse the HTML: {err}") from err
    page = parser.page
    text = _join_pieces(page.article) or _join_pieces(page.body)
    if not text:
        raise ArticleError(name, "no visible text in the HTML")
    title = page.title
    # "<h1>Headline</h1>" with "<title>Headline | Site</title>": the h1 has no site name.
    if page.h1 and (title is None or page.h1 in title):
        title = page.h1
    return Article(
        id=article_id(text),
        text=text,
        title=title or Path(name).stem,
        published=page.published or published,
        url=page.url,
        path=name,
    )


