"""Training on the Gradient flow page: the shared runs, the live view, Stop and Train.

- Shared runs: a configuration's run is a job of the process's registry (:func:`store`,
  pages/_common/jobs.py), keyed by the frozen settings. It trains once on the pool's workers
  however many sessions ask for it; they all follow it live, and a rerun never retrains. Stored
  results are bounded in count (:data:`STORE_SIZE`) and in bytes (:data:`STORE_BYTES`); an
  entry holds numpy records only, never the weights (the boundary grid and final report are
  computed from them before storing).
- Press: a missing run estimated above ``run_policy.LIVE_LIMIT_S`` waits for "Train"
  (``gf_go`` holds the settings the press was for), unless someone's run for the same settings
  is already under way; shorter runs train as soon as they are asked.
- Stop: the button's callback leaves the jobs (a job nobody else follows is cancelled) and keeps
  what they recorded in ``gf_partial``; it sets ``gf_stop``, so the rerun shows that record
  with "Train again". Changing a setting clears the flag
  (:func:`pages._gradient_flow.settings.settings_changed`).

:func:`train` answers with an :class:`Outcome` whose :class:`Status` says which of these
happened; its ``runs`` hold only configurations that recorded at least one step.
"""

from __future__ import annotations

import dataclasses
import enum
import time
from typing import Any, NamedTuple

import streamlit as st

from engine.core.threads import set_threads
from engine.nets import presets, probes
from engine.nets.history import Grid, History, decision_grid
from pages._common import follow, jobs, present, run_policy
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


@st.cache_resource(max_entries=1, show_spinner=False)
def store() -> jobs.Registry:
    """The runs of every session: each configuration trains once (pages/_common/jobs.py)."""
    return jobs.Registry(follow.pool(), jobs.LRU(STORE_SIZE, STORE_BYTES))


def _finish(history: History, net, data, box) -> Trained:
    """The boundary and final report of a run that has its final weights; then the weights go.
    A stopped run keeps its record only."""
    if not history.model or history.steps == 0 or history.stopped:
        return Trained(dataclasses.replace(history, model={}), None, None)
    grid = decision_grid(history, box, GRID_N) if box is not None else None
    final = presets.final_report(history, net, data)
    return Trained(dataclasses.replace(history, model={}), grid, final)


def _work(net: presets.NetSettings, data: presets.DataSettings, box: Any) -> jobs.Work:
    """One configuration's training as a job for the pool: it reports its record every step
    and stops at the next step once cancelled."""

    def work(job: jobs.Job) -> Trained:
        def callback(t: int, h: History) -> bool:
            text = f"step {t + 1} of {data.steps}"
            return job.report((t + 1) / data.steps, text, Trained(h, None, None))

        with set_threads(1):
            return _finish(presets.run(net, data, callback), net, data, box)

    return work


# ------------------------------------------------------------------------------- on_click callbacks
def request_stop() -> None:
    """on_click of "Stop": leave the runs being followed and keep what they recorded."""
    ss = st.session_state
    ss["gf_stop"] = True
    partial = ss.get("gf_partial")
    if not partial:
        return
    followed = partial.pop("jobs", {})
    follow.stop(store(), list(followed.values()))
    for label, job in followed.items():
        record = follow.recorded(job)
        if record is not None:
            partial["runs"][label] = record


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
        present.chart(left, training_plots.training_curves(curves), key=f"gf_live_c{n}")
        label, h = list(runs.items())[-1]
        if len(h.probe_steps):
            present.chart(right, figures.heatmap(label, h, heatmap), key=f"gf_live_h{n}")


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


def _progress(by_label: dict[str, jobs.Job], since: tuple[float, float]) -> str:
    """The progress bar's line: a place in line while waiting, else the step and time left."""
    for label, job in by_label.items():
        if not job.finished:
            waiting = follow.waiting_text(job, follow.pool())
            if waiting is not None:
                return waiting
            done = sum(j.fraction for j in by_label.values()) / len(by_label)
            begun, at_start = since
            if done <= at_start:
                return f"Training {label}: {job.text or 'starting'} …"
            left = (time.perf_counter() - begun) / (done - at_start) * (1.0 - done)
            return f"Training {label}: {job.text}, about {left:.0f} s left"
    return "Training …"


def train(data: presets.DataSettings, nets: list[tuple[str, presets.NetSettings]]) -> Outcome:
    """Every configuration's run: stored, or trained by the pool while this page follows it."""
    ss, runs_store = st.session_state, store()
    key = (data, tuple(nets))
    labels = [label for label, _ in nets]
    cached = {label: runs_store.result((net, data)) for label, net in nets}
    missing = [(label, net) for label, net in nets if cached[label] is None]
    if not missing:
        return _outcome(Status.DONE, labels, cached)
    partial = ss.get("gf_partial")
    if ss.get("gf_stop") and partial and partial["key"] == key:
        return _show_stopped(_outcome(Status.STOPPED, labels, {**cached, **partial["runs"]}))
    ss["gf_stop"] = False  # a Stop for other settings: these start afresh
    X, _, box = gf_data.points(data)
    estimates = {label: presets.estimate_seconds(net, data, X.shape[1]) for label, net in missing}
    estimate = sum(estimates.values())
    pressed = ss.get("gf_go") == key
    underway = all(runs_store.running((net, data)) for _, net in missing)  # follow, no press
    if gf_data.on_cpu() and run_policy.needs_press(estimate) and not (pressed or underway):
        _ask_to_train(key, estimate)
        return _outcome(Status.WAITING, labels, cached, estimate)
    ss.pop("gf_go", None)  # a press starts one run: coming back to these settings asks again
    work = {(net, data): (_work(net, data, box), estimates[label]) for label, net in missing}
    followed = follow.submit_all(runs_store, work)
    by_label = {label: followed[(net, data)] for label, net in missing}
    saved: dict[str, Trained] = {label: r for label, r in cached.items() if r is not None}
    ss["gf_partial"] = {"key": key, "runs": saved, "jobs": by_label}
    heatmap = ss.get(K.HEATMAP.key, "grad_norms")
    slot = st.empty()
    with slot.container(border=True):
        progress = st.progress(0.0, text="Training …")
        st.button("Stop", key=RUN_BUTTON, on_click=request_stop, icon=":material/stop:")
        charts = st.empty()
    fractions = [job.fraction for job in by_label.values()]
    since = (time.perf_counter(), sum(fractions) / len(fractions))
    draws: list[Any] = [0, 0.0, ()]  # charts drawn, when last, which records they showed

    def draw() -> None:
        for label, job in by_label.items():
            if job.partial is not None:
                saved[label] = job.partial
        done = sum(job.fraction for job in by_label.values()) / len(by_label)
        progress.progress(done, text=_progress(by_label, since))
        now, shown = time.perf_counter(), tuple(id(saved.get(label)) for label in saved)
        every = follow.chart_interval(list(by_label.values()), LIVE_EVERY_S)
        if saved and now - draws[1] >= every and shown != draws[2]:
            draws[:] = [draws[0] + 1, now, shown]
            live = {k: v.history for k, v in saved.items()}
            _live_charts(charts, live, heatmap, draws[0])

    follow.follow(runs_store, list(by_label.values()), draw)
    for label, job in by_label.items():
        if job.state is jobs.State.FAILED:
            raise job.error  # type: ignore[misc]  # shown by the page's friendly_errors
        if job.state is jobs.State.CANCELLED:  # nobody followed it: show what it recorded
            request_stop()
            st.rerun()
        saved[label] = job.result
    ss.pop("gf_partial", None)
    slot.empty()
    return _outcome(Status.DONE, labels, saved)
