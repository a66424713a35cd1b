"""Learning-rate schedules as multipliers of the base learning rate, ``factor(t)`` for step t.

Each matches the ``torch.optim.lr_scheduler`` class named in its docstring (the tests use them as
the oracle): the learning rate used at step ``t`` (0-based) is ``lr * factor(t)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from engine.core.checks import check_int, check_number
from engine.core.i18n import _

Schedule = Callable[[int], float]


def constant() -> Schedule:
    r""":math:`\eta_t = \eta`."""
    return lambda t: 1.0


def step(step_size: int = 100, gamma: float = 0.5) -> Schedule:
    r"""StepLR: :math:`\eta_t = \eta\,\gamma^{\lfloor t / \text{step\_size} \rfloor}`."""
    step_size = check_int("step_size", step_size, 1)
    gamma = check_number("gamma", gamma, 0.0, 1.0)
    return lambda t: gamma ** (t // step_size)


def exponential(gamma: float = 0.99) -> Schedule:
    r"""ExponentialLR: :math:`\eta_t = \eta\,\gamma^{t}`."""
    gamma = check_number("gamma", gamma, 0.0, 1.0)
    return lambda t: gamma**t


def cosine(total_steps: int, eta_min_ratio: float = 0.0) -> Schedule:
    r"""CosineAnnealingLR with ``T_max = total_steps``:
    :math:`\eta_t = \eta_{min} + \tfrac12(\eta - \eta_{min})(1 + \cos(\pi t / T_{max}))`.
    """
    total = check_int("total_steps", total_steps, 1)
    ratio = check_number("eta_min_ratio", eta_min_ratio, 0.0, 1.0)
    return lambda t: ratio + (1 - ratio) * (1 + math.cos(math.pi * t / total)) / 2


def warmup(warmup_steps: int = 50, start_factor: float = 0.01) -> Schedule:
    r"""LinearLR: the factor rises linearly from ``start_factor`` to 1 over ``warmup_steps``."""
    n = check_int("warmup_steps", warmup_steps, 1)
    f0 = check_number("start_factor", start_factor, 1e-8, 1.0)
    return lambda t: f0 + (1 - f0) * min(t, n) / n


_BUILDERS = {
    "constant": lambda total, **kw: constant(**kw),
    "step": lambda total, **kw: step(**kw),
    "exponential": lambda total, **kw: exponential(**kw),
    "cosine": lambda total, **kw: cosine(total, **kw),
    "warmup": lambda total, **kw: warmup(**kw),
}

LATEX = {
    "constant": r"\eta_t = \eta",
    "step": r"\eta_t = \eta\,\gamma^{\lfloor t / s \rfloor}",
    "exponential": r"\eta_t = \eta\,\gamma^{t}",
    "cosine": r"\eta_t = \eta_{\min} + \tfrac12(\eta - \eta_{\min})\big(1 + \cos(\pi t / T)\big)",
    "warmup": r"\eta_t = \eta\,\big(f_0 + (1 - f_0)\min(t, w)/w\big)",
}


def names() -> list[str]:
    return list(_BUILDERS)


def make(name: str, total_steps: int, **params: float) -> Schedule:
    """Build a schedule by name; ``total_steps`` is used by ``cosine``. Bad values raise."""
    if name not in _BUILDERS:
        raise ValueError(
            _("Unknown schedule: {name!r}; known: {choices}").format(
                name=name, choices=", ".join(_BUILDERS)
            )
        )
    try:
        return _BUILDERS[name](total_steps, **params)
    except TypeError as exc:  # an unknown keyword
        raise ValueError(
            _("Invalid parameters for the {name} schedule: {params}").format(
                name=name, params=params
            )
        ) from exc
