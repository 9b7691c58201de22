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
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from geomap.errors import ArticleError
from geomap.models import Article

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUFFIXES",
    "article_id",
    "iter_input_files",
    "read_articles",
]

SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".jsonl")
"""File name suffixes read from a folder (compared case-insensitively)."""

DEFAULT_MAX_BYTES = 20_000_000
"""Files larger than this (20 MB) are reported as too large and not read."""

_TEXT_SUFFIXES = (".txt", ".md")
_HTML_SUFFIXES = (".html", ".htm")

# Byte order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Control characters that ordinary text does not contain (tab, newlines, form feed
# and vertical tab are text).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# More than this share of control characters and a file is binary, not text.
_MAX_CONTROL_SHARE = 0.05


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


def article_id(text: str) -> str:
    """The stable id of an article text: the first 16 hex digits of the SHA-1 of
    the text with its line breaks normalised to ``\\n``.

    The same text read from another file (or with Windows line breaks) has the same id.

    Example:
        >>> article_id("Kyiv\\r\\n") == article_id("Kyiv\\n")
        True
        >>> len(article_id("Kyiv"))
        16
    """
    normalised = _normalise_newlines(text)
    # surrogatepass: an unpaired surrogate must not crash the hash; readers reject it.
    return hashlib.sha1(normalised.encode("utf-8", "surrogatepass")).hexdigest()[:16]


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
            yield from _read_jsonl(name, data, published=published)
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


# --- decoding ----------------------------------------------------------------------


