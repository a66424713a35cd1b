"""Batched trajectories against torch.optim driving one parameter per optimizer (the oracle)."""

import numpy as np
import pytest
import torch

from engine import optimizers, surfaces
from engine.optimizers import grouping, schedules
from engine.surfaces import trajectories

OPTIMIZERS = [
    ("sgd", {"lr": 1e-3}, torch.optim.SGD),
    ("momentum", {"lr": 1e-3}, lambda p, **h: torch.optim.SGD(p, momentum=0.9, **h)),
    ("adagrad", {"lr": 0.5}, torch.optim.Adagrad),
    ("rmsprop", {"lr": 0.01}, torch.optim.RMSprop),
    ("adam", {"lr": 0.05}, torch.optim.Adam),
]
STARTS = np.array([[-1.5, 2.0], [0.5, -0.5], [1.2, 1.0]])


def torch_reference(surface, name, hyper, torch_cls, starts, steps):
    """Paths of a plain torch.optim loop: one optimizer over an (S, 2) parameter."""
    param = torch.nn.Parameter(torch.tensor(starts, dtype=torch.float64))
    opt = torch_cls([param], **hyper)
    path = [param.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        surface.f(param).sum().backward()
        opt.step()
        path.append(param.detach().clone())
    return torch.stack(path, dim=1).numpy()


def test_batched_run_equals_torch_optim_for_every_optimizer():
    surface = surfaces.get("rosenbrock")
    opts = [optimizers.create(name, **hyper) for name, hyper, _ in OPTIMIZERS]
    run = trajectories.run(surface, opts, STARTS, steps=200, device="cpu")
    assert run.paths.shape == (5, 3, 201, 2)
    assert run.losses.shape == (5, 3, 201)
    assert run.grad_norms.shape == (5, 3, 200)
    for k, (name, hyper, cls) in enumerate(OPTIMIZERS):
        expected = torch_reference(surface, name, hyper, cls, STARTS, 200)
        np.testing.assert_allclose(run.paths[k], expected, atol=1e-10, rtol=0, err_msg=name)
    assert (run.diverged_at == -1).all()


def test_losses_and_grads_are_those_of_the_surface_at_each_point():
    surface = surfaces.get("himmelblau")
    run = trajectories.run(surface, [optimizers.create("adam", lr=0.1)], STARTS, steps=30)
    xy = torch.tensor(run.paths[0], requires_grad=True)
    loss = surface.f(xy)
    (grad,) = torch.autograd.grad(loss.sum(), xy)
    np.testing.assert_allclose(run.losses[0], loss.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(run.grads[0], grad[:, :-1].numpy(), rtol=1e-12, atol=1e-12)


def test_one_optimizer_kind_with_many_learning_rates_matches_separate_runs():
    surface = surfaces.get("beale")
    lrs = [1e-3, 3e-3, 1e-2, 3e-2]
    batched = trajectories.run(
        surface, [optimizers.create("adam", lr=lr) for lr in lrs], STARTS, 100
    )
    for k, lr in enumerate(lrs):
        single = trajectories.run(surface, [optimizers.create("adam", lr=lr)], STARTS, 100)
        np.testing.assert_allclose(batched.paths[k], single.paths[0], atol=1e-12, rtol=0)
    assert batched.labels == [f"adam (lr={lr:.3g})" for lr in lrs]


def test_interleaved_kinds_come_back_in_the_order_given():
    surface = surfaces.get("bowl")
    opts = [
        optimizers.create("sgd", lr=0.1),
        optimizers.create("adam", lr=0.1),
        optimizers.create("sgd", lr=0.01),
    ]
    run = trajectories.run(surface, opts, [[1.0, 1.0]], 20)
    alone = trajectories.run(surface, [opts[2]], [[1.0, 1.0]], 20)
    np.testing.assert_allclose(run.paths[2], alone.paths[0], atol=1e-12)
    assert [o.name for o in run.optimizers] == ["sgd", "adam", "sgd"]
    assert set(run.states[1]) >= {"m", "v"} and "v" in run.states[0]


def test_state_history_is_recorded_per_optimizer():
    surface = surfaces.get("rosenbrock")
    run = trajectories.run(surface, [optimizers.create("adagrad", lr=0.5)], STARTS, 50)
    s = run.states[0]["s"]
    assert s.shape == (3, 51, 2)
    # AdaGrad's accumulator is the running sum of squared gradients (initial value 0).
    np.testing.assert_allclose(s[:, 1:], np.cumsum(run.grads[0] ** 2, axis=1), rtol=1e-12)


def test_effective_lr_of_plain_sgd_is_its_learning_rate():
    run = trajectories.run(surfaces.get("bowl"), [optimizers.create("sgd", lr=0.05)], STARTS, 10)
    np.testing.assert_allclose(run.effective_lr()[0], 0.05, rtol=1e-9)


def test_divergence_is_reported_with_its_step_and_nothing_non_finite_is_returned():
    surface = surfaces.get("rosenbrock")
    opts = [optimizers.create("sgd", lr=0.1), optimizers.create("adam", lr=0.01)]
    run = trajectories.run(surface, opts, [[-1.5, 2.0]], steps=100)
    k = int(run.diverged_at[0, 0])
    assert 0 < k <= 10, "plain SGD at lr=0.1 on Rosenbrock blows up within a few steps"
    assert run.diverged_at[1, 0] == -1
    for array in (run.paths, run.losses, run.grads, run.grad_norms, *run.states[0].values()):
        assert np.isfinite(array).all()
    # Frozen at its last finite point from step k on.
    assert (run.paths[0, 0, k:] == run.paths[0, 0, k - 1]).all()


def test_noise_is_seeded():
    surface, opts = surfaces.get("bowl"), [optimizers.create("sgd", lr=0.05)]
    a = trajectories.run(surface, opts, STARTS, 30, noise=0.5, seed=3)
    b = trajectories.run(surface, opts, STARTS, 30, noise=0.5, seed=3)
    c = trajectories.run(surface, opts, STARTS, 30, noise=0.5, seed=4)
    clean = trajectories.run(surface, opts, STARTS, 30)
    np.testing.assert_array_equal(a.paths, b.paths)
    assert not np.allclose(a.paths, c.paths)
    assert not np.allclose(a.paths, clean.paths)


def test_schedule_scales_the_learning_rate_each_step():
    surface, opt = surfaces.get("bowl"), optimizers.create("sgd", lr=0.1)
    run = trajectories.run(surface, [opt], STARTS, 40, schedule=lambda t: 0.5 ** (t // 10))
    np.testing.assert_allclose(run.effective_lr()[0, :, 25], 0.025, rtol=1e-9)
    np.testing.assert_allclose(run.lr_factors[:3], [1.0, 1.0, 1.0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": 0}, "Invalid steps: 0"),
        ({"steps": trajectories.MAX_STEPS + 1}, "Invalid steps"),
        ({"starts": [[1.0, 2.0, 3.0]]}, "expected shape"),
        ({"starts": [[float("nan"), 0.0]]}, "finite"),
        ({"starts": np.zeros((trajectories.MAX_BATCH, 2))}, "Too many paths"),
        ({"starts": np.zeros((2000, 2)), "steps": 5000}, "too large"),
        ({"noise": -1.0}, "Invalid noise: -1.0"),
        ({"optimizers": []}, "at least one"),
    ],
)
def test_bad_arguments_and_limits_raise_clear_value_errors(kwargs, message):
    args = {
        "optimizers": [optimizers.create("sgd"), optimizers.create("adam")],
        "starts": STARTS,
        "steps": 10,
    } | kwargs
    with pytest.raises(ValueError, match=message):
        trajectories.run(surfaces.get("bowl"), **args)


def test_a_start_far_outside_the_region_is_refused():
    with pytest.raises(ValueError, match="far outside"):
        trajectories.run(surfaces.get("bowl"), [optimizers.create("sgd")], [[1e9, 0.0]], 10)


def test_many_diverging_paths_are_each_frozen_at_their_own_step():
    surface = surfaces.get("rosenbrock")
    lrs = np.geomspace(1e-4, 1e-1, 12)
    opts = [optimizers.create("sgd", lr=float(lr)) for lr in lrs]
    run = trajectories.run(surface, opts, STARTS, steps=200)
    diverged = run.diverged_at >= 0
    assert diverged.any() and (~diverged).any()
    assert np.isfinite(run.paths).all() and np.isfinite(run.losses).all()
    for k, s in zip(*np.nonzero(diverged), strict=True):
        d = run.diverged_at[k, s]
        assert (run.paths[k, s, d:] == run.paths[k, s, d - 1]).all()
        assert (run.grads[k, s, d:] == 0).all()
        assert (run.states[k]["v"][s, d:] == run.states[k]["v"][s, d - 1]).all()
    # Larger learning rates diverge no later than smaller ones from the same start.
    first = np.where(diverged, run.diverged_at, 10**6)
    assert (np.diff(first, axis=0) <= 0).all()


def test_a_start_where_the_formula_is_undefined_names_the_part():
    surface = surfaces.parse("log(x) + y**2")
    with pytest.raises(ValueError, match=r"log\(x\) is undefined where x ≤ 0, and that includes"):
        trajectories.run(surface, [optimizers.create("sgd")], [[-1.0, 0.0]], 10)
    with pytest.raises(ValueError, match=r"infinite slope where x \*\* 2 \+ y \*\* 2 = 0"):
        run_at = surfaces.parse("sqrt(x**2 + y**2)")
        trajectories.run(run_at, [optimizers.create("sgd")], [[0.0, 0.0]], 10)


def test_a_path_that_leaves_the_formulas_domain_is_told_from_a_divergence():
    # log(-x) has no value for x >= 0; Adam's steps of about lr cross x = 0 from x = -1.
    surface = surfaces.parse("log(-x) + y**2")
    opts = [optimizers.create("adam", lr=0.3), optimizers.create("sgd", lr=1e-4)]
    run = trajectories.run(surface, opts, [[-1.0, 0.5]], 50)
    d = run.diverged_at[0, 0]
    assert d > 0 and run.undefined[0, 0]
    x, y = run.undefined_points[0, 0]
    assert x >= 0 and np.isfinite(y)  # the point where f has no value, not the frozen one
    assert run.paths[0, 0, d, 0] < 0  # the drawn path stays where f is defined
    assert run.diverged_at[1, 0] == -1 and not run.undefined[1, 0]
    assert (run.undefined_points[1, 0] == 0).all()
    # A real divergence (SGD too fast on Rosenbrock) is not a domain problem.
    rosenbrock = surfaces.get("rosenbrock")
    run = trajectories.run(rosenbrock, [optimizers.create("sgd", lr=0.01)], [(-1.5, 2.0)], 30)
    assert run.diverged_at[0, 0] > 0 and not run.undefined[0, 0]


@pytest.mark.parametrize("surface", surfaces.names())
def test_default_learning_rates_neither_diverge_nor_go_uphill(surface):
    """From each surface's start, for its default number of steps, in float64 (deterministic)."""
    from engine.surfaces import default_lrs as surface_lrs

    s = surfaces.get(surface)
    lrs = surface_lrs.default_lrs(surface)
    hypers = surface_lrs.default_hypers(surface)
    names = optimizers.names()
    assert set(lrs) == set(names)
    assert all(hypers[n]["lr"] == lrs[n] for n in names)
    opts = [optimizers.create(n, **hypers[n]) for n in names]
    run = trajectories.run(s, opts, [s.start], surface_lrs.DEFAULT_STEPS, device="cpu")
    for k, name in enumerate(names):
        assert run.diverged_at[k, 0] == -1, (name, lrs[name])
        assert run.losses[k, 0, -1] < run.losses[k, 0, 0], (name, lrs[name])
        assert surface_lrs.default_lr(name, s) == lrs[name]
        # Only ever scaled down from the optimizer's rate for 2D surfaces, on a 1-2-5 ladder.
        assert lrs[name] <= optimizers.traits(name).lr["surface"]
        # AdaBound's final rate and Rprop's step bounds scale with η, by the same factor.
        factor = lrs[name] / optimizers.traits(name).lr["surface"]
        assert hypers[name] == surface_lrs.scaled(name, factor), name


def test_default_learning_rates_shrink_only_where_the_base_rate_fails():
    from engine.surfaces import default_lrs as surface_lrs

    base = {n: optimizers.traits(n).lr["surface"] for n in optimizers.names()}
    assert surface_lrs.default_lrs("bowl") == base
    rosenbrock = surface_lrs.default_lrs("rosenbrock")
    assert rosenbrock["sgd"] < base["sgd"]  # the base rate explodes at step 5
    assert rosenbrock["adam"] == base["adam"]
    with pytest.raises(ValueError, match="Unknown optimizer"):
        surface_lrs.default_lr("nope", "bowl")


@pytest.mark.parametrize("surface", ["beale", "rosenbrock", "rastrigin"])
def test_joined_runs_of_each_batch_group_equal_one_batched_run_bit_for_bit(surface):
    """Without noise the rows of a batch group (the optimizers of one kind) in a batched run are
    that group's run alone, so the playground can cache each group's run and rerun only a
    changed one (trajectories.join puts the rows back in the order given)."""
    s = surfaces.get(surface)
    opts = [optimizers.create(n) for n in optimizers.names()]
    opts.insert(3, optimizers.create("adam", lr=0.5))  # one kind twice, apart
    opts.append(optimizers.create("sgd", lr=1e-3, momentum=0.9, nesterov=True))
    schedule = schedules.make("cosine", 60)
    starts = [s.start, (0.5, -0.5)]
    batched = trajectories.run(s, opts, starts, 60, schedule=schedule)
    groups = grouping.batch_groups(opts)
    assert [3, 4] not in groups and any(3 in g and len(g) == 2 for g in groups)
    alone = [trajectories.run(s, [opts[i] for i in g], starts, 60, schedule=schedule)
             for g in groups]  # fmt: skip
    joined = trajectories.join(alone, rows=groups)
    assert [o.hyper for o in joined.optimizers] == [o.hyper for o in opts]
    assert joined.labels == batched.labels
    for name in ("paths", "losses", "grads", "grad_norms", "diverged_at", "undefined",
                 "undefined_points", "lr_factors"):  # fmt: skip
        np.testing.assert_array_equal(getattr(joined, name), getattr(batched, name), err_msg=name)
    for mine, theirs in zip(joined.states, batched.states, strict=True):
        assert mine.keys() == theirs.keys()
        for key in theirs:
            np.testing.assert_array_equal(mine[key], theirs[key])


def test_join_refuses_runs_of_different_shapes_and_a_wrong_optimizer_count():
    s = surfaces.get("beale")
    a = trajectories.run(s, [optimizers.create("sgd")], [s.start], 10)
    b = trajectories.run(s, [optimizers.create("sgd")], [s.start], 12)
    with pytest.raises(ValueError, match="share"):
        trajectories.join([a, b])
    with pytest.raises(ValueError, match="one per joined path"):
        trajectories.join([a, a], [optimizers.create("sgd")])
    with pytest.raises(ValueError, match="at least one"):
        trajectories.join([])
    with pytest.raises(ValueError, match="one place"):
        trajectories.join([a, a], rows=[[0], [0]])
