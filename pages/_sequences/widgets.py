"""Sidebar widgets of the Gradients through time page, each keyed by its URL field."""

from __future__ import annotations

import streamlit as st

from engine import optimizers
from engine.core.i18n import N_, _
from engine.optimizers.grids import log_ladder
from engine.sequences import models, presets, tasks
from pages._common.keys import sequences as K
from pages._sequences.urlstate import position
from pages._sequences.urlstate import settings_changed as changed

INITS = {  # English, marked N_(): shown with _()
    "default": N_("torch default U(±1/√H)"),
    "orthogonal": N_("orthogonal × ρ"),
    "identity": N_("identity × ρ (IRNN)"),
    "scaled": N_("Gaussian scaled to ρ"),
}


def _task_title(name: str) -> str:
    return _("{name}: {title}").format(name=name, title=_(tasks.get(name).title))


def sidebar() -> None:
    """Task, cells, recurrent initialisation, training; every widget is a URL field."""
    f = K.SETTINGS
    st.header(_("Task"))
    st.selectbox(
        _("Task"), tasks.names(), format_func=_task_title, key=f["task"].key, on_change=changed
    )
    st.slider(_("Sequence length T"), tasks.MIN_T, tasks.MAX_T, key=f["T"].key, on_change=changed)
    st.header(_("Networks"))
    st.multiselect(
        _("Cell types"), models.CELLS, format_func=presets.CELL_TITLES.get, key=f["cells"].key,
        on_change=changed,
    )  # fmt: skip
    st.slider(_("Hidden size H"), 1, K.MAX_HIDDEN, key=f["hidden"].key, on_change=changed)
    st.slider(_("Layers"), 1, models.MAX_LAYERS, key=f["layers"].key, on_change=changed)
    st.selectbox(
        _("Recurrent matrix W_hh"), models.INITS, format_func=lambda k: _(INITS[k]), key=f["init"].key,
        on_change=changed,
    )  # fmt: skip
    st.slider(
        _("Spectral radius ρ of W_hh"), 0.05, models.MAX_RADIUS, step=0.05, key=f["radius"].key,
        on_change=changed, disabled=st.session_state[f["init"].key] == "default",
        help=_("Every gate's block of W_hh is rescaled to this spectral radius (not with the "
        "torch default)."),
    )  # fmt: skip
    st.slider(
        _("LSTM forget-gate bias"), 0.0, 3.0, step=0.5, key=f["forget_bias"].key, on_change=changed,
        help=_("1 keeps the forget gate open at the start (Jozefowicz et al. 2015)."),
    )  # fmt: skip
    st.header(_("Training"))
    clip = float(st.session_state[f["clip"].key])
    st.session_state["sq_clip_on"] = clip > 0  # follows the field (a preset or link sets it)
    if st.toggle(_("Clip the gradient norm"), key="sq_clip_on", on_change=_toggle_clip):
        st.select_slider(
            _("Clipping threshold c"), log_ladder(min(0.01, clip), K.MAX_CLIP, clip),
            key=f["clip"].key, on_change=changed, format_func=lambda v: f"{v:g}",
            help=_("Pascanu et al. (2013): rescale g to norm c when its norm exceeds c."),
        )  # fmt: skip
    st.selectbox(_("Optimizer"), optimizers.names(), key=f["optimizer"].key, on_change=changed)
    st.select_slider(
        _("Learning rate η"), log_ladder(1e-5, 10.0, st.session_state[f["lr"].key]),
        key=f["lr"].key, on_change=changed, format_func=lambda v: f"{v:g}",
    )  # fmt: skip
    st.number_input(
        _("Training steps"), 1, K.MAX_STEPS, step=50, key=f["steps"].key, on_change=changed
    )
    st.number_input(_("Batch size"), 1, K.MAX_BATCH, step=8, key=f["batch"].key, on_change=changed)
    st.number_input(_("Seed (data and weights)"), 0, 999_999, key=f["seed"].key, on_change=changed)


def _toggle_clip() -> None:
    """Switching clipping on starts at c = 1; off stores 0 (the URL's "no clipping")."""
    key = K.SETTINGS["clip"].key
    st.session_state[key] = 1.0 if st.session_state["sq_clip_on"] else 0.0
    changed()


def position_slider(T: int) -> int:
    """The connectivity's output position τ (1-based); the URL stores 0 for "the last step",
    so a link keeps meaning the end of the sequence when T changes."""
    st.session_state["sq_pos_slider"] = position(T)
    if T > 1:
        st.slider(_("Output position τ"), 1, T, key="sq_pos_slider", on_change=_moved, args=(T,))
    return position(T)


def _moved(T: int) -> None:
    value = st.session_state["sq_pos_slider"]
    st.session_state[K.POSITION.key] = 0 if value == T else value
