"""engine.core.threads: torch's thread policy, set for a block or for a process."""

from __future__ import annotations

import torch

from engine.core.threads import SMALL_WORK, configure_process, set_threads


def test_set_threads_narrows_and_restores_even_after_an_error():
    before = torch.get_num_threads()
    with set_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    try:
        with set_threads(1):
            raise RuntimeError("a failing run")
    except RuntimeError:
        pass
    assert torch.get_num_threads() == before


def test_configure_process_takes_omp_num_threads_or_one():
    before = torch.get_num_threads()
    try:
        assert configure_process({}) == SMALL_WORK == torch.get_num_threads()
        assert configure_process({"OMP_NUM_THREADS": "2"}) == 2 == torch.get_num_threads()
    finally:
        torch.set_num_threads(before)
