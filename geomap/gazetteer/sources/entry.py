"""A place being built, as every source reads it, and ids for places GeoNames lacks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(slots=True)
class Entry:
    """A place being built: the fields of :class:`geomap.models.Place` plus its raw names.

    ``alternates`` are names to filter (codes and common words are dropped);
    ``acronyms`` are kept but only match in their own case ("US", "UK");
    ``trusted`` names skip the common-word filter (curated ones).
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
    alternates: list[str] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)
    trusted: list[str] = field(default_factory=list)
    iso_code: str = ""


def stable_negative_id(namespace: str, key: str) -> int:
    """Return a stable negative id for a place GeoNames lacks (a landmark, an airport).

    The id depends only on ``namespace`` and ``key``, so it survives rebuilds and edits of
    other rows; it fits in 47 bits, so JSON and pandas' Int64 carry it exactly.

    >>> stable_negative_id("landmark", "kremlin|RU") == stable_negative_id("landmark", "kremlin|RU")
    True
    """
    digest = hashlib.blake2b(f"{namespace}:{key}".encode(), digest_size=8).digest()
    return -(int.from_bytes(digest, "big") % (2**47) + 1)
