"""Bounded activations: the identity, the sigmoid family and the curves that saturate or repeat.

Each builder returns the formula in LaTeX right above the torch code that runs it
(see :mod:`engine.activations.catalog`).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn


def linear() -> dict[str, Any]:
    return dict(
        latex=r"f(x) = x",
        derivative_latex=r"f'(x) = 1",
        fn=lambda x: x,
        derivative=torch.ones_like,
        module=nn.Identity,
    )


def sigmoid() -> dict[str, Any]:
    return dict(
        latex=r"f(x) = \sigma(x) = \frac{1}{1 + e^{-x}}",
        derivative_latex=r"f'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
        fn=torch.sigmoid,
        derivative=lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x)),
        module=nn.Sigmoid,
    )


def tanh() -> dict[str, Any]:
    return dict(
        latex=r"f(x) = \tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
        derivative_latex=r"f'(x) = 1 - \tanh^2 x",
        fn=torch.tanh,
        derivative=lambda x: 1 - torch.tanh(x) ** 2,
        module=nn.Tanh,
    )


def hard_sigmoid() -> dict[str, Any]:
    return dict(
        latex=r"f(x) = \frac{\min(\max(x + 3, 0), 6)}{6}",
        derivative_latex=r"f'(x) = \begin{cases} 1/6 & -3 < x < 3 \\ 0 & \text{otherwise} \end{cases}",
        fn=F.hardsigmoid,
        derivative=lambda x: ((x > -3) & (x < 3)).to(x.dtype) / 6,
        module=nn.Hardsigmoid,
    )


def hard_tanh() -> dict[str, Any]:
    return dict(
        latex=r"f(x) = \min(\max(x, -1), 1)",
        derivative_latex=r"f'(x) = \begin{cases} 1 & -1 < x < 1 \\ 0 & \text{otherwise} \end{cases}",
        fn=F.hardtanh,
        derivative=lambda x: ((x > -1) & (x < 1)).to(x.dtype),
        module=nn.Hardtanh,
    )


def softsign() -> dict[str, Any]:
    return dict(
        latex=r"f(x) = \frac{x}{1 + |x|}",
        derivative_latex=r"f'(x) = \frac{1}{(1 + |x|)^2}",
        fn=F.softsign,
        derivative=lambda x: 1 / (1 + x.abs()) ** 2,
        module=nn.Softsign,
    )


def arctan() -> dict[str, Any]:
    return dict(
        latex=r"f(x) = \arctan x",
        derivative_latex=r"f'(x) = \frac{1}{1 + x^2}",
        fn=torch.atan,
        derivative=lambda x: 1 / (1 + x * x),
    )


def sinusoid() -> dict[str, Any]:
    return dict(
        latex=r"f(x) = \sin x",
        derivative_latex=r"f'(x) = \cos x",
        fn=torch.sin,
        derivative=torch.cos,
    )


def gaussian() -> dict[str, Any]:
    return dict(
        latex=r"f(x) = e^{-x^2}",
        derivative_latex=r"f'(x) = -2x\,e^{-x^2}",
        fn=lambda x: torch.exp(-x * x),
        derivative=lambda x: -2 * x * torch.exp(-x * x),
    )
