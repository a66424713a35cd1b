"""Test helpers: run a page headless with AppTest and read its figures. Import them from here,
not from conftest."""

from __future__ import annotations

import base64
import copy
import json
import math
from pathlib import Path
from typing import Any

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
    """The Plotly figure JSON of every chart on the page, in page order: ``st.plotly_chart``'s
    and the kept charts' (pages/_common/kept_chart.py, a custom component)."""
    out = []
    for element in at._tree:
        if element.type == "plotly_chart":
            out.append(json.loads(element.proto.spec))
        elif element.type == "component_instance" and element.proto.component_name.endswith(
            ".kept_chart"
        ):
            # The figure travels as a bytes argument (its JSON, UTF-8), its large traces as
            # parts: sent along the first time, named after that (pages/_common/kept_parts.py).
            args = {a.key: a.bytes for a in element.proto.special_args}
            PARTS.update(json.loads(args.get("parts") or b"{}"))
            fig = json.loads(args["spec"])
            fig["data"] = [_part(t) for t in fig.get("data") or []]
            out.append(fig)
    return out


#: Every part the kept charts split off in this test process, by name (content-addressed, so
#: one store serves every session); filled by the ``kept_parts_seen`` fixture (tests/conftest.py)
#: too, for parts sent in a run before the one a test reads.
PARTS: dict[str, Any] = {}


def _part(trace: dict) -> dict:
    name = trace.get("$part") if isinstance(trace, dict) else None
    return copy.deepcopy(PARTS[name]) if name else trace


def figure_array(value) -> np.ndarray:
    """A figure array as float64: plotly's typed-array spec ({dtype, bdata, shape}) or a list."""
    if isinstance(value, dict) and "bdata" in value:
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            data = data.reshape([int(s) for s in str(value["shape"]).split(",")])
        return data.astype(np.float64)
    return np.asarray(value, dtype=np.float64)


def curve_pieces(fig: dict, order: int) -> dict[str, list[dict]]:
    """Activation name -> the traces of its order-k curve in an Activation explorer curves figure
    (0: f, 1: f′, 2: f″), in x order: one trace per piece continuous on the grid."""
    out: dict[str, list[dict]] = {}
    for d in fig["data"]:
        meta = d.get("meta", {})
        if meta.get("kind") == "curve" and meta["order"] == order:
            out.setdefault(meta["act"], []).append(d)
    return out


def joined_curves(fig: dict, order: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Activation name -> (x, y) of its order-k curve, the pieces of :func:`curve_pieces` joined."""
    return {
        name: (np.concatenate([figure_array(d["x"]) for d in traces]),
               np.concatenate([figure_array(d["y"]) for d in traces]))
        for name, traces in curve_pieces(fig, order).items()
    }  # fmt: skip


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# --------------------------------------------------------------- heavy runs on the jobs' pool
# A page's heavy run is a job on a worker thread (pages/_common/jobs.py) that the page's script
# follows (pages/_common/follow.py). A click during a run interrupts the *follower* at its next
# Streamlit call; these helpers let a test do the same at a chosen moment of the run.
HOLD_LIMIT_S = 120  # a held run gives up after this long: a broken test fails, it does not hang


def fresh_pool(monkeypatch, workers: int = 1) -> None:
    """A new pool of ``workers`` for this test (registries built on the old one: clear them)."""
    from pages._common import follow

    monkeypatch.setenv("GRADLAB_WORKERS", str(workers))
    follow.pool.clear()


def hold(report, *args) -> bool:
    """Call the job's ``report(*args)`` again until it answers False (the job was cancelled):
    the run stays at this step until Stop. Returns False."""
    import time

    deadline = time.monotonic() + HOLD_LIMIT_S
    while report(*args) is not False:
        if time.monotonic() > deadline:
            raise TimeoutError("the held run was never cancelled")
        time.sleep(0.01)
    return False


def interrupt_follower_when(monkeypatch, condition) -> None:
    """End the page's script (as a click's rerun does) as soon as ``condition(followed_jobs)``
    holds while it follows its jobs."""
    import streamlit as st

    from pages._common import follow

    real = follow.wait

    def wait(followed, seconds):
        if condition(followed):
            st.stop()
        real(followed, seconds)

    monkeypatch.setattr(follow, "wait", wait)


class BusyPool:
    """The pool's one worker kept busy until :meth:`release`: the page's runs wait in line."""

    def __init__(self) -> None:
        import threading

        from pages._common import follow, jobs

        self._free = threading.Event()
        self.job = jobs.Job("busy", lambda job: self._free.wait(HOLD_LIMIT_S), 0.0)
        follow.pool().put(self.job)

    def release(self) -> None:
        self._free.set()
        self.job.wait(HOLD_LIMIT_S)


def open_panels(at, *names: str, prefix: str = "pg_"):
    """Open these optimizers' panels (a click on each): only an open panel draws its widgets."""
    for name in names:
        at.session_state[f"{prefix}panel_{name}"] = True
    return at.run()


def _decoded(node):
    """A spec with its base64 typed arrays as numpy arrays again."""
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            return figure_array(node)
        return {k: _decoded(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_decoded(v) for v in node]
    return node


def validated(fig):
    """A plain-dict figure (viz.spec_figure.SpecFigure) as plotly graph objects: every property
    of its spec checked by plotly on the way."""
    import plotly.graph_objects as go

    from viz.spec_figure import SpecFigure

    assert isinstance(fig, SpecFigure)
    return go.Figure(_decoded(fig.to_dict()))


# Figure snapshots: a figure's JSON with its data arrays as fingerprints, compared loosely.


def _fingerprint(value) -> list[float]:
    a = figure_array(value).ravel()
    if a.size == 0:
        return [0.0]
    w = np.linspace(1.0, 2.0, a.size)
    return [float(a.size), float(a.sum()), float(np.abs(a).sum()), float((a * w).sum()),
            float(a.min()), float(a.max()), float(a[0]), float(a[-1])]  # fmt: skip


def normal(node):
    """A figure's JSON with each data array as its fingerprint (lists of numbers included)."""
    if isinstance(node, dict):
        if "bdata" in node:
            return {"array": _fingerprint(node)}
        return {k: normal(v) for k, v in node.items()}
    numbers = isinstance(node, list) and all(isinstance(v, int | float) for v in node)
    if numbers and len(node) > 2:  # a data array; two numbers are a range or a domain
        return {"array": _fingerprint(node)}
    if isinstance(node, list):
        return [normal(v) for v in node]
    return node


def white_figures(at: AppTest) -> list[dict]:
    """The page's figures, normalised, after checking that each is in the "plotly_white"
    template (as ``template="plotly_white"`` on a graph-object figure writes it)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    white = json.loads(pio.to_json(go.Figure(layout={"template": "plotly_white"})))
    out = []
    for fig in figures(at):
        assert fig["layout"].pop("template") == white["layout"]["template"]
        out.append(normal(fig))
    return out


def same(got, want, where: str = "") -> None:
    """Equal structure and strings; numbers equal to 1e-6 relative (float32 data)."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), (where, got, want)
        for k in want:
            same(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), (where, got, want)
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            same(g, w, f"{where}[{i}]")
    elif isinstance(want, float) and not isinstance(got, bool):
        assert math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9), (where, got, want)
    else:
        assert got == want, (where, got, want)
