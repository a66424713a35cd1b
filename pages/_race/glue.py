"""Glue of the Optimizer race page: its sidebar, the Run gate and the live race with Stop.

widgets -> engine.nets.race (one batched run, live through its callback) -> race_views.
Nothing trains when the page opens: Run says what it will train and for how long. After the
first press, a race estimated under run_policy's live limit follows the controls; a longer one
waits for Run again. Results are kept per settings in session state, so a rerun redraws without
training again; Stop keeps the partial race.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import streamlit as st

from engine import activations, optimizers
from engine.core.threads import set_threads
from engine.nets import datasets, initializers, networks, race_cost, sweeps
from engine.nets import race as engine_race
from engine.optimizers import grids
from pages._common import optimizer_widgets as ow
from pages._common import run_policy, state
from pages._common.keys import race as keys
from pages._race.views import curves

RESULTS = "_rc_results"  # settings -> finished (or stopped) race, newest last
PARTIAL = "_rc_partial"  # (settings, the race so far), for the Stop button
GO = "_rc_go"  # settings to train on the next run (the rerun button after a stop)
LIVE = "_rc_live"  # Run was pressed once: short races now follow the controls
KEEP = 4


class Stopped(NamedTuple):
    """A race or sweep stopped with nothing to show: a stopped race keeps its curves unless it
    had none yet; a stopped sweep keeps nothing (its final losses need every step)."""

    mode: str

    @property
    def text(self) -> str:
        if self.mode == "sweep":
            return "The sweep was stopped before it finished: its final losses need every step."
        return "The race was stopped before its first step."


class Settings(NamedTuple):
    """Everything a race depends on. A NamedTuple, not a dataclass: this script re-runs and
    re-creates the class, and dataclass equality needs the same class, tuples do not."""

    mode: str
    data: tuple
    config: networks.MLPConfig
    opts: tuple
    steps: int
    batch: int | None
    seed: int
    sweep: tuple


def sidebar() -> Settings:
    st.header("Data")
    name = st.selectbox("Data set", datasets.names(), key=keys.DATASET.key)
    digits = name == "digits"
    n = st.slider("Points", 40, keys.MAX_N, step=20, key=keys.N.key,
                  help=f"digits has {datasets.DIGITS_N} images at most")  # fmt: skip
    noise = st.slider("Noise", 0.0, 1.0, step=0.05, key=keys.NOISE.key, disabled=digits)
    many = name in ("spirals", "gaussians")
    classes = st.slider("Classes", 2, 6, key=keys.CLASSES.key, disabled=not many)
    st.header("Network")
    depth = st.slider("Hidden layers", 1, keys.MAX_DEPTH, key=keys.DEPTH.key)
    width = st.select_slider("Width", _with(keys.WIDTHS, keys.WIDTH), key=keys.WIDTH.key)
    act = st.selectbox("Activation", activations.names(), key=keys.ACTIVATION.key)
    init = st.selectbox("Initialisation", initializers.NAMES, key=keys.INIT.key)
    bn = st.toggle("Batch norm", key=keys.BATCHNORM.key)
    st.header("Training")
    steps = st.slider("Steps", 10, keys.MAX_STEPS, step=10, key=keys.STEPS.key)
    batch = st.number_input(
        "Batch size (0 = full batch)", 0, datasets.DIGITS_N, step=8, key=keys.BATCH.key
    )
    seed = st.number_input("Seed", 0, 10**6, key=keys.SEED.key, help="weights, data and batches")
    st.header("Optimizers")
    picked = ow.picker(keys.PREFIX, st)
    shared = ow.shared_lr_widgets(keys.PREFIX, st)
    for opt in picked:
        lr = shared if shared is not None else ow.hyper(keys.PREFIX, opt)["lr"]
        with st.expander(f"**{opt}** · η = {lr:.3g}"):
            st.caption(optimizers.describe(opt))
            ow.hyper_widgets(keys.PREFIX, opt, st, lr_locked=shared is not None)
    sweep = ()
    if state.value(keys.MODE) == "sweep":
        st.header("Sweep")
        lo, hi = st.columns(2)
        for col, label, field in ((lo, "From η", keys.SWEEP_LO), (hi, "To η", keys.SWEEP_HI)):
            grid = grids.log_ladder(1e-6, 10.0, state.value(field))
            col.select_slider(label, grid, key=field.key, format_func="{:.3g}".format)
        st.slider("Learning rates", 3, keys.MAX_SWEEP, key=keys.SWEEP_N.key)
        sweep = (state.value(keys.SWEEP_LO), state.value(keys.SWEEP_HI), state.value(keys.SWEEP_N))
    out_dim = datasets.n_classes(name, classes if many else None)
    config = networks.MLPConfig(datasets.in_dim(name), out_dim, depth, width, act, init, bn)
    return Settings(
        mode=state.value(keys.MODE),
        data=(name, int(n), 0.0 if digits else float(noise), int(classes) if many else None),
        config=config,
        opts=ow.settings(keys.PREFIX, picked, shared),
        steps=int(steps),
        batch=int(batch) or None,
        seed=int(seed),
        sweep=sweep,
    )


@st.cache_data(max_entries=8)
def load(data: tuple, seed: int) -> datasets.Split:
    name, n, noise, classes = data
    n = min(n, datasets.max_n(name))
    X, y = datasets.make(name, n, noise, seed, classes=classes, device="cpu")
    return datasets.split(X, y, 0.25, seed=seed)


def _remember(key: Settings, result) -> None:
    # A fresh dict assigned back: session_state.setdefault does not persist from a callback.
    results = {k: v for k, v in st.session_state.get(RESULTS, {}).items() if k != key}
    results[key] = result
    while len(results) > KEEP:
        results.pop(next(iter(results)))
    st.session_state[RESULTS] = results


def _stop(key: Settings) -> None:
    """Keep the race so far; a stopped sweep has no final losses, so it keeps only a note
    (as does a race stopped before its first update)."""
    partial = st.session_state.get(PARTIAL)
    if key.mode == "race" and partial is not None and partial[0] == key:
        _remember(key, dataclasses.replace(partial[1], stopped=True))
    else:
        _remember(key, Stopped(key.mode))


def forget(key: Settings) -> None:
    results = st.session_state.get(RESULTS, {})
    st.session_state[RESULTS] = {k: v for k, v in results.items() if k != key}


def _with(options: tuple, field) -> list:
    """``options`` plus the field's current value (from a link), so the widget accepts it."""
    return sorted({*options, state.value(field)})


