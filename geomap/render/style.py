"""How events look on the map: colours per event type, and the words for status and precision.

The one place to change the map's visual vocabulary; the legend, the pins, the
circles and the popups all read it.
"""

from __future__ import annotations

from geomap.models import EVENT_TYPES

__all__ = [
    "TYPE_COLORS",
    "OTHER_COLOR",
    "STATUS_LABELS",
    "TIME_PRECISION_LABELS",
    "UNCERTAIN_KM",
    "WIDE_KM",
    "DRAW_MEANINGS",
    "DRAW_KEYS",
    "DEFAULT_RADIUS_KM",
    "type_class",
    "type_color",
    "status_key",
    "type_css",
    "PIN_SVG",
    "DOT_SVG",
    "PIN",
    "RING",
    "AREA",
    "draw_kind",
]

# One colour per ACLED event type (matplotlib's tab10, told apart by most readers).
TYPE_COLORS: dict[str, str] = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Protests": "#1f77b4",
    "Riots": "#8c564b",
    "Strategic developments": "#2ca02c",
}
OTHER_COLOR = "#7f7f7f"
assert tuple(TYPE_COLORS) == tuple(EVENT_TYPES), "a colour for each ACLED type, in order"

# What each status means to a reader, shown in the popup and the legend.
STATUS_LABELS: dict[str, str] = {
    "reported": "reported",
    "unconfirmed": "unconfirmed: not independently verified",
    "claimed": "claimed by a party, not verified",
    "denied": "denied",
    "planned": "planned: has not happened",
}

# How precise a date is, in words (the popup); a place's precision is its drawing (DRAW_MEANINGS).
TIME_PRECISION_LABELS: dict[int, str] = {2: "within a week", 3: "within a month or less precise"}

# The pin: a teardrop whose tip (12, 31) is the place. Colour and outline come from css
# (geomap.css), so the status styles and the legend's key share this one drawing.
PIN_SVG = (
    '<svg class="geomap-pin" viewBox="0 0 24 32" width="24" height="32" aria-hidden="true">'
    '<path class="geomap-pin-shape" d="M12 1.5C6.2 1.5 1.8 5.9 1.8 11.5 1.8 19 12 30.5 12 30.5'
    'S22.2 19 22.2 11.5C22.2 5.9 17.8 1.5 12 1.5z"/>'
    '<circle class="geomap-pin-dot" cx="12" cy="11.5" r="3.6"/></svg>'
)

# An approximate place's handle: a dot at the centre of its ring or area, so that no
# confident pin points at a spot the text does not give. Styled like the pin.
DOT_SVG = (
    '<svg class="geomap-pin" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">'
    '<circle class="geomap-pin-shape" cx="8" cy="8" r="6.5"/>'
    '<circle class="geomap-pin-dot" cx="8" cy="8" r="2"/></svg>'
)

# A place vaguer than this is named with its size in the popup ("within about N km").
UNCERTAIN_KM = 5.0
# A place wider than this (a region, a country) is an area whatever its precision says.
WIDE_KM = 50.0
# The radius to draw for geo_precision 2 / 3 when the table gives none.
DEFAULT_RADIUS_KM: dict[int, float] = {2: 10.0, 3: 50.0}

# How an event is drawn (the page's ``_draw`` column), the one rule the legend, the
# markers and the popups share (see :func:`draw_kind`): a pin at the place itself; a dot
# in a ring of the radius around a place it was near; for a region or a country a
# labelled square at the area's point, its extent outlined only on hover, never a disc
# that covers the neighbours.
PIN, RING, AREA = 0, 1, 2
# What each drawing means, in the legend ("pin: ...") and the popup's "Precision".
DRAW_MEANINGS: dict[int, str] = {
    PIN: "the place itself",
    RING: "near the place",
    AREA: "somewhere in the region",
}
DRAW_KEYS: dict[int, str] = {PIN: "pin", RING: "ring", AREA: "labelled square"}


def draw_kind(geo_precision: int | None, radius_km: float) -> int:
    """How to draw an event: AREA for a region (geo_precision 3) or a place wider than
    WIDE_KM (a country named as "the place"), RING for "near" a place (geo_precision 2),
    PIN otherwise (a town of any size is a pin: it is the place itself).

    Example:
        >>> draw_kind(1, 0.0), draw_kind(2, 10.0), draw_kind(1, 25.0), draw_kind(3, 120.0), draw_kind(1, 500.0)
        (0, 1, 0, 2, 2)
    """
    if geo_precision == 3 or radius_km > WIDE_KM:
        return AREA
    if geo_precision == 2:
        return RING
    return PIN


def type_class(event_type: str) -> str:
    """The css class of an event type: ``geomap-t0`` .. ``geomap-t5``, ``geomap-tx`` for others.

    Example:
        >>> type_class("Battles"), type_class("Something else")
        ('geomap-t0', 'geomap-tx')
    """
    for index, name in enumerate(TYPE_COLORS):
        if name == event_type:
            return f"geomap-t{index}"
    return "geomap-tx"


def type_color(event_type: str) -> str:
    """The colour of an event type, grey for types outside ACLED's six.

    Example:
        >>> type_color("Protests")
        '#1f77b4'
    """
    return TYPE_COLORS.get(event_type, OTHER_COLOR)


def status_key(status: str) -> str:
    """The status as a css-safe key: one of STATUS_LABELS, or ``unknown``.

    Example:
        >>> status_key("Claimed "), status_key("<b>")
        ('claimed', 'unknown')
    """
    key = status.strip().lower()
    return key if key in STATUS_LABELS else "unknown"


def type_css() -> str:
    """The css rules that give each type class its colour.

    Example:
        >>> type_css().splitlines()[0]
        '.geomap-t0 { --gm-color: #d62728; }'
    """
    rules = [f".{type_class(name)} {{ --gm-color: {color}; }}" for name, color in TYPE_COLORS.items()]
    rules.append(f".geomap-tx {{ --gm-color: {OTHER_COLOR}; }}")
    return "\n".join(rules)
