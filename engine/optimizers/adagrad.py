r"""AdaGrad: per-coordinate steps scaled by the root of the summed squared gradients.

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}) + \lambda\theta_{t-1} \\
    s_t &= s_{t-1} + g_t^2 \quad (s_0 = \text{initial\_accumulator\_value}) \\
    \eta_t &= \eta / (1 + (t-1)\gamma) \\
    \theta_t &= \theta_{t-1} - \eta_t\, g_t / (\sqrt{s_t} + \epsilon)
    \end{aligned}

with γ = ``lr_decay``. Reference: Duchi, Hazan & Singer, 2011, "Adaptive Subgradient Methods for
Online Learning and Stochastic Optimization". Notes where torch differs from the paper: ε sits
outside the square root, and the ``lr_decay`` schedule and starting accumulator are torch's
additions (the paper's diagonal variant has neither).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.checks import require
from engine.core.i18n import N_, _

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, grad_line
from .primitives import coupled_decay, is_zero, maximize
from .specs import MAXIMIZE, HyperSpec, eps_spec, lr_spec, wd_spec


class AdagradState(NamedTuple):
    """State of AdaGrad.

    s: the running sum of squared gradients :math:`s_t`, per coordinate.
    t: the number of steps taken, for the ``lr_decay`` schedule.
    """

    s: Params
    t: Tensor


def _validate(h: Hyper) -> None:
    require(
        h["lr_decay"],
        lambda x: x >= 0,
        _("Invalid lr_decay value: {lr_decay}").format(lr_decay=h["lr_decay"]),
    )
    iav = h["initial_accumulator_value"]
    require(
        iav, lambda x: x >= 0, _("Invalid initial_accumulator_value value: {iav}").format(iav=iav)
    )


def _init(h: Hyper, p: Tensor) -> Leaf:
    return {"s": torch.zeros_like(p) + h["initial_accumulator_value"]}


def _update(h: Hyper, p: Tensor, g: Tensor, st: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    g = coupled_decay(h, p, maximize(h, g))
    s = st["s"] + g * g
    # No decay (the default): the rate itself, four scalar ops a step fewer, the same value.
    lr_t = h["lr"] if is_zero(h["lr_decay"]) else h["lr"] / (1 + (t - 1) * h["lr_decay"])
    return p - lr_t * (g / (s.sqrt() + h["eps"])), {"s": s}


def _formula(h: Hyper) -> str:
    s0 = "" if is_zero(h["initial_accumulator_value"]) else r" \quad (s_0 = s_{\text{init}})"
    if is_zero(h["lr_decay"]):
        step = r"\theta_t &= \theta_{t-1} - \eta\, g_t / (\sqrt{s_t} + \epsilon)"
        decay = None
    else:
        step = r"\theta_t &= \theta_{t-1} - \eta_t\, g_t / (\sqrt{s_t} + \epsilon)"
        decay = r"\eta_t &= \eta / (1 + (t - 1)\gamma)"
    return aligned(grad_line(h), rf"s_t &= s_{{t-1}} + g_t^2{s0}", decay, step)


ENTRIES = (
    Entry(
        name="adagrad",
        group="adaptive",
        state=AdagradState,
        leaf_fields=("s",),
        has_t=True,
        specs=(
            lr_spec(1e-2),
            HyperSpec(
                "lr_decay",
                0.0,
                "float",
                0.0,
                1.0,
                help="γ: η_t = η / (1 + (t-1)γ)",
                symbol="γ",
                label=N_("learning-rate decay"),
                step=1e-3,
            ),
            wd_spec(),
            HyperSpec(
                "initial_accumulator_value",
                0.0,
                "float",
                0.0,
                1.0,
                help=N_("s₀, the start of s"),
                symbol="s₀",
                label=N_("initial accumulator"),
                step=1e-3,
            ),
            eps_spec(1e-10),
            MAXIMIZE,
        ),
        checks=("lr", "weight_decay", "eps"),
        validate=_validate,
        init_leaf=_init,
        update_leaf=_update,
        formula=_formula,
        description=(
            N_(
                "AdaGrad: divides each coordinate's step by the root of its summed squared "
                "gradients, so steps shrink where gradients have been large."
            )
        ),
        default_lr=1.0,
        network_lr=0.02,
    ),
)
