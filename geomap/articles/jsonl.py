"""JSON Lines input: one article a line, {"id", "text", "title", "published", "url"}; a bad line is\nreported as file:line with its reason and the others go on."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from geomap.articles.text import (
    BOMS,
    MAX_CONTROL_SHARE,
    article_id,
    control_share,
    decode_text,
    has_unpaired_surrogate,
    headline,
    parse_iso_date,
)
from geomap.errors import ArticleError, ArticleNote
from geomap.models import Article

EARLIEST_PUBLISHED = dt.date(1900, 1, 1)
"""A publication date before this is a placeholder ("0001-01-01"), not a date: it is ignored."""

# --- JSON Lines --------------------------------------------------------------------


def read_jsonl(name: str, data: bytes, *, published: dt.date | None) -> Iterator[Article | ArticleError]:
    # A BOM means the whole file is in that encoding; without one, each line is
    # decoded alone so that one bad line does not cost the others.
    if data.startswith(tuple(bom for bom, _ in BOMS)):
        lines: list[bytes | str] = list(decode_text(name, data).split("\n"))
    else:
        if b"\x00" in data or control_share(data.decode("latin-1")) > MAX_CONTROL_SHARE:
            raise ArticleError(name, "binary file, not text")
        lines = list(data.split(b"\n"))
    seen_ids: dict[str, int] = {}
    found_any = False
    for number, raw in enumerate(lines, start=1):
        where = f"{name}:{number}"
        try:
            line = raw if isinstance(raw, str) else decode_text(where, raw)
        except ArticleError as err:
            yield err
            found_any = True
            continue
        if not line.strip():
            continue
        found_any = True
        try:
            article, note = _jsonl_article(where, line, published=published)
        except ArticleError as err:
            yield err
            continue
        if note is not None:
            yield note
        if article.id in seen_ids:
            yield ArticleError(where, f"duplicate id {article.id!r} (first on line {seen_ids[article.id]})")
            continue
        seen_ids[article.id] = number
        yield article
    if not found_any:
        yield ArticleError(name, "empty file (only whitespace)")


def _jsonl_article(where: str, line: str, *, published: dt.date | None) -> tuple[Article, ArticleNote | None]:
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
    if has_unpaired_surrogate(text) or any(has_unpaired_surrogate(v) for v in strings.values() if v):
        raise ArticleError(where, "contains an unpaired surrogate escape (\\ud800-\\udfff), which is not valid Unicode")
    given = _jsonl_published(where, strings["published"])
    note = None
    if given is not None and given < EARLIEST_PUBLISHED:
        note = ArticleNote(where, f"'published' {given.isoformat()} is not a plausible publication date "
                                  f"(before {EARLIEST_PUBLISHED.year}); the article's dates fall back to "
                                  "--published or the text")
        given = None
    # Keep the text exactly as given: gold offsets in evaluation files point into it.
    article = Article(
        id=_jsonl_id(where, record, text),
        text=text,
        title=strings["title"] or headline(text),
        published=given or published,
        url=strings["url"] or None,
        path=where,
    )
    return article, note


def _jsonl_id(where: str, record: dict[str, Any], text: str) -> str:
    value = record.get("id")
    if value is None:
        return article_id(text)
    if isinstance(value, bool) or not isinstance(value, (str, int)) or (isinstance(value, str) and not value.strip()):
        raise ArticleError(where, f"'id' must be a non-empty string or an integer, got {json.dumps(value)[:40]}")
    if isinstance(value, str) and has_unpaired_surrogate(value):
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
    date = parse_iso_date(value)
    if date is None:
        raise ArticleError(where, f"'published' {value[:40]!r} is not a date (expected YYYY-MM-DD or an ISO datetime)")
    return date


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
