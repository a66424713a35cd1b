"""Activation functions by name: ``names()``, ``get(name, **params)`` and ``from_expression(text)``.

The formulas and their torch code live by family in ``engine.activations.squashing``,
``rectifiers`` and ``smooth``; curves and properties measured with ``torch.autograd`` live in
``engine.activations.properties`` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import torch
from torch import Tensor

from engine.activations import rectifiers, smooth, squashing
from engine.activations.catalog import Activation, Elementwise, Maxout, ParamSpec
from engine.activations.properties import Properties, curves, first_derivative, properties
from engine.core.checks import check_int, check_number
from engine.core.i18n import N_, _
from engine.expressions.parser import compile_expression

__all__ = [
    "Activation",
    "ParamSpec",
    "Properties",
    "curves",
    "first_derivative",
    "from_expression",
    "get",
    "names",
    "properties",
]

MAX_PIECES = 8


class _Entry(NamedTuple):
    title: str
    build: Callable[..., dict[str, Any]]
    specs: tuple[ParamSpec, ...]
    description: str


def _maxout_defaults(k: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Tangents to x²/2 at k evenly spaced points in [-1, 1]: a convex, |x|-like default."""
    if k == 1:
        return (1.0,), (0.0,)
    points = [-1 + 2 * i / (k - 1) for i in range(k)]
    return tuple(points), tuple(-t * t / 2 for t in points)


def maxout(k: Any = None, slopes: Any = None, intercepts: Any = None) -> dict[str, Any]:
    r"""f(x) = \max_i (a_i x + b_i): the pieces' slopes a_i and intercepts b_i, k of each."""
    if k is None:
        k = 3 if slopes is None else len(_pieces("slopes", slopes, None))
    k = check_int("k", k, 1, MAX_PIECES)
    default_a, default_b = _maxout_defaults(k)
    a = _pieces("slopes", default_a if slopes is None else slopes, k)
    b = _pieces("intercepts", default_b if intercepts is None else intercepts, k)

    def scores(x: Tensor) -> Tensor:
        at = torch.tensor(a, dtype=x.dtype, device=x.device)
        bt = torch.tensor(b, dtype=x.dtype, device=x.device)
        return x.unsqueeze(-1) * at + bt

    def derivative(x: Tensor) -> Tensor:
        # The slope of the winning piece: the same index that autograd's max() routes through.
        at = torch.tensor(a, dtype=x.dtype, device=x.device)
        return at[scores(x).max(dim=-1).indices]

    return dict(
        params={"k": k, "slopes": a, "intercepts": b},
        latex=r"f(x) = \max_{1 \le i \le k}\,(a_i x + b_i)",
        derivative_latex=r"f'(x) = a_{i^*},\ i^* = \arg\max_i\,(a_i x + b_i)",
        fn=lambda x: scores(x).max(dim=-1).values,
        derivative=derivative,
        module=lambda: Maxout(a, b),
    )


def _pieces(name: str, values: Any, k: int | None) -> tuple[float, ...]:
    """``values`` as k finite floats (any number of them when k is None)."""
    try:
        items = tuple(values)
    except TypeError:
        raise ValueError(
            _("Invalid {name}: {values!r} (a sequence of numbers)").format(name=name, values=values)
        ) from None
    if k is not None and len(items) != k:
        raise ValueError(
            _("Invalid {name}: {values!r} (needs {k} numbers, one per piece)").format(
                name=name, values=values, k=k
            )
        )
    return tuple(check_number(name, v) for v in items)


def _spec(name: str, default: Any, low: float, high: float, help: str) -> ParamSpec:
    return ParamSpec(name, default, low, high, help)


