"""Probes through time: autograd on the unrolled states, checked against finite differences and
against the course's prediction of a geometric rate. float64 throughout: the facts checked here
do not depend on the CPU's rounding."""

import math

import numpy as np
import pytest
import torch

from engine.sequences import models, probes, tasks
from engine.sequences.models import SeqConfig

F64 = torch.float64


def probe_of(cell, T, task="adding", B=32, seed=0, **cfg):
    spec = tasks.get(task)
    config = SeqConfig(cell, **cfg)
    model = models.build(config, spec.input_size, spec.output_size, seed=seed, dtype=F64)
    x, y = tasks.sample(task, T, B, torch.Generator().manual_seed(seed))
    return probes.probe(model, task, x, y), model, x


@pytest.mark.parametrize("cell", models.CELLS)
@pytest.mark.parametrize("task", tasks.names())
def test_connectivity_matches_central_finite_differences(cell, task):
    T, tau, eps = 7, 5, 1e-6
    _, model, x = probe_of(cell, T, task, B=2, hidden=6, init="scaled", radius=0.9)
    params = dict(model.named_parameters())
    got = probes.connectivity(model, params, x[0], tau).detach().numpy()
    want = np.zeros(T)
    with torch.no_grad():
        for t in range(T):
            sq = 0.0
            for i in range(x.shape[2]):
                up, down = x[:1].clone(), x[:1].clone()
                up[0, t, i] += eps
                down[0, t, i] -= eps
                d = (model(up)[0, tau] - model(down)[0, tau]) / (2 * eps)
                sq += float((d**2).sum())
            want[t] = math.sqrt(sq)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)
    assert (got[tau + 1 :] == 0).all() and (got[: tau + 1] > 0).all()


@pytest.mark.parametrize(
    ("init", "radius"),
    [
        ("default", 1.0),
        ("orthogonal", 0.5),
        ("orthogonal", 0.9),
        ("scaled", 0.8),
        ("identity", 0.7),
    ],
)
def test_tanh_rnn_signal_decays_geometrically_at_the_predicted_rate(init, radius):
    p, _, _ = probe_of("rnn_tanh", 50, hidden=64, init=init, radius=radius)
    q, predicted = probes.decay_rate(p.grad_h), probes.predicted_rate(p)
    assert q < 1 and predicted < 1
    assert abs(q / predicted - 1) < 0.2, (q, predicted)
    # geometric: the log-signal is a straight line (the fit explains it almost entirely)
    t = np.arange(50)
    residual = np.log(p.grad_h) - np.polyval(np.polyfit(t, np.log(p.grad_h), 1), t)
    assert np.abs(residual).max() < 0.5
    assert 0 < p.slope <= 1


@pytest.mark.parametrize("init", ["identity", "orthogonal"])
def test_relu_recurrence_above_one_makes_the_signal_grow(init):
    p, _, _ = probe_of("rnn_relu", 30, hidden=32, init=init, radius=1.5)
    assert probes.decay_rate(p.grad_h) > 1
    assert probes.span(p.grad_h) > 10  # h_1 receives more than h_T


def test_lstm_forget_bias_one_keeps_the_path_open_at_t_100():
    rnn, _, _ = probe_of("rnn_tanh", 100, hidden=32)
    lstm, _, _ = probe_of("lstm", 100, hidden=32, forget_bias=1.0)
    ratio = probes.span(lstm.grad_h) / probes.span(rnn.grad_h)
    assert ratio >= 100, ratio
    assert probes.span(rnn.grad_h) < 1e-15  # the plain RNN's first step gets nothing


def test_forget_gate_probe_follows_the_bias():
    closed, _, _ = probe_of("lstm", 20, hidden=16, init="orthogonal", forget_bias=0.0)
    opened, _, _ = probe_of("lstm", 20, hidden=16, init="orthogonal", forget_bias=1.0)
    assert np.nanmean(closed.gate) == pytest.approx(0.5, abs=0.05)
    assert np.nanmean(opened.gate) == pytest.approx(1 / (1 + math.exp(-1)), abs=0.05)
    rnn, _, _ = probe_of("rnn_tanh", 20, hidden=16)
    assert np.isnan(rnn.gate).all() and np.isnan(probes.predicted_rate(opened))


def test_spectral_radius_probe_reads_the_recurrent_matrix():
    p, _, _ = probe_of("gru", 10, hidden=16, layers=2, init="scaled", radius=0.6)
    np.testing.assert_allclose(p.radius, [0.6, 0.6], rtol=1e-9)


def test_signal_is_the_mean_per_sample_gradient_norm_whatever_the_batch():
    small, _, _ = probe_of("rnn_tanh", 10, B=1, hidden=8)
    # the same first sequence repeated: the per-sample norm does not shrink with the batch
    spec = tasks.get("adding")
    model = models.build(SeqConfig("rnn_tanh", hidden=8), spec.input_size, 1, seed=0, dtype=F64)
    x, y = tasks.sample("adding", 10, 1, torch.Generator().manual_seed(0))
    many = probes.probe(model, "adding", x.expand(16, -1, -1), y.expand(16))
    np.testing.assert_allclose(many.grad_h, small.grad_h, rtol=1e-10)


def test_last_step_signal_equals_autograd_on_the_fused_module():
    _, model, x = probe_of("lstm", 12, B=4, hidden=8)
    y = tasks.sample("adding", 12, 4, torch.Generator().manual_seed(0))[1]
    p = probes.probe(model, "adding", x, y)
    out, _ = model.rnn(x)
    out.retain_grad()
    tasks.last_loss("adding", model.readout(out), y).backward()
    want = 4 * out.grad[:, -1].norm(dim=1).mean().item()
    assert p.grad_h[-1] == pytest.approx(want, rel=1e-12)


def test_decay_rate_and_span_on_known_sequences():
    g = 3.0 * 0.8 ** np.arange(20)[::-1]  # grows towards T: shrinks x0.8 per step back
    assert probes.decay_rate(g) == pytest.approx(0.8)
    assert probes.span(g) == pytest.approx(0.8**19)
    assert math.isnan(probes.decay_rate(np.zeros(10)))


def test_connectivity_position_outside_the_sequence_raises():
    _, model, x = probe_of("rnn_tanh", 5, hidden=4)
    with pytest.raises(ValueError, match="Invalid output position: 5"):
        probes.connectivity(model, dict(model.named_parameters()), x[0], 5)
