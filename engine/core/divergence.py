"""When a run has diverged: one rule per kind of run, and why the rules differ.

- **2D paths** (``engine.surfaces``): a step is bad when its position is not finite or lies more
  than :data:`EXPLODE_WIDTHS` region-widths from the centre of the plotted region (or its loss,
  gradient or state is not finite). A path that flies off doubles its distance every few steps
  and would need about a thousand doublings to overflow float64; long before that it is
  nowhere near anything that can be drawn, so the distance is the earlier, plainer signal.
- **Training one network** (``engine.nets.training``): not finite, and nothing else. A loss
  spike is not divergence there: the dead-ReLU demo trains at a learning rate that makes the
  loss jump and then fall back with most units dead, and that run must live through the spike,
  since the spike is what the demo shows.
- **The race** (``engine.nets.race``): not finite, or a training loss above :data:`RACE_EXPLODE`
  times the first one. Cross-entropy on a ReLU network grows without bound (the logits grow
  linearly with the weights) long before float32 overflows, so a non-finite test alone would
  let a diverged model run on for thousands of steps and stretch every other curve's axis.
"""

from __future__ import annotations

import math

import numpy as np
from torch import Tensor

#: A 2D position this many region-widths from the region's centre counts as exploded.
EXPLODE_WIDTHS = 1000.0
#: A race's training loss this many times the first one counts as diverged.
RACE_EXPLODE = 100.0
#: The smallest first loss the race's limit is scaled from (a first loss near 0 would make any
#: later wobble look like an explosion).
RACE_FLOOR = 1e-2

Bounds = tuple[tuple[float, float], tuple[float, float]]


def path_limits(bounds: Bounds) -> tuple[np.ndarray, np.ndarray]:
    """The centre of the region ``((xmin, xmax), (ymin, ymax))`` and how far from it, per
    coordinate, a 2D path may go."""
    (x0, x1), (y0, y1) = bounds
    center = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    return center, EXPLODE_WIDTHS * np.array([x1 - x0, y1 - y0])


def path_inside(points: np.ndarray, center: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Per point of ``points`` ``(..., 2)``: within the limits (False for NaN: it fails every
    comparison)."""
    # Per-coordinate tests combined by hand: numpy's .all(-1) over a length-2 axis is slow.
    ok = np.abs(points[..., 0] - center[0]) <= limit[0]
    ok &= np.abs(points[..., 1] - center[1]) <= limit[1]
    return ok


def training_ok(measured: np.ndarray) -> bool:
    """A training step's measurements (loss, accuracy, probes) are all finite."""
    return bool(np.isfinite(measured).all())


def race_limit(first_loss: Tensor) -> Tensor:
    """The training losses ``(K,)`` above which each raced model counts as diverged, from its
    loss at step 0."""
    return RACE_EXPLODE * first_loss.abs().clamp_min(RACE_FLOOR)


def finite(x: Tensor) -> Tensor:
    """``torch.isfinite(x)`` in two small ops instead of four: ``|x| < inf`` (NaN compares
    false). A race checks a few of these on every step."""
    return x.abs() < math.inf


def race_ok(loss: Tensor, limit: Tensor) -> Tensor:
    """``(K,)``: each model's training loss is finite and within its :func:`race_limit`."""
    return finite(loss) & (loss <= limit)
