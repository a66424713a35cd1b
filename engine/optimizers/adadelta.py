r"""Adadelta: AdaGrad's per-coordinate scaling with the units fixed by a running average of steps.

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}) + \lambda\theta_{t-1} \\
    v_t &= \rho v_{t-1} + (1-\rho) g_t^2 \\
    \Delta\theta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
    u_t &= \rho u_{t-1} + (1-\rho) \Delta\theta_t^2 \\
    \theta_t &= \theta_{t-1} - \eta \Delta\theta_t
    \end{aligned}

Reference: Zeiler, 2012, "ADADELTA: An Adaptive Learning Rate Method". Notes where torch differs:
the paper has no learning rate (η = 1, torch's default); here ε sits inside both roots, as in
the paper.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from .base import (
    MAXIMIZE,
    Entry,
    Hyper,
    HyperSpec,
    Leaf,
    Params,
    aligned,
    check_eps,
    check_lr,
    check_weight_decay,
    eps_spec,
    grad_line,
    is_zero,
    lr_spec,
    require,
    wd_spec,
)


class AdadeltaState(NamedTuple):
    """State of Adadelta.

    v: the running average of squared gradients :math:`v_t` (torch's ``square_avg``).
    u: the running average of squared updates :math:`u_t` (torch's ``acc_delta``).
    """

    v: Params
    u: Params


def _validate(h: Hyper) -> None:
    check_lr(h)
    require(h["rho"], lambda x: (x >= 0) & (x <= 1), f"Invalid rho value: {h['rho']}")
    check_eps(h)
    check_weight_decay(h)


def _init(h: Hyper, p: Tensor) -> Leaf:
    return {"v": torch.zeros_like(p), "u": torch.zeros_like(p)}


def _update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    rho, eps = h["rho"], h["eps"]
    if h["maximize"]:
        g = -g
    if not is_zero(h["weight_decay"]):
        g = g + h["weight_decay"] * p
    v = s["v"] * rho + (1 - rho) * (g * g)
    delta = (s["u"] + eps).sqrt() / (v + eps).sqrt() * g
    u = s["u"] * rho + (1 - rho) * (delta * delta)
    return p - h["lr"] * delta, {"v": v, "u": u}


def _formula(h: Hyper) -> str:
    return aligned(
        grad_line(h),
        r"v_t &= \rho v_{t-1} + (1 - \rho) g_t^2",
        r"\Delta\theta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t",
        r"u_t &= \rho u_{t-1} + (1 - \rho) \Delta\theta_t^2",
        r"\theta_t &= \theta_{t-1} - \eta \Delta\theta_t",
    )


ENTRIES = (
    Entry(
        name="adadelta",
        group="adaptive",
        state=AdadeltaState,
        leaf_fields=("v", "u"),
        has_t=False,
        specs=(
            lr_spec(1.0),
            HyperSpec(
                "rho",
                0.9,
                "float",
                0.0,
                0.9999,
                help="ρ, decay of both averages",
                symbol="ρ",
                label="averaging decay",
                step=1e-4,
            ),
            eps_spec(1e-6),
            wd_spec(),
            MAXIMIZE,
        ),
        validate=_validate,
        init_leaf=_init,
        update_leaf=_update,
        formula=_formula,
        description=(
            "Adadelta: scales each step by the ratio of recent update size to recent gradient "
            "size, so it needs almost no learning-rate tuning."
        ),
        default_lr=10.0,
    ),
)
