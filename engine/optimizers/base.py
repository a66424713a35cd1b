"""Shared machinery: the ``Optimizer`` object, hyperparameter specs, validation, broadcasting.

An optimizer family (sgd.py, adam.py, ...) supplies pure per-tensor functions; this module maps
them over a single tensor or a ``dict[str, Tensor]`` of parameters and shares the step counter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Real
from typing import Any, NamedTuple

import torch
from torch import Tensor

Params = Tensor | dict[str, Tensor]
Hyper = dict[str, Any]
Leaf = dict[str, Tensor]


class HyperSpec(NamedTuple):
    """What the app needs to build one hyperparameter widget.

    ``kind`` is ``"float"`` (a slider between ``low`` and ``high``, log-scaled when ``log``),
    ``"pair"`` (``betas``: two floats, each in ``[low, high]``), ``"bool"`` (a checkbox) or
    ``"choice"`` (one of ``choices``). The ranges are the widget's, not the validation's.
    ``symbol`` is how the formula writes it (``"λ"``) and ``label`` its plain name (``"weight
    decay"``); a pair has one of each per element. ``step`` is a linear slider's resolution, so a
    display shows every digit that the slider can set (β₂ = 0.999, not "1.00").
    """

    name: str
    default: Any
    kind: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    symbol: str | tuple[str, str] = ""
    label: str | tuple[str, str] = ""
    step: float = 0.0


# The widget ranges of the hyperparameters shared by several optimizers.
# The lr range reaches down to 1e-7: plain steps on steep surfaces (Goldstein-Price) need it.
def lr_spec(default: float) -> HyperSpec:
    return HyperSpec(
        "lr", default, "float", 1e-7, 10.0, True,
        help="learning rate η", symbol="η", label="learning rate",
    )  # fmt: skip


def eps_spec(default: float) -> HyperSpec:
    return HyperSpec(
        "eps", default, "float", 1e-12, 1e-1, True,
        help="ε, keeps the division finite", symbol="ε", label="stability constant",
    )  # fmt: skip


def wd_spec(default: float = 0.0) -> HyperSpec:
    return HyperSpec(
        "weight_decay", default, "float", 0.0, 1.0,
        help="weight decay λ", symbol="λ", label="weight decay", step=1e-3,
    )  # fmt: skip


def betas_spec(default: tuple[float, float] = (0.9, 0.999)) -> HyperSpec:
    return HyperSpec(
        "betas", default, "pair", 0.0, 0.9999,
        help="(β₁, β₂): decay of the first and second moment averages",
        symbol=("β₁", "β₂"), label=("first-moment decay", "second-moment decay"), step=1e-4,
    )  # fmt: skip


MAXIMIZE = HyperSpec(
    "maximize", False, "bool",
    help="ascend the objective instead of descending", label="maximize (climb uphill)",
)  # fmt: skip
DECOUPLED = HyperSpec(
    "decoupled_weight_decay", False, "bool",
    help="shrink θ directly (AdamW) instead of adding λθ to g",
    label="decoupled weight decay (AdamW)",
)  # fmt: skip


@dataclass(frozen=True)
class Entry:
    """One registered optimizer name: its specs, its state, and its pure per-tensor maths.

    ``init_leaf(h, p)`` and ``update_leaf(h, p, g, fields, t)`` work on one parameter tensor; ``h``
    holds the hyperparameters with tensor values already broadcast to ``p``. ``leaf_fields`` are
    the state fields that mirror the parameters; ``t`` (if ``has_t``) is one shared scalar.
    ``fixed`` holds settings the name implies but does not expose (AdamW's decoupled decay).
    """

    name: str
    state: type
    leaf_fields: tuple[str, ...]
    has_t: bool
    specs: tuple[HyperSpec, ...]
    validate: Callable[[Hyper], None]
    init_leaf: Callable[[Hyper, Tensor], Leaf]
    update_leaf: Callable[[Hyper, Tensor, Tensor, Leaf, Tensor | None], tuple[Tensor, Leaf]]
    formula: Callable[[Hyper], str]
    description: str
    default_lr: float
    fixed: Hyper = field(default_factory=dict)
    group: str = ""  # the picker's heading, one of GROUPS
    symbols: dict[str, str] = field(default_factory=dict)  # LaTeX of fields SYMBOLS lacks
    # Uses a tensor's own shape (a matrix, a norm): the race gives it named (k, ...) tensors.
    structured: bool = False
    # update_tree(hs, ps, gs, leaves, t) -> (ps, leaves), by parameter name: replaces
    # update_leaf when a step sums over all of a model's tensors; hs: h broadcast to each.
    update_tree: Callable[..., tuple[dict[str, Tensor], dict[str, Leaf]]] | None = None
    wraps: bool = False  # a wrapper (Lookahead): its "optimizer" names the one it wraps


#: The picker's groups, in teaching order.
GROUPS = ("classic", "adaptive", "sign-based", "matrix", "schedule-free")


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
            raise ValueError("grads must be a dict with the same keys as params")
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
    if isinstance(batch_dims, bool) or not isinstance(batch_dims, int):
        raise ValueError(f"Invalid batch_dims: {batch_dims!r}")
    if not 0 <= batch_dims <= ndim:
        raise ValueError(f"Invalid batch_dims: {batch_dims} (params have {ndim} dims)")
    values = [x for v in hyper.values() for x in (v if isinstance(v, tuple) else (v,))]
    hyper_dims = max((x.ndim for x in values if isinstance(x, Tensor)), default=0)
    return {"batch_dims": batch_dims, "hyper_dims": hyper_dims}


def _first(params: Params) -> Tensor:
    if isinstance(params, Tensor):
        return params
    if not params:
        raise ValueError("params must be a tensor or a non-empty dict of tensors")
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
            f"a hyperparameter of shape {tuple(value.shape)} has more dims than {p.shape}"
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


def is_zero(x: float | Tensor) -> bool:
    """True only for a plain float 0, the case where torch skips a term entirely."""
    return not isinstance(x, Tensor) and x == 0


# --- validation ----------------------------------------------------------------------------


def require(value: float | Tensor, ok: Callable[[Any], Any], message: str) -> None:
    """Raise ``ValueError(message)`` unless ``value`` (every element) is finite and ``ok``.

    ``ok`` must use ``&``/``|`` rather than ``and``/chained comparisons, so it works on tensors.
    """
    if isinstance(value, Tensor):
        v = value.detach()
        good = bool(torch.isfinite(v).all()) and bool(torch.as_tensor(ok(v)).all())
    else:
        good = math.isfinite(value) and bool(ok(value))
    if not good:
        raise ValueError(message)


def check_lr(h: Hyper) -> None:
    require(h["lr"], lambda x: x >= 0, f"Invalid learning rate: {h['lr']}")


def check_eps(h: Hyper) -> None:
    require(h["eps"], lambda x: x >= 0, f"Invalid epsilon value: {h['eps']}")


def check_weight_decay(h: Hyper) -> None:
    wd = h["weight_decay"]
    require(wd, lambda x: x >= 0, f"Invalid weight_decay value: {wd}")


def check_betas(h: Hyper) -> None:
    for i, b in enumerate(h["betas"]):
        require(b, lambda x: (x >= 0) & (x < 1), f"Invalid beta parameter at index {i}: {b}")


def normalize(spec: HyperSpec, value: Any) -> Any:
    """Coerce one user value to its spec's type (ints to floats); reject wrong types."""
    bad = ValueError(f"Invalid {spec.name} value: {value!r}")
    if spec.kind == "float":
        if isinstance(value, Tensor):
            if value.is_complex():
                raise bad
            return value if value.is_floating_point() else value.double()
        if isinstance(value, bool) or not isinstance(value, Real):
            raise bad
        return float(value)
    if spec.kind == "pair":
        if isinstance(value, Tensor) and value.numel() == 2 and value.ndim == 1:
            value = (value[0], value[1])
        if not isinstance(value, tuple | list) or len(value) != 2:
            raise bad
        return tuple(normalize(spec._replace(kind="float"), v) for v in value)
    if spec.kind == "bool":
        if isinstance(value, Tensor) or value not in (True, False):
            raise bad
        return bool(value)
    if value not in spec.choices:
        raise ValueError(
            f"Invalid {spec.name} value: {value!r}; choose one of {list(spec.choices)}"
        )
    return value


# --- LaTeX shared by the formulas ------------------------------------------------------------

#: Every state field is named after a symbol of the formulas; this is how each one is written.
SYMBOLS: dict[str, str] = {
    "m": "m_t",
    "v": "v_t",
    "v_max": r"v^{\max}_t",
    "s": "s_t",
    "b": "b_t",
    "g": r"\bar g_t",
    "u": "u_t",
    "mu_product": r"\Pi_t",
    "t": "t",
}


def grad_line(h: Hyper, *, coupled_decay: bool = True) -> str:
    r"""The line defining ``g_t``: the gradient, negated for ``maximize``, plus ``\lambda\theta``."""
    sign = "-" if h.get("maximize") else ""
    line = rf"g_t &= {sign}\nabla_\theta f(\theta_{{t-1}})"
    if coupled_decay and not is_zero(h.get("weight_decay", 0.0)):
        line += r" + \lambda \theta_{t-1}"
    return line


def decoupled_line(h: Hyper) -> str | None:
    """AdamW-style decay applied to θ before the step, if configured."""
    if h.get("decoupled_weight_decay") and not is_zero(h["weight_decay"]):
        return r"\theta_{t-1} &\leftarrow (1 - \eta\lambda)\, \theta_{t-1}"
    return None


def aligned(*lines: str | None) -> str:
    body = r" \\ ".join(line for line in lines if line)
    return rf"\begin{{aligned}} {body} \end{{aligned}}"
