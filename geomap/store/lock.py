"""One geomap run at a time per store: an exclusive OS lock on DIR/geomap.sqlite.lock (filelock)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from filelock import FileLock, Timeout

from geomap.errors import StoreBusyError, StoreError

__all__ = ["RunLock"]


class RunLock:
    """An exclusive OS lock on a file, for one geomap run at a time per store.

    The operating system drops it when the process ends, however it ends (a killed
    run never leaves a stale lock behind): filelock's ``flock`` on POSIX, ``msvcrt`` on Windows.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = FileLock(path)

    def acquire(self, wait: float, on_wait: Callable[[], None] | None = None, *, store: Path) -> None:
        """Take the lock, waiting up to ``wait`` seconds; ``on_wait()`` once if there is waiting to do."""
        try:
            # filelock takes a lock file it cannot open for a lock held elsewhere and waits:
            # a lock path that is a folder, or in a folder that takes no files, is said at once.
            with open(self.path, "a"):
                pass
        except OSError as err:
            raise StoreError(f"cannot take the run lock {self.path}: {err.strerror or err}") from err
        try:
            self._lock.acquire(timeout=0)
            return
        except Timeout:
            pass
        except OSError as err:  # the lock path is a folder, the folder is not writable, ...
            raise StoreError(f"cannot take the run lock {self.path}: {err.strerror or err}") from err
        try:
            if wait <= 0:
                raise Timeout(str(self.path))
            if on_wait is not None:
                on_wait()
            self._lock.acquire(timeout=wait, poll_interval=0.05)
        except Timeout:
            raise StoreBusyError(
                f"the store {store} is in use by another geomap run"
                f" (waited {wait:g} s for it; try again when it has finished, or give --wait more seconds)"
            ) from None

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()
