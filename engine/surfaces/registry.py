"""The registry of 2D loss surfaces, the reader of custom ones, and a grid for contour plots.

>>> s = get("rosenbrock")
>>> s.f(torch.tensor([1.0, 1.0], dtype=torch.float64))        # f at its minimiser
tensor(0., dtype=torch.float64)

Built-in surfaces live in ``engine.surfaces.catalog`` with their published minima. A custom
surface from ``parse`` has *estimated* minima: the lowest point of a 201 x 201 grid, refined by
L-BFGS in float64. If that lowest point sits on the edge of the region (the surface keeps falling
outside it) or the surface reaches -inf, there is no minimiser to report: ``minima == ()`` and
``min_value == -inf``, as for the built-in ``saddle``.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from engine.core.checks import check_int
from engine.core.device import resolve
from engine.core.i18n import _
from engine.expressions.parser import ExpressionError, compile_expression
from engine.surfaces.catalog import CATALOG, Bounds, Point, Surface
from engine.surfaces.domain import undefined_parts

__all__ = ["ExpressionError", "Surface", "get", "grid", "names", "parse"]

MAX_GRID = 400
_ESTIMATE_GRID = 201
_REGISTRY = {s.name: s for s in CATALOG}


def names() -> list[str]:
    """The registry keys of the built-in surfaces, in display order."""
    return list(_REGISTRY)


def get(name: str) -> Surface:
    """The built-in surface called ``name``; an unknown name raises ValueError listing them."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(
            _("Unknown surface {name!r}: choose one of {choices}").format(
                name=name, choices=", ".join(_REGISTRY)
            )
        ) from None


def _check_bounds(bounds: Bounds) -> Bounds:
    try:
        (x0, x1), (y0, y1) = ((float(a), float(b)) for a, b in bounds)
    except (TypeError, ValueError):
        raise ValueError(_("Invalid bounds: {bounds!r}").format(bounds=bounds)) from None
    if not all(map(math.isfinite, (x0, x1, y0, y1))) or x0 >= x1 or y0 >= y1:
        raise ValueError(_("Invalid bounds: {bounds!r}").format(bounds=bounds))
    return (x0, x1), (y0, y1)


