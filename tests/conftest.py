"""The suite's torch policy and fixtures; the helpers themselves live in tests/helpers.py."""

from __future__ import annotations

import os

import pytest
import torch
from streamlit.testing.v1 import AppTest

from engine.core.threads import configure_process
from tests.helpers import assert_no_exception, page_test

# The suite's tensors are small: one intra-op thread, unless OMP_NUM_THREADS says otherwise, so
# `make test-repeat` can check that results do not depend on it (see engine.core.threads).
configure_process()
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
