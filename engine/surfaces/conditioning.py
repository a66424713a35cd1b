r"""Condition number, and what it does to gradient descent and momentum on a quadratic.

For :math:`f(w) = \tfrac12 w^\top A w` with eigenvalues :math:`\lambda_1 \le \dots \le
\lambda_n` and :math:`\kappa = \lambda_n / \lambda_1`:

* gradient descent with its best step :math:`\alpha = 2/(\lambda_1 + \lambda_n)` shrinks the
  error by :math:`(\kappa - 1)/(\kappa + 1)` per step;
* heavy-ball momentum, :math:`z \leftarrow \beta z + \nabla f(w)`, :math:`w \leftarrow w -
  \alpha z` (torch's SGD momentum), with :math:`\alpha^* = (2/(\sqrt{\lambda_1} +
  \sqrt{\lambda_n}))^2`, :math:`\beta^* = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2` shrinks it
  by :math:`(\sqrt\kappa - 1)/(\sqrt\kappa + 1)`.

(Goh, "Why Momentum Really Works", Distill 2017.) :func:`rate_bound` gives the rate for any
:math:`\alpha, \beta` from the iteration matrix, so the closed forms above can be checked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from engine.core.i18n import _
from engine.surfaces.registry import Surface

MINIMUM = (0.0, 0.0)  # of every quadratic_expression


def quadratic_expression(kappa: float) -> str:
    """The bowl :math:`\\tfrac12(x^2 + \\kappa y^2)` as the playground's formula text."""
    if not (math.isfinite(kappa) and kappa >= 1):
        raise ValueError(_("Invalid condition number: {kappa} (need κ ≥ 1)").format(kappa=kappa))
    return f"0.5*(x**2 + {kappa:g}*y**2)"


def hessian_eigenvalues(surface: Surface, point: Sequence[float]) -> tuple[float, float]:
    """The curvatures (λ₁ ≤ λ₂) of ``surface`` at ``point``, from torch.autograd's Hessian."""
    p = torch.tensor(point, dtype=torch.float64)
    h = torch.autograd.functional.hessian(lambda q: surface.f(q), p)
    lo, hi = torch.linalg.eigvalsh(0.5 * (h + h.T)).tolist()
    return float(lo), float(hi)


def stability_limit(lmax: float) -> float:
    """The largest step size with which gradient descent does not blow up: 2/λₙ."""
    return 2.0 / lmax


def no_overshoot_step(lmax: float) -> float:
    """1/λₙ: the step that lands the steepest direction on its floor in one step (no zig-zag);
    the flat directions then shrink by 1 − λ₁/λₙ = 1 − 1/κ per step."""
    return 1.0 / lmax


def gd_step(lmin: float, lmax: float) -> float:
    """The step size that makes gradient descent fastest on eigenvalues in [lmin, lmax]."""
    return 2.0 / (lmin + lmax)


def momentum_optimum(lmin: float, lmax: float) -> tuple[float, float]:
    """Goh's best step size and momentum (α*, β*) for eigenvalues in [lmin, lmax]."""
    if not 0 < lmin <= lmax:
        raise ValueError(
            _("Invalid eigenvalues: {lmin}, {lmax} (need 0 < λ₁ ≤ λₙ)").format(lmin=lmin, lmax=lmax)
        )
    alpha = (2.0 / (math.sqrt(lmin) + math.sqrt(lmax))) ** 2
    root = math.sqrt(lmax / lmin)
    return alpha, ((root - 1.0) / (root + 1.0)) ** 2


def predicted_rate(kappa: float, momentum: bool) -> float:
    """The best error shrink factor per step: (√κ−1)/(√κ+1) with momentum, (κ−1)/(κ+1) without."""
    k = math.sqrt(kappa) if momentum else kappa
    return (k - 1.0) / (k + 1.0)


def rate_bound(alpha: float, beta: float, eigenvalues: Sequence[float]) -> float:
    """The asymptotic error shrink factor of heavy-ball momentum (β = 0: gradient descent).

    Along an eigenvector with eigenvalue λ the pair (z, w) follows the matrix
    [[β, λ], [−αβ, 1 − αλ]]; the rate is the largest spectral radius over the eigenvalues.
    """
    radii = [
        max(abs(np.linalg.eigvals(np.array([[beta, lam], [-alpha * beta, 1 - alpha * lam]]))))
        for lam in eigenvalues
    ]
    return float(max(radii))


def measured_rate(distance: np.ndarray, floor: float = 1e-250) -> float:
    """The error shrink factor per step measured on a run's distances to the minimum.

    Measured over the second half of the run: at the optimum the iteration matrix has repeated
    eigenvalues, so the error goes as t·rᵗ, and the factor t would bias a fit from step 0
    (over 200 steps by 2.7 %; over the second half by 0.7 %). Points at or below ``floor``
    (converged to rounding) and non-finite ones end the run early. NaN with fewer than 3 points.
    """
    d = np.asarray(distance, dtype=np.float64)
    good = np.isfinite(d) & (d > floor)
    end = int(np.argmin(good)) if not good.all() else len(d)
    if end < 3:
        return math.nan
    mid = (end - 1) // 2
    return float((d[end - 1] / d[mid]) ** (1.0 / (end - 1 - mid)))
