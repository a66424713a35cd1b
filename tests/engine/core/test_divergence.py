"""engine.core.divergence: the one module of divergence rules, and each run kind using its rule."""

from __future__ import annotations

import numpy as np
import torch

from engine import optimizers, surfaces
from engine.core import divergence
from engine.nets import datasets, race, training
from engine.nets.networks import MLPConfig


def test_path_rule_is_region_widths_from_the_centre():
    center, limit = divergence.path_limits(((-2.0, 2.0), (0.0, 1.0)))
    np.testing.assert_array_equal(center, [0.0, 0.5])
    np.testing.assert_array_equal(limit, [4000.0, 1000.0])
    pts = np.array([[3999.0, 0.0], [4001.0, 0.0], [0.0, -1000.0], [np.nan, 0.0], [0.0, np.inf]])
    assert divergence.path_inside(pts, center, limit).tolist() == [True, False, False, False, False]


def test_race_rule_is_a_multiple_of_the_first_loss_with_a_floor():
    first = torch.tensor([1.0, 1e-5])
    limit = divergence.race_limit(first)
    torch.testing.assert_close(limit, torch.tensor([100.0, 1.0]))
    loss = torch.tensor([100.0, 1.5])
    assert divergence.race_ok(loss, limit).tolist() == [True, False]
    assert not divergence.race_ok(torch.tensor([float("nan"), 0.0]), limit)[0]
    # An infinite first loss makes an infinite limit: an infinite loss is still not ok.
    inf = float("inf")
    assert not divergence.race_ok(torch.tensor([inf]), torch.tensor([inf]))[0]


def test_finite_is_isfinite():
    inf, nan = float("inf"), float("nan")
    for dtype in (torch.float32, torch.float64, torch.float16):
        x = torch.tensor([0.0, -0.0, 1e-30, -3.5, 6e4, inf, -inf, nan], dtype=dtype)
        assert torch.equal(divergence.finite(x), torch.isfinite(x)), dtype


def test_training_rule_is_non_finite_only():
    assert divergence.training_ok(np.array([1e30, 0.5]))  # a spike is not divergence
    assert not divergence.training_ok(np.array([np.inf, 0.5]))


def test_each_kind_of_run_follows_its_rule():
    # A 2D path that flies off is stopped where it leaves the limits, long before overflow.
    s = surfaces.get("bowl")
    run = surfaces.trajectories.run(s, [optimizers.create("sgd", lr=5.0)], [s.start], 60)
    d = int(run.diverged_at[0, 0])
    center, limit = divergence.path_limits(s.bounds)
    assert d > 0 and np.isfinite(run.paths).all()
    assert divergence.path_inside(run.paths[0, 0, :d], center, limit).all()
    # The same exploding network: the race stops it at 100x its first loss, training does not.
    split = datasets.split(*datasets.make("moons", n=200, seed=0, device="cpu"), 0.25, seed=0)
    cfg = MLPConfig(2, 2, 3, 32, "relu")
    adam = optimizers.create("adam", lr=10.0)
    raced = race.race(cfg, split, [adam], 40, device="cpu")
    k = int(raced.diverged_at[0])
    assert k > 0
    alone = training.train(cfg, split, adam, k + 1, device="cpu")
    assert alone.diverged_at == -1 and alone.train_loss[k] > 100 * alone.train_loss[0]
