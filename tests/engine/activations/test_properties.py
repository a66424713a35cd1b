"""Curves, measured properties and derivative products through depth.

Oracles: closed-form derivatives, textbook facts (sigmoid' <= 1/4, relu dead on the left, GELU dips
below zero) and analytic Monte Carlo targets: for ReLU E|∏ f'(z_l)| = P(all z_l > 0) = 2^-L.
"""

import math

import pytest
import torch

from engine import activations as A
from engine.activations.depth import depth_profile, derivative_product, input_histograms

X = torch.linspace(-6, 6, 1000, dtype=torch.float64)


def test_curves_match_closed_forms():
    f, df, d2f = A.curves(A.get("sigmoid"), X)
    s = torch.sigmoid(X)
    torch.testing.assert_close(f, s)
    torch.testing.assert_close(df, s * (1 - s), atol=1e-14, rtol=0)
    torch.testing.assert_close(d2f, s * (1 - s) * (1 - 2 * s), atol=1e-14, rtol=0)
    assert not (f.requires_grad or df.requires_grad or d2f.requires_grad)
    f, df, d2f = A.curves(A.get("sinusoid"), X.view(10, 100))
    assert f.shape == (10, 100)
    torch.testing.assert_close(d2f, -torch.sin(X).view(10, 100))


def test_curves_at_kinks_and_on_piecewise_linear_functions():
    zero = torch.zeros(1, dtype=torch.float64)
    assert A.curves(A.get("relu"), zero)[1].item() == 0.0  # torch's choice at the kink
    for name in ("linear", "relu", "hard_sigmoid", "maxout", "leaky_relu"):
        f, df, d2f = A.curves(A.get(name), X)
        assert torch.equal(d2f, torch.zeros_like(X)), name  # X misses every kink
    torch.testing.assert_close(
        A.curves(A.get("hard_sigmoid"), X)[1], A.get("hard_sigmoid").derivative(X)
    )


def test_sigmoid_properties():
    p = A.properties(A.get("sigmoid"))
    assert (p.out_min, p.out_max) == pytest.approx((0.0, 1.0), abs=1e-12)
    assert p.bounded_below and p.bounded_above
    assert not p.zero_centred and p.monotonic and p.smooth and p.saturating == "both"
    assert p.max_abs_derivative == pytest.approx(0.25, abs=1e-12)
    assert p.argmax_abs_derivative == 0.0 and p.derivative_at_zero == pytest.approx(0.25)
    # |σ'(x)| < 1e-3 beyond |x| ≈ 6.9: about 31% of [-10, 10]
    edge = math.log((1 - 4e-3 + math.sqrt(1 - 8e-3)) / 2e-3)
    assert p.dead_share == pytest.approx((10 - edge) / 10, abs=2e-3)


def test_tanh_properties():
    p = A.properties(A.get("tanh"))
    assert p.zero_centred and p.monotonic and p.smooth and p.saturating == "both"
    assert (p.out_min, p.out_max) == pytest.approx((-1.0, 1.0))
    assert (p.max_abs_derivative, p.argmax_abs_derivative) == pytest.approx((1.0, 0.0))


def test_relu_family_properties():
    p = A.properties(A.get("relu"))
    assert not p.smooth and p.monotonic and not p.zero_centred
    assert p.saturating == "left" and p.derivative_at_zero == 0.0
    assert p.bounded_below and not p.bounded_above and p.out_max == math.inf and p.out_min == 0
    assert p.dead_share == pytest.approx(0.5, abs=1e-3)
    leaky = A.properties(A.get("leaky_relu"))
    assert leaky.saturating == "none" and leaky.dead_share == 0.0
    assert (
        leaky.zero_centred
        and not leaky.bounded_below
        and leaky.derivative_at_zero == pytest.approx(0.01)
    )
    relu6 = A.properties(A.get("relu6"))
    assert relu6.saturating == "both" and relu6.out_max == 6.0
    assert not A.properties(A.get("leaky_relu", slope=0.999)).smooth  # a kink of size 0.001


def test_smoothness_is_about_the_derivative():
    smooth = ["sigmoid", "softplus", "gelu", "mish", "elu", "celu", "softsign", "gaussian"]
    kinked = ["relu", "hard_tanh", "hard_sigmoid", "hardswish", "selu", "maxout", "prelu"]
    for name in smooth:
        assert A.properties(A.get(name)).smooth, name
    for name in kinked:
        assert not A.properties(A.get(name)).smooth, name
    # ELU's derivative is continuous only for alpha = 1; CELU's for every alpha.
    assert not A.properties(A.get("elu", alpha=2.0)).smooth
    assert A.properties(A.get("celu", alpha=2.0)).smooth
    assert A.properties(A.get("softplus", beta=10.0)).smooth


def test_non_monotonic_and_zero_centred_facts():
    for name in ("gelu", "gelu_tanh", "silu", "mish", "sinusoid", "gaussian"):
        assert not A.properties(A.get(name)).monotonic, name
    gelu = A.properties(A.get("gelu"))
    assert gelu.out_min == pytest.approx(-0.17, abs=5e-3)  # min of x Φ(x), at x ≈ -0.75
    assert gelu.saturating == "left" and gelu.derivative_at_zero == pytest.approx(0.5)
    selu = A.properties(A.get("selu"))
    assert selu.out_min == pytest.approx(-1.0507009873554805 * 1.6732632423543772)
    assert A.properties(A.get("elu", alpha=-0.5)).monotonic is False
    sin = A.properties(A.get("sinusoid"))
    assert sin.bounded_below and sin.bounded_above and sin.saturating == "none"
    assert A.properties(A.get("linear")).saturating == "none"
    assert not A.properties(A.get("linear")).bounded_above


