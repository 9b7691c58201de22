"""From event mentions to the events table: one incident, one row.

Sentences and articles that report the same incident (same kind of event, dates
within a day, places within 25 km or one inside the other's region) merge into one
event that keeps every evidence sentence and counts its sources.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from geomap.extract.actors import AcledActor, acled_actor
from geomap.extract.events import EventMention
from geomap.geo.distance import place_km
from geomap.models import EVENT_SCHEMA, Article, Place

__all__ = ["build_events", "empty_events", "with_datetimes", "same_place", "event_records", "MERGE_KM"]

MERGE_KM = 25.0
# How far from its stand-in an event place the gazetteer does not know may be
# ("in the Mieh Mieh camp" placed at Saida, the town the sentence also names).
APPROXIMATE_KM = 15.0
REGION_CODES = frozenset({"ADM1", "ADM2", "ADM3", "ADM1H", "ADM2H"})
COUNTRY_PREFIX = "PCL"
_STATUS_ORDER = ("reported", "claimed", "unconfirmed", "denied", "planned")


def with_datetimes(events: pd.DataFrame) -> pd.DataFrame:
    """The events table for analysis: ``event_date`` as datetime64 (NaT where there is none),
    the other columns as the schema has them.

    >>> pd.api.types.is_datetime64_dtype(with_datetimes(empty_events())["event_date"])
    True
    """
    return events.assign(event_date=pd.to_datetime(events["event_date"], format="%Y-%m-%d", errors="coerce"))


def empty_events() -> pd.DataFrame:
    """An events table with no rows and the schema's columns and dtypes."""
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in EVENT_SCHEMA})


def _is_region(p: Place) -> bool:
    return p.feature_code in REGION_CODES or p.feature_code.startswith(COUNTRY_PREFIX)


def _inside(point: Place, region: Place) -> bool:
    if region.feature_code.startswith(COUNTRY_PREFIX):
        return point.country_code == region.country_code
    return (
        point.country_code == region.country_code
        and bool(region.admin1_code)
        and point.admin1_code == region.admin1_code
    )


def same_place(a: Place, b: Place) -> bool:
    """Whether two places can be where one incident happened.

    The same place, within 25 km of each other, or one inside the other's region.
    """
    if a.geonameid == b.geonameid:
        return True
    if _is_region(a) != _is_region(b):
        region, point = (a, b) if _is_region(a) else (b, a)
        return _inside(point, region)
    if _is_region(a):
        return False
    return place_km(a, b) <= MERGE_KM


def _specificity(m: EventMention) -> tuple[int, float]:
    """Lower is more specific: a town beats "near a town" beats a region beats nothing."""
    if m.place is None or m.place.place is None:
        return (9, 0.0)
    p = m.place.place
    if p.feature_code.startswith(COUNTRY_PREFIX):
        return (4, p.radius_km)
    if p.feature_code in REGION_CODES:
        return (3, p.radius_km)
    # A village the gazetteer puts at its hromada's centre (katottg) is "near" that point.
    return (2 if m.near or m.approximate or p.source == "katottg" else 1, p.radius_km)


class _Cluster:
    """Event mentions that report one incident."""

    def __init__(self, first: EventMention) -> None:
        self.members = [first]

    @property
    def best(self) -> EventMention:
        return min(self.members, key=lambda m: (_specificity(m), m.article_id, m.sentence_index))

    @property
    def place(self) -> Place | None:
        best = self.best
        return best.place.place if best.place else None

    @property
    def violent(self) -> bool:
        return any(m.violent for m in self.members)

    @property
    def event_type(self) -> str:
        return max(self.members, key=lambda m: (m.strength, -m.sentence_index)).event_type

    @property
    def planned(self) -> bool:
        return all(m.status == "planned" for m in self.members)

    @property
    def dates(self) -> list:
        return [m.date for m in self.members if m.date is not None]

    def compatible(self, other: _Cluster, *, same_article: bool) -> bool:
        if self.planned != other.planned:
            return False
        if same_article:
            if self.violent != other.violent or (not self.violent and self.event_type != other.event_type):
                return False
        elif self.event_type != other.event_type:
            return False
        mine, theirs = self.dates, other.dates
        if mine and theirs and min(abs((a - b).days) for a in mine for b in theirs) > 1:
            return False
        a, b = self.place, other.place
        if a is None or b is None:
            return False
        return same_place(a, b)

    def absorb(self, other: _Cluster) -> None:
        self.members.extend(other.members)


def _gid(cluster: _Cluster) -> int:
    assert cluster.place is not None  # only placed clusters are compared by place
    return cluster.place.geonameid


