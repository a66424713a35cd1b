"""How sharp a minimum is (the Hessian's top eigenvalue, the loss rise within a ball), and how
rough the landscape around it is.

Keskar et al. (2017) found that large-batch training ends in sharper minima than small-batch
training. Two numbers measure that at trained weights :math:`\\theta^*`:

- the top eigenvalue of :math:`H = \\nabla^2 L(\\theta^*)`, by power iteration with
  Hessian-vector products (double backward; :math:`H` is never formed):

  .. math:: v_{k+1} = \\frac{H v_k}{\\lVert H v_k \\rVert}, \\qquad \\lambda_k = v_k^\\top H v_k

  Power iteration finds the eigenvalue of largest magnitude; when that one is negative, a second
  run on :math:`H - \\lambda I` finds the largest.
- the loss rise within a ball of radius :math:`r = \\rho \\lVert \\theta^* \\rVert`:
  :math:`\\max_{\\lVert \\delta \\rVert \\le r} L(\\theta^* + \\delta) - L(\\theta^*)`, estimated
  from random points on the sphere and a few steps of projected gradient ascent from the worst of
  them (so a lower bound on the true maximum), and the mean rise over the random points.

:func:`roughness` measures a whole grid instead: how often the curvature flips along its lines,
the measure by which a deep MLP without skip connections is rougher than with them (Li et al.,
2018). The first two use the network in eval mode on the evaluator's data (:class:`engine.nets.landscape.Evaluator`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import torch
from torch.func import functional_call

from engine.core.i18n import _
from engine.nets import losses
from engine.nets.landscape import Evaluator

MAX_ITERS = 1000
MAX_SAMPLES = 1024
MAX_ASCENT = 100


class Eigen(NamedTuple):
    """The top Hessian eigenvalue, after ``iterations`` Hessian-vector products in all."""

    value: float
    iterations: int
    converged: bool


class BallRise(NamedTuple):
    """Loss rise within the ball: ``radius`` (absolute), ``mean`` over random points on its
    sphere, ``max`` found (random points and gradient ascent), and the loss at the centre."""

    radius: float
    mean: float
    max: float
    center: float


def _loss(ev: Evaluator, flat: torch.Tensor) -> torch.Tensor:
    logits = functional_call(ev.model, (ev.layout.unflatten(flat), ev.buffers), (ev.X,))
    return losses.compute(ev.loss, logits, ev.y)


def _hvp(ev: Evaluator, theta: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """``v -> H v`` at ``theta``: the gradient's graph is built once and reused."""
    x = theta.detach().to(ev.device, ev.dtype).requires_grad_(True)
    with torch.enable_grad():
        (g,) = torch.autograd.grad(_loss(ev, x), x, create_graph=True)

    def hvp(v: torch.Tensor) -> torch.Tensor:
        with torch.enable_grad():
            (hv,) = torch.autograd.grad(g, x, grad_outputs=v, retain_graph=True)
        return hv.detach()

    return hvp


def _power(hvp, v: torch.Tensor, iters: int, tol: float) -> tuple[float, int, bool]:
    lam_prev = None
    for k in range(1, iters + 1):
        w = hvp(v)
        lam = float(torch.dot(v, w))  # Rayleigh quotient of the unit vector v
        norm = float(w.norm())
        if norm == 0.0 or not torch.isfinite(w).all():
            return lam, k, norm == 0.0
        v = w / norm
        if lam_prev is not None and abs(lam - lam_prev) <= tol * max(abs(lam), 1e-12):
            return lam, k, True
        lam_prev = lam
    return lam, iters, False


