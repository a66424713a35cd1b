"""Activation catalogue: formulas, hand-written derivatives, modules and validation.

Oracles: torch.autograd for every derivative, torch.nn.functional / torch.nn for the functions
and modules, and known constants (SELU's fixed point, sigmoid' = 1/4 at 0).
"""

import math

import pytest
import torch
import torch.nn.functional as F

from engine import activations as A
from engine.activations.rectifiers import SELU_ALPHA, SELU_SCALE
from engine.expressions import ExpressionError

REQUIRED = [
    *("linear", "sigmoid", "tanh", "hard_sigmoid", "hard_tanh", "softsign", "arctan"),
    *("relu", "relu6", "leaky_relu", "prelu", "rrelu", "elu", "selu", "celu", "gelu"),
    *("gelu_tanh", "silu", "swish", "mish", "softplus", "hardswish", "sinusoid", "gaussian"),
    "maxout",
]
# 1000 points with spacing 12/999 miss every kink (0, ±0.5, ±1, ±3) inside the range.
GRID = torch.linspace(-6, 6, 1000, dtype=torch.float64)
NON_DEFAULT = [
    ("leaky_relu", {"slope": 0.2}),
    ("prelu", {"slope": -0.3}),
    ("rrelu", {"lower": 0.1, "upper": 0.3}),
    ("elu", {"alpha": 0.5}),
    ("elu", {"alpha": -0.7}),
    ("celu", {"alpha": 2.0}),
    ("softplus", {"beta": 3.0}),
    ("swish", {"beta": 2.5}),
    ("maxout", {"slopes": (-2.0, 0.5, 1.5), "intercepts": (0.3, 0.0, -1.1)}),
    ("maxout", {"k": 5}),
]
CASES = [(name, {}) for name in A.names()] + NON_DEFAULT
# torch's backward kernels for these keep the constant (1/6, the slope) in float32.
FLOAT32_CONSTANT = {"hard_sigmoid", "leaky_relu", "prelu", "rrelu"}


def autograd_derivative(act, x):
    x = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(act.fn(x).sum(), x)
    return g


def test_names_cover_the_brief():
    assert set(REQUIRED) <= set(A.names())


@pytest.mark.parametrize(("name", "params"), CASES, ids=str)
def test_hand_written_derivative_matches_autograd(name, params):
    act = A.get(name, **params)
    rtol = 1e-7 if name in FLOAT32_CONSTANT else 0.0
    torch.testing.assert_close(
        act.derivative(GRID), autograd_derivative(act, GRID), atol=1e-10, rtol=rtol
    )


@pytest.mark.parametrize("name", A.names())
def test_every_activation_is_documented(name):
    act = A.get(name)
    assert act.name == name and act.title and act.description
    assert act.latex.startswith("f(x) = ") and len(act.latex) > len("f(x) = ")
    assert act.derivative_latex.startswith("f'(x) = ") and len(act.derivative_latex) > 8
    assert {spec.name: spec.default for spec in act.param_specs}.keys() == act.params.keys()
    for spec in act.param_specs:
        assert spec.low < spec.high and spec.help


@pytest.mark.parametrize("name", A.names())
def test_fn_keeps_shape_dtype_and_is_differentiable(name):
    act = A.get(name)
    x = torch.randn(3, 4, generator=torch.Generator().manual_seed(0), requires_grad=True)
    y = act.fn(x)
    assert y.shape == x.shape and y.dtype == torch.float32
    y.sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()


TORCH_FUNCTIONAL = {
    "relu": F.relu,
    "relu6": F.relu6,
    "hard_sigmoid": F.hardsigmoid,
    "hard_tanh": F.hardtanh,
    "softsign": F.softsign,
    "elu": F.elu,
    "selu": F.selu,
    "celu": F.celu,
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu,
    "mish": F.mish,
    "softplus": F.softplus,
    "hardswish": F.hardswish,
    "leaky_relu": F.leaky_relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "rrelu": lambda x: F.rrelu(x, training=False),
    "prelu": lambda x: F.prelu(x, torch.tensor([0.25], dtype=x.dtype)),
}


@pytest.mark.parametrize("name", sorted(TORCH_FUNCTIONAL))
def test_fn_is_torch_functional(name):
    x = torch.linspace(-8, 8, 801, dtype=torch.float64)
    torch.testing.assert_close(A.get(name).fn(x), TORCH_FUNCTIONAL[name](x), atol=0, rtol=0)


