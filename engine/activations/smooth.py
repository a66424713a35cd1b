"""Smooth activations: GELU and its tanh approximation, the self-gated SiLU/Swish and Mish,
softplus, and hard swish.

Each builder returns the formula in LaTeX right above the torch code that runs it
(see :mod:`engine.activations.catalog`).
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from engine.core.checks import check_number

GELU_TANH_C = 0.044715  # Hendrycks & Gimpel's cubic coefficient in the tanh approximation


def gelu() -> dict[str, Any]:
    def derivative(x: Tensor) -> Tensor:
        cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
        pdf = torch.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return cdf + x * pdf

    return dict(
        latex=r"f(x) = x\,\Phi(x) = \frac{x}{2}\Bigl(1 + \operatorname{erf}\frac{x}{\sqrt 2}\Bigr)",
        derivative_latex=r"f'(x) = \Phi(x) + x\,\varphi(x),\ \varphi(x) = \frac{e^{-x^2/2}}{\sqrt{2\pi}}",
        fn=F.gelu,
        derivative=derivative,
        module=nn.GELU,
    )


def gelu_tanh() -> dict[str, Any]:
    k, c = math.sqrt(2 / math.pi), GELU_TANH_C

    def derivative(x: Tensor) -> Tensor:
        t = torch.tanh(k * (x + c * x**3))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * c * x * x)

    return dict(
        latex=r"f(x) = \frac{x}{2}\bigl(1 + \tanh u\bigr),\ u = \sqrt{2/\pi}\,(x + 0.044715\,x^3)",
        derivative_latex=r"f'(x) = \frac{1 + \tanh u}{2} + \frac{x}{2}\,(1 - \tanh^2 u)"
        r"\sqrt{2/\pi}\,(1 + 3 \cdot 0.044715\,x^2)",
        fn=lambda x: F.gelu(x, approximate="tanh"),
        derivative=derivative,
        module=lambda: nn.GELU(approximate="tanh"),
    )


def silu() -> dict[str, Any]:
    def derivative(x: Tensor) -> Tensor:
        s = torch.sigmoid(x)
        return s * (1 + x * (1 - s))

    return dict(
        latex=r"f(x) = x\,\sigma(x)",
        derivative_latex=r"f'(x) = \sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)",
        fn=F.silu,
        derivative=derivative,
        module=nn.SiLU,
    )


def swish(beta: float = 1.0) -> dict[str, Any]:
    beta = check_number("beta", beta)

    def derivative(x: Tensor) -> Tensor:
        s = torch.sigmoid(beta * x)
        return s * (1 + beta * x * (1 - s))

    return dict(
        latex=r"f(x) = x\,\sigma(\beta x)",
        derivative_latex=r"f'(x) = \sigma(\beta x)\,\bigl(1 + \beta x\,(1 - \sigma(\beta x))\bigr)",
        fn=lambda x: x * torch.sigmoid(beta * x),
        derivative=derivative,
    )


def mish() -> dict[str, Any]:
    def derivative(x: Tensor) -> Tensor:
        t = torch.tanh(F.softplus(x))
        return t + x * torch.sigmoid(x) * (1 - t * t)

    return dict(
        latex=r"f(x) = x \tanh\bigl(\zeta(x)\bigr),\ \zeta(x) = \ln(1 + e^{x})",
        derivative_latex=r"f'(x) = \tanh \zeta(x) + x\,\sigma(x)\,\bigl(1 - \tanh^2 \zeta(x)\bigr)",
        fn=F.mish,
        derivative=derivative,
        module=nn.Mish,
    )


def softplus(beta: float = 1.0) -> dict[str, Any]:
    beta = check_number("beta", beta, 0.0, open_low=True)
    return dict(
        latex=r"f(x) = \frac{1}{\beta} \ln\bigl(1 + e^{\beta x}\bigr)",
        derivative_latex=r"f'(x) = \sigma(\beta x) = \frac{1}{1 + e^{-\beta x}}",
        # torch switches to f(x) = x where beta * x > 20 (threshold); the difference is < 1e-8.
        fn=lambda x: F.softplus(x, beta=beta),
        derivative=lambda x: torch.sigmoid(beta * x),
        module=lambda: nn.Softplus(beta=beta),
    )


def hardswish() -> dict[str, Any]:
    def derivative(x: Tensor) -> Tensor:
        # At the kinks torch's backward takes the outer pieces: f'(-3) = 0, f'(3) = 1.
        middle = (2 * x + 3) / 6
        return torch.where(x <= -3, torch.zeros_like(x), torch.where(x >= 3, 1.0, middle))

    return dict(
        latex=r"f(x) = x\,\frac{\min(\max(x + 3, 0), 6)}{6}",
        derivative_latex=r"f'(x) = \begin{cases} 0 & x \le -3 \\ \frac{2x + 3}{6} & -3 < x < 3"
        r" \\ 1 & x \ge 3 \end{cases}",
        fn=F.hardswish,
        derivative=derivative,
        module=nn.Hardswish,
    )
