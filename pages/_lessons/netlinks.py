"""What lessons 6-9 share: a cached network run and the Gradient flow page's link.

A lesson's networks are :class:`engine.nets.presets.NetSettings`, the settings the Gradient flow
page runs; the link writes every A and B field (and the data fields) in that page's URL fields
(pages/_common/keys/gradient_flow.py) with ``gf_preset=custom``, so the full page runs exactly
the lesson's configuration from the same seed and draws the same numbers.
"""

from __future__ import annotations

import streamlit as st

from engine.core.threads import set_threads
from engine.nets import presets
from engine.nets.history import History
from pages._common.keys import gradient_flow as K
from pages._lessons.frame import Link


@st.cache_data(max_entries=32, show_spinner=False)
def run(net: presets.NetSettings, data: presets.DataSettings) -> History:
    """``engine.nets.presets.run``, cached on the settings (the same run as the full page's)."""
    with set_threads(1):
        return presets.run(net, data)


def gradient_flow_link(
    a: presets.NetSettings,
    b: presets.NetSettings | None,
    data: presets.DataSettings,
    heatmap: str | None = None,
) -> Link:
    """The Gradient flow page comparing ``a`` with ``b`` (``a`` alone when ``b`` is None)."""
    query = {K.PRESET.key: K.CUSTOM, K.COMPARE.key: K.COMPARE.encode(b is not None)}
    if heatmap is not None:
        query[K.HEATMAP.key] = heatmap
    query.update({f.key: f.encode(getattr(data, attr)) for attr, f in K.DATA.items()})
    query.update({f.key: f.encode(getattr(a, attr)) for attr, f in K.A.items()})
    if b is not None:
        query.update({f.key: f.encode(getattr(b, attr)) for attr, f in K.B.items()})
    return Link("gradient_flow", query)
