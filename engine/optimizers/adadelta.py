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

from torch import Tensor

from engine.core.checks import require
from engine.core.i18n import N_, _

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, grad_line
from .primitives import coupled_decay, maximize, square_moment, zeros
from .specs import MAXIMIZE, HyperSpec, eps_spec, lr_spec, wd_spec


class AdadeltaState(NamedTuple):
    """State of Adadelta.

    v: the running average of squared gradients :math:`v_t` (torch's ``square_avg``).
    u: the running average of squared updates :math:`u_t` (torch's ``acc_delta``).
    """

    v: Params
    u: Params


def _validate(h: Hyper) -> None:
    require(
        h["rho"], lambda x: (x >= 0) & (x <= 1), _("Invalid rho value: {rho}").format(rho=h["rho"])
    )


def _update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    rho, eps = h["rho"], h["eps"]
    g = coupled_decay(h, p, maximize(h, g))
    v = square_moment(s["v"], g, rho)
    delta = (s["u"] + eps).sqrt() / (v + eps).sqrt() * g
    u = square_moment(s["u"], delta, rho)
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
                help=N_("ρ, decay of both averages"),
                symbol="ρ",
                label=N_("averaging decay"),
                step=1e-4,
            ),
            eps_spec(1e-6),
            wd_spec(),
            MAXIMIZE,
        ),
        checks=("lr", "eps", "weight_decay"),
        validate=_validate,
        init_leaf=zeros("v", "u"),
        update_leaf=_update,
        formula=_formula,
        description=(
            N_(
                "Adadelta: scales each step by the ratio of recent update size to recent gradient "
                "size, so it needs almost no learning-rate tuning."
            )
        ),
        default_lr=10.0,
        network_lr=1.0,
        second_moment=True,
    ),
)
