r"""Adafactor: RMSProp-like steps whose second moment of a matrix is stored as row and column
averages only, with a step size relative to the weights' own scale.

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}), \quad \hat\beta_t = t^{\,c} \\
    \rho_t &= \min(\eta, 1/\sqrt t), \quad
        \alpha_t = \max(\epsilon_2, \mathrm{RMS}(\theta_{t-1}))\, \rho_t \\
    \theta_{t-1} &\leftarrow (1 - \eta\lambda)\, \theta_{t-1} \\
    r_t &= (1-\hat\beta_t) r_{t-1} + \hat\beta_t \operatorname{mean}_j g_t^2, \quad
        c_t = (1-\hat\beta_t) c_{t-1} + \hat\beta_t \operatorname{mean}_i g_t^2 \\
    v_t &= r_t c_t / \max(\operatorname{mean}_i r_t, \epsilon_1)
        \quad \text{(a matrix; a vector keeps } v_t = (1-\hat\beta_t) v_{t-1} + \hat\beta_t g_t^2) \\
    u_t &= g_t / \sqrt{\max(v_t, \epsilon_1^2)} \\
    \theta_t &= \theta_{t-1} - \alpha_t\, u_t / \max(1, \mathrm{RMS}(u_t)/d)
    \end{aligned}

with c = ``beta2_decay`` (−0.8), so the second-moment average forgets ever more slowly, and
RMS(x) = ‖x‖/√(number of entries) over one tensor. A matrix stores only its row averages r and
column averages c (R + C numbers instead of R·C); a tensor of higher rank is factored over its
last two dims; a vector, such as a point on a 2D surface, keeps a full v. There, Adafactor is
RMSProp without ε whose forgetting slows down over time, whose step is η·max(ε₂, RMS(θ)) (a
relative step: large far from the origin), and whose update's RMS is clipped to d.

Reference: Shazeer & Stern, 2018, "Adafactor: Adaptive Learning Rates with Sublinear Memory
Cost"; torch.optim.Adafactor. Notes: as torch, there is no first moment, ε₁ is inside the
clamps rather than added, and ``eps=(0, ε₂)`` stands for torch's ``(None, ε₂)``: ε₁ is then the
machine epsilon of the parameters' dtype. For a matrix the state field ``v`` holds the factored
estimate :math:`r_t c_t / \mathrm{mean}(r_t)` and ``r``/``c`` are spread along their rows and
columns; for a vector ``r`` and ``c`` stay zero.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.checks import require
from engine.core.i18n import N_, _

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, decoupled_line, grad_line
from .primitives import decoupled_decay, is_zero, maximize, zeros
from .shapes import own_norm, own_size
from .specs import MAXIMIZE, HyperSpec, lr_spec, wd_spec


class AdafactorState(NamedTuple):
    """State of Adafactor.

    r: the row averages :math:`r_t` of the squared gradients of a matrix (zeros for a vector).
    c: the column averages :math:`c_t` of the squared gradients of a matrix (zeros for a vector).
    v: the second moment :math:`v_t`: a vector's own average, a matrix's factored estimate.
    t: the number of steps taken, for :math:`\\hat\\beta_t = t^c` and :math:`\\rho_t`.
    """

    r: Params
    c: Params
    v: Params
    t: Tensor


def _validate(h: Hyper) -> None:
    decay = h["beta2_decay"]
    require(
        decay,
        lambda x: x <= 0,
        _("Invalid beta2_decay value: {decay} (must be <= 0)").format(decay=decay),
    )
    eps1, eps2 = h["eps"]
    require(eps1, lambda x: x >= 0, _("Invalid epsilon value: {eps}").format(eps=eps1))
    require(eps2, lambda x: x >= 0, _("Invalid epsilon value: {eps}").format(eps=eps2))
    require(
        h["d"],
        lambda x: x >= 1,
        _("Invalid d value: {d} (the clipping threshold is >= 1)").format(d=h["d"]),
    )


def _factored(h: Hyper, p: Tensor) -> bool:
    return p.ndim - h["batch_dims"] >= 2


def _update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    lr, d = h["lr"], h["d"]
    eps1, eps2 = h["eps"]
    if is_zero(eps1):
        eps1 = torch.finfo(p.dtype).eps
    g = maximize(h, g)
    beta_hat = (t ** h["beta2_decay"]).to(p.dtype)  # torch's one_minus_beta2_t
    inv_sqrt = (1 / t**0.5).to(p.dtype)
    rho = torch.minimum(lr, inv_sqrt) if isinstance(lr, Tensor) else inv_sqrt.clamp(max=lr)
    size = own_size(p, h)
    alpha = torch.clamp(own_norm(p, h) / size**0.5, min=eps2) * rho
    p = decoupled_decay(h, p, lr)
    if _factored(h, p):
        row_mean = torch.norm(g, dim=-1, keepdim=True).square() / g.size(-1)
        r = torch.lerp(s["r"][..., :1], row_mean, beta_hat)
        col_mean = torch.norm(g, dim=-2, keepdim=True).square() / g.size(-2)
        c = torch.lerp(s["c"][..., :1, :], col_mean, beta_hat)
        v = (r @ c) / torch.clamp(r.mean(dim=-2, keepdim=True), min=eps1)
        leaf = {"r": r.expand_as(p), "c": c.expand_as(p), "v": v}
    else:
        v = torch.lerp(s["v"], g * g, beta_hat)
        leaf = {"r": s["r"], "c": s["c"], "v": v}
    u = torch.clamp(v, min=eps1 * eps1).rsqrt() * g
    denom = torch.clamp(own_norm(u, h) / (math.sqrt(size) * d), min=1.0)
    return p - (alpha / denom) * u, leaf


def _formula(h: Hyper) -> str:
    return aligned(
        grad_line(h, coupled_decay=False) + r", \quad \hat\beta_t = t^{c}",
        r"\rho_t &= \min(\eta, 1/\sqrt{t}), \quad"
        r" \alpha_t = \max(\epsilon_2, \mathrm{RMS}(\theta_{t-1}))\, \rho_t",
        decoupled_line(h, decoupled=True),
        r"r_t &= (1 - \hat\beta_t) r_{t-1} + \hat\beta_t \operatorname{mean}_j g_t^2, \quad"
        r" c_t = (1 - \hat\beta_t) c_{t-1} + \hat\beta_t \operatorname{mean}_i g_t^2",
        r"v_t &= r_t c_t / \max(\operatorname{mean}_i r_t, \epsilon_1) \text{ (matrix)}, \quad"
        r" v_t = (1 - \hat\beta_t) v_{t-1} + \hat\beta_t g_t^2 \text{ (vector)}",
        r"u_t &= g_t / \sqrt{\max(v_t, \epsilon_1^2)}",
        r"\theta_t &= \theta_{t-1} - \alpha_t\, u_t / \max(1, \mathrm{RMS}(u_t) / d)",
    )


ENTRIES = (
    Entry(
        name="adafactor",
        state=AdafactorState,
        leaf_fields=("r", "c", "v"),
        has_t=True,
        specs=(
            lr_spec(1e-2),
            HyperSpec(
                "beta2_decay",
                -0.8,
                "float",
                -1.0,
                0.0,
                False,
                (),
                "c: the average forgets t^c",
                symbol="c",
                label=N_("decay exponent"),
                step=0.01,
            ),
            HyperSpec(
                "eps",
                (0.0, 1e-3),
                "pair",
                0.0,
                0.1,
                False,
                (),
                "(ε₁, ε₂): floor of v (0: machine epsilon) and of RMS(θ)",
                symbol=("ε₁", "ε₂"),
                label=(N_("floor of v"), N_("floor of RMS(θ)")),
                step=1e-4,
            ),
            HyperSpec(
                "d",
                1.0,
                "float",
                1.0,
                10.0,
                False,
                (),
                "d: the update's RMS is clipped to d",
                symbol="d",
                label=N_("clipping threshold"),
                step=0.01,
            ),
            wd_spec(),
            MAXIMIZE,
        ),
        checks=("lr", "weight_decay"),
        validate=_validate,
        init_leaf=zeros("r", "c", "v"),
        update_leaf=_update,
        formula=_formula,
        description=(
            N_(
                "Adafactor: RMSProp whose second moment of a weight matrix is only its row and column "
                "averages, with steps relative to the weights' size; on a vector (a 2D surface) it "
                "keeps the full average, like RMSProp with a step of η·RMS(θ)."
            )
        ),
        default_lr=1.0,
        group="matrix",
        symbols={"r": "r_t", "c": "c_t"},
        structured=True,
    ),
)