_SLOPE = _spec("slope", 0.01, 0.0, 1.0, N_("slope a for x < 0"))
_CATALOG: dict[str, _Entry] = {
    "linear": _Entry(N_("Linear (identity)"), squashing.linear, (), N_("Passes its input through unchanged. A deep network of linear layers is still one linear map, so it cannot bend a decision boundary.")),
    "sigmoid": _Entry(N_("Sigmoid (logistic)"), squashing.sigmoid, (), N_("Squashes any input into (0, 1). Its slope is at most 0.25, so gradients shrink by at least 4x per layer: the classic vanishing-gradient culprit.")),
    "tanh": _Entry(N_("Tanh"), squashing.tanh, (), N_("A zero-centred sigmoid with outputs in (-1, 1) and slope 1 at the origin. It still saturates for large |x|, where the gradient vanishes.")),
    "hard_sigmoid": _Entry(N_("Hard sigmoid"), squashing.hard_sigmoid, (), N_("A piecewise-linear sigmoid, cheap to compute: slope 1/6 between -3 and 3, flat (dead) outside.")),
    "hard_tanh": _Entry(N_("Hard tanh"), squashing.hard_tanh, (), N_("Clips its input to [-1, 1]. Slope 1 inside, 0 outside, so clipped units pass no gradient.")),
    "softsign": _Entry(N_("Softsign"), squashing.softsign, (), N_("Like tanh but its tails approach ±1 polynomially, not exponentially, so it saturates more gently.")),
    "arctan": _Entry(N_("Arctan"), squashing.arctan, (), N_("The inverse tangent: bounded in (-π/2, π/2), zero-centred, with slope 1 at 0 and tails that flatten like 1/x².")),
    "relu": _Entry(N_("ReLU"), rectifiers.relu, (), N_("Zero for negative inputs, identity for positive ones. The gradient is exactly 1 or 0, so it does not shrink with depth, but units stuck below 0 are dead.")),
    "relu6": _Entry(N_("ReLU6"), rectifiers.relu6, (), N_("ReLU capped at 6, popular on mobile hardware. Dead both below 0 and above 6.")),
    "leaky_relu": _Entry(N_("Leaky ReLU"), rectifiers.leaky_relu, (_SLOPE,), N_("ReLU with a small slope a for negative inputs, so no unit is ever completely dead.")),
    "prelu": _Entry(N_("PReLU"), rectifiers.prelu, (_SLOPE._replace(default=0.25, help="initial slope a for x < 0 (learned)"),), N_("Leaky ReLU whose negative slope a is a parameter the network learns; the value here is its starting point.")),
    "rrelu": _Entry(N_("RReLU (randomised leaky ReLU)"), rectifiers.rrelu, (_spec("lower", 1 / 8, 0.0, 0.99, N_("smallest random slope l")), _spec("upper", 1 / 3, 0.0, 0.99, N_("largest random slope u"))), N_("During training each negative input gets a random slope drawn from [l, u]; at evaluation the mean slope (l + u)/2 is used. The randomness acts as a regulariser.")),
    "elu": _Entry(N_("ELU"), rectifiers.elu, (_spec("alpha", 1.0, 0.0, 3.0, N_("how low the negative side goes: -α")),), N_("Identity for positive inputs and a smooth exponential curve down to -α for negative ones, which pushes mean activations towards zero.")),
    "selu": _Entry(N_("SELU"), rectifiers.selu, (), N_("A scaled ELU whose constants α and λ make activations of a deep network keep mean 0 and variance 1 by themselves (self-normalising), with the right initialisation.")),
    "celu": _Entry(N_("CELU"), rectifiers.celu, (_spec("alpha", 1.0, 0.1, 3.0, N_("scale α of the negative side")),), N_("ELU rewritten so its derivative is continuous for every α: the negative side is α(e^{x/α} - 1).")),
    "gelu": _Entry(N_("GELU"), smooth.gelu, (), N_("Weights the input by the probability that a standard normal is below it: x Φ(x). Smooth and slightly non-monotonic; the default in transformers.")),
    "gelu_tanh": _Entry(N_("GELU (tanh approximation)"), smooth.gelu_tanh, (), N_("The tanh formula that approximates GELU closely and was faster on older hardware.")),
    "silu": _Entry(N_("SiLU"), smooth.silu, (), N_("x times its own sigmoid. Smooth, unbounded above, with a small negative dip below zero.")),
    "swish": _Entry(N_("Swish"), smooth.swish, (_spec("beta", 1.0, 0.0, 5.0, N_("sharpness β; β = 1 is SiLU, large β approaches ReLU")),), N_("x σ(βx): β = 1 gives SiLU, β → ∞ approaches ReLU, β = 0 gives the line x/2.")),
    "mish": _Entry(N_("Mish"), smooth.mish, (), N_("x tanh(softplus(x)): smooth, non-monotonic like SiLU, with a slightly deeper negative dip.")),
    "softplus": _Entry(N_("Softplus"), smooth.softplus, (_spec("beta", 1.0, 0.1, 10.0, N_("sharpness β; large β approaches ReLU")),), N_("A smooth ReLU: ln(1 + e^{βx})/β. Its derivative is the sigmoid σ(βx).")),
    "hardswish": _Entry(N_("Hard swish"), smooth.hardswish, (), N_("A piecewise approximation of swish built from ReLU6, used in MobileNetV3.")),
    "sinusoid": _Entry(N_("Sinusoid"), squashing.sinusoid, (), N_("sin(x): bounded and periodic. Its derivative never settles to 0, so it never saturates, but it is far from monotonic.")),
    "gaussian": _Entry(N_("Gaussian"), squashing.gaussian, (), N_("A bump e^{-x²} (as in radial-basis networks). It saturates on both sides: far from 0 the gradient vanishes.")),
    "maxout": _Entry(N_("Maxout"), maxout, (_spec("k", 3, 1, MAX_PIECES, N_("number of linear pieces")), _spec("slopes", (-1.0, 0.0, 1.0), -3.0, 3.0, "slope a_i of each piece"), _spec("intercepts", (-0.5, 0.0, -0.5), -3.0, 3.0, "intercept b_i of each piece")), N_("The maximum of k lines a_i x + b_i: always convex and piecewise linear. With enough pieces it can approximate any convex function; in a network the pieces are learned.")),
}  # fmt: skip


