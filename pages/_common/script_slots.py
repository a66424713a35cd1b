"""At most a few script runs compute at once; the others wait their turn off the interpreter.

Every session's script runs in a thread of its own, and all of them share one interpreter lock
with the server's event loop, which sends each finished run to its browser. When thirty students
change a setting at once, thirty threads take turns on the lock every few milliseconds, and the
event loop, waiting its turn for every message it sends, delivers nothing until nearly all of
them are done: measured with 30 protocol sessions (tests/load/protocol.py), every answer arrived
after the last run ended (5.5 s) though half the runs had ended before 2 s. With a few slots, the
runs go a few at a time, each finishes sooner, and its answer leaves at once.

A run holds its slot while it computes and draws, not while it waits for a worker's job
(:func:`set_aside`, used by pages/_common/follow.py): thirty sessions following one training
run do not keep each other out. ``GRADLAB_SCRIPT_SLOTS`` sets the number (default: the CPUs).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

ENV = "GRADLAB_SCRIPT_SLOTS"


def slot_count(environ: dict[str, str] | os._Environ = os.environ) -> int:
    given = environ.get(ENV, "").strip()
    return max(1, int(given)) if given else max(1, os.cpu_count() or 1)


class Slots:
    """``count`` slots shared by the threads of this process (a semaphore that knows, per thread,
    whether that thread holds one)."""

    def __init__(self, count: int) -> None:
        self._free = threading.Semaphore(count)
        self._held = threading.local()  # .slot: this thread holds one

    def holding(self) -> bool:
        """This thread holds a slot."""
        return getattr(self._held, "slot", False)

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Hold a slot for the block (a script run); a thread that holds one already keeps it."""
        if self.holding():
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