def _decode(name: str, data: bytes, fallback: str | None = None) -> str:
    """Decode file bytes: a byte order mark wins, then UTF-8, then ``fallback``
    (an HTML page's declared charset)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _check_text(name, data[len(bom) :].decode(encoding))
            except UnicodeDecodeError as err:
                raise ArticleError(name, f"starts with a {encoding.upper()[:6]} byte order mark but is not valid {encoding.upper()} ({err.reason} at byte {err.start + len(bom)})") from err
    if b"\x00" in data:
        raise ArticleError(name, "binary file, not text")
    try:
        return _check_text(name, data.decode("utf-8"))
    except UnicodeDecodeError as err:
        if _control_share(data.decode("latin-1")) > _MAX_CONTROL_SHARE:
            raise ArticleError(name, "binary file, not text") from err
        if fallback:
            try:
                return _check_text(name, data.decode(fallback))
            except UnicodeDecodeError:
                pass
        reason = f"not UTF-8 text (invalid byte 0x{data[err.start]:02x} at offset {err.start})"
        guess = _guess_legacy_encoding(data)
        if guess:
            reason += f"; it looks like {guess}: re-save it as UTF-8"
        raise ArticleError(name, reason) from err


def _check_text(name: str, text: str) -> str:
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise ArticleError(name, "binary file, not text")
    return text


def _control_share(text: str) -> float:
    return len(_CONTROL.findall(text)) / len(text) if text else 0.0


def _guess_legacy_encoding(data: bytes) -> str | None:
    """Name the legacy 8-bit encoding non-UTF-8 bytes most likely are in, if clear.

    Cyrillic in Windows-1251 comes as runs of high bytes (whole words), while
    accented Latin letters in Windows-1252 / Latin-1 sit alone between ASCII
    letters; statistical detectors are unreliable on the short texts news items are.
    """
    high = [i for i, b in enumerate(data) if b >= 0x80]
    if not high:
        return None
    in_runs = sum(1 for i in high if (i > 0 and data[i - 1] >= 0x80) or (i + 1 < len(data) and data[i + 1] >= 0x80))
    cyrillic = _share_decoding_to(data, high, "cp1251", lambda c: "\u0400" <= c <= "\u04ff")
    latin = _share_decoding_to(data, high, "cp1252", lambda c: c.isalpha() or unicodedata.category(c).startswith(("P", "S", "Z")))
    if cyrillic > 0.9 and in_runs / len(high) > 0.5:
        return "Windows-1251 (Cyrillic)"
    if latin > 0.9:
        return "Windows-1252 / Latin-1"
    return None


def _share_decoding_to(data: bytes, positions: list[int], encoding: str, accept: Callable[[str], bool]) -> float:
    good = 0
    for i in positions:
        try:
            good += bool(accept(data[i : i + 1].decode(encoding)))
        except UnicodeDecodeError:
            pass
    return good / len(positions)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _has_unpaired_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# --- plain text and Markdown -------------------------------------------------------


def _read_text(path: Path, data: bytes, *, published: dt.date | None) -> Article:
    name = str(path)
    text = _normalise_newlines(_decode(name, data))
    if not text.strip():
        raise ArticleError(name, "empty file (only whitespace)")
    title = _headline(text, markdown=path.suffix.lower() == ".md") or path.stem
    return Article(id=article_id(text), text=text, title=title, published=published, path=name)


_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")


def _headline(text: str, *, markdown: bool = False) -> str | None:
    """The line among the first few that reads like a headline, else ``None``.

    A headline has at least 4 words, at most 30, and does not end with a full stop
    (a sentence does); in Markdown a ``#`` heading always counts. Pages saved as text
    often open with a short boilerplate line ("Link to main version") or a counter:
    among the first five lines, one of 6 words or more wins over a shorter one.
    """
    candidates: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if markdown:
            heading = _MARKDOWN_HEADING.match(line)
            if heading:
                return heading.group(1).strip() or None
        candidates.append(line)
        if len(candidates) == 5:
            break
    looks = [c for c in candidates if 4 <= len(c.split()) <= 30 and not c.endswith(".")]
    if not candidates or not looks:
        return None
    if looks[0] == candidates[0] and len(looks[0].split()) >= 6:
        return looks[0]
    long = [c for c in looks if len(c.split()) >= 6]
    return long[0] if long else (candidates[0] if looks[0] == candidates[0] else None)


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
            self._time_published = _parse_date(attributes.get("datetime", ""))
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
            self.page.published = _parse_date(content)
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
    markup = _decode(name, data, fallback=fallback)
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


# --- dates -------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:\s*$|[T ]\d{2}:\d{2})")


def _parse_date(value: str) -> dt.date | None:
    """The date of ``YYYY-MM-DD`` or an ISO datetime (its date as written), else None."""
    match = _ISO_DATE.match(value)
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


# --- JSON Lines --------------------------------------------------------------------


def _read_jsonl(name: str, data: bytes, *, published: dt.date | None) -> Iterator[Article | ArticleError]:
    # A BOM means the whole file is in that encoding; without one, each line is
    # decoded alone so that one bad line does not cost the others.
    if data.startswith(tuple(bom for bom, _ in _BOMS)):
        lines: list[bytes | str] = list(_decode(name, data).split("\n"))
    else:
        if b"\x00" in data or _control_share(data.decode("latin-1")) > _MAX_CONTROL_SHARE:
            raise ArticleError(name, "binary file, not text")
        lines = list(data.split(b"\n"))
    seen_ids: dict[str, int] = {}
    found_any = False
    for number, raw in enumerate(lines, start=1):
        where = f"{name}:{number}"
        try:
            line = raw if isinstance(raw, str) else _decode(where, raw)
        except ArticleError as err:
            yield err
            found_any = True
            continue
        if not line.strip():
            continue
        found_any = True
        try:
            article = _jsonl_article(where, line, published=published)
        except ArticleError as err:
            yield err
            continue
        if article.id in seen_ids:
            yield ArticleError(where, f"duplicate id {article.id!r} (first on line {seen_ids[article.id]})")
            continue
        seen_ids[article.id] = number
        yield article
    if not found_any:
        yield ArticleError(name, "empty file (only whitespace)")


def _jsonl_article(where: str, line: str, *, published: dt.date | None) -> Article:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ArticleError(where, f"invalid JSON: {err.msg} at column {err.colno}") from err
    except RecursionError as err:
        raise ArticleError(where, "invalid JSON: nested too deeply") from err
    if not isinstance(record, dict):
        raise ArticleError(where, f"expected a JSON object with a 'text' field, got {_json_type(record)}")
    if "text" not in record:
        raise ArticleError(where, "missing 'text'")
    text = record["text"]
    if not isinstance(text, str):
        raise ArticleError(where, f"'text' must be a string, got {_json_type(text)}")
    if not text.strip():
        raise ArticleError(where, "empty 'text'")
    strings = {key: _optional_string(where, record, key) for key in ("title", "url", "published")}
    if _has_unpaired_surrogate(text) or any(_has_unpaired_surrogate(v) for v in strings.values() if v):
        raise ArticleError(where, "contains an unpaired surrogate escape (\\ud800-\\udfff), which is not valid Unicode")
    # Keep the text exactly as given: gold offsets in evaluation files point into it.
    return Article(
        id=_jsonl_id(where, record, text),
        text=text,
        title=strings["title"] or _headline(text),
        published=_jsonl_published(where, strings["published"]) or published,
        url=strings["url"] or None,
        path=where,
    )


def _jsonl_id(where: str, record: dict[str, Any], text: str) -> str:
    value = record.get("id")
    if value is None:
        return article_id(text)
    if isinstance(value, bool) or not isinstance(value, (str, int)) or (isinstance(value, str) and not value.strip()):
        raise ArticleError(where, f"'id' must be a non-empty string or an integer, got {json.dumps(value)[:40]}")
    if isinstance(value, str) and _has_unpaired_surrogate(value):
        raise ArticleError(where, "'id' contains an unpaired surrogate escape, which is not valid Unicode")
    return str(value)


def _optional_string(where: str, record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ArticleError(where, f"{key!r} must be a string, got {_json_type(value)}")


def _jsonl_published(where: str, value: str | None) -> dt.date | None:
    if value is None or not value.strip():
        return None
    date = _parse_date(value)
    if date is None:
        raise ArticleError(where, f"'published' {value[:40]!r} is not a date (expected YYYY-MM-DD or an ISO datetime)")
    return date


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
