"""Learning-rate schedules as multipliers of the base learning rate, ``factor(t)`` for step t.

Each matches the ``torch.optim.lr_scheduler`` class named in its docstring (the tests use them as
the oracle): the learning rate used at step ``t`` (0-based) is ``lr * factor(t)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Schedule = Callable[[int], float]


def _positive_int(name: str, value: int) -> int:
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"Invalid {name}: {value} (use a whole number >= 1)")
    return int(value)


def _in_range(name: str, value: float, low: float, high: float) -> float:
    value = float(value)
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"Invalid {name}: {value} (use {low} to {high})")
    return value


def constant() -> Schedule:
    r""":math:`\eta_t = \eta`."""
    return lambda t: 1.0


def step(step_size: int = 100, gamma: float = 0.5) -> Schedule:
    r"""StepLR: :math:`\eta_t = \eta\,\gamma^{\lfloor t / \text{step\_size} \rfloor}`."""
    step_size = _positive_int("step_size", step_size)
    gamma = _in_range("gamma", gamma, 0.0, 1.0)
    return lambda t: gamma ** (t // step_size)


def exponential(gamma: float = 0.99) -> Schedule:
    r"""ExponentialLR: :math:`\eta_t = \eta\,\gamma^{t}`."""
    gamma = _in_range("gamma", gamma, 0.0, 1.0)
    return lambda t: gamma**t


def cosine(total_steps: int, eta_min_ratio: float = 0.0) -> Schedule:
    r"""CosineAnnealingLR with ``T_max = total_steps``:
    :math:`\eta_t = \eta_{min} + \tfrac12(\eta - \eta_{min})(1 + \cos(\pi t / T_{max}))`.
    """
    total = _positive_int("total_steps", total_steps)
    ratio = _in_range("eta_min_ratio", eta_min_ratio, 0.0, 1.0)
    return lambda t: ratio + (1 - ratio) * (1 + math.cos(math.pi * t / total)) / 2


def warmup(warmup_steps: int = 50, start_factor: float = 0.01) -> Schedule:
    r"""LinearLR: the factor rises linearly from ``start_factor`` to 1 over ``warmup_steps``."""
    n = _positive_int("warmup_steps", warmup_steps)
    f0 = _in_range("start_factor", start_factor, 1e-8, 1.0)
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
        raise ValueError(f"Unknown schedule: {name!r}; known: {', '.join(_BUILDERS)}")
    try:
        return _BUILDERS[name](total_steps, **params)
    except TypeError as exc:  # an unknown keyword
        raise ValueError(f"Invalid parameters for the {name} schedule: {params}") from exc