def _merge(clusters: list[_Cluster], *, same_article: bool) -> list[_Cluster]:
    """Merge compatible clusters; a region-level one joins a town only when exactly one
    town of that region fits, so "in the Kursk region" never glues two villages together."""
    points = [c for c in clusters if c.place is not None and not _is_region(c.place)]
    regions = [c for c in clusters if c.place is not None and _is_region(c.place)]
    rest = [c for c in clusters if c.place is None]
    merged: list[list[_Cluster]] = []
    for group in (points, regions):
        kept: list[_Cluster] = []
        for c in group:
            target = next((k for k in kept if k.compatible(c, same_article=same_article)
                           and (_gid(k) == _gid(c) or group is points)), None)
            if target:
                target.absorb(c)
            else:
                kept.append(c)
        merged.append(kept)
    points, regions = merged
    for region in regions:
        fits = [p for p in points if p.compatible(region, same_article=same_article)]
        if len({_gid(p) for p in fits}) == 1:
            fits[0].absorb(region)
        else:
            points.append(region)
    return points + rest


def _joins(mention: EventMention, cluster: _Cluster) -> bool:
    """Whether an unplaced mention can be of ``cluster``'s incident: violence with
    violence, anything else with its own type (a protest with a protest)."""
    if mention.violent or cluster.violent:
        return mention.violent and cluster.violent
    return mention.event_type == cluster.event_type


def _attach_unplaced(ordered: Sequence[EventMention]) -> list[_Cluster]:
    """An unplaced sentence ("Captain X was also killed with him", "The protesters
    then marched on") belongs to the placed incident of its kind next to it in the
    same paragraph."""
    clusters = [_Cluster(m) for m in ordered]
    placed = [c for c in clusters if c.place is not None]
    out: list[_Cluster] = []
    for c in clusters:
        m = c.members[0]
        if c.place is not None or m.status == "planned":
            out.append(c)
            continue
        # A sentence that names no place at all ("Three civilians were killed") also
        # belongs to the incident before it whose place is not on the map.
        named = [p for p in out if p.place is None] if m.place is None else []
        near = [
            p for p in [*placed, *named]
            if _joins(m, p) and p.members[0].paragraph == m.paragraph
            and -1 <= m.sentence_index - p.members[0].sentence_index <= 2
            and p.members[0].status != "planned"
        ]
        if near:
            target = min(near, key=lambda p: (abs(m.sentence_index - p.members[0].sentence_index), -p.members[0].sentence_index))
            target.absorb(c)
        else:
            out.append(c)
    return out


def _radius(m: EventMention) -> float | None:
    if m.place is None or m.place.place is None:
        return None
    p = m.place.place
    radius = p.radius_km
    if not radius and p.feature_class == "P":
        radius = 1.0 + 0.01 * math.sqrt(max(p.population, 0))  # a town's own extent, roughly
    if m.near:
        radius = max(radius, 0.0) + 10.0
    if m.approximate:  # somewhere the gazetteer does not know, in the area of this place
        radius = max(radius, 0.0) + APPROXIMATE_KM
    return round(radius, 1)


def _geo_precision(m: EventMention) -> int | None:
    spec = _specificity(m)[0]
    return {1: 1, 2: 2, 3: 3, 4: 3}.get(spec)


def _event_id(m: EventMention, event_type: str) -> str:
    # Spans of the text, not where the place resolved: an analyst's correction of the place
    # (or a better gazetteer) moves the event without giving it a new id.
    key = f"{m.article_id}|{event_type}|{m.place.start if m.place else ''}|{m.trigger_start}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _acled_actors(
    cluster: _Cluster, typed: EventMention, members: Sequence[EventMention], place: Place | None
) -> tuple[AcledActor | None, AcledActor | None]:
    """ACLED's names of the event's two actors: from the first mention whose words name
    each (else the event type's default, "Protesters (Georgia)"), in the event's country."""
    ordered = [typed, *members]
    country = place.country_code if place is not None and place.country_code else next(
        (m.doc_country for m in ordered if m.doc_country), None)
    out = []
    for role in ("actor1", "actor2"):
        named = next((m for m in ordered if getattr(m, role)), None)
        text = getattr(named, role) if named else None
        actor_country = getattr(named, f"{role}_country") if named else None
        out.append(acled_actor(text, event_type=typed.event_type, role=role, event_country=country, actor_country=actor_country))
    return out[0], out[1]


