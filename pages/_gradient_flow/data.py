"""Cached engine calls of the Gradient flow page: initial reports and the training points.

Both go through ``st.cache_data`` (bounded in count; the values are small numpy records).
Trained runs live in their own store (pages/_gradient_flow/runs.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from engine.core.device import resolve
from engine.core.threads import set_threads
from engine.nets import datasets, presets, probes


def on_cpu() -> bool:
    """Whether training runs on the CPU (the time estimate is for a CPU)."""
    return resolve(None).type == "cpu"


@st.cache_data(max_entries=64, show_spinner=False)
def initial_report(net: presets.NetSettings, data: presets.DataSettings) -> probes.LayerReport:
    with set_threads(1):
        return presets.initial_report(net, data)


@st.cache_data(max_entries=16, show_spinner=False)
def points(data: presets.DataSettings) -> tuple[np.ndarray, np.ndarray, Any]:
    """Training points as numpy, and the plot box of a 2D data set (None otherwise)."""
    split = presets.make_split(data, device="cpu")
    X, y = split.X_train, split.y_train
    box = datasets.bounds(X) if X.shape[1] == 2 else None
    return X.numpy().astype(np.float32), y.numpy(), box
