"""Range checks with messages that name the value, in torch.optim's style.

Every public function of the engine checks its arguments first, one check each, and a refusal
reads ``Invalid steps: 0 (must be an integer in 1..5000)``: what was wrong, the value that was
given, and what would do. The optimizers' checks take tensors too (a swept hyperparameter is
checked element by element), so :func:`require` accepts a float or a tensor.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import torch
from torch import Tensor

from engine.core.i18n import _


def shown(value: Any) -> str:
    """How a message shows ``value``: a number as itself (``1000``, ``nan``), anything else as
    its repr (``'ten'``, ``None``)."""
    if isinstance(value, Real) and not isinstance(value, bool):
        return str(int(value)) if isinstance(value, Integral) else str(float(value))
    return repr(value)


def require(value: float | Tensor, ok: Callable[[Any], Any], message: str) -> None:
    """Raise ``ValueError(message)`` unless ``value`` (every element) is finite and ``ok``.

    ``ok`` must use ``&``/``|`` rather than ``and``/chained comparisons, so it works on tensors.
    """
    if isinstance(value, Tensor):
        v = value.detach()
        good = bool(torch.isfinite(v).all()) and bool(torch.as_tensor(ok(v)).all())
    else:
        good = math.isfinite(value) and bool(ok(value))
    if not good:
        raise ValueError(message)


def check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    """``value`` as an ``int``, or ``ValueError`` naming it: an integer (not a bool) in
    ``low..high`` (no upper end when ``high`` is None)."""
    integer = isinstance(value, Integral) and not isinstance(value, bool)
    if not integer or value < low or (high is not None and value > high):
        # The words in the caller's language (a page's session; English in a notebook).
        message = (
            _("Invalid {name}: {value} (must be an integer in {low}..{high})")
            if high is not None
            else _("Invalid {name}: {value} (must be an integer >= {low})")
        )
        raise ValueError(message.format(name=name, value=shown(value), low=low, high=high))
    return int(value)


def check_number(
    name: str,
    value: Any,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    open_low: bool = False,
    open_high: bool = False,
) -> float:
    """``value`` as a finite ``float``, or ``ValueError`` naming it: a real number (not a bool)
    in the interval from ``low`` to ``high``, each end closed unless ``open_low``/``open_high``.
    """
    number = float(value) if isinstance(value, Real) and not isinstance(value, bool) else None
    ok = number is not None and math.isfinite(number)
    if ok:
        ok = (number > low if open_low else number >= low) and (
            number < high if open_high else number <= high
        )
    if not ok:
        raise ValueError(
            _("Invalid {name}: {value} ({rule})").format(
                name=name,
                value=shown(value if number is None else number),
                rule=_interval(low, high, open_low, open_high),
            )
        )
    return number


def _interval(low: float, high: float, open_low: bool, open_high: bool) -> str:
    if math.isinf(low) and math.isinf(high):
        return _("must be a finite number")
    if math.isinf(high):
        return _("must be {op} {low}").format(op=">" if open_low else ">=", low=f"{low:g}")
    if math.isinf(low):
        return _("must be {op} {high}").format(op="<" if open_high else "<=", high=f"{high:g}")
    left, right = "(" if open_low else "[", ")" if open_high else "]"
    return _("must be in {interval}").format(interval=f"{left}{low:g}, {high:g}{right}")
