"""Country borders for the map: Natural Earth outlines, sharp where the events are.

The embedded basemap has detail to zoom 5 only; past it the tiles blur, so the map
draws the borders itself: as lines (not polygons, so clipping draws no false edges),
detailed inside a box around the events, coarse for the rest of the world.
"""

from __future__ import annotations

import functools
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from geomap.geo.shapes import country_shapes
from geomap.render.resources import Bounds

__all__ = ["outline_geojson"]

MIN_TOLERANCE_DEG = 0.01  # about 1 km: the finest the map ever draws
WORLD_SIMPLIFY_DEG = 0.25  # the rest of the world, seen at zoom 1-4 where the tiles show borders anyway
WORLD_DIGITS = 2
WORLD_MIN_LENGTH_DEG = 1.0  # smaller islands are dots at zoom 1-4
DETAIL_DIGITS = 3
DETAIL_PAD_DEG = 4.0  # the view around the events reaches this far past them
MAX_DETAIL_SPAN_DEG = 60.0  # events spread wider than this get the coarse outlines only


@functools.cache
def _borders() -> tuple[BaseGeometry, ...]:
    """Every country's outline as lines at full detail, (lon, lat) as GeoJSON and shapely have it.

    From the shapes behind ``country_outlines_geojson``, without its GeoJSON round trip
    and its topology-preserving simplification of polygons (seconds); lines simplify fast.
    """
    return tuple(shapely.boundary(s.geometry) for _, s in sorted(country_shapes().items()))


def _lines(geometry: BaseGeometry, tolerance: float, digits: int, min_length: float = 0.0) -> list[Any]:
    """The coordinates of each line of a (multi)line geometry, simplified and rounded."""
    geometry = shapely.set_precision(geometry.simplify(tolerance, preserve_topology=False), 10.0**-digits)
    parts = getattr(geometry, "geoms", [geometry])
    return [mapping(p)["coordinates"] for p in parts if not p.is_empty and p.length >= min_length]


@functools.cache
def _world_lines() -> tuple[list[Any], ...]:
    """Each country's coarse outline, islands under WORLD_MIN_LENGTH_DEG left out."""
    return tuple(_lines(b, WORLD_SIMPLIFY_DEG, WORLD_DIGITS, WORLD_MIN_LENGTH_DEG) for b in _borders())


def outline_geojson(around: Bounds | None) -> dict[str, Any]:
    """Country borders as GeoJSON: a coarse world, and detail where the events are.

    Inside ``around`` padded by DETAIL_PAD_DEG the borders have about 1-5 km detail;
    elsewhere about 25 km. The whole world is coarse when ``around`` is None or wider
    than MAX_DETAIL_SPAN_DEG.

    Example:
        >>> data = outline_geojson(Bounds(50.0, 33.0, 52.0, 37.0))
        >>> [f["properties"]["detail"] for f in data["features"]]
        ['world', 'events']
    """
    world = list(_world_lines())
    near: list[Any] = []
    if around is not None:
        south, north = max(around.south - DETAIL_PAD_DEG, -90.0), min(around.north + DETAIL_PAD_DEG, 90.0)
        west, east = max(around.west - DETAIL_PAD_DEG, -180.0), min(around.east + DETAIL_PAD_DEG, 180.0)
        span = max(north - south, east - west)
        if span <= MAX_DETAIL_SPAN_DEG:
            box = shapely.box(west, south, east, north)  # (lon, lat)
            tolerance = max(MIN_TOLERANCE_DEG, span / 1500)
            for i, border in enumerate(_borders()):
                if border.intersects(box):
                    near.extend(_lines(border.intersection(box), tolerance, DETAIL_DIGITS))
                    world[i] = _lines(border.difference(box), WORLD_SIMPLIFY_DEG, WORLD_DIGITS, WORLD_MIN_LENGTH_DEG)
    features = [_feature("world", [line for lines in world for line in lines])]
    if near:
        features.append(_feature("events", near))
    return {"type": "FeatureCollection", "features": features}


def _feature(detail: str, lines: list[Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"detail": detail},
        "geometry": {"type": "MultiLineString", "coordinates": lines},
    }
