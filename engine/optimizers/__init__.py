"""Optimizers as pure functions over tensors, matching ``torch.optim`` step for step (or, where
torch.optim has none, an independent implementation: see tests/engine/optimizers/).

>>> opt = create("adam", lr=0.1)
>>> state = opt.init(params)
>>> params, state = opt.step(params, grads, state)

Every numeric hyperparameter may be a float or a tensor that broadcasts over the leading dims
of the parameters (shape (B,) with params (B, S, 2)), so one batched run sweeps a setting.
Optimizers that take a norm or a matrix per model (Muon, Adafactor, LAMB, SWATS, Prodigy) need
to know which leading dims separate models: ``init``/``step`` take ``batch_dims``.
``group(name)`` files each optimizer under one of ``GROUPS`` for a picker.
"""

from __future__ import annotations

from typing import Any

from . import (
    adabound,
    adadelta,
    adafactor,
    adagrad,
    adam,
    adamax,
    lamb,
    lion,
    lookahead,
    muon,
    nadam,
    prodigy,
    radam,
    rmsprop,
    rprop,
    schedule_free,
    sgd,
    swats,
)
from .base import GROUPS, SYMBOLS, Entry, HyperSpec, Optimizer, normalize

__all__ = [
    "DEFAULT_LR",
    "GROUPS",
    "HyperSpec",
    "Optimizer",
    "create",
    "describe",
    "formula",
    "group",
    "hyper_specs",
    "names",
    "symbols",
]

# Teaching order: the course's list (Lookahead after it), then today's optimizers.
_COURSE = (sgd, adagrad, rmsprop, adadelta, adam, nadam, radam, adamax, adabound, swats)
_TODAY = (lamb, prodigy, rprop, lion, muon, adafactor, schedule_free)
_COURSE_ENTRIES = {e.name: e for module in _COURSE for e in module.ENTRIES}
_TODAY_ENTRIES = {e.name: e for module in _TODAY for e in module.ENTRIES}
#: What Lookahead may wrap: every optimizer but itself.
_INNER = (*_COURSE_ENTRIES, *_TODAY_ENTRIES)
_LOOKAHEAD = lookahead.registry_entry(_COURSE_ENTRIES[lookahead.INNER], _INNER)
_REGISTRY: dict[str, Entry] = {**_COURSE_ENTRIES, "lookahead": _LOOKAHEAD, **_TODAY_ENTRIES}

#: A learning rate for the 2D surfaces: picked from a sweep (1e-3 .. 100, 200 steps from each
#: surface's default start) as one that reaches the minimum on the most surfaces without
#: diverging; the torch defaults are tuned for networks and barely move on most surfaces.
#: ``engine.surfaces.default_lrs`` scales it down on the surfaces where it fails.
DEFAULT_LR: dict[str, float] = {name: e.default_lr for name, e in _REGISTRY.items()}


def names() -> list[str]:
    """The registered optimizer names, in a stable teaching order."""
    return list(_REGISTRY)


def _entry(name: str) -> Entry:
    if name not in _REGISTRY:
        raise ValueError(f"Unknown optimizer: {name!r}; known: {', '.join(_REGISTRY)}")
    return _REGISTRY[name]


def hyper_specs(name: str, optimizer: str | None = None) -> list[HyperSpec]:
    """The hyperparameters of ``name`` (torch.optim's names and defaults) with widget ranges.

    A wrapper lists the ones every wrapped optimizer shares; with ``optimizer`` (the one it
    wraps), all of that optimizer's too.
    """
    entry = _entry(name)
    if entry.wraps and optimizer is not None:
        entry = _wrapped(entry, optimizer)
    return list(entry.specs)


def _wrapped(entry: Entry, optimizer: Any) -> Entry:
    inner = normalize(entry.specs[0], optimizer)  # "optimizer": which one it wraps
    return lookahead.wrap(_REGISTRY[inner], _INNER)


def create(name: str, **hyper: Any) -> Optimizer:
    """Build an optimizer; raises ``ValueError`` for an unknown name, key or invalid value.

    A wrapper (``lookahead``) also takes every hyperparameter of the optimizer it wraps.
    """
    entry = _entry(name)
    if entry.wraps:
        entry = _wrapped(entry, hyper.get("optimizer", entry.specs[0].default))
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
    entry = _entry(name)
    known = {**SYMBOLS, **entry.symbols}
    return {f: known[f] for f in entry.state._fields}


def group(name: str) -> str:
    """The family ``name`` belongs to, one of ``GROUPS``, for grouping a picker."""
    return _entry(name).group
