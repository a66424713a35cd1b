r"""LAMB: Adam's direction, rescaled per layer by a trust ratio ‖θ‖/‖update‖.

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}) \\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
    \theta_{t-1} &\leftarrow (1 - \eta\lambda)\, \theta_{t-1} \\
    u_t &= m_t / (\sqrt{v_t} + \epsilon) \\
    r_t &= \min(\lVert\theta_{t-1}\rVert, 10) / (\lVert u_t \rVert + \epsilon)
        \quad (1 \text{ if either norm is } 0) \\
    \theta_t &= \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\, r_t\, u_t
    \end{aligned}

The norms are over one parameter tensor (one layer's weights, or its bias), so every layer
moves by about η‖θ‖ whatever the scale of its gradients. On a 2D surface the point is one
tensor: each step has length about η·min(‖θ‖, 10), relative to the distance from the origin.

Reference: You et al., 2020, "Large Batch Optimization for Deep Learning: Training BERT in 76
minutes". Notes, following pytorch-optimizer's Lamb (the tests' oracle): v is not bias-corrected
and 1/(1-β₁ᵗ) multiplies the step outside the trust ratio (the paper corrects both moments
inside it, where the correction of m cancels); the weight norm is clipped at 10 (the paper's
φ); weight decay is decoupled by default, and the coupled form adds λθ to u before the norms,
as in the paper. ``grad_averaging=False`` accumulates m without the (1-β₁) factor.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.i18n import N_

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, decoupled_line, grad_line
from .primitives import (
    bias_correction,
    coupled_decay,
    decoupled_decay,
    is_zero,
    maximize,
    square_moment,
)
from .shapes import own_norm
from .specs import MAXIMIZE, HyperSpec, betas_spec, eps_spec, lr_spec, wd_spec

#: φ(‖θ‖) = min(‖θ‖, CLAMP), pytorch-optimizer's bound on the weight norm.
CLAMP = 10.0


class LambState(NamedTuple):
    """State of LAMB.

    m: first moment, the running average of gradients :math:`m_t`.
    v: second moment, the running average of squared gradients :math:`v_t`.
    r: the trust ratio :math:`r_t` of the last step, one per tensor (spread over its entries).
    t: the number of steps taken, for the correction :math:`1-\\beta_1^t`.
    """

    m: Params
    v: Params
    r: Params
    t: Tensor


def _init(h: Hyper, p: Tensor) -> Leaf:
    return {"m": torch.zeros_like(p), "v": torch.zeros_like(p), "r": torch.ones_like(p)}


def _update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    beta1, beta2 = h["betas"]
    lr, eps = h["lr"], h["eps"]
    g = maximize(h, g)
    # grad_averaging=False sums: β₁m + g, not a running average.
    m = s["m"] * beta1 + (1 - beta1 if h["grad_averaging"] else 1.0) * g
    v = square_moment(s["v"], g, beta2)
    decoupled = h["decoupled_weight_decay"]
    if decoupled:
        p = decoupled_decay(h, p, lr)
    u = m / (v.sqrt() + eps)
    if not decoupled:  # coupled: λθ joins the update, not the gradient
        u = coupled_decay(h, p, u)
    weight_norm = own_norm(p, h).clamp(min=0, max=CLAMP)
    u_norm = own_norm(u, h)
    r = torch.where((weight_norm != 0) & (u_norm != 0), weight_norm / (u_norm + eps), 1.0)
    new_p = p - (lr / bias_correction(beta1, t)) * r * u
    return new_p, {"m": m, "v": v, "r": r.expand_as(p)}


def _formula(h: Hyper) -> str:
    u = r"u_t &= m_t / (\sqrt{v_t} + \epsilon)"
    if not h["decoupled_weight_decay"] and not is_zero(h["weight_decay"]):
        u += r" + \lambda \theta_{t-1}"
    avg = r"(1 - \beta_1) " if h["grad_averaging"] else ""
    return aligned(
        grad_line(h, coupled_decay=False),
        rf"m_t &= \beta_1 m_{{t-1}} + {avg}g_t, \quad v_t = \beta_2 v_{{t-1}} + (1 - \beta_2) g_t^2",
        decoupled_line(h),
        u,
        r"r_t &= \min(\lVert\theta_{t-1}\rVert, 10) / (\lVert u_t \rVert + \epsilon)",
        r"\theta_t &= \theta_{t-1} - \frac{\eta}{1 - \beta_1^t}\, r_t\, u_t",
    )


ENTRIES = (
    Entry(
        name="lamb",
        state=LambState,
        leaf_fields=("m", "v", "r"),
        has_t=True,
        specs=(
            lr_spec(1e-3),
            betas_spec(),
            eps_spec(1e-6),
            wd_spec(),
            HyperSpec(
                "decoupled_weight_decay",
                True,
                "bool",
                help=N_("shrink θ directly (as AdamW) instead of adding λθ to the update"),
                label=N_("decoupled weight decay (AdamW)"),
            ),
            HyperSpec(
                "grad_averaging",
                True,
                "bool",
                help=N_("m averages g (else it sums β₁m + g)"),
                label=N_("gradient averaging"),
            ),
            MAXIMIZE,
        ),
        checks=("lr", "betas", "weight_decay", "eps"),
        init_leaf=_init,
        update_leaf=_update,
        formula=_formula,
        description=(
            N_(
                "LAMB: Adam's direction rescaled per layer by the trust ratio ‖θ‖/‖update‖, so each "
                "layer moves by a fixed fraction of its own size."
            )
        ),
        default_lr=0.05,
        second_moment=True,
        group="adaptive",
        symbols={"r": "r_t"},
        structured=True,
    ),
)
