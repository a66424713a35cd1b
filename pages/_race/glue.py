"""The Optimizer race page's sidebar: its settings, the data set they name, and the time they take.

:func:`sidebar` draws every control and returns a hashable :class:`Settings`; the run gate, the
live race and Stop are in pages/_race/runs.py, the views of a result in pages/_race/views.py.
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from engine import activations, optimizers
from engine.core.i18n import _
from engine.nets import datasets, initializers, networks, race_cost
from engine.optimizers import grids
from pages._common import optimizer_widgets as ow
from pages._common import state, words
from pages._common.keys import race as keys


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
    st.header(_("Data"))
    name = st.selectbox(
        _("Data set"), datasets.names(), key=keys.DATASET.key, format_func=words.dataset
    )
    digits = name == "digits"
    n = st.slider(_("Points"), 40, keys.MAX_N, step=20, key=keys.N.key,
                  help=_("digits has {n} images at most").format(n=datasets.DIGITS_N))  # fmt: skip
    noise = st.slider(_("Noise"), 0.0, 1.0, step=0.05, key=keys.NOISE.key, disabled=digits)
    many = name in ("spirals", "gaussians")
    classes = st.slider(_("Classes"), 2, 6, key=keys.CLASSES.key, disabled=not many)
    st.header(_("Network"))
    depth = st.slider(_("Hidden layers"), 1, keys.MAX_DEPTH, key=keys.DEPTH.key)
    width = st.select_slider(_("Width"), _with(keys.WIDTHS, keys.WIDTH), key=keys.WIDTH.key)
    act = st.selectbox(
        _("Activation"),
        activations.names(),
        key=keys.ACTIVATION.key,
        format_func=words.activation,
    )
    init = st.selectbox(
        _("Initialisation"), initializers.NAMES, key=keys.INIT.key, format_func=words.init
    )
    bn = st.toggle(_("Batch norm"), key=keys.BATCHNORM.key)
    st.header(_("Training"))
    steps = st.slider(_("Steps"), 10, keys.MAX_STEPS, step=10, key=keys.STEPS.key)
    batch = st.number_input(
        _("Batch size (0 = full batch)"), 0, datasets.DIGITS_N, step=8, key=keys.BATCH.key
    )
    seed = st.number_input(
        _("Seed"), 0, 10**6, key=keys.SEED.key, help=_("weights, data and batches")
    )
    st.header(_("Optimizers"))
    picked = ow.picker(keys.PREFIX, st)
    shared = ow.shared_lr_widgets(keys.PREFIX, st)
    for opt in picked:
        with ow.panel(keys.PREFIX, opt, st):
            st.caption(_(optimizers.describe(opt)))
            ow.hyper_widgets(keys.PREFIX, opt, st, lr_locked=shared is not None)
    sweep = ()
    if state.value(keys.MODE) == "sweep":
        st.header(_("Sweep"))
        lo, hi = st.columns(2)
        for col, label, field in ((lo, _("From η"), keys.SWEEP_LO), (hi, _("To η"), keys.SWEEP_HI)):
            grid = grids.log_ladder(1e-6, 10.0, state.value(field))
            col.select_slider(label, grid, key=field.key, format_func="{:.3g}".format)
        st.slider(_("Learning rates"), 3, keys.MAX_SWEEP, key=keys.SWEEP_N.key)
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
