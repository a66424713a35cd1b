"""Curves and properties of an activation, measured with torch.autograd rather than typed in.

At a kink autograd returns torch's one-sided choice (relu'(0) = 0), and that is what we report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

import torch
from torch import Tensor

from engine.core.checks import check_int
from engine.core.device import resolve
from engine.core.i18n import _

if TYPE_CHECKING:
    from engine.activations.catalog import Activation

FLAT = 1e-3  # |f'| below this counts as dead or saturated
FAR = (1e3, 1e4)  # probes for the asymptotics
MAX_POINTS = 100_001
REFINE = 8  # sub-steps per grid step for the smoothness test


def _fn(act: Activation | Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    return act if callable(act) and not hasattr(act, "fn") else act.fn


def first_derivative(act: Activation | Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """f'(x) by autograd, elementwise (f must be elementwise)."""
    with torch.enable_grad():
        xg = x.detach().clone().requires_grad_(True)
        y = _fn(act)(xg)
        (df,) = torch.autograd.grad(y.sum(), xg, allow_unused=True)
    return torch.zeros_like(x) if df is None else df.detach()


def curves(
    act: Activation | Callable[[Tensor], Tensor], x: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    """(f(x), f'(x), f''(x)) by autograd; the second derivative through ``create_graph``."""
    with torch.enable_grad():
        xg = x.detach().clone().requires_grad_(True)
        y = _fn(act)(xg)
        (df,) = torch.autograd.grad(y.sum(), xg, create_graph=True, allow_unused=True)
        if df is None:  # f does not depend on x
            return y.detach(), torch.zeros_like(x), torch.zeros_like(x)
        d2f = None
        if df.requires_grad:  # piecewise-linear pieces give a constant df with no graph
            try:
                (d2f,) = torch.autograd.grad(df.sum(), xg, allow_unused=True)
            except RuntimeError:  # e.g. hardsigmoid_backward has no derivative in torch
                d2f = _central_difference(act, x)
    d2f = torch.zeros_like(x) if d2f is None else d2f
    return y.detach(), df.detach(), d2f.detach()


def _central_difference(act: Activation | Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """f''(x) as a central difference of autograd's f', for ops torch cannot differentiate twice."""
    step = torch.finfo(x.dtype).eps ** (1 / 3) * (1 + x.detach().abs())
    return (first_derivative(act, x + step) - first_derivative(act, x - step)) / (2 * step)


class Properties(NamedTuple):
    """What a learner should know about an activation, measured on a grid and far out."""

    out_min: float  # -inf when unbounded below
    out_max: float  # +inf when unbounded above
    bounded_below: bool
    bounded_above: bool
    zero_centred: bool  # f(0) = 0 and f takes both signs
    monotonic: bool  # f' never changes sign on [lo, hi]
    smooth: bool  # f and f' continuous on [lo, hi] (C¹)
    saturates_left: bool  # f' -> 0 as x -> -inf
    saturates_right: bool  # f' -> 0 as x -> +inf
    max_abs_derivative: float
    argmax_abs_derivative: float  # the first x where |f'| is largest
    derivative_at_zero: float
    dead_share: float  # share of [lo, hi] where |f'| < 1e-3

    @property
    def saturating(self) -> str:
        """'both', 'left', 'right' or 'none'."""
        sides = {(True, True): "both", (True, False): "left", (False, True): "right"}
        return sides.get((self.saturates_left, self.saturates_right), "none")


def properties(
    act: Activation | Callable[[Tensor], Tensor],
    lo: float = -10.0,
    hi: float = 10.0,
    n: int = 4001,
    tol: float = 1e-6,
    device: str | torch.device | None = None,
) -> Properties:
    """Measure ``act`` on ``n`` points of [lo, hi] (float64) and at ±1e2..1e4 for asymptotics."""
    if not lo < hi:
        raise ValueError(
            _("Invalid range: lo = {lo}, hi = {hi} (need lo < hi)").format(lo=lo, hi=hi)
        )
    check_int("n", n, 3, MAX_POINTS)
    dev = resolve(device)
    # One fine grid: every REFINE-th point is the n-point grid the statistics are read on, and
    # the sub-steps in between tell a kink (one sub-step holds the whole jump) from a slope.
    steps = (n - 1) * REFINE
    # lo + (hi - lo) * i / steps rather than linspace, so the midpoint of [-a, a] is exactly 0.
    fine = lo + (hi - lo) * (torch.arange(steps + 1, dtype=torch.float64, device=dev) / steps)
    f_fine = _fn(act)(fine).detach()
    df_fine = first_derivative(act, fine)
    x, f, df = fine[::REFINE], f_fine[::REFINE], df_fine[::REFINE]
    finite = torch.isfinite(f) & torch.isfinite(df)
    smooth = bool(torch.isfinite(f_fine).all() and torch.isfinite(df_fine).all())
    smooth = smooth and _no_jump(f_fine, tol) and _no_jump(df_fine, tol)

    far = torch.logspace(2, 4, 21, dtype=torch.float64, device=dev)
    f_left, f_right = _fn(act)(-far).detach(), _fn(act)(far).detach()
    low_bounded = _bounded(-torch.stack([f_left, f_right]))
    high_bounded = _bounded(torch.stack([f_left, f_right]))
    seen = torch.cat([f[finite], f_left[torch.isfinite(f_left)], f_right[torch.isfinite(f_right)]])

    slope_far = torch.logspace(3, 4, 16, dtype=torch.float64, device=dev)
    left = first_derivative(act, -slope_far).abs()
    right = first_derivative(act, slope_far).abs()

    dfa = df.abs().masked_fill(~finite, 0.0)
    zero = torch.zeros(1, dtype=torch.float64, device=dev)
    f0, df0 = _fn(act)(zero).detach(), first_derivative(act, zero)
    fmin, fmax = (f[finite].min().item(), f[finite].max().item()) if finite.any() else (0.0, 0.0)
    i = int(dfa.argmax())
    return Properties(
        out_min=seen.min().item() if low_bounded and seen.numel() else float("-inf"),
        out_max=seen.max().item() if high_bounded and seen.numel() else float("inf"),
        bounded_below=low_bounded,
        bounded_above=high_bounded,
        zero_centred=abs(f0.item()) <= tol and fmin < -tol and fmax > tol,
        monotonic=bool((df[finite] >= -tol).all() or (df[finite] <= tol).all()),
        smooth=smooth,
        saturates_left=bool((left < FLAT).all()),
        saturates_right=bool((right < FLAT).all()),
        max_abs_derivative=dfa[i].item(),
        argmax_abs_derivative=x[i].item() + 0.0,  # no -0.0
        derivative_at_zero=df0.item() + 0.0,
        dead_share=(dfa[finite] < FLAT).sum().item() / n,
    )


def _bounded(values: Tensor) -> bool:
    """Bounded above, judged from f at x = ±1e2..1e4 (rows: x < 0, x > 0): no upward growth."""
    if not torch.isfinite(values).all():
        return False
    near = values[:, 10].max().item()  # |x| = 1e3
    far = values[:, -1].max().item()  # |x| = 1e4
    # A bounded f has settled by 1e3; even log-growth adds ln 10 from 1e3 to 1e4.
    return far - near <= 1e-2 * max(1.0, abs(near))


def _no_jump(values: Tensor, tol: float) -> bool:
    """No jump on the grid: within each coarse step, no single sub-step holds most of the change.

    A continuous g spreads its change over the REFINE sub-steps (max ≈ total / REFINE, or at most
    about half when g turns inside the step); a jump puts it all in one sub-step (max ≈ total).
    """
    steps = (values[1:] - values[:-1]).abs().view(-1, REFINE)
    return bool((steps.max(dim=1).values <= 0.5 * steps.sum(dim=1) + tol).all())
