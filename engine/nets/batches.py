"""What training one network and racing several share: the data, checked against the network and
moved to the device; the limits that keep a run's memory and time bounded; and the seeded
minibatch order, so a race and a single training run with the same seed see the same batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import torch

from engine.core.checks import check_int
from engine.core.i18n import _
from engine.nets import losses, networks
from engine.nets.datasets import MAX_N, Split

#: The most steps one run may take.
MAX_STEPS = 5000


class Data(NamedTuple):
    """Training (and optional test) tensors on the run's device; X float32."""

    X: torch.Tensor
    y: torch.Tensor
    X_test: torch.Tensor | None
    y_test: torch.Tensor | None

    @property
    def has_test(self) -> bool:
        return self.X_test is not None and len(self.X_test) > 0


def prepare_data(data: Any, config: networks.MLPConfig, dev: torch.device) -> Data:
    """``(X, y)`` or a :class:`~engine.nets.datasets.Split`, checked against ``config`` and moved
    to ``dev``."""
    if isinstance(data, Split):
        X, y, Xt, yt = data
    elif isinstance(data, tuple | list) and len(data) == 2:
        (X, y), Xt, yt = data, None, None
    else:
        raise ValueError(
            _("Invalid data: {kind} (pass (X, y) or a datasets.Split)").format(
                kind=type(data).__name__
            )
        )
    parts = [X, y] + ([Xt, yt] if Xt is not None else [])
    check_int("n", sum(len(p) for p in parts[::2]), 1, MAX_N)
    for Xi, yi in zip(parts[::2], parts[1::2], strict=True):
        if Xi.ndim != 2 or Xi.shape[1] != config.in_dim or len(yi) != len(Xi):
            raise ValueError(
                _("Invalid data: X {x_shape} and y {y_shape} for in_dim={in_dim}").format(
                    x_shape=tuple(Xi.shape), y_shape=tuple(yi.shape), in_dim=config.in_dim
                )
            )
        classes = int(losses.labels(yi).max()) + 1 if len(yi) else 0
        if classes > max(config.out_dim, 2):
            raise ValueError(
                _("Invalid data: {classes} classes for out_dim={out_dim}").format(
                    classes=classes, out_dim=config.out_dim
                )
            )
    moved = [
        p.to(dev, torch.float32) if i % 2 == 0 or p.is_floating_point() else p.to(dev)
        for i, p in enumerate(parts)
    ]
    return Data(*moved) if len(moved) == 4 else Data(moved[0], moved[1], None, None)


def check_limits(steps: int, batch_size: int | None, probe_every: int, eval_every: int) -> None:
    """Refuse run sizes beyond the limits that keep memory and time bounded."""
    check_int("steps", steps, 1, MAX_STEPS)
    if batch_size is not None:
        check_int("batch_size", batch_size, 1, MAX_N)
    check_int("probe_every", probe_every, 0)  # 0: never probe
    check_int("eval_every", eval_every, 1)


def check_batch_norm(config: networks.MLPConfig, d: Data, batch_size: int | None) -> None:
    """Batch norm needs at least two rows per batch to have a variance."""
    if config.batchnorm and min(batch_size or len(d.X), len(d.X)) < 2:
        raise ValueError(
            _("Invalid batch_size: {batch_size} (batch norm needs at least 2 rows)").format(
                batch_size=batch_size
            )
        )


def batch_indices(
    n: int, batch_size: int | None, steps: int, seed: int = 0
) -> Iterator[torch.Tensor | None]:
    """The CPU index tensor of each step's minibatch (``None`` = the full batch).

    Each epoch is a fresh permutation from a generator seeded by ``seed`` alone, cut into
    ``n // batch_size`` batches of exactly ``batch_size`` rows (the remainder is dropped, so
    every batch has the same size).
    """
    if batch_size is None or batch_size >= n:
        for _ in range(steps):
            yield None
        return
    g = torch.Generator(device="cpu").manual_seed(int(seed))
    per_epoch = n // batch_size
    perm = torch.randperm(n, generator=g)
    for t in range(steps):
        k = t % per_epoch
        if k == 0 and t > 0:
            perm = torch.randperm(n, generator=g)
        yield perm[k * batch_size : (k + 1) * batch_size]


def minibatches(
    d: Data, batch_size: int | None, steps: int, seed: int
) -> Iterator[tuple[int, torch.Tensor, torch.Tensor]]:
    """``(t, X_batch, y_batch)`` for each step, in :func:`batch_indices`' seeded order."""
    for t, idx in enumerate(batch_indices(len(d.X), batch_size, steps, seed)):
        if idx is None:
            yield t, d.X, d.y
        else:
            idx = idx.to(d.X.device)
            yield t, d.X[idx], d.y[idx]
