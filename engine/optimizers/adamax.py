r"""Adamax: Adam with the second moment replaced by an exponentially weighted infinity norm.

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}) + \lambda\theta_{t-1} \\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t \\
    u_t &= \max(\beta_2 u_{t-1}, |g_t| + \epsilon) \\
    \theta_t &= \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\, \frac{m_t}{u_t}
    \end{aligned}

Reference: Kingma & Ba, 2015, "Adam: A Method for Stochastic Optimization", section 7.1. Note
where torch differs from the paper: ε is added to :math:`|g_t|` inside the maximum (the paper
has no ε), which keeps :math:`u_t > 0` when a gradient is exactly zero.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.i18n import N_

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, grad_line
from .primitives import bias_correction, decay, moment, zeros
from .specs import MAXIMIZE, betas_spec, eps_spec, lr_spec, wd_spec


class AdamaxState(NamedTuple):
    """State of Adamax.

    m: first moment, the running average of gradients :math:`m_t`.
    u: the exponentially weighted infinity norm :math:`u_t` (torch's ``exp_inf``).
    t: the number of steps taken, for the bias correction :math:`1-\\beta_1^t`.
    """

    m: Params
    u: Params
    t: Tensor


def _update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    beta1, beta2 = h["betas"]
    p, g = decay(h, p, g)
    m = moment(s["m"], g, beta1)
    u = torch.maximum(s["u"] * beta2, g.abs() + h["eps"])
    return p - (h["lr"] / bias_correction(beta1, t)) * (m / u), {"m": m, "u": u}


def _formula(h: Hyper) -> str:
    return aligned(
        grad_line(h),
        r"m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t",
        r"u_t &= \max(\beta_2 u_{t-1}, |g_t| + \epsilon)",
        r"\theta_t &= \theta_{t-1} - \frac{\eta}{1 - \beta_1^t}\, \frac{m_t}{u_t}",
    )


ENTRIES = (
    Entry(
        name="adamax",
        group="adaptive",
        state=AdamaxState,
        leaf_fields=("m", "u"),
        has_t=True,
        specs=(lr_spec(2e-3), betas_spec(), eps_spec(1e-8), wd_spec(), MAXIMIZE),
        checks=("lr", "eps", "betas", "weight_decay"),
        init_leaf=zeros("m", "u"),
        update_leaf=_update,
        formula=_formula,
        description=(
            N_(
                "Adamax: Adam that divides by a decaying maximum of gradient sizes instead of "
                "their root mean square."
            )
        ),
        default_lr=0.3,
        network_lr=0.003,
    ),
)
