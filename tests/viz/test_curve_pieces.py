"""A curve cut at its poles and undefined points: viz.curve_pieces on plain numpy samples."""

from __future__ import annotations

import numpy as np
import pytest

from viz.curve_pieces import pieces, pole_gaps

X = np.linspace(-6.0, 6.0, 601)  # the explorer's grid: x = 0 is on it


@pytest.mark.parametrize("c", [0.005, 0.01, 0.019, -2.3456, 5.91])
@pytest.mark.parametrize("power", [1, 3])
def test_a_pole_between_grid_points_is_one_gap_at_the_pole(c, power):
    """1/(x−c)^p for odd p flips sign at c, wherever c falls between two grid points."""
    (gap,) = pole_gaps(1 / (X - c) ** power)
    assert X[gap] < c < X[gap + 1]


def test_tan_has_a_gap_at_each_of_its_poles_and_nowhere_else():
    x = np.linspace(-20.0, 20.0, 601)  # the widest range: 0.067 per step
    gaps = pole_gaps(np.tan(x))
    poles = np.pi / 2 * np.arange(-11, 12, 2)  # the 12 within ±20
    assert len(gaps) == len(poles)
    for gap, pole in zip(gaps, poles, strict=True):
        assert x[gap] < pole < x[gap + 1]


@pytest.mark.parametrize(
    "f",
    [
        lambda x: np.tanh(1000 * (x - 0.003)),  # a steep sign-flipping step, no undefined point
        lambda x: np.sign(x - 0.003),  # a sign step
        lambda x: np.where(x > 0.003, 1.0, 0.0),  # Heaviside
        lambda x: -2 * np.sign(x - 0.003) / (1 + np.abs(x - 0.003)) ** 3,  # softsign's f″
        lambda x: np.exp(x) * np.sin(10 * x),  # growing oscillation
        lambda x: np.sin(200 * x),  # sampled far below its period
        lambda x: x * np.exp(-((x - 0.003) ** 2) * 1000),  # a narrow dipole with tails
        lambda x: np.full_like(x, 1e-16) * np.sin(37 * x),  # round-off
    ],
)
def test_steep_stepped_and_oscillating_curves_have_no_gap(f):
    assert len(pole_gaps(f(X))) == 0


def test_noise_whose_values_run_up_and_down_by_chance_has_no_gap():
    rng = np.random.default_rng(0)
    assert sum(len(pole_gaps(rng.normal(size=601))) for _ in range(100)) == 0


def test_pieces_drop_undefined_points_and_cut_there_and_at_poles():
    with np.errstate(divide="ignore"):
        y = 1 / X + np.where(X > 3, np.nan, 0.0) + 1 / (X + 2.0049)
    got = pieces(X, y)
    bounds = [(p[0].min(), p[0].max()) for p in got]
    assert [b[0] for b in bounds] == pytest.approx([-6, -2.0, 0.02], abs=1e-6)
    assert [b[1] for b in bounds] == pytest.approx([-2.02, -0.02, 3.0], abs=1e-6)
    for px, py in got:
        assert px.dtype == py.dtype == np.float32 and np.isfinite(py).all()


def test_pieces_of_a_curve_undefined_everywhere_is_one_empty_piece():
    ((x, y),) = pieces(X, np.full_like(X, np.nan))
    assert len(x) == len(y) == 0
    ((x, y),) = pieces(X, 1e300 * np.ones_like(X))  # beyond float32: not finite in the figure
    assert len(x) == 0
