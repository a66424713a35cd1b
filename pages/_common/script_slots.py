"""Optionally, at most a few script runs compute at once; the others wait off the interpreter.

Every session's script runs in a thread of its own, and all of them share one interpreter lock
with the server's event loop, which sends each finished run to its browser. When thirty sessions
change a setting at once, thirty threads take turns on the lock and the event loop, waiting its
turn for every message, delivers the answers together at the end. ``GRADLAB_SCRIPT_SLOTS=n`` lets
at most n runs compute at once (a run that follows a job sets its slot aside while it waits:
pages/_common/follow.py). Measured on a 2-core machine, 30 + 20 sessions (tests/load):

- the server alone (protocol clients): with 2 slots the thirty changes were answered in
  0.3-0.9 s, half by 0.5 s; without a limit all at 0.9-1.1 s; mixed longest wait max 8.0 s
  against 13.4 s;
- thirty chromium tabs on the server's own cores: with 2 slots the first runs took 13-16 s,
  without a limit 0.2-1.7 s: the few threads holding slots got a small share of cores that the
  browsers' many threads crowded, and every follower queued for a slot to draw its result.

So there is no limit by default; a server on a machine of its own (a class on its own laptops)
may set one, about the number of cores.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

ENV = "GRADLAB_SCRIPT_SLOTS"


def slot_count(environ: dict[str, str] | os._Environ = os.environ) -> int | None:
    """``GRADLAB_SCRIPT_SLOTS`` (at least 1), or None: no limit."""
    given = environ.get(ENV, "").strip()
    return max(1, int(given)) if given else None


class Slots:
    """``count`` slots shared by the threads of this process (a semaphore that knows, per thread,
    whether that thread holds one); ``None``: no limit, every turn is free at once."""

    def __init__(self, count: int | None) -> None:
        self._free = threading.Semaphore(count) if count is not None else None
        self._held = threading.local()  # .slot: this thread holds one

    def holding(self) -> bool:
        """This thread holds a slot."""
        return getattr(self._held, "slot", False)

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Hold a slot for the block (a script run); a thread that holds one already keeps it."""
        if self._free is None or self.holding():
            yield
            return
        self._free.acquire()
        self._held.slot = True
        try:
            yield
        finally:
            self._held.slot = False
            self._free.release()

    @contextlib.contextmanager
    def set_aside(self) -> Iterator[None]:
        """Give this thread's slot to another run for the block (a wait), then take one again."""
        if not self.holding():
            yield
            return
        self._held.slot = False
        self._free.release()
        try:
            yield
        finally:
            self._free.acquire()
            self._held.slot = True


SLOTS = Slots(slot_count())  # the process's: every session's script runs share them
turn = SLOTS.turn
set_aside = SLOTS.set_aside
