"""engine.nets.race: the batched race against torch.optim loops, separate races and engine.nets.training."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine import optimizers
from engine.core.divergence import RACE_EXPLODE
from engine.nets import batches, datasets, networks, race, race_summary, sweeps, training
from engine.nets import stacked as stacked_module
from engine.nets.networks import MLPConfig

CFG = MLPConfig(2, 2, 3, 16, "tanh", "xavier_normal")
TORCH = {
    "sgd": lambda p, lr: torch.optim.SGD(p, lr=lr),
    "momentum": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
    "nesterov": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True),
    "adagrad": lambda p, lr: torch.optim.Adagrad(p, lr=lr),
    "rmsprop": lambda p, lr: torch.optim.RMSprop(p, lr=lr),
    "adam": lambda p, lr: torch.optim.Adam(p, lr=lr),
}
LRS = {
    "sgd": 0.1,
    "momentum": 0.05,
    "nesterov": 0.05,
    "adagrad": 0.05,
    "rmsprop": 0.003,
    "adam": 0.01,
}


@pytest.fixture(scope="module")
def split():
    X, y = datasets.make("moons", n=240, seed=0, device="cpu")
    return datasets.split(X, y, 0.25, seed=0)


def reference(cfg, split, name, lr, steps, batch_size=None, seed=0, test=None):
    """One model, one torch.optim optimizer, the same batches as engine.nets.training.

    With a ``test`` list, the test loss is appended after each forward (so after BatchNorm
    updated its running statistics), in eval mode, before the update: the race's convention.
    """
    model = networks.build(cfg, seed, "cpu").train()
    opt = TORCH[name](model.parameters(), lr)
    curve = []
    for idx in batches.batch_indices(len(split.X_train), batch_size, steps, seed):
        xb, yb = (
            (split.X_train, split.y_train)
            if idx is None
            else (split.X_train[idx], split.y_train[idx])
        )
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        curve.append(loss.item())
        if test is not None:
            model.eval()
            with torch.no_grad():
                test.append(F.cross_entropy(model(split.X_test), split.y_test).item())
            model.train()
        loss.backward()
        opt.step()
    return np.array(curve), model


def test_all_models_start_from_the_same_weights(split):
    opts = [optimizers.create(n, lr=0.0) for n in ("sgd", "adam", "rmsprop")]
    res = race.race(CFG, split, opts, 3, device="cpu")
    start = networks.build(CFG, 0, "cpu").state_dict()
    for name, stacked in res.params.items():
        assert stacked.shape[0] == 3
        for k in range(3):
            torch.testing.assert_close(stacked[k], start[name], rtol=0, atol=0)
    # Same weights and same batch: the first measured loss is identical across the race.
    assert np.all(res.train_loss[:, 0] == res.train_loss[0, 0])


@pytest.mark.parametrize("batch_size", [None, 32])
def test_race_matches_sequential_torch_optim(split, batch_size):
    names = list(TORCH)
    opts = [optimizers.create(n, lr=LRS[n]) for n in names]
    res = race.race(CFG, split, opts, 40, batch_size=batch_size, device="cpu")
    assert res.labels == names and res.train_loss.shape == (len(names), 40)
    for k, name in enumerate(names):
        curve, model = reference(CFG, split, name, LRS[name], 40, batch_size)
        # The first steps agree to rounding (seen: 2e-7), where a 0.1 % change in any lr
        # already moves the loss by 3e-4. Later, Adagrad's small accumulators amplify the two
        # loops' rounding (seen: 3e-5 by step 40, differing with the CPU's kernels), so the
        # whole curve gets 1e-3 (30x that drift; a 1 % lr change still moves it by 4e-3).
        np.testing.assert_allclose(res.train_loss[k, :10], curve[:10], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(res.train_loss[k], curve, rtol=1e-3, atol=1e-5)
        for pname, p in model.named_parameters():
            torch.testing.assert_close(res.params[pname][k], p.detach(), rtol=1e-3, atol=1e-4)
    assert np.all(res.diverged_at == -1)


def test_batchnorm_keeps_running_statistics_per_model(split):
    cfg = MLPConfig(2, 2, 2, 8, "relu", batchnorm=True)
    opts = [optimizers.create("sgd", lr=0.1), optimizers.create("adam", lr=0.01)]
    res = race.race(cfg, split, opts, 15, batch_size=32, device="cpu")
    for k, name in enumerate(["sgd", "adam"]):
        lr = 0.1 if name == "sgd" else 0.01
        test = []
        curve, model = reference(cfg, split, name, lr, 15, 32, test=test)
        np.testing.assert_allclose(res.train_loss[k], curve, rtol=1e-4, atol=1e-5)
        # The Linear layers before a BatchNorm have no bias (its gradient would be rounding
        # noise, which Adam scales up to lr-sized steps: 3 % apart after 15 steps, differently
        # on each CPU). So every buffer, and the test loss measured in eval mode on those
        # running statistics, agree to rounding for Adam as for SGD (seen: 3e-6 and 3e-7).
        for bname, b in model.named_buffers():
            torch.testing.assert_close(res.buffers[bname][k], b, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(res.test_loss[k], test, rtol=1e-4, atol=1e-5)
    assert not np.allclose(
        res.buffers["norms.0.running_mean"][0], res.buffers["norms.0.running_mean"][1]
    )


def test_single_optimizer_race_equals_engine_training(split):
    opt = optimizers.create("momentum", lr=0.05)
    res = race.race(CFG, split, [opt], 25, batch_size=40, seed=3, device="cpu")
    hist = training.train(CFG, split, opt, 25, batch_size=40, seed=3, device="cpu")
    for field in race.FIELDS:
        np.testing.assert_allclose(
            getattr(res, field)[0], getattr(hist, field), rtol=1e-5, atol=1e-6
        )
    np.testing.assert_allclose(res.grad_norms[0], hist.grad_norms, rtol=1e-4, atol=1e-6)


def test_lr_sweep_equals_separate_races(split):
    lrs = [1e-3, 1e-2, 1e-1]
    sweep = sweeps.lr_sweep(
        CFG, split, [("adam", {}), ("sgd", {"momentum": 0.5})], lrs, 20, device="cpu"
    )
    assert sweep.final_loss.shape == (2, 3)
    for o, (name, hyper) in enumerate([("adam", {}), ("sgd", {"momentum": 0.5})]):
        for j, lr in enumerate(lrs):
            alone = race.race(
                CFG, split, [optimizers.create(name, lr=lr, **hyper)], 20, device="cpu"
            )
            np.testing.assert_allclose(
                sweep.result.train_loss[o * 3 + j], alone.train_loss[0], rtol=1e-5, atol=1e-6
            )
            net = alone.network(0)
            with torch.no_grad():
                final = F.cross_entropy(net(split.X_train), split.y_train).item()
            assert sweep.final_loss[o, j] == pytest.approx(final, rel=1e-5)
    # Adam's sweep shares one batched state: the three lrs are one group.
    assert sweep.result.labels[0] == "adam (lr=0.001)"


def test_a_diverging_optimizer_is_frozen_and_the_others_go_on(split):
    opts = [optimizers.create("sgd", lr=1e4), optimizers.create("adam", lr=0.01)]
    cfg = MLPConfig(2, 2, 3, 16, "relu")
    res = race.race(cfg, split, opts, 30, device="cpu")
    alone = race.race(cfg, split, opts[1:], 30, device="cpu")
    k = int(res.diverged_at[0])
    assert 0 < k < 30 and res.diverged_at[1] == -1
    assert np.isfinite(res.curve("train_loss", 0)).all() and len(res.curve("train_loss", 0)) == k
    assert np.isnan(res.train_loss[0, k:]).all()
    assert all(torch.isfinite(p[0]).all() for p in res.params.values())
    np.testing.assert_allclose(res.train_loss[1], alone.train_loss[0], rtol=1e-5, atol=1e-6)
    assert race_summary.summary(res, 0.3)[0]["diverged at"] == k


def test_an_exploding_loss_counts_as_divergence(split):
    # Cross-entropy on ReLU logits grows without overflowing; past 100x its start it is out.
    cfg = MLPConfig(2, 2, 3, 32, "relu")
    res = race.race(cfg, split, [optimizers.create("adam", lr=10.0), "adam"], 40, device="cpu")
    k = int(res.diverged_at[0])
    assert k > 0 and res.diverged_at[1] == -1
    first = res.train_loss[0, 0]
    assert res.curve("train_loss", 0).max() <= RACE_EXPLODE * first
    curve, _ = reference(cfg, split, "adam", 10.0, k + 1)  # torch.optim, unchecked
    np.testing.assert_allclose(curve[:k], res.curve("train_loss", 0), rtol=1e-3)
    assert not curve[k] <= RACE_EXPLODE * first  # step k exploded (or overflowed)


@pytest.mark.parametrize("residual", [False, True])
def test_hand_batched_forward_equals_vmap_functional_call(split, monkeypatch, residual):
    cfg = MLPConfig(2, 2, 3, 16, "gelu", residual=residual)
    opts = [optimizers.create("sgd", lr=0.1), optimizers.create("adam", lr=0.01)]
    fast = race.race(cfg, split, opts, 15, batch_size=32, device="cpu")
    monkeypatch.setattr(stacked_module, "FAST_PATH", False)
    general = race.race(cfg, split, opts, 15, batch_size=32, device="cpu")
    for field in race.FIELDS:
        np.testing.assert_allclose(
            getattr(fast, field), getattr(general, field), rtol=1e-5, atol=1e-6
        )
    # Gradient norms are float32 reductions over gradients that the two paths round apart
    # on every step (seen: 1.4e-6 relative, not growing): 1e-4 keeps them off the edge.
    np.testing.assert_allclose(fast.grad_norms, general.grad_norms, rtol=1e-4, atol=1e-6)


def test_dropout_masks_are_the_same_for_every_model(split):
    cfg = MLPConfig(2, 2, 2, 16, "relu", dropout=0.5)
    opts = [optimizers.create("adam", lr=0.01)] * 2 + [optimizers.create("adam", lr=0.02)]
    res = race.race(cfg, split, opts, 10, device="cpu")
    np.testing.assert_array_equal(res.train_loss[0], res.train_loss[1])
    res2 = race.race(cfg, split, opts, 10, device="cpu")
    np.testing.assert_array_equal(res.train_loss, res2.train_loss)  # seeded


def test_callback_can_stop_and_sees_partial_results(split):
    seen = []

    def callback(step, partial):
        seen.append((step, partial.steps))
        return step < 4

    res = race.race(
        CFG, split, ["sgd", "adam"], 50, callback=callback, device="cpu", callback_every=2
    )
    assert res.stopped and res.steps == 6
    assert seen == [(0, 1), (1, 2), (3, 4), (5, 6)]


def test_decision_grids_match_each_network(split):
    res = race.race(CFG, split, ["sgd", "adam"], 5, device="cpu")
    xs, ys, probs = race_summary.decision_grids(res, ((-2, 3), (-1.5, 2)), n=7)
    assert probs.shape == (2, 7, 7, 2)
    point = torch.tensor([[xs[3], ys[5]]])
    for k in range(2):
        with torch.no_grad():
            expected = torch.softmax(res.network(k)(point), 1)[0].numpy()
        np.testing.assert_allclose(probs[k, 5, 3], expected, rtol=1e-5, atol=1e-6)


def test_summary_and_csv(split):
    res = race.race(CFG, split, ["sgd", "adam"], 10, device="cpu")
    rows = race_summary.summary(res, target_loss=float(res.train_loss[1, 4]))
    assert rows[1]["steps to target"] <= 4
    assert rows[1]["best accuracy"] == pytest.approx(np.max(res.test_acc[1]))
    assert rows[1]["seconds to target"] == pytest.approx(res.wall_time[rows[1]["steps to target"]])
    text = race_summary.curves_csv(res)
    lines = text.strip().splitlines()
    assert lines[0].startswith("optimizer,step,seconds,train_loss,train_acc,test_loss")
    assert len(lines) == 1 + 2 * 10
    assert float(lines[1].split(",")[3]) == pytest.approx(res.train_loss[0, 0], rel=1e-6)


def test_validation(split):
    with pytest.raises(ValueError, match="at least one"):
        race.race(CFG, split, [], 5)
    with pytest.raises(ValueError, match="Invalid steps"):
        race.race(CFG, split, ["sgd"], 0)
    with pytest.raises(ValueError, match="Too many optimizers"):
        race.race(CFG, split, ["sgd"] * (race.MAX_MODELS + 1), 5)
    with pytest.raises(ValueError, match="Unknown optimizer"):
        race.race(CFG, split, ["nope"], 5)


def test_training_and_the_race_do_not_import_each_other():
    import grimp

    graph = grimp.build_graph("engine")
    for a, b in (
        ("engine.nets.training", "engine.nets.race"),
        ("engine.nets.race", "engine.nets.training"),
    ):
        assert graph.find_shortest_chain(importer=a, imported=b) is None, (a, b)
