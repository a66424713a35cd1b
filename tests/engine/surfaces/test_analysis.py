"""engine.surfaces.analysis against independent oracles: brute-force loops, closed forms, torch.optim."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from engine import optimizers, surfaces
from engine.surfaces import analysis, trajectories

RNG = np.random.default_rng(0)


def test_nearest_minimum_matches_a_brute_force_loop():
    minima = [(3.0, 2.0), (-2.8, 3.1), (-3.8, -3.3), (3.6, -1.8)]
    points = RNG.uniform(-5, 5, size=(7, 9, 2))
    idx, dist = analysis.nearest_minimum(points, minima)
    for i in range(7):
        for j in range(9):
            d = [math.dist(points[i, j], m) for m in minima]
            assert idx[i, j] == int(np.argmin(d))
            assert dist[i, j] == pytest.approx(min(d))


def test_nearest_minimum_without_minima_is_minus_one_and_nan():
    idx, dist = analysis.nearest_minimum(np.zeros((3, 2)), ())
    assert (idx == -1).all() and np.isnan(dist).all()


def test_basins_radius_and_divergence():
    minima = [(0.0, 0.0), (1.0, 1.0)]
    final = np.array([[0.01, 0.0], [0.9, 1.0], [0.5, 0.5], [1.0, 1.0]])
    out = analysis.basins(final, minima, reach=0.05, diverged_at=np.array([-1, -1, -1, 7]))
    assert out.tolist() == [0, -1, -1, -1]  # 0.1 away is outside; a diverged path reaches none
    assert analysis.converged_share(out) == 0.25
    assert analysis.radius(((-1.0, 2.0), (0.0, 4.0))) == pytest.approx(0.02 * 5.0)


def test_loss_gap_with_and_without_a_known_minimum():
    losses = np.array([[4.0, 3.0, 3.0]])
    gap, title, log = analysis.loss_gap(losses, 3.0)
    assert log and "f*" in title
    np.testing.assert_allclose(gap, [[1.0 + 1e-12, 1e-12, 1e-12]])
    assert (gap > 0).all()
    sym, title, log = analysis.loss_gap(np.array([-99.0, 0.0, 9.0, np.inf, np.nan]), -math.inf)
    assert not log and "sign" in title
    np.testing.assert_allclose(sym[:3], [-2.0, 0.0, 1.0])
    assert np.isfinite(sym).all()


def test_steps_to_tolerance_is_the_first_step_within():
    losses = np.array([[5.0, 2.0, 1.05, 1.2, 1.001], [9.0, 9.0, 9.0, 9.0, 9.0]])
    out = analysis.steps_to_tolerance(losses, 1.0, 0.1)
    assert out.tolist() == [2, -1]
    assert analysis.steps_to_tolerance(losses, -math.inf, 0.1).tolist() == [-1, -1]


def test_summary_of_a_real_run():
    s = surfaces.get("himmelblau")
    opts = [optimizers.create("adam", lr=0.1), optimizers.create("sgd", lr=0.5)]
    run = trajectories.run(s, opts, [s.start], 200)
    rows = analysis.summary(
        run.labels, run.paths, run.losses, run.diverged_at, s.minima, s.min_value,
        analysis.radius(s.bounds), tol=1e-6,
    )  # fmt: skip
    adam, sgd = rows
    assert adam.label == "adam" and adam.diverged_at == -1
    assert adam.final_loss == pytest.approx(run.losses[0, 0, -1])
    assert adam.best_loss == pytest.approx(run.losses[0, 0].min())
    reached = int(np.argmin([math.dist(run.paths[0, 0, -1], m) for m in s.minima]))
    assert adam.minimum == reached
    first = np.nonzero(run.losses[0, 0] <= 1e-6)[0]
    assert adam.steps_to_tol == (int(first[0]) if first.size else -1)
    assert sgd.diverged_at > 0 and sgd.minimum == -1


def test_sweep_scores_and_best_index():
    losses = np.array([[3.0, 2.0, 1.5], [3.0, 1.0, 0.5], [3.0, 9.0, 1e30]])
    div = np.array([-1, -1, 2])
    final = analysis.sweep_scores(losses, div, 0.5, "final")
    np.testing.assert_allclose(final[:2], [1.0, 0.0])
    assert final[2] == np.inf
    mean = analysis.sweep_scores(losses, div, 0.5, "mean")
    assert mean[0] == pytest.approx(np.mean([3.0, 2.0, 1.5]) - 0.5)
    assert analysis.best_index(final) == 1
    assert analysis.best_index(np.array([np.inf, np.inf])) == -1
    with pytest.raises(ValueError, match="metric"):
        analysis.sweep_scores(losses, div, 0.0, "median")


def test_start_grid_and_frame_steps():
    g = analysis.start_grid(((-1.0, 1.0), (0.0, 4.0)), 3, inset=0.0)
    assert g.shape == (9, 2)
    assert g[0].tolist() == [-1.0, 0.0] and g[2].tolist() == [1.0, 0.0] and g[-1].tolist() == [1, 4]
    f = analysis.frame_steps(300, 100)
    assert f[0] == 0 and f[-1] == 300 and len(f) <= 100 and (np.diff(f) > 0).all()
    assert analysis.frame_steps(10).tolist() == list(range(11))


def test_bias_corrected_moments_match_torch_adams_own_step():
    # Oracle: torch.optim.Adam's step is lr * m_hat / (sqrt(v_hat) + eps); recover it from ours.
    s = surfaces.get("beale")
    betas, lr, eps = (0.8, 0.95), 0.05, 1e-8
    run = trajectories.run(
        s, [optimizers.create("adam", lr=lr, betas=betas, eps=eps)], [s.start], 20
    )
    hat = analysis.bias_corrected(run.states[0], betas)
    step = lr * hat["m_hat"][0, 1:] / (np.sqrt(hat["v_hat"][0, 1:]) + eps)
    np.testing.assert_allclose(-np.diff(run.paths[0, 0], axis=0), step, rtol=1e-9, atol=1e-12)
    p = torch.nn.Parameter(torch.tensor(s.start, dtype=torch.float64))
    opt = torch.optim.Adam([p], lr=lr, betas=betas, eps=eps)
    for _ in range(20):
        opt.zero_grad()
        s.f(p).backward()
        opt.step()
    st = opt.state[p]
    t = 20
    np.testing.assert_allclose(hat["m_hat"][0, -1], st["exp_avg"].numpy() / (1 - betas[0] ** t))
    assert (hat["m_hat"][0, 0] == 0).all()


def test_internals_series_and_step_lengths():
    s = surfaces.get("bowl")
    run = trajectories.run(s, [optimizers.create("sgd", lr=0.1)], [s.start], 10)
    inner = analysis.internals(run.states[0], run.effective_lr()[0, 0], run.paths[0, 0])
    assert "v" not in inner  # no momentum: the buffer stays zero and is left out
    np.testing.assert_allclose(inner["log:eff"], 0.1)  # plain SGD: exactly lr
    np.testing.assert_allclose(inner["log:step"], np.abs(np.diff(run.paths[0, 0], axis=0)))
    run = trajectories.run(s, [optimizers.create("adagrad", lr=0.5)], [s.start], 10)
    inner = analysis.internals(run.states[0], run.effective_lr()[0, 0], run.paths[0, 0])
    assert (np.diff(inner["s"][:, 0]) >= 0).all()  # AdaGrad's sum only grows
    assert (np.diff(inner["log:eff"][:, 0]) <= 1e-15).all()  # so its step size only shrinks
