"""Where geomap keeps what it makes once and reuses (the cache folder), and writing a file
whole or not at all (a temporary file beside it, then a rename).

>>> cache_dir().name in ("geomap", os.environ.get("GEOMAP_CACHE_DIR", "geomap").rstrip("/").rsplit("/", 1)[-1])
True
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["cache_dir", "atomic_write", "atomic_write_text"]


def cache_dir() -> Path:
    """Return the cache directory: ``$GEOMAP_CACHE_DIR`` or ``~/.cache/geomap``."""
    env = os.environ.get("GEOMAP_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "geomap"


def atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``: a crash
    never leaves half a file, and a reader sees the old file or the new one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as err:
        raise OSError(err.errno, f"cannot write {path}: {err.strerror or err}") from err
    os.close(fd)
    try:
        # mkstemp makes the file private (0600); the output gets the usual permissions.
        os.chmod(tmp, 0o666 & ~_umask())
        write(Path(tmp))
        os.replace(tmp, path)
    except OSError as err:  # the path is a folder, the disk is full, ...: say which file
        Path(tmp).unlink(missing_ok=True)
        raise OSError(err.errno, f"cannot write {path}: {err.strerror or err}") from err
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """Write UTF-8 ``text`` (newlines as given) to ``path`` through :func:`atomic_write`, synced to disk."""

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    return atomic_write(Path(path), write)


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
