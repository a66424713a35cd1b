"""Optimizers as pure functions over tensors, matching ``torch.optim`` step for step.

>>> opt = create("adam", lr=0.1)
>>> state = opt.init(params)
>>> params, state = opt.step(params, grads, state)

Every numeric hyperparameter may be a float or a tensor that broadcasts over the leading dims
of the parameters (shape (B,) with params (B, S, 2)), so one batched run sweeps a setting.
"""

from __future__ import annotations

from typing import Any

from . import adadelta, adagrad, adam, adamax, nadam, radam, rmsprop, sgd
from .base import SYMBOLS, Entry, HyperSpec, Optimizer, normalize

__all__ = [
    "DEFAULT_LR",
    "HyperSpec",
    "Optimizer",
    "create",
    "describe",
    "formula",
    "hyper_specs",
    "names",
    "symbols",
]

_MODULES = (sgd, adagrad, rmsprop, adadelta, adam, nadam, radam, adamax)
_REGISTRY: dict[str, Entry] = {e.name: e for module in _MODULES for e in module.ENTRIES}

#: A learning rate for the 2D surfaces: picked from a sweep (1e-3 .. 100, 200 steps from each
#: surface's default start) as one that reaches the minimum on the most surfaces without
#: diverging; the torch defaults are tuned for networks and barely move on most surfaces.
#: ``engine.surface_lrs`` scales it down on the surfaces where it fails.
DEFAULT_LR: dict[str, float] = {name: e.default_lr for name, e in _REGISTRY.items()}


def names() -> list[str]:
    """The registered optimizer names, in a stable teaching order."""
    return list(_REGISTRY)


def _entry(name: str) -> Entry:
    if name not in _REGISTRY:
        raise ValueError(f"Unknown optimizer: {name!r}; known: {', '.join(_REGISTRY)}")
    return _REGISTRY[name]


def hyper_specs(name: str) -> list[HyperSpec]:
    """The hyperparameters of ``name`` (torch.optim's names and defaults) with widget ranges."""
    return list(_entry(name).specs)


def create(name: str, **hyper: Any) -> Optimizer:
    """Build an optimizer; raises ``ValueError`` for an unknown name, key or invalid value."""
    entry = _entry(name)
    specs = {s.name: s for s in entry.specs}
    for key in hyper:
        if key not in specs:
            raise ValueError(
                f"Unknown hyperparameter for {name}: {key!r}; known: {', '.join(specs)}"
            )
    full = {k: normalize(s, hyper.get(k, s.default)) for k, s in specs.items()}
    entry.validate(full)
    return Optimizer(name=name, hyper=full, entry=entry)


def formula(name: str, **hyper: Any) -> str:
    """The LaTeX of the update that ``create(name, **hyper)`` runs, in the state's symbols."""
    opt = create(name, **hyper)
    return opt.entry.formula({**opt.hyper, **opt.entry.fixed})


def describe(name: str) -> str:
    """One plain-English sentence about ``name``, for the app."""
    return _entry(name).description


def symbols(name: str) -> dict[str, str]:
    """The LaTeX symbol of each state field of ``name``, as it appears in ``formula(name)``."""
    return {f: SYMBOLS[f] for f in _entry(name).state._fields}
