"""Each built-in surface's value and gradient written out, sharing their subexpressions.

A trajectory step evaluates f and its gradient on a few numbers, where every torch operation
costs a few microseconds whatever its size: autograd's forward graph and backward pass take
about twice the operations of the formula worked out by hand. Each ``<name>_value_and_grad(p)``
returns ``(f(p), grad f(p))``, shaped ``(...)`` and ``(..., 2)`` in p's dtype and device, with the
symbols of its surface's ``f`` in ``engine.surfaces.catalog``. The value takes f's operations in
f's order (in float64 it equals f's bit for bit on the machines measured; tests/engine/surfaces
hold it to 1e-13 and the gradient to torch.autograd's). Call them under ``torch.no_grad()``: they
are not meant to be differentiated again.
"""

from __future__ import annotations

import functools
import math

import torch
from torch import Tensor

Grad = tuple[Tensor, Tensor]
_TWO_PI = 2 * math.pi  # the constant f multiplies by, so cos(2 pi x) rounds as in f


def bowl_value_and_grad(p: Tensor) -> Grad:
    # f = x^2 + y^2; df/dx = 2x, df/dy = 2y
    x, y = p.unbind(-1)
    return x * x + y * y, 2 * p


def ill_conditioned_value_and_grad(p: Tensor) -> Grad:
    # f = (x^2 + 25 y^2) / 2; df/dx = x, df/dy = 25y
    x, y = p.unbind(-1)
    return 0.5 * (x * x + 25 * (y * y)), torch.stack((x, 25 * y), -1)


def rotated_ill_conditioned_value_and_grad(p: Tensor) -> Grad:
    # f = u^2/4 + 25 v^2/4, u = x + y, v = x - y; df/dx = u/2 + 25v/2, df/dy = u/2 - 25v/2
    x, y = p.unbind(-1)
    u, v = x + y, x - y
    a, b = 0.5 * u, 12.5 * v
    return 0.25 * (u * u) + 6.25 * (v * v), torch.stack((a + b, a - b), -1)


def rosenbrock_value_and_grad(p: Tensor) -> Grad:
    # f = a^2 + 100 b^2, a = 1 - x, b = y - x^2; df/dx = -2a - 400xb, df/dy = 200b
    x, y = p.unbind(-1)
    a, b = 1 - x, y - x * x
    c = 200 * b
    return a * a + 100 * (b * b), torch.stack((-2 * (a + x * c), c), -1)


@functools.cache
def _beale_constants(dtype: torch.dtype, device: torch.device) -> tuple[Tensor, Tensor]:
    """Beale's c_i and i, made once per dtype and device (not a host-to-device copy per step)."""
    return (
        torch.tensor((1.5, 2.25, 2.625), dtype=dtype, device=device),
        torch.tensor((1.0, 2.0, 3.0), dtype=dtype, device=device),
    )


def beale_value_and_grad(p: Tensor) -> Grad:
    # f = t1^2 + t2^2 + t3^2, t_i = c_i - x + x y^i (c = 1.5, 2.25, 2.625);
    # df/dx = 2 sum_i t_i (y^i - 1), df/dy = 2x sum_i i t_i y^(i-1).
    # The three terms side by side on a last axis: two thirds of the operations of one by one.
    c, i = _beale_constants(p.dtype, p.device)
    x, y = p.unbind(-1)
    powers = torch.stack((torch.ones_like(y), y, y, y), -1).cumprod(-1)  # 1, y, y^2, y^3
    y_i, y_i1 = powers[..., 1:], powers[..., :3]  # y^i and y^(i-1)
    x1 = x.unsqueeze(-1)
    t = c - x1 + x1 * y_i
    dx = 2 * (t * (y_i - 1)).sum(-1)
    dy = 2 * x * (t * i * y_i1).sum(-1)
    return (t * t).sum(-1), torch.stack((dx, dy), -1)


def himmelblau_value_and_grad(p: Tensor) -> Grad:
    # f = a^2 + b^2, a = x^2 + y - 11, b = x + y^2 - 7; df/dx = 4xa + 2b, df/dy = 2a + 4yb
    x, y = p.unbind(-1)
    a = x * x + y - 11
    b = x + y * y - 7
    a2, b2 = 2 * a, 2 * b
    return a * a + b * b, torch.stack((2 * x * a2 + b2, a2 + 2 * y * b2), -1)


def booth_value_and_grad(p: Tensor) -> Grad:
    # f = a^2 + b^2, a = x + 2y - 7, b = 2x + y - 5; df/dx = 2a + 4b, df/dy = 4a + 2b
    x, y = p.unbind(-1)
    a = x + 2 * y - 7
    b = 2 * x + y - 5
    return a * a + b * b, torch.stack((2 * (a + 2 * b), 2 * (2 * a + b)), -1)


def matyas_value_and_grad(p: Tensor) -> Grad:
    # f = 0.26 (x^2 + y^2) - 0.48 xy; df/dx = 0.52x - 0.48y, df/dy = 0.52y - 0.48x
    x, y = p.unbind(-1)
    return 0.26 * (x * x + y * y) - 0.48 * x * y, 0.52 * p - 0.48 * p.flip(-1)


