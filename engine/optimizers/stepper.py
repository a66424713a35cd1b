"""A step function for many small steps of one shape: ``Optimizer.step`` with its set-up done once.

``Optimizer.step`` merges, checks and broadcasts the hyperparameters on every call. For a 2D
surface the tensors are tiny, so that bookkeeping cost more than the update's arithmetic, and a
trajectory takes hundreds of steps of the same shape. :func:`stepper` does it once and returns
``step(params, grads, state, lr=None)``: the same update (the same pure per-tensor functions on
the same broadcast values) for a single tensor shaped like the one it was made for. Call it under
``torch.no_grad()`` (``Optimizer.step`` is decorated with it; this function is not, because the
decorator itself costs a few microseconds per call).
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import Any, NamedTuple

from torch import Tensor

from .base import Optimizer, _broadcast, _dims, lead

Step = Callable[..., tuple[Tensor, NamedTuple]]


def stepper(opt: Optimizer, like: Tensor, *, batch_dims: int = 0) -> Step:
    """``step(params, grads, state, lr=None, t=None) -> (params, state)`` for tensors like ``like``.

    Equal to ``opt.step(params, grads, state, lr=lr, batch_dims=batch_dims)`` for a single
    tensor of the shape, dtype and device of ``like``; ``lr`` overrides the learning rate for one
    step (a float, or a tensor shaped like ``opt.hyper["lr"]``). ``t``: the step counter after
    this step, ``state.t + 1``, when the caller already has it (several optimizers stepping in
    lock-step share one).
    """
    entry = opt.entry
    h = {**opt.hyper, **entry.fixed, **_dims(opt.hyper, batch_dims, like)}
    h["initial_lr"] = h.get("lr")
    ready = _broadcast(h, like)
    fields, make_state, has_t = entry.leaf_fields, entry.state, entry.has_t
    tree, leaf = entry.update_tree, entry.update_leaf

    def step(
        p: Tensor, g: Tensor, state: Any, lr: float | Tensor | None = None, t: Tensor | None = None
    ):
        hs = ready
        if lr is not None:
            hs = {**ready, "lr": float(lr) if isinstance(lr, Real) else lead(lr, like)}
        if not has_t:
            t = None
        elif t is None:
            t = state.t + 1
        leaves = {f: getattr(state, f) for f in fields}
        if tree is None:
            new_p, new_leaves = leaf(hs, p, g, leaves, t)
        else:
            new_ps, trees = tree({"": hs}, {"": p}, {"": g}, {"": leaves}, t)
            new_p, new_leaves = new_ps[""], trees[""]
        out = dict(new_leaves)
        if has_t:
            out["t"] = t
        return new_p, make_state(**out)

    return step
