"""Recurrent networks and gradients through time.

A plain RNN multiplies the backward signal by :math:`W_{hh}^\\top \\operatorname{diag}(\\phi')`
at every step back in time, so :math:`\\lVert \\partial L / \\partial h_t \\rVert` shrinks or
grows geometrically; the LSTM's forget gate and the GRU's update gate add a path that is
multiplied by the gate instead, and stays open when the gate is near 1. This package builds
seeded RNN, LSTM and GRU models (:mod:`.models`), generates the tasks that need memory
(:mod:`.tasks`), measures the signal through time with autograd (:mod:`.probes`), trains with
any engine optimizer (:mod:`.training`), and holds the page's settings and classic experiments
(:mod:`.presets`, :mod:`.texts`).

>>> from engine.sequences import SeqConfig, train
>>> h = train(SeqConfig("lstm", hidden=32, forget_bias=1.0), "adding", T=50, steps=300)
>>> h.grad_h.shape          # (probe rows, T): the heatmap over time step and training step
"""

from engine.sequences.models import CELLS, INITS, SeqConfig, SeqModel, build, unroll
from engine.sequences.presets import CELL_TITLES, Preset, Settings
from engine.sequences.probes import (
    Probe,
    connectivity,
    decay_rate,
    predicted_rate,
    probe,
    span,
    spectral_radius,
)
from engine.sequences.tasks import Task
from engine.sequences.training import SeqHistory, race, train

__all__ = [
    "CELLS",
    "CELL_TITLES",
    "INITS",
    "Preset",
    "Probe",
    "SeqConfig",
    "SeqHistory",
    "SeqModel",
    "Settings",
    "Task",
    "build",
    "connectivity",
    "decay_rate",
    "predicted_rate",
    "probe",
    "race",
    "span",
    "spectral_radius",
    "train",
    "unroll",
]
