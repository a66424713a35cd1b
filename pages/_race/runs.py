"""Running the Optimizer race: the Run gate, the live race with Stop, and the results kept.

Nothing trains when the page opens: Run says what it will train and for how long. After the
first press, a race estimated under run_policy's live limit follows the controls; a longer one
waits for Run again. Outcomes are kept per settings in session state, so a rerun redraws without
training again; Stop keeps the partial race. :func:`run` answers with an :class:`Outcome`
whose :class:`Status` says which of these happened.
"""

from __future__ import annotations

import dataclasses
import enum
import time

import numpy as np
import streamlit as st

from engine.core.threads import set_threads
from engine.nets import datasets
from engine.nets import race as engine_race
from engine.nets import sweeps as race_tools
from engine.nets.race import RaceResult
from engine.nets.sweeps import Sweep
from pages._common import follow, jobs, present, run_policy
from pages._common import optimizer_widgets as ow
from pages._race.glue import Settings, estimate, networks_count
from pages._race.views import curves

RESULTS = "_rc_results"  # settings -> finished (or stopped) outcome, newest last
PARTIAL = "_rc_partial"  # (settings, the race so far, its job), for the Stop button
GO = "_rc_go"  # settings to train on the next run (the rerun button after a stop)
LIVE = "_rc_live"  # Run was pressed once: short races now follow the controls
KEEP = 4
SHARED_SIZE = 16  # races kept for every session: a 5-optimizer race is about 0.1 MB
SHARED_BYTES = 64 * 2**20
STOPPED_TEXT = {  # a stopped race keeps its curves, unless it had none yet; a sweep keeps nothing
    "race": "The race was stopped before its first step.",
    "sweep": "The sweep was stopped before it finished: its final losses need every step.",
}