def networks_count(s: Settings) -> int:
    """How many networks the race (or sweep) trains: one per optimizer and learning rate."""
    return len(s.opts) * (s.sweep[2] if s.mode == "sweep" else 1)


def estimate(s: Settings, split: datasets.Split) -> float:
    """A rough time for the race on this CPU, in seconds."""
    train, test = len(split.X_train), len(split.X_test) if split.X_test is not None else 0
    return race_cost.estimate_seconds(s.config, train, test, s.steps, networks_count(s), s.batch)


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


def rerun_button(s: Settings, label: str) -> None:
    st.button(label, on_click=_request, args=(s,), key="rc_rerun", icon=":material/replay:")


def _ready(s: Settings, split: datasets.Split) -> bool:
    """Whether to train now; otherwise draw what Run will do (or why it cannot).

    Nothing trains when the page opens: the first race waits for Run. After that, a race
    estimated under run_policy's live limit follows the controls; a longer one waits again.
    """
    if s.mode == "sweep":
        try:
            sweeps.check_sweep_size(len(s.opts), s.sweep[2])
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


def run(s: Settings, split: datasets.Split):
    """The race (or sweep) for ``s``: from session state, trained now with live progress, or
    None while it waits for Run."""
    done = st.session_state.get(RESULTS, {}).get(s)
    if done is not None:
        return done
    if not _ready(s, split):
        return None
    st.session_state[LIVE] = True  # a Run press: from now on, short races follow the controls
    opts = ow.build(s.opts)
    panel = st.empty()  # progress, Stop and the live curve: cleared when the race ends
    with panel.container():
        bar_col, stop_col = st.columns([6, 1], vertical_alignment="center")
        n = networks_count(s)
        bar = bar_col.progress(0.0, text=f"Training {n} network{'s' * (n > 1)}…")
        stop_col.button("Stop", key="rc_stop", on_click=_stop, args=(s,), icon=":material/stop:")
        live = st.empty()

    def callback(t: int, partial) -> None:
        st.session_state[PARTIAL] = (s, partial)
        bar.progress((t + 1) / s.steps, text=f"Step {t + 1} of {s.steps}")
        if s.mode == "race":
            live.plotly_chart(curves(partial), key=f"rc_live_{t}", width="stretch")

    every = max(1, s.steps // 15)
    kw = dict(batch_size=s.batch, seed=s.seed, callback=callback, callback_every=every)
    try:
        with set_threads(1):
            if s.mode == "sweep":
                lo, hi, n = s.sweep
                lrs = grids.lr_grid(min(lo, hi), max(lo, hi), n)
                settings = [(name, dict(items)) for name, items in s.opts]
                result = sweeps.lr_sweep(s.config, split, settings, lrs, s.steps, **kw)
            else:
                result = engine_race.race(s.config, split, opts, s.steps, **kw)
    except Exception:
        # A failure leaves no progress bar or Stop button behind. (Stop and reruns are not
        # Exceptions: they pass, and the Stop button's callback still finds PARTIAL.)
        panel.empty()
        st.session_state.pop(PARTIAL, None)
        raise
    panel.empty()
    st.session_state.pop(PARTIAL, None)
    _remember(s, result)
    return result
