"""How the events table changed between two runs: new, merged, changed, unchanged and removed events."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geomap.models import EVENT_COLUMNS
from geomap.store.codec import plain_value


@dataclass
class EventChanges:
    """How the events table changed: event ids per kind of change."""

    new: list[str] = dataclasses.field(default_factory=list)
    merged: list[str] = dataclasses.field(default_factory=list)  # more mentions or sources than before
    changed: list[str] = dataclasses.field(default_factory=list)  # other values (or another id, same trigger)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    removed: list[str] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
        """ "2 new events, 1 merged into stored events, 5 unchanged" (zero counts left out but the first)."""
        parts = [f"{len(self.new)} new event{'s' if len(self.new) != 1 else ''}"]
        for ids, words in ((self.merged, "merged into stored events"), (self.changed, "changed"),
                           (self.unchanged, "unchanged"), (self.removed, "removed")):
            if ids:
                parts.append(f"{len(ids)} {words}")
        return ", ".join(parts)


def _records(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {
        r["event_id"]: {k: plain_value(v) for k, v in r.items()}
        for r in frame[list(EVENT_COLUMNS)].to_dict(orient="records")
    }


def compare_events(previous: pd.DataFrame, current: pd.DataFrame) -> EventChanges:
    """Tell new, merged (more mentions or sources), changed, unchanged and removed events apart, by event id."""
    before, after = _records(previous), _records(current)
    changes = EventChanges()
    for event_id, row in after.items():
        old = before.get(event_id)
        if old is None:
            changes.new.append(event_id)
        elif row == old:
            changes.unchanged.append(event_id)
        elif (row["n_mentions"] or 0) > (old["n_mentions"] or 0) or (row["n_sources"] or 0) > (old["n_sources"] or 0):
            changes.merged.append(event_id)
        else:
            changes.changed.append(event_id)
    changes.removed = [event_id for event_id in before if event_id not in after]
    # An event whose id changed with its place (a correction, a better gazetteer) is the
    # same incident: the same trigger in the same article.
    gone = {_incident(before[i]): i for i in changes.removed if None not in _incident(before[i])}
    for event_id in list(changes.new):
        old_id = gone.pop(_incident(after[event_id]), None) if None not in _incident(after[event_id]) else None
        if old_id is not None:
            changes.new.remove(event_id)
            changes.removed.remove(old_id)
            changes.changed.append(event_id)
    return changes


def _incident(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return (row["article_id"], row["trigger_start"], row["event_type"])
