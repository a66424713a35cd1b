"""Dead ReLUs: units that never fire again once a large step pushed them below zero.

A ReLU unit whose input is negative on every sample has slope 0 everywhere, so it passes no
gradient to its own weights and cannot recover: the ``dead`` probe of ``engine.nets.probes``.
:func:`share_over_training` turns a run's per-layer dead shares into the share of all hidden
units, step by step; :func:`final_share` measures the trained network on the whole training
set. A too-large learning rate kills many units in its first steps; a small one few.
"""

from __future__ import annotations

import numpy as np

from engine.nets import presets
from engine.nets.history import History


def share_over_training(history: History) -> tuple[np.ndarray, np.ndarray]:
    """``(probe_steps, share)``: the share of all hidden units that are dead at each probe.

    Every hidden layer has the same width, so the share of all units is the layers' mean.
    """
    dead = np.asarray(history.dead, dtype=np.float64)
    share = dead.mean(1) if dead.size else np.zeros(len(history.probe_steps))
    return np.asarray(history.probe_steps), share


def final_share(history: History, net: presets.NetSettings, data: presets.DataSettings) -> float:
    """The share of hidden units of the trained network that are dead on the training set."""
    return float(np.mean(presets.final_report(history, net, data).dead))
