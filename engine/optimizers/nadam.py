r"""NAdam: Adam with Nesterov momentum, using Dozat's warming momentum schedule.

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}) + \lambda\theta_{t-1} \\
    \mu_t &= \beta_1 \bigl(1 - \tfrac12\, 0.96^{t\psi}\bigr), \quad
        \mu_{t+1} = \beta_1 \bigl(1 - \tfrac12\, 0.96^{(t+1)\psi}\bigr) \\
    \Pi_t &= \Pi_{t-1}\, \mu_t \quad (\Pi_0 = 1) \\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t \\
    v_t &= \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \quad \hat v_t = v_t / (1-\beta_2^t) \\
    \theta_t &= \theta_{t-1} - \eta \Bigl(\frac{1-\mu_t}{1-\Pi_t}\, g_t
        + \frac{\mu_{t+1}}{1-\Pi_t\mu_{t+1}}\, m_t\Bigr) / (\sqrt{\hat v_t} + \epsilon)
    \end{aligned}

with ψ = ``momentum_decay``; the state field ``mu_product`` holds :math:`\Pi_t`. With
``decoupled_weight_decay`` (NAdamW) the decay shrinks θ by :math:`(1-\eta\lambda)` instead.

Reference: Dozat, 2016, "Incorporating Nesterov Momentum into Adam". Notes where torch differs:
ε sits outside the root, and the schedule constant 0.96 and ψ = 0.004 are fixed as in the paper's
experiments.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.checks import require
from engine.core.i18n import N_, _

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, decoupled_line, grad_line
from .primitives import bias_correction, decay, moment, square_moment
from .specs import DECOUPLED, MAXIMIZE, HyperSpec, betas_spec, eps_spec, lr_spec, wd_spec


class NAdamState(NamedTuple):
    """State of NAdam.

    m: first moment, the running average of gradients :math:`m_t`.
    v: second moment, the running average of squared gradients :math:`v_t`.
    mu_product: :math:`\\Pi_t`, the product of the momentum schedule :math:`\\mu_1 \\cdots \\mu_t`.
    t: the number of steps taken.
    """

    m: Params
    v: Params
    mu_product: Params
    t: Tensor


def _validate(h: Hyper) -> None:
    psi = h["momentum_decay"]
    require(psi, lambda x: x >= 0, _("Invalid momentum_decay value: {psi}").format(psi=psi))


def _init(h: Hyper, p: Tensor) -> Leaf:
    # mu_product mirrors p (not a scalar) so a batched beta1 gives each row its own product.
    return {"m": torch.zeros_like(p), "v": torch.zeros_like(p), "mu_product": torch.ones_like(p)}


def _update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    beta1, beta2 = h["betas"]
    lr, psi = h["lr"], h["momentum_decay"]
    bias_correction2 = bias_correction(beta2, t)
    p, g = decay(h, p, g)
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * psi)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))
    mu_product = s["mu_product"] * mu
    m = moment(s["m"], g, beta1)
    v = square_moment(s["v"], g, beta2)
    denom = (v / bias_correction2).sqrt() + h["eps"]
    p = p + (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
    p = p + ((-lr * mu_next) / (1.0 - mu_product * mu_next)) * (m / denom)
    return p, {"m": m, "v": v, "mu_product": mu_product}


def _formula(h: Hyper) -> str:
    return aligned(
        decoupled_line(h),
        grad_line(h, coupled_decay=not h["decoupled_weight_decay"]),
        r"\mu_k &= \beta_1 (1 - \tfrac{1}{2} 0.96^{k\psi}) \quad (k = t, t + 1)",
        r"\Pi_t &= \Pi_{t-1} \mu_t",
        r"m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t",
        r"v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2",
        r"\hat v_t &= v_t / (1 - \beta_2^t)",
        r"\theta_t &= \theta_{t-1} - \eta \Bigl(\frac{1 - \mu_t}{1 - \Pi_t} g_t"
        r" + \frac{\mu_{t+1}}{1 - \Pi_t \mu_{t+1}} m_t\Bigr) / (\sqrt{\hat v_t} + \epsilon)",
    )


ENTRIES = (
    Entry(
        name="nadam",
        group="adaptive",
        state=NAdamState,
        leaf_fields=("m", "v", "mu_product"),
        has_t=True,
        specs=(
            lr_spec(2e-3),
            betas_spec(),
            eps_spec(1e-8),
            wd_spec(),
            HyperSpec(
                "momentum_decay",
                4e-3,
                "float",
                0.0,
                0.1,
                help=N_("ψ, momentum warm-up"),
                symbol="ψ",
                label=N_("momentum warm-up"),
                step=1e-4,
            ),
            DECOUPLED,
            MAXIMIZE,
        ),
        checks=("lr", "eps", "betas", "weight_decay"),
        validate=_validate,
        init_leaf=_init,
        update_leaf=_update,
        formula=_formula,
        description=N_("NAdam: Adam with Nesterov's look-ahead momentum."),
        default_lr=0.1,
        network_lr=0.003,
        second_moment=True,
    ),
)
