"""The activation functions: each formula in LaTeX right above the torch code that runs it.

Every entry is a builder ``(**params) -> Activation``. ``fn`` uses ``torch.nn.functional`` where
torch has the function, so curves drawn on the page and networks trained by the engine run the
same code. ``derivative`` is written by hand from ``derivative_latex``; the tests check it against
``torch.autograd`` away from kinks (at a kink autograd's one-sided choice is what torch uses).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

# Klambauer et al. (2017), "Self-Normalizing Neural Networks"; the same digits as torch's SELU.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
GELU_TANH_C = 0.044715  # Hendrycks & Gimpel's cubic coefficient in the tanh approximation


class ParamSpec(NamedTuple):
    """One parameter: its slider's default and range, and a line of help."""

    name: str
    default: Any
    low: float
    high: float
    help: str


@dataclass(frozen=True)
class Activation:
    """An elementwise activation ``fn`` with its formula, hand-written derivative and a module."""

    name: str
    title: str
    params: dict[str, Any]
    fn: Callable[[Tensor], Tensor] = field(compare=False, repr=False)
    latex: str = field(compare=False, repr=False)
    derivative_latex: str = field(compare=False, repr=False)
    derivative: Callable[[Tensor], Tensor] = field(compare=False, repr=False)
    param_specs: tuple[ParamSpec, ...] = field(compare=False, repr=False)
    description: str = field(compare=False, repr=False)
    make_module: Callable[[], nn.Module] = field(compare=False, repr=False)
    # RReLU only: ``band(x) -> (low, high)``, the elementwise envelope of its random slopes.
    band: Callable[[Tensor], tuple[Tensor, Tensor]] | None = field(
        default=None, compare=False, repr=False
    )

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items()))))

    def module(self) -> nn.Module:
        """A fresh ``torch.nn.Module`` applying this activation (learnable for PReLU, Maxout)."""
        return self.make_module()


class Elementwise(nn.Module):
    """Wraps an elementwise function with no parameters as a module."""

    def __init__(self, fn: Callable[[Tensor], Tensor], name: str):
        super().__init__()
        self.fn, self.name = fn, name

    def forward(self, x: Tensor) -> Tensor:
        return self.fn(x)

    def extra_repr(self) -> str:
        return self.name


class Maxout(nn.Module):
    r"""Elementwise maxout :math:`\max_i(a_i x + b_i)` with learnable pieces (one set per layer)."""

    def __init__(self, slopes: tuple[float, ...], intercepts: tuple[float, ...]):
        super().__init__()
        self.slopes = nn.Parameter(torch.tensor(slopes))
        self.intercepts = nn.Parameter(torch.tensor(intercepts))

    def forward(self, x: Tensor) -> Tensor:
        return (x.unsqueeze(-1) * self.slopes + self.intercepts).max(dim=-1).values


def _number(name: str, value: Any) -> float:
    """``value`` as a finite float, or ValueError showing it."""
    if isinstance(value, bool):
        raise ValueError(f"Invalid {name}: {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid {name}: {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"Invalid {name}: {value!r}")
    return number


def _step(x: Tensor) -> Tensor:
    """1 where x > 0, else 0 (torch's choice at 0 for relu)."""
    return (x > 0).to(x.dtype)


def _leaky(slope: float) -> dict[str, Any]:
    return dict(
        fn=lambda x: F.leaky_relu(x, slope),
        derivative=lambda x: torch.where(x > 0, torch.ones_like(x), torch.full_like(x, slope)),
    )


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
    slope = _number("slope", slope)
    return dict(
        latex=r"f(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases}",
        derivative_latex=r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
        module=lambda: nn.LeakyReLU(slope),
        **_leaky(slope),
    )


def prelu(slope: float = 0.25) -> dict[str, Any]:
    slope = _number("slope", slope)
    return dict(
        latex=r"f(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases}\quad(a \text{ learned})",
        derivative_latex=r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
        module=lambda: nn.PReLU(num_parameters=1, init=slope),
        **_leaky(slope),
    )


def rrelu(lower: float = 1 / 8, upper: float = 1 / 3) -> dict[str, Any]:
    lower, upper = _number("lower", lower), _number("upper", upper)
    if not 0.0 <= lower < 1.0:
        raise ValueError(f"Invalid lower: {lower} (must lie in [0, 1))")
    if not 0.0 <= upper < 1.0:
        raise ValueError(f"Invalid upper: {upper} (must lie in [0, 1))")
    if lower > upper:
        raise ValueError(f"Invalid lower: {lower} (must not exceed upper = {upper})")

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
    alpha = _number("alpha", alpha)  # torch accepts any alpha, negative too
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
    alpha = _number("alpha", alpha)
    if alpha == 0.0:
        raise ValueError(f"Invalid alpha: {alpha} (CELU divides by alpha)")
    return dict(
        latex=r"f(x) = \max(0, x) + \min\bigl(0, \alpha\,(e^{x/\alpha} - 1)\bigr)",
        derivative_latex=r"f'(x) = \begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}",
        fn=lambda x: F.celu(x, alpha),
        derivative=lambda x: torch.where(x > 0, torch.ones_like(x), torch.exp(x / alpha)),
        module=lambda: nn.CELU(alpha),
    )


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
    beta = _number("beta", beta)

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
    beta = _number("beta", beta)
    if beta <= 0.0:
        raise ValueError(f"Invalid beta: {beta} (must be > 0)")
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
