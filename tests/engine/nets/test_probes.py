"""engine.nets.probes: the classic depth experiments, against torch.autograd as the oracle."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine import optimizers
from engine.nets import datasets, networks, probes, training
from engine.nets.networks import MLPConfig


@pytest.fixture(scope="module")
def moons():
    return datasets.make("moons", n=200, seed=0, device="cpu")


@pytest.fixture(scope="module")
def wide_input():
    g = torch.Generator().manual_seed(1)
    return torch.randn(256, 256, generator=g), torch.randint(0, 10, (256,), generator=g)


def _report(cfg: MLPConfig, x, y, loss="ce") -> probes.LayerReport:
    return probes.layer_report(networks.build(cfg, seed=0), x, y, loss)


def test_zero_init_units_are_identical_and_stay_identical(moons):
    X, y = moons
    r = _report(MLPConfig(2, 2, 4, 16, "sigmoid", "zeros"), X, y)
    assert np.all(r.unit_similarity == 0)
    cfg = MLPConfig(2, 2, 4, 16, "tanh", "constant", init_value=0.1)
    h = training.train(cfg, (X, y), optimizers.create("sgd", lr=0.5), steps=20)
    net = h.network()
    assert np.all(probes.layer_report(net, X, y).unit_similarity == 0)
    for layer in net.hidden:  # the weights really moved, every row in lockstep
        w = layer.weight.detach()
        assert (w - 0.1).abs().min() > 1e-3
        assert torch.equal(w, w[:1].expand_as(w))
    assert h.train_loss[-1] < h.train_loss[0]
    random = _report(MLPConfig(2, 2, 4, 16, "tanh", "xavier_normal"), X, y)
    assert np.all(random.unit_similarity > 0.1)


def test_selu_lecun_self_normalises_where_tanh_and_relu_drift(wide_input):
    x, y = wide_input
    selu = _report(MLPConfig(256, 10, 32, 256, "selu", "lecun_normal"), x, y)
    assert np.all(np.abs(selu.act_mean) < 0.15), selu.act_mean
    assert np.all((selu.act_std > 0.8) & (selu.act_std < 1.2)), selu.act_std
    tanh = _report(MLPConfig(256, 10, 32, 256, "tanh", "lecun_normal"), x, y)
    relu = _report(MLPConfig(256, 10, 32, 256, "relu", "lecun_normal"), x, y)
    assert tanh.act_std[-1] < 0.3  # tanh shrinks the signal layer after layer
    assert relu.act_std[-1] < 0.01 and relu.act_mean[-1] < 0.01  # relu at gain 1 collapses


def test_sigmoid_gradients_vanish_with_depth_relu_kaiming_does_not(moons):
    X, y = moons
    for loss in ("ce", "mse"):
        sig = _report(MLPConfig(2, 2, 10, 32, "sigmoid", "xavier_normal"), X, y, loss)
        assert sig.grad_norms[-1] / sig.grad_norms[0] > 100
        assert np.all(np.diff(sig.signal_norms) > 0)  # shrinks at every layer going back
    relu = _report(MLPConfig(2, 2, 10, 32, "relu", "kaiming_normal"), X, y)
    ratio = relu.grad_norms[-1] / relu.grad_norms[0]
    assert 0.1 < ratio < 10


def test_residual_connections_keep_the_first_layer_gradient_alive(moons):
    X, y = moons
    plain = _report(MLPConfig(2, 2, 30, 32, "sigmoid", "xavier_normal"), X, y)
    res = _report(MLPConfig(2, 2, 30, 32, "sigmoid", "xavier_normal", residual=True), X, y)
    assert plain.grad_norms[0] < 1e-12
    assert res.grad_norms[0] / plain.grad_norms[0] > 1e6
    assert res.grad_norms[0] > 1e-3


@pytest.mark.parametrize(
    "cfg",
    [
        MLPConfig(2, 3, 5, 12, "tanh", "xavier_normal"),
        MLPConfig(2, 3, 5, 12, "elu", "kaiming_normal", batchnorm=True, residual=True),
    ],
)
def test_grad_and_signal_norms_match_plain_backward(cfg):
    X, y = datasets.make("spirals", n=64, classes=3, seed=2)
    model = networks.build(cfg, seed=4)
    report = probes.layer_report(model, X, y)
    assert all(p.grad is None for p in model.parameters())
    # Oracle: a plain forward/backward on a twin, grads read off .grad and retain_grad.
    twin = networks.build(cfg, seed=4).train()
    logits, rec = twin(X, record=True)
    for h in rec.blocks:
        h.retain_grad()
    loss = F.cross_entropy(logits, y)
    loss.backward()
    expected = [layer.weight.grad.norm().item() for layer in twin.hidden]
    np.testing.assert_allclose(report.grad_norms, expected, rtol=1e-5)
    signal = [(h.grad * len(X)).norm(dim=1).mean().item() for h in rec.blocks]
    np.testing.assert_allclose(report.signal_norms, signal, rtol=1e-5)
    np.testing.assert_allclose(report.act_mean, [a.mean().item() for a in rec.post], atol=1e-6)
    std = [a.std(correction=0).item() for a in rec.post]
    np.testing.assert_allclose(report.act_std, std, rtol=1e-5)
    assert report.loss == pytest.approx(loss.item(), rel=1e-6)


def test_report_leaves_mode_running_stats_and_grads_alone(moons):
    X, y = moons
    model = networks.build(MLPConfig(2, 2, 3, 8, "relu", batchnorm=True, dropout=0.5))
    for train_mode in (True, False):
        model.train(train_mode)
        stats = {k: v.clone() for k, v in model.state_dict().items()}
        r1 = probes.layer_report(model, X, y)
        r2 = probes.layer_report(model, X, y)
        assert all(m.training == train_mode for m in model.modules())
        assert all(torch.equal(v, model.state_dict()[k]) for k, v in stats.items())
        assert all(p.grad is None for p in model.parameters())
        np.testing.assert_array_equal(r1.grad_norms, r2.grad_norms)  # dropout off: repeatable


def test_dead_and_saturated_shares(moons):
    X, y = moons
    model = networks.build(MLPConfig(2, 2, 3, 8, "relu"))
    with torch.no_grad():
        model.hidden[1].bias[:3] = -100.0  # three units of layer 2 never fire
    r = probes.layer_report(model, X, y)
    assert r.dead[1] == pytest.approx(3 / 8) and r.saturated[1] >= 3 / 8
    lin = _report(MLPConfig(2, 2, 3, 8, "linear"), X, y)
    assert np.all(lin.saturated == 0) and np.all(lin.dead == 0)
    sat = _report(MLPConfig(2, 2, 3, 8, "sigmoid", "normal", init_std=200.0), X, y)
    assert np.all(sat.saturated[1:] > 0.9)
    assert np.all(sat.unit_similarity <= 1.0)


def test_histograms_share_edges_and_count_every_value(moons):
    X, y = moons
    r = probes.layer_report(networks.build(MLPConfig(2, 2, 3, 8, "tanh")), X, y)
    assert len(r.histograms) == 3
    for h in r.histograms:
        assert h.counts.shape == (40,) and h.edges.shape == (41,)
        assert h.counts.sum() == 200 * 8
        np.testing.assert_array_equal(h.edges, r.histograms[0].edges)
    assert r.histograms[0].edges[0] >= -1.0 and r.histograms[0].edges[-1] <= 1.0
    flat = probes.layer_report(networks.build(MLPConfig(2, 2, 2, 4, "tanh", "zeros")), X, y)
    assert flat.histograms[0].counts.sum() == 200 * 4  # a zero-width range still bins


def test_report_validates_loss(moons):
    X, y = moons
    with pytest.raises(ValueError, match="Invalid loss: 'hinge'"):
        probes.layer_report(networks.build(MLPConfig(2, 2, 1, 4)), X, y, loss="hinge")


def test_stacked_and_per_layer_statistics_agree(moons):
    # CUDA takes the stacked path by default; check it here on the CPU against the loop.
    X, y = moons
    model = networks.build(MLPConfig(2, 2, 4, 8, "elu", residual=True))
    params = {k: p.detach().requires_grad_(True) for k, p in model.named_parameters()}
    result = probes.forward_backward(model, params, X, y, "ce")
    weight_grads = [result.grads[f"hidden.{i}.weight"] for i in range(4)]
    logits, rec = model(X, record=True)
    signals = list(torch.autograd.grad(F.cross_entropy(logits, y), rec.blocks))
    loop = probes.layer_stats(model.activation, rec, weight_grads, signals, len(X), False)
    stacked = probes.layer_stats(model.activation, rec, weight_grads, signals, len(X), True)
    torch.testing.assert_close(stacked, loop)
    torch.testing.assert_close(loop, result.stats)


def test_histograms_layer_by_layer_match_the_stacked_count_and_skip_non_finite_values():
    """The layer-at-a-time histograms (no stacked copy: memory) against the direct computation
    on the stacked activations, with infinities and NaN in one layer."""
    g = torch.Generator().manual_seed(0)
    post = [torch.randn(50, 8, generator=g) * (k + 1) for k in range(3)]
    post[1][0, :3] = torch.tensor([float("inf"), float("-inf"), float("nan")])
    record = networks.Record(post, post, post)
    a = torch.stack(post)
    finite = a[torch.isfinite(a)]
    lo, hi = float(finite.min()), float(finite.max())
    for h, layer in zip(probes._histograms(record, 12), post, strict=True):
        np.testing.assert_array_equal(h.counts, torch.histc(layer, 12, lo, hi).long().numpy())
        np.testing.assert_allclose(h.edges, np.linspace(lo, hi, 13, dtype=np.float32))
    nan = [torch.full((2, 2), float("nan"))] * 2
    nothing = networks.Record(nan, nan, nan)
    assert [h.counts.sum() for h in probes._histograms(nothing, 4)] == [0, 0]
