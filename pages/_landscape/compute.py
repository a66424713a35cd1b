"""The Loss landscape page's computation: shared results, the run policy, progress and Stop.

- Results live in a small LRU shared by all sessions (``st.cache_resource``), bounded in count
  and in bytes (:data:`STORE_SIZE`, :data:`STORE_BYTES`), keyed by the
  frozen :class:`~pages._landscape.settings.Request`: a classroom opening the same preset computes
  it once, and a rerun never recomputes.
- Run policy: a computation estimated above :data:`LIVE_LIMIT_S` waits for a press of "Compute";
  shorter ones start at once.
- Stop: the button records the request in ``K.STOP``. A click during the work interrupts the
  script; the rerun sees the flag and offers "Compute" again instead of restarting. Changing a
  setting clears the flag.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
import streamlit as st

from engine.core.threads import set_threads
from engine.nets import landscape_study as study
from engine.nets.landscape import Line
from pages._common import jobs
from pages._common.keys import landscape as K
from pages._common.run_policy import needs_press
from pages._landscape.settings import Request

STORE_SIZE = 8
# A result keeps each network's recorded weights: up to 80 MB a network (the engine's bound,
# engine/nets/trajectory_pca.MAX_VALUES), so the count alone would allow 8 x 2 x 80 MB = 1.3 GB.
# The byte bound keeps three of the largest comparisons, or many small ones.
STORE_BYTES = 512 * 2**20
DRAW_EVERY_S = 0.25  # progress bar updates at most this often


class Result(NamedTuple):
    runs: list[study.Run]
    studies: list[study.Study]
    between: tuple[Line, Line] | None  # A's solution to B's, train and test
    seconds: float


@st.cache_resource(max_entries=1, show_spinner=False)
def store() -> jobs.LRU:
    """Results of every session, bounded in count and in bytes of arrays (pages/_common/jobs.py)."""
    return jobs.LRU(STORE_SIZE, STORE_BYTES)


@st.cache_data(max_entries=8, show_spinner=False)
def split(data):
    return study.make_split(data)


def request_stop(req: Request) -> None:
    st.session_state[K.STOP] = req


def press(req: Request) -> None:
    st.session_state.pop(K.STOP, None)
    st.session_state[K.PRESSED] = req


def get(req: Request) -> Result | None:
    """The result for ``req``: from the store, or computed now with a progress bar and Stop;
    ``None`` while it waits for a press (the page shows why)."""
    done = store().get(req)
    if done is not None:
        return done
    ss = st.session_state
    estimate = study.estimate_seconds(req.specs, req.data, req.view)
    if ss.get(K.STOP) == req:
        st.info("Stopped before the landscape was complete. Nothing runs until you ask.",
                icon=":material/stop_circle:")  # fmt: skip
        st.button("Compute the landscape", on_click=press, args=(req,), key="ls_compute",
                  type="primary", icon=":material/play_arrow:")  # fmt: skip
        return None
    if needs_press(estimate) and ss.get(K.PRESSED) != req:
        st.info(f"These settings take about {estimate:.0f} s on this machine, so they wait for "
                "you: press Compute, or pick fewer steps, layers or grid points.",
                icon=":material/hourglass:")  # fmt: skip
        st.button(f"Compute (about {estimate:.0f} s)", on_click=press, args=(req,),
                  key="ls_compute", type="primary", icon=":material/play_arrow:")  # fmt: skip
        return None
    return _compute(req)


def _compute(req: Request) -> Result | None:
    ss = st.session_state
    panel = st.empty()
    with panel.container(border=True):
        bar_col, stop_col = st.columns([6, 1], vertical_alignment="center")
        bar = bar_col.progress(0.0, text="Training …")
        stop_col.button("Stop", key="ls_stop", on_click=request_stop, args=(req,),
                        icon=":material/stop:")  # fmt: skip
    last = [0.0]
    n = len(req.specs)

    def progress(lo: float, hi: float):
        def report(fraction: float, what: str) -> bool:
            if ss.get(K.STOP) == req:
                return False
            now = time.perf_counter()
            if now - last[0] >= DRAW_EVERY_S:
                last[0] = now
                bar.progress(min(lo + (hi - lo) * fraction, 1.0), text=what)
            return True

        return report

    started = time.perf_counter()
    data = split(req.data)
    with set_threads(1):
        runs = study.train(req.specs, req.data, data, progress(0.0, 0.5))
        if len(runs) < n or any(r.stopped for r in runs):
            return _stopped(panel, req)
        box = None
        if req.view.plane == "pca":  # one extent for both planes: the same scales side by side
            boxes = [study.pca_box(r) for r in runs]
            box = (np.min([b[0] for b in boxes], 0), np.max([b[1] for b in boxes], 0))
        studies = []
        for i, run in enumerate(runs):
            lo = 0.5 + 0.5 * i / n
            looked = study.look(run, data, req.view, box, progress(lo, lo + 0.5 / n))
            if looked is None:
                return _stopped(panel, req)
            studies.append(looked)
        between = None
        if n == 2 and runs[0].spec.architecture() == runs[1].spec.architecture():
            between = study.between(runs[0], runs[1], data)
    panel.empty()
    result = Result(runs, studies, between, time.perf_counter() - started)
    store().put(req, result)
    ss.pop(K.PRESSED, None)
    return result


def _stopped(panel, req: Request) -> None:
    panel.empty()
    st.session_state[K.STOP] = req
    st.rerun()
