"""engine.nets.cures: the plain deep sigmoid net vanishes, each cure keeps the first layer's
gradient; the profile checked against torch.autograd on the same network."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from engine.nets import cures, losses, networks, presets


@pytest.fixture(scope="module")
def reports():
    return cures.reports(depth=10, data=presets.DataSettings(n=200))


def test_every_cure_changes_only_its_own_settings():
    plain = cures.settings("sigmoid")
    assert cures.settings("batchnorm") == presets.NetSettings(
        **{**plain.__dict__, "batchnorm": True}
    )
    assert cures.settings("selu").init == "lecun_normal"
    assert cures.settings("relu_he", depth=7).depth == 7
    with pytest.raises(ValueError, match="nonsense"):
        cures.settings("nonsense")


def test_the_plain_sigmoid_vanishes_and_every_cure_keeps_the_gradient(reports):
    assert list(reports) == list(cures.NAMES)
    plain = cures.attenuation(reports["sigmoid"])
    assert plain < 1e-3
    for name in cures.NAMES[1:]:
        assert cures.attenuation(reports[name]) > 100 * plain, name


def test_grad_norms_match_autograd_on_the_same_network():
    data = presets.DataSettings(n=200)
    net = cures.settings("residual", depth=6)
    report = cures.reports(depth=6, data=data, names=("residual",))["residual"]
    split = presets.make_split(data, "cpu")
    model = networks.build(presets.mlp_config(net, 2, 2), data.seed, "cpu")
    loss = losses.compute(net.loss, model(split.X_train), split.y_train)
    grads = torch.autograd.grad(loss, [layer.weight for layer in model.hidden])
    expected = np.array([float(g.norm()) for g in grads])
    np.testing.assert_allclose(report.grad_norms, expected, rtol=1e-4)
    assert math.isclose(cures.attenuation(report), expected[0] / expected[-1], rel_tol=1e-4)
