"""Torch's CPU threads while a page trains: one per script thread (used by every page that trains)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run torch's CPU ops on this script thread alone while inside.

    The nets here are small (<= 256 wide): on a busy 2-core machine two OpenMP threads made a
    training step 30-50x slower (240 ms against 5 ms per step, measured), because the spinning
    workers fight the server's threads. The setting is per thread (an OpenMP ICV), so other
    sessions are not affected; it is restored afterwards.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
