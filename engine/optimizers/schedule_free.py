r"""Schedule-Free AdamW: no learning-rate schedule; a running average of the iterates replaces it.

Three sequences: z takes Adam-normalised SGD steps, x is a weighted average of the z's (the
weights to deploy), and the gradient is taken at y, between the two. The engine's parameters
θ are y, so a trajectory shows the points where gradients were taken; the state holds z and x.

.. math::

    \begin{aligned}
    g_t &= \nabla f(y_{t-1}), \quad \eta_t = \eta \min(1, t / T_{\text{warmup}}) \\
    \eta^{\max}_t &= \max(\eta^{\max}_{t-1}, \eta_t), \quad
        W_t = W_{t-1} + t^r (\eta^{\max}_t)^p, \quad c_t = t^r (\eta^{\max}_t)^p / W_t \\
    v_t &= \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
    \hat g_t &= g_t / (\sqrt{v_t / (1-\beta_2^t)} + \epsilon) + \lambda y_{t-1} \\
    y_t &= (1-c_t)\, y_{t-1} + c_t z_{t-1} + \eta_t \bigl(\beta_1 (1-c_t) - 1\bigr) \hat g_t \\
    z_t &= z_{t-1} - \eta_t \hat g_t, \quad x_t = (1-c_t)\, x_{t-1} + c_t z_t
    \end{aligned}

with x₀ = y₀ = z₀ = θ₀, r = ``r``, p = ``weight_lr_power``. The y update is the library's
memory-saving form of :math:`y_t = (1-\beta_1) z_t + \beta_1 x_t`: β₁ interpolates rather
than averaging momentum. On a 2D surface the path is y; x (the average) is smoother.

Reference: Defazio et al., 2024, "The Road Less Scheduled"; the ``schedulefree`` package's
AdamWScheduleFree (the tests' oracle; torch.optim has none). Notes: the weight decay is taken
at y and inside ĝ (so it also moves z); the library computes x only when asked (``eval()``,
:math:`x = y + (1 - 1/\beta_1)(z - y)`), the state here keeps it as the running average above.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.checks import require
from engine.core.i18n import N_, _

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, grad_line
from .primitives import bias_correction, coupled_decay, is_zero, square_moment
from .specs import HyperSpec, betas_spec, eps_spec, lr_spec, wd_spec


class ScheduleFreeState(NamedTuple):
    """State of Schedule-Free AdamW (the parameters are y).

    z: :math:`z_t`, the sequence that takes the normalised gradient steps.
    v: the running average of squared gradients :math:`v_t`.
    x: :math:`x_t`, the weighted average of the z's: the weights to evaluate.
    eta_max: :math:`\\eta^{\\max}_t`, the largest learning rate so far (warm-up), per model.
    w_sum: :math:`W_t`, the sum of the averaging weights, per model.
    t: the number of steps taken.
    """

    z: Params
    v: Params
    x: Params
    eta_max: Params
    w_sum: Params
    t: Tensor


def _validate(h: Hyper) -> None:
    w = h["warmup_steps"]
    require(w, lambda x: (x >= 0) & (x == x // 1), _("Invalid warmup_steps value: {w}").format(w=w))
    require(h["r"], lambda x: x >= 0, _("Invalid r value: {r}").format(r=h["r"]))
    power = h["weight_lr_power"]
    require(
        power, lambda x: x >= 0, _("Invalid weight_lr_power value: {power}").format(power=power)
    )


def _init(h: Hyper, p: Tensor) -> Leaf:
    zeros = torch.zeros_like(p)
    return {"z": p.clone(), "v": zeros, "x": p.clone(), "eta_max": zeros - 1.0, "w_sum": zeros}


def _update(h: Hyper, y: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    beta1, beta2 = h["betas"]
    warmup = h["warmup_steps"]
    sched = torch.where(t - 1 < warmup, t / warmup, 1.0).to(y.dtype)
    lr = h["lr"] * sched
    # Per-model values, computed for every coordinate alike: they depend on η and t only.
    eta_max = torch.maximum(s["eta_max"], lr)
    weight = ((t ** h["r"]) * eta_max ** h["weight_lr_power"]).to(y.dtype)
    w_sum = s["w_sum"] + weight
    c = torch.where(w_sum != 0, weight / torch.where(w_sum != 0, w_sum, 1.0), 0.0)
    v = square_moment(s["v"], g, beta2)
    g_hat = g / ((v / bias_correction(beta2, t)).sqrt() + h["eps"])
    g_hat = coupled_decay(h, y, g_hat)  # λy joins the normalised step, so z decays too
    new_y = torch.lerp(y, s["z"], c) + (lr * (beta1 * (1 - c) - 1)) * g_hat
    z = s["z"] - lr * g_hat
    x = torch.lerp(s["x"], z, c)
    leaf = {"z": z, "v": v, "x": x, "eta_max": eta_max, "w_sum": w_sum}
    return new_y, leaf


def _formula(h: Hyper) -> str:
    warm = r" \min(1, t / T_{\text{warmup}})" if not is_zero(h["warmup_steps"]) else ""
    decay = "" if is_zero(h["weight_decay"]) else r" + \lambda \theta_{t-1}"
    return aligned(
        grad_line(h, coupled_decay=False) + rf", \quad \eta_t = \eta{warm}",
        r"\eta^{\max}_t &= \max(\eta^{\max}_{t-1}, \eta_t), \quad"
        r" W_t = W_{t-1} + t^r (\eta^{\max}_t)^p, \quad c_t = t^r (\eta^{\max}_t)^p / W_t",
        r"v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2",
        rf"\hat g_t &= g_t / (\sqrt{{v_t / (1 - \beta_2^t)}} + \epsilon){decay}",
        r"\theta_t &= (1 - c_t) \theta_{t-1} + c_t z_{t-1}"
        r" + \eta_t (\beta_1 (1 - c_t) - 1) \hat g_t \quad (\theta = y)",
        r"z_t &= z_{t-1} - \eta_t \hat g_t, \quad x_t = (1 - c_t) x_{t-1} + c_t z_t",
    )


ENTRIES = (
    Entry(
        name="sf_adamw",
        state=ScheduleFreeState,
        leaf_fields=("z", "v", "x", "eta_max", "w_sum"),
        has_t=True,
        specs=(
            lr_spec(0.0025),
            betas_spec(),
            eps_spec(1e-8),
            wd_spec(),
            HyperSpec(
                "warmup_steps",
                0.0,
                "float",
                0.0,
                1000.0,
                False,
                (),
                "T_warmup: η grows to η",
                symbol="T_warmup",
                label=N_("warm-up steps"),
                step=1.0,
            ),
            HyperSpec(
                "r",
                0.0,
                "float",
                0.0,
                4.0,
                False,
                (),
                "r: later iterates weigh t^r more",
                symbol="r",
                label=N_("averaging power"),
                step=0.01,
            ),
            HyperSpec(
                "weight_lr_power",
                2.0,
                "float",
                0.0,
                4.0,
                False,
                (),
                "p: weights grow as η_max^p",
                symbol="p",
                label=N_("weighting power of η"),
                step=0.01,
            ),
        ),
        checks=("lr", "betas", "eps", "weight_decay"),
        validate=_validate,
        init_leaf=_init,
        update_leaf=_update,
        formula=_formula,
        description=(
            N_(
                "Schedule-Free AdamW: no learning-rate schedule; gradients are taken between Adam-"
                "normalised SGD steps (z) and their running average (x), which is what you deploy."
            )
        ),
        default_lr=0.5,
        second_moment=True,
        group="schedule-free",
        symbols={
            "z": "z_t",
            "x": "x_t",
            "eta_max": r"\eta^{\max}_t",
            "w_sum": "W_t",
        },
    ),
)
