"""The offline gazetteer: an SQLite index of GeoNames places, regions, countries, airports and curated landmarks.

>>> from geomap.gazetteer import open_gazetteer
>>> open_gazetteer().lookup("Kharkov")[0].name
'Kharkiv'
"""

from __future__ import annotations

from geomap.gazetteer.build import (
    SCHEMA_VERSION,
    BuildReport,
    Progress,
    build_index,
    cache_dir,
    check_index,
    default_index_path,
)
from geomap.gazetteer.index import REGION_WORDS, Gazetteer, open_gazetteer
from geomap.gazetteer.normalize import normalize_name

__all__ = [
    "Gazetteer",
    "open_gazetteer",
    "normalize_name",
    "build_index",
    "check_index",
    "cache_dir",
    "default_index_path",
    "BuildReport",
    "Progress",
    "REGION_WORDS",
    "SCHEMA_VERSION",
]
