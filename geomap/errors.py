"""The geomap error tree: one root, subclasses mixing in the builtin they resemble."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "GeomapError",
    "ArticleError",
    "ArticleNote",
    "GazetteerError",
    "GeocoderError",
    "RenderError",
    "StoreError",
    "StoreBusyError",
    "ModelError",
    "StoreDamagedError",
]


class GeomapError(Exception):
    """Root of every error geomap raises on purpose."""


class ArticleError(GeomapError, ValueError):
    """An input article could not be read; the message names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class ArticleNote(ArticleError):
    """An article was read, but with a caveat the user should hear (a date that was
    ignored, say); readers yield it beside the article. Being an :class:`ArticleError`,
    code that knows no notes treats it as a failure, never silently."""


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


class StoreDamagedError(StoreError):
    """The store file is damaged: empty, not SQLite, failing SQLite's integrity check or unreadable."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"the event store {path} is damaged ({reason}); nothing was changed. "
            f"`geomap run PATH... --out {path.parent} --new-store` keeps it aside as {path.name}.damaged-<time> and "
            "starts a new store from the articles given (the output files are then rewritten from it), "
            "or put back a copy of the store from a backup"
        )
