"""Dates in text: absolute dates, ranges, weekdays and "yesterday", resolved against a base date."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span

__all__ = ["DateValue", "DateMention", "parse_date", "find_dates", "infer_year", "OVERNIGHT"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
# ACLED time precision: 1 the day is known, 2 the week, 3 the month or less.
_PRECISION = {"day": 1, "time": 1, "week": 2, "month": 3, "year": 3}
_VAGUE = re.compile(r"\b(years?|decades?|centur(y|ies)|months|since|ago|recent(ly)?|past|ages?|era|war|season)\b", re.I)
# Night words: "overnight" is the night that ended on the paper's day, "last night" began the day before.
OVERNIGHT = frozenset({"overnight", "last night"})

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        ("january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
         "august aug", "september sept sep", "october oct", "november nov", "december dec")
    )
    for name in names.split()
}
_MONTH = r"(?P<{0}>(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?)"
_DAY = r"(?P<{0}>[0-3]?\d)(?:st|nd|rd|th)?"
_DASH = r"\s*(?:-|–|—|to|and|until|till)\s*"
# The forms news and coder notes write a day in, longest first: a range across months,
# a range within a month, one day; day-month or month-day order; an optional year.
_ABSOLUTE = re.compile(
    "|".join(
        [
            # 31 January - 8 February 2022
            rf"\b{_DAY.format('d1')}\s+{_MONTH.format('m1')}{_DASH}{_DAY.format('d2')}\s+{_MONTH.format('m2')}(?:,?\s+(?P<y1>\d{{4}}))?",
            # 24 - 26 March 2022, 2-3 July
            rf"\b{_DAY.format('d3')}{_DASH}{_DAY.format('d4')}\s+{_MONTH.format('m3')}(?:,?\s+(?P<y2>\d{{4}}))?",
            # March 24-26, 2022
            rf"\b{_MONTH.format('m4')}\s+{_DAY.format('d5')}{_DASH}{_DAY.format('d6')}\b(?:,?\s+(?P<y3>\d{{4}}))?",
            # 3 July 2025, 3 July, 3rd of July
            rf"\b{_DAY.format('d7')}\s+(?:of\s+)?{_MONTH.format('m5')}(?:,?\s+(?P<y4>\d{{4}}))?",
            # July 3, 2025; July 3
            rf"\b{_MONTH.format('m6')}\s+{_DAY.format('d8')}\b(?!\s*(?::|[.,]\d))(?:,?\s+(?P<y5>\d{{4}}))?",
            # March 2025 (a month: ACLED's precision 3)
            rf"\b{_MONTH.format('m7')}\s+(?:of\s+)?(?P<y6>\d{{4}})\b",
        ]
    ),
    re.I,
)
_AROUND = re.compile(r"\b(around|about|approximately|circa|c\.|some\s+time\s+(?:on|around)|on\s+or\s+about)\s*$", re.I)
_NIGHT = re.compile(r"\b(night|overnight|evening)\s+(?:of\s+)?(?:the\s+)?$", re.I)
_WEEK_OF = re.compile(r"^\s*\(?\s*(week|weekend)\s+of\b", re.I)
_MONTH_OF = re.compile(r"^\s*\(?\s*month\s+of\b", re.I)
_BEGIN_END = re.compile(r"\b(early|mid|late|end\s+of|beginning\s+of|start\s+of|first\s+half\s+of|second\s+half\s+of)[\s-]*(?:the\s+month\s+of\s+)?$", re.I)
_WEEK_BEFORE = re.compile(r"\b(week|weekend)\s+(?:of|starting|beginning|from)\s+(?:the\s+)?$", re.I)


@dataclass(frozen=True)
class DateValue:
    """A resolved date with ACLED's time precision."""

    date: dt.date
    precision: int


@dataclass(frozen=True)
class DateMention:
    """An absolute date written in a text: its character span and value.

    ``qualifies`` is True for a date in parentheses right after another one
    ("Around 25 March 2022 (between 24 - 26 March)"): it narrows that date, it is
    not a second date of its own.
    """

    start: int
    end: int
    value: DateValue
    qualifies: bool = False


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    return _MONTHS.get(word) or next((n for name, n in _MONTHS.items() if len(name) > 3 and name.startswith(word) and len(word) >= 3), None)


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year_for(month: int, day: int, base: dt.date | None) -> int | None:
    """The year of a day written without one: the latest not after ``base``."""
    if base is None:
        return None
    guess = _day(base.year, month, day)
    if guess is None:
        return None
    return base.year if guess <= base else base.year - 1


