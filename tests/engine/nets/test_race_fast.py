"""engine.nets.race_fast: the race's hand-written step for a plain ReLU MLP on cross-entropy.

Its loss, logits and gradient equal autograd's through ``torch.func`` (vmap of functional_call,
the race's general path), and a race that takes it trains like one that does not, and like
sequential torch.optim.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.func import functional_call, stack_module_state, vmap

from engine import optimizers
from engine.nets import datasets, losses, networks, race, race_fast
from engine.nets import stacked as stacked_module
from engine.nets.networks import MLPConfig


@pytest.fixture(scope="module")
def data():
    return datasets.make("spirals", n=300, noise=0.1, seed=0, classes=3, device="cpu")


def _stacked(cfg, K=3):
    """K models from different seeds (so their gradients differ), as the race lays them out."""
    models = [networks.build(cfg, seed, "cpu").train() for seed in range(K)]
    layout = stacked_module.Layout(models[0])
    stacked, _ = stack_module_state(models)
    return models[0], layout, layout.flatten(stacked)


@pytest.mark.parametrize("residual", [False, True])
def test_loss_logits_and_gradient_equal_autograds(data, residual):
    X, y = data
    cfg = MLPConfig(2, 3, 3, 16, "relu", residual=residual)
    model, layout, flat = _stacked(cfg)
    by_hand = race_fast.value_and_grad(model, layout, "ce")
    assert by_hand is not None
    logits, value, grad = by_hand(flat, X, y)

    def loss_of(row):
        z = functional_call(model, layout.unflatten(row), (X,))
        return F.cross_entropy(z, y), z

    leaf = flat.clone().requires_grad_(True)
    expected, z = vmap(loss_of)(leaf)
    (g,) = torch.autograd.grad(expected.sum(), leaf)
    torch.testing.assert_close(value, expected.detach(), rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(logits, z.detach(), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(grad, g, rtol=1e-5, atol=1e-7)
    assert logits.shape == (3, len(X), 3)
    # Each model's accuracy as the single-model formula counts it, on the race's own layout.
    for k in range(3):
        expected_acc = losses.accuracy("ce", z[k].detach(), y)
        assert stacked_module.accuracy(logits, y)[k] == expected_acc


def test_targets_other_than_class_indices_are_refused(data):
    X, y = data
    model, layout, flat = _stacked(MLPConfig(2, 3, 2, 8, "relu"))
    by_hand = race_fast.value_and_grad(model, layout, "ce")
    with pytest.raises(ValueError, match="class indices"):
        by_hand(flat, X, F.one_hot(y, 3).float())


def test_a_new_batch_of_targets_is_not_mistaken_for_the_last_one(data):
    """The class index is kept between calls for one batch's targets: another batch's (a
    mini-batch) gets its own, and so its own loss."""
    X, y = data
    model, layout, flat = _stacked(MLPConfig(2, 3, 2, 8, "relu"))
    by_hand = race_fast.value_and_grad(model, layout, "ce")
    shifted = (y + 1) % 3
    _, first, _ = by_hand(flat, X, y)
    _, other, _ = by_hand(flat, X, shifted)
    _, again, _ = by_hand(flat, X, y)
    fresh = race_fast.value_and_grad(model, layout, "ce")
    torch.testing.assert_close(other, fresh(flat, X, shifted)[1], rtol=0, atol=0)
    torch.testing.assert_close(again, first, rtol=0, atol=0)
    assert not torch.equal(first, other)


def test_the_stacked_accuracy_breaks_ties_as_argmax_does():
    """The first of equal largest logits is the prediction, as argmax has it: a network whose
    logits are all equal (a dead one: its output is its bias) predicts class 0."""
    y = torch.tensor([0, 1, 2, 1])
    tied = torch.zeros(2, 4, 3)  # every class equal
    tied[1, :, 1:] = 1.0  # classes 1 and 2 tie above class 0
    expected = [float((z.argmax(-1) == y).float().mean()) for z in tied]
    assert stacked_module.accuracy(tied, y).tolist() == expected == [0.25, 0.5]
    # The same on a transposed view, the race's layout.
    view = tied.transpose(1, 2).contiguous().transpose(1, 2)
    assert not view.is_contiguous()
    assert stacked_module.accuracy(view, y).tolist() == expected


@pytest.mark.parametrize(
    ("cfg", "loss"),
    [
        (MLPConfig(2, 3, 2, 8, "tanh"), "ce"),
        (MLPConfig(2, 3, 2, 8, "relu", batchnorm=True), "ce"),
        (MLPConfig(2, 3, 2, 8, "relu", dropout=0.1), "ce"),
        (MLPConfig(2, 3, 2, 8, "relu"), "mse"),
        (MLPConfig(2, 1, 2, 8, "relu"), "ce"),
    ],
)
def test_other_networks_and_losses_go_through_autograd(cfg, loss):
    model, layout, _ = _stacked(cfg, 1)
    assert race_fast.value_and_grad(model, layout, loss) is None


@pytest.mark.parametrize("batch_size", [None, 64])
def test_a_race_by_hand_equals_the_general_path(data, monkeypatch, batch_size):
    X, y = data
    split = datasets.split(X, y, 0.25, seed=0)
    cfg = MLPConfig(2, 3, 3, 16, "relu")
    opts = [optimizers.create("sgd", lr=0.1), optimizers.create("adam", lr=0.01)]
    fast = race.race(cfg, split, opts, 20, batch_size=batch_size, device="cpu")
    monkeypatch.setattr(stacked_module, "FAST_PATH", False)
    general = race.race(cfg, split, opts, 20, batch_size=batch_size, device="cpu")
    for field in race.FIELDS:
        np.testing.assert_allclose(
            getattr(fast, field), getattr(general, field), rtol=1e-5, atol=1e-6
        )
    np.testing.assert_allclose(fast.grad_norms, general.grad_norms, rtol=1e-4, atol=1e-6)


def test_the_race_pages_default_matches_sequential_torch_optim(data):
    # The race page's default network and optimizers: the case the hand-written step is for.
    X, y = data
    cfg = MLPConfig(2, 3, 3, 32, "relu")
    setup = {
        "sgd": (0.05, lambda p, lr: torch.optim.SGD(p, lr=lr)),
        "momentum": (0.01, lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9)),
        "adagrad": (0.02, lambda p, lr: torch.optim.Adagrad(p, lr=lr)),
        "rmsprop": (0.001, lambda p, lr: torch.optim.RMSprop(p, lr=lr)),
        "adam": (0.003, lambda p, lr: torch.optim.Adam(p, lr=lr)),
    }
    opts = [optimizers.create(name, lr=lr) for name, (lr, _) in setup.items()]
    res = race.race(cfg, (X, y), opts, 30, device="cpu")
    for k, (lr, make) in enumerate(setup.values()):
        model = networks.build(cfg, 0, "cpu").train()
        opt = make(model.parameters(), lr)
        curve = []
        for _ in range(30):
            opt.zero_grad()
            loss = F.cross_entropy(model(X), y)
            curve.append(loss.item())
            loss.backward()
            opt.step()
        np.testing.assert_allclose(res.train_loss[k], curve, rtol=1e-5, atol=1e-6)
