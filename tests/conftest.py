"""Shared test helpers: run a page headless with AppTest and read its figures."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
# A script run that trains (a preset's two 300-step runs: 12 s of CPU) has taken over 60 s of
# wall time on a loaded 2-core machine; the limit is there to catch a hang, not to time a page.
APP_TIMEOUT = 180

# The suite's tensors are small: one intra-op thread avoids OpenMP workers spinning against the
# browser tests' server and chromium on a 2-core CI machine (seen: 30x slower steps). An explicit
# OMP_NUM_THREADS wins, so `make test-repeat` can check that results do not depend on it.
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or 1))
# GRADLAB_DETERMINISTIC=1 (`make test-repeat`): torch must use deterministic kernels only.
if os.environ.get("GRADLAB_DETERMINISTIC") == "1":
    torch.use_deterministic_algorithms(True)


def page_test(page: str, query: dict[str, str] | None = None) -> AppTest:
    """An AppTest of ``app.py`` switched to ``pages/<page>.py``, not yet run."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    for key, val in (query or {}).items():
        at.query_params[key] = val
    at.switch_page(f"pages/{page}.py")
    return at


def figures(at: AppTest) -> list[dict]:
    """The Plotly figure JSON of every chart on the page, in page order."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def figure_array(value) -> np.ndarray:
    """A figure array as float64: plotly's typed-array spec ({dtype, bdata, shape}) or a list."""
    if isinstance(value, dict) and "bdata" in value:
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            data = data.reshape([int(s) for s in str(value["shape"]).split(",")])
        return data.astype(np.float64)
    return np.asarray(value, dtype=np.float64)


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def run_page():
    """Run a page and check it raised nothing: ``at = run_page("home")``."""

    def _run(page: str, query: dict[str, str] | None = None) -> AppTest:
        at = page_test(page, query).run()
        assert_no_exception(at)
        return at

    return _run
