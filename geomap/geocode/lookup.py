"""The one protocol every place lookup follows: the offline gazetteer
(:class:`geomap.gazetteer.Gazetteer`) and an online service behind
:class:`geomap.geocode.online.OnlineLookup` both offer it, and the resolver, the locator,
the geoparser and the corrections take either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from geomap.models import Place

__all__ = ["Lookup"]


class Lookup(Protocol):
    """Places by name (ranked, with their prior probability), by id, and whether a name is known."""

    def lookup(self, name: str, *, country_codes: Sequence[str] | None = None, limit: int | None = None) -> list[Place]:
        """The places called ``name``, best first (none: an empty list)."""
        ...

    def lookup_scored(
        self, name: str, *, country_codes: Sequence[str] | None = None, limit: int | None = None
    ) -> list[tuple[Place, float]]:
        """The same places, each with how likely a bare mention of the name means it (summing to 1)."""
        ...

    def has_alias(self, normalized: str) -> bool:
        """Whether some place is called ``normalized`` (a name as :func:`geomap.gazetteer.normalize_name` gives it)."""
        ...

    def get(self, geonameid: int) -> Place | None:
        """The place with this id, or None."""
        ...
