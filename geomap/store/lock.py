"""One geomap run at a time per store: an exclusive OS lock on DIR/geomap.sqlite.lock."""

from __future__ import annotations

import sys
import time
import typing
from collections.abc import Callable
from pathlib import Path

from geomap.errors import StoreBusyError


class RunLock:
    """An exclusive OS lock on a file, for one geomap run at a time per store.

    The operating system drops it when the process ends, however it ends (a killed
    run never leaves a stale lock behind).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: typing.BinaryIO | None = None

    def acquire(self, wait: float, on_wait: Callable[[], None] | None = None, *, store: Path) -> None:
        fh = open(self.path, "a+b")  # noqa: SIM115 (held until release)
        deadline = time.monotonic() + max(wait, 0.0)
        told = False
        while True:
            try:
                _lock_file(fh)
            except OSError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    fh.close()
                    raise StoreBusyError(
                        f"the store {store} is in use by another geomap run"
                        f" (waited {wait:g} s for it; try again when it has finished, or give --wait more seconds)"
                    ) from None
                if not told and on_wait is not None:
                    on_wait()
                    told = True
                time.sleep(min(0.05, remaining))
            else:
                self._fh = fh
                return

    def release(self) -> None:
        if self._fh is not None:
            try:
                _unlock_file(self._fh)
            finally:
                self._fh.close()
                self._fh = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_file(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock_file(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_file(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
