"""Shared machinery: the registered ``Entry`` of an optimizer, the configured ``Optimizer``, and
how hyperparameters broadcast over batched parameters.

An optimizer family (sgd.py, adam.py, ...) supplies pure per-tensor functions; this module maps
them over a single tensor or a ``dict[str, Tensor]`` of parameters and shares the step counter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Real
from typing import TYPE_CHECKING, Any, NamedTuple

import torch
from torch import Tensor

from engine.core.checks import check_int
from engine.core.i18n import N_, _

if TYPE_CHECKING:
    from .specs import HyperSpec

Params = Tensor | dict[str, Tensor]
Hyper = dict[str, Any]
Leaf = dict[str, Tensor]


@dataclass(frozen=True)
class Entry:
    """One registered optimizer name: its specs, its state, and its pure per-tensor maths.

    ``init_leaf(h, p)`` and ``update_leaf(h, p, g, fields, t)`` work on one parameter tensor; ``h``
    holds the hyperparameters with tensor values already broadcast to ``p``. ``leaf_fields`` are
    the state fields that mirror the parameters; ``t`` (if ``has_t``) is one shared scalar.
    ``fixed`` holds settings the name implies but does not expose (AdamW's decoupled decay).

    What a page asks about an optimizer is metadata here, never a list of names in the page:
    ``default_lr`` is a learning rate for the 2D surfaces, ``network_lr`` one for the race's
    default network, ``bias_corrected`` says the update divides both moments m and v by
    1 - βᵗ as Adam does (so m̂ and v̂ are worth showing), ``second_moment`` that the state field
    ``v`` is a running average of g².
    """

    name: str
    state: type
    leaf_fields: tuple[str, ...]
    has_t: bool
    specs: tuple[HyperSpec, ...]
    init_leaf: Callable[[Hyper, Tensor], Leaf]
    update_leaf: Callable[[Hyper, Tensor, Tensor, Leaf, Tensor | None], tuple[Tensor, Leaf]]
    formula: Callable[[Hyper], str]
    description: str
    default_lr: float
    # The shared hyperparameters' checks (``specs.check``), run first in this (torch's) order;
    # then ``validate`` checks the optimizer's own hyperparameters.
    checks: tuple[str, ...] = ()
    validate: Callable[[Hyper], None] = lambda h: None
    fixed: Hyper = field(default_factory=dict)
    group: str = ""  # the picker's heading, one of GROUPS
    symbols: dict[str, str] = field(default_factory=dict)  # LaTeX of fields SYMBOLS lacks
    # Uses a tensor's own shape (a matrix, a norm): the race gives it named (k, ...) tensors.
    structured: bool = False
    # update_tree(hs, ps, gs, leaves, t) -> (ps, leaves), by parameter name: replaces
    # update_leaf when a step sums over all of a model's tensors; hs: h broadcast to each.
    update_tree: Callable[..., tuple[dict[str, Tensor], dict[str, Leaf]]] | None = None
    wraps: bool = False  # a wrapper (Lookahead): its "optimizer" names the one it wraps
    network_lr: float | None = None  # None: not tuned for networks; the surface rate is used
    bias_corrected: bool = False
    second_moment: bool = False


#: The picker's groups, in teaching order.
GROUPS = (N_("classic"), N_("adaptive"), N_("sign-based"), N_("matrix"), N_("schedule-free"))


@dataclass(frozen=True, eq=False)
class Optimizer:
    """A configured optimizer: ``init(params) -> state`` and ``step(params, grads, state)``.

    Both are pure: they never write to their inputs and return new tensors. ``params`` is a
    tensor or a ``dict[str, Tensor]``; the state's per-parameter fields mirror that structure.
    Both run under ``torch.no_grad()``, so the returned tensors never require grad.
    """

    name: str
    hyper: Hyper
    entry: Entry = field(repr=False)

    @torch.no_grad()
    def init(self, params: Params, *, batch_dims: int = 0) -> NamedTuple:
        """The state before the first step. ``batch_dims``: see :meth:`step`."""
        ref = _first(params)
        h = {**self.hyper, **self.entry.fixed, **_dims(self.hyper, batch_dims, params)}
        leaves = _map(lambda p: self.entry.init_leaf(_broadcast(h, p), p), params)
        fields = {f: _pick(leaves, f) for f in self.entry.leaf_fields}
        if self.entry.has_t:
            # float64 whatever the params' dtype: torch.optim computes its bias corrections
            # from a Python float, and 1 - beta2**t in float32 is off by ~1e-4 early on.
            fields["t"] = torch.zeros((), dtype=torch.float64, device=ref.device)
        return self.entry.state(**fields)

    @torch.no_grad()  # like torch.optim: the update is not part of any autograd graph
    def step(
        self,
        params: Params,
        grads: Params,
        state: NamedTuple,
        *,
        lr: float | Tensor | None = None,
        batch_dims: int = 0,
    ) -> tuple[Params, NamedTuple]:
        """One update. ``lr`` overrides ``hyper["lr"]`` for this step only (for schedules).

        ``batch_dims``: how many leading dims of every tensor index separate models (2 for a
        surface's (K, S, 2) paths, 1 for the race's K networks). Optimizers that look at a
        tensor as a whole (a matrix, a norm) treat the remaining dims as one model's tensor.
        """
        h = {**self.hyper, **self.entry.fixed, **_dims(self.hyper, batch_dims, params)}
        h["initial_lr"] = h.get("lr")  # AdaBound's bounds follow the scheduled lr / initial lr
        if lr is not None:
            h["lr"] = float(lr) if isinstance(lr, Real) else lr
        t = state.t + 1 if self.entry.has_t else None
        names = self.entry.leaf_fields
        single = isinstance(params, Tensor)
        if single:
            params, grads = {"": params}, {"": grads}
        elif not isinstance(grads, dict) or set(grads) != set(params):
            raise ValueError(_("grads must be a dict with the same keys as params"))
        leaves = {
            k: {f: getattr(state, f) if single else getattr(state, f)[k] for f in names}
            for k in params
        }
        hs = {k: _broadcast(h, p) for k, p in params.items()}
        if self.entry.update_tree is not None:
            new_params, new_leaves = self.entry.update_tree(hs, params, grads, leaves, t)
        else:
            out = {
                k: self.entry.update_leaf(hs[k], p, grads[k], leaves[k], t)
                for k, p in params.items()
            }
            new_params = {k: o[0] for k, o in out.items()}
            new_leaves = {k: o[1] for k, o in out.items()}
        if single:
            fields: dict[str, Any] = dict(new_leaves[""])
            new_params = new_params[""]
        else:
            fields = {f: {k: leaf[f] for k, leaf in new_leaves.items()} for f in names}
        if t is not None:
            fields["t"] = t
        return new_params, self.entry.state(**fields)


def _dims(hyper: Hyper, batch_dims: int, params: Params) -> dict[str, int]:
    """``batch_dims``, checked, and ``hyper_dims``: the most leading dims of a tensor hyper."""
    _first(params)  # a clear message for an empty dict
    ndim = min(p.ndim for p in ([params] if isinstance(params, Tensor) else params.values()))
    check_int("batch_dims", batch_dims, 0, ndim)  # at most the params' own dims
    values = [x for v in hyper.values() for x in (v if isinstance(v, tuple) else (v,))]
    hyper_dims = max((x.ndim for x in values if isinstance(x, Tensor)), default=0)
    return {"batch_dims": batch_dims, "hyper_dims": hyper_dims}


def _first(params: Params) -> Tensor:
    if isinstance(params, Tensor):
        return params
    if not params:
        raise ValueError(_("params must be a tensor or a non-empty dict of tensors"))
    return next(iter(params.values()))


def _map(fn: Callable[[Tensor], Leaf], params: Params) -> Leaf | dict[str, Leaf]:
    return fn(params) if isinstance(params, Tensor) else {k: fn(p) for k, p in params.items()}


def _pick(leaves: Any, name: str) -> Params:
    if isinstance(next(iter(leaves.values())), Tensor):
        return leaves[name]
    return {k: leaf[name] for k, leaf in leaves.items()}


def lead(value: Tensor, p: Tensor) -> Tensor:
    """Broadcast a hyperparameter tensor over the leading dims of ``p``: (B,) -> (B, 1, 1)."""
    value = value.to(device=p.device, dtype=p.dtype)
    if value.ndim > p.ndim:
        raise ValueError(
            _("a hyperparameter of shape {shape} has more dims than {param_shape}").format(
                shape=tuple(value.shape), param_shape=p.shape
            )
        )
    return value.reshape(tuple(value.shape) + (1,) * (p.ndim - value.ndim))


def _broadcast(h: Hyper, p: Tensor) -> Hyper:
    out = {}
    for k, v in h.items():
        if isinstance(v, Tensor):
            v = lead(v, p)
        elif isinstance(v, tuple):
            v = tuple(lead(x, p) if isinstance(x, Tensor) else x for x in v)
        out[k] = v
    return out
