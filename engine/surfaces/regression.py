r"""Feature scaling: the loss of a two-weight linear regression as a 2D surface.

:math:`L(w_1, w_2) = \frac1n \sum_i (w_1 x_{i1} + w_2 x_{i2} - y_i)^2` is a quadratic in the
weights, written out as a formula in ``x`` (= w₁) and ``y`` (= w₂) that the playground can
parse. When the second feature is ``scale`` times larger than the first, the Hessian
:math:`\tfrac2n X^\top X` has a condition number near scale², and the bowl becomes a long
valley; standardising the features (zero mean, unit variance) makes it round again. (Hung-yi
Lee's first gradient-descent demo.)
"""

from __future__ import annotations

import math

import numpy as np
import torch

from engine.core.checks import check_int, check_number
from engine.core.i18n import _

MAX_SCALE = 100.0


def data(scale: float, n: int = 50, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Features X (n, 2), the second ``scale`` times the first, and targets y = z₁ + z₂ + noise
    (z: the features in standard units), so the best weights are about (1, 1/scale)."""
    scale = check_number("scale", scale, 1.0, MAX_SCALE)
    n = check_int("n", n, 3, 10_000)
    g = torch.Generator().manual_seed(int(seed))
    z = torch.randn(n, 2, generator=g, dtype=torch.float64)
    noise = 0.1 * torch.randn(n, generator=g, dtype=torch.float64)
    X = z * torch.tensor([1.0, scale], dtype=torch.float64)
    return X.numpy(), (z.sum(1) + noise).numpy()


def standardize(X: np.ndarray) -> np.ndarray:
    """Each feature to zero mean and unit variance."""
    X = np.asarray(X, dtype=np.float64)
    return (X - X.mean(0)) / X.std(0)


def loss_expression(X: np.ndarray, y: np.ndarray) -> str:
    """The mean squared error of w₁x₁ + w₂x₂ as a formula in x (w₁) and y (w₂), expanded:
    a·x² + b·y² + c·x·y + d·x + e·y + f, each coefficient to 17 significant digits (exact in
    float64, so the parsed surface's minimum is the least-squares one to rounding)."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n = len(y)
    G, r = X.T @ X / n, X.T @ y / n
    coef = (G[0, 0], G[1, 1], 2 * G[0, 1], -2 * r[0], -2 * r[1], float(y @ y) / n)
    if not all(math.isfinite(c) for c in coef):
        raise ValueError(_("The data give a loss with non-finite coefficients"))
    terms = ("x**2", "y**2", "x*y", "x", "y", "1")
    parts = [f"{c:.17g}*{t}" if t != "1" else f"{c:.17g}" for c, t in zip(coef, terms, strict=True)]
    return " + ".join(parts).replace("+ -", "- ")


def best_weights(X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The least-squares weights (the surface's minimum)."""
    w, *_ = np.linalg.lstsq(np.asarray(X, np.float64), np.asarray(y, np.float64), rcond=None)
    return float(w[0]), float(w[1])
