"""Glue of the Gradient flow page: presets in the URL, cached reports, the live training loop.

- URL state: a link may name a preset (``gf_preset``) and override any of its settings. On the
  first run the preset's values seed every field the URL does not set; ``publish`` writes each
  field that differs from its default *or* from the active preset, so the link reopens the view.
- Caching: initial reports go through ``st.cache_data``; trained runs live in a small LRU shared
  by all sessions (``st.cache_resource``), keyed by the frozen settings, so a rerun never
  retrains. A run is trained live (progress bar, live charts, stop button) when it is missing.
- Stopping: the Stop button sets ``gf_stop``. A click during a run interrupts the script; the
  callback saved the run so far in ``gf_partial``, so the rerun shows it. A run started while
  ``gf_stop`` is set stops after one step. Changing a setting clears the flag.
"""

from __future__ import annotations

import contextlib
import csv
import io
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np
import streamlit as st
import torch

from engine import datasets, presets, probes, training
from engine.device import resolve
from pages._shared import state
from pages._shared.keys import gradient_flow as K
from viz import training_plots
from viz.colors import series_color

LABELS = ("A", "B")
GRID_N = 80
STORE_SIZE = 16
LIVE_EVERY_S = 0.5  # redraw the live charts at most this often
LONG_RUN_S = 60.0  # warn before a run estimated to take longer on the CPU


def on_cpu() -> bool:
    """Whether training runs on the CPU (the time estimate is for a CPU)."""
    return resolve(None).type == "cpu"


# --------------------------------------------------------------------------- URL state and presets
def preset_values(name: str) -> dict[str, Any]:
    """Session-state values for every field of preset ``name``."""
    p = presets.get(name)
    values: dict[str, Any] = {
        K.PRESET.key: name,
        K.COMPARE.key: p.compare,
        K.HEATMAP.key: p.heatmap,
    }
    values.update({f.key: getattr(p.data, attr) for attr, f in K.DATA.items()})
    values.update({f.key: getattr(p.a, attr) for attr, f in K.A.items()})
    if p.b is None:
        values.update({f.key: f.default for f in K.B.values()})
    else:
        values.update({f.key: getattr(p.b, attr) for attr, f in K.B.items()})
    return values


def apply_preset(name: str) -> None:
    """on_click of a preset button: every field takes the preset's value."""
    st.session_state.update(preset_values(name))
    settings_changed()


def settings_changed() -> None:
    """on_change of every setting: a new configuration may train again."""
    st.session_state["gf_stop"] = False


def request_stop() -> None:
    st.session_state["gf_stop"] = True


def _url_notes(params: Any) -> list[str]:
    """Messages for URL values that were out of range or unreadable (they fall back quietly)."""
    notes = []
    for field in K.FIELDS:
        if field.key not in params:
            continue
        raw = params[field.key]
        try:
            decoded = field.decode(raw)
        except (ValueError, TypeError):
            notes.append(f"Ignored the link's {field.key}={raw!r}: not a valid value.")
            continue
        numeric = isinstance(decoded, int | float) and not isinstance(decoded, bool)
        if numeric and abs(float(decoded) - float(raw)) > 1e-9 * max(1.0, abs(float(raw))):
            notes.append(f"The link's {field.key}={raw} is out of range: using {decoded}.")
    return notes


def restore() -> list[str]:
    """Seed session state (preset, then URL, then defaults); return notes about bad URL values."""
    ss = st.session_state
    notes: list[str] = []
    if K.A["depth"].key not in ss:  # first run of this page in the session
        params = st.query_params
        name = params.get(K.PRESET.key)
        if name in presets.PRESETS:
            for key, value in preset_values(name).items():
                if key not in params:
                    ss[key] = value
        notes = _url_notes(params)
    state.restore(K.FIELDS)
    for field in K.FIELDS:  # re-assigning keeps B's values while its widgets are hidden
        ss[field.key] = ss[field.key]
    return notes


def publish() -> None:
    """Write every field that differs from its default or from the active preset to the URL."""
    ss, params = st.session_state, st.query_params
    name = ss.get(K.PRESET.key)
    ref = preset_values(name) if name in presets.PRESETS else {}
    for field in K.FIELDS:
        encoded = field.encode(ss.get(field.key, field.default))
        needed = encoded != field.encode(field.default) or (
            field.key in ref and encoded != field.encode(ref[field.key])
        )
        if not needed:
            if field.key in params:
                del params[field.key]
        elif params.get(field.key) != encoded:
            params[field.key] = encoded


def preset_changed() -> list[str]:
    """The keys whose values differ from the active preset (empty when it is untouched)."""
    ss = st.session_state
    name = ss.get(K.PRESET.key)
    if name not in presets.PRESETS:
        return []
    skip = {K.PRESET.key, K.HEATMAP.key}
    if not ss.get(K.COMPARE.key):
        skip |= {f.key for f in K.B.values()}
    ref = preset_values(name)
    fields = [f for f in K.FIELDS if f.key not in skip]
    return [f.key for f in fields if f.encode(ss.get(f.key)) != f.encode(ref[f.key])]


def settings() -> tuple[presets.DataSettings, list[tuple[str, presets.NetSettings]]]:
    """The shared data settings and the (label, NetSettings) of each shown configuration."""
    ss = st.session_state
    data = presets.DataSettings(**{attr: ss[f.key] for attr, f in K.DATA.items()})
    nets = [("A", presets.NetSettings(**{attr: ss[f.key] for attr, f in K.A.items()}))]
    if ss.get(K.COMPARE.key):
        nets.append(("B", presets.NetSettings(**{attr: ss[f.key] for attr, f in K.B.items()})))
    return data, nets


