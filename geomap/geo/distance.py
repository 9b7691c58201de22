"""Distances on the Earth, one way everywhere: great-circle kilometres on the mean Earth radius.

Single distances go through geopy's :class:`~geopy.distance.great_circle`; many at once
through the same formula in numpy (the resolver compares every candidate with every
other place of a document).

>>> round(km(50.45, 30.52, 49.99, 36.23))  # Kyiv to Kharkiv
409
>>> round(float(km_to_many(50.45, 30.52, [49.99, 50.45], [36.23, 30.52])[0]))
409
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from geopy.distance import great_circle

__all__ = ["EARTH_RADIUS_KM", "km", "place_km", "km_to_many", "haversine_km"]

EARTH_RADIUS_KM = 6371.0088
"""The mean Earth radius (IUGG), which geopy's great_circle uses too (to the metre)."""


class _Point(Protocol):
    @property
    def lat(self) -> float: ...

    @property
    def lon(self) -> float: ...


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two (lat, lon) points."""
    return float(great_circle((lat1, lon1), (lat2, lon2), radius=EARTH_RADIUS_KM).km)


def place_km(a: _Point, b: _Point) -> float:
    """Great-circle distance in km between two things with ``lat`` and ``lon`` (places, entries)."""
    return km(a.lat, a.lon, b.lat, b.lon)


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle distances in km between points given in radians, broadcast as numpy does
    (a column of points against a row gives their table)."""
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def km_to_many(lat: float, lon: float, lats: Sequence[float] | np.ndarray, lons: Sequence[float] | np.ndarray) -> np.ndarray:
    """Great-circle distances in km from one point to many (degrees in)."""
    return haversine_km(np.radians(lat), np.radians(lon), np.radians(np.asarray(lats, dtype=float)),
                        np.radians(np.asarray(lons, dtype=float)))
