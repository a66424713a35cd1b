"""Every optimizer by name: build one, list them, and ask what each one is.

An optimizer's facts live in its own module's ``Entry`` (its hyperparameters with their widget
ranges, its learning rates per kind of problem, what its state fields hold); a page asks here
instead of keeping lists of names.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from engine.core.i18n import _

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
from .base import Entry, Optimizer
from .latex import SYMBOLS
from .specs import HyperSpec, check, normalize

# Teaching order: the course's list (Lookahead after it), then today's optimizers.
_COURSE = (sgd, adagrad, rmsprop, adadelta, adam, nadam, radam, adamax, adabound, swats)
_TODAY = (lamb, prodigy, rprop, lion, muon, adafactor, schedule_free)
_COURSE_ENTRIES = {e.name: e for module in _COURSE for e in module.ENTRIES}
_TODAY_ENTRIES = {e.name: e for module in _TODAY for e in module.ENTRIES}
#: What Lookahead may wrap: every optimizer but itself.
_INNER = (*_COURSE_ENTRIES, *_TODAY_ENTRIES)
_LOOKAHEAD = lookahead.registry_entry(_COURSE_ENTRIES[lookahead.INNER], _INNER)
_REGISTRY: dict[str, Entry] = {**_COURSE_ENTRIES, "lookahead": _LOOKAHEAD, **_TODAY_ENTRIES}

#: The kinds of problem an optimizer has a good default learning rate for.
PROBLEMS = ("surface", "network")


class Traits(NamedTuple):
    """What an optimizer is, for a page that must not keep lists of names.

    ``lr`` maps each of :data:`PROBLEMS` to a good default learning rate. ``"surface"``: picked
    from a sweep (1e-3 .. 100, 200 steps from each 2D surface's default start) as one that
    reaches the minimum on the most surfaces without diverging (torch's defaults are tuned for
    networks and barely move on most surfaces; ``engine.surfaces.default_lrs`` scales it down
    where it fails). ``"network"``: tuned on the race's default network (3-class spirals,
    3 x 32 ReLU, full batch, 300 steps) so that each optimizer learns and the race shows them
    apart; where none was tuned, the optimizer's own (torch's) default. ``lr_range`` is the learning-rate slider's
    range. ``bias_corrected``: the update divides m and v by 1 - βᵗ as Adam does, so m̂ and v̂
    are worth showing. ``second_moment``: the state field ``v`` is a running average of g².
    """

    lr: dict[str, float]
    lr_range: tuple[float, float]
    bias_corrected: bool
    second_moment: bool


def names() -> list[str]:
    """The registered optimizer names, in a stable teaching order."""
    return list(_REGISTRY)


def _entry(name: str) -> Entry:
    if name not in _REGISTRY:
        raise ValueError(
            _("Unknown optimizer: {name!r}; known: {choices}").format(
                name=name, choices=", ".join(_REGISTRY)
            )
        )
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
                _("Unknown hyperparameter for {name}: {key!r}; known: {choices}").format(
                    name=name, key=key, choices=", ".join(specs)
                )
            )
    full = {k: normalize(s, hyper.get(k, s.default)) for k, s in specs.items()}
    check(full, *entry.checks)
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


def traits(name: str) -> Traits:
    """What ``name`` is: its default learning rate per kind of problem, its learning-rate
    range and what its state holds (see :class:`Traits`)."""
    entry = _entry(name)
    lr = next(s for s in entry.specs if s.name == "lr")
    # Untuned: the spec's own default, which follows torch.optim (tuned for networks, not 2D).
    network = entry.network_lr if entry.network_lr is not None else float(lr.default)
    return Traits(
        lr={"surface": entry.default_lr, "network": network},
        lr_range=(lr.low, lr.high),
        bias_corrected=entry.bias_corrected,
        second_moment=entry.second_moment,
    )
