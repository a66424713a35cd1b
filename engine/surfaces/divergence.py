"""Divergence of 2D trajectories: found once after the batched loop, and frozen.

The rule (a position beyond ``engine.core.divergence.EXPLODE_WIDTHS`` region-widths, or
anything non-finite) is the 2D paths' rule of :mod:`engine.core.divergence`, which says why it
differs from the networks'. Every operation of the loop is row-wise, so a diverging path cannot contaminate the others; the
loop therefore runs without checks or host syncs, and ``stop_diverged`` finds each path's first
bad step afterwards and holds the path at its last good point.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from torch import Tensor

from engine.core.divergence import path_inside, path_limits
from engine.core.i18n import _
from engine.surfaces.domain import why_undefined
from engine.surfaces.registry import Surface


def check_start(surface: Surface, starts: Tensor, loss: Tensor, grad: Tensor | None) -> None:
    """Refuse starts where the surface is undefined or absurdly far from its region."""
    center, limit = path_limits(surface.bounds)
    bad = ~torch.isfinite(loss[0])
    if grad is not None:
        bad |= ~torch.isfinite(grad[0]).all(-1)
    far = ~path_inside(starts.cpu().numpy(), center, limit)
    if far.any():
        x0, y0 = starts[int(np.argmax(far))].tolist()
        raise ValueError(
            _(
                "The start ({x0:.4g}, {y0:.4g}) is far outside the surface's region: choose another start"
            ).format(x0=x0, y0=y0)
        )
    if bool(bad.any()):
        x0, y0 = starts[int(bad.cpu().numpy().argmax())].tolist()
        why = why_undefined(surface, [(x0, y0)]) or "f or its slope is not finite there"
        raise ValueError(
            _(
                "{why}, and that includes the start ({x0:.4g}, {y0:.4g}): choose a start where f and its slope are finite"
            ).format(why=why, x0=x0, y0=y0)
        )


class Stops(NamedTuple):
    """Where each path stopped: ``diverged_at`` (K, S), the first bad step or -1.

    ``undefined`` (K, S) is True where that step reached a finite point inside the explode
    limits at which f or its gradient has no finite value: the formula has no value there (its
    domain ends), which a smaller learning rate does not cure. ``undefined_points`` (K, S, 2)
    holds that point (zeros elsewhere).
    """

    diverged_at: np.ndarray
    undefined: np.ndarray
    undefined_points: np.ndarray


def stop_diverged(
    surface: Surface,
    paths: np.ndarray,
    losses: np.ndarray,
    grads: np.ndarray,
    states: list[dict[str, np.ndarray]],
) -> Stops:
    """Find each path's first bad step and hold the path there.

    Step d is bad when the position is non-finite or exploded (outside
    ``engine.core.divergence.path_limits``), or the loss, gradient or recorded state there is non-finite. From d on, the path
    stays at its last good point d - 1, its loss and state are held, and its gradient is 0.
    Edits the arrays in place.
    """
    center, limit = path_limits(surface.bounds)
    # NaN fails every comparison, so "not within the limit" also catches non-finite values.
    ok = path_inside(paths, center, limit)
    ok &= np.isfinite(losses)
    ok[..., :-1] &= np.isfinite(grads[..., 0]) & np.isfinite(grads[..., 1])
    for k, fields in enumerate(states):
        for hist in fields.values():
            if hist.ndim == 3:
                ok[k] &= np.isfinite(hist[..., 0]) & np.isfinite(hist[..., 1])
    bad = ~ok
    has = bad.any(-1)
    first = np.where(has, bad.argmax(-1), -1)
    undefined = np.zeros(first.shape, dtype=bool)
    points = np.zeros((*first.shape, 2))
    # Only the diverged rows are rewritten: most paths in a big batch never diverge.
    ks, ss = np.nonzero(has)
    if ks.size == 0:
        return Stops(first, undefined, points)
    d = first[ks, ss]
    # Before freezing: a bad step to a finite point inside the limits, where f or its gradient
    # is not finite, is the formula's domain ending, not a step size blowing up.
    at = paths[ks, ss, d]
    inside = path_inside(at, center, limit)
    g = grads[ks, ss, np.minimum(d, grads.shape[2] - 1)]
    f_bad = ~np.isfinite(losses[ks, ss, d])
    f_bad |= (d < grads.shape[2]) & ~(np.isfinite(g[:, 0]) & np.isfinite(g[:, 1]))
    undefined[ks, ss] = inside & f_bad
    points[ks, ss] = np.where((inside & f_bad)[:, None], at, 0.0)
    after = np.arange(paths.shape[2]) >= d[:, None]  # (n, T+1)
    last = d - 1
    paths[ks, ss] = np.where(after[..., None], paths[ks, ss, last][:, None], paths[ks, ss])
    losses[ks, ss] = np.where(after, losses[ks, ss, last][:, None], losses[ks, ss])
    grads[ks, ss] = np.where(after[:, :-1, None], 0.0, grads[ks, ss])
    for row, (k, s) in enumerate(zip(ks, ss, strict=True)):
        for hist in states[k].values() if states else ():
            if hist.ndim == 3:
                hist[s, d[row] :] = hist[s, last[row]]
    return Stops(first, undefined, points)
