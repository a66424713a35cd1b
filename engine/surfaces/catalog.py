"""The built-in 2D loss surfaces, each with its published global minima.

Every ``f`` maps a ``(..., 2)`` tensor to ``(...)`` in the input's dtype and device, is
differentiable with torch.autograd, and writes the formula of its ``latex`` with the same symbols.
Minimisers are given to full float64 precision (Newton-refined from the published digits), so a
test can check both f(x*) = f* and a zero gradient there.

References: Surjanovic & Bingham, "Virtual Library of Simulation Experiments: Test Functions"
(sfu.ca/~ssurjano); Jamil & Yang (2013), "A literature survey of benchmark functions for global
optimisation problems"; Rosenbrock (1960); Himmelblau (1972).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import torch

from engine.core.i18n import N_
from engine.surfaces import gradients

Point = tuple[float, float]
Bounds = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class Surface:
    """A 2D loss surface f(x, y) with what a plot and a test need to know about it.

    ``min_value`` is the global minimum f*; a surface with no global minimum (``saddle``) has
    ``minima == ()`` and ``min_value == -inf``. ``formula`` is the text a person typed (custom
    surfaces only), so ``engine.surfaces.domain`` can say which part of it has no value where.
    ``value_and_grad`` is f and its gradient written out, sharing subexpressions
    (``engine.surfaces.gradients``: a trajectory step's cost); None: torch.autograd of f.
    """

    name: str
    title: str  # English, marked N_(): a page shows _(title)
    latex: str
    f: Callable[[torch.Tensor], torch.Tensor]
    bounds: Bounds
    minima: tuple[Point, ...]
    min_value: float
    start: Point
    log_scale: bool
    description: str
    formula: str = ""
    value_and_grad: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]] | None = None


def _xy(p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return p[..., 0], p[..., 1]


def bowl(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    return x**2 + y**2


def ill_conditioned(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    return 0.5 * (x**2 + 25 * y**2)


def rotated_ill_conditioned(p: torch.Tensor) -> torch.Tensor:
    # The same bowl turned by 45 degrees: u = (x + y)/sqrt(2), v = (x - y)/sqrt(2).
    x, y = _xy(p)
    return 0.25 * (x + y) ** 2 + 6.25 * (x - y) ** 2


def rosenbrock(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def beale(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def himmelblau(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def booth(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def matyas(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    return 0.26 * (x**2 + y**2) - 0.48 * x * y


def three_hump_camel(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    return 2 * x**2 - 1.05 * x**4 + x**6 / 6 + x * y + y**2


def six_hump_camel(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def rastrigin(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    return 20 + x**2 + y**2 - 10 * (torch.cos(2 * math.pi * x) + torch.cos(2 * math.pi * y))


def ackley(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    s = 0.5 * (x**2 + y**2)
    # sqrt has an infinite derivative at 0; the double `where` makes autograd return the
    # subgradient 0 at the tip of the cone instead of nan, and leaves every value unchanged.
    positive = s > 0
    r = torch.where(positive, torch.sqrt(torch.where(positive, s, torch.ones_like(s))), 0 * s)
    waves = 0.5 * (torch.cos(2 * math.pi * x) + torch.cos(2 * math.pi * y))
    return -20 * torch.exp(-0.2 * r) - torch.exp(waves) + math.e + 20


def goldstein_price(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    a = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)
    b = 30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2)
    return a * b


def styblinski_tang(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    return 0.5 * (x**4 - 16 * x**2 + 5 * x + y**4 - 16 * y**2 + 5 * y)


def saddle(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    return x**2 - y**2


def plateau(p: torch.Tensor) -> torch.Tensor:
    x, y = _xy(p)
    q = (x - 1) ** 2 + (y - 1) ** 2
    # tanh saturates: away from the pit its gradient is ~1e-14. The gentle cone (slope -> 0.01)
    # keeps a faint downhill signal, so adaptive steps can find the way while SGD crawls.
    return torch.tanh(q) + 0.01 * (torch.sqrt(1 + q) - 1)


_SQUARE3: Bounds = ((-3.0, 3.0), (-3.0, 3.0))
_STYBLINSKI = -2.903534027771177  # root of 4x^3 - 32x + 5 = 0

# fmt: off
CATALOG: tuple[Surface, ...] = (
    Surface("bowl", N_("Round bowl"), r"x^2 + y^2", bowl, _SQUARE3, ((0.0, 0.0),), 0.0,
            (-2.5, 2.0), False,
            "A perfectly round bowl: every method heads straight downhill to the centre."),
    Surface("ill_conditioned", N_("Ill-conditioned bowl"), r"\tfrac{1}{2}\left(x^2 + 25 y^2\right)",
            ill_conditioned, _SQUARE3, ((0.0, 0.0),), 0.0, (-2.5, 1.0), False,
            "A bowl 25 times steeper across than along: SGD zigzags, momentum smooths the path."),
    Surface("rotated_ill_conditioned", N_("Rotated ill-conditioned bowl"),
            r"\tfrac{1}{4}(x + y)^2 + \tfrac{25}{4}(x - y)^2", rotated_ill_conditioned,
            _SQUARE3, ((0.0, 0.0),), 0.0, (-2.5, -1.0), False,
            "The same narrow bowl turned 45 degrees: per-coordinate step sizes no longer help."),
    Surface("rosenbrock", N_("Rosenbrock"), r"(1 - x)^2 + 100\left(y - x^2\right)^2", rosenbrock,
            ((-2.0, 2.0), (-1.0, 3.0)), ((1.0, 1.0),), 0.0, (-1.5, 2.0), True,
            "A long curved valley: easy to find, hard to follow to the minimum."),
    Surface("beale", N_("Beale"),
            r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2", beale,
            ((-4.5, 4.5), (-4.5, 4.5)), ((3.0, 0.5),), 0.0, (1.0, 1.5), True,
            "Flat shelves and sharp walls: the gradient's size changes by orders of magnitude."),
    Surface("himmelblau", N_("Himmelblau"), r"\left(x^2 + y - 11\right)^2 + \left(x + y^2 - 7\right)^2",
            himmelblau, ((-5.0, 5.0), (-5.0, 5.0)),
            ((3.0, 2.0), (-2.805118086952745, 3.131312518250573),
             (-3.779310253377747, -3.2831859912861696), (3.5844283403304917, -1.8481265269644034)),
            0.0, (-0.5, -0.5), False,
            "Four equally good minima: which one you reach depends on where you start."),
    Surface("booth", N_("Booth"), r"(x + 2y - 7)^2 + (2x + y - 5)^2", booth,
            ((-10.0, 10.0), (-10.0, 10.0)), ((1.0, 3.0),), 0.0, (-8.0, -6.0), False,
            "A tilted quadratic bowl: steady progress along a diagonal valley."),
    Surface("matyas", N_("Matyas"), r"0.26\left(x^2 + y^2\right) - 0.48\,xy", matyas,
            ((-10.0, 10.0), (-10.0, 10.0)), ((0.0, 0.0),), 0.0, (-8.0, -4.0), False,
            "A flat diagonal valley: the last stretch to the minimum is slow for plain SGD."),
    Surface("three_hump_camel", N_("Three-hump camel"),
            r"2x^2 - 1.05x^4 + \tfrac{1}{6}x^6 + xy + y^2", three_hump_camel,
            ((-2.5, 2.5), (-2.5, 2.5)), ((0.0, 0.0),), 0.0, (2.2, -2.0), False,
            "One global and two local minima: a start on the side can get stuck in a hump."),
    Surface("six_hump_camel", N_("Six-hump camel"),
            r"\left(4 - 2.1x^2 + \tfrac{1}{3}x^4\right)x^2 + xy + \left(-4 + 4y^2\right)y^2",
            six_hump_camel, ((-2.0, 2.0), (-1.0, 1.0)),
            ((0.08984201310031806, -0.7126564030207396),
             (-0.08984201310031806, 0.7126564030207396)),
            -1.0316284534898774, (-1.5, -0.8), False,
            "Two global minima among six valleys: local minima catch many starts."),
    Surface("rastrigin", N_("Rastrigin"),
            r"20 + x^2 + y^2 - 10\left(\cos 2\pi x + \cos 2\pi y\right)", rastrigin,
            ((-5.12, 5.12), (-5.12, 5.12)), ((0.0, 0.0),), 0.0, (-3.3, 2.6), False,
            "An egg box of local minima on a bowl: gradient steps stop in the nearest dimple."),
    Surface("ackley", N_("Ackley"),
            r"-20 e^{-0.2\sqrt{\frac{1}{2}(x^2 + y^2)}} - e^{\frac{1}{2}(\cos 2\pi x + \cos 2\pi y)}"
            r" + e + 20", ackley, ((-5.0, 5.0), (-5.0, 5.0)), ((0.0, 0.0),), 0.0, (-4.0, 3.0),
            False,
            "A nearly flat, bumpy plain around one deep hole: only momentum may roll over bumps."),
    Surface("goldstein_price", N_("Goldstein-Price"),
            r"\left[1 + (x + y + 1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\right]"
            r"\left[30 + (2x - 3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\right]",
            goldstein_price, ((-2.0, 2.0), (-2.0, 2.0)), ((0.0, -1.0),), 3.0, (-1.5, 1.5), True,
            "Values span six orders of magnitude: a fixed learning rate is too big or too small."),
    Surface("styblinski_tang", N_("Styblinski-Tang"),
            r"\tfrac{1}{2}\left(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y\right)", styblinski_tang,
            ((-5.0, 5.0), (-5.0, 5.0)), ((_STYBLINSKI, _STYBLINSKI),), -78.33233140754282,
            (4.5, 3.5), False,
            "Four basins of different depths: the nearest minimum is not the deepest."),
    Surface("saddle", N_("Saddle"), r"x^2 - y^2", saddle, ((-2.0, 2.0), (-2.0, 2.0)), (),
            -math.inf, (-1.8, 0.05), False,
            "A saddle point has zero gradient but is no minimum: see who escapes and how fast."),
    Surface("plateau", N_("Plateau with a cliff"),
            r"\tanh\left(q\right) + 0.01\left(\sqrt{1 + q} - 1\right),\ "
            r"q = (x - 1)^2 + (y - 1)^2", plateau, _SQUARE3, ((1.0, 1.0),), 0.0, (-2.0, -2.0),
            False,
            "A flat plateau where gradients almost vanish, around a steep pit: SGD crawls."),
)
# fmt: on

# Every built-in surface has its gradient written out, found by name: one cannot be forgotten.
CATALOG = tuple(
    replace(s, value_and_grad=getattr(gradients, f"{s.name}_value_and_grad")) for s in CATALOG
)
