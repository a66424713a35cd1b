r"""Prodigy: Adam that estimates its own learning rate d from how far the weights have moved.

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}), \quad \beta_3 = \sqrt{\beta_2}, \quad
        \eta_t = d_{t-1}\, \eta / b_t \\
    r_t &= \beta_3 r_{t-1} + \tfrac{d_{t-1}}{d_0} \eta_t\,
        \langle g_t, \theta_0 - \theta_{t-1} \rangle \\
    m_t &= \beta_1 m_{t-1} + d_{t-1}(1-\beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + d_{t-1}^2 (1-\beta_2) g_t^2 \\
    s_t &= \beta_3 s_{t-1} + \tfrac{d_{t-1}}{d_0} \eta_t\, g_t \\
    d_t &= \max\bigl(d_{t-1},\ \kappa\, r_t / \lVert s_t \rVert_1\bigr) \\
    \theta_t &= (1 - \eta_t\lambda)\, \theta_{t-1} - \eta_t\, m_t / (\sqrt{v_t} + d_t \epsilon)
    \end{aligned}

with κ = ``d_coef``, :math:`b_t = (1-\beta_1^t)/\sqrt{1-\beta_2^t}` with ``bias_correction``
(else 1), and ``safeguard_warmup`` using :math:`d_{t-1}` instead of η_t in s_t. The inner
product and the norm run over the whole model (all its tensors). d starts at d₀ (tiny) and grows
while the gradients keep pointing back towards the start θ₀, i.e. while the steps are too short;
η stays a multiplier, 1 by default. When ‖s_t‖₁ = 0 nothing moves on that step.

Reference: Mishchenko & Defazio, 2024, "Prodigy: An Expeditiously Adaptive Parameter-Free
Learner". Notes, following pytorch-optimizer's Prodigy (the tests' oracle; torch.optim has
none): its scaling of r and s by d/d₀ (the paper's by 1-β₃ and d²) cancels in the ratio; the
decoupled decay uses η_t; ``growth_rate`` is fixed at ∞ (d may grow any amount per step), and
the ``eps=None`` (atan2) variant is left out.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.checks import require
from engine.core.i18n import N_, _

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, grad_line
from .primitives import bias_correction, decoupled_decay, is_zero, maximize
from .shapes import first, own_sum, per_model, spread, to_leaf, tree_leaf
from .specs import MAXIMIZE, HyperSpec, betas_spec, eps_spec, wd_spec


class ProdigyState(NamedTuple):
    """State of Prodigy.

    m: the first moment :math:`m_t`, averaged gradients scaled by d.
    v: the second moment :math:`v_t`, averaged squared gradients scaled by d².
    s: :math:`s_t`, the averaged gradients whose size normalises the estimate of d.
    theta0: the starting weights :math:`\\theta_0`.
    d: the learning-rate estimate :math:`d_t`, one per model (spread over its weights).
    r: :math:`r_t`, the averaged ⟨g, θ₀ − θ⟩ of the estimate, one per model.
    t: the number of steps taken.
    """

    m: Params
    v: Params
    s: Params
    theta0: Params
    d: Params
    r: Params
    t: Tensor


def _validate(h: Hyper) -> None:
    require(h["d0"], lambda x: x > 0, _("Invalid d0 value: {d0} (must be > 0)").format(d0=h["d0"]))
    require(
        h["d_coef"],
        lambda x: x > 0,
        _("Invalid d_coef value: {d_coef} (must be > 0)").format(d_coef=h["d_coef"]),
    )


def _init(h: Hyper, p: Tensor) -> Leaf:
    zeros = torch.zeros_like(p)
    d0 = h["d0"]
    return {"m": zeros, "v": zeros, "s": zeros, "theta0": p.clone(), "d": zeros + d0, "r": zeros}


def _rates(h: Hyper, s: Leaf, t: Tensor) -> tuple[Tensor, Tensor]:
    """d_{t-1} (kept dims) and η_t = d_{t-1} η / b_t for one tensor."""
    beta1, beta2 = h["betas"]
    d = first(s["d"], h)
    bias = 1.0
    if h["bias_correction"]:
        bias = bias_correction(beta1, t) / bias_correction(beta2, t) ** 0.5
    return d, d * h["lr"] / bias


def _tree(hs, ps, gs, leaves, t):
    key = next(iter(ps))
    h0 = hs[key]
    r = per_model(first(leaves[key]["r"], h0) * h0["betas"][1] ** 0.5, h0)
    norm_s = torch.zeros_like(r)
    moments = {}
    for k, p in ps.items():
        h, g, st = hs[k], gs[k], leaves[k]
        beta1, beta2 = h["betas"]
        beta3 = beta2**0.5
        d, eta = _rates(h, st, t)
        g = maximize(h, g)
        r = r + per_model((d / h["d0"]) * eta * own_sum(g * (st["theta0"] - p), h), h)
        m = st["m"] * beta1 + (d * (1 - beta1)) * g
        v = st["v"] * beta2 + (d * d * (1 - beta2)) * (g * g)
        s = st["s"] * beta3 + ((d / h["d0"]) * (d if h["safeguard_warmup"] else eta)) * g
        norm_s = norm_s + per_model(own_sum(s.abs(), h), h)
        moments[k] = (m, v, s)
    moved = norm_s > 0
    d_prev = per_model(leaves[key]["d"], h0)
    p0 = ps[key]
    num = h0["d_coef"] * to_leaf(r, p0, h0)
    d_hat = per_model(num / to_leaf(torch.where(moved, norm_s, 1.0), p0, h0), h0)
    d_new = torch.where(moved, torch.maximum(d_prev, d_hat), d_prev)
    new_ps, new_leaves = {}, {}
    for k, p in ps.items():
        h, st = hs[k], leaves[k]
        m, v, s = moments[k]
        _, eta = _rates(h, st, t)
        d_leaf = to_leaf(d_new, p, h)
        q = decoupled_decay(h, p, eta)
        q = q - eta * (m / (v.sqrt() + d_leaf * h["eps"]))
        new_ps[k] = torch.where(to_leaf(moved, p, h), q, p)
        new_leaves[k] = {
            "m": m,
            "v": v,
            "s": s,
            "theta0": st["theta0"],
            "d": spread(d_leaf, p),
            "r": spread(to_leaf(r, p, h), p),
        }
    return new_ps, new_leaves


def _formula(h: Hyper) -> str:
    bias = r"b_t = (1 - \beta_1^t) / \sqrt{1 - \beta_2^t}" if h["bias_correction"] else "b_t = 1"
    s_rate = "d_{t-1}" if h["safeguard_warmup"] else r"\eta_t"
    decay = "" if is_zero(h["weight_decay"]) else r"(1 - \eta_t\lambda)\, "
    return aligned(
        grad_line(h, coupled_decay=False) + r", \quad \beta_3 = \sqrt{\beta_2},"
        rf" \quad \eta_t = d_{{t-1}} \eta / b_t, \quad {bias}",
        r"r_t &= \beta_3 r_{t-1} + \tfrac{d_{t-1}}{d_0} \eta_t"
        r" \langle g_t, \theta_0 - \theta_{t-1} \rangle",
        r"m_t &= \beta_1 m_{t-1} + d_{t-1} (1 - \beta_1) g_t, \quad"
        r" v_t = \beta_2 v_{t-1} + d_{t-1}^2 (1 - \beta_2) g_t^2",
        rf"s_t &= \beta_3 s_{{t-1}} + \tfrac{{d_{{t-1}}}}{{d_0}} {s_rate}\, g_t",
        r"d_t &= \max(d_{t-1}, \kappa\, r_t / \lVert s_t \rVert_1)",
        rf"\theta_t &= {decay}\theta_{{t-1}} - \eta_t\, m_t / (\sqrt{{v_t}} + d_t \epsilon)",
    )


ENTRIES = (
    Entry(
        name="prodigy",
        state=ProdigyState,
        leaf_fields=("m", "v", "s", "theta0", "d", "r"),
        has_t=True,
        specs=(
            HyperSpec(
                "lr",
                1.0,
                "float",
                1e-3,
                10.0,
                True,
                (),
                "η, a multiplier of the estimate d",
                symbol="η",
                label=N_("learning-rate multiplier"),
            ),
            betas_spec(),
            HyperSpec(
                "d0",
                1e-6,
                "float",
                1e-10,
                1.0,
                True,
                (),
                "d₀, the first estimate of d",
                symbol="d₀",
                label=N_("first estimate of d"),
            ),
            HyperSpec(
                "d_coef",
                1.0,
                "float",
                0.01,
                10.0,
                True,
                (),
                "κ, scales the estimate of d",
                symbol="κ",
                label=N_("scale of the estimate"),
            ),
            wd_spec(),
            HyperSpec(
                "bias_correction",
                False,
                "bool",
                help=N_("Adam's bias corrections in η_t"),
                label=N_("bias correction"),
            ),
            HyperSpec(
                "safeguard_warmup",
                False,
                "bool",
                help=N_("use d instead of η_t in s (safer warm-up)"),
                label=N_("safeguard warm-up"),
            ),
            eps_spec(1e-8),
            MAXIMIZE,
        ),
        checks=("lr", "betas", "weight_decay", "eps"),
        validate=_validate,
        init_leaf=_init,
        update_leaf=tree_leaf(_tree),
        formula=_formula,
        description=(
            N_(
                "Prodigy: Adam that estimates its own learning rate d, growing it while the "
                "gradients keep pointing back towards the start (η is only a multiplier)."
            )
        ),
        default_lr=1.0,
        group="adaptive",
        symbols={"theta0": r"\theta_0", "d": "d_t", "r": "r_t"},
        update_tree=_tree,
    ),
)
