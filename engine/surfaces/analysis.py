"""Numbers the optimizer playground shows next to its pictures: a comparison table, basins,
learning-rate sweep scores (the grid itself is ``engine.optimizers.grids``), distances to the
minima, and the log-friendly loss the plots use.

Everything here is numpy in, numpy out (results of :func:`engine.surfaces.trajectories.run`);
nothing non-finite is returned where a plot would use it.

>>> idx, dist = nearest_minimum(np.array([[2.9, 2.1]]), [(3.0, 2.0), (-3.0, 3.0)])
>>> int(idx[0]), round(float(dist[0]), 3)
(0, 0.141)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from engine.core.checks import check_int
from engine.core.i18n import N_, _

Point = tuple[float, float]

#: Paths that end closer than this (as a share of the region's diagonal) to a minimum are
#: counted as having reached it.
BASIN_RADIUS = 0.02


def nearest_minimum(points: np.ndarray, minima: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest known minimum and the distance to it, for points (..., 2).

    With no known minima the index is -1 and the distance NaN (callers must not plot it).
    """
    points = np.asarray(points, dtype=np.float64)
    if len(minima) == 0:
        shape = points.shape[:-1]
        return np.full(shape, -1, dtype=np.int64), np.full(shape, np.nan)
    m = np.asarray(minima, dtype=np.float64)  # (M, 2)
    d = np.linalg.norm(points[..., None, :] - m, axis=-1)  # (..., M)
    idx = d.argmin(-1)
    return idx, np.take_along_axis(d, idx[..., None], -1)[..., 0]


def radius(bounds: tuple[tuple[float, float], tuple[float, float]]) -> float:
    """The 'reached a minimum' radius for a region: BASIN_RADIUS of its diagonal."""
    (x0, x1), (y0, y1) = bounds
    return BASIN_RADIUS * math.hypot(x1 - x0, y1 - y0)


def basins(
    final: np.ndarray, minima: Sequence[Point], reach: float, diverged_at: np.ndarray | None = None
) -> np.ndarray:
    """Which minimum each final point (..., 2) reached: its index, or -1 (none within ``reach``,
    or the path diverged)."""
    idx, dist = nearest_minimum(final, minima)
    out = np.where(np.isfinite(dist) & (dist <= reach), idx, -1)
    if diverged_at is not None:
        out = np.where(np.asarray(diverged_at) >= 0, -1, out)
    return out


def converged_share(basin: np.ndarray) -> float:
    """The share of paths that reached some minimum (basin index >= 0)."""
    basin = np.asarray(basin)
    return float((basin >= 0).mean()) if basin.size else 0.0


def loss_gap(losses: np.ndarray, min_value: float) -> tuple[np.ndarray, str, bool]:
    r"""Values fit for a log axis, their axis title, and whether the axis should be log.

    With a known minimum :math:`f^*`: :math:`f - f^* + 10^{-12}` (always > 0). Without one (the
    surface falls to :math:`-\infty`) a symmetric log, :math:`\operatorname{sign}(f)\log_{10}(1 +
    |f|)`, on a linear axis, so negative losses stay visible.
    """
    losses = np.asarray(losses, dtype=np.float64)
    if math.isfinite(min_value):
        gap = np.maximum(losses - min_value, 0.0) + 1e-12
        return np.nan_to_num(gap, nan=1e300, posinf=1e300), N_("f − f* + 1e-12 (log scale)"), True
    sym = np.sign(losses) * np.log10(1.0 + np.abs(losses))
    return np.nan_to_num(sym, nan=0.0, posinf=300.0, neginf=-300.0), "sign(f)·log₁₀(1+|f|)", False


def steps_to_tolerance(losses: np.ndarray, min_value: float, tol: float) -> np.ndarray:
    """First step t with f_t − f* ≤ tol along the last axis, or -1 (never, or no known f*)."""
    losses = np.asarray(losses, dtype=np.float64)
    if not math.isfinite(min_value):
        return np.full(losses.shape[:-1], -1, dtype=np.int64)
    hit = losses - min_value <= tol
    first = hit.argmax(-1)
    return np.where(hit.any(-1), first, -1)


class Summary(NamedTuple):
    """One row of the comparison table (per optimizer, for one start)."""

    label: str
    final_loss: float
    best_loss: float
    best_step: int
    steps_to_tol: int  # -1: never within tol
    minimum: int  # index into the surface's minima, -1: none reached
    diverged_at: int  # -1: did not diverge


def summary(
    labels: Sequence[str],
    paths: np.ndarray,
    losses: np.ndarray,
    diverged_at: np.ndarray,
    minima: Sequence[Point],
    min_value: float,
    reach: float,
    tol: float = 1e-3,
) -> list[Summary]:
    """The comparison table for start 0 of a run: paths (K, S, T+1, 2), losses (K, S, T+1)."""
    rows = []
    ends = basins(paths[:, 0, -1], minima, reach, diverged_at[:, 0])
    hits = steps_to_tolerance(losses[:, 0], min_value, tol)
    for k, label in enumerate(labels):
        curve = losses[k, 0]
        best = int(np.argmin(curve))
        rows.append(
            Summary(
                label=label,
                final_loss=float(curve[-1]),
                best_loss=float(curve[best]),
                best_step=best,
                steps_to_tol=int(hits[k]),
                minimum=int(ends[k]),
                diverged_at=int(diverged_at[k, 0]),
            )
        )
    return rows


