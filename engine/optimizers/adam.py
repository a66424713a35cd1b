r"""Adam, AdamW and AMSGrad.

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}) + \lambda\theta_{t-1} \\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t \\
    v_t &= \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
    \hat m_t &= m_t / (1-\beta_1^t), \quad \hat v_t = v_t / (1-\beta_2^t) \\
    \theta_t &= \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)
    \end{aligned}

AMSGrad replaces :math:`v_t` by its running maximum :math:`v^{\max}_t = \max(v^{\max}_{t-1}, v_t)`
in the denominator. AdamW (decoupled weight decay) drops :math:`\lambda\theta` from :math:`g_t` and
shrinks :math:`\theta_{t-1} \leftarrow (1-\eta\lambda)\theta_{t-1}` before the step instead.

References: Kingma & Ba, 2015, "Adam: A Method for Stochastic Optimization";
Loshchilov & Hutter, 2019, "Decoupled Weight Decay Regularization";
Reddi et al., 2018, "On the Convergence of Adam and Beyond".

Notes where torch differs from the papers: ε is added to :math:`\sqrt{\hat v_t}` (as in Adam's
paper, not inside the root); AdamW scales the decay by η (the paper uses a separate schedule
multiplier); torch's AMSGrad takes the maximum of the *uncorrected* :math:`v_t` and then
bias-corrects it, whereas Reddi et al. have no bias correction.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.i18n import N_

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, decoupled_line, grad_line
from .primitives import bias_correction, decay, moment, square_moment, zeros
from .specs import DECOUPLED, MAXIMIZE, HyperSpec, betas_spec, eps_spec, lr_spec, wd_spec


class AdamState(NamedTuple):
    """State of Adam / AdamW / AMSGrad.

    m: first moment, the running average of gradients :math:`m_t`.
    v: second moment, the running average of squared gradients :math:`v_t`.
    t: the number of steps taken, for the bias corrections :math:`1-\\beta^t`.
    v_max: AMSGrad's running maximum :math:`v^{\\max}_t` of :math:`v_t` (zeros without amsgrad).
    """

    m: Params
    v: Params
    t: Tensor
    v_max: Params


def _update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    beta1, beta2 = h["betas"]
    p, g = decay(h, p, g)
    m = moment(s["m"], g, beta1)
    v = square_moment(s["v"], g, beta2)
    bias_correction1 = bias_correction(beta1, t)
    bias_correction2_sqrt = bias_correction(beta2, t).pow(0.5)  # ** 0.5, without its wrapper
    v_max = torch.maximum(s["v_max"], v) if h["amsgrad"] else s["v_max"]
    denom = (v_max if h["amsgrad"] else v).sqrt() / bias_correction2_sqrt + h["eps"]
    # Same grouping as torch: (η / (1-β₁ᵗ)) · (m / denom).
    new_p = p - (h["lr"] / bias_correction1) * (m / denom)
    return new_p, {"m": m, "v": v, "v_max": v_max}


def _formula(h: Hyper) -> str:
    v_hat = (
        (r"v^{\max}_t &= \max(v^{\max}_{t-1}, v_t), \quad \hat v_t = v^{\max}_t / (1 - \beta_2^t)")
        if h["amsgrad"]
        else r"\hat v_t &= v_t / (1 - \beta_2^t)"
    )
    return aligned(
        decoupled_line(h),
        grad_line(h, coupled_decay=not h.get("decoupled_weight_decay")),
        r"m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t",
        r"v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2",
        r"\hat m_t &= m_t / (1 - \beta_1^t)",
        v_hat,
        r"\theta_t &= \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)",
    )


AMSGRAD = HyperSpec(
    "amsgrad", False, "bool",
    help=N_("divide by the running maximum of v (AMSGrad)"), label=N_("AMSGrad (largest v so far)"),
)  # fmt: skip


def _entry(name: str, specs: tuple[HyperSpec, ...], description: str, **fixed: bool) -> Entry:
    return Entry(
        name=name,
        group="adaptive",
        state=AdamState,
        leaf_fields=("m", "v", "v_max"),
        has_t=True,
        specs=specs,
        checks=("lr", "eps", "betas", "weight_decay"),
        init_leaf=zeros("m", "v", "v_max"),
        update_leaf=_update,
        formula=_formula,
        description=description,
        default_lr=0.1,
        network_lr=0.003,
        fixed=fixed,
        bias_corrected=True,
        second_moment=True,
    )


_ADAM = (lr_spec(1e-3), betas_spec(), eps_spec(1e-8), wd_spec())
ENTRIES = (
    _entry(
        "adam",
        (*_ADAM, AMSGRAD, MAXIMIZE, DECOUPLED),
        N_("Adam: momentum plus RMSProp-style per-coordinate scaling, with bias correction."),
    ),
    _entry(
        "adamw",
        (lr_spec(1e-3), betas_spec(), eps_spec(1e-8), wd_spec(1e-2), AMSGRAD, MAXIMIZE),
        N_("AdamW: Adam whose weight decay shrinks the weights directly instead of the gradient."),
        decoupled_weight_decay=True,
    ),
    _entry(
        "amsgrad",
        (*_ADAM, AMSGRAD._replace(default=True), MAXIMIZE, DECOUPLED),
        N_(
            "AMSGrad: Adam that divides by the largest second moment seen, so steps never grow back."
        ),
    ),
)
