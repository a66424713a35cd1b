"""A sampled curve cut into the pieces that are continuous on its grid, for drawing as lines.

Joined point to point, a curve with a pole (1/x, tan x) gets a vertical stroke from −large to
+large that is no part of it, and Plotly's own gaps need NaN in the data, which no figure here
may hold. So a curve is drawn as one trace per piece instead.
"""

from __future__ import annotations

import numpy as np

POLE_GROWTH = 1.25  # |y| grows at least this much per grid step toward a pole (pole_gaps)
POLE_JUMP = 2.0  # a jump across a pole exceeds this many times the curve's bulk span


def pole_gaps(y: np.ndarray) -> np.ndarray:
    """The indices i where a curve of finite values ``y`` crosses a pole between y[i] and y[i+1].

    At a pole (1/x at 0, tan x at π/2) f runs off to +∞ on one side and −∞ on the other; joining
    the two grid points around it draws a vertical stroke that is no part of f. A steep but
    continuous curve must stay whole, so a gap counts only when both hold:

    - f runs off toward the gap from each side with opposite signs: over the last two steps
      before the gap y keeps its sign and |y| grows by ``POLE_GROWTH`` or more per step (near a
      pole |y| ~ 1/d grows by 1.5 to 2 or more per step, d the distance to the pole), whereas
      |y| shrinks toward a zero crossing of a continuous curve, barely changes up to a finite
      jump (a sign step x/|x|, softsign's f″ at 0) and falls back on both sides of a narrow spike;
    - the jump is over ``POLE_JUMP`` times the bulk's span (5th to 95th percentile): noisy
      samples, whose values happen to run up and down now and then, jump within their range.

    A side with fewer than two steps before the end of ``y`` counts as running off. A spike
    narrower than the grid step (f″ of tanh(100x): two or three points across it) looks like a
    pole to the grid and may be split as one.
    """
    y = np.asarray(y, dtype=np.float64)
    n = y.size
    if n < 2:
        return np.zeros(0, dtype=np.int64)
    a, same = np.abs(y), np.sign(y[:-1]) * np.sign(y[1:]) > 0
    up = np.r_[True, True, same & (a[1:] >= POLE_GROWTH * a[:-1]), True, True]  # per step
    down = np.r_[True, True, same & (a[:-1] >= POLE_GROWTH * a[1:]), True, True]
    # gap i: steps i-2 and i-1 run up toward it, steps i+1 and i+2 run down away from it
    runs_off = up[1:n] & up[: n - 1] & down[3 : n + 2] & down[4 : n + 3]
    flips = np.sign(y[:-1]) * np.sign(y[1:]) < 0
    low, high = np.percentile(y, [5, 95])
    far = np.abs(np.diff(y)) > POLE_JUMP * (high - low)
    return np.flatnonzero(flips & runs_off & far)


def pieces(x: np.ndarray, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The curve (x, y) as float32 pieces, each continuous on the grid: split where a point is
    not finite (it is dropped) and at each of :func:`pole_gaps`.
    Always at least one piece (empty when nothing is finite)."""
    with np.errstate(over="ignore", invalid="ignore"):
        x, y = (np.asarray(a, dtype=np.float64).astype(np.float32) for a in (x, y))
    keep = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    x, y = x[keep], y[keep]
    cuts = np.union1d(np.flatnonzero(np.diff(keep) > 1), pole_gaps(y)) + 1
    return list(zip(np.split(x, cuts), np.split(y, cuts), strict=True))
