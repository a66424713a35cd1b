"""Optimizers of one kind that differ only in numeric hyperparameters share one batched state:
their hyperparameters become ``(k,)`` tensors that broadcast over the leading dim of the group's
parameters, so a learning-rate sweep of 64 values is one optimizer step per iteration, not 64.
Both the 2D trajectories and the network race group their optimizers this way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from .base import Optimizer
from .registry import create


def optimizer_labels(optimizers: Sequence[Optimizer]) -> list[str]:
    """Optimizer names, with the learning rate added where a name appears more than once."""
    counts: dict[str, int] = {}
    for opt in optimizers:
        counts[opt.name] = counts.get(opt.name, 0) + 1
    return [
        opt.name if counts[opt.name] == 1 else f"{opt.name} (lr={float(opt.hyper['lr']):.3g})"
        for opt in optimizers
    ]


def _key(opt: Optimizer) -> tuple:
    """Optimizers share a batched state when they differ only in numeric hyperparameters."""
    flags = tuple(
        (k, v) for k, v in sorted(opt.hyper.items()) if isinstance(v, bool | str) or v is None
    )
    return (opt.name, flags)


def batch_groups(optimizers: Sequence[Optimizer]) -> list[list[int]]:
    """The indices of the optimizers that step as one batched state, groups in order of first
    appearance (the grouping of :func:`group_optimizers`, without building anything)."""
    by_key: dict[tuple, list[int]] = {}
    for i, opt in enumerate(optimizers):
        by_key.setdefault(_key(opt), []).append(i)
    return list(by_key.values())


def _stack(values: list[Any], dtype: torch.dtype, device: torch.device) -> Any:
    """One hyperparameter across a group: a float if all agree, else a (k,) tensor."""
    first = values[0]
    if isinstance(first, tuple):
        return tuple(_stack([v[i] for v in values], dtype, device) for i in range(len(first)))
    if isinstance(first, bool | str) or first is None:
        return first
    floats = [float(v) for v in values]
    if all(v == floats[0] for v in floats):
        return floats[0]
    return torch.tensor(floats, dtype=dtype, device=device)


def group_optimizers(
    optimizers: Sequence[Optimizer], dtype: torch.dtype, device: torch.device
) -> list[tuple[Optimizer, list[int]]]:
    """Group optimizers that can share one batched state: ``[(batched optimizer, indices)]``,
    in order of first appearance; a group's numeric hyperparameters are ``(k,)`` tensors of
    ``dtype`` on ``device`` where its members differ."""
    groups = []
    for indices in batch_groups(optimizers):
        members = [optimizers[i] for i in indices]
        if len(members) == 1:
            groups.append((members[0], indices))
            continue
        hyper = {k: _stack([m.hyper[k] for m in members], dtype, device) for k in members[0].hyper}
        groups.append((create(members[0].name, **hyper), indices))
    return groups
