"""The persistent event store, and the events table as CSV, GeoJSON and Parquet.

One job a module: :mod:`~geomap.store.db` (the SQLite schema and :class:`EventStore`),
:mod:`~geomap.store.codec` (dataclasses to JSON and back), :mod:`~geomap.store.diff`
(what changed between two events tables), :mod:`~geomap.store.exports` (the files) and
:mod:`~geomap.store.lock` (one run at a time).
"""

from __future__ import annotations

from geomap.errors import StoreBusyError, StoreDamagedError, StoreError
from geomap.store import db
from geomap.store.codec import from_json_dict, to_json
from geomap.store.db import *  # noqa: F403 (the store's own names: db.__all__)
from geomap.store.diff import EventChanges, compare_events
from geomap.store.exports import (
    EXPORT_FORMATS,
    events_to_geojson,
    write_csv,
    write_events,
    write_geojson,
    write_parquet,
)

__all__ = [
    *db.__all__,
    "EventChanges",
    "StoreError",
    "StoreBusyError",
    "StoreDamagedError",
    "compare_events",
    "write_csv",
    "write_geojson",
    "write_parquet",
    "write_events",
    "events_to_geojson",
    "EXPORT_FORMATS",
    "to_json",
    "from_json_dict",
]
