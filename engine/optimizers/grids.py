"""Learning-rate grids: the evenly log-spaced rates of a sweep, and the readable ladder of values
a log-scale slider offers (1, 1.5, 2, 3, 5, 7 per decade)."""

from __future__ import annotations

import math

import numpy as np

from engine.core.checks import check_int
from engine.core.i18n import _

#: The ladder's steps within one decade.
LADDER = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)


def lr_grid(low: float, high: float, n: int) -> np.ndarray:
    """``n`` learning rates spaced evenly in log from ``low`` to ``high``, both exactly included
    (``low == high`` gives ``n`` equal rates)."""
    if not (0 < low <= high and math.isfinite(high)):
        raise ValueError(
            _("Invalid learning-rate range: {low} to {high}").format(low=low, high=high)
        )
    n = check_int("number of learning rates", n, 2)
    return np.geomspace(low, high, n)


def log_ladder(low: float, high: float, *extra: float) -> list[float]:
    """The ladder's values from ``low`` to ``high`` (three significant digits), plus ``extra``
    values inside that range (a value from a link stays selectable exactly), sorted."""
    values = {float(f"{m * 10.0**e:.3g}") for e in range(-13, 3) for m in LADDER}
    values = {v for v in values if low * (1 - 1e-9) <= v <= high * (1 + 1e-9)}
    values |= {float(x) for x in extra if low <= x <= high}
    return sorted(values)
