"""Article text from bytes: byte order marks, UTF-8 or a declared charset, binary files told apart;\nnewlines normalised; the id of a text; ISO dates."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable

from geomap.errors import ArticleError

# Byte order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
BOMS: tuple[tuple[bytes, str], ...] = (
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
MAX_CONTROL_SHARE = 0.05


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
    normalised = normalise_newlines(text)
    # surrogatepass: an unpaired surrogate must not crash the hash; readers reject it.
    return hashlib.sha1(normalised.encode("utf-8", "surrogatepass")).hexdigest()[:16]


# --- decoding ----------------------------------------------------------------------


def decode_text(name: str, data: bytes, fallback: str | None = None) -> str:
    """Decode file bytes: a byte order mark wins, then UTF-8, then ``fallback``
    (an HTML page's declared charset)."""
    for bom, encoding in BOMS:
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
        if control_share(data.decode("latin-1")) > MAX_CONTROL_SHARE:
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
    if control_share(text) > MAX_CONTROL_SHARE:
        raise ArticleError(name, "binary file, not text")
    return text


def control_share(text: str) -> float:
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


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def has_unpaired_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# --- dates -------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:\s*$|[T ]\d{2}:\d{2})")


def parse_iso_date(value: str) -> dt.date | None:
    """The date of ``YYYY-MM-DD`` or an ISO datetime (its date as written), else None."""
    match = _ISO_DATE.match(value)
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


# --- headlines ---------------------------------------------------------------------


_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")


def headline(text: str, *, markdown: bool = False) -> str | None:
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