def top_eigenvalue(
    ev: Evaluator, theta: torch.Tensor, iters: int = 100, tol: float = 1e-4, seed: int = 0
) -> Eigen:
    """The largest eigenvalue of the loss's Hessian at the flat weights ``theta``."""
    if not 1 <= iters <= MAX_ITERS:
        raise ValueError(
            _("Invalid iters: {iters} (must be 1..{max_iters})").format(
                iters=iters, max_iters=MAX_ITERS
            )
        )
    if not 0 < tol < 1:
        raise ValueError(_("Invalid tol: {tol} (must be in (0, 1))").format(tol=tol))
    hvp = _hvp(ev, theta)
    g = torch.Generator(device="cpu").manual_seed(int(seed))
    v0 = torch.randn(ev.layout.size, generator=g, dtype=torch.float64)
    v0 = (v0 / v0.norm()).to(ev.device, ev.dtype)
    lam, k, ok = _power(hvp, v0, iters, tol)
    if lam < 0:  # the dominant eigenvalue is negative: the largest is lam + top of (H - lam I)
        mu, k2, ok = _power(lambda u: hvp(u) - lam * u, v0, iters, tol)
        lam, k = mu + lam, k + k2
    return Eigen(lam, k, ok)


def ball_rise(
    ev: Evaluator,
    theta: torch.Tensor,
    radius: float = 0.05,
    samples: int = 64,
    ascent: int = 10,
    seed: int = 0,
) -> BallRise:
    """The loss rise within the ball of radius ``radius * ||theta||`` around ``theta``."""
    if not 0 < radius <= 1:
        raise ValueError(
            _("Invalid radius: {radius} (a share of the weights' norm, in (0, 1])").format(
                radius=radius
            )
        )
    if not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(
            _("Invalid samples: {samples} (must be 1..{max_samples})").format(
                samples=samples, max_samples=MAX_SAMPLES
            )
        )
    if not 0 <= ascent <= MAX_ASCENT:
        raise ValueError(
            _("Invalid ascent: {ascent} (must be 0..{max_ascent})").format(
                ascent=ascent, max_ascent=MAX_ASCENT
            )
        )
    theta = theta.detach().to(ev.device, ev.dtype)
    r = radius * float(theta.norm())
    g = torch.Generator(device="cpu").manual_seed(int(seed))
    # One direction at a time, drawn in float64 and kept in the evaluator's dtype, and the
    # sphere's points evaluated a few at a time: at 491k weights the (samples, P) float64 draw
    # and its copies held 300 MB at once.
    u = torch.empty(samples, ev.layout.size, device=ev.device, dtype=ev.dtype)
    for i in range(samples):
        row = torch.randn(ev.layout.size, generator=g, dtype=torch.float64)
        u[i] = (row / row.norm()).to(ev.device, ev.dtype)
    center = ev.at(theta)
    sampled = np.concatenate(
        [ev(theta + r * u[at : at + ev.chunk])[0] for at in range(0, samples, ev.chunk)]
    )
    best = int(sampled.argmax())
    worst = float(sampled[best])
    delta = r * u[best]
    for _step in range(ascent):  # projected gradient ascent on the sphere of radius r
        x = (theta + delta).requires_grad_(True)
        with torch.enable_grad():
            value = _loss(ev, x)
            (grad,) = torch.autograd.grad(value, x)
        worst = max(worst, float(value.detach()))
        gn = float(grad.norm())
        if gn == 0.0 or not torch.isfinite(grad).all():
            break
        step = delta + r * grad / gn
        delta = r * step / step.norm().clamp_min(1e-30)
    worst = max(worst, ev.at(theta + delta))
    return BallRise(r, float(sampled.mean()) - center, worst - center, center)


def roughness(loss: np.ndarray, tol: float = 1e-6) -> float:
    """How often the curvature flips along the grid's lines: the share of neighbouring second
    differences :math:`\\Delta^2 L` (along rows and along columns) that have opposite signs.

    A convex or smoothly curved surface scores near 0, a chaotic one up to 1. Second differences
    below ``tol`` times the largest loss count as zero (no sign), so rounding noise on a flat
    plateau does not count as roughness.
    """
    z = np.asarray(loss, dtype=np.float64)
    if z.ndim != 2 or min(z.shape) < 4 or not np.isfinite(z).all():
        raise ValueError(
            _("Invalid grid: shape {shape} (need a finite grid of 4x4 or more)").format(
                shape=z.shape
            )
        )
    floor = tol * float(np.abs(z).max())
    flips = []
    for lines in (z, z.T):
        d2 = np.diff(lines, 2, axis=1)
        s = np.where(np.abs(d2) > floor, np.sign(d2), 0.0)
        flips.append((s[:, 1:] * s[:, :-1] < 0).ravel())
    return float(np.concatenate(flips).mean())