def _range_value(first: dt.date, last: dt.date, text_before: str) -> DateValue | None:
    if last < first:
        return None
    span = (last - first).days
    if span <= 1:
        # "on the night of 2-3 July": the night began on the first day.
        return DateValue(first, 1)
    # ACLED codes a range at its middle, with week or month precision.
    middle = first + dt.timedelta(days=(span + 1) // 2)
    return DateValue(middle, 2 if span <= 14 else 3)


def find_dates(text: str, base: dt.date | None, *, offset: int = 0) -> list[DateMention]:
    """The absolute dates ``text`` writes ("3 July 2025", "July 3", "24 - 26 March",
    "the night of 2-3 July", "around 5 January 2022 (week of)", "March 2025").

    A day written without its year takes the latest year that does not put it after
    ``base``; without ``base`` only dates with a written year are returned. A date
    after ``base`` is not an incident's date and is left out. Offsets are shifted by
    ``offset``.

    >>> [(d.value.date.isoformat(), d.value.precision) for d in find_dates("on the night of 2-3 July", dt.date(2025, 7, 4))]
    [('2025-07-02', 1)]
    """
    out: list[DateMention] = []
    for match in _ABSOLUTE.finditer(text):
        g = match.groupdict()
        month_word = next(g[k] for k in ("m1", "m3", "m4", "m5", "m6", "m7") if g.get(k))
        if not month_word[0].isupper():
            continue  # "may", "mar" as words, not months
        year_text = next((g[k] for k in ("y1", "y2", "y3", "y4", "y5", "y6") if g.get(k)), None)
        written_year = int(year_text) if year_text else None
        if written_year is not None and not 1900 <= written_year <= 2100:
            continue
        before = text[max(0, match.start() - 40) : match.start()]
        after = text[match.end() : match.end() + 20]
        value: DateValue | None = None
        if g.get("m7"):
            month = _month(g["m7"])
            if month is None or written_year is None:
                continue
            # A month's date is nominal (precision 3); the base's day, as dateparser gives it.
            day = min(base.day, calendar.monthrange(written_year, month)[1]) if base else 1
            value = DateValue(dt.date(written_year, month, day), 3)
        else:
            if g.get("m1"):
                parts = [(g["m1"], g["d1"]), (g["m2"], g["d2"])]
            elif g.get("m3"):
                parts = [(g["m3"], g["d3"]), (g["m3"], g["d4"])]
            elif g.get("m4"):
                parts = [(g["m4"], g["d5"]), (g["m4"], g["d6"])]
            elif g.get("m5"):
                parts = [(g["m5"], g["d7"])]
            else:
                parts = [(g["m6"], g["d8"])]
            maybe_months = [_month(m) for m, _ in parts]
            months = [m for m in maybe_months if m is not None]
            if len(months) != len(parts):
                continue
            days = [int(d) for _, d in parts]
            year = written_year if written_year is not None else _year_for(months[-1], days[-1], base)
            if year is None:
                continue
            maybe_dates = [_day(year, m, d) for m, d in zip(months, days)]
            dates = [d for d in maybe_dates if d is not None]
            if len(dates) != len(parts):
                continue
            if len(dates) == 2 and dates[0] > dates[1]:  # "28 December - 3 January 2022"
                earlier = _day(year - 1, months[0], days[0])
                if earlier is None:
                    continue
                dates[0] = earlier
            ranged = _range_value(dates[0], dates[1], before) if len(dates) == 2 else DateValue(dates[0], 1)
            if ranged is None:
                continue
            value = ranged
        if _AROUND.search(before) and value.precision == 1:
            value = DateValue(value.date, 2)
        if _WEEK_OF.search(after) or _WEEK_BEFORE.search(before):
            value = DateValue(value.date, max(value.precision, 2))
        if _MONTH_OF.search(after) or _BEGIN_END.search(before):
            value = DateValue(value.date, 3)
        if base is not None and value.date > base:
            continue
        qualifies = bool(out) and text[out[-1].end - offset : match.start()].strip() in ("(", "(between", "( between") or (
            bool(out) and re.fullmatch(r"\s*\(\s*(?:between|from)?\s*", text[out[-1].end - offset : match.start()], re.I) is not None
        )
        out.append(DateMention(match.start() + offset, match.end() + offset, value, qualifies))
    return out


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
    absolute = [d for d in find_dates(text, base) if not d.qualifies]
    if absolute:
        return min((d.value for d in absolute), key=lambda v: v.precision)
    lowered = text.lower()
    if "last night" in lowered:
        return DateValue(base - dt.timedelta(days=1), 1)
    if "overnight" in lowered:
        return DateValue(base, 1)  # the night that ended on the paper's day
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
    # Never a year the expression does not write, far from the base: "24 - 26 March"
    # is not the year 1926.
    written = {int(y) for y in _YEAR.findall(text)}
    if value.year not in written and abs(value.year - base.year) > 1:
        return None
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
    March 2025"); future plans ("will be expanded in 2026") do not count. Where the
    parse finds no such clause ("Tens of people ... on 3 March 2022", with "tens" as
    the root), the year written most often in a full date (day, month and year), then
    in a month and year.
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
    if years:
        return max(years)
    written = find_dates(doc.text, None)
    for precision in (1, 2, 3):
        counts = Counter(d.value.date.year for d in written if d.value.precision <= precision)
        if counts:
            return max(counts, key=lambda y: (counts[y], y))
    return None


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