def test_parameterised_fns_match_torch():
    x = torch.linspace(-8, 8, 801, dtype=torch.float64)
    torch.testing.assert_close(A.get("elu", alpha=0.3).fn(x), F.elu(x, 0.3), atol=0, rtol=0)
    torch.testing.assert_close(A.get("celu", alpha=2.0).fn(x), F.celu(x, 2.0), atol=0, rtol=0)
    torch.testing.assert_close(A.get("softplus", beta=2).fn(x), F.softplus(x, 2), atol=0, rtol=0)
    torch.testing.assert_close(A.get("leaky_relu", slope=0.2).fn(x), F.leaky_relu(x, 0.2))
    torch.testing.assert_close(A.get("swish").fn(x), F.silu(x), atol=1e-15, rtol=1e-15)


def test_sigmoid_derivative_peaks_at_a_quarter():
    d = A.get("sigmoid").derivative(GRID)
    assert d.max().item() <= 0.25
    assert A.get("sigmoid").derivative(torch.zeros(1, dtype=torch.float64)).item() == 0.25


def test_selu_constants_and_self_normalising_fixed_point():
    assert abs(SELU_ALPHA - 1.6732632423543772) < 1e-15
    assert abs(SELU_SCALE - 1.0507009873554805) < 1e-15
    far = torch.tensor([-60.0, 1.0], dtype=torch.float64)
    torch.testing.assert_close(F.selu(far), far.new_tensor([-SELU_SCALE * SELU_ALPHA, SELU_SCALE]))
    z = torch.randn(1_000_000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    y = A.get("selu").fn(z)
    assert abs(y.mean().item()) < 0.01
    assert abs(y.var().item() - 1) < 0.01


@pytest.mark.parametrize("name", A.names())
def test_module_applies_fn_in_eval(name):
    act = A.get(name)
    module = act.module().eval()
    x = torch.linspace(-5, 5, 101)
    with torch.no_grad():
        torch.testing.assert_close(module(x), act.fn(x))


def test_prelu_and_maxout_modules_learn_their_parameters():
    prelu = A.get("prelu", slope=0.1).module()
    assert [p.item() for p in prelu.parameters()] == [pytest.approx(0.1)]
    maxout = A.get("maxout").module()
    assert sum(p.numel() for p in maxout.parameters()) == 6
    maxout(torch.linspace(-2, 2, 9)).sum().backward()
    assert all(p.grad is not None for p in maxout.parameters())
    assert list(A.get("relu").module().parameters()) == []


def test_rrelu_band_and_random_slopes_in_training():
    act = A.get("rrelu", lower=0.1, upper=0.3)
    x = torch.linspace(-4, 4, 81, dtype=torch.float64)
    low, high = act.band(x)
    torch.testing.assert_close(low, torch.minimum(0.1 * x, 0.3 * x).where(x < 0, x))
    torch.testing.assert_close(high, (0.1 * x).where(x < 0, x))
    assert (low <= act.fn(x)).all() and (act.fn(x) <= high).all()
    torch.testing.assert_close(act.fn(x), (0.2 * x).where(x < 0, x))  # eval: the mean slope
    module = act.module().train()
    torch.manual_seed(0)
    y = module(x.repeat(20, 1))
    assert ((low - 1e-12 <= y) & (y <= high + 1e-12)).all()
    assert y[:, 0].unique().numel() > 1  # slopes really are random in training
    assert A.get("relu").band is None


def test_maxout_default_shape_and_custom_pieces():
    act = A.get("maxout")
    assert act.params == {"k": 3, "slopes": (-1.0, 0.0, 1.0), "intercepts": (-0.5, 0.0, -0.5)}
    x = torch.linspace(-3, 3, 601, dtype=torch.float64)
    torch.testing.assert_close(act.fn(x), F.relu(x.abs() - 0.5))  # |x| with a flat bottom
    custom = A.get("maxout", slopes=(-2, 0.5, 1.5), intercepts=(0.3, 0, -1.1))
    expected = torch.stack([-2 * x + 0.3, 0.5 * x, 1.5 * x - 1.1]).max(dim=0).values
    torch.testing.assert_close(custom.fn(x), expected)
    for pieces in (act, custom, A.get("maxout", k=6)):
        y = pieces.fn(x)
        assert (y[2:] - 2 * y[1:-1] + y[:-2] >= -1e-12).all()  # convex
    assert A.get("maxout", k=6).params["k"] == 6
    torch.testing.assert_close(A.get("maxout", k=1).fn(x), x)


def test_params_fill_defaults_and_equal_activations_compare_equal():
    assert A.get("elu").params == {"alpha": 1.0}
    assert A.get("softplus", beta=2).params == {"beta": 2.0}
    assert isinstance(A.get("softplus", beta=2).params["beta"], float)
    assert A.get("rrelu", upper=0.5).params == {"lower": 0.125, "upper": 0.5}
    assert A.get("elu") == A.get("elu", alpha=1.0) != A.get("elu", alpha=2.0)
    assert len({A.get("elu"), A.get("elu", alpha=1.0), A.get("maxout")}) == 2


def test_unknown_name_and_parameter():
    with pytest.raises(ValueError, match="Unknown activation: 'relu7'.*relu6"):
        A.get("relu7")
    with pytest.raises(ValueError, match="'alpa'.*alpha"):
        A.get("elu", alpa=1.0)
    with pytest.raises(ValueError, match="'slope'.*none"):
        A.get("relu", slope=1.0)


@pytest.mark.parametrize(
    ("name", "params", "shown"),
    [
        ("softplus", {"beta": 0.0}, "beta: 0.0"),
        ("softplus", {"beta": -2}, "beta: -2.0"),
        ("celu", {"alpha": 0}, "alpha: 0.0"),
        ("leaky_relu", {"slope": math.inf}, "slope: inf"),
        ("leaky_relu", {"slope": "steep"}, "slope: 'steep'"),
        ("prelu", {"slope": math.nan}, "slope: nan"),
        ("elu", {"alpha": True}, "alpha: True"),
        ("swish", {"beta": None}, "beta: None"),
        ("rrelu", {"lower": 0.4, "upper": 0.2}, "lower: 0.4"),
        ("rrelu", {"lower": -0.1}, "lower: -0.1"),
        ("rrelu", {"upper": 1.0}, "upper: 1.0"),
        ("maxout", {"k": 0}, "k: 0"),
        ("maxout", {"k": 9}, "k: 9"),
        ("maxout", {"k": 2.5}, "k: 2.5"),
        ("maxout", {"slopes": (1.0, 2.0), "intercepts": (0,)}, r"intercepts: \(0,\)"),
        ("maxout", {"k": 2, "slopes": (1.0, 2.0, 3.0)}, "slopes"),
        ("maxout", {"intercepts": (0.0, math.inf, 0.0)}, "intercepts: inf"),
        ("maxout", {"slopes": 3.0}, "slopes: 3.0"),
    ],
)
def test_invalid_parameters_show_the_value(name, params, shown):
    with pytest.raises(ValueError, match=f"Invalid {shown}"):
        A.get(name, **params)


def test_torch_accepts_negative_elu_alpha_and_so_do_we():
    x = torch.linspace(-3, 3, 61, dtype=torch.float64)
    torch.testing.assert_close(A.get("elu", alpha=-0.5).fn(x), F.elu(x, -0.5))


def test_custom_expression_activation():
    act = A.from_expression("x*tanh(x)")
    x = torch.linspace(-4, 4, 401, dtype=torch.float64)
    torch.testing.assert_close(act.fn(x), x * torch.tanh(x))
    expected = torch.tanh(x) + x * (1 - torch.tanh(x) ** 2)
    torch.testing.assert_close(act.derivative(x), expected, atol=1e-12, rtol=0)
    assert act.name == "custom" and act.latex.startswith("f(x) =")
    assert "autograd" in act.derivative_latex and act.params == {"expression": "x * tanh(x)"}
    torch.testing.assert_close(act.module()(x), act.fn(x))
    assert not A.properties(act).monotonic  # dips below zero and comes back


def test_custom_constant_expression_has_zero_derivative():
    act = A.from_expression("2")
    x = torch.linspace(-1, 1, 5, dtype=torch.float64)
    torch.testing.assert_close(act.fn(x), torch.full_like(x, 2.0))
    torch.testing.assert_close(act.derivative(x), torch.zeros_like(x))


@pytest.mark.parametrize("text", ["", "x +", "y", "__import__('os')", "x if x else 1"])
def test_bad_custom_expression_is_refused(text):
    with pytest.raises(ExpressionError):
        A.from_expression(text)
    assert issubclass(ExpressionError, ValueError)
