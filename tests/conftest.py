"""The suite's torch policy and fixtures; the helpers themselves live in tests/helpers.py."""

from __future__ import annotations

import json
import os

import pytest
import torch
from hypothesis import settings
from streamlit.testing.v1 import AppTest

from engine.core.threads import configure_process
from tests.helpers import assert_no_exception, page_test

# The suite's tensors are small: one intra-op thread, unless OMP_NUM_THREADS says otherwise, so
# `make test-repeat` can check that results do not depend on it (see engine.core.threads).
configure_process()
# GRADLAB_DETERMINISTIC=1 (`make test-repeat`): torch must use deterministic kernels only.
if os.environ.get("GRADLAB_DETERMINISTIC") == "1":
    torch.use_deterministic_algorithms(True)

# Property tests (hypothesis) draw the same examples on every machine and in every run, so a red
# run can be replayed, and they write no example database into the checkout. The "explore"
# profile draws fresh, many more examples: HYPOTHESIS_PROFILE=explore make test-fast.
settings.register_profile("suite", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", max_examples=2000, database=None, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


@pytest.fixture
def run_page():
    """Run a page and check it raised nothing: ``at = run_page("home")``."""

    def _run(page: str, query: dict[str, str] | None = None) -> AppTest:
        at = page_test(page, query).run()
        assert_no_exception(at)
        return at

    return _run


@pytest.fixture(autouse=True, scope="session")
def kept_parts_seen():
    """Every part the kept charts split off (pages/_common/kept_parts.py) goes into
    ``tests.helpers.PARTS`` as it is made, so that ``figures`` can put back one that a run
    before the one a test reads sent. Bounded: the oldest go beyond a few hundred."""
    from pages._common import kept_parts
    from tests import helpers

    encode = kept_parts.encode

    def recording(fig: dict) -> tuple[bytes, dict[str, bytes]]:
        out, parts = encode(fig)
        for name, text in parts.items():
            helpers.PARTS.pop(name, None)
            helpers.PARTS[name] = json.loads(text)
        while len(helpers.PARTS) > 400:
            del helpers.PARTS[next(iter(helpers.PARTS))]
        return out, parts

    kept_parts.encode = recording
    yield
    kept_parts.encode = encode