class Status(enum.Enum):
    WAITING = "waiting"  # nothing trained yet: the page shows what Run will do
    DONE = "done"  # the whole race (or sweep) ran
    STOPPED = "stopped"  # Stop was pressed: ``result`` is the race so far, or None


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What Run gave for one setting. ``result``: the race (a :class:`RaceResult`) or the sweep
    (a :class:`Sweep`); None while waiting, and after a Stop that left nothing to show (a sweep,
    whose final losses need every step, or a race stopped before its first step)."""

    status: Status
    result: RaceResult | Sweep | None = None


WAITING = Outcome(Status.WAITING)


def _remember(key: Settings, outcome: Outcome) -> None:
    # A fresh dict assigned back: session_state.setdefault does not persist from a callback.
    results = {k: v for k, v in st.session_state.get(RESULTS, {}).items() if k != key}
    results[key] = outcome
    while len(results) > KEEP:
        results.pop(next(iter(results)))
    st.session_state[RESULTS] = results


def _stop(key: Settings) -> None:
    """Stop: leave the shared run (cancelled if nobody else follows it) and keep the race so
    far; a stopped sweep has no final losses, so it keeps only a note (as does a race stopped
    before its first update)."""
    partial = st.session_state.get(PARTIAL)
    record = None
    if partial is not None and partial[0] == key:
        follow.stop(shared(), [partial[2]])
        record = follow.recorded(partial[2])
    kept = key.mode == "race" and record is not None
    _remember(
        key, Outcome(Status.STOPPED, dataclasses.replace(record, stopped=True) if kept else None)
    )


def forget(key: Settings) -> None:
    results = st.session_state.get(RESULTS, {})
    st.session_state[RESULTS] = {k: v for k, v in results.items() if k != key}


def _duration(seconds: float) -> str:
    if seconds < 1.5:
        return "about a second"
    return f"about {seconds:.0f} s" if seconds < 90 else f"about {seconds / 60:.0f} min"


def _plan(s: Settings, seconds: float) -> str:
    """What Run will do, in words."""
    n = networks_count(s)
    if s.mode == "sweep":
        what = f"{len(s.opts)} optimizers × {s.sweep[2]} learning rates = {n} networks"
    else:
        what = f"{n} network{'s' * (n > 1)}, one per optimizer, from the same initial weights,"
    return f"**Run** trains {what} for {s.steps} steps: {_duration(seconds)} on this machine."


def _request(key: Settings) -> None:
    """The rerun button after a stop: forget the stopped result and train again."""
    forget(key)
    st.session_state[GO] = key


def show_stopped(s: Settings, outcome: Outcome) -> None:
    """What a Stop kept, and the button that runs the same settings again."""
    what = "sweep" if s.mode == "sweep" else "race"
    if outcome.result is None:
        st.info(STOPPED_TEXT[s.mode], icon=":material/stop_circle:")
        label = f"Run the {what}"
    else:
        st.info(f"Stopped at step {outcome.result.steps} of {s.steps}.",
                icon=":material/stop_circle:")  # fmt: skip
        label = f"Run the whole {what}"
    st.button(label, on_click=_request, args=(s,), key="rc_rerun", icon=":material/replay:")


def _ready(s: Settings, split: datasets.Split) -> bool:
    """Whether to train now; otherwise draw what Run will do (or why it cannot).

    Nothing trains when the page opens: the first race waits for Run. After that, a race
    estimated under run_policy's live limit follows the controls; a longer one waits again.
    """
    if s.mode == "sweep":
        try:
            race_tools.check_sweep_size(len(s.opts), s.sweep[2])
        except ValueError as exc:
            st.warning(f"{exc}. Pick fewer optimizers or learning rates.", icon=":material/block:")
            st.button("Run the sweep", key="rc_run", type="primary", disabled=True)
            return False
    seconds = estimate(s, split)
    if st.session_state.pop(GO, None) == s:
        return True
    if st.session_state.get(LIVE) and not run_policy.needs_press(seconds):
        return True
    text = _plan(s, seconds)
    if st.session_state.get(LIVE):  # it would have followed the controls: say why it waits
        text += f" Runs over {run_policy.LIVE_LIMIT_S:.0f} s wait for this button."
    slot = st.empty()
    with slot.container():
        st.info(text, icon=":material/play_circle:")
        what = "sweep" if s.mode == "sweep" else "race"
        pressed = st.button(f"Run the {what}", key="rc_run", type="primary",
                            icon=":material/play_arrow:")  # fmt: skip
    if pressed:
        slot.empty()
    return pressed


def _work(s: Settings, split: datasets.Split) -> jobs.Work:
    """The race (or sweep) as a job for the pool: it reports the race so far, and stops at its
    next report once cancelled."""

    def work(job: jobs.Job) -> RaceResult | Sweep:
        def callback(t: int, partial) -> bool:
            return job.report((t + 1) / s.steps, f"Step {t + 1} of {s.steps}", partial)

        every = max(1, s.steps // 15)
        kw = dict(batch_size=s.batch, seed=s.seed, callback=callback, callback_every=every)
        with set_threads(1):
            if s.mode == "sweep":
                lo, hi, n = s.sweep
                lrs = np.geomspace(min(lo, hi), max(lo, hi), n)
                settings = [(name, dict(items)) for name, items in s.opts]
                return race_tools.lr_sweep(s.config, split, settings, lrs, s.steps, **kw)
            return engine_race.race(s.config, split, ow.build(s.opts), s.steps, **kw)

    return work


@st.cache_resource(max_entries=1, show_spinner=False)
def shared() -> jobs.Registry:
    """Races of every session: the same settings race once (pages/_common/jobs.py)."""
    return jobs.Registry(follow.pool(), jobs.LRU(SHARED_SIZE, SHARED_BYTES))


def run(s: Settings, split: datasets.Split) -> Outcome:
    """The race (or sweep) for ``s``: kept from an earlier run, another session's run (followed
    live while it trains), trained now on the pool with live progress, or waiting for Run."""
    done = st.session_state.get(RESULTS, {}).get(s)
    if done is not None:
        return done
    if not _ready(s, split):
        return WAITING
    st.session_state[LIVE] = True  # a Run press: from now on, short races follow the controls
    ow.build(s.opts)  # a bad hyperparameter is a message before anything is queued
    registry = shared()
    [job] = follow.submit_all(registry, {s: (_work(s, split), estimate(s, split))}).values()
    panel = st.empty()  # progress, Stop and the live curve: cleared when the race ends
    with panel.container():
        bar_col, stop_col = st.columns([6, 1], vertical_alignment="center")
        n = networks_count(s)
        training = f"Training {n} network{'s' * (n > 1)}…"
        bar = bar_col.progress(0.0, text=training)
        stop_col.button("Stop", key="rc_stop", on_click=_stop, args=(s,), icon=":material/stop:")
        live = st.empty()
    st.session_state[PARTIAL] = (s, None, job)
    drawn: list = [None, 0.0]  # the race last drawn, and when

    def draw() -> None:
        waiting = follow.waiting_text(job, follow.pool())
        bar.progress(job.fraction, text=waiting or job.text or training)
        partial, now = job.partial, time.perf_counter()
        if partial is not None:
            st.session_state[PARTIAL] = (s, partial, job)
        due = now - drawn[1] >= follow.chart_interval([job], 0.0)
        if s.mode == "race" and partial is not None and partial is not drawn[0] and due:
            drawn[:] = [partial, now]
            present.chart(live, curves(partial), key=f"rc_live_{partial.steps}", width="stretch")

    try:
        follow.follow(registry, [job], draw)
        if job.state is jobs.State.FAILED:
            raise job.error  # type: ignore[misc]  # shown by the page's friendly_errors
    except Exception:
        # A failure leaves no progress bar or Stop button behind. (Stop and reruns are not
        # Exceptions: they pass, and the Stop button's callback still finds PARTIAL.)
        panel.empty()
        st.session_state.pop(PARTIAL, None)
        raise
    panel.empty()
    if job.state is jobs.State.CANCELLED:  # nobody followed it: keep what it recorded
        _stop(s)
        st.session_state.pop(PARTIAL, None)
        return st.session_state[RESULTS][s]
    st.session_state.pop(PARTIAL, None)
    outcome = Outcome(Status.DONE, job.result)
    _remember(s, outcome)
    return outcome
