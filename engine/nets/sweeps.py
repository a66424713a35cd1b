"""Learning-rate sweeps of a network: one race of every setting at every learning rate, and the
final loss each one reaches.

A sweep is :func:`engine.nets.race.race` with one network per (optimizer, learning rate); those
of one kind share a batched state, so each step costs one update per kind, not per rate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch.func import vmap

from engine.core.device import resolve
from engine.core.i18n import _
from engine.nets import losses, networks
from engine.nets.batches import prepare_data
from engine.nets.race import MAX_MODELS, RaceResult, race
from engine.optimizers import create


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
        raise ValueError(_("Invalid lrs: give at least one learning rate"))
    check_sweep_size(len(settings), len(lrs))
    opts = [create(name, **{**hyper, "lr": lr}) for name, hyper in settings for lr in lrs]
    res = race(config, data, opts, steps, batch_size, seed, callback, **kwargs)
    dev = resolve(kwargs.get("device"))
    d = prepare_data(data, config, dev)
    n_opt, n_lr = len(settings), len(lrs)
    train = final_losses(res, d.X, d.y, dev)
    has_test = d.has_test
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
            _(
                "Too many networks: {n_optimizers} optimizers × {n_lrs} learning rates = {n} (the limit is {max_models})"
            ).format(n_optimizers=n_optimizers, n_lrs=n_lrs, n=n, max_models=MAX_MODELS)
        )


def final_losses(
    res: RaceResult, X: torch.Tensor, y: torch.Tensor, device: str | torch.device | None = None
) -> np.ndarray:
    """``(K,)`` loss of each raced model's final weights on ``(X, y)``, in eval mode."""
    dev = resolve(device)
    logits = res.logits(X, dev)
    score = vmap(lambda z: losses.compute(res.loss, z, y.to(dev)))
    return score(logits).double().cpu().numpy()
