r"""RMSProp, optionally centered and with momentum, in torch's or the course's convention.

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}) + \lambda\theta_{t-1} \\
    v_t &= \alpha v_{t-1} + (1-\alpha) g_t^2 \\
    \bar g_t &= \alpha \bar g_{t-1} + (1-\alpha) g_t, \quad
        \tilde v_t = v_t - \bar g_t^2 \quad \text{(centered only)} \\
    b_t &= \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon), \quad \theta_t = \theta_{t-1} - \eta b_t
    \end{aligned}

Without momentum :math:`\theta_t = \theta_{t-1} - \eta g_t / (\sqrt{v_t} + \epsilon)`. The state
field ``g`` holds :math:`\bar g_t`, the running average of gradients.

``convention="course"`` (Hung-yi Lee's ML course): :math:`\sigma^0 = |g^0|`, i.e. the first step
sets :math:`v_1 = g_1^2` instead of averaging with :math:`v_0 = 0`, so the first step has size
about η rather than η/√(1-α).

Reference: Tieleman & Hinton, 2012, Lecture 6.5 of "Neural Networks for Machine Learning";
the centered variant is from Graves, 2013, "Generating Sequences With Recurrent Neural
Networks". Notes where torch differs: ε is outside the square root (Graves puts it inside), and
momentum accumulates the scaled gradient with η applied outside the buffer.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.checks import require
from engine.core.i18n import N_, _

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, grad_line
from .primitives import coupled_decay, is_zero, maximize, moment, square_moment, zeros
from .specs import MAXIMIZE, HyperSpec, eps_spec, lr_spec, momentum_spec, wd_spec


class RMSpropState(NamedTuple):
    """State of RMSProp.

    v: the running average of squared gradients :math:`v_t` (torch's ``square_avg``).
    b: the momentum buffer :math:`b_t` (zeros while ``momentum`` is 0).
    g: the running average of gradients :math:`\\bar g_t` (zeros unless ``centered``).
    t: the number of steps taken (the course convention starts :math:`v_1 = g_1^2`).
    """

    v: Params
    b: Params
    g: Params
    t: Tensor


def _validate(h: Hyper) -> None:
    require(
        h["alpha"], lambda x: x >= 0, _("Invalid alpha value: {alpha}").format(alpha=h["alpha"])
    )
    if h["convention"] == "course" and h["centered"]:
        raise ValueError(_("Invalid centered value: True (the course convention is not centered)"))


def _update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    alpha, mu = h["alpha"], h["momentum"]
    g = coupled_decay(h, p, maximize(h, g))
    v = square_moment(s["v"], g, alpha)
    if h["convention"] == "course":
        v = torch.where(t == 1, g * g, v)
    g_avg = s["g"]
    if h["centered"]:
        g_avg = moment(g_avg, g, alpha)
        avg = (v - g_avg * g_avg).sqrt() + h["eps"]
    else:
        avg = v.sqrt() + h["eps"]
    if is_zero(mu):
        return p - h["lr"] * (g / avg), {"v": v, "b": s["b"], "g": g_avg}
    b = s["b"] * mu + g / avg
    return p - h["lr"] * b, {"v": v, "b": b, "g": g_avg}


def _formula(h: Hyper) -> str:
    first = r" \quad (v_1 = g_1^2)" if h["convention"] == "course" else ""
    centered = None
    root = r"\sqrt{v_t}"
    if h["centered"]:
        centered = r"\bar g_t &= \alpha \bar g_{t-1} + (1 - \alpha) g_t"
        root = r"\sqrt{v_t - \bar g_t^2}"
    if is_zero(h["momentum"]):
        steps = [rf"\theta_t &= \theta_{{t-1}} - \eta\, g_t / ({root} + \epsilon)"]
    else:
        steps = [
            rf"b_t &= \mu b_{{t-1}} + g_t / ({root} + \epsilon)",
            r"\theta_t &= \theta_{t-1} - \eta b_t",
        ]
    v = rf"v_t &= \alpha v_{{t-1}} + (1 - \alpha) g_t^2{first}"
    return aligned(grad_line(h), v, centered, *steps)


ENTRIES = (
    Entry(
        name="rmsprop",
        group="adaptive",
        state=RMSpropState,
        leaf_fields=("v", "b", "g"),
        has_t=True,
        specs=(
            lr_spec(1e-2),
            HyperSpec(
                "alpha",
                0.99,
                "float",
                0.0,
                0.9999,
                help=N_("α, decay of v"),
                symbol="α",
                label=N_("squared-gradient decay"),
                step=1e-4,
            ),
            eps_spec(1e-8),
            wd_spec(),
            momentum_spec(0.0),
            HyperSpec(
                "centered",
                False,
                "bool",
                help=N_("divide by the variance, not the 2nd moment"),
                label=N_("centered"),
            ),
            MAXIMIZE,
            HyperSpec(
                "convention",
                "pytorch",
                "choice",
                choices=("pytorch", "course"),
                help=N_("pytorch: v₀ = 0; course (Hung-yi Lee): v₁ = g₁²"),
                label=N_("update convention"),
            ),
        ),
        checks=("lr", "eps", "momentum", "weight_decay"),
        validate=_validate,
        init_leaf=zeros("v", "b", "g"),
        update_leaf=_update,
        formula=_formula,
        description=(
            N_(
                "RMSProp: divides each step by a running root-mean-square of recent gradients, "
                "so every coordinate moves at a similar pace."
            )
        ),
        default_lr=0.05,
        network_lr=0.001,
        second_moment=True,
    ),
)
