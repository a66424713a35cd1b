"""``stepper``: the same update as ``Optimizer.step``, bit for bit, for every optimizer.

The trajectories loop steps with it (hyperparameters broadcast once, not every step), so every
optimizer's path depends on it being exactly ``Optimizer.step``: plain, with a learning rate
changed for one step (a schedule; a float, or a tensor for a batched group), with a shared step
counter, and for batched hyperparameters on (K, S, 2) points.
"""

from __future__ import annotations

import pytest
import torch

from engine import optimizers
from engine.optimizers.stepper import stepper

F64 = torch.float64


def _same(a, b) -> None:
    assert type(a) is type(b)
    for x, y in zip(a, b, strict=True):
        assert torch.equal(torch.as_tensor(x), torch.as_tensor(y))


@pytest.mark.parametrize("name", optimizers.names())
def test_stepper_equals_optimizer_step(name):
    gen = torch.Generator().manual_seed(3)
    p = torch.randn(3, 4, 2, generator=gen, dtype=F64)
    opt = optimizers.create(name)
    step = stepper(opt, p, batch_dims=2)
    ours, theirs = opt.init(p, batch_dims=2), opt.init(p, batch_dims=2)
    p_ours = p_theirs = p
    for t in range(6):
        g = torch.randn(3, 4, 2, generator=gen, dtype=F64)
        lr = None if t % 2 else 0.5 * opt.hyper["lr"]  # every other step: a scheduled lr
        with torch.no_grad():
            p_ours, ours = step(p_ours, g, ours, lr)
        p_theirs, theirs = opt.step(p_theirs, g, theirs, lr=lr, batch_dims=2)
        assert torch.equal(p_ours, p_theirs), (name, t)
        _same(ours, theirs)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam", "rmsprop", "lion", "muon"])
def test_batched_hyperparameters_a_tensor_lr_and_a_shared_counter(name):
    gen = torch.Generator().manual_seed(4)
    p = torch.randn(3, 2, 2, generator=gen, dtype=F64)
    lrs = torch.tensor([1e-3, 1e-2, 1e-1], dtype=F64)
    opt = optimizers.create(name, lr=lrs)
    step = stepper(opt, p, batch_dims=2)
    ours, theirs = opt.init(p, batch_dims=2), opt.init(p, batch_dims=2)
    p_ours = p_theirs = p
    count = torch.zeros((), dtype=F64)
    for t in range(5):
        g = torch.randn(3, 2, 2, generator=gen, dtype=F64)
        count = count + 1
        lr = lrs * (0.9**t)
        with torch.no_grad():
            p_ours, ours = step(p_ours, g, ours, lr, count)
        p_theirs, theirs = opt.step(p_theirs, g, theirs, lr=lr, batch_dims=2)
        assert torch.equal(p_ours, p_theirs), (name, t)
        _same(ours, theirs)


def test_bias_correction_is_one_minus_beta_to_the_t_bit_for_bit():
    """bias_correction calls torch.pow and torch.rsub directly (no reflected-operator wrapper);
    it must give what ``1 - beta**t`` gives, for float or tensor beta and t."""
    from engine.optimizers.primitives import bias_correction

    t = torch.arange(1, 2001, dtype=torch.float64)
    for beta in (0.9, 0.999, torch.tensor([0.9, 0.95, 0.999], dtype=torch.float64)[:, None]):
        assert torch.equal(bias_correction(beta, t), 1 - beta**t)
    assert bias_correction(0.9, 3.0) == 1 - 0.9**3.0
