"""The suite's torch policy and fixtures; the helpers themselves live in tests/helpers.py."""

from __future__ import annotations

import os

import pytest
import torch
from streamlit.testing.v1 import AppTest

from tests.helpers import assert_no_exception, page_test

# The suite's tensors are small: one intra-op thread avoids OpenMP workers spinning against the
# browser tests' server and chromium on a 2-core CI machine (seen: 30x slower steps). An explicit
# OMP_NUM_THREADS wins, so `make test-repeat` can check that results do not depend on it.
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or 1))
# GRADLAB_DETERMINISTIC=1 (`make test-repeat`): torch must use deterministic kernels only.
if os.environ.get("GRADLAB_DETERMINISTIC") == "1":
    torch.use_deterministic_algorithms(True)


@pytest.fixture
def run_page():
    """Run a page and check it raised nothing: ``at = run_page("home")``."""

    def _run(page: str, query: dict[str, str] | None = None) -> AppTest:
        at = page_test(page, query).run()
        assert_no_exception(at)
        return at

    return _run
