"""Lessons 1-5: each lesson's measured numbers against an independent formula, and its link
reproducing the same figure data on the full page."""

import math

import numpy as np
import pytest

from tests.pages.lesson_links import figures, full_page, happened, lesson, trace, xy


def _momentum_paths(fig):
    sgd, mom = (t for t in fig["data"] if t.get("mode") == "lines+markers")
    return xy(sgd), xy(mom)


# ------------------------------------------------------------------ lesson 1: why momentum
@pytest.mark.parametrize("kappa", [25, 100])
def test_l1_measured_rate_within_5_percent_of_predicted(kappa):
    at = lesson(1, kappa=kappa)
    rates = figures(at)[1]
    from tests.helpers import figure_array

    mom = figure_array(rates["data"][1]["y"])
    # The measured rate over the second half of the distances in the figure.
    end = len(mom) - 1
    measured = (mom[end] / mom[end // 2]) ** (1 / (end - end // 2))
    predicted = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    assert measured == pytest.approx(predicted, rel=0.05)
    gd = figure_array(rates["data"][0]["y"])
    assert gd[-1] > mom[-1] * 100  # gradient descent is far behind
    assert f"{predicted:.4f}" in happened(at)


def test_l1_small_beta_is_slower_than_best():
    best = lesson(1)
    slow = lesson(1, beta=0.0)
    d_best = figures(best)[1]["data"][1]["y"]
    d_slow = figures(slow)[1]["data"][1]["y"]
    from tests.helpers import figure_array

    assert figure_array(d_slow)[-1] > figure_array(d_best)[-1] * 1e3


def test_l1_link_reproduces_the_paths_on_the_playground():
    at = lesson(1, kappa=100, beta=0.9)
    sgd, mom = _momentum_paths(figures(at)[0])
    page = figures(full_page(at))[0]
    np.testing.assert_allclose(xy(trace(page, "sgd")), sgd, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(xy(trace(page, "momentum")), mom, rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------------ lesson 2: learning rate
def _divergence_step(lr: float, factor=lambda t: 1.0) -> int:
    """Plain gradient descent on ½(x² + 25y²) from (-2.5, 1): the first step whose position lies
    beyond the engine's explosion limit (1000 widths of the plotted square), or -1."""
    from engine.core.divergence import EXPLODE_WIDTHS

    p = np.array([-2.5, 1.0])
    for t in range(200):
        p = p - lr * factor(t) * np.array([1.0, 25.0]) * p
        if np.abs(p).max() > EXPLODE_WIDTHS * 6.0:
            return t + 1
    return -1


def test_l2_too_large_diverges_at_the_predicted_step():
    from tests.helpers import figure_array

    at = lesson(2, large=0.15)
    curves = figures(at)[0]
    marks = [t for t in curves["data"] if t.get("mode") == "markers+text"]
    expected = _divergence_step(0.15)
    assert expected > 0
    assert [t["text"][0] for t in marks] == [f"diverged at step {expected}"]
    too_small = figure_array(curves["data"][0]["y"])
    right = figure_array(curves["data"][1]["y"])
    assert right[-1] < 1e-9 < too_small[-1]
    assert f"diverged at step {expected}" in happened(at)


def test_l2_exponential_schedule_rescues_the_large_rate():
    at = lesson(2, schedule="exponential", large=0.1)
    assert _divergence_step(0.1, lambda t: 0.99**t) == -1
    curves = figures(at)[0]
    assert not [t for t in curves["data"] if t.get("mode") == "markers+text"]
    assert "survived" in happened(at)


def test_l2_sweep_best_rate_below_the_limit_and_divergent_rates_left_out():
    from tests.helpers import figure_array

    at = lesson(2)
    sweep = figures(at)[1]
    lrs = figure_array(trace(sweep, "sgd")["x"])
    assert lrs.max() < 2 / 25 <= 0.2  # every rate above 2/λₙ diverged and is left out
    best = figure_array(trace(sweep, "sgd best lr")["x"])[0]
    assert 0.05 < best < 2 / 25


def test_l2_link_reproduces_the_sweep_on_the_playground():
    at = lesson(2, schedule="cosine")
    mine = trace(figures(at)[1], "sgd")
    theirs = trace(figures(full_page(at))[0], "sgd")
    np.testing.assert_allclose(xy(theirs), xy(mine), rtol=1e-9)


# ------------------------------------------------------------------ lesson 3: adaptive steps
def _path(fig, name):
    return xy(next(t for t in fig["data"] if t.get("name", "").startswith(name + " (")))


def test_l3_adagrad_step_only_shrinks_rmsprop_forgets():
    from tests.helpers import figure_array

    steps = figures(lesson(3))[1]
    ada = figure_array(trace(steps, "adagrad: x")["y"])
    rms = figure_array(trace(steps, "rmsprop: x")["y"])
    assert np.all(np.diff(ada) <= 1e-6 * ada[:-1])  # a growing sum: the step never grows
    assert ada[-1] < ada[0] / 5  # ... and it stalls
    assert np.any(np.diff(rms) > 0)  # the average forgets: the step grows again
    assert rms[-1] > rms[0] / 5


def test_l3_course_adagrad_literally_is_the_lessons_adagrad_path():
    import torch

    from engine import surfaces

    at = lesson(3)
    lesson_path = _path(figures(at)[0], "adagrad")
    f = surfaces.get("rosenbrock").f
    w = torch.tensor(surfaces.get("rosenbrock").start, dtype=torch.float64)
    eta, squares, out = 1.0, torch.zeros(2, dtype=torch.float64), [w.clone()]
    for t in range(len(lesson_path) - 1):
        wg = w.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(f(wg), wg)
        squares = squares + g**2
        eta_t = eta / np.sqrt(t + 1)  # the course: η/√(t+1) ...
        sigma_t = torch.sqrt(squares / (t + 1))  # ... over the root mean square σ
        w = w - eta_t / sigma_t * g
        out.append(w.clone())
    np.testing.assert_allclose(lesson_path, torch.stack(out).numpy(), atol=1e-4)


def test_l3_course_conventions_change_the_paths():
    torch_const = figures(lesson(3))[0]
    course_const = figures(lesson(3, convention="course"))[0]
    gap = np.abs(_path(torch_const, "rmsprop") - _path(course_const, "rmsprop")).max()
    assert gap > 0.05  # σ⁰ = g⁰ against σ⁰ = 0: another path
    same = np.abs(_path(torch_const, "momentum") - _path(course_const, "momentum")).max()
    assert same < 1e-6  # v ← λv − η∇L is torch's momentum while η is constant ...
    torch_exp = figures(lesson(3, schedule="exponential"))[0]
    course_exp = figures(lesson(3, convention="course", schedule="exponential"))[0]
    moved = np.abs(_path(torch_exp, "momentum") - _path(course_exp, "momentum")).max()
    assert moved > 0.01  # ... and not once η changes


def test_l3_link_reproduces_the_paths_on_the_playground():
    at = lesson(3, convention="course", schedule="exponential")
    page = figures(full_page(at))[0]
    mine = figures(at)[0]
    for name in ("adagrad", "rmsprop", "adam", "momentum"):
        np.testing.assert_allclose(xy(trace(page, name)), _path(mine, name), rtol=1e-6)


# ------------------------------------------------------------------ lesson 4: feature scaling
def _gd_path(fig):
    return xy(next(t for t in fig["data"] if t.get("mode") == "lines+markers"))


def _steps_to(gap, tol=1e-6):
    hit = np.flatnonzero(gap <= tol)
    return int(hit[0]) if hit.size else -1


def test_l4_scaling_makes_a_valley_and_many_more_steps():
    from engine.surfaces import regression
    from tests.helpers import figure_array

    at = lesson(4, scale=10)
    raw_map, std_map, curves = figures(at)
    raw = figure_array(curves["data"][0]["y"])
    std = figure_array(curves["data"][1]["y"])
    raw_steps, std_steps = _steps_to(raw), _steps_to(std)
    assert raw_steps > 20 * std_steps > 0
    assert f"**{raw_steps}** steps" in happened(at)
    # Both end at numpy's least-squares weights.
    X, y = regression.data(10.0)
    np.testing.assert_allclose(_gd_path(raw_map)[-1], np.linalg.lstsq(X, y)[0], atol=1e-3)
    Z = regression.standardize(X)
    np.testing.assert_allclose(_gd_path(std_map)[-1], np.linalg.lstsq(Z, y)[0], atol=1e-3)
    # The valley: the raw map's contour values rise much faster along w₂ than along w₁.
    z = figure_array(raw_map["data"][0]["customdata"])
    mid = z.shape[0] // 2
    assert np.ptp(z[:, mid]) > 10 * np.ptp(z[mid, :])


def test_l4_same_large_rate_diverges_only_unscaled():
    at = lesson(4, scale=10, rate=0.5)
    raw_map, std_map, _ = figures(at)
    assert any(t.get("mode") == "markers+text" for t in raw_map["data"])  # the cross
    assert not any(t.get("mode") == "markers+text" for t in std_map["data"])
    assert "diverged at step" in happened(at)


def test_l4_link_reproduces_the_raw_path_on_the_playground():
    at = lesson(4, scale=3)
    page = figures(full_page(at))[0]
    np.testing.assert_allclose(xy(trace(page, "sgd")), _gd_path(figures(at)[0]), rtol=1e-6)


# ------------------------------------------------------------------ lesson 5: ReLU vs sigmoid
def _by_meta(fig, act, kind):
    return next(t for t in fig["data"] if t.get("meta") == {"act": act, "kind": kind})


def test_l5_sigmoid_slope_never_exceeds_a_quarter():
    from tests.helpers import figure_array

    slopes = figures(lesson(5))[0]
    sig = next(t for t in slopes["data"] if t["meta"]["act"] == "sigmoid")
    x, y = figure_array(sig["x"]), figure_array(sig["y"])
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(y, s * (1 - s), atol=1e-6)  # the curve is σ(1 − σ)
    assert y.max() <= 0.25 + 1e-7 and y.max() == pytest.approx(0.25, abs=1e-6)


@pytest.mark.parametrize("sigma", [1.0, 4.0])
def test_l5_product_through_depth_against_the_integral(sigma):
    from tests.helpers import figure_array

    at = lesson(5, depth=20, sigma=sigma)
    depth = figures(at)[1]
    z = np.linspace(-12 * sigma, 12 * sigma, 400_001)  # E|σ′(z)| for z ~ N(0, σ²) by quadrature
    pdf = np.exp(-0.5 * (z / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
    s = 1 / (1 + np.exp(-z))
    per_layer = np.trapezoid(s * (1 - s) * pdf, z)
    law = figure_array(_by_meta(depth, "sigmoid", "law")["y"])
    layers = figure_array(_by_meta(depth, "sigmoid", "law")["x"])
    np.testing.assert_allclose(law ** (1 / layers), per_layer, rtol=5e-3)
    assert np.all(law <= 0.25**layers)
    relu = figure_array(_by_meta(depth, "relu", "law")["y"])
    np.testing.assert_allclose(relu ** (1 / layers), 0.5, rtol=1e-2)  # P(z > 0) = ½
    assert relu[-1] > 1e4 * law[-1]
    assert f"{law[-1]:.2e}" in happened(at)


def test_l5_link_reproduces_the_depth_figure_in_the_explorer():
    from tests.helpers import figure_array

    at = lesson(5, depth=30, sigma=2.0)
    mine = figures(at)[1]
    theirs = next(
        f
        for f in figures(full_page(at))
        if any(t.get("meta", {}).get("kind") == "law" for t in f["data"])
    )
    for act in ("sigmoid", "tanh", "relu"):
        np.testing.assert_allclose(
            figure_array(_by_meta(theirs, act, "law")["y"]),
            figure_array(_by_meta(mine, act, "law")["y"]),
            rtol=1e-9,
        )
