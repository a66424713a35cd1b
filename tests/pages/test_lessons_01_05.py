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
