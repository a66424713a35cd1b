"""Test helpers: run a page headless with AppTest and read its figures. Import them from here,
not from conftest."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
# A script run that trains (a preset's two 300-step runs: 12 s of CPU) has taken over 60 s of
# wall time on a loaded 2-core machine; the limit is there to catch a hang, not to time a page.
APP_TIMEOUT = 180


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
