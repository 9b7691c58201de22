"""One event's popup: the words a reader sees, built from an autoescaping template.

Every value here may come from an article, so none is trusted: the template escapes
it for HTML, and the map then carries the finished HTML as a JSON string, escaped
for the script it sits in (see ``elements.js_value``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import jinja2
import pandas as pd

from geomap.render.resources import read_asset
from geomap.render.style import DEFAULT_RADIUS_KM, STATUS_LABELS, type_class

__all__ = ["popup_html", "evidence_segments", "safe_href", "radius_km", "text", "whole"]

_TIME_PRECISION = {2: "within a week", 3: "within a month or less precise"}
_GEO_PRECISION = {
    1: "exact: the place itself",
    2: "near the place",
    3: "somewhere in the region",
}


def text(value: Any) -> str:
    """A cell as text, "" for a missing value (None, NaN, pandas NA).

    Example:
        >>> text(float("nan")), text(" Kursk "), text(3)
        ('', 'Kursk', '3')
    """
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    return str(value).strip()


def whole(value: Any) -> int | None:
    """A cell as an int, None for a missing or non-numeric value.

    Example:
        >>> whole(2.0), whole(None), whole("x")
        (2, None, None)
    """
    if text(value) == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def safe_href(url: str) -> str | None:
    """The URL if it may become a link: http(s) with a host; None otherwise.

    Example:
        >>> safe_href("https://example.org/a?b=1"), safe_href("javascript:alert(1)")
        ('https://example.org/a?b=1', None)
    """
    url = url.strip()
    if not url or any(ord(ch) < 0x20 or ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def evidence_segments(evidence: str, place_text: str) -> list[tuple[str, bool]]:
    """Split the evidence sentence into (text, is_place) runs, marking each mention of the place.

    The place is found case-insensitively; if it is absent the sentence is one plain run.

    Example:
        >>> evidence_segments("Shelling hit Korenevo overnight.", "Korenevo")
        [('Shelling hit ', False), ('Korenevo', True), (' overnight.', False)]
    """
    if not evidence:
        return []
    if not place_text:
        return [(evidence, False)]
    segments: list[tuple[str, bool]] = []
    last = 0
    for match in re.finditer(re.escape(place_text), evidence, flags=re.IGNORECASE):
        if match.start() > last:
            segments.append((evidence[last : match.start()], False))
        segments.append((match.group(0), True))
        last = match.end()
    if last < len(evidence):
        segments.append((evidence[last:], False))
    return segments


def _date_label(event_date: str, time_precision: int | None, status: str) -> str:
    if not event_date:
        return "planned (no date)" if status == "planned" else "date unknown"
    label = f"planned for {event_date}" if status == "planned" else event_date
    if time_precision in _TIME_PRECISION:
        label += f" ({_TIME_PRECISION[time_precision]})"
    return label


def _precision_label(geo_precision: int | None, radius_km: float, lat: float, lon: float) -> str:
    where = f"{lat:.4f}, {lon:.4f}"
    if geo_precision is None:
        label = "precision unknown"
    else:
        label = _GEO_PRECISION.get(geo_precision, f"precision {geo_precision}")
    if radius_km > 0:
        label += f", within about {radius_km:g} km"
    return f"{label} ({where})"


def _place_label(event: Mapping[str, Any]) -> str:
    parts = [text(event.get("place_name")), text(event.get("admin1")), text(event.get("country_code"))]
    return ", ".join(p for p in parts if p) or "unresolved"


def radius_km(event: Mapping[str, Any]) -> float:
    """How far from its point an event may be: radius_km, else a default for geo_precision 2/3.

    Example:
        >>> radius_km({"radius_km": 35.0, "geo_precision": 3}), radius_km({"geo_precision": 2})
        (35.0, 10.0)
    """
    value = event.get("radius_km")
    if text(value):
        try:
            km = float(text(value))
        except (TypeError, ValueError):
            km = 0.0
        if km > 0 and math.isfinite(km):
            return km
    return DEFAULT_RADIUS_KM.get(whole(event.get("geo_precision")) or 0, 0.0)


_env = jinja2.Environment(
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

_POPUP = _env.from_string(read_asset("popup.html"))


def popup_html(event: Mapping[str, Any]) -> str:
    """The popup of one located event (a row of the events table), as escaped HTML.

    Example:
        >>> html = popup_html({"event_type": "Battles", "status": "claimed",
        ...                    "evidence": "Fighting <b>near</b> Korenevo.", "place_text": "Korenevo",
        ...                    "lat": 51.41, "lon": 34.9, "source_url": "javascript:alert(1)"})
        >>> "&lt;b&gt;near&lt;/b&gt; <mark>Korenevo</mark>" in html, "<a " in html
        (True, False)
    """
    event_type = text(event.get("event_type")) or "Unknown type"
    status_raw = text(event.get("status"))
    status = status_raw.lower()
    n_sources = whole(event.get("n_sources"))
    fatalities = whole(event.get("fatalities"))
    actors = [a for a in (text(event.get("actor1")), text(event.get("actor2"))) if a]
    url = text(event.get("source_url"))
    title = text(event.get("source_title"))
    href = safe_href(url)
    context = {
        "type_class": type_class(event_type),
        "event_type": event_type,
        "sub_event_type": text(event.get("sub_event_type")),
        "date": _date_label(text(event.get("event_date")), whole(event.get("time_precision")), status),
        "status": STATUS_LABELS.get(status, status_raw or "status unknown"),
        "status_flag": status != "reported",
        "place_text": text(event.get("place_text")) or "(not written)",
        "place_name": _place_label(event),
        "precision": _precision_label(
            whole(event.get("geo_precision")),
            radius_km(event),
            float(event["lat"]),
            float(event["lon"]),
        ),
        "actors": " → ".join(actors),
        "fatalities": "not stated" if fatalities is None else str(fatalities),
        "evidence": evidence_segments(text(event.get("evidence")), text(event.get("place_text"))),
        "source_href": href,
        "source_label": title or url or "unknown source",
        "source_note": url if title and url and not href else "",  # shown, never linked
        "n_sources": (
            "number of sources unknown"
            if n_sources is None
            else f"reported by {n_sources} source{'s' if n_sources != 1 else ''}"
        ),
    }
    return _POPUP.render(context)
