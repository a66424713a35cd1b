"""Torch's CPU thread policy, in one place.

Everything the app computes is small (2D paths, networks at most 256 wide): on a busy 2-core
machine two OpenMP threads made a training step 30-50x slower than one (240 ms against 5 ms,
measured), because the spinning workers fight the server's other threads (a browser test's
chromium, other sessions' scripts). So heavy work runs on one intra-op thread. The setting is
per thread (an OpenMP ICV): a session that narrows it leaves the others alone.

- :func:`set_threads` narrows it for a block of work and restores it afterwards (the pages,
  around each training or batched run; the benchmarks, around each benchmark).
- :func:`configure_process` sets it once for a whole process (the test suite): an explicit
  ``OMP_NUM_THREADS`` wins, so a run can check that results do not depend on it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping

import torch

#: Intra-op threads for the app's small tensors.
SMALL_WORK = 1


@contextlib.contextmanager
def set_threads(n: int = SMALL_WORK) -> Iterator[None]:
    """Run torch's CPU ops on ``n`` intra-op threads while inside; restore the count after."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def configure_process(environ: Mapping[str, str] = os.environ) -> int:
    """Set this process's thread count: ``OMP_NUM_THREADS`` when given, else one thread.
    Returns the count."""
    n = int(environ.get("OMP_NUM_THREADS") or SMALL_WORK)
    torch.set_num_threads(n)
    return n
