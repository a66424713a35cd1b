"""Built on :func:`engine.nets.race.race`: learning-rate sweeps, and what the race page shows of a
:class:`engine.nets.race.RaceResult` (so pages hold no maths): final losses, decision boundaries of
every raced model on one grid, a summary table (final and best accuracy, steps and seconds to a
target loss) and the curves as CSV.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch.func import vmap

from engine import optimizers
from engine.core.device import resolve
from engine.nets import losses, networks
from engine.nets.race import MAX_MODELS, RaceResult, race, stacked_logits
from engine.nets.training import prepare_data


@dataclasses.dataclass
class Sweep:
    """Final loss against learning rate: ``final_loss[o, j]`` is optimizer ``o`` at ``lrs[j]``
    after the race, on the full training set in eval mode (NaN where the run diverged);
    ``final_test_loss`` likewise on the test set (``(O, 0)`` without one)."""

    names: list[str]
    lrs: np.ndarray
    final_loss: np.ndarray
    final_test_loss: np.ndarray
    diverged_at: np.ndarray
    result: RaceResult


def lr_sweep(
    config: networks.MLPConfig,
    data: Any,
    settings: Sequence[tuple[str, dict[str, Any]]],
    lrs: Sequence[float],
    steps: int,
    batch_size: int | None = None,
    seed: int = 0,
    callback: Callable[[int, RaceResult], Any] | None = None,
    **kwargs: Any,
) -> Sweep:
    """One race of every ``(name, hyper)`` in ``settings`` at every learning rate in ``lrs``.

    It is :func:`race` with ``len(settings) * len(lrs)`` optimizers; those of one kind share a
    batched state, so each step costs one update per kind, not per learning rate.
    """
    lrs = [float(v) for v in lrs]
    if not lrs:
        raise ValueError("Invalid lrs: give at least one learning rate")
    check_sweep_size(len(settings), len(lrs))
    opts = [
        optimizers.create(name, **{**hyper, "lr": lr}) for name, hyper in settings for lr in lrs
    ]
    res = race(config, data, opts, steps, batch_size, seed, callback, **kwargs)
    dev = resolve(kwargs.get("device"))
    d = prepare_data(data, config, dev)
    n_opt, n_lr = len(settings), len(lrs)
    train = final_losses(res, d.X, d.y, dev)
    has_test = d.X_test is not None and len(d.X_test) > 0
    test = final_losses(res, d.X_test, d.y_test, dev) if has_test else np.zeros((n_opt * n_lr, 0))
    dead = res.diverged_at >= 0
    train[dead] = np.nan
    if has_test:
        test[dead] = np.nan
    return Sweep(
        names=[name for name, _ in settings],
        lrs=np.asarray(lrs),
        final_loss=train.reshape(n_opt, n_lr),
        final_test_loss=test.reshape(n_opt, n_lr) if has_test else np.zeros((n_opt, 0)),
        diverged_at=res.diverged_at.reshape(n_opt, n_lr),
        result=res,
    )


def check_sweep_size(n_optimizers: int, n_lrs: int) -> None:
    """Raise ``ValueError`` when a sweep needs more than :data:`engine.nets.race.MAX_MODELS` networks
    (one per optimizer and learning rate), naming both factors."""
    n = n_optimizers * n_lrs
    if n > MAX_MODELS:
        raise ValueError(
            f"Too many networks: {n_optimizers} optimizers × {n_lrs} learning rates = {n} "
            f"(the limit is {MAX_MODELS})"
        )


def final_losses(
    res: RaceResult, X: torch.Tensor, y: torch.Tensor, device: str | torch.device | None = None
) -> np.ndarray:
    """``(K,)`` loss of each raced model's final weights on ``(X, y)``, in eval mode."""
    dev = resolve(device)
    logits = stacked_logits(res, X, dev)
    score = vmap(lambda z: losses.compute(res.loss, z, y.to(dev)))
    return score(logits).double().cpu().numpy()


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
        raise ValueError(f"Invalid network: in_dim={res.config.in_dim} (the grid needs 2)")
    if not 2 <= n <= 400:
        raise ValueError(f"Invalid n: {n} (must be 2..400)")
    (x0, x1), (y0, y1) = bounds
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"Invalid bounds: {bounds}")
    dev = resolve(device)
    xs = torch.linspace(x0, x1, n, device=dev)
    ys = torch.linspace(y0, y1, n, device=dev)
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    points = torch.stack([xx.reshape(-1), yy.reshape(-1)], 1)
    logits = stacked_logits(res, points, dev)
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
    cols = ["optimizer", "step", "seconds", "train_loss", "train_acc"]
    cols += ["test_loss", "test_acc"] if has_test else []
    cols += [f"grad_norm_layer{i + 1}" for i in range(depth)]
    lines = [",".join(cols)]
    for k, label in enumerate(res.labels):
        for t in range(res.steps):
            values = [res.train_loss[k, t], res.train_acc[k, t]]
            if has_test:
                values += [res.test_loss[k, t], res.test_acc[k, t]]
            values += list(res.grad_norms[k, t])
            cells = ["" if not np.isfinite(v) else f"{float(v):.7g}" for v in values]
            lines.append(",".join([f'"{label}"', str(t), f"{res.wall_time[t]:.4f}", *cells]))
    return "\n".join(lines) + "\n"


# Calibrated on the 2-core development CPU with one torch thread, under load (best of 3): a
# fixed 6 ms per step (autograd, optimizer updates, divergence masks), 2e10 multiply-adds per
# second, 1e-8 s per unit activation (elementwise work, which dominates small layers); batch
# norm's vmap path costs about 1.6 times as much.
_STEP_S = 6e-3
_MACS_PER_S = 2e10
_UNIT_S = 1e-8
_BATCHNORM = 1.6


def estimate_seconds(
    config: networks.MLPConfig,
    train_rows: int,
    test_rows: int,
    steps: int,
    models: int,
    batch_size: int | None = None,
) -> float:
    """A rough CPU time for :func:`race` of ``models`` networks, to decide whether it runs live.

    Per step, each model does a forward and backward pass over its batch of :math:`B` rows
    (three products per weight) and a test forward over :math:`T` rows:
    :math:`(3B + T)(d_{in} w + (L-1) w^2 + w C)` multiply-adds and :math:`(3B + T) L w` unit
    activations.
    """
    rows = min(batch_size, train_rows) if batch_size else train_rows
    w, depth = config.width, config.depth
    weights = config.in_dim * w + (depth - 1) * w * w + w * config.out_dim
    passes = 3 * rows + test_rows
    per_step = _STEP_S + models * passes * (weights / _MACS_PER_S + depth * w * _UNIT_S)
    return steps * per_step * (_BATCHNORM if config.batchnorm else 1.0)
