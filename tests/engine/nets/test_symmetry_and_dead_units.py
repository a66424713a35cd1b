"""engine.nets.symmetry and engine.nets.dead_units: measured on trained networks, checked against
an independent torch computation (torch.optim.SGD on an nn.Sequential; a hand-written ReLU
forward pass)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from torch import nn

from engine.nets import dead_units, presets, symmetry

DATA = presets.DataSettings(n=200, steps=60)
NET = presets.NetSettings(depth=3, width=8, activation="sigmoid", loss="ce", lr=0.5)


@pytest.mark.parametrize("init", ["zeros", "constant"])
def test_a_constant_start_keeps_every_unit_a_copy(init):
    s = symmetry.measure(dataclasses.replace(NET, init=init, init_scale=0.3), DATA)
    assert np.all(s.before == 0) and np.all(s.after == 0) and np.all(s.weight_gap == 0)
    assert s.history.steps == DATA.steps


def test_a_random_start_has_distinct_units():
    s = symmetry.measure(NET, DATA)
    assert np.all(s.before > 1e-3) and np.all(s.after > 1e-3) and np.all(s.weight_gap > 1e-3)


def test_torch_optim_on_a_zero_initialised_net_also_keeps_identical_rows():
    split = presets.make_split(DATA, "cpu")
    layers = [nn.Linear(2, 8), nn.Sigmoid(), nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 2)]
    model = nn.Sequential(*layers)
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight), nn.init.zeros_(m.bias)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(DATA.steps):
        opt.zero_grad()
        nn.functional.cross_entropy(model(split.X_train), split.y_train).backward()
        opt.step()
    state = {
        "hidden.0.weight": model[0].weight.detach(),
        "hidden.1.weight": model[2].weight.detach(),
    }
    assert np.all(symmetry.row_gaps(state, 2) == 0)
    assert float(state["hidden.1.weight"].abs().min()) > 0  # every weight moved, in lockstep


def test_row_gaps_measure_the_spread_of_a_column():
    w = torch.tensor([[1.0, 2.0], [1.5, 2.0], [0.5, 2.0]])
    np.testing.assert_allclose(symmetry.row_gaps({"hidden.0.weight": w}, 1), [1.0])


DEAD = dataclasses.replace(presets.get("dead_relu").a, depth=4, width=16)
DEAD_DATA = presets.DataSettings(steps=120)


@pytest.fixture(scope="module")
def runs():
    return {lr: presets.run(dataclasses.replace(DEAD, lr=lr), DEAD_DATA) for lr in (0.05, 0.005)}


def test_a_large_learning_rate_kills_more_units(runs):
    (_, fast), (_, slow) = (dead_units.share_over_training(runs[lr]) for lr in (0.05, 0.005))
    assert fast[0] == slow[0]  # the same network at the start
    assert fast[-1] > slow[-1] + 0.1


def test_final_share_matches_a_hand_written_forward_pass(runs):
    lr = 0.05
    net = dataclasses.replace(DEAD, lr=lr)
    model = runs[lr].network("cpu")
    h = presets.make_split(DEAD_DATA, "cpu").X_train
    dead = []
    with torch.no_grad():
        for layer in model.hidden:
            z = layer(h)
            dead.append((z <= 0).all(0).float().mean().item())  # never fires on any sample
            h = torch.relu(z)
    assert dead_units.final_share(runs[lr], net, DEAD_DATA) == pytest.approx(np.mean(dead))
    assert np.mean(dead) > 0.1
