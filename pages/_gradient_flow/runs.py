"""Training on the Gradient flow page: the shared store of runs, the live loop, Stop and Train.

- Store: trained runs live in an LRU shared by all sessions (``st.cache_resource``), keyed by
  the frozen settings, so a rerun never retrains. It is bounded in count (:data:`STORE_SIZE`)
  and in bytes (:data:`STORE_BYTES`); an entry holds numpy records only, never the weights
  (the boundary grid and final report are computed from them before storing).
- Press: a missing run estimated above ``run_policy.LIVE_LIMIT_S`` waits for "Train"
  (``gf_go`` holds the settings the press was for); shorter runs train as soon as they are asked.
- Stop: the button sets ``gf_stop``. A click during a run interrupts the script at its next
  Streamlit call; the callback has kept the run so far in ``gf_partial``, so the rerun shows
  it, with "Train again". A run started while ``gf_stop`` is set stops after one step and
  reruns into the same view. Changing a setting clears the flag
  (:func:`pages._gradient_flow.settings.settings_changed`).

:func:`train` answers with an :class:`Outcome` whose :class:`Status` says which of these
happened; its ``runs`` hold only configurations that recorded at least one step.
"""

from __future__ import annotations

import dataclasses
import enum
import threading
import time
from collections import OrderedDict
from typing import Any, NamedTuple

import numpy as np
import streamlit as st
import torch

from engine.core.threads import set_threads
from engine.nets import presets, probes
from engine.nets.history import Grid, History, decision_grid
from pages._common import run_policy
from pages._common.keys import gradient_flow as K
from pages._gradient_flow import data as gf_data
from pages._gradient_flow import figures
from viz import training_plots

GRID_N = 80
STORE_SIZE = 16
STORE_BYTES = 64 * 2**20  # a stored run at the page's maxima is about 0.5 MB: 16 fit easily
LIVE_EVERY_S = 0.5  # redraw the live charts at most this often
# Train, Stop and Train again are one widget (one key) in one box at one place on the page, so
# the browser updates the button in place. With three keys, the button just clicked stays on
# screen as a stale element while it has the focus; clicking Stop moves the focus, the stale
# button is removed, a page scrolled to its end shifts, and the Stop click lands beside it.
RUN_BUTTON = "gf_run_button"


class Trained(NamedTuple):
    history: History  # its ``model`` is emptied before the run is kept
    grid: Grid | None  # decision boundary after training (2D data, final weights)
    final: probes.LayerReport | None  # per-layer report of the trained network


class Status(enum.Enum):
    DONE = "done"  # every configuration is trained
    STOPPED = "stopped"  # Stop was pressed: ``runs`` holds what was recorded until then
    WAITING = "waiting"  # a long run waits for a "Train" press


@dataclasses.dataclass(frozen=True)
class Outcome:
    status: Status
    runs: dict[str, Trained]  # label -> run, in label order; only runs with a record
    missing: tuple[str, ...]  # labels without a record (not trained, or waiting)
    estimate_s: float = 0.0  # CPU estimate of the runs still to train

    def stopped_text(self) -> str:
        """What the Stop kept, for the page's "Stopped" note."""
        parts = [f"{k} after {r.history.steps} steps" for k, r in self.runs.items()]
        parts += [f"{k} not trained" for k in self.missing]
        if not self.runs:
            return f"Stopped before the first step ({', '.join(parts)}); nothing was recorded."
        return f"Stopped ({', '.join(parts)}); showing what was recorded."