def _evaluate(
    surface_f, bounds: Bounds, n: int, device: torch.device, dtype: torch.dtype
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Axes xs, ys (n,) and values Z (n, n) with Z[i, j] = f(xs[j], ys[i]): rows follow y."""
    (x0, x1), (y0, y1) = bounds
    # k/(n-1) in float64, so the centre of a symmetric region is exactly 0 (linspace is not).
    t = torch.arange(n, device=device, dtype=torch.float64) / (n - 1)
    xs, ys = (a + (b - a) * t for a, b in ((x0, x1), (y0, y1)))
    xs[-1], ys[-1] = x1, y1
    xs, ys = xs.to(dtype), ys.to(dtype)
    X, Y = torch.meshgrid(xs, ys, indexing="xy")
    with torch.no_grad():
        Z = surface_f(torch.stack((X, Y), dim=-1))
    return xs, ys, Z


def grid(
    surface: Surface, n: int, device: str | torch.device | None = None, dtype=torch.float64
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Contour data over ``surface.bounds``: numpy ``xs`` (n,), ``ys`` (n,) and ``Z`` (n, n).

    ``Z[i, j] = f(xs[j], ys[i])`` (rows follow y, as plotly's ``go.Contour(x=xs, y=ys, z=Z)``
    expects). Every value is finite: nan and +inf become the largest finite value, -inf the
    smallest, and a surface with no finite value at all gives zeros.
    """
    check_int("grid size", n, 2, MAX_GRID)
    xs, ys, Z = _evaluate(surface.f, surface.bounds, n, resolve(device), dtype)
    finite = torch.isfinite(Z)
    if not finite.all():
        if finite.any():
            high, low = Z[finite].max(), Z[finite].min()
            Z = torch.where(finite, Z, torch.where(torch.isneginf(Z), low, high))
        else:
            Z = torch.zeros_like(Z)
    return xs.cpu().numpy(), ys.cpu().numpy(), Z.cpu().numpy()


def _refine(f, point: torch.Tensor, bounds: Bounds) -> tuple[torch.Tensor, float]:
    """Polish a grid point with L-BFGS; keep the grid point if the polish goes astray."""
    start_value = f(point).item()
    p = point.clone().requires_grad_(True)
    opt = torch.optim.LBFGS(
        [p], lr=1, max_iter=60, tolerance_grad=1e-10, tolerance_change=1e-14,
        line_search_fn="strong_wolfe",
    )  # fmt: skip

    def closure():
        opt.zero_grad()
        value = f(p)
        value.backward()
        return value

    try:
        opt.step(closure)
    except RuntimeError:  # e.g. a nan gradient in the line search
        return point, start_value
    p = p.detach()
    value = f(p).item()
    (x0, x1), (y0, y1) = bounds
    inside = x0 <= p[0].item() <= x1 and y0 <= p[1].item() <= y1
    if inside and math.isfinite(value) and value <= start_value:
        return p, value
    return point, start_value


def _usable(f, point: Point) -> bool:
    """f and its gradient are finite at ``point``: an optimizer can start there."""
    p = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    value = f(p)
    (grad,) = torch.autograd.grad(value, p, allow_unused=True)
    return bool(torch.isfinite(value)) and (grad is None or bool(torch.isfinite(grad).all()))


def _start(f, anchor: Point, bounds: Bounds, xs, ys, finite: torch.Tensor) -> Point:
    """60% of the way from ``anchor`` to the farthest corner where f can be started from.

    Corners are tried farthest first (``log(x)`` has no value towards the left ones); if none
    works, the grid point nearest the first try where f is finite.
    """
    (x0, x1), (y0, y1) = bounds
    corners = sorted(
        ((cx, cy) for cx in (x0, x1) for cy in (y0, y1)),
        key=lambda c: -math.hypot(c[0] - anchor[0], c[1] - anchor[1]),
    )
    ax, ay = anchor
    tries = [(ax + 0.6 * (cx - ax), ay + 0.6 * (cy - ay)) for cx, cy in corners]
    for point in tries:
        if _usable(f, point):
            return point
    X, Y = torch.meshgrid(xs, ys, indexing="xy")
    far = torch.where(finite, (X - tries[0][0]) ** 2 + (Y - tries[0][1]) ** 2, math.inf)
    k = int(far.argmin())
    return (X.flatten()[k].item(), Y.flatten()[k].item())


def parse(text: str, bounds: Bounds = ((-3.0, 3.0), (-3.0, 3.0))) -> Surface:
    """A ``custom`` surface from a formula in x and y; bad text raises ExpressionError.

    The minimum is an estimate (see the module docstring); the start lies 60% of the way from
    the minimum (or the centre) to the farthest corner of the region where f and its slope are
    finite.
    """
    expr = compile_expression(text, ("x", "y"))
    bounds = _check_bounds(bounds)

    def f(p: torch.Tensor) -> torch.Tensor:
        return expr(p[..., 0], p[..., 1])

    cpu, f64 = torch.device("cpu"), torch.float64
    xs, ys, Z = _evaluate(f, bounds, _ESTIMATE_GRID, cpu, f64)
    finite = torch.isfinite(Z)
    if not finite.any():
        parts = undefined_parts(
            text, ("x", "y"), (xs[None, :].expand(Z.shape), ys[:, None].expand(Z.shape))
        )
        why = "; ".join(dict.fromkeys(p.sentence for p in parts if p.kind != "slope"))
        raise ExpressionError(
            f"'{text.strip()}' has no finite value anywhere in x in {bounds[0]}, "
            f"y in {bounds[1]}" + (f": {why}" if why else "")
        )
    lowest = torch.where(finite, Z, math.inf).argmin()
    i, j = divmod(lowest.item(), _ESTIMATE_GRID)
    on_edge = i in (0, _ESTIMATE_GRID - 1) or j in (0, _ESTIMATE_GRID - 1)
    minima: tuple[Point, ...] = ()
    min_value = -math.inf
    if not on_edge and not torch.isneginf(Z).any():
        point, min_value = _refine(f, torch.stack((xs[j], ys[i])), bounds)
        minima = ((point[0].item(), point[1].item()),)
    (x0, x1), (y0, y1) = bounds
    anchor = minima[0] if minima else ((x0 + x1) / 2, (y0 + y1) / 2)
    start = _start(f, anchor, bounds, xs, ys, finite)
    values = Z[finite]
    return Surface(
        name="custom",
        title=f"Custom: {text.strip()}",
        latex=expr.latex,
        f=f,
        bounds=bounds,
        minima=minima,
        min_value=min_value,
        start=start,
        log_scale=(values.max() - values.min()).item() > 1e3,
        description="Your own surface; its minimum is estimated numerically on a grid.",
        formula=text.strip(),
    )
