"""Feature scaling: the regression loss surface against numpy's least squares and Hessian."""

import numpy as np
import pytest
import torch

from engine import surfaces
from engine.surfaces import conditioning, regression


@pytest.mark.parametrize("scale", [1.0, 10.0])
@pytest.mark.parametrize("standard", [False, True])
def test_surface_is_the_mean_squared_error(scale, standard):
    X, y = regression.data(scale)
    if standard:
        X = regression.standardize(X)
    surface = surfaces.parse(regression.loss_expression(X, y))
    w = torch.tensor([[0.3, -0.7], [1.2, 0.05]], dtype=torch.float64)
    expected = ((w.numpy() @ X.T - y) ** 2).mean(1)
    np.testing.assert_allclose(surface.f(w).numpy(), expected, rtol=1e-8)
    best = regression.best_weights(X, y)
    lmin, lmax = conditioning.hessian_eigenvalues(surface, best)
    np.testing.assert_allclose((lmin, lmax), np.linalg.eigvalsh(2 * X.T @ X / len(y)), rtol=1e-6)
    grad = torch.autograd.functional.jacobian(surface.f, torch.tensor(best, dtype=torch.float64))
    assert grad.abs().max() < 1e-6


def test_scaling_makes_the_valley_and_standardising_undoes_it():
    X, y = regression.data(10.0)
    s = surfaces.parse(regression.loss_expression(X, y))
    lmin, lmax = conditioning.hessian_eigenvalues(s, regression.best_weights(X, y))
    assert 50 < lmax / lmin < 200  # about scale²
    Z = regression.standardize(X)
    s = surfaces.parse(regression.loss_expression(Z, y))
    lmin, lmax = conditioning.hessian_eigenvalues(s, regression.best_weights(Z, y))
    assert lmax / lmin < 1.5
    np.testing.assert_allclose(Z.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(0), 1)


def test_bad_scale_is_refused():
    with pytest.raises(ValueError, match="1000"):
        regression.data(1000.0)