def nbytes(value: Any) -> int:
    """The bytes held by the arrays and tensors inside ``value`` (records, lists, dicts)."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, torch.Tensor):
        return value.nelement() * value.element_size()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = [getattr(value, f.name) for f in dataclasses.fields(value)]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return sum(nbytes(v) for v in value)
    return 0


class _LRU:
    """Least recently used first out, at most ``size`` entries and ``max_bytes`` of arrays."""

    def __init__(self, size: int, max_bytes: int) -> None:
        self.size, self.max_bytes = size, max_bytes
        self.items: OrderedDict[Any, tuple[Trained, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Trained | None:
        with self.lock:
            if key not in self.items:
                return None
            self.items.move_to_end(key)
            return self.items[key][0]

    def put(self, key: Any, value: Trained) -> None:
        with self.lock:
            self.items[key] = (value, nbytes(value))
            self.items.move_to_end(key)
            while len(self.items) > self.size or (
                len(self.items) > 1 and self.bytes > self.max_bytes
            ):
                self.items.popitem(last=False)

    @property
    def bytes(self) -> int:
        return sum(size for _, size in self.items.values())


@st.cache_resource(max_entries=1, show_spinner=False)
def store() -> _LRU:
    return _LRU(STORE_SIZE, STORE_BYTES)


def _finish(history: History, net, data) -> Trained:
    """The boundary and final report of a run that has its final weights; then the weights go."""
    if not history.model or history.steps == 0:
        return Trained(dataclasses.replace(history, model={}), None, None)
    box = gf_data.points(data)[2]
    grid = decision_grid(history, box, GRID_N) if box is not None else None
    final = presets.final_report(history, net, data)
    return Trained(dataclasses.replace(history, model={}), grid, final)


# ------------------------------------------------------------------------------- on_click callbacks
def request_stop() -> None:
    st.session_state["gf_stop"] = True


def press_train(key: Any) -> None:
    """on_click of "Train": the long run for these settings may start."""
    st.session_state["gf_go"] = key
    st.session_state["gf_stop"] = False


def train_again() -> None:
    """on_click of "Train again" after a stop: forget the partial run and train afresh (a press,
    so a long run starts at once)."""
    partial = st.session_state.pop("gf_partial", None)
    if partial is not None:
        st.session_state["gf_go"] = partial["key"]
    st.session_state["gf_stop"] = False


# ------------------------------------------------------------------------------------ live training
def _live_charts(slot, runs: dict[str, History], heatmap: str, n: int) -> None:
    with slot.container():
        left, right = st.columns(2)
        curves = [figures.curves(label, label, h) for label, h in runs.items()]
        left.plotly_chart(training_plots.training_curves(curves), key=f"gf_live_c{n}")
        label, h = list(runs.items())[-1]
        if len(h.probe_steps):
            right.plotly_chart(figures.heatmap(label, h, heatmap), key=f"gf_live_h{n}")


def _outcome(status: Status, labels: list[str], runs: dict, estimate: float = 0.0) -> Outcome:
    kept = {k: runs[k] for k in labels if runs.get(k) is not None}
    return Outcome(status, kept, tuple(k for k in labels if k not in kept), estimate)


def _ask_to_train(key: Any, estimate: float) -> None:
    with st.container(border=True):
        st.info(
            f"This run takes {run_policy.estimate_text(estimate)} on this CPU, so it waits for "
            "you: press Train to start it (Stop keeps what was recorded). Fewer steps, samples, "
            "layers or units make a quicker demo that trains as you change it.",
            icon=":material/hourglass:",
        )
        st.button(
            "Train",
            key=RUN_BUTTON,
            type="primary",
            on_click=press_train,
            args=(key,),
            icon=":material/play_arrow:",
        )


def _show_stopped(outcome: Outcome) -> Outcome:
    with st.container(border=True):
        st.info(outcome.stopped_text(), icon=":material/stop_circle:")
        st.button("Train again", key=RUN_BUTTON, on_click=train_again, icon=":material/replay:")
    return outcome


def train(data: presets.DataSettings, nets: list[tuple[str, presets.NetSettings]]) -> Outcome:
    """Every configuration's run: from the store, or trained now with live feedback."""
    ss, runs_store = st.session_state, store()
    key = (data, tuple(nets))
    labels = [label for label, _ in nets]
    cached = {label: runs_store.get((net, data)) for label, net in nets}
    missing = [(label, net) for label, net in nets if cached[label] is None]
    if not missing:
        return _outcome(Status.DONE, labels, cached)
    partial = ss.get("gf_partial")
    if ss.get("gf_stop") and partial and partial["key"] == key:
        return _show_stopped(_outcome(Status.STOPPED, labels, {**cached, **partial["runs"]}))
    in_dim = gf_data.points(data)[0].shape[1]
    estimate = sum(presets.estimate_seconds(net, data, in_dim) for _, net in missing)
    if gf_data.on_cpu() and run_policy.needs_press(estimate) and ss.get("gf_go") != key:
        _ask_to_train(key, estimate)
        return _outcome(Status.WAITING, labels, cached, estimate)
    ss.pop("gf_go", None)  # a press starts one run: coming back to these settings asks again
    saved: dict[str, Trained] = {label: r for label, r in cached.items() if r is not None}
    ss["gf_partial"] = {"key": key, "runs": saved}
    heatmap = ss.get(K.HEATMAP.key, "grad_norms")
    slot = st.empty()
    with slot.container(border=True):
        progress = st.progress(0.0, text="Training …")
        st.button("Stop", key=RUN_BUTTON, on_click=request_stop, icon=":material/stop:")
        charts = st.empty()
    total, draws = len(missing) * data.steps, [0, 0.0]
    begun = time.perf_counter()
    for i, (label, net) in enumerate(missing):

        def callback(t: int, h: History, label=label, i=i) -> bool:
            saved[label] = Trained(h, None, None)  # kept if a click interrupts the script
            if ss.get("gf_stop"):
                return False
            now = time.perf_counter()
            if now - draws[1] >= LIVE_EVERY_S or t == data.steps - 1:
                draws[0], draws[1] = draws[0] + 1, now
                done = i * data.steps + t + 1
                left = (now - begun) / done * (total - done)
                progress.progress(
                    min(done / total, 1.0),
                    text=f"Training {label}: step {t + 1} of {data.steps}, about {left:.0f} s left",
                )
                live = {k: v.history for k, v in saved.items()}
                _live_charts(charts, live, heatmap, draws[0])
            return True

        with set_threads(1):
            history = presets.run(net, data, callback)
            saved[label] = _finish(history, net, data)
        if history.stopped:  # the rerun shows ``gf_partial``, Train again in the button's place
            st.rerun()
        runs_store.put((net, data), saved[label])
    slot.empty()
    return _outcome(Status.DONE, labels, saved)
