r"""Stochastic gradient descent, with optional (Nesterov) momentum, in three conventions.

``convention="pytorch"`` (the default, identical to ``torch.optim.SGD``):

.. math::

    g_t = \nabla_\theta f(\theta_{t-1}) + \lambda\theta_{t-1}, \quad
    v_t = \mu v_{t-1} + (1-\tau) g_t \ (v_1 = g_1), \quad
    \theta_t = \theta_{t-1} - \eta v_t \quad
    \text{(Nesterov: } \theta_t = \theta_{t-1} - \eta (g_t + \mu v_t)\text{)}

``convention="velocity"`` (Sutskever et al.; Hung-yi Lee's and Andrew Ng's course notes):
:math:`v_t = \mu v_{t-1} - \eta g_t,\ \theta_t = \theta_{t-1} + v_t`. For a constant η it is
the same trajectory as pytorch's, with :math:`v^{\text{velocity}} = -\eta\, v^{\text{pytorch}}`;
they differ once η changes (a schedule), because here η is folded into the buffer.

``convention="ema"`` (Andrew Ng's deep learning course):
:math:`v_t = \beta v_{t-1} + (1-\beta) g_t,\ \theta_t = \theta_{t-1} - \eta v_t` with
:math:`v_0 = 0` and β = ``momentum``: the buffer is an average, so steps are (1-β) times shorter.

Notes where torch differs from the paper (Sutskever et al., 2013, "On the importance of
initialization and momentum in deep learning"): torch keeps η outside the buffer and starts the
buffer at :math:`v_1 = g_1` (dampening is not applied on the first step).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.checks import require
from engine.core.i18n import N_, _

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, grad_line
from .primitives import coupled_decay, is_zero, maximize, zeros
from .specs import MAXIMIZE, HyperSpec, lr_spec, momentum_spec, wd_spec

CONVENTIONS = ("pytorch", "velocity", "ema")


class SGDState(NamedTuple):
    """State of SGD.

    v: the momentum buffer :math:`v_t` (zeros while ``momentum`` is 0). In the pytorch
       convention it is a sum of gradients, in velocity it is the signed displacement
       (already times η), in ema it is an average gradient.
    t: the number of steps taken; the pytorch and velocity buffers start at the first gradient.
    """

    v: Params
    t: Tensor


def _validate(h: Hyper) -> None:
    damp, mu = h["dampening"], h["momentum"]
    require(
        damp, lambda x: (x >= 0) & (x <= 1), _("Invalid dampening value: {damp}").format(damp=damp)
    )
    if h["nesterov"] and (_any(mu, lambda x: x <= 0) or _any(damp, lambda x: x != 0)):
        raise ValueError(_("Nesterov momentum requires a momentum and zero dampening"))
    if h["convention"] == "ema" and _any(damp, lambda x: x != 0):
        raise ValueError(
            _("Invalid dampening value: {damp} (the ema convention has no dampening)").format(
                damp=damp
            )
        )


def _any(x: float | Tensor, cond) -> bool:
    return bool(torch.as_tensor(cond(x)).any())


def _update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    lr, mu, tau = h["lr"], h["momentum"], h["dampening"]
    g = coupled_decay(h, p, maximize(h, g))
    if is_zero(mu):
        return p - lr * g, {"v": s["v"]}
    if h["convention"] == "pytorch" and is_zero(tau):
        # The common case in fewer ops (a race steps it hundreds of times): v₁ = g₁ needs no
        # test, as the buffer starts at 0 (init) and μ·0 + g₁ is g₁ exactly; and a row swept at
        # μ = 0 takes the plain step p - η·g already (0·v + g = g while its gradients are finite).
        v = mu * s["v"] + g
        return p - lr * (g + mu * v if h["nesterov"] else v), {"v": v}
    first = t == 1
    if h["convention"] == "pytorch":
        v = torch.where(first, g, mu * s["v"] + (1 - tau) * g)
        new_p = p - lr * (g + mu * v if h["nesterov"] else v)
    elif h["convention"] == "velocity":
        v = torch.where(first, -lr * g, mu * s["v"] - lr * (1 - tau) * g)
        new_p = p + mu * v - lr * g if h["nesterov"] else p + v
    else:
        v = mu * s["v"] + (1 - mu) * g
        new_p = p - lr * (mu * v + (1 - mu) * g if h["nesterov"] else v)
    if isinstance(mu, Tensor):
        # Rows swept at momentum 0 take plain steps, as torch (no buffer) would.
        new_p = torch.where(mu != 0, new_p, p - lr * g)
    return new_p, {"v": v}


def _formula(h: Hyper) -> str:
    g = grad_line(h)
    mu, tau, conv = h["momentum"], h["dampening"], h["convention"]
    if is_zero(mu):
        return aligned(g, r"\theta_t &= \theta_{t-1} - \eta g_t")
    damp = "" if is_zero(tau) else r"(1 - \tau)\, "
    if conv == "pytorch":
        v = rf"v_t &= \mu v_{{t-1}} + {damp}g_t \quad (v_1 = g_1)"
        th = r"\theta_t &= \theta_{t-1} - \eta " + (r"(g_t + \mu v_t)" if h["nesterov"] else "v_t")
    elif conv == "velocity":
        v = rf"v_t &= \mu v_{{t-1}} - \eta\, {damp}g_t \quad (v_1 = -\eta g_1)"
        th = r"\theta_t &= \theta_{t-1} + " + (r"\mu v_t - \eta g_t" if h["nesterov"] else "v_t")
    else:
        v = r"v_t &= \beta v_{t-1} + (1 - \beta) g_t \quad (v_0 = 0)"
        nest = r"(\beta v_t + (1 - \beta) g_t)"
        th = r"\theta_t &= \theta_{t-1} - \eta " + (nest if h["nesterov"] else "v_t")
    return aligned(g, v, th)


def _specs(momentum: float, nesterov: bool) -> tuple[HyperSpec, ...]:
    return (
        lr_spec(1e-3),
        momentum_spec(momentum),
        HyperSpec(
            "dampening",
            0.0,
            "float",
            0.0,
            1.0,
            help=N_("dampening τ"),
            symbol="τ",
            label=N_("dampening"),
            step=1e-3,
        ),
        wd_spec(),
        HyperSpec(
            "nesterov",
            nesterov,
            "bool",
            help=N_("Nesterov's look-ahead momentum"),
            label=N_("Nesterov look-ahead"),
        ),
        MAXIMIZE,
        HyperSpec(
            "convention",
            "pytorch",
            "choice",
            choices=CONVENTIONS,
            help=N_("pytorch: v=μv+g, θ-=ηv; velocity: v=μv-ηg, θ+=v; ema: v=βv+(1-β)g, θ-=ηv"),
            label=N_("update convention"),
        ),
    )


def _entry(
    name: str, momentum: float, nesterov: bool, description: str, lr: float, network_lr: float
) -> Entry:
    return Entry(
        name=name,
        group="classic",
        state=SGDState,
        leaf_fields=("v",),
        has_t=True,
        specs=_specs(momentum, nesterov),
        checks=("lr", "momentum", "weight_decay"),
        validate=_validate,
        init_leaf=zeros("v"),
        update_leaf=_update,
        formula=_formula,
        description=description,
        default_lr=lr,
        network_lr=network_lr,
    )


ENTRIES = (
    _entry("sgd", 0.0, False, N_("SGD: step straight down the gradient, scaled by η."), 0.01, 0.05),
    _entry(
        "momentum",
        0.9,
        False,
        N_(
            "Momentum: SGD that accumulates a velocity, so steps build up along consistent directions."
        ),
        0.003,
        0.01,
    ),
    _entry(
        "nesterov",
        0.9,
        True,
        N_("Nesterov: momentum that corrects its step with the gradient at the look-ahead point."),
        0.003,
        0.01,
    ),
)
