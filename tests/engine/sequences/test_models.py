"""Models: the unrolled forward is torch's fused one; seeding, initialisation and limits."""

import dataclasses

import pytest
import torch

from engine.sequences import models, probes, tasks
from engine.sequences.models import SeqConfig


def batch(task="adding", T=12, B=4, seed=0):
    return tasks.sample(task, T, B, torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("cell", models.CELLS)
def test_unrolled_forward_is_the_fused_modules(cell, layers):
    cfg = SeqConfig(cell, hidden=8, layers=layers, init="orthogonal", radius=0.9, forget_bias=1.0)
    model = models.build(cfg, 2, 1, seed=3, dtype=torch.float64)
    x, _ = batch()
    run = models.unroll(dict(model.named_parameters()), cfg, x)
    torch.testing.assert_close(run.y, model(x), rtol=0, atol=1e-12)
    assert len(run.states) == x.shape[1]
    assert len(run.gates) == (x.shape[1] if cell in ("lstm", "gru") else 0)


def test_build_is_seeded_and_leaves_the_global_rng_alone():
    cfg = SeqConfig("lstm", hidden=6)
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    a = models.build(cfg, 2, 1, seed=5)
    after = torch.rand(3)
    b = models.build(cfg, 2, 1, seed=5)
    c = models.build(cfg, 2, 1, seed=6)
    assert torch.equal(before, after)
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(va, vb), k
    assert not torch.equal(a.rnn.weight_hh_l0, c.rnn.weight_hh_l0)


def test_float64_and_float32_builds_hold_the_same_weights():
    cfg = SeqConfig("gru", hidden=5, init="scaled", radius=0.7)
    a = models.build(cfg, 3, 2, seed=1, dtype=torch.float64)
    b = models.build(cfg, 3, 2, seed=1, dtype=torch.float32)
    for va, vb in zip(a.state_dict().values(), b.state_dict().values(), strict=True):
        torch.testing.assert_close(va.float(), vb)


@pytest.mark.parametrize("init", ["orthogonal", "identity", "scaled"])
@pytest.mark.parametrize("cell", models.CELLS)
def test_recurrent_init_has_the_chosen_spectral_radius(cell, init):
    cfg = SeqConfig(cell, hidden=16, layers=2, init=init, radius=1.3)
    model = models.build(cfg, 2, 1, dtype=torch.float64)
    params = dict(model.named_parameters())
    for layer in range(2):
        for block in models.recurrent_blocks(params, cfg, layer):
            rho = torch.linalg.eigvals(block).abs().max().item()
            assert rho == pytest.approx(1.3, rel=1e-9)
    torch.testing.assert_close(
        probes.spectral_radius(params, cfg), torch.full((2,), 1.3, dtype=torch.float64)
    )
    assert (
        model.rnn.bias_ih_l0.abs().sum() == 0 == model.rnn.bias_hh_l0.abs().sum()
    )  # forget_bias 0


def test_orthogonal_blocks_are_orthogonal_times_radius():
    cfg = SeqConfig("rnn_tanh", hidden=10, init="orthogonal", radius=0.5)
    w = models.build(cfg, 2, 1, dtype=torch.float64).rnn.weight_hh_l0
    torch.testing.assert_close(w @ w.T, 0.25 * torch.eye(10, dtype=torch.float64))


@pytest.mark.parametrize("init", models.INITS)
@pytest.mark.parametrize("bias", [0.0, 1.0])
def test_lstm_forget_gate_bias_is_the_setting_under_every_init(init, bias):
    cfg = SeqConfig("lstm", hidden=7, init=init, forget_bias=bias)
    rnn = models.build(cfg, 2, 1, dtype=torch.float64).rnn
    total = rnn.bias_ih_l0[7:14] + rnn.bias_hh_l0[7:14]
    torch.testing.assert_close(total, torch.full((7,), bias, dtype=torch.float64))


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"cell": "transformer"}, "Invalid cell: 'transformer'"),
        ({"hidden": 0}, "Invalid hidden size: 0"),
        ({"hidden": 257}, "Invalid hidden size: 257"),
        ({"layers": 4}, "Invalid layers: 4"),
        ({"init": "xavier"}, "Invalid init: 'xavier'"),
        ({"radius": 0.0}, "Invalid spectral radius: 0.0"),
        ({"radius": float("nan")}, "Invalid spectral radius: nan"),
        ({"forget_bias": 9.0}, "Invalid forget_bias: 9.0"),
    ],
)
def test_bad_configs_raise_a_clear_value_error(change, needle):
    with pytest.raises(ValueError, match=needle.replace("(", r"\(")):
        dataclasses.replace(SeqConfig(), **change)


def test_bad_sizes_raise_a_clear_value_error():
    with pytest.raises(ValueError, match="Invalid input_size: 0"):
        models.build(SeqConfig(), 0, 1)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_builds_on_cuda_with_the_cpu_weights():
    cfg = SeqConfig("lstm", hidden=8)
    a = models.build(cfg, 2, 1, seed=2, device="cpu")
    b = models.build(cfg, 2, 1, seed=2, device="cuda")
    assert b.readout.weight.device.type == "cuda"
    for va, vb in zip(a.state_dict().values(), b.state_dict().values(), strict=True):
        torch.testing.assert_close(va, vb.cpu())


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_keep_gates_follow_the_equations_step_by_step(cell):
    # LSTM: f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf), torch's gate order (i, f, g, o);
    # GRU: z_t, the second of (r, z, n). Written out here for the first steps, from h_0 = 0.
    H = 5
    cfg = SeqConfig(cell, hidden=H, forget_bias=1.0)
    model = models.build(cfg, 2, 1, seed=4, dtype=torch.float64)
    x, _ = batch(T=4)
    run = models.unroll(dict(model.named_parameters()), cfg, x)
    r = model.rnn
    h = torch.zeros(x.shape[0], H, dtype=torch.float64)
    for t in range(4):
        pre = x[:, t] @ r.weight_ih_l0.T + r.bias_ih_l0 + h @ r.weight_hh_l0.T + r.bias_hh_l0
        torch.testing.assert_close(run.gates[t], torch.sigmoid(pre[:, H : 2 * H]))
        h = run.states[t]
