r"""Lookahead: any optimizer takes k fast steps, then the weights are pulled back part of the way
towards slow weights φ that move only every k steps.

.. math::

    \begin{aligned}
    \theta_t &= \mathrm{step}(\theta_{t-1}, g_t) \quad \text{(the inner optimizer)} \\
    \phi_t &= \phi_{t-k} + \alpha (\theta_t - \phi_{t-k}), \quad \theta_t \leftarrow \phi_t
        \quad \text{when } t \bmod k = 0 \text{ (else } \phi_t = \phi_{t-1}) \\
    \phi_0 &= \theta_0
    \end{aligned}

The state is the inner optimizer's state fields plus φ (and a step counter t when the inner
optimizer has none), so the inner moments can be plotted as usual. ``create("lookahead",
optimizer="adam", lr=..., k=5, alpha=0.5, betas=...)`` accepts every hyperparameter of the
inner optimizer; a batched run groups Lookaheads by their inner optimizer.

Reference: Zhang et al., 2019, "Lookahead Optimizer: k steps forward, 1 step back". Notes,
following pytorch-optimizer's Lookahead (the tests' oracle; torch.optim has none): the inner
optimizer's state is not reset at a synchronisation (its ``pullback_momentum="none"``).
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import torch
from torch import Tensor

from engine.core.checks import require
from engine.core.i18n import N_, _

from .base import Entry, Hyper, Leaf
from .shapes import tree_leaf
from .specs import HyperSpec, lr_spec

K = HyperSpec(
    "k", 5.0, "float", 1.0, 20.0, False, (), "k: fast steps between synchronisations",
    symbol="k", label=N_("synchronisation period"), step=1.0,
)  # fmt: skip
ALPHA = HyperSpec(
    "alpha", 0.5, "float", 0.0, 1.0, False, (), "α: how far φ moves towards θ",
    symbol="α", label=N_("slow-weight step"), step=0.01,
)  # fmt: skip
#: The default inner optimizer.
INNER = "adam"


def optimizer_spec(choices: tuple[str, ...]) -> HyperSpec:
    return HyperSpec(
        "optimizer",
        INNER,
        "choice",
        choices=choices,
        help=N_("the inner optimizer that takes the fast steps"),
        label=N_("inner optimizer"),
    )


def _validate_own(h: Hyper) -> None:
    k, alpha = h["k"], h["alpha"]
    require(
        k,
        lambda x: (x >= 1) & (x == x // 1),
        _("Invalid k value: {k} (a whole number >= 1)").format(k=k),
    )
    require(
        alpha, lambda x: (x >= 0) & (x <= 1), _("Invalid alpha value: {alpha}").format(alpha=alpha)
    )


def _sync(h: Hyper, p: Tensor, phi: Tensor, t: Tensor) -> tuple[Tensor, Tensor]:
    """After the inner step: every k steps θ and φ both become φ + α(θ − φ)."""
    due = torch.remainder(t, h["k"]) == 0
    pulled = torch.lerp(p, phi, 1 - h["alpha"])
    return torch.where(due, pulled, p), torch.where(due, pulled, phi)


_WRAPPED: dict[tuple[str, tuple[str, ...]], Entry] = {}


def wrap(inner: Entry, choices: tuple[str, ...]) -> Entry:
    """The Lookahead entry around ``inner`` (one NamedTuple state type per inner optimizer)."""
    key = (inner.name, choices)
    if key not in _WRAPPED:
        _WRAPPED[key] = _build(inner, choices)
    return _WRAPPED[key]


def _build(inner: Entry, choices: tuple[str, ...]) -> Entry:
    fields = [f for f in inner.state._fields if f != "t"] + ["phi", "t"]
    doc = (
        f"State of Lookahead around {inner.name}: {', '.join(inner.state._fields)} of "
        f"{inner.name}; phi: the slow weights :math:`\\phi_t`; t: the number of steps taken."
    )
    state = NamedTuple(f"Lookahead_{inner.name}_State", [(f, Any) for f in fields])
    state.__doc__ = doc

    def init(h: Hyper, p: Tensor) -> Leaf:
        return {**inner.init_leaf(h, p), "phi": p.clone()}

    def tree(hs, ps, gs, leaves, t):
        inner_leaves = {k: {f: s[f] for f in inner.leaf_fields} for k, s in leaves.items()}
        if inner.update_tree is not None:
            new_ps, new_leaves = inner.update_tree(hs, ps, gs, inner_leaves, t)
        else:
            out = {k: inner.update_leaf(hs[k], p, gs[k], inner_leaves[k], t) for k, p in ps.items()}
            new_ps = {k: o[0] for k, o in out.items()}
            new_leaves = {k: o[1] for k, o in out.items()}
        for k in ps:
            new_ps[k], new_leaves[k]["phi"] = _sync(hs[k], new_ps[k], leaves[k]["phi"], t)
        return new_ps, new_leaves

    def validate(h: Hyper) -> None:
        _validate_own(h)
        inner.validate(h)

    def formula(h: Hyper) -> str:
        body = inner.formula(h).removesuffix(r" \end{aligned}")
        return (
            body + r" \\ \phi_t &= \phi_{t-k} + \alpha (\theta_t - \phi_{t-k}),"
            r" \quad \theta_t \leftarrow \phi_t \quad \text{if } t \bmod k = 0 \end{aligned}"
        )

    return Entry(
        name="lookahead",
        state=state,
        leaf_fields=(*inner.leaf_fields, "phi"),
        has_t=True,
        specs=(optimizer_spec(choices), K, ALPHA, *inner.specs),
        checks=inner.checks,
        validate=validate,
        init_leaf=init,
        update_leaf=tree_leaf(tree),
        formula=formula,
        description=DESCRIPTION,
        default_lr=inner.default_lr,
        fixed=inner.fixed,
        group="classic",
        symbols={**inner.symbols, "phi": r"\phi_t"},
        structured=inner.structured,
        update_tree=tree,
        wraps=True,
    )


DESCRIPTION = N_(
    "Lookahead: lets an inner optimizer take k fast steps, then pulls the weights back part of "
    "the way (α) towards slow weights that move only every k steps."
)


def registry_entry(inner: Entry, choices: tuple[str, ...]) -> Entry:
    """The entry listed under "lookahead": its specs are the ones every inner optimizer shares."""
    entry = wrap(inner, choices)
    specs = (optimizer_spec(choices), K, ALPHA, lr_spec(1e-3))
    # Pulled back every k steps, Lookahead(Adam) needs a larger η than Adam on the surfaces.
    return dataclasses.replace(entry, specs=specs, default_lr=0.5)
