r"""RAdam: Adam whose adaptive step is switched on gradually, by a variance rectification term.

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}) + \lambda\theta_{t-1} \\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad \hat m_t = m_t / (1-\beta_1^t) \\
    v_t &= \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
    \rho_\infty &= \frac{2}{1-\beta_2} - 1, \quad
        \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t} \\
    r_t &= \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}} \\
    \theta_t &= \begin{cases}
        \theta_{t-1} - \eta\, \hat m_t\, r_t \sqrt{1-\beta_2^t} / (\sqrt{v_t} + \epsilon)
            & \rho_t > 5 \\
        \theta_{t-1} - \eta\, \hat m_t & \text{otherwise (plain momentum)}
    \end{cases}
    \end{aligned}

Reference: Liu et al., 2020, "On the Variance of the Adaptive Learning Rate and Beyond". Notes
where torch differs: the switch is at ρ_t > 5 (the paper's algorithm says ρ_t > 4, its code 5),
and ε is added to :math:`\sqrt{v_t}`.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.i18n import N_

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, decoupled_line, grad_line
from .primitives import bias_correction, decay, moment, square_moment, zeros
from .specs import DECOUPLED, MAXIMIZE, betas_spec, eps_spec, lr_spec, wd_spec


class RAdamState(NamedTuple):
    """State of RAdam.

    m: first moment, the running average of gradients :math:`m_t`.
    v: second moment, the running average of squared gradients :math:`v_t`.
    t: the number of steps taken, for the bias corrections and :math:`\\rho_t`.
    """

    m: Params
    v: Params
    t: Tensor


def _update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    beta1, beta2 = h["betas"]
    lr = h["lr"]
    p, g = decay(h, p, g)
    m = moment(s["m"], g, beta1)
    v = square_moment(s["v"], g, beta2)
    bias_correction2 = bias_correction(beta2, t)
    m_hat = m / bias_correction(beta1, t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * (beta2**t) / bias_correction2
    # The root is only taken where rho_t > 5; clamp so the unused branch holds no NaN.
    ratio = (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
    rect = torch.as_tensor(ratio).clamp_min(0) ** 0.5
    adaptive = bias_correction2**0.5 / (v.sqrt() + h["eps"])
    step = torch.where(rho_t > 5.0, m_hat * lr * adaptive * rect, m_hat * lr)
    return p - step, {"m": m, "v": v}


def _formula(h: Hyper) -> str:
    return aligned(
        decoupled_line(h),
        grad_line(h, coupled_decay=not h["decoupled_weight_decay"]),
        r"m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t",
        r"\hat m_t &= m_t / (1 - \beta_1^t)",
        r"v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2",
        r"\rho_t &= \rho_\infty - 2t\beta_2^t / (1 - \beta_2^t), \quad"
        r" \rho_\infty = 2 / (1 - \beta_2) - 1",
        r"r_t &= \sqrt{\tfrac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}"
        r"{(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}}",
        r"\theta_t &= \begin{cases} \theta_{t-1} - \eta\, \hat m_t\, r_t \sqrt{1 - \beta_2^t}"
        r" / (\sqrt{v_t} + \epsilon) & \rho_t > 5 \\"
        r" \theta_{t-1} - \eta\, \hat m_t & \text{otherwise} \end{cases}",
    )


ENTRIES = (
    Entry(
        name="radam",
        group="adaptive",
        state=RAdamState,
        leaf_fields=("m", "v"),
        has_t=True,
        specs=(lr_spec(1e-3), betas_spec(), eps_spec(1e-8), wd_spec(), DECOUPLED, MAXIMIZE),
        checks=("lr", "eps", "betas", "weight_decay"),
        init_leaf=zeros("m", "v"),
        update_leaf=_update,
        formula=_formula,
        description=(
            N_(
                "RAdam: Adam that starts as plain momentum and phases in per-coordinate scaling "
                "once its variance estimate is reliable."
            )
        ),
        default_lr=0.05,
        network_lr=0.003,
        bias_corrected=True,
        second_moment=True,
    ),
)
