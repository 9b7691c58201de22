"""The geomap error tree: one root, subclasses mixing in the builtin they resemble."""

from __future__ import annotations

__all__ = [
    "GeomapError",
    "ArticleError",
    "GazetteerError",
    "GeocoderError",
    "RenderError",
    "StoreError",
    "StoreBusyError",
    "ModelError",
]


class GeomapError(Exception):
    """Root of every error geomap raises on purpose."""


class ArticleError(GeomapError, ValueError):
    """An input article could not be read; the message names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class GazetteerError(GeomapError, RuntimeError):
    """The offline gazetteer index is missing, corrupt or cannot be built."""


class GeocoderError(GeomapError, RuntimeError):
    """A geocoder failed in a way the caller must hear about."""


class RenderError(GeomapError, RuntimeError):
    """The map could not be written."""


class ModelError(GeomapError, ValueError):
    """A shipped model file does not fit the code that applies it (its features changed)."""


class StoreError(GeomapError, RuntimeError):
    """The event store cannot be opened, read or written."""


class StoreBusyError(StoreError, TimeoutError):
    """Another geomap run holds the store and did not let go in time."""
