"""Rectifiers: ReLU and its leaky, capped and randomised relatives, and the exponential (ELU)
family that smooths their negative side.

Each builder returns the formula in LaTeX right above the torch code that runs it
(see :mod:`engine.activations.catalog`).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from engine.core.checks import check_number
from engine.core.i18n import _

# Klambauer et al. (2017), "Self-Normalizing Neural Networks"; the same digits as torch's SELU.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _step(x: Tensor) -> Tensor:
    """1 where x > 0, else 0 (torch's choice at 0 for relu)."""
    return (x > 0).to(x.dtype)


def _leaky(slope: float) -> dict[str, Any]:
    return dict(
        fn=lambda x: F.leaky_relu(x, slope),
        derivative=lambda x: torch.where(x > 0, torch.ones_like(x), torch.full_like(x, slope)),
    )


def relu() -> dict[str, Any]:
    return dict(
        latex=r"f(x) = \max(0, x)",
        derivative_latex=r"f'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
        fn=F.relu,
        derivative=_step,
        module=nn.ReLU,
    )


def relu6() -> dict[str, Any]:
    return dict(
        latex=r"f(x) = \min(\max(0, x), 6)",
        derivative_latex=r"f'(x) = \begin{cases} 1 & 0 < x < 6 \\ 0 & \text{otherwise} \end{cases}",
        fn=F.relu6,
        derivative=lambda x: ((x > 0) & (x < 6)).to(x.dtype),
        module=nn.ReLU6,
    )


def leaky_relu(slope: float = 0.01) -> dict[str, Any]:
    slope = check_number("slope", slope)
    return dict(
        latex=r"f(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases}",
        derivative_latex=r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
        module=lambda: nn.LeakyReLU(slope),
        **_leaky(slope),
    )


def prelu(slope: float = 0.25) -> dict[str, Any]:
    slope = check_number("slope", slope)
    return dict(
        latex=r"f(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases}\quad(a \text{ learned})",
        derivative_latex=r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
        module=lambda: nn.PReLU(num_parameters=1, init=slope),
        **_leaky(slope),
    )


def rrelu(lower: float = 1 / 8, upper: float = 1 / 3) -> dict[str, Any]:
    lower = check_number("lower", lower, 0.0, 1.0, open_high=True)
    upper = check_number("upper", upper, 0.0, 1.0, open_high=True)
    if lower > upper:
        raise ValueError(
            _("Invalid lower: {lower} (must not exceed upper = {upper})").format(
                lower=lower, upper=upper
            )
        )

    def band(x: Tensor) -> tuple[Tensor, Tensor]:
        # For x < 0 the smaller slope gives the higher curve, so take the elementwise envelope.
        a, b = F.leaky_relu(x, lower), F.leaky_relu(x, upper)
        return torch.minimum(a, b), torch.maximum(a, b)

    mean = (lower + upper) / 2
    return dict(
        latex=r"f(x) = \begin{cases} x & x > 0 \\ \frac{l + u}{2}\,x & x \le 0 \end{cases}"
        r"\quad(\text{train: } a \sim U(l, u))",
        derivative_latex=r"f'(x) = \begin{cases} 1 & x > 0 \\ \frac{l + u}{2} & x \le 0 \end{cases}",
        fn=lambda x: F.rrelu(x, lower, upper, training=False),
        derivative=_leaky(mean)["derivative"],
        module=lambda: nn.RReLU(lower, upper),
        band=band,
    )


def elu(alpha: float = 1.0) -> dict[str, Any]:
    alpha = check_number("alpha", alpha)  # torch accepts any alpha, negative too
    return dict(
        latex=r"f(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
        derivative_latex=r"f'(x) = \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}",
        fn=lambda x: F.elu(x, alpha),
        derivative=lambda x: torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x)),
        module=lambda: nn.ELU(alpha),
    )


def selu() -> dict[str, Any]:
    a, s = SELU_ALPHA, SELU_SCALE
    return dict(
        latex=r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}"
        r",\ \alpha \approx 1.6733,\ \lambda \approx 1.0507",
        derivative_latex=r"f'(x) = \lambda \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}",
        fn=F.selu,
        derivative=lambda x: s * torch.where(x > 0, torch.ones_like(x), a * torch.exp(x)),
        module=nn.SELU,
    )


def celu(alpha: float = 1.0) -> dict[str, Any]:
    alpha = check_number("alpha", alpha)
    if alpha == 0.0:
        raise ValueError(_("Invalid alpha: {alpha} (CELU divides by alpha)").format(alpha=alpha))
    return dict(
        latex=r"f(x) = \max(0, x) + \min\bigl(0, \alpha\,(e^{x/\alpha} - 1)\bigr)",
        derivative_latex=r"f'(x) = \begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}",
        fn=lambda x: F.celu(x, alpha),
        derivative=lambda x: torch.where(x > 0, torch.ones_like(x), torch.exp(x / alpha)),
        module=lambda: nn.CELU(alpha),
    )
