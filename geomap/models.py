"""The data that flows between stages, and the one events schema. No I/O here."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "Article",
    "Place",
    "Mention",
    "Column",
    "EVENT_SCHEMA",
    "EVENT_COLUMNS",
    "EVENT_TYPES",
    "feature_spec",
]


@dataclass(frozen=True)
class Article:
    """One input article.

    ``id`` is stable for the same text (a content hash unless the input gives one);
    ``path`` is where it was read from, for messages.
    """

    id: str
    text: str
    title: str | None = None
    published: dt.date | None = None
    url: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class Place:
    """A gazetteer entry: one point on Earth with what we know of it.

    ``feature_class``/``feature_code`` follow GeoNames (``P``/``PPLC``, ``A``/``ADM1``,
    ``A``/``PCLI``, ``S``/``AIRP``, ``S``/``LMK`` for curated landmarks).
    ``radius_km`` is how far from the point the place reaches (0 for a point).
    """

    geonameid: int
    name: str
    lat: float
    lon: float
    feature_class: str
    feature_code: str
    country_code: str
    admin1_code: str = ""
    admin1_name: str = ""
    population: int = 0
    radius_km: float = 0.0
    source: str = "geonames"


@dataclass(frozen=True)
class Mention:
    """A toponym found in a text: character span, how it was found, and where it resolved.

    ``kind`` is ``"place"`` for literal places and ``"actor"`` for metonymic uses
    ("the Kremlin said"), ``"modifier"`` for demonyms and adjectives ("Russian").
    """

    start: int
    end: int
    text: str
    label: str
    place: Place | None = None
    score: float = 0.0
    kind: str = "place"
    alternatives: tuple[Place, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Column:
    """One column of the events table: its name, pandas dtype and meaning."""

    name: str
    dtype: str
    description: str


# ACLED's event types and sub-event types (ACLED Codebook 2023).
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": (
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}

STATUSES = ("reported", "unconfirmed", "claimed", "denied", "planned")

# The events table. The store, the CSV / GeoJSON exports and the map all read this;
# never write a second copy of it.
EVENT_SCHEMA: tuple[Column, ...] = (
    Column("event_id", "string", "Stable id: a hash of article id, type and place, the same on every run."),
    Column("article_id", "string", "Id of the article the first evidence comes from."),
    Column("source_title", "string", "Title of that article, if known."),
    Column("source_url", "string", "URL of that article, if known."),
    Column("event_date", "string", "ISO date (YYYY-MM-DD) the event happened; empty for planned events."),
    Column("time_precision", "Int64", "ACLED time precision: 1 day, 2 week, 3 month or less precise."),
    Column("date_source", "string", "Where the date came from: 'text', 'published', 'inferred-year'."),
    Column("event_type", "string", "ACLED event type."),
    Column("sub_event_type", "string", "ACLED sub-event type."),
    Column("actor1", "string", "The actor who acted, as the text names it."),
    Column("actor2", "string", "The actor acted upon, as the text names it."),
    Column("actor1_acled", "string", "actor1 as ACLED names actors ('Military Forces of Russia (2000-)', 'Protesters (Georgia)')."),
    Column("inter1", "Int64", "ACLED inter code of actor1: 1 state forces, 2 rebels, 3 political militia, 4 identity militia, "
           "5 rioters, 6 protesters, 7 civilians, 8 external/other forces."),
    Column("actor2_acled", "string", "actor2 as ACLED names actors ('Civilians (Ukraine)')."),
    Column("inter2", "Int64", "ACLED inter code of actor2."),
    Column("fatalities", "Int64", "Deaths stated in the text (the lower bound of a range); 0 if none is stated (ACLED's convention); empty for planned events."),
    Column("status", "string", "reported, unconfirmed, claimed, denied or planned."),
    Column("place_text", "string", "The place as the article writes it."),
    Column("place_name", "string", "The resolved place's name."),
    Column("geonameid", "Int64", "GeoNames id of the resolved place (negative for curated entries)."),
    Column("feature_code", "string", "GeoNames feature code of the resolved place."),
    Column("admin1", "string", "First-level region of the resolved place."),
    Column("country_code", "string", "ISO 3166-1 alpha-2 country of the resolved place."),
    Column("lat", "float64", "Latitude (WGS84) of the resolved place; empty when the event has no place."),
    Column("lon", "float64", "Longitude (WGS84) of the resolved place; empty when the event has no place."),
    Column("geo_precision", "Int64", "ACLED geo precision: 1 the town itself, 2 near it / a part of a region, 3 a region."),
    Column("radius_km", "float64", "How far from the point the event may be: the honest uncertainty."),
    Column("evidence", "string", "The sentence that reports the event (further sentences joined by ' | ')."),
    Column("trigger_start", "Int64", "Character offset of the event trigger word in the article text."),
    Column("trigger_end", "Int64", "End offset (exclusive) of the trigger."),
    Column("trigger_text", "string", "The trigger word."),
    Column("place_start", "Int64", "Character offset of the place in the article text."),
    Column("place_end", "Int64", "End offset (exclusive) of the place."),
    Column("n_sources", "Int64", "How many distinct articles report this event."),
    Column("n_mentions", "Int64", "How many sentences report this event."),
    Column("corrected", "string", "Empty, or 'corrected by analyst[: note]' where an analyst's correction placed the event."),
)

EVENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in EVENT_SCHEMA)


def feature_spec(parts: Iterable[str]) -> str:
    """A short hash naming a feature set (its names in order, or the code that makes them).

    A model file carries the spec of the features it was fitted to; loading it checks that
    the code still computes those, so a renamed or reordered feature is an error, never a
    silent zero.

    >>> feature_spec(["log_prior", "capital"]) == feature_spec(("log_prior", "capital"))
    True
    >>> feature_spec(["log_prior", "capital"]) == feature_spec(["capital", "log_prior"])
    False
    """
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]
