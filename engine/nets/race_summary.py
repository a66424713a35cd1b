"""What the race page shows of a finished race (so pages hold no maths): a summary table (final
and best accuracy, steps and seconds to a target loss), the curves as CSV, and the decision
boundaries of every raced model on one grid.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.func import vmap

from engine.core.device import resolve
from engine.core.i18n import N_, _
from engine.core.tables import to_csv
from engine.nets import losses
from engine.nets.history import grid_points
from engine.nets.race import RaceResult


def data_bounds(
    X: torch.Tensor | np.ndarray, margin: float = 0.1
) -> tuple[tuple[float, float], ...]:
    """The bounding box of 2D points, widened by ``margin`` of its size on every side."""
    X = np.asarray(X.cpu() if isinstance(X, torch.Tensor) else X, dtype=np.float64)
    lo, hi = X.min(0), X.max(0)
    pad = np.maximum(hi - lo, 1e-6) * margin
    return tuple((float(a - p), float(b + p)) for a, b, p in zip(lo, hi, pad, strict=True))


def decision_grids(
    res: RaceResult,
    bounds: tuple[tuple[float, float], tuple[float, float]],
    n: int = 60,
    device: str | torch.device | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(xs, ys, probs)`` with ``probs[k, i, j]`` the class probabilities of model ``k`` at
    ``(xs[j], ys[i])``, shape ``(K, n, n, C)``: every model on one grid, in one batch."""
    if res.config.in_dim != 2:
        raise ValueError(
            _("Invalid network: in_dim={in_dim} (the grid needs 2)").format(
                in_dim=res.config.in_dim
            )
        )
    dev = resolve(device)
    xs, ys, points = grid_points(bounds, n, dev)
    logits = res.logits(points, dev)
    probs = vmap(lambda z: losses.probabilities(res.loss, z))(logits)
    K = probs.shape[0]
    return xs.cpu().numpy(), ys.cpu().numpy(), probs.reshape(K, n, n, -1).float().cpu().numpy()


def summary(res: RaceResult, target_loss: float) -> list[dict[str, Any]]:
    """One row per optimizer: final and best test accuracy (train accuracy without a test
    set), the first step whose training loss is at most ``target_loss`` and the seconds it
    took (None if never), the final training loss, and where it diverged (None if it did not).
    """
    rows = []
    for k, label in enumerate(res.labels):
        acc = res.curve("test_acc" if res.test_acc.shape[1] else "train_acc", k)
        train = res.curve("train_loss", k)
        hit = np.flatnonzero(train <= target_loss)
        step = int(hit[0]) if hit.size else None
        rows.append(
            {
                "optimizer": label,
                "final accuracy": float(acc[-1]) if acc.size else None,
                "best accuracy": float(acc.max()) if acc.size else None,
                "final train loss": float(train[-1]) if train.size else None,
                "steps to target": step,
                "seconds to target": None if step is None else float(res.wall_time[step]),
                "diverged at": None if res.diverged_at[k] < 0 else int(res.diverged_at[k]),
            }
        )
    return rows


def curves_csv(res: RaceResult) -> str:
    """The curves in long form, one row per (optimizer, step); empty cells after divergence."""
    depth = res.grad_norms.shape[2]
    has_test = res.test_loss.shape[1] > 0
    # Column names in the caller's language, as the other downloads (English in a notebook).
    cols = [_(c) for c in (N_("optimizer"), N_("step"), N_("seconds"))]
    cols += [_(c) for c in (N_("train_loss"), N_("train_acc"))]
    cols += [_("test_loss"), _("test_acc")] if has_test else []
    cols += [_("grad_norm_layer{layer}").format(layer=i + 1) for i in range(depth)]
    rows = []
    for k, label in enumerate(res.labels):
        for t in range(res.steps):
            values = [res.train_loss[k, t], res.train_acc[k, t]]
            if has_test:
                values += [res.test_loss[k, t], res.test_acc[k, t]]
            values += list(res.grad_norms[k, t])
            cells = ["" if not np.isfinite(v) else f"{float(v):.7g}" for v in values]
            rows.append([label, t, f"{res.wall_time[t]:.4f}", *cells])
    return to_csv(cols, rows)
