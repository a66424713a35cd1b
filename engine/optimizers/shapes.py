"""One model's share of a batched parameter tensor, for the optimizers that look at a whole tensor.

A tensor's first ``h["batch_dims"]`` dims index separate models (a surface's (K, S, 2) paths: 2;
the race's K networks: 1); the remaining "own" dims are one model's tensor. Reductions keep the
dims, so a per-model value broadcasts back over its tensor. Per-model values kept in the state
are spread (``expand``, no copy) to the parameter's shape, so every state field mirrors the
parameters, as the elementwise optimizers' do.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from engine.core.i18n import _

from .base import Hyper, Leaf


def own_dims(x: Tensor, h: Hyper) -> tuple[int, ...]:
    """The dims of one model's tensor; a hyperparameter sweep must run over separate models."""
    bd = h["batch_dims"]
    if h["hyper_dims"] > bd:
        raise ValueError(
            _(
                "Invalid batch_dims: {bd} (hyperparameters with {hyper_dims} leading dims need as many batch dims: this optimizer takes norms or matrices per model)"
            ).format(bd=bd, hyper_dims=h["hyper_dims"])
        )
    return tuple(range(bd, x.ndim))


def own_sum(x: Tensor, h: Hyper) -> Tensor:
    dims = own_dims(x, h)
    # sum(dim=()) would sum everything: a tensor with no own dims is its own sum.
    return x.sum(dim=dims, keepdim=True) if dims else x


def own_norm(x: Tensor, h: Hyper) -> Tensor:
    """The Euclidean (Frobenius) norm of each model's tensor, keeping the dims."""
    dims = own_dims(x, h)
    return torch.linalg.vector_norm(x, dim=dims, keepdim=True) if dims else x.abs()


def own_size(x: Tensor, h: Hyper) -> int:
    return math.prod(x.shape[h["batch_dims"] :])


def first(x: Tensor, h: Hyper) -> Tensor:
    """A spread per-model value back in its kept-dims shape: (B..., 1, ..., 1)."""
    bd = h["batch_dims"]
    return x[(slice(None),) * bd + (slice(0, 1),) * (x.ndim - bd)]


def per_model(x: Tensor, h: Hyper) -> Tensor:
    """A kept-dims or spread per-model value as a batch-shaped (B...) tensor."""
    return first(x, h).reshape(x.shape[: h["batch_dims"]])


def to_leaf(v: Tensor, p: Tensor, h: Hyper) -> Tensor:
    """A batch-shaped (B...) value reshaped to broadcast over ``p``: (B..., 1, ..., 1)."""
    return v.reshape(v.shape + (1,) * (p.ndim - h["batch_dims"]))


def spread(v: Tensor | float, p: Tensor) -> Tensor:
    """A per-model value as a state field of ``p``'s shape (a view, no copy)."""
    return torch.as_tensor(v, dtype=p.dtype, device=p.device).expand_as(p)


def tree_leaf(tree: Callable[..., Any]) -> Callable[..., tuple[Tensor, Leaf]]:
    """An ``update_leaf`` for an entry whose maths is an ``update_tree``: one tensor as a tree."""

    def update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
        new_p, leaves = tree({"": h}, {"": p}, {"": g}, {"": s}, t)
        return new_p[""], leaves[""]

    return update
