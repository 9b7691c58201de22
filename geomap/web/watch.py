"""Keeping a map current: run an update now and then every interval until stopped.

:func:`watch` calls ``update`` one time after the other, never two at once (the next
starts when the last has finished, however long it took); the store's run lock keeps
two watchers on one folder from updating it together. Ctrl-C (or SIGTERM) stops it
between two article writes at worst: each article is stored in one transaction, so
nothing stored is lost.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["parse_interval", "watch"]

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_interval(value: str) -> float:
    """Seconds in an interval written ``30s``, ``15m``, ``2h`` or ``1d``.

    Raises :class:`ValueError` naming the value and what would be valid.

    >>> parse_interval("15m"), parse_interval("1.5h"), parse_interval("30s")
    (900.0, 5400.0, 30.0)
    """
    match = _INTERVAL.match(value)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"expected an interval such as 30s, 15m, 2h or 1d, got {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


def watch(
    update: Callable[[], object],
    *,
    every: float,
    runs: int | None = None,
    stop: threading.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Call ``update()`` now and then every ``every`` seconds (from the start of one to
    the start of the next; right away if one took longer) until ``stop`` is set,
    ``runs`` updates were made, or the process is interrupted. Returns the number of
    updates made. An exception from ``update`` ends the watch (the caller decides which
    failures to survive inside ``update``).

    Example:
        >>> calls = []
        >>> watch(lambda: calls.append(len(calls)), every=0.01, runs=3)
        3
    """
    stop = stop or threading.Event()
    done = 0
    while not stop.is_set():
        started = clock()
        update()
        done += 1
        if runs is not None and done >= runs:
            break
        stop.wait(max(0.0, started + every - clock()))
    return done


@contextmanager
def interrupt_on_signals() -> Iterator[None]:
    """Within the block, Ctrl-C (SIGINT) and SIGTERM interrupt (a ``KeyboardInterrupt``),
    so a service manager's stop is as clean as a user's.

    SIGINT is set explicitly too: a process started with SIGINT ignored (what a
    non-interactive shell does to a command run with ``&``, and what its children then
    inherit) gets no ``KeyboardInterrupt`` from Python, and a watch would never stop on it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):  # noqa: ARG001 (signal handler signature)
        raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
