"""Condition number and momentum: closed forms against the iteration matrix and torch.optim."""

import math

import numpy as np
import pytest
import torch

from engine.surfaces import conditioning as c


@pytest.mark.parametrize("kappa", [4.0, 25.0, 100.0, 1000.0])
def test_closed_form_rates_match_the_iteration_matrix(kappa):
    alpha, beta = c.momentum_optimum(1.0, kappa)
    assert c.rate_bound(alpha, beta, [1.0, kappa]) == pytest.approx(
        c.predicted_rate(kappa, momentum=True), rel=1e-6
    )
    assert c.rate_bound(c.gd_step(1.0, kappa), 0.0, [1.0, kappa]) == pytest.approx(
        c.predicted_rate(kappa, momentum=False), rel=1e-9
    )
    # β* is the square of the rate (Goh).
    assert beta == pytest.approx(c.predicted_rate(kappa, True) ** 2)


def test_optimum_is_the_best_momentum():
    alpha, beta = c.momentum_optimum(1.0, 25.0)
    best = c.rate_bound(alpha, beta, [1.0, 25.0])
    for b in (0.0, 0.2, 0.6, 0.9):
        assert c.rate_bound(alpha, b, [1.0, 25.0]) > best


def test_measured_rate_of_torch_heavy_ball_matches_the_prediction():
    kappa, steps = 25.0, 200
    alpha, beta = c.momentum_optimum(1.0, kappa)
    w = torch.tensor([-2.5, 1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=alpha, momentum=beta)
    scale = torch.tensor([1.0, kappa], dtype=torch.float64)
    dist = [w.detach().norm().item()]
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * (scale * w**2).sum()).backward()
        opt.step()
        dist.append(w.detach().norm().item())
    assert c.measured_rate(np.array(dist)) == pytest.approx(c.predicted_rate(kappa, True), rel=0.01)


def test_measured_rate_stops_at_rounding_and_needs_points():
    d = 0.5 ** np.arange(2000.0)  # reaches 0 in float64 long before the end
    assert c.measured_rate(d) == pytest.approx(0.5)
    assert math.isnan(c.measured_rate(np.array([1.0, np.inf])))


def test_bad_values_are_refused():
    with pytest.raises(ValueError, match="0.5"):
        c.quadratic_expression(0.5)
    with pytest.raises(ValueError, match="-1"):
        c.momentum_optimum(-1.0, 2.0)
    assert c.quadratic_expression(25) == "0.5*(x**2 + 25*y**2)"


def test_hessian_eigenvalues_of_catalogue_and_parsed_bowls():
    from engine import surfaces

    assert c.hessian_eigenvalues(surfaces.get("ill_conditioned"), (0.0, 0.0)) == pytest.approx(
        (1.0, 25.0)
    )
    rotated = surfaces.get("rotated_ill_conditioned")
    assert c.hessian_eigenvalues(rotated, (0.3, -0.2)) == pytest.approx((1.0, 25.0))
    bowl = surfaces.parse(c.quadratic_expression(100))
    assert c.hessian_eigenvalues(bowl, c.MINIMUM) == pytest.approx((1.0, 100.0))
    assert c.stability_limit(25.0) == pytest.approx(0.08)


def test_no_overshoot_step_lands_the_steep_direction_in_one_step():
    lr = c.no_overshoot_step(25.0)
    w = np.array([-2.5, 1.0])
    w = w - lr * np.array([1.0, 25.0]) * w
    assert w[1] == 0.0 and w[0] == pytest.approx(-2.5 * (1 - 1 / 25))