def color(label: str) -> str:
    return series_color(LABELS.index(label))


# ---------------------------------------------------------------------------------------- caching
@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run torch's CPU ops on this script thread alone while inside.

    The nets here are small (<= 256 wide): on a busy 2-core machine two OpenMP threads made a
    training step 30-50x slower (240 ms against 5 ms per step, measured), because the spinning
    workers fight the server's threads. The setting is per thread (an OpenMP ICV), so other
    sessions are not affected; it is restored afterwards.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@st.cache_data(max_entries=64, show_spinner=False)
def initial_report(net: presets.NetSettings, data: presets.DataSettings) -> probes.LayerReport:
    with one_thread():
        return presets.initial_report(net, data)


@st.cache_data(max_entries=16, show_spinner=False)
def points(data: presets.DataSettings) -> tuple[np.ndarray, np.ndarray, Any]:
    """Training points as numpy, and the plot box of a 2D data set (None otherwise)."""
    split = presets.make_split(data, device="cpu")
    X, y = split.X_train, split.y_train
    box = datasets.bounds(X) if X.shape[1] == 2 else None
    return X.numpy().astype(np.float32), y.numpy(), box


class Trained(NamedTuple):
    history: training.History
    grid: training.Grid | None  # decision boundary after training (2D data, final weights)
    final: probes.LayerReport | None  # per-layer report of the trained network


class _LRU:
    def __init__(self, size: int) -> None:
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: Any) -> Trained | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
            return self.items.get(key)

    def put(self, key: Any, value: Trained) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


@st.cache_resource
def _store() -> _LRU:
    return _LRU(STORE_SIZE)


def _finish(history: training.History, net, data) -> Trained:
    """The boundary and final report of a run that has its final weights."""
    if not history.model or history.steps == 0:
        return Trained(history, None, None)
    box = points(data)[2]
    grid = training.decision_grid(history, box, GRID_N) if box is not None else None
    final = presets.final_report(history, net, data)
    return Trained(history, grid, final)


# ----------------------------------------------------------------------------------- live training
def _live_charts(slot, runs: dict[str, training.History], heatmap: str, n: int) -> None:
    with slot.container():
        left, right = st.columns(2)
        curves = [(label, color(label), h) for label, h in runs.items()]
        left.plotly_chart(training_plots.training_curves(curves), key=f"gf_live_c{n}")
        label, h = list(runs.items())[-1]
        values = getattr(h, heatmap)
        if len(h.probe_steps):
            title = f"{label}: {training_plots.HEATMAP_QUANTITIES[heatmap][0]}"
            fig = training_plots.layer_heatmap(h.probe_steps, values, heatmap, title)
            right.plotly_chart(fig, key=f"gf_live_h{n}")


def train(
    data: presets.DataSettings, nets: list[tuple[str, presets.NetSettings]]
) -> tuple[dict[str, Trained], bool]:
    """Every configuration's run: from the store, or trained now with live feedback.

    Returns ``(runs, stopped)``; a stopped set of runs holds what was recorded until the stop.
    """
    ss, store = st.session_state, _store()
    key = (data, tuple(nets))
    runs = {label: store.get((net, data)) for label, net in nets}
    missing = [(label, net) for label, net in nets if runs[label] is None]
    if not missing:
        return runs, False
    partial = ss.get("gf_partial")
    if ss.get("gf_stop") and partial and partial["key"] == key:
        return {**runs, **partial["runs"]}, True
    saved: dict[str, Trained] = {label: r for label, r in runs.items() if r is not None}
    ss["gf_partial"] = {"key": key, "runs": saved}
    heatmap = ss.get(K.HEATMAP.key, "grad_norms")
    slot = st.empty()
    with slot.container(border=True):
        progress = st.progress(0.0, text="Training …")
        st.button("Stop", key="gf_stop_button", on_click=request_stop, icon=":material/stop:")
        charts = st.empty()
    total, stopped, draws = len(missing) * data.steps, False, [0, 0.0]
    begun = time.perf_counter()
    for i, (label, net) in enumerate(missing):

        def callback(t: int, h: training.History, label=label, i=i) -> bool:
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

        with one_thread():
            history = presets.run(net, data, callback)
            saved[label] = _finish(history, net, data)
        if history.stopped:
            stopped = True
            break
        store.put((net, data), saved[label])
    slot.empty()
    return {**{k: v for k, v in runs.items() if v is not None}, **saved}, stopped


def train_again() -> None:
    """on_click of "Train again" after a stop: forget the partial run and train afresh."""
    st.session_state["gf_stop"] = False
    st.session_state.pop("gf_partial", None)


# ------------------------------------------------------------------------------------------ CSV
COLUMNS = ("config", "phase", "step", "layer", *probes.QUANTITIES, "unit_similarity")


def records_csv(reports: dict[str, probes.LayerReport], runs: dict[str, Trained]) -> str:
    """Per-layer records: each configuration at initialisation, then at every probed step."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for label, r in reports.items():
        for layer in range(len(r.grad_norms)):
            values = [getattr(r, q)[layer] for q in (*probes.QUANTITIES, "unit_similarity")]
            writer.writerow([label, "init", "", layer + 1, *(f"{v:.6g}" for v in values)])
    for label, run in runs.items():
        h = run.history
        for row, step in enumerate(h.probe_steps):
            for layer in range(h.grad_norms.shape[1]):
                values = [getattr(h, q)[row, layer] for q in probes.QUANTITIES]
                writer.writerow(
                    [label, "train", int(step), layer + 1, *(f"{v:.6g}" for v in values), ""]
                )
    return out.getvalue()
