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
