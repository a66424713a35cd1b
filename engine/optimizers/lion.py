r"""Lion: the sign of an interpolated momentum, so every coordinate moves by exactly η.

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}) \\
    \theta_{t-1} &\leftarrow (1 - \eta\lambda)\, \theta_{t-1} \\
    c_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t \\
    \theta_t &= \theta_{t-1} - \eta\, \mathrm{sign}(c_t) \\
    m_t &= \beta_2 m_{t-1} + (1-\beta_2) g_t
    \end{aligned}

Reference: Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms". The update
direction mixes the gradient into the momentum with β₁ but the momentum itself is kept with the
slower β₂. Weight decay is decoupled and scaled by η, as in the paper and in pytorch-optimizer's
and lion-pytorch's defaults (the oracles of the tests). torch.optim has no Lion.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.i18n import N_

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, decoupled_line, grad_line
from .primitives import decoupled_decay, maximize, moment, zeros
from .specs import MAXIMIZE, betas_spec, lr_spec, wd_spec


class LionState(NamedTuple):
    """State of Lion.

    m: the momentum :math:`m_t`, an average of gradients with the slow rate β₂.
    """

    m: Params


def _update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    beta1, beta2 = h["betas"]
    lr = h["lr"]
    g = maximize(h, g)
    p = decoupled_decay(h, p, lr)
    c = moment(s["m"], g, beta1)
    new_p = p - lr * torch.sign(c)
    m = moment(s["m"], g, beta2)
    return new_p, {"m": m}


def _formula(h: Hyper) -> str:
    return aligned(
        grad_line(h, coupled_decay=False),
        decoupled_line(h, decoupled=True),
        r"c_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t",
        r"\theta_t &= \theta_{t-1} - \eta\, \mathrm{sign}(c_t)",
        r"m_t &= \beta_2 m_{t-1} + (1 - \beta_2) g_t",
    )


ENTRIES = (
    Entry(
        name="lion",
        state=LionState,
        leaf_fields=("m",),
        has_t=False,
        specs=(lr_spec(1e-4), betas_spec((0.9, 0.99)), wd_spec(), MAXIMIZE),
        checks=("lr", "betas", "weight_decay"),
        init_leaf=zeros("m"),
        update_leaf=_update,
        formula=_formula,
        description=(
            N_(
                "Lion: steps by the sign of a blend of momentum and gradient, so every coordinate "
                "moves by exactly η (about 3-10 times smaller learning rates than Adam's)."
            )
        ),
        default_lr=0.15,
        group="sign-based",
    ),
)
