r"""Rprop: per-coordinate step sizes that grow while the gradient keeps its sign and shrink when it
flips; only the gradient's sign is used.

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}) \\
    \sigma_t &= \mathrm{sign}(g_t\, \tilde g_{t-1}) \\
    \Delta_t &= \mathrm{clip}\bigl(\Delta_{t-1} \cdot
        \{\eta_+ \text{ if } \sigma_t > 0;\ \eta_- \text{ if } \sigma_t < 0;\ 1\},\
        \Delta_{\min}, \Delta_{\max}\bigr) \quad (\Delta_0 = \eta) \\
    \tilde g_t &= \begin{cases} 0 & \sigma_t < 0 \\ g_t & \text{otherwise} \end{cases} \\
    \theta_t &= \theta_{t-1} - \mathrm{sign}(\tilde g_t)\, \Delta_t
    \end{aligned}

Reference: Riedmiller & Braun, 1993, "A Direct Adaptive Method for Faster Backpropagation
Learning: The RPROP Algorithm" (the variant without weight backtracking, Rprop⁻ with the
sign-flip reset, as torch.optim.Rprop). Notes: η only sets the initial step size Δ₀, so a
learning-rate schedule has no effect, as in torch; Rprop is meant for full-batch gradients.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.checks import require
from engine.core.i18n import N_, _

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, grad_line
from .primitives import maximize
from .specs import MAXIMIZE, HyperSpec, lr_spec


class RpropState(NamedTuple):
    """State of Rprop.

    delta: the per-coordinate step size :math:`\\Delta_t` (starts at the learning rate η).
    g_tilde: the last gradient :math:`\\tilde g_t`, zeroed where its sign had just flipped.
    """

    delta: Params
    g_tilde: Params


def _validate(h: Hyper) -> None:
    eta_minus, eta_plus = h["etas"]
    require(
        eta_minus,
        lambda x: (x > 0) & (x < 1),
        _("Invalid eta values: {eta_minus}, {eta_plus} (need 0 < eta- < 1 < eta+)").format(
            eta_minus=eta_minus, eta_plus=eta_plus
        ),
    )
    require(
        eta_plus,
        lambda x: x > 1,
        _("Invalid eta values: {eta_minus}, {eta_plus}").format(
            eta_minus=eta_minus, eta_plus=eta_plus
        ),
    )
    low, high = h["step_sizes"]
    require(
        low,
        lambda x: x >= 0,
        _("Invalid step_sizes value: ({low}, {high})").format(low=low, high=high),
    )
    require(
        high - low,
        lambda x: x >= 0,
        _("Invalid step_sizes value: ({low}, {high})").format(low=low, high=high),
    )


def _init(h: Hyper, p: Tensor) -> Leaf:
    return {"delta": torch.zeros_like(p) + h["lr"], "g_tilde": torch.zeros_like(p)}


def _update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    eta_minus, eta_plus = h["etas"]
    low, high = h["step_sizes"]
    g = maximize(h, g)
    sigma = torch.sign(g * s["g_tilde"])
    one = torch.ones_like(p)
    factor = torch.where(sigma > 0, eta_plus, torch.where(sigma < 0, eta_minus, one))
    delta = torch.clamp(torch.clamp(s["delta"] * factor.to(p.dtype), min=low), max=high)
    g_tilde = torch.where(sigma < 0, 0.0, g)
    new_p = p - torch.sign(g_tilde) * delta
    return new_p, {"delta": delta, "g_tilde": g_tilde}


def _formula(h: Hyper) -> str:
    return aligned(
        grad_line(h, coupled_decay=False),
        r"\sigma_t &= \mathrm{sign}(g_t \tilde g_{t-1})",
        r"\Delta_t &= \mathrm{clip}\bigl(\Delta_{t-1} \cdot \{\eta_+ \text{ if } \sigma_t > 0;"
        r"\ \eta_- \text{ if } \sigma_t < 0;\ 1\},\ \Delta_{\min}, \Delta_{\max}\bigr)"
        r" \quad (\Delta_0 = \eta)",
        r"\tilde g_t &= 0 \text{ if } \sigma_t < 0 \text{, else } g_t",
        r"\theta_t &= \theta_{t-1} - \mathrm{sign}(\tilde g_t)\, \Delta_t",
    )


ENTRIES = (
    Entry(
        name="rprop",
        state=RpropState,
        leaf_fields=("delta", "g_tilde"),
        has_t=False,
        specs=(
            lr_spec(1e-2),
            HyperSpec(
                "etas",
                (0.5, 1.2),
                "pair",
                0.0,
                5.0,
                False,
                (),
                "(η₋, η₊): shrink and growth of Δ",
                symbol=("η₋", "η₊"),
                label=(N_("shrink factor"), N_("growth factor")),
                step=0.01,
            ),
            # Log-scaled: Δmin sits at 1e-6, Δmax at 50.
            HyperSpec(
                "step_sizes",
                (1e-6, 50.0),
                "pair",
                1e-8,
                100.0,
                True,
                (),
                "(Δmin, Δmax): bounds of the step size",
                symbol=("Δmin", "Δmax"),
                label=(N_("smallest step"), N_("largest step")),
            ),
            MAXIMIZE,
        ),
        checks=("lr",),
        validate=_validate,
        init_leaf=_init,
        update_leaf=_update,
        formula=_formula,
        description=(
            N_(
                "Rprop: ignores the gradient's size; each coordinate's step grows by η₊ while its "
                "gradient keeps its sign and shrinks by η₋ when the sign flips."
            )
        ),
        default_lr=0.1,
        group="sign-based",
        symbols={"delta": r"\Delta_t", "g_tilde": r"\tilde g_t"},
    ),
)