def three_hump_camel_value_and_grad(p: Tensor) -> Grad:
    # f = 2x^2 - 1.05x^4 + x^6/6 + xy + y^2; df/dx = x(4 - 4.2x^2 + x^4) + y, df/dy = x + 2y
    x, y = p.unbind(-1)
    x2, x4 = x * x, x**4
    value = 2 * x2 - 1.05 * x4 + x**6 / 6 + x * y + y * y
    return value, torch.stack((x * (4 - 4.2 * x2 + x4) + y, x + 2 * y), -1)


def six_hump_camel_value_and_grad(p: Tensor) -> Grad:
    # f = (4 - 2.1x^2 + x^4/3) x^2 + xy + (-4 + 4y^2) y^2;
    # df/dx = x(8 - 8.4x^2 + 2x^4) + y, df/dy = x + y(16y^2 - 8)
    x, y = p.unbind(-1)
    x2, x4, y2 = x * x, x**4, y * y
    value = (4 - 2.1 * x2 + x4 / 3) * x2 + x * y + (-4 + 4 * y2) * y2
    return value, torch.stack((x * (8 - 8.4 * x2 + 2 * x4) + y, x + y * (16 * y2 - 8)), -1)


def rastrigin_value_and_grad(p: Tensor) -> Grad:
    # f = 20 + x^2 + y^2 - 10 (cos 2 pi x + cos 2 pi y); df/dx = 2x + 20 pi sin 2 pi x (same in y)
    x, y = p.unbind(-1)
    a = _TWO_PI * p
    c = torch.cos(a)
    value = 20 + x * x + y * y - 10 * c.sum(-1)
    return value, 2 * p + (20 * math.pi) * torch.sin(a)


def ackley_value_and_grad(p: Tensor) -> Grad:
    # f = -20 e^{-0.2 r} - e^w + e + 20, r = sqrt(s), s = (x^2 + y^2)/2, w = (cos 2 pi x + cos 2 pi y)/2;
    # df/dx = 2 e^{-0.2 r} x / r + pi e^w sin 2 pi x (same in y). At r = 0 the cone's part is the
    # subgradient 0, as autograd gives through f's double `where`.
    a = _TWO_PI * p
    s = 0.5 * (p * p).sum(-1)
    r = torch.sqrt(s)
    cone = torch.exp(-0.2 * r)
    waves = torch.exp(0.5 * torch.cos(a).sum(-1))
    value = -20 * cone - waves + math.e + 20
    k = torch.where(s > 0, 2 * cone / r, 0.0)
    return value, k.unsqueeze(-1) * p + (math.pi * waves).unsqueeze(-1) * torch.sin(a)


def goldstein_price_value_and_grad(p: Tensor) -> Grad:
    # f = a b, a = 1 + u^2 A, b = 30 + v^2 B, u = x + y + 1, v = 2x - 3y,
    # A = 19 - 14x + 3x^2 - 14y + 6xy + 3y^2, B = 18 - 32x + 12x^2 + 48y - 36xy + 27y^2;
    # da/dx = da/dy = 2uA + u^2 (6x + 6y - 14), db/dx = 4vB + v^2 (24x - 36y - 32),
    # db/dy = -6vB + v^2 (54y - 36x + 48); df/dx = b da/dx + a db/dx, df/dy = b da/dy + a db/dy
    x, y = p.unbind(-1)
    x2, y2 = x * x, y * y
    u = x + y + 1
    v = 2 * x - 3 * y
    u2, v2 = u * u, v * v
    # 6 * x * y and 36 * x * y as f rounds them, so the value is f's bit for bit
    A = 19 - 14 * x + 3 * x2 - 14 * y + 6 * x * y + 3 * y2
    B = 18 - 32 * x + 12 * x2 + 48 * y - 36 * x * y + 27 * y2
    a = 1 + u2 * A
    b = 30 + v2 * B
    da = 2 * u * A + u2 * (6 * (x + y) - 14)
    vB = v * B
    dbx = 4 * vB + v2 * (24 * x - 36 * y - 32)
    dby = v2 * (54 * y - 36 * x + 48) - 6 * vB
    bda = b * da
    return a * b, torch.stack((bda + a * dbx, bda + a * dby), -1)


def styblinski_tang_value_and_grad(p: Tensor) -> Grad:
    # f = (x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y) / 2; df/dx = 2x^3 - 16x + 2.5 (same in y)
    x, y = p.unbind(-1)
    p2 = p * p
    x2, y2 = p2.unbind(-1)
    value = 0.5 * (x**4 - 16 * x2 + 5 * x + y**4 - 16 * y2 + 5 * y)
    return value, p * (2 * p2 - 16) + 2.5


def saddle_value_and_grad(p: Tensor) -> Grad:
    # f = x^2 - y^2; df/dx = 2x, df/dy = -2y
    x, y = p.unbind(-1)
    return x * x - y * y, torch.stack((2 * x, -2 * y), -1)


def plateau_value_and_grad(p: Tensor) -> Grad:
    # f = tanh(q) + 0.01 (sqrt(1 + q) - 1), q = (x - 1)^2 + (y - 1)^2;
    # df/dq = 1 - tanh(q)^2 + 0.005 / sqrt(1 + q), df/dx = 2 (x - 1) df/dq (same in y)
    d = p - 1
    q = (d * d).sum(-1)
    t = torch.tanh(q)
    root = torch.sqrt(1 + q)
    dq = 1 - t * t + 0.005 / root
    return t + 0.01 * (root - 1), (2 * dq).unsqueeze(-1) * d
