"""Written-out gradients of the built-in surfaces against torch.autograd of their ``f``.

Oracle: ``surface.f`` and torch.autograd.grad, at seeded random points over 1.5 times each
surface's region, its minima and its start; and a trajectory run forced through autograd.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from engine import optimizers, surfaces
from engine.surfaces import get, names, parse, trajectories
from engine.surfaces.catalog import CATALOG

ALL = names()


def points(name: str, shape: tuple[int, ...] = (200,), seed: int = 0) -> torch.Tensor:
    """Seeded points over 1.5 times the surface's region, float64, shaped (*shape, 2)."""
    (x0, x1), (y0, y1) = get(name).bounds
    g = torch.Generator().manual_seed(seed)
    u = 1.5 * (torch.rand(*shape, 2, generator=g, dtype=torch.float64) - 0.5)
    return torch.stack(
        ((x0 + x1) / 2 + (x1 - x0) * u[..., 0], (y0 + y1) / 2 + (y1 - y0) * u[..., 1]), -1
    )


def autograd(name: str, p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    x = p.detach().clone().requires_grad_(True)
    value = get(name).f(x)
    (grad,) = torch.autograd.grad(value.sum(), x)
    return value.detach(), grad


@pytest.mark.parametrize("name", ALL)
def test_value_and_grad_equal_f_and_its_autograd_gradient(name):
    s = get(name)
    special = torch.tensor([*s.minima, s.start], dtype=torch.float64)
    p = torch.cat((points(name), special))
    with torch.no_grad():
        value, grad = s.value_and_grad(p)
    f, g = autograd(name, p)
    assert value.shape == (len(p),) and grad.shape == (len(p), 2)
    torch.testing.assert_close(value, f, rtol=1e-13, atol=0)
    # Where terms cancel a gradient's rounding error is relative to the terms, not to the
    # result: atol is 1e-14 of the largest gradient met (Goldstein-Price's reach 1e7).
    torch.testing.assert_close(grad, g, rtol=1e-10, atol=1e-12 + 1e-14 * g.abs().max().item())


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_value_and_grad_keep_the_batch_shape_and_dtype(name, shape, dtype):
    p = points(name, shape, seed=3)
    with torch.no_grad():
        value, grad = get(name).value_and_grad(p.to(dtype))
    assert value.shape == shape and grad.shape == (*shape, 2)
    assert value.dtype == dtype and grad.dtype == dtype
    f, g = autograd(name, p)  # float64 reference
    scale = 1 + g.abs().max().item()
    tol = 1e-4 if dtype == torch.float32 else 1e-10
    torch.testing.assert_close(grad.double(), g, rtol=tol, atol=tol * scale)
    torch.testing.assert_close(value.double(), f, rtol=tol, atol=tol * (1 + f.abs().max().item()))


def test_ackley_cone_tip_has_the_subgradient_zero_and_fs_value():
    p = torch.zeros(2, dtype=torch.float64)
    value, grad = get("ackley").value_and_grad(p)
    assert torch.equal(grad, torch.zeros(2, dtype=torch.float64))
    assert value == get("ackley").f(p)
    # along one axis the cone's part is there: autograd agrees on both sides of the tip
    near = torch.tensor([[1e-8, 0.0], [0.0, -1e-8]], dtype=torch.float64)
    torch.testing.assert_close(get("ackley").value_and_grad(near)[1], autograd("ackley", near)[1])


def test_every_builtin_surface_has_its_gradient_written_out_and_a_custom_one_has_none():
    assert [s.name for s in CATALOG] == ALL
    assert all(s.value_and_grad is not None for s in CATALOG)
    custom = parse("(x - 1)^2 + 3*(y + 0.5)^2")
    assert custom.value_and_grad is None
    run = trajectories.run(custom, [optimizers.create("adam", lr=0.1)], [(2.0, 2.0)], 300)
    assert np.all(run.diverged_at == -1)
    np.testing.assert_allclose(run.paths[0, 0, -1], [1.0, -0.5], atol=1e-2)


CASES = [
    ("bowl", None, 100),
    ("rosenbrock", {"sgd": 1e-4, "momentum": 1e-4, "adam": 1e-3, "rmsprop": 1e-3}, 100),
    ("beale", None, 100),
]


@pytest.mark.parametrize(("name", "lrs", "steps"), CASES)
def test_run_with_written_out_gradients_equals_a_run_through_autograd(name, lrs, steps):
    s = get(name)
    kinds = ["sgd", "momentum", "rmsprop", "adam"]
    lrs = lrs or surfaces.default_lrs.default_lrs(s)
    opts = [optimizers.create(k, lr=lrs[k]) for k in kinds]
    starts = [s.start, (s.start[0] * 0.5, s.start[1] * 0.9)]
    fast = trajectories.run(s, opts, starts, steps)
    slow = trajectories.run(dataclasses.replace(s, value_and_grad=None), opts, starts, steps)
    assert np.all(fast.diverged_at == -1)
    for field in ("paths", "losses", "grads"):
        want = getattr(slow, field)
        np.testing.assert_allclose(
            getattr(fast, field), want, rtol=1e-9, atol=1e-12 * np.abs(want).max()
        )
    for a, b in zip(fast.states, slow.states, strict=True):
        for key in a:
            np.testing.assert_allclose(a[key], b[key], rtol=1e-9, atol=1e-12 * np.abs(b[key]).max())


def test_run_takes_each_steps_loss_and_gradient_from_value_and_grad():
    s = get("himmelblau")
    seen: list[torch.Tensor] = []

    def spy(p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        assert not torch.is_grad_enabled() and not p.requires_grad  # no autograd graph
        value, grad = s.value_and_grad(p)
        seen.append(grad)
        return value, grad

    opts = [optimizers.create("adam", lr=0.01), optimizers.create("adam", lr=0.05)]
    run = trajectories.run(dataclasses.replace(s, value_and_grad=spy), opts, [s.start], 20)
    assert len(seen) == 20
    np.testing.assert_array_equal(run.grads, np.moveaxis(torch.stack(seen).numpy(), 0, 2))
