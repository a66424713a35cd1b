"""engine.nets.networks and engine.nets.initializers: validation, seeding, structure, init statistics."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from engine.nets import initializers, networks
from engine.nets.networks import MLPConfig


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(depth=0), "Invalid depth: 0"),
        (dict(depth=51), "Invalid depth: 51"),
        (dict(width=0), "Invalid width: 0"),
        (dict(width=257), "Invalid width: 257"),
        (dict(in_dim=0), "Invalid in_dim: 0"),
        (dict(out_dim=0), "Invalid out_dim: 0"),
        (dict(init="he"), "Invalid init: 'he'"),
        (dict(dropout=1.0), "Invalid dropout: 1.0"),
        (dict(init_std=-1.0), "Invalid init_std: -1.0"),
    ],
)
def test_config_rejects_bad_values_and_shows_them(kwargs, message):
    base = dict(in_dim=2, out_dim=2, depth=3, width=8)
    with pytest.raises(ValueError, match=message):
        MLPConfig(**{**base, **kwargs})


def test_unknown_activation_is_a_value_error():
    with pytest.raises(ValueError, match="swoosh"):
        networks.build(MLPConfig(2, 2, 1, 4, activation="swoosh"))


def test_config_is_hashable_and_activation_params_accept_a_dict():
    a = MLPConfig(2, 2, 3, 8, "leaky_relu", activation_params={"slope": 0.2})
    b = MLPConfig(2, 2, 3, 8, "leaky_relu", activation_params=(("slope", 0.2),))
    assert a == b and hash(a) == hash(b)
    x = torch.linspace(-1, 1, 11).reshape(-1, 1).repeat(1, 8)
    act = networks.build(a).acts[0]
    torch.testing.assert_close(act(x), torch.where(x > 0, x, 0.2 * x))


def test_same_seed_same_weights_other_seed_other_weights_global_rng_untouched():
    cfg = MLPConfig(2, 3, 4, 16, "tanh", "xavier_uniform")
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    m1, m2, m3 = networks.build(cfg, seed=7), networks.build(cfg, seed=7), networks.build(cfg, 8)
    assert torch.equal(torch.rand(3), before)  # building drew nothing from the global stream
    s1, s2, s3 = m1.state_dict(), m2.state_dict(), m3.state_dict()
    assert all(torch.equal(s1[k], s2[k]) for k in s1)
    assert not torch.equal(s1["hidden.0.weight"], s3["hidden.0.weight"])


def test_structure_shapes_and_record():
    cfg = MLPConfig(5, 3, 4, 16, "relu", batchnorm=True, dropout=0.1)
    model = networks.build(cfg, device="cpu")
    assert [tuple(layer.weight.shape) for layer in model.hidden] == [(16, 5)] + [(16, 16)] * 3
    assert all(isinstance(m, torch.nn.BatchNorm1d) for m in model.norms)
    assert all(isinstance(m, torch.nn.Dropout) for m in model.drops)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    x = torch.randn(10, 5)
    logits, rec = model.eval()(x, record=True)
    assert logits.shape == (10, 3)
    assert len(rec.pre) == len(rec.post) == len(rec.blocks) == 4
    assert all(t.shape == (10, 16) for t in rec.pre + rec.post + rec.blocks)
    torch.testing.assert_close(model(x), logits)
    torch.testing.assert_close(rec.post[2], torch.relu(rec.pre[2]))


def test_a_linear_feeding_batchnorm_has_no_bias():
    # BN subtracts the batch mean, so such a bias cancels and only gathers rounding noise.
    cfg = MLPConfig(5, 3, 4, 16, "relu", batchnorm=True)
    model = networks.build(cfg, device="cpu")
    assert all(layer.bias is None for layer in model.hidden)
    assert model.out.bias is not None  # the output layer feeds no BatchNorm
    names = [name for name, _ in model.named_parameters()]
    assert not any(n.startswith("hidden.") and n.endswith(".bias") for n in names)
    # Per block: W (16 x in) and BN's gamma and beta (16 each); then the output layer.
    expected = (16 * 5 + 2 * 16) + 3 * (16 * 16 + 2 * 16) + (3 * 16 + 3)
    assert sum(p.numel() for p in model.parameters()) == expected
    plain = networks.build(dataclasses.replace(cfg, batchnorm=False), device="cpu")
    assert all(layer.bias is not None for layer in plain.hidden)
    assert sum(p.numel() for p in plain.parameters()) == (16 * 5 + 16) + 3 * (16 * 16 + 16) + 51
    # The weights are drawn as before: the bias never took part in the seeded draw.
    torch.testing.assert_close(model.hidden[2].weight, plain.hidden[2].weight, rtol=0, atol=0)


def test_residual_adds_identity_skip_except_on_the_first_block():
    model = networks.build(MLPConfig(3, 2, 4, 8, "tanh", residual=True))
    _, rec = model(torch.randn(6, 3), record=True)
    torch.testing.assert_close(rec.blocks[0], rec.post[0])  # 3 -> 8: no skip
    for i in range(1, 4):
        torch.testing.assert_close(rec.blocks[i], rec.blocks[i - 1] + rec.post[i])
    plain = networks.build(MLPConfig(3, 2, 4, 8, "tanh"))
    _, rec = plain(torch.randn(6, 3), record=True)
    torch.testing.assert_close(rec.blocks[3], rec.post[3])


def _weight(init: str, activation: str = "relu", fan_in: int = 256, **kw) -> torch.Tensor:
    cfg = MLPConfig(fan_in, 2, 2, 256, activation, init, **kw)
    model = networks.build(cfg, seed=3)
    assert all(torch.equal(lin.bias, torch.zeros_like(lin.bias)) for lin in model.hidden)
    return model.hidden[1].weight.detach()  # 256 x 256


@pytest.mark.parametrize(
    ("init", "activation", "std"),
    [
        ("lecun_normal", "selu", 1 / 16),
        ("kaiming_normal", "relu", math.sqrt(2) / 16),
        ("kaiming_normal", "selu", 1 / 16),  # SELU uses the linear gain: LeCun
        ("kaiming_normal", "tanh", 5 / 3 / 16),
        ("kaiming_uniform", "relu", math.sqrt(2) / 16),
        ("xavier_normal", "relu", math.sqrt(2 / 512)),
        ("xavier_uniform", "relu", math.sqrt(2 / 512)),
        ("orthogonal", "relu", 1 / 16),
    ],
)
def test_init_standard_deviations_match_their_formulas(init, activation, std):
    w = _weight(init, activation)
    assert abs(w.mean()) < 0.05 * std
    assert w.std().item() == pytest.approx(std, rel=0.02)


def test_simple_inits():
    assert torch.count_nonzero(_weight("zeros")) == 0
    assert torch.all(_weight("constant", init_value=0.3) == 0.3)
    assert _weight("normal", init_std=0.5).std().item() == pytest.approx(0.5, rel=0.02)
    w = _weight("uniform", init_a=0.7)
    assert w.abs().max() <= 0.7 and w.abs().max() > 0.69
    w = _weight("xavier_uniform")
    assert w.abs().max() <= math.sqrt(6 / 512)
    w = _weight("orthogonal")
    torch.testing.assert_close(w @ w.T, torch.eye(256), atol=1e-4, rtol=0)
    leaky = _weight("kaiming_normal", "leaky_relu", activation_params={"slope": 0.5})
    gain = math.sqrt(2 / (1 + 0.5**2))
    assert leaky.std().item() == pytest.approx(gain / 16, rel=0.02)


def test_initializers_names_and_validation():
    assert set(initializers.names()) == set(initializers.NAMES) and len(initializers.NAMES) == 10
    with pytest.raises(ValueError, match="'bogus'"):
        initializers.init_weight_(torch.empty(2, 2), "bogus", generator=torch.Generator())
