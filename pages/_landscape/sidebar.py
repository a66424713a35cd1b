"""Sidebar widgets of the Loss landscape page: data and training, the view, one block per network.

Every widget is keyed by its URL field (pages/_common/keys/landscape.py).
"""

from __future__ import annotations

import streamlit as st

from engine import activations, optimizers
from engine.core.i18n import N_, _
from engine.nets import landscape_presets as presets
from pages._common import words
from pages._common.data_widgets import data_widgets
from pages._common.keys import landscape as K
from pages._landscape.settings import settings_changed as changed

PLANES = {"random": N_("two random directions"), "pca": N_("the training path's PCA plane")}
NORMS = {
    "filter": N_("filter-wise (Li et al.)"),
    "layer": N_("layer-wise"),
    "none": N_("none (raw Gaussian)"),
}


def net_widgets(fields: dict) -> None:
    st.slider(_("Hidden layers"), 1, presets.MAX_DEPTH, key=fields["depth"].key, on_change=changed)
    st.slider(
        _("Units per layer"), 1, presets.MAX_WIDTH, key=fields["width"].key, on_change=changed
    )
    st.selectbox(
        _("Activation"),
        activations.names(),
        key=fields["activation"].key,
        on_change=changed,
        format_func=words.activation,
    )
    st.toggle(_("Batch norm"), key=fields["batchnorm"].key, on_change=changed)
    st.toggle(_("Residual connections (skips)"), key=fields["residual"].key, on_change=changed)
    st.selectbox(_("Optimizer"), optimizers.names(), key=fields["optimizer"].key, on_change=changed)
    st.number_input(
        _("Learning rate"), 1e-5, 10.0, step=0.001, format="%.5g", key=fields["lr"].key,
        on_change=changed,
    )  # fmt: skip
    st.number_input(
        _("Batch size (0 = full batch)"), 0, presets.MAX_N, step=8, key=fields["batch_size"].key,
        on_change=changed,
    )  # fmt: skip


def sidebar() -> None:
    """Data and training, the view, and the networks (A, and B when comparing)."""
    st.header(_("Data and training"))
    data_widgets(K.DATA, changed, presets.MAX_N, presets.MAX_STEPS, 20,
                 _("Seed (data, weights, batches)"))  # fmt: skip
    st.header(_("Landscape"))
    st.radio(_("Plane"), list(PLANES), format_func=lambda k: _(PLANES[k]), key=K.VIEW["plane"].key,
             on_change=changed)  # fmt: skip
    random_plane = st.session_state[K.VIEW["plane"].key] == "random"
    st.selectbox(_("Direction normalisation"), list(NORMS), format_func=lambda k: _(NORMS[k]),
                 key=K.VIEW["norm"].key, on_change=changed, disabled=not random_plane)  # fmt: skip
    st.slider(_("Span of α and β"), 0.05, 10.0, step=0.05, key=K.VIEW["span"].key,
              on_change=changed, disabled=not random_plane)  # fmt: skip
    st.number_input(_("Direction seed"), 0, 999_999, key=K.VIEW["direction_seed"].key,
                    on_change=changed, disabled=not random_plane)  # fmt: skip
    st.toggle(_("Show the 3D surfaces too"), key=K.SHOW_3D.key)
    st.slider(_("Grid points per side"), 5, K.MAX_SIDE, step=2, key=K.VIEW["side"].key,
              on_change=changed)  # fmt: skip
    st.slider(
        _("Sharpness ball radius (share of ‖θ*‖)"), 0.001, 1.0, step=0.001, format="%.3f",
        key=K.VIEW["radius"].key, on_change=changed,
    )  # fmt: skip
    st.toggle(_("Compare network A with B"), key=K.COMPARE.key, on_change=changed)
    if st.session_state[K.COMPARE.key]:
        tab_a, tab_b = st.tabs([_("Network A"), _("Network B")])
        with tab_a:
            net_widgets(K.A)
        with tab_b:
            net_widgets(K.B)
    else:
        st.header(_("Network"))
        net_widgets(K.A)
