"""How the server process keeps freed tensor memory from staying resident (glibc's C heap).

Torch allocates CPU tensors with ``malloc``. Two glibc behaviours kept a heavy run's memory
resident (bench/memory.py, the gradient-flow page at 50 layers x 256 units on 2000 samples):

- **The dynamic mmap threshold.** A block above the threshold is mapped on its own and goes
  back to the system when freed; but each time such a block is freed, glibc raises the
  threshold to its size (up to 32 MB), so from the second training step on the activations
  come from the heap, where freed blocks of other sizes fragment it and the heap grows step
  after step: a peak of 1051 MiB for one network where its first step needed 632. Fixing the
  threshold (:func:`bound_heap`) gave 682 MiB after three steps, measured on this page.
  Blocks under :data:`MMAP_THRESHOLD` (every tensor of the default sizes) stay in the heap:
  mapping a block costs a page fault per 4 kB, which small tensors would feel.
- **Freed blocks stay in the heap of the thread that freed them.** :func:`release_memory`
  returns them (``malloc_trim``) after each script run and around each job.

Elsewhere (macOS, musl) both are no-ops.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from typing import Any

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number (malloc.h)
MMAP_THRESHOLD = 2**20  # bytes: tensors from 1 MiB up are mapped alone and unmapped when freed
LONG_RUN_S = 2.0  # CPU seconds: a script run that computed this long made big garbage


def _libc() -> Any | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


_LIBC = _libc()
_TRIM = _LIBC.malloc_trim if _LIBC is not None else None


def bound_heap() -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD` for this process (it also turns
    the dynamic adjustment off). True where it took effect."""
    return _LIBC is not None and _LIBC.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1


def release_memory(collect: bool = False) -> None:
    """Give the memory that freed tensors left in the C heaps back to the system; with
    ``collect``, first free what only reference cycles still hold (``gc.collect``).

    A page's script leaves its module namespace (its figures, its messages, what it computed)
    in a cycle with the functions it defines, so it waits for Python's next full collection:
    after a training run in the script thread that was 330 MB (the sequences page at its
    largest run, bench/memory.py). A full collection takes about 0.17 s with the app loaded, so
    it runs only after long work: a job or a script run that computed for :data:`LONG_RUN_S` or
    more (its thread's CPU time: under a class's load a light run can wait for seconds).

    glibc keeps freed blocks in the heap of the thread that freed them (one heap per thread),
    so a heavy run's temporaries stay resident after it ends: measured at the gradient-flow
    page's maxima, 0.4 GB per run and thread, 1.4 GB after one comparison. ``malloc_trim(0)``
    returns every heap's free pages; it takes milliseconds, after each script run and before
    and after each job.
    """
    if collect:
        gc.collect()
    if _TRIM is not None:
        _TRIM(0)
