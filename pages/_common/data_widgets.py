"""The data and schedule controls that the network pages share (gradient flow, landscape).

Both pages train on the same generated data sets (engine.nets.datasets) with a seed and a step
count; their fields differ only in bounds and wording, which the page passes in.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from engine.core.i18n import _
from engine.nets import datasets
from pages._common import words
from pages._common.state import Field


def data_widgets(
    fields: dict[str, Field],
    on_change: Callable[[], None],
    max_n: int,
    max_steps: int,
    steps_step: int,
    seed_label: str,
) -> None:
    """Data set, samples, noise, seed and steps, keyed by ``fields`` (``dataset``, ``n``,
    ``noise``, ``seed``, ``steps``); ``seed_label`` is already translated."""
    st.selectbox(
        _("Data set"),
        datasets.names(),
        key=fields["dataset"].key,
        on_change=on_change,
        format_func=words.dataset,
    )
    st.slider(_("Samples"), 20, max_n, step=10, key=fields["n"].key, on_change=on_change)
    st.slider(_("Noise"), 0.0, 2.0, step=0.05, key=fields["noise"].key, on_change=on_change)
    st.number_input(seed_label, 0, 999_999, key=fields["seed"].key, on_change=on_change)
    st.number_input(
        _("Steps"), 1, max_steps, step=steps_step, key=fields["steps"].key, on_change=on_change
    )
