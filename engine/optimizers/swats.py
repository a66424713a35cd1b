r"""SWATS: start with Adam, switch to SGD once Adam's steps, projected on the gradient, settle on a
learning rate.

Adam phase (:math:`\eta^{\mathrm{SGD}} = 0`), for each parameter tensor:

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}) + \lambda\theta_{t-1} \\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
    p_t &= -\eta \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\, m_t / (\sqrt{v_t + 10^{-15}} + \epsilon),
        \quad \theta_t = \theta_{t-1} + p_t \\
    \gamma_t &= \frac{p_t^\top p_t}{-p_t^\top g_t}, \quad
        \bar\gamma_t = \beta_2 \bar\gamma_{t-1} + (1-\beta_2) \gamma_t
        \quad (\text{if } p_t^\top g_t \ne 0) \\
    \eta^{\mathrm{SGD}} &= \bar\gamma_t / (1-\beta_2^t) \quad \text{once } t > 1,\
        \bar\gamma_t > 0 \text{ and } |\bar\gamma_t / (1-\beta_2^t) - \gamma_t|
        \le 10^{-8} + \epsilon|\gamma_t|
    \end{aligned}

SGD phase, from the next step on: :math:`b_t = \beta_1 b_{t-1} + g_t`,
:math:`\theta_t = \theta_{t-1} - \eta^{\mathrm{SGD}} (1-\beta_1) b_t` (with ``nesterov``,
:math:`\theta_t = \theta_{t-1} - \eta^{\mathrm{SGD}} b_t`), and λ uses :math:`\eta^{\mathrm{SGD}}`.

γ_t is the SGD learning rate that would make an SGD step's projection on p_t equal p_t; its
bias-corrected average is the rate SWATS switches to. The whole model switches at once: when
several tensors qualify on one step, the last one's rate wins (dict order). On a 2D surface the
point is one tensor.

Reference: Keskar & Socher, 2017, "Improving Generalization Performance by Switching from Adam
to SGD". Notes, following pytorch-optimizer's SWATS (the tests' oracle; torch.optim has none):
10⁻¹⁵ is added to v inside the root; the switch test uses ε as its relative tolerance plus an
absolute 10⁻⁸ (``allclose``); its ``nesterov`` adds β₁b_t to (1-β₁)b_t, i.e. steps by b_t.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.i18n import N_

from .adabound import V_EPS
from .base import Entry, Hyper, Params
from .latex import aligned, decoupled_line, grad_line
from .primitives import (
    bias_correction,
    coupled_decay,
    decoupled_decay,
    maximize,
    moment,
    square_moment,
    zeros,
)
from .shapes import first, own_sum, per_model, spread, to_leaf, tree_leaf
from .specs import DECOUPLED, MAXIMIZE, HyperSpec, betas_spec, eps_spec, lr_spec, wd_spec


class SWATSState(NamedTuple):
    """State of SWATS.

    m: first moment, the running average of gradients :math:`m_t` (Adam phase).
    v: second moment, the running average of squared gradients :math:`v_t` (Adam phase).
    t: the number of steps taken.
    v_max: the running maximum :math:`v^{\\max}_t` of :math:`v_t` with ``amsbound`` (else zeros).
    gamma_bar: :math:`\\bar\\gamma_t`, the average projected step size, one per tensor.
    eta_sgd: :math:`\\eta^{\\mathrm{SGD}}`, the SGD rate once switched (0 in the Adam phase).
    b: the SGD momentum buffer :math:`b_t` (SGD phase).
    """

    m: Params
    v: Params
    t: Tensor
    v_max: Params
    gamma_bar: Params
    eta_sgd: Params
    b: Params


def _tree(hs, ps, gs, leaves, t):
    key = next(iter(ps))
    eta_sgd = per_model(leaves[key]["eta_sgd"], hs[key])  # one rate per model
    switched = eta_sgd > 0
    rate = eta_sgd
    new_ps, new_leaves = {}, {}
    for k, p in ps.items():
        h, g, s = hs[k], gs[k], leaves[k]
        beta1, beta2 = h["betas"]
        sgd = to_leaf(switched, p, h)
        lr = torch.where(sgd, to_leaf(eta_sgd, p, h), h["lr"])
        g = maximize(h, g)
        if h["decoupled_weight_decay"]:
            p = decoupled_decay(h, p, lr)  # λ scales with the SGD rate once switched
        else:
            g = coupled_decay(h, p, g)
        # SGD phase.
        b = s["b"] * beta1 + g
        p_sgd = p - lr * (b if h["nesterov"] else (1 - beta1) * b)
        # Adam phase.
        m = moment(s["m"], g, beta1)
        v = square_moment(s["v"], g, beta2)
        v_max = torch.maximum(s["v_max"], v) if h["amsbound"] else s["v_max"]
        denom = ((v_max if h["amsbound"] else v) + V_EPS).sqrt() + h["eps"]
        bias_correction2 = bias_correction(beta2, t)
        step_size = h["lr"] * bias_correction2**0.5 / bias_correction(beta1, t)
        p_step = (m / denom) * -step_size
        pg = own_sum(p_step * g, h)
        valid = pg != 0
        gamma = own_sum(p_step * p_step, h) / torch.where(valid, -pg, 1.0)
        prev = first(s["gamma_bar"], h)
        gamma_bar = torch.where(valid, moment(prev, gamma, beta2), prev)
        corrected = gamma_bar / bias_correction2
        close = (corrected - gamma).abs() <= 1e-8 + h["eps"] * gamma.abs()
        ok = valid & (t > 1) & (corrected > 0) & close
        qualifies = per_model(ok, h) & ~switched
        rate = torch.where(qualifies, per_model(corrected, h), rate)
        new_ps[k] = torch.where(sgd, p_sgd, p + p_step)
        new_leaves[k] = {
            "m": torch.where(sgd, s["m"], m),
            "v": torch.where(sgd, s["v"], v),
            "v_max": torch.where(sgd, s["v_max"], v_max),
            "gamma_bar": torch.where(sgd, s["gamma_bar"], gamma_bar.expand_as(p)),
            "b": torch.where(sgd, b, s["b"]),
        }
    for k, p in ps.items():
        new_leaves[k]["eta_sgd"] = spread(to_leaf(rate, p, hs[k]), p)
    return new_ps, new_leaves


def _formula(h: Hyper) -> str:
    sgd_step = "b_t" if h["nesterov"] else r"(1 - \beta_1) b_t"
    v = r"v^{\max}_t" if h["amsbound"] else "v_t"
    ams = r", \quad v^{\max}_t = \max(v^{\max}_{t-1}, v_t)" if h["amsbound"] else ""
    return aligned(
        decoupled_line(h),
        grad_line(h, coupled_decay=not h["decoupled_weight_decay"]),
        r"m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad"
        rf" v_t = \beta_2 v_{{t-1}} + (1 - \beta_2) g_t^2{ams}",
        r"p_t &= -\eta \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}\,"
        rf" m_t / (\sqrt{{{v} + 10^{{-15}}}} + \epsilon), \quad \theta_t = \theta_{{t-1}} + p_t",
        r"\gamma_t &= p_t^\top p_t / (-p_t^\top g_t), \quad"
        r" \bar\gamma_t = \beta_2 \bar\gamma_{t-1} + (1 - \beta_2) \gamma_t",
        r"\eta^{\mathrm{SGD}} &= \bar\gamma_t / (1 - \beta_2^t) \text{ once } t > 1"
        r" \text{ and } |\bar\gamma_t / (1 - \beta_2^t) - \gamma_t| \le 10^{-8} + \epsilon|\gamma_t|",
        r"\text{then: } b_t &= \beta_1 b_{t-1} + g_t, \quad"
        rf" \theta_t = \theta_{{t-1}} - \eta^{{\mathrm{{SGD}}}} {sgd_step}",
    )


ENTRIES = (
    Entry(
        name="swats",
        state=SWATSState,
        leaf_fields=("m", "v", "v_max", "gamma_bar", "eta_sgd", "b"),
        has_t=True,
        specs=(
            lr_spec(1e-3),
            betas_spec(),
            wd_spec(),
            DECOUPLED,
            HyperSpec(
                "amsbound",
                False,
                "bool",
                help=N_("divide by the running maximum of v"),
                label=N_("AMSBound (running maximum of v)"),
            ),
            HyperSpec(
                "nesterov",
                False,
                "bool",
                help=N_("after the switch, step by b instead of (1-β₁)b"),
                label=N_("Nesterov steps after the switch to SGD"),
            ),
            eps_spec(1e-6),
            MAXIMIZE,
        ),
        checks=("lr", "betas", "weight_decay", "eps"),
        init_leaf=zeros("m", "v", "v_max", "gamma_bar", "eta_sgd", "b"),
        update_leaf=tree_leaf(_tree),
        formula=_formula,
        description=(
            N_(
                "SWATS: starts as Adam and switches to SGD with momentum once the learning rate "
                "that Adam's steps imply for SGD has settled."
            )
        ),
        default_lr=0.5,
        second_moment=True,
        group="adaptive",
        symbols={
            "gamma_bar": r"\bar\gamma_t",
            "eta_sgd": r"\eta^{\mathrm{SGD}}",
            "b": "b_t",
        },
        structured=True,
        update_tree=_tree,
    ),
)