def sweep_scores(
    losses: np.ndarray, diverged_at: np.ndarray, min_value: float, metric: str = "final"
) -> np.ndarray:
    """Score per run from losses (N, T+1): the final or the mean loss gap; inf where diverged.

    The gap is measured from f* when it is known, else the raw loss is used.
    """
    losses = np.asarray(losses, dtype=np.float64)
    base = min_value if math.isfinite(min_value) else 0.0
    if metric == "final":
        score = losses[..., -1] - base
    elif metric == "mean":
        score = losses.mean(-1) - base
    else:
        raise ValueError(
            _("Unknown sweep metric: {metric!r} (use 'final' or 'mean')").format(metric=metric)
        )
    score = np.where(np.asarray(diverged_at) >= 0, np.inf, score)
    return np.where(np.isfinite(score), score, np.inf)


def best_index(scores: np.ndarray) -> int:
    """The index of the lowest finite score, or -1 when every run diverged."""
    scores = np.asarray(scores, dtype=np.float64)
    if not np.isfinite(scores).any():
        return -1
    return int(np.argmin(np.where(np.isfinite(scores), scores, np.inf)))


def start_grid(
    bounds: tuple[tuple[float, float], tuple[float, float]], n: int, inset: float = 0.05
) -> np.ndarray:
    """An n x n grid of starts (n², 2), row-major in y then x, kept ``inset`` inside the edges."""
    check_int("grid size", n, 1)
    (x0, x1), (y0, y1) = bounds
    xs = np.linspace(x0 + inset * (x1 - x0), x1 - inset * (x1 - x0), n)
    ys = np.linspace(y0 + inset * (y1 - y0), y1 - inset * (y1 - y0), n)
    X, Y = np.meshgrid(xs, ys, indexing="xy")
    return np.stack((X.ravel(), Y.ravel()), axis=-1)


def frame_steps(steps: int, max_frames: int = 100) -> np.ndarray:
    """At most ``max_frames`` step indices from 0 to ``steps`` (both included), increasing."""
    count = min(steps + 1, max_frames)
    return np.unique(np.round(np.linspace(0, steps, count)).astype(np.int64))


def bias_corrected(
    states: dict[str, np.ndarray], betas: tuple[float, float]
) -> dict[str, np.ndarray]:
    r"""Adam's bias-corrected moments :math:`\hat m_t = m_t/(1-\beta_1^t)`,
    :math:`\hat v_t = v_t/(1-\beta_2^t)` from a recorded state history (field -> (S, T+1, 2),
    ``t`` -> (T+1,)). At t = 0 (nothing seen yet) they are 0.
    """
    if "t" not in states or "m" not in states:
        return {}
    t = np.asarray(states["t"], dtype=np.float64)[None, :, None]
    out = {}
    for field, beta in (("m", betas[0]), ("v", betas[1])):
        if field not in states:
            continue
        denom = 1.0 - float(beta) ** t
        safe = np.where(denom > 0, denom, 1.0)
        out[field + "_hat"] = np.where((t > 0) & (denom > 0), states[field] / safe, 0.0)
    return out


def step_lengths(path: np.ndarray) -> np.ndarray:
    r"""Per-coordinate step length :math:`|\theta_{t} - \theta_{t-1}|`, (T, 2) from (T+1, 2)."""
    return np.abs(np.diff(np.asarray(path, dtype=np.float64), axis=0))


def internals(
    states: dict[str, np.ndarray],
    effective_lr: np.ndarray,
    path: np.ndarray,
    betas: tuple[float, float] | None = None,
    start: int = 0,
) -> dict[str, np.ndarray]:
    """The internals of one optimizer for start ``start``, each (T+1, 2) or (T, 2).

    Keys: each per-coordinate state field (``v``, ``s``, ``m`` ...), the bias-corrected
    moments ``m_hat``/``v_hat`` when ``betas`` is given, ``log:eff`` (effective step size
    |Δθ|/|g|, (T, 2)) and ``log:step`` (|Δθ|, (T, 2)). Scalar fields (``t``) and fields
    that stay zero (switched off by a setting) are left out.
    """
    # Fields a setting switches off (v without momentum, v_max without amsgrad) stay all zero.
    out = {f: h[start] for f, h in states.items() if h.ndim == 3 and np.any(h[start] != 0)}
    if betas is not None:
        out.update({k: v[start] for k, v in bias_corrected(states, betas).items()})
    out["log:eff"] = np.asarray(effective_lr)
    out["log:step"] = step_lengths(path)
    return out
