"""Where geomap keeps what it makes once and reuses: the cache folder.

>>> cache_dir().name in ("geomap", os.environ.get("GEOMAP_CACHE_DIR", "geomap").rstrip("/").rsplit("/", 1)[-1])
True
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir"]


def cache_dir() -> Path:
    """Return the cache directory: ``$GEOMAP_CACHE_DIR`` or ``~/.cache/geomap``."""
    env = os.environ.get("GEOMAP_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "geomap"
