r"""The pieces of maths the optimizers share, as optax shares ``update_moment`` and
``bias_correction``: each is written once, here, with torch.optim's exact operation order (the
parity tests compare trajectories within 1e-10).

.. math::

    g_t \leftarrow -g_t \ \text{(maximize)}, \quad
    g_t \leftarrow g_t + \lambda\theta_{t-1} \ \text{(coupled decay)}, \quad
    \theta_{t-1} \leftarrow (1 - \eta\lambda)\,\theta_{t-1} \ \text{(decoupled decay)}

.. math::

    m_t = \beta m_{t-1} + (1-\beta) g_t, \quad
    v_t = \beta v_{t-1} + (1-\beta) g_t^2, \quad
    \hat x_t = x_t / (1 - \beta^t)

Every function takes the hyperparameters ``h`` already broadcast to the parameter (a swept
hyperparameter is a tensor); a plain float 0 skips its term entirely, as torch does.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from .base import Hyper, Leaf


def is_zero(x: float | Tensor) -> bool:
    """True only for a plain float 0, the case where torch skips a term entirely."""
    return not isinstance(x, Tensor) and x == 0


def maximize(h: Hyper, g: Tensor) -> Tensor:
    """The gradient to descend: ``-g`` when the optimizer climbs (``maximize``)."""
    return -g if h["maximize"] else g


def coupled_decay(h: Hyper, p: Tensor, g: Tensor) -> Tensor:
    """L2 weight decay added to the gradient: :math:`g + \\lambda\\theta`."""
    wd = h["weight_decay"]
    return g if is_zero(wd) else g + wd * p


def decoupled_decay(h: Hyper, p: Tensor, lr: float | Tensor) -> Tensor:
    """AdamW's decay, applied to the weights before the step: :math:`(1 - \\eta\\lambda)\\theta`.

    ``lr`` is the rate the step uses (a schedule's η, SWATS' SGD rate, Prodigy's η_t)."""
    wd = h["weight_decay"]
    return p if is_zero(wd) else p * (1 - lr * wd)


def decay(h: Hyper, p: Tensor, g: Tensor) -> tuple[Tensor, Tensor]:
    """Maximize and weight decay the torch way: coupled into g, or decoupled on θ when
    ``decoupled_weight_decay`` is set. Returns ``(p, g)``."""
    g = maximize(h, g)
    if h.get("decoupled_weight_decay"):
        return decoupled_decay(h, p, h["lr"]), g
    return p, coupled_decay(h, p, g)


def moment(m: Tensor, g: Tensor, beta: float | Tensor) -> Tensor:
    """A first moment: the running average :math:`\\beta m + (1-\\beta) g` (torch's ``lerp``)."""
    return torch.lerp(m, g, 1 - beta)


def square_moment(v: Tensor, g: Tensor, beta: float | Tensor) -> Tensor:
    """A second moment: the running average :math:`\\beta v + (1-\\beta) g^2`."""
    return v * beta + (1 - beta) * (g * g)


def bias_correction(beta: float | Tensor, t: Tensor) -> Tensor:
    """:math:`1 - \\beta^t`, what a moment started at 0 is divided by to be unbiased."""
    if isinstance(t, Tensor) or isinstance(beta, Tensor):
        # The kernels ``1 - beta**t`` runs, called directly: torch's Python wrapper of the
        # reflected operators (__rpow__, __rsub__) cost more than the arithmetic on a 2D point.
        return torch.rsub(torch.pow(beta, t), 1)
    return 1 - beta**t


def zeros(*fields: str) -> Callable[[Hyper, Tensor], Leaf]:
    """An ``init_leaf`` whose state fields all start at zero, shaped like the parameter."""

    def init(h: Hyper, p: Tensor) -> Leaf:
        return {f: torch.zeros_like(p) for f in fields}

    return init
