"""Dates in text: absolute dates, weekdays and "yesterday", resolved against a base date."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span

__all__ = ["DateValue", "parse_date", "infer_year"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
# ACLED time precision: 1 the day is known, 2 the week, 3 the month or less.
_PRECISION = {"day": 1, "time": 1, "week": 2, "month": 3, "year": 3}
_VAGUE = re.compile(r"\b(years?|decades?|centur(y|ies)|months|since|ago|recent(ly)?|past|ages?|era|war|season)\b", re.I)


@dataclass(frozen=True)
class DateValue:
    """A resolved date with ACLED's time precision."""

    date: dt.date
    precision: int


@functools.lru_cache(maxsize=1)
def _parser_module():  # dateparser is slow to import; only the event stage needs it
    import dateparser

    return dateparser


@functools.lru_cache(maxsize=4096)
def parse_date(text: str, base: dt.date) -> DateValue | None:
    """Resolve a date expression against ``base`` (the publication date), or None.

    >>> parse_date("yesterday", dt.date(2025, 7, 3))
    DateValue(date=datetime.date(2025, 7, 2), precision=1)
    >>> parse_date("on July 3", dt.date(2025, 12, 31)).date
    datetime.date(2025, 7, 3)
    """
    text = text.strip()
    if not text or _VAGUE.search(text) or len(text) > 40:
        return None
    dateparser = _parser_module()
    base_dt = dt.datetime.combine(base, dt.time(23, 59))
    parser = dateparser.date.DateDataParser(
        languages=["en"],
        settings={"PREFER_DATES_FROM": "past", "RELATIVE_BASE": base_dt, "RETURN_TIME_AS_PERIOD": True},
    )
    try:
        data = parser.get_date_data(text)
    except (OverflowError, ValueError):  # "on Monday" before 0001-01-01: a base near the calendar's edge
        return None
    if data is None or data.date_obj is None:
        return None
    value = data.date_obj.date()
    lowered = text.lower()
    # "on Thursday" in a Thursday's paper is that day, not a week before.
    if any(day in lowered for day in WEEKDAYS) and (base - value).days == 7 and "last" not in lowered:
        value = base
    if value > base:
        return None
    precision = _PRECISION.get(data.period or "day", 3)
    if precision == 3 and not re.search(r"[A-Za-z]", text):
        return None  # a bare year says too little to date an incident
    return DateValue(value, precision)


def infer_year(doc: Doc | Span) -> int | None:
    """The year an undated article was most likely written in.

    The latest year named in a clause told in the past tense ("was appointed in
    March 2025"); future plans ("will be expanded in 2026") do not count.
    """
    years: list[int] = []
    for ent in doc.ents:
        if ent.label_ != "DATE":
            continue
        match = _YEAR.search(ent.text)
        if not match:
            continue
        verb = _governing_verb(ent)
        if verb is None or not _is_past(verb):
            continue
        years.append(int(match.group(1)))
    return max(years) if years else None


def _governing_verb(span: Span):
    token = span.root
    while token.head.i != token.i:  # spaCy makes a new Token object on each access: compare indices
        token = token.head
        if token.pos_ in ("VERB", "AUX"):
            return token
    return token if token.pos_ in ("VERB", "AUX") else None


def _is_past(verb) -> bool:
    if verb.tag_ == "VBD":
        return True
    if verb.tag_ == "VBN":
        return any(c.dep_ in ("aux", "auxpass") and c.tag_ in ("VBD", "VBZ", "VBP") and c.lower_ != "will" for c in verb.children)
    return False
