"""Readers of the packaged data the gazetteer index is built from: one module per source.

Each reader returns :class:`Entry` records: a place with its raw names. The build step
(:mod:`geomap.gazetteer.build`) turns names into alias keys, ranks them and writes the
index. Sources and licences are listed in ``data/README.md``.

GeoNames' cities, regions and countries are the core: the build places and ranks them
together (a region's point from its cities, a country's capital, a region named after its
seat). Every other source is a :class:`PointSource` in :func:`point_sources`: its places
and a rank for their names. Adding one is a module here and a line in that registry.

>>> [s.name for s in point_sources()]
['continents', 'airports', 'landmarks', 'katottg']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from geomap.gazetteer.sources.airports import read_airports
from geomap.gazetteer.sources.area_points import area_points_path, read_area_points
from geomap.gazetteer.sources.cities import read_cities
from geomap.gazetteer.sources.continents import CONTINENT_RADIUS_KM, read_continents
from geomap.gazetteer.sources.countries import (
    COUNTRY_COMMON_NAMES,
    read_countries,
    read_country_points,
)
from geomap.gazetteer.sources.entry import Entry, stable_negative_id
from geomap.gazetteer.sources.katottg import read_katottg
from geomap.gazetteer.sources.landmarks import (
    LANDMARK_COLUMNS,
    LANDMARK_FEATURE_CLASSES,
    landmarks_path,
    read_landmarks,
)
from geomap.gazetteer.sources.regions import read_admin1, read_admin2
from geomap.gazetteer.sources.words import SPACY_MODEL, read_common_words

__all__ = [
    "Entry",
    "PointSource",
    "point_sources",
    "COUNTRY_COMMON_NAMES",
    "CONTINENT_RADIUS_KM",
    "LANDMARK_COLUMNS",
    "LANDMARK_FEATURE_CLASSES",
    "landmarks_path",
    "stable_negative_id",
    "read_cities",
    "read_countries",
    "read_country_points",
    "read_continents",
    "read_admin1",
    "read_admin2",
    "read_airports",
    "read_landmarks",
    "read_katottg",
    "read_common_words",
    "read_area_points",
    "area_points_path",
    "SPACY_MODEL",
]

# Ranks of a name by the kind of place it names (the build adds to them within a kind,
# see geomap.gazetteer.build): a curated landmark's name wins over a continent's, a
# continent's over a country's, ..., a town's over an airport's.
RANK_CURATED = 1000.0
RANK_CONTINENT = 950.0
RANK_AIRPORT = 50.0
# Below every cities500 place of the name (100 + log10 of a population of 500 or more): a
# village the codifier adds, placed at its hromada's centre.
RANK_VILLAGE = 99.0
BOOST_MAIN_NAME = 1.0


@dataclass(frozen=True)
class PointSource:
    """A source of places that stand alone: read them, rank their names, done.

    ``rank`` is the rank of each of its names, plus ``main_boost`` for the place's main
    name. ``region_by`` "code": the source gives its places' first-level region by code and the build
    adds its name; "name": by name, and the build finds its code.
    """

    name: str
    read: Callable[[], list[Entry]]
    rank: float
    main_boost: float
    region_by: Literal["code", "name"] | None = None


def point_sources(landmarks: Path | None = None, cities: list[Entry] | None = None) -> tuple[PointSource, ...]:
    """The registry: every point source, in the order the index holds them.

    ``cities``: GeoNames cities500 as the build has read it, for the sources that match
    against it (katottg reads it again if not given: 6 s of the first build).
    """
    return (
        PointSource("continents", read_continents, RANK_CONTINENT, 0.01),
        PointSource("airports", read_airports, RANK_AIRPORT, BOOST_MAIN_NAME, region_by="name"),
        PointSource("landmarks", lambda: read_landmarks(landmarks), RANK_CURATED, 0.01, region_by="code"),
        PointSource("katottg", lambda: read_katottg(cities), RANK_VILLAGE, 0.01, region_by="code"),
    )
