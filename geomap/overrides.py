"""Analysts' corrections: place names whose resolved place is wrong, and the right one.

An overrides file is a CSV with a header row and these columns (any order; only
``place_text`` and a place are required):

=============  ==============================================================
place_text     the place name as the article writes it ("Korenevo"); matched
               ignoring case and runs of spaces
article_id     only in this article (its id in events.csv); empty: every article
geonameid      the right place, by its gazetteer id (``geomap geocode NAME`` lists them)
lat, lon       or the right point, in WGS84 degrees
name           the point's name (default: ``place_text``); not with a geonameid
note           why: the events table's ``corrected`` column says "corrected by analyst: <note>"
=============  ==============================================================

Rows starting with ``#`` are comments. A ``.yaml`` / ``.yml`` file holds the same
corrections as a list of mappings with these keys::

    - place_text: Korenevo
      geonameid: 544906
      note: the village in Kursk oblast
    - place_text: Moscow City
      lat: 55.7494
      lon: 37.5376

 A correction replaces the place of every event
mention whose place name matches; a row with an ``article_id`` wins over one without.
A corrected place keeps its name; the events table's ``corrected`` column (and so the
GeoJSON and the map popup) says "corrected by analyst: <note>".

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "overrides.csv"
>>> _ = path.write_text("place_text,lat,lon,note\\nKorenevo,51.41,34.92,checked on imagery\\n")
>>> [(row.place_text, row.lat, row.note) for row in read_overrides(path)]
[('Korenevo', 51.41, 'checked on imagery')]
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import math
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geomap.errors import GeomapError
from geomap.gazetteer.normalize import normalize_text
from geomap.geocode.lookup import Lookup
from geomap.models import Place

if TYPE_CHECKING:  # importing it loads spaCy, which reading a CSV does not need
    from geomap.extract.events import EventMention

__all__ = [
    "COLUMNS",
    "Override",
    "OverrideRow",
    "OverridesError",
    "apply_overrides",
    "read_overrides",
    "resolve_overrides",
]

MAX_BYTES = 10_000_000
"""An overrides file larger than this (10 MB) is refused unread."""
MAX_YAML_NODES = 1_000_000
"""A YAML overrides file whose aliases expand it past this many values is refused."""

COLUMNS: tuple[str, ...] = ("place_text", "article_id", "geonameid", "lat", "lon", "name", "note")
SOURCE = "override"
# Ids of analysts' points: -4e14 > id >= -9e14, below the curated gazetteer entries
# (-1 .. -2**47) and above the online services' (-1e15 and less), so no id means two things.
_POINT_BASE = 4 * 10**14
_POINT_SPAN = 5 * 10**14


class OverridesError(GeomapError, ValueError):
    """An overrides file or one of its rows is wrong; the message names ``file:line``."""


@dataclass(frozen=True)
class OverrideRow:
    """One correction as written in an overrides file (``source`` and ``line`` say where)."""

    source: str
    line: int
    place_text: str
    article_id: str | None = None
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None
    name: str | None = None
    note: str | None = None

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"

    @property
    def key(self) -> tuple[str, str | None]:
        return (normalize_place_text(self.place_text), self.article_id)


@dataclass(frozen=True)
class Override:
    """A correction with its place looked up: what :func:`apply_overrides` puts in."""

    row: OverrideRow
    place: Place

    @property
    def corrected(self) -> str:
        """What the events table's ``corrected`` column says of the events it places."""
        return f"corrected by analyst: {self.row.note}" if self.row.note else "corrected by analyst"


normalize_place_text = normalize_text
"""How an override's place text is compared with an article's: :func:`geomap.gazetteer.normalize.normalize_text`."""


# -- reading --------------------------------------------------------------------------


