"""Optimizers as pure functions over tensors, matching ``torch.optim`` step for step (or, where
torch.optim has none, an independent implementation: see tests/engine/optimizers/).

>>> opt = create("adam", lr=0.1)
>>> state = opt.init(params)
>>> params, state = opt.step(params, grads, state)

Every numeric hyperparameter may be a float or a tensor that broadcasts over the leading dims
of the parameters (shape (B,) with params (B, S, 2)), so one batched run sweeps a setting;
:mod:`~engine.optimizers.grouping` turns same-kind optimizers into one such batched optimizer.
Optimizers that take a norm or a matrix per model (Muon, Adafactor, LAMB, SWATS, Prodigy) need
to know which leading dims separate models: ``init``/``step`` take ``batch_dims``.
``group(name)`` files each optimizer under one of ``GROUPS`` for a picker; ``traits(name)``
says what a page needs to know about it (its learning rates per kind of problem, what its
state holds). The maths the optimizers share is in :mod:`~engine.optimizers.primitives`,
learning-rate grids in :mod:`~engine.optimizers.grids`, schedules in
:mod:`~engine.optimizers.schedules`.
"""

from . import grids, grouping, primitives, schedules
from .base import GROUPS, Optimizer
from .registry import (
    PROBLEMS,
    Traits,
    create,
    describe,
    formula,
    group,
    hyper_specs,
    names,
    symbols,
    traits,
)
from .specs import HyperSpec

__all__ = [
    "GROUPS",
    "PROBLEMS",
    "HyperSpec",
    "Optimizer",
    "Traits",
    "create",
    "describe",
    "formula",
    "grids",
    "group",
    "grouping",
    "hyper_specs",
    "names",
    "primitives",
    "schedules",
    "symbols",
    "traits",
]
