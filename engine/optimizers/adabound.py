r"""AdaBound (and AMSBound): Adam whose per-coordinate step size is clipped to bounds that close in
on a final SGD learning rate, so it starts like Adam and ends like SGD.

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}) + \lambda\theta_{t-1} \\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
    \hat\eta_t &= \eta \sqrt{1-\beta_2^t} / (1-\beta_1^t), \quad
        \eta^\star = \eta_{\text{final}}\, \eta / \eta_0 \\
    \eta^{l}_t &= \eta^\star \bigl(1 - \tfrac{1}{\gamma t + 1}\bigr), \quad
        \eta^{u}_t = \eta^\star \bigl(1 + \tfrac{1}{\gamma t}\bigr) \\
    \theta_t &= \theta_{t-1} - \mathrm{clip}\bigl(\hat\eta_t / (\sqrt{v_t + 10^{-15}} + \epsilon),\
        \eta^{l}_t, \eta^{u}_t\bigr)\, m_t
    \end{aligned}

η₀ is the learning rate the optimizer was built with: under a schedule the final rate follows
η/η₀. AMSBound (``amsbound=True``) uses :math:`v^{\max}_t = \max(v^{\max}_{t-1}, v_t)` in the
denominator. With ``decoupled_weight_decay`` the decay shrinks θ by (1-ηλ) instead.

Reference: Luo et al., 2019, "Adaptive Gradient Methods with Dynamic Bound of Learning Rate".
Notes, following pytorch-optimizer's AdaBound (the tests' oracle; torch.optim has none): 10⁻¹⁵
is added to v inside the root and ε outside it; the bounds start at 0 and ∞ and meet at
η_final as t grows (γ sets how fast).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.checks import require
from engine.core.i18n import N_, _

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, decoupled_line, grad_line
from .primitives import bias_correction, decay, moment, square_moment, zeros
from .specs import DECOUPLED, MAXIMIZE, HyperSpec, betas_spec, eps_spec, lr_spec, wd_spec

#: pytorch-optimizer's ``exp_avg_sq_eps``, added to v inside the square root.
V_EPS = 1e-15


class AdaBoundState(NamedTuple):
    """State of AdaBound.

    m: first moment, the running average of gradients :math:`m_t`.
    v: second moment, the running average of squared gradients :math:`v_t`.
    t: the number of steps taken, for the bias corrections and the bounds.
    v_max: AMSBound's running maximum :math:`v^{\\max}_t` of :math:`v_t` (zeros without it).
    """

    m: Params
    v: Params
    t: Tensor
    v_max: Params


def _validate(h: Hyper) -> None:
    require(
        h["final_lr"],
        lambda x: x >= 0,
        _("Invalid final_lr value: {final_lr}").format(final_lr=h["final_lr"]),
    )
    require(
        h["gamma"],
        lambda x: x > 0,
        _("Invalid gamma value: {gamma} (must be > 0)").format(gamma=h["gamma"]),
    )


def _update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    beta1, beta2 = h["betas"]
    lr, lr0, gamma = h["lr"], h["initial_lr"], h["gamma"]
    p, g = decay(h, p, g)
    m = moment(s["m"], g, beta1)
    v = square_moment(s["v"], g, beta2)
    v_max = torch.maximum(s["v_max"], v) if h["amsbound"] else s["v_max"]
    denom = ((v_max if h["amsbound"] else v) + V_EPS).sqrt() + h["eps"]
    step_size = lr * bias_correction(beta2, t) ** 0.5 / bias_correction(beta1, t)
    if isinstance(lr0, Tensor):
        final = torch.where(lr0 > 0, h["final_lr"] * lr / torch.where(lr0 > 0, lr0, 1.0), 0.0)
    else:
        final = h["final_lr"] * lr / lr0 if lr0 > 0 else 0.0 * lr
    lower = final * (1 - 1 / (gamma * t + 1))
    upper = final * (1 + 1 / (gamma * t))
    bounded = torch.clamp(step_size / denom, min=lower)
    new_p = p - torch.clamp(bounded, max=upper) * m
    return new_p, {"m": m, "v": v, "v_max": v_max}


def _formula(h: Hyper) -> str:
    v = r"v_t + 10^{-15}"
    ams = None
    if h["amsbound"]:
        ams = r"v^{\max}_t &= \max(v^{\max}_{t-1}, v_t)"
        v = r"v^{\max}_t + 10^{-15}"
    return aligned(
        decoupled_line(h),
        grad_line(h, coupled_decay=not h["decoupled_weight_decay"]),
        r"m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2",
        ams,
        r"\hat\eta_t &= \eta \sqrt{1 - \beta_2^t} / (1 - \beta_1^t),"
        r" \quad \eta^\star = \eta_{\text{final}}\, \eta / \eta_0",
        r"\eta^{l}_t &= \eta^\star (1 - \tfrac{1}{\gamma t + 1}),"
        r" \quad \eta^{u}_t = \eta^\star (1 + \tfrac{1}{\gamma t})",
        rf"\theta_t &= \theta_{{t-1}} - \mathrm{{clip}}(\hat\eta_t / (\sqrt{{{v}}} + \epsilon),"
        r" \eta^{l}_t, \eta^{u}_t)\, m_t",
    )


ENTRIES = (
    Entry(
        name="adabound",
        state=AdaBoundState,
        leaf_fields=("m", "v", "v_max"),
        has_t=True,
        specs=(
            lr_spec(1e-3),
            HyperSpec(
                "final_lr",
                0.1,
                "float",
                1e-5,
                10.0,
                True,
                (),
                "η_final, the SGD rate it ends at",
                symbol="η_final",
                label=N_("final SGD rate"),
            ),
            betas_spec(),
            HyperSpec(
                "gamma",
                1e-3,
                "float",
                1e-6,
                1.0,
                True,
                (),
                "γ, how fast the bounds close",
                symbol="γ",
                label=N_("bound convergence speed"),
            ),
            wd_spec(),
            DECOUPLED,
            HyperSpec(
                "amsbound",
                False,
                "bool",
                help=N_("divide by the running maximum of v"),
                label=N_("AMSBound (running maximum of v)"),
            ),
            eps_spec(1e-8),
            MAXIMIZE,
        ),
        checks=("lr", "betas", "weight_decay", "eps"),
        validate=_validate,
        init_leaf=zeros("m", "v", "v_max"),
        update_leaf=_update,
        formula=_formula,
        description=(
            N_(
                "AdaBound: Adam whose per-coordinate step size is clipped between bounds that "
                "close in on a final SGD learning rate, so it starts like Adam and ends like SGD."
            )
        ),
        default_lr=0.5,
        second_moment=True,
        group="adaptive",
    ),
)