def read_overrides(path: str | os.PathLike[str]) -> list[OverrideRow]:
    """Read and check an overrides file: CSV (UTF-8, with a header row), or YAML where the
    name ends in ``.yaml`` or ``.yml``.

    Raises :class:`OverridesError` naming ``file:line`` for the first bad row (an
    unknown column, no place text, neither a geonameid nor lat and lon, both, a
    number that is not one, a latitude off the Earth, a correction given twice).
    """
    path = Path(path)
    name = str(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as err:
        raise OverridesError(f"{name}: cannot read the overrides file ({err.strerror or err})") from err
    if len(data) > MAX_BYTES:
        raise OverridesError(f"{name}: too large for an overrides file (over {MAX_BYTES // 1_000_000} MB)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise OverridesError(f"{name}: not UTF-8 text (invalid byte at offset {err.start}); save it as UTF-8") from err
    if path.suffix.lower() in (".yaml", ".yml"):
        return _read_yaml(name, text)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header, header_line = _header(name, reader)
        if header is None:
            return []
        rows: list[OverrideRow] = []
        seen: dict[tuple[str, str | None], int] = {}
        last = reader.line_num
        for cells in reader:
            line, last = last + 1, reader.line_num
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue
            _add_row(rows, seen, name, line, _row(name, line, header, cells))
    except csv.Error as err:
        raise OverridesError(f"{name}:{reader.line_num}: not valid CSV ({err})") from err
    return rows


def _read_yaml(name: str, text: str) -> list[OverrideRow]:
    import yaml

    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
        if document is not None:
            _check_yaml_size(name, document)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise OverridesError(f"{name}:{mark.line + 1 if mark else 1}: not valid YAML "
                             f"({getattr(err, 'problem', None) or err})") from err
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise OverridesError(f"{name}:1: expected a list of corrections, each a mapping with place_text "
                             "and a geonameid or lat and lon")
    rows: list[OverrideRow] = []
    seen: dict[tuple[str, str | None], int] = {}
    assert document is not None  # it holds the data just read
    for item, node in zip(data, document.value):
        line = node.start_mark.line + 1
        header = [str(key).strip().lower() for key in item]
        unknown = [key for key in header if key not in COLUMNS]
        if unknown:
            raise OverridesError(f"{name}:{line}: unknown key {unknown[0]!r}; expected some of {', '.join(COLUMNS)}")
        cells = ["" if value is None else str(value) for value in item.values()]
        _add_row(rows, seen, name, line, _row(name, line, header, cells))
    return rows


def _check_yaml_size(name: str, root: Any) -> None:
    """Refuse a YAML document whose aliases expand it past :data:`MAX_YAML_NODES` nodes.

    The safe loader builds an alias as a reference, so a small "billion laughs" file
    loads fast and then costs gigabytes to anything that walks it (our rows, ``str()``).
    The expanded size is counted on the composed node graph, each node once.
    """
    sizes: dict[int, int] = {}  # id(node) -> its size with every alias expanded
    opened: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:  # post-order, without recursion (a deep document must not overflow the stack)
        node, leaving = stack.pop()
        if leaving:
            # A child still open is an alias to an ancestor (a cycle): it adds nothing more.
            size = 1 + sum(sizes.get(id(child), 0) for child in _yaml_children(node))
            if size > MAX_YAML_NODES:
                raise OverridesError(f"{name}:{node.start_mark.line + 1}: the YAML expands to more than "
                                     f"{MAX_YAML_NODES:,} values through its aliases (&anchor / *alias); "
                                     "write the corrections out")
            sizes[id(node)] = size
        elif id(node) not in opened:
            opened.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in _yaml_children(node))


def _yaml_children(node: Any) -> list[Any]:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _header(name: str, reader) -> tuple[list[str] | None, int]:
    for cells in reader:
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        header = [c.strip().lower() for c in cells]
        line = reader.line_num
        unknown = [c for c in header if c not in COLUMNS]
        if unknown:
            raise OverridesError(
                f"{name}:{line}: unknown column {unknown[0]!r}; expected a header with {', '.join(COLUMNS)}"
            )
        doubled = [c for c, n in Counter(header).items() if n > 1]
        if doubled:
            raise OverridesError(f"{name}:{line}: column {doubled[0]!r} appears twice in the header")
        if "place_text" not in header or ("geonameid" not in header and not {"lat", "lon"} <= set(header)):
            raise OverridesError(
                f"{name}:{line}: the header must have place_text and geonameid or lat and lon, got {', '.join(header)}"
            )
        return header, line
    return None, 0


def _row(name: str, line: int, header: list[str], cells: list[str]) -> OverrideRow:
    where = f"{name}:{line}"
    if len(cells) > len(header):
        raise OverridesError(f"{where}: {len(cells)} values but the header has {len(header)} columns")
    values = {column: (cells[i].strip() if i < len(cells) else "") for i, column in enumerate(header)}
    place_text = values.get("place_text", "")
    if not place_text:
        raise OverridesError(f"{where}: place_text is empty; write the place name as the article does")
    geonameid, lat, lon = values.get("geonameid", ""), values.get("lat", ""), values.get("lon", "")
    if geonameid and (lat or lon):
        raise OverridesError(f"{where}: give a geonameid or lat and lon, not both")
    if not geonameid and not (lat or lon):
        raise OverridesError(f"{where}: no place for {place_text!r}: give a geonameid or lat and lon")
    row = OverrideRow(
        source=name,
        line=line,
        place_text=place_text,
        article_id=values.get("article_id") or None,
        note=values.get("note") or None,
        name=values.get("name") or None,
    )
    if geonameid:
        if row.name:
            raise OverridesError(f"{where}: 'name' is for a lat/lon point; a geonameid brings its own name")
        try:
            number = int(geonameid)
        except ValueError:
            raise OverridesError(f"{where}: geonameid {geonameid!r} is not a whole number") from None
        if not -(2**63) < number < 2**63:
            raise OverridesError(f"{where}: geonameid {geonameid[:30]!r} is out of range "
                                 "(a GeoNames id has at most 18 digits)")
        return dataclasses.replace(row, geonameid=number)
    if not (lat and lon):
        raise OverridesError(f"{where}: {'lat' if lat else 'lon'} given without {'lon' if lat else 'lat'}")
    return dataclasses.replace(row, lat=_degrees(where, "lat", lat, 90), lon=_degrees(where, "lon", lon, 180))


def _degrees(where: str, what: str, value: str, bound: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not -bound <= number <= bound:
        raise OverridesError(f"{where}: {what} {value!r} is not a {'latitude' if what == 'lat' else 'longitude'} "
                             f"(expected a number from {-bound:g} to {bound:g})")
    return number


def _add_row(rows: list[OverrideRow], seen: dict[tuple[str, str | None], int], name: str, line: int,
             row: OverrideRow) -> None:
    """Append ``row`` (read from ``line``), refusing a second correction of the same name in the same scope."""
    if row.key in seen:
        raise OverridesError(f"{name}:{line}: {row.place_text!r}{_scope(row)} is already corrected on line {seen[row.key]}")
    seen[row.key] = line
    rows.append(row)


def _scope(row: OverrideRow) -> str:
    return f" in article {row.article_id}" if row.article_id else ""


# -- resolving ------------------------------------------------------------------------


def resolve_overrides(rows: Iterable[OverrideRow], gazetteer: Lookup) -> list[Override]:
    """Look up each row's place: a geonameid in ``gazetteer``, lat/lon as a point.

    A later row for the same place text (and article) replaces an earlier one, so a
    file given later wins over one given earlier. Raises :class:`OverridesError`
    (naming ``file:line``) for a geonameid the gazetteer does not hold.
    """
    chosen: dict[tuple[str, str | None], Override] = {}
    for row in rows:
        if row.geonameid is not None:
            place = gazetteer.get(row.geonameid)
            if place is None:
                raise OverridesError(
                    f"{row.where}: geonameid {row.geonameid} is not in the gazetteer "
                    f"(`geomap geocode NAME` lists the ids of a name)"
                )
        else:
            assert row.lat is not None and row.lon is not None  # read_overrides checked
            place = _point(row)
        chosen.pop(row.key, None)
        chosen[row.key] = Override(row, dataclasses.replace(place, source=SOURCE))
    return list(chosen.values())


def _point(row: OverrideRow) -> Place:
    from geomap.geo.shapes import country_at

    lat, lon = float(row.lat), float(row.lon)  # type: ignore[arg-type]
    digest = hashlib.sha256(f"{lat:.6f},{lon:.6f}".encode()).hexdigest()
    return Place(
        geonameid=-(_POINT_BASE + int(digest[:16], 16) % _POINT_SPAN),
        name=row.name or row.place_text,
        lat=lat,
        lon=lon,
        # GeoNames' "locality": a place of unspecified character, here the analyst's point.
        feature_class="L",
        feature_code="LCTY",
        country_code=country_at(lat, lon, tolerance_km=10.0) or "",
        source=SOURCE,
    )


# -- applying -------------------------------------------------------------------------


def apply_overrides(
    mentions: Sequence[EventMention], overrides: Sequence[Override]
) -> tuple[list[EventMention], Counter[OverrideRow]]:
    """Put each correction's place into the event mentions whose place name it matches.

    Returns the mentions (corrected ones replaced, order kept) and how many mentions
    each row corrected (a row missing from the counter matched nothing; a mention that
    repeats its sentence's mention at another verb, ``repeats``, is corrected but not counted).

    A row with an ``article_id`` applies in that article only and wins there over a
    row without one.
    """
    by_key = {o.row.key: o for o in overrides}
    used: Counter[OverrideRow] = Counter()
    if not by_key:
        return list(mentions), used
    out: list[EventMention] = []
    for m in mentions:
        if m.place is not None:
            text = normalize_place_text(m.place.text)
            override = by_key.get((text, m.article_id)) or by_key.get((text, None))
            if override is not None:
                used[override.row] += m.repeats is None  # a mention repeating another at its verb is not counted again
                m = dataclasses.replace(m, place=dataclasses.replace(m.place, place=override.place),
                                        corrected=override.corrected)
        out.append(m)
    return out, used