def test_gaussian_derivative_peak_and_arctan_bounds():
    p = A.properties(A.get("gaussian"), n=20001)
    assert p.max_abs_derivative == pytest.approx(math.sqrt(2) * math.exp(-0.5), abs=1e-6)
    assert abs(p.argmax_abs_derivative) == pytest.approx(1 / math.sqrt(2), abs=1e-3)
    arctan = A.properties(A.get("arctan"))
    assert arctan.bounded_above and arctan.out_max == pytest.approx(math.pi / 2, abs=1e-3)


def test_properties_of_custom_and_growing_expressions():
    log_growth = A.properties(A.from_expression("log(1 + x**2)"))
    assert not log_growth.bounded_above and log_growth.bounded_below
    broken = A.properties(A.from_expression("sqrt(x)"))  # NaN for x < 0: reported, not raised
    assert not broken.smooth and not broken.bounded_below


def test_properties_validation():
    with pytest.raises(ValueError, match="lo = 1"):
        A.properties(A.get("relu"), lo=1, hi=-1)
    with pytest.raises(ValueError, match="n: 2"):
        A.properties(A.get("relu"), n=2)


def test_linear_product_is_exactly_one():
    assert torch.equal(
        derivative_product(A.get("linear"), 0.3, 2.0, depth_max=20),
        torch.ones(20, dtype=torch.float64),
    )


def test_sigmoid_product_vanishes_at_least_as_fast_as_a_quarter_per_layer():
    mean = derivative_product(A.get("sigmoid"), 0.0, 1.0, depth_max=50)
    depth = torch.arange(1, 51, dtype=torch.float64)
    assert (mean <= 0.25**depth).all()
    assert (mean[1:] < mean[:-1]).all()
    assert mean[-1] > 0  # no underflow to 0: the product is summed as logs


def test_relu_product_is_the_chance_that_every_input_is_positive():
    profile = depth_profile(A.get("relu"), 0.0, 1.0, depth_max=8, samples=200_000, seed=1)
    for depth in range(1, 9):
        p = 0.5**depth
        std = math.sqrt(p * (1 - p) / 200_000)
        assert abs(profile.mean[depth - 1].item() - p) < 4 * std, depth
    assert torch.equal(profile.median[1:], torch.zeros(7, dtype=torch.float64))  # most paths die
    assert profile.log10_mean[0].item() == pytest.approx(math.log10(0.5), abs=0.01)


def test_maxout_and_rrelu_products_match_their_slopes():
    # default maxout: |f'| = 1 when |z| > 1/2, else 0, so E|∏| = P(|z| > 1/2)^L
    q = math.erfc(0.5 / math.sqrt(2))
    mean = derivative_product(A.get("maxout"), 0.0, 1.0, depth_max=5, samples=200_000)
    torch.testing.assert_close(
        mean, q ** torch.arange(1.0, 6, dtype=torch.float64), rtol=0.03, atol=0
    )
    # RReLU in eval: f' = 1 or the mean slope m, each with chance 1/2, so E|∏| = ((1 + m)/2)^L
    m = (0.125 + 1 / 3) / 2
    mean = derivative_product(A.get("rrelu"), 0.0, 1.0, depth_max=5, samples=200_000)
    torch.testing.assert_close(
        mean, ((1 + m) / 2) ** torch.arange(1.0, 6, dtype=torch.float64), rtol=0.01, atol=0
    )


def test_depth_profile_is_seeded_and_validated():
    act = A.get("tanh")
    a = depth_profile(act, 0.5, 1.5, depth_max=10, seed=3)
    b = depth_profile(act, 0.5, 1.5, depth_max=10, seed=3)
    assert torch.equal(a.mean, b.mean) and torch.equal(a.median, b.median)
    assert not torch.equal(a.mean, depth_profile(act, 0.5, 1.5, depth_max=10, seed=4).mean)
    assert (a.median <= 1).all() and a.mean.shape == (10,)
    for kwargs, shown in [
        ({"sigma": 0.0}, "sigma: 0.0"),
        ({"sigma": -1.0}, "sigma: -1.0"),
        ({"mu": math.nan}, "mu: nan"),
        ({"depth_max": 101}, "depth_max: 101"),
        ({"depth_max": 0}, "depth_max: 0"),
        ({"samples": 200_001}, "samples: 200001"),
        ({"samples": 10.5}, "samples: 10.5"),
    ]:
        args = {"mu": 0.0, "sigma": 1.0, **kwargs}
        with pytest.raises(ValueError, match=f"Invalid {shown}"):
            derivative_product(act, **args)


def test_input_histograms():
    h = input_histograms(A.get("relu"), 0.0, 1.0, samples=10_000, bins=40)
    assert h.f_counts.sum().item() == 10_000 and h.df_counts.sum().item() == 10_000
    assert h.f_edges.shape == (41,) and h.df_edges.shape == (41,)
    assert h.flat_share == pytest.approx(0.5, abs=0.03)
    assert h.df_counts[0].item() == pytest.approx(h.flat_share * 10_000)  # f' = 0 in the first bin
    sat = input_histograms(A.get("sigmoid"), 0.0, 10.0, samples=10_000)
    assert sat.flat_share == pytest.approx(math.erfc(6.9 / 10 / math.sqrt(2)), abs=0.03)
    assert sat.f_edges[0] >= 0 and sat.f_edges[-1] <= 1
    linear = input_histograms(A.get("linear"), 0.0, 1.0, samples=100, bins=5)
    assert linear.df_counts.sum().item() == 100 and linear.flat_share == 0.0
    with pytest.raises(ValueError, match="Invalid bins: 0"):
        input_histograms(A.get("relu"), 0.0, 1.0, bins=0)
