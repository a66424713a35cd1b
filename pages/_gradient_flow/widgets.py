"""Sidebar widgets of the Gradient flow page: data, training, and one network per configuration.

Every widget is keyed by its URL field (pages/_common/keys/gradient_flow.py) and marks the
settings as changed, so a preset's note can say when the settings no longer match it.
"""

import streamlit as st

from engine import activations
from engine.core.i18n import _
from engine.nets import initializers, losses, presets
from engine.nets.networks import MAX_DEPTH, MAX_WIDTH
from pages._common import optimizer_widgets as ow
from pages._common import words
from pages._common.data_widgets import data_widgets
from pages._common.keys import gradient_flow as K
from pages._gradient_flow.settings import settings_changed

changed = settings_changed


def net_widgets(fields: dict) -> None:
    st.slider(_("Hidden layers"), 1, MAX_DEPTH, key=fields["depth"].key, on_change=changed)
    st.slider(_("Units per layer"), 1, MAX_WIDTH, key=fields["width"].key, on_change=changed)
    st.selectbox(
        _("Activation"),
        activations.names(),
        key=fields["activation"].key,
        on_change=changed,
        format_func=words.activation,
    )
    st.selectbox(
        _("Initialisation"),
        initializers.names(),
        key=fields["init"].key,
        on_change=changed,
        format_func=words.init,
    )
    st.number_input(
        _("Init scale (σ of normal, a of uniform, c of constant)"),
        0.0,
        10.0,
        step=0.05,
        format="%.4g",
        key=fields["init_scale"].key,
        on_change=changed,
    )
    st.toggle(_("Batch norm"), key=fields["batchnorm"].key, on_change=changed)
    st.toggle(_("Residual connections"), key=fields["residual"].key, on_change=changed)
    st.slider(_("Dropout"), 0.0, 0.9, step=0.05, key=fields["dropout"].key, on_change=changed)
    st.selectbox(
        _("Loss"),
        losses.names(),
        format_func=words.loss,
        key=fields["loss"].key,
        on_change=changed,
    )
    st.selectbox(
        _("Optimizer"), ow.grouped(), format_func=ow.option_label, key=fields["optimizer"].key,
        on_change=changed,
    )  # fmt: skip
    st.number_input(
        _("Learning rate"),
        1e-5,
        10.0,
        step=0.01,
        format="%.5g",
        key=fields["lr"].key,
        on_change=changed,
    )


def describe(net: presets.NetSettings) -> str:
    extras = [x for x, on in (("BN", net.batchnorm), (_("residual"), net.residual)) if on]
    init = words.init(net.init)
    parts = [f"{net.depth}×{net.width} {net.activation}", init, *extras, net.loss]
    return " · ".join([*parts, f"{net.optimizer} lr {net.lr:g}"])


def sidebar() -> None:
    """Data, training and network settings (A, and B in compare mode), all URL fields."""
    st.header(_("Data and training"))
    data_widgets(K.DATA, changed, K.MAX_N, K.MAX_STEPS, 50, _("Seed (data and weights)"))
    st.number_input(
        _("Batch size (0 = full batch)"), 0, K.MAX_N, step=16, key=K.DATA["batch_size"].key,
        on_change=changed,
    )  # fmt: skip
    st.toggle(_("Compare A with B"), key=K.COMPARE.key, on_change=changed)
    if st.session_state[K.COMPARE.key]:
        tab_a, tab_b = st.tabs([_("Configuration A"), _("Configuration B")])
        with tab_a:
            net_widgets(K.A)
        with tab_b:
            net_widgets(K.B)
    else:
        st.header(_("Network"))
        net_widgets(K.A)
