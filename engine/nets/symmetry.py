"""Zero (or any constant) initialisation: the symmetry between units never breaks.

When every weight of a layer starts equal, every unit of the layer computes the same output and
receives the same gradient, so one update keeps them equal, and so does the next: the units
stay copies for the whole run, whatever the optimizer. :func:`measure` trains a configuration
and reports, per hidden layer, the largest gap between two units' outputs (see
``engine.nets.probes``' ``unit_similarity``) before and after training, and the largest gap
between two units' incoming weight rows after training: exactly 0 for a constant start.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from engine.nets import presets
from engine.nets.history import History


class Symmetry(NamedTuple):
    before: np.ndarray  # (depth,) largest gap between two units' outputs at initialisation
    after: np.ndarray  # (depth,) the same after training
    weight_gap: np.ndarray  # (depth,) largest gap between two units' weight rows after training
    history: History


def row_gaps(state: dict[str, torch.Tensor], depth: int) -> np.ndarray:
    """Per hidden layer, :math:`\\max_{j} (\\max_i W_{ij} - \\min_i W_{ij})` over the rows
    :math:`i` (units) of ``hidden.l.weight``: 0 exactly when every unit has the same weights."""
    gaps = []
    for layer in range(depth):
        w = state[f"hidden.{layer}.weight"].detach().double()
        gaps.append(float((w.amax(0) - w.amin(0)).max()))
    return np.array(gaps)


def measure(net: presets.NetSettings, data: presets.DataSettings) -> Symmetry:
    """Train ``net`` on ``data`` (``engine.nets.presets.run``) and measure its units' symmetry."""
    before = presets.initial_report(net, data).unit_similarity
    history = presets.run(net, data)
    after = presets.final_report(history, net, data).unit_similarity
    return Symmetry(before, after, row_gaps(history.model, net.depth), history)
