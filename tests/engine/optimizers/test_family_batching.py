"""The newer optimizers batched: hyperparameter sweeps as one state, in trajectories and the race.

A row of a batched run (hyperparameters as (k,) tensors) equals a separate run with that row's
values: batch_dims=1 is a stack of models (the race), batch_dims=2 a grid of 2D points (the
surfaces), where Muon, Adafactor, LAMB, SWATS and Prodigy take each point as one vector.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.testing import assert_close

from engine import optimizers, surfaces
from engine.nets import datasets, race, training
from engine.nets.networks import MLPConfig
from engine.optimizers import grouping
from engine.surfaces import trajectories
from tests.engine.optimizers.test_family import NEW, run_ours
from tests.engine.optimizers.test_optimizers import F64, as_batch, grads_for

# One sweep over lr and one over another setting per optimizer.
SWEEPS = [
    ("adabound", "lr", [1e-3, 1e-2, 0.1], {"amsbound": True}),
    ("adabound", "final_lr", [0.01, 0.1, 1.0], {}),
    ("swats", "lr", [1e-3, 1e-2, 0.1], {}),
    ("swats", "betas", [(0.5, 0.9), (0.9, 0.99), (0.95, 0.999)], {"nesterov": True}),
    ("lookahead", "lr", [1e-3, 1e-2, 0.1], {}),
    ("lookahead", "k", [1.0, 3.0, 5.0], {"optimizer": "muon", "alpha": 0.3}),
    ("lamb", "lr", [1e-3, 1e-2, 0.1], {"weight_decay": 0.1}),
    ("lamb", "eps", [1e-6, 1e-3, 1e-1], {"decoupled_weight_decay": False}),
    ("prodigy", "lr", [0.1, 1.0, 2.0], {}),
    ("prodigy", "d_coef", [0.1, 1.0, 3.0], {"weight_decay": 0.1, "safeguard_warmup": True}),
    ("rprop", "lr", [1e-3, 1e-2, 0.1], {}),
    ("rprop", "etas", [(0.5, 1.2), (0.3, 1.5), (0.9, 1.1)], {}),
    ("lion", "lr", [1e-4, 1e-3, 1e-2], {"weight_decay": 0.1}),
    ("lion", "betas", [(0.5, 0.9), (0.9, 0.99), (0.95, 0.999)], {}),
    ("muon", "lr", [1e-3, 1e-2, 0.1], {}),
    ("muon", "momentum", [0.0, 0.5, 0.95], {"eps": 1e-3}),
    ("adafactor", "lr", [1e-3, 1e-2, 0.1], {"weight_decay": 0.1}),
    ("adafactor", "beta2_decay", [-0.3, -0.8, -1.0], {}),
    ("sf_adamw", "lr", [1e-3, 1e-2, 0.1], {"weight_decay": 0.1}),
    ("sf_adamw", "warmup_steps", [0.0, 5.0, 20.0], {"r": 1.0}),
]


def test_the_sweeps_cover_every_new_optimizer():
    assert {s[0] for s in SWEEPS} == set(NEW)


def as_hyper(key, values):
    return {key: as_batch(values) if key != "k" else torch.tensor(values, dtype=F64)}


@pytest.mark.parametrize("kind", ["models", "dict", "points"])
@pytest.mark.parametrize(("name", "key", "values", "extra"), SWEEPS, ids=lambda x: str(x))
def test_batched_rows_equal_separate_runs(name, key, values, extra, kind):
    gen = torch.Generator().manual_seed(7)
    shape = {"models": (3, 5, 3), "dict": (3, 4, 3), "points": (3, 4, 2)}[kind]
    params = torch.randn(*shape, generator=gen, dtype=F64)
    if kind == "dict":
        params = {"w": params, "b": torch.randn(3, 3, generator=gen, dtype=F64)}
    grads = grads_for(params, seed=2)
    bd = 2 if kind == "points" else 1
    batched, _ = run_ours(name, {**as_hyper(key, values), **extra}, params, grads, batch_dims=bd)

    def at(x, *i):
        return {k: v[i] for k, v in x.items()} if isinstance(x, dict) else x[i]

    for b, value in enumerate(values):
        hyper = {key: value, **extra}
        if kind != "points":
            single, _ = run_ours(name, hyper, at(params, b), [at(g, b) for g in grads])
            assert_close(at(batched, b), single, atol=1e-12, rtol=0)
            continue
        for s in range(shape[1]):
            single, _ = run_ours(name, hyper, params[b, s], [g[b, s] for g in grads])
            assert_close(batched[b, s], single, atol=1e-12, rtol=0)


@pytest.mark.parametrize("name", NEW)
def test_an_lr_sweep_is_one_state_in_trajectories(name):
    s = surfaces.get("rosenbrock")
    lrs = [0.3 * optimizers.traits(name).lr["surface"], optimizers.traits(name).lr["surface"]]
    opts = [optimizers.create(name, lr=lr) for lr in lrs]
    groups = grouping.group_optimizers(opts, torch.float64, torch.device("cpu"))
    assert len(groups) == 1 and isinstance(groups[0][0].hyper["lr"], torch.Tensor)
    starts = [s.start, (0.5, -0.5)]
    run = trajectories.run(s, opts, starts, 40, device="cpu")
    assert np.isfinite(run.paths).all()
    for k, o in enumerate(opts):
        alone = trajectories.run(s, [o], starts, 40, device="cpu")
        np.testing.assert_allclose(run.paths[k], alone.paths[0], atol=1e-12, rtol=0)
        for field, history in run.states[k].items():
            expected = (41,) if field == "t" else (2, 41, 2)
            assert history.shape == expected, field


def test_lookaheads_group_by_their_inner_optimizer():
    opts = [
        optimizers.create("lookahead", optimizer="sgd", lr=0.01),
        optimizers.create("lookahead", optimizer="adam", lr=0.1),
        optimizers.create("lookahead", optimizer="sgd", lr=0.001),
    ]
    groups = grouping.group_optimizers(opts, torch.float64, torch.device("cpu"))
    assert sorted(idx for _, idx in groups) == [[0, 2], [1]]
    s = surfaces.get("beale")
    run = trajectories.run(s, opts, [s.start], 30, device="cpu")
    for k, o in enumerate(opts):
        alone = trajectories.run(s, [o], [s.start], 30, device="cpu")
        np.testing.assert_allclose(run.paths[k], alone.paths[0], atol=1e-12, rtol=0)


SPIRALS = MLPConfig(2, 2, 4, 64, "relu", "kaiming_normal")


@pytest.fixture(scope="module")
def spirals():
    X, y = datasets.make("spirals", n=300, seed=0, device="cpu")
    return datasets.split(X, y, 0.25, seed=0)


@pytest.fixture(scope="module")
def muon_vs_adamw(spirals):
    opts = [optimizers.create("muon", lr=0.02), optimizers.create("adamw", lr=0.01)]
    return race.race(SPIRALS, spirals, opts, steps=60, seed=0, device="cpu")


def test_muon_races_adamw_from_the_same_weights(muon_vs_adamw):
    res = muon_vs_adamw
    assert res.names == ["muon", "adamw"]
    assert res.train_loss[0, 0] == res.train_loss[1, 0]  # same network, seed and batch
    assert (res.diverged_at == -1).all() and np.isfinite(res.train_loss).all()


def test_muon_trains_the_4x64_mlp_on_spirals(muon_vs_adamw):
    res = muon_vs_adamw
    untrained = res.train_loss[0, 0]
    assert res.train_loss[0, -10:].mean() < 0.8 * untrained
    assert res.test_loss[0, -1] < untrained


def test_every_new_optimizer_runs_in_the_race():
    X, y = datasets.make("moons", n=120, seed=0, device="cpu")
    cfg = MLPConfig(2, 2, 2, 8, "tanh", "xavier_normal")
    opts = [optimizers.create(n) for n in NEW] + [optimizers.create("lookahead", optimizer="muon")]
    res = race.race(cfg, (X, y), opts, steps=15, seed=0, device="cpu")
    assert (res.diverged_at == -1).all()
    assert np.isfinite(res.train_loss).all() and np.isfinite(res.grad_norms).all()
    for k in range(len(opts)):  # everyone moved off the shared start
        moved = [not torch.equal(v[k], v[0]) or k == 0 for v in res.params.values()]
        assert any(moved)


@pytest.mark.parametrize("name", ["muon", "adafactor", "lamb", "swats", "prodigy", "lookahead"])
def test_a_race_sweep_equals_separate_races(name):
    """The shape-aware optimizers step the race's (K, out, in) tensors: K models at once equal
    K races of one (float32: equal up to rounding over a few steps)."""
    X, y = datasets.make("moons", n=120, seed=0, device="cpu")
    cfg = MLPConfig(2, 2, 2, 8, "tanh", "xavier_normal")
    extra = {"optimizer": "muon"} if name == "lookahead" else {}
    lrs = [0.5 * optimizers.traits(name).lr["surface"], optimizers.traits(name).lr["surface"]]
    opts = [optimizers.create(name, lr=lr, **extra) for lr in lrs]
    both = race.race(cfg, (X, y), opts, steps=10, seed=0, device="cpu")
    for k, o in enumerate(opts):
        alone = race.race(cfg, (X, y), [o], steps=10, seed=0, device="cpu")
        np.testing.assert_allclose(both.train_loss[k], alone.train_loss[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["muon", "adafactor", "lamb", "swats"])
def test_the_race_gives_shape_aware_optimizers_the_weight_matrices(name, spirals):
    """engine.nets.training steps a {name: tensor} dict of one network's real weights; the race's
    batched (K, out, in) tensors must give the same curve (on flat rows, Muon would normalise
    the whole network as one vector and LAMB take one trust ratio for it)."""
    cfg = MLPConfig(2, 2, 2, 16, "tanh", "xavier_normal")
    o = optimizers.create(name, lr=optimizers.traits(name).lr["surface"] / 10)
    res = race.race(cfg, spirals, [o], 15, batch_size=64, seed=3, device="cpu")
    hist = training.train(cfg, spirals, o, 15, batch_size=64, seed=3, device="cpu")
    np.testing.assert_allclose(res.train_loss[0], hist.train_loss, rtol=1e-5, atol=1e-6)