def names() -> list[str]:
    """The activation names ``get`` accepts, in catalogue order."""
    return list(_CATALOG)


def get(name: str, **params: Any) -> Activation:
    """Build activation ``name`` with ``params`` (the others take their defaults)."""
    entry = _CATALOG.get(name)
    if entry is None:
        raise ValueError(
            _("Unknown activation: {name!r}; choose one of: {choices}").format(
                name=name, choices=", ".join(_CATALOG)
            )
        )
    known = [spec.name for spec in entry.specs]
    for key in params:
        if key not in known:
            allowed = ", ".join(known) if known else "none"
            raise ValueError(
                _("Unknown parameter {key!r} for {name!r} (its parameters: {allowed})").format(
                    key=key, name=name, allowed=allowed
                )
            )
    parts = entry.build(**params)
    # The builders have validated every value, so the float parameters convert cleanly.
    resolved = parts.pop("params", None) or {
        s.name: float(params.get(s.name, s.default)) for s in entry.specs
    }
    module = parts.pop("module", None)
    fn = parts["fn"]
    return Activation(
        name=name,
        title=entry.title,
        params=resolved,
        param_specs=entry.specs,
        description=entry.description,
        make_module=module or (lambda: Elementwise(fn, name)),
        **parts,
    )


def from_expression(text: str) -> Activation:
    """A custom activation from a formula in ``x``; its derivative comes from autograd only.

    Raises ``engine.expressions.ExpressionError`` (a ValueError) if the formula is refused.
    """
    expr = compile_expression(text, variables=("x",))

    def fn(x: Tensor) -> Tensor:
        return expr(x=x)

    return Activation(
        name="custom",
        title=f"Custom: {expr.text}",
        params={"expression": expr.text},
        fn=fn,
        latex=f"f(x) = {expr.latex}",
        derivative_latex=rf"f'(x) = \frac{{d}}{{dx}}\left({expr.latex}\right)"
        r"\quad\text{(computed by autograd)}",
        derivative=lambda x: first_derivative(fn, x),
        param_specs=(),
        description="Your own formula in x. Its derivative is computed by torch.autograd.",
        make_module=lambda: Elementwise(fn, f"custom: {expr.text}"),
    )
