"""Cached probes and the live training loop of the Gradients through time page.

- Probes at initialisation go through ``st.cache_data`` (they depend on the settings only).
- Trained races live in a small LRU shared by all sessions (``st.cache_resource`` with
  ``max_entries``: one slot per settings), so a rerun never retrains.
- Run policy: a race estimated above :data:`LIVE_LIMIT_S` waits for a Train press; a shorter
  one trains at once, live (progress bar, live curves, Stop).
- Stopping: the Stop button sets ``sq_stop``. A click during a run interrupts the script; the
  callback saved the race so far in ``sq_partial``, so the rerun shows it.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import streamlit as st

from engine.core.device import resolve
from engine.core.i18n import _
from engine.core.threads import set_threads
from engine.sequences import presets, tasks, training
from pages._common import present
from pages._common.guard import literal
from pages._common.run_policy import needs_press
from viz import sequence_plots

LIVE_EVERY_S = 0.5  # redraw the live chart at most this often
Races = dict[str, training.SeqHistory]


def title(cell: str) -> str:
    return presets.CELL_TITLES[cell]


def on_cpu() -> bool:
    return resolve(None).type == "cpu"


@st.cache_data(max_entries=64, show_spinner=False)
def initial(s: presets.Settings) -> dict:
    """Every cell's probes at initialisation."""
    with set_threads(1):
        return presets.initial_probes(s)


@st.cache_data(max_entries=16, show_spinner=False)
def display(s: presets.Settings) -> tuple[list[str], list[str]]:
    """What each step of the connectivity's input sequence shows: in full, and in short."""
    return presets.display_tokens(s), presets.display_tokens(s, short=True)


@st.cache_resource(max_entries=16)
def _slot(s: presets.Settings) -> dict:
    """A finished race for ``s`` (empty until trained), shared by every session."""
    return {}


def connectivity(
    s: presets.Settings, cell: str, position: int, trained: Races | None
) -> np.ndarray:
    """Connectivity of ``cell`` at output ``position`` (1-based), trained weights if any."""
    state = trained[cell].state if trained and cell in trained else None
    with set_threads(1):
        return presets.connectivity(s, cell, position - 1, state)


def request_stop() -> None:
    st.session_state["sq_stop"] = True


def request_train(s: presets.Settings) -> None:
    st.session_state["sq_go"] = s
    st.session_state["sq_stop"] = False


def train_again() -> None:
    """on_click of "Train again" after a stop: forget the partial run and train afresh."""
    st.session_state["sq_stop"] = False
    st.session_state.pop("sq_partial", None)


def _curves(runs: Races) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    return [
        (title(c), sequence_plots.cell_color(c), h.curve("loss"), h.curve("grad_norm"))
        for c, h in runs.items()
    ]


def live_curves(slot: Any, s: presets.Settings, runs: Races, n: int) -> None:
    present.chart(slot, curves_figure(s, runs), key=f"sq_live_{n}")


def train(s: presets.Settings) -> tuple[Races | None, bool]:
    """The race for ``s``: stored, trained now (live), or ``None`` while it waits for a press.

    Returns ``(runs, stopped)``.
    """
    ss, slot = st.session_state, _slot(s)
    if "runs" in slot:
        return slot["runs"], False
    partial = ss.get("sq_partial")
    if ss.get("sq_stop") and partial and partial["key"] == s:
        return partial["runs"], True
    try:  # before the press: a run the engine would refuse is never offered
        presets.check_memory(s)
    except ValueError as exc:
        st.warning(literal(exc), icon=":material/memory:")
        return None, False
    estimate = presets.estimate_seconds(s) if on_cpu() else 0.0
    if needs_press(estimate) and ss.get("sq_go") != s:
        st.button(
            _("Train (about {seconds} s on this CPU)").format(seconds=f"{estimate:.0f}"),
            key="sq_train",
            on_click=request_train,
            args=(s,),
            type="primary",
            icon=":material/play_arrow:",
        )
        st.caption(
            _("A long run waits for a press; fewer steps, a shorter T or fewer cells is quicker.")
        )
        return None, False
    saved: Races = {}
    ss["sq_partial"] = {"key": s, "runs": saved}
    box = st.empty()
    with box.container(border=True):
        progress = st.progress(0.0, text=_("Training …"))
        st.button(_("Stop"), key="sq_stop_button", on_click=request_stop, icon=":material/stop:")
        chart = st.empty()
    total, draws, begun = len(s.cells) * s.steps, [0, 0.0], time.perf_counter()

    def callback(cell: str, t: int, h: training.SeqHistory) -> bool:
        saved[cell] = h  # kept if a click interrupts the script
        if ss.get("sq_stop"):
            return False
        now = time.perf_counter()
        if now - draws[1] >= LIVE_EVERY_S or t == s.steps - 1:
            draws[0], draws[1] = draws[0] + 1, now
            done = s.cells.index(cell) * s.steps + t + 1
            left = (now - begun) / done * (total - done)
            progress.progress(
                min(done / total, 1.0),
                text=_("Training {cell}: step {step} of {steps}, about {left} s left").format(
                    cell=title(cell), step=t + 1, steps=s.steps, left=f"{left:.0f}"
                ),
            )
            live_curves(chart, s, saved, draws[0])
        return True

    with set_threads(1):
        runs = presets.race(s, callback)
    saved.update(runs)
    box.empty()
    stopped = any(h.stopped for h in runs.values()) or len(runs) < len(s.cells)
    if not stopped:
        slot["runs"] = runs
        ss.pop("sq_go", None)
    return runs, stopped


def curves_figure(s: presets.Settings, runs: Races) -> Any:
    """The training curves of a race, with the constant guess and the clipping threshold."""
    baseline = tasks.get(s.task).baseline
    return sequence_plots.training_curves(_curves(runs), baseline, s.clip or None)


def connectivity_rows(
    s: presets.Settings, position: int, trained: Races | None
) -> list[tuple[str, np.ndarray]]:
    """One row per cell at initialisation, and one after training when there is a run."""
    rows = []
    for cell in s.cells:
        rows.append(
            (_("{cell}, init").format(cell=title(cell)), connectivity(s, cell, position, None))
        )
        if trained and cell in trained:
            rows.append(
                (
                    _("{cell}, trained").format(cell=title(cell)),
                    connectivity(s, cell, position, trained),
                )
            )
    return rows
