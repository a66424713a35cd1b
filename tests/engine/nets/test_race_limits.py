"""engine.nets.race, sweeps, race_summary and race_cost: stopping at any step, sweep sizes, run-time estimates."""

from __future__ import annotations

import numpy as np
import pytest

from engine.nets import datasets, race, race_cost, race_summary, sweeps
from engine.nets.networks import MLPConfig

CFG = MLPConfig(2, 2, 2, 8, "tanh", "xavier_normal")


@pytest.fixture(scope="module")
def split():
    X, y = datasets.make("moons", n=120, seed=0, device="cpu")
    return datasets.split(X, y, 0.25, seed=0)


@pytest.mark.parametrize("stop_after", [1, 7])
def test_a_race_stopped_at_any_step_is_whole_up_to_there(split, stop_after):
    res = race.race(
        CFG, split, ["sgd", "adam"], 30, device="cpu",
        callback=lambda t, partial: t + 1 < stop_after,
    )  # fmt: skip
    assert res.stopped and res.steps == stop_after
    for field in ("train_loss", "train_acc", "test_loss", "test_acc", "grad_norms"):
        assert getattr(res, field).shape[1] == stop_after
        assert np.isfinite(getattr(res, field)).all()
    assert res.wall_time.shape == (stop_after,)
    rows = race_summary.summary(res, target_loss=1e-6)
    assert [r["steps to target"] for r in rows] == [None, None]
    assert all(r["final train loss"] is not None for r in rows)
    assert race_summary.curves_csv(res).count("\n") == 1 + 2 * stop_after


def test_a_stopped_sweep_still_reports_final_losses(split):
    sweep = sweeps.lr_sweep(
        CFG, split, [("sgd", {})], [0.01, 0.1], 30, device="cpu", callback=lambda t, p: t < 3
    )
    assert sweep.result.stopped and sweep.result.steps == 4
    assert sweep.final_loss.shape == (1, 2) and np.isfinite(sweep.final_loss).all()


def test_a_sweep_over_the_limit_names_networks_not_optimizers(split):
    lrs = np.geomspace(1e-4, 1.0, 9)
    settings = [("sgd", {})] * 12
    with pytest.raises(ValueError, match=r"12 optimizers × 9 learning rates = 108 \(the limit"):
        sweeps.lr_sweep(CFG, split, settings, lrs, 5)
    sweeps.check_sweep_size(12, race.MAX_MODELS // 12)  # at the limit: fine
    with pytest.raises(ValueError, match="Too many networks"):
        sweeps.check_sweep_size(race.MAX_MODELS + 1, 1)
    with pytest.raises(ValueError, match="one network each"):
        race.race(CFG, split, ["sgd"] * (race.MAX_MODELS + 1), 5)


def test_the_estimate_grows_with_the_work():
    base = dict(config=CFG, train_rows=300, test_rows=100, steps=300, models=5)
    t = race_cost.estimate_seconds(**base)
    assert 0 < t < 10  # the default race is a live one
    assert race_cost.estimate_seconds(**{**base, "steps": 600}) == pytest.approx(2 * t)
    assert race_cost.estimate_seconds(**{**base, "models": 50}) > 2 * t
    assert race_cost.estimate_seconds(**base, batch_size=32) < t
    wide = MLPConfig(2, 3, 8, 128)
    assert race_cost.estimate_seconds(**{**base, "config": wide}) > 10 * t
    bn = MLPConfig(2, 2, 2, 8, "tanh", "xavier_normal", batchnorm=True)
    assert race_cost.estimate_seconds(**{**base, "config": bn}) > t
