"""Glue of the Optimizer race page: its sidebar, the live race with Stop, and the result views.

widgets -> engine.race (one batched run, live through its callback) -> viz.race_plots.
Results are kept per settings in session state, so a rerun redraws without training again;
Stop keeps the partial race.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np
import streamlit as st

from engine import activations, datasets, initializers, networks, optimizers, race_tools
from engine import race as engine_race
from pages._shared import optimizer_widgets as ow
from pages._shared import state
from pages._shared.keys import race as keys
from viz.colors import optimizer_color
from viz.race_plots import boundaries_figure, curves_figure, grad_norms_figure, sweep_figure

RESULTS = "_rc_results"  # settings -> finished (or stopped) race, newest last
PARTIAL = "_rc_partial"  # (settings, the race so far), for the Stop button
KEEP = 4
STOPPED = "stopped"


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
            grid = ow.log_options(1e-6, 10.0, state.value(field))
            col.select_slider(label, grid, key=field.key, format_func="{:.3g}".format)
        st.slider("Learning rates", 3, keys.MAX_SWEEP, key=keys.SWEEP_N.key)
        sweep = (state.value(keys.SWEEP_LO), state.value(keys.SWEEP_HI), state.value(keys.SWEEP_N))
    out_dim = datasets.n_classes(name, classes if many else None)
    config = networks.MLPConfig(64 if digits else 2, out_dim, depth, width, act, init, bn)
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
    n = min(n, datasets.DIGITS_N) if name == "digits" else n
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
        _remember(key, STOPPED)


def forget(key: Settings) -> None:
    results = st.session_state.get(RESULTS, {})
    st.session_state[RESULTS] = {k: v for k, v in results.items() if k != key}


def _with(options: tuple, field) -> list:
    """``options`` plus the field's current value (from a link), so the widget accepts it."""
    return sorted({*options, state.value(field)})


def _colors(names: list[str]) -> list[str]:
    return [optimizer_color(n) for n in names]


def run(s: Settings, split: datasets.Split):
    """The race (or sweep) for ``s``: from session state, or trained now with live progress."""
    done = st.session_state.get(RESULTS, {}).get(s)
    if done is not None:
        return done
    opts = ow.build(s.opts)
    total = len(opts) * (s.sweep[2] if s.mode == "sweep" else 1)
    panel = st.empty()  # progress, Stop and the live curve: cleared when the race ends
    with panel.container():
        bar_col, stop_col = st.columns([6, 1], vertical_alignment="center")
        bar = bar_col.progress(0.0, text=f"Training {total} networks…")
        stop_col.button("Stop", key="rc_stop", on_click=_stop, args=(s,), icon=":material/stop:")
        live = st.empty()

    def callback(t: int, partial) -> None:
        st.session_state[PARTIAL] = (s, partial)
        bar.progress((t + 1) / s.steps, text=f"Step {t + 1} of {s.steps}")
        if s.mode == "race":
            live.plotly_chart(_curves(partial), key=f"rc_live_{t}", width="stretch")

    every = max(1, s.steps // 15)
    kw = dict(batch_size=s.batch, seed=s.seed, callback=callback, callback_every=every)
    if s.mode == "sweep":
        lo, hi, n = s.sweep
        lrs = np.geomspace(min(lo, hi), max(lo, hi), n)
        settings = [(name, dict(items)) for name, items in s.opts]
        result = race_tools.lr_sweep(s.config, split, settings, lrs, s.steps, **kw)
    else:
        result = engine_race.race(s.config, split, opts, s.steps, **kw)
    panel.empty()
    st.session_state.pop(PARTIAL, None)
    _remember(s, result)
    return result


PANELS = {
    "training loss": "train_loss",
    "test loss": "test_loss",
    "training accuracy": "train_acc",
    "test accuracy": "test_acc",
}


def _curves(res):
    """Loss and accuracy, training and test, one curve per optimizer (live and final)."""
    panels = {t: [res.curve(f, k) for k in range(len(res.labels))] for t, f in PANELS.items()}
    return curves_figure(
        res.labels, _colors(res.names), panels, res.diverged_at,
        log_y=("training loss", "test loss"), percent=("training accuracy", "test accuracy"),
    )  # fmt: skip


def show_race(s: Settings, res, split: datasets.Split) -> None:
    colors = _colors(res.names)
    K = len(res.labels)
    st.plotly_chart(_curves(res), key="rc_curves", width="stretch")
    target = st.select_slider(
        "Target training loss", ow.log_options(1e-4, 10.0, state.value(keys.TARGET)),
        key=keys.TARGET.key,
        format_func="{:.3g}".format, help="The summary counts the steps each optimizer needs.",
    )  # fmt: skip
    rows = race_tools.summary(res, target)
    for row in rows:  # words, not "None", for what did not happen
        row["steps to target"] = (
            "not reached" if row["steps to target"] is None else str(row["steps to target"])
        )
        row["diverged at"] = "no" if row["diverged at"] is None else f"step {row['diverged at']}"
    st.dataframe(
        rows, hide_index=True, width="stretch",
        column_config={
            "final accuracy": st.column_config.NumberColumn(format="percent"),
            "best accuracy": st.column_config.NumberColumn(format="percent"),
            "final train loss": st.column_config.NumberColumn(format="%.4f"),
            "seconds to target": st.column_config.NumberColumn(format="%.2f s"),
        },
    )  # fmt: skip
    for k in np.flatnonzero(res.diverged_at >= 0):
        st.warning(f"**{res.labels[k]}** diverged at step {res.diverged_at[k]}: it is frozen "
                   "there while the others go on. Try a smaller learning rate.")  # fmt: skip
    st.subheader("Gradient norm per layer")
    st.caption("‖∂L/∂W‖ of each hidden layer's weights, input layer first: where gradients "
               "vanish or explode, and how each optimizer changes them.")  # fmt: skip
    grads = [res.curve("grad_norms", k) for k in range(K)]
    st.plotly_chart(grad_norms_figure(res.labels, colors, grads, res.diverged_at),
                    key="rc_grads", width="stretch")  # fmt: skip
    if s.config.in_dim == 2:
        st.subheader("Decision boundaries")
        bounds = race_tools.data_bounds(split.X_train)
        xs, ys, probs = race_tools.decision_grids(res, bounds, n=60)
        X, y = split.X_train.cpu().numpy(), split.y_train.cpu().numpy()
        st.plotly_chart(boundaries_figure(res.labels, colors, xs, ys, probs, X, y),
                        key="rc_bounds", width="stretch")  # fmt: skip
    st.download_button(
        "Download the curves (CSV)", race_tools.curves_csv(res), "race.csv", "text/csv",
        icon=":material/download:", key="rc_csv",
    )  # fmt: skip


def show_sweep(sw) -> None:
    colors = _colors(sw.names)
    st.plotly_chart(sweep_figure(sw.names, colors, sw.lrs, sw.final_loss, sw.diverged_at),
                    key="rc_sweep", width="stretch")  # fmt: skip
    st.caption("Final loss of each network on the whole training set, after the race, against "
               "its learning rate. Crosses along the top: the learning rate diverged.")  # fmt: skip
    if sw.final_test_loss.shape[1]:
        test = sweep_figure(sw.names, colors, sw.lrs, sw.final_test_loss, sw.diverged_at,
                            title="final test loss")  # fmt: skip
        st.plotly_chart(test, key="rc_sweep_test", width="stretch")
    st.download_button(
        "Download the sweep's curves (CSV)", race_tools.curves_csv(sw.result), "sweep.csv",
        "text/csv", icon=":material/download:", key="rc_csv",
    )  # fmt: skip