def _row(cluster: _Cluster, articles: Mapping[str, Article], order: Mapping[str, int]) -> dict:
    members = sorted(cluster.members, key=lambda m: (order.get(m.article_id, len(order)), m.article_id, m.sentence_index))
    best = cluster.best
    # The id comes from the first article that reported the incident, so that later
    # articles merging into it leave it unchanged.
    first = min(members, key=lambda m: (order.get(m.article_id, len(order)), m.article_id, _specificity(m), m.sentence_index))
    typed = max(members, key=lambda m: (m.strength, -m.sentence_index))
    dated = sorted((m for m in members if m.date is not None), key=lambda m: (m.time_precision or 9, m.date))
    statuses = [m.status for m in members]
    status = next(s for s in _STATUS_ORDER if s in statuses)
    if status == "reported" and "unconfirmed" in statuses and statuses.count("reported") < statuses.count("unconfirmed"):
        status = "unconfirmed"
    counts = [m.fatalities for m in members if m.fatalities is not None]
    article = articles.get(best.article_id)
    place = best.place.place if best.place else None
    sentences: list[str] = []
    for m in [best, *members]:
        if m.sentence not in sentences:
            sentences.append(m.sentence)
    actor1 = next((m.actor1 for m in [typed, *members] if m.actor1), None)
    actor2 = next((m.actor2 for m in [typed, *members] if m.actor2), None)
    acled1, acled2 = _acled_actors(cluster, typed, members, place)
    date = dated[0] if dated and status != "planned" else None
    return {
        "event_id": _event_id(first, typed.event_type),
        "article_id": best.article_id,
        "source_title": article.title if article else None,
        "source_url": article.url if article else None,
        "event_date": date.date.isoformat() if date and date.date else None,
        "time_precision": date.time_precision if date else None,
        "date_source": date.date_source if date else None,
        "event_type": typed.event_type,
        "sub_event_type": typed.sub_event_type,
        "actor1": actor1,
        "actor2": actor2,
        "actor1_acled": acled1.name if acled1 else None,
        "inter1": acled1.inter if acled1 else None,
        "actor2_acled": acled2.name if acled2 else None,
        "inter2": acled2.inter if acled2 else None,
        # ACLED's convention: an incident that states no deaths has 0; a planned one has not happened.
        "fatalities": max(counts) if counts else (None if status == "planned" else 0),
        "status": status,
        "place_text": best.place.text if best.place else None,
        "place_name": place.name if place else None,
        "geonameid": place.geonameid if place else None,
        "feature_code": place.feature_code if place else None,
        "admin1": place.admin1_name or None if place else None,
        "country_code": place.country_code if place else None,
        "lat": round(place.lat, 5) if place else None,
        "lon": round(place.lon, 5) if place else None,
        "geo_precision": _geo_precision(best),
        "radius_km": _radius(best),
        "evidence": " | ".join(sentences),
        "trigger_start": best.trigger_start,
        "trigger_end": best.trigger_end,
        "trigger_text": best.trigger_text,
        "place_start": best.place.start if best.place else None,
        "place_end": best.place.end if best.place else None,
        "n_sources": len({m.article_id for m in members}),
        "n_mentions": len(members),
        "corrected": best.corrected,
    }


def build_events(
    mentions: Iterable[EventMention],
    articles: Mapping[str, Article],
    *,
    article_order: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Merge event mentions into the events table (columns: ``EVENT_SCHEMA``).

    Unplaced incidents (violence, protests, riots, arrests...) stay in the table without
    coordinates: the table is the record, the map shows what has a place. Unplaced
    planned talks are dropped, being no incident and nowhere.
    ``article_order`` (article id -> rank, e.g. the order a store first saw them)
    decides which article's mention gives a merged event its stable id; by default
    the article ids' sort order.
    """
    by_article: dict[str, list[EventMention]] = {}
    for m in mentions:
        if m.repeats is not None:
            continue  # the incident again at another verb of its sentence: counted once
        by_article.setdefault(m.article_id, []).append(m)
    clusters: list[_Cluster] = []
    for article_id in sorted(by_article):
        ordered = sorted(by_article[article_id], key=lambda m: (m.sentence_index, m.trigger_start))
        clusters.extend(_merge(_attach_unplaced(ordered), same_article=True))
    clusters = _merge(clusters, same_article=False)
    clusters = [c for c in clusters if c.place is not None or not c.planned]
    rows = [_row(c, articles, article_order or {}) for c in clusters]
    if not rows:
        return empty_events()
    frame = pd.DataFrame(rows, columns=[c.name for c in EVENT_SCHEMA])
    frame = frame.astype({c.name: c.dtype for c in EVENT_SCHEMA})
    frame = frame.sort_values(
        ["event_date", "article_id", "trigger_start", "event_id"], na_position="last", kind="mergesort"
    )
    return frame.reset_index(drop=True)


def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def event_records(events: pd.DataFrame) -> list[dict]:
    """The events as JSON-ready dicts: every schema column, plus ``trigger`` and
    ``location`` as ``{"start", "end", "text"}`` spans into the article text
    (``location`` None when the text names no place)."""
    records = []
    for row in events.to_dict(orient="records"):
        record = {k: _plain(v) for k, v in row.items()}
        record["trigger"] = {"start": record["trigger_start"], "end": record["trigger_end"], "text": record["trigger_text"]}
        record["location"] = (
            {"start": record["place_start"], "end": record["place_end"], "text": record["place_text"]}
            if record["place_start"] is not None
            else None
        )
        records.append(record)
    return records
