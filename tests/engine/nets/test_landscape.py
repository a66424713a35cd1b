"""engine.nets.landscape, trajectory_pca and sharpness: directions, grids, PCA, Hessian, and the
paper's effect (skip connections smooth the landscape of a deep MLP), with torch as the oracle."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine import optimizers
from engine.nets import datasets, networks, training
from engine.nets import landscape as L
from engine.nets import sharpness as S
from engine.nets import trajectory_pca as T


@pytest.fixture(scope="module")
def moons():
    return datasets.make("moons", 120, seed=0, device="cpu")


def _net(config: networks.MLPConfig, seed: int = 0, double: bool = False):
    model = networks.build(config, seed, "cpu").eval()
    if double:
        model = model.double()
    params = {k: v.detach() for k, v in model.named_parameters()}
    return model, params, {k: v.clone() for k, v in model.named_buffers()}


def _direct_loss(config, flat, buffers, X, y, layout, double=False) -> float:
    """The loss of a fresh module loaded with ``flat``: no batching, no functional_call."""
    model = networks.build(config, 0, "cpu")
    model = model.double() if double else model
    state = {**layout.unflatten(flat), **buffers}
    model.load_state_dict(state)
    with torch.no_grad():
        logits = model.eval()(X.to(flat.dtype))
        return float(torch.nn.functional.cross_entropy(logits, y))


def _trained_bn(X, y):
    """A batch-norm net after a few steps, so its running statistics are not the defaults."""
    cfg = networks.MLPConfig(2, 2, 3, 8, batchnorm=True, residual=True)
    h = training.train(cfg, (X, y), optimizers.create("adam", lr=0.01), 20, probe_every=0)
    model = networks.build(cfg, 0, "cpu").eval()
    params, buffers = L.split_state(model, h.model)
    return cfg, model, params, buffers


# ------------------------------------------------------------------------------------ directions
@pytest.mark.parametrize("batchnorm", [False, True])
def test_filter_normalised_rows_have_their_weight_rows_norm_and_biases_are_zero(batchnorm):
    cfg = networks.MLPConfig(2, 3, 3, 12, batchnorm=batchnorm)
    _, params, _ = _net(cfg)
    d = L.direction(params, seed=4, norm="filter")
    assert d.keys() == params.keys()
    for name, w in params.items():
        if w.ndim <= 1:  # biases and batch-norm weights/biases
            assert torch.count_nonzero(d[name]) == 0, name
        else:
            torch.testing.assert_close(d[name].norm(dim=1), w.norm(dim=1), rtol=1e-5, atol=0)
    if batchnorm:
        assert any(k.startswith("norms.") for k in d)


def test_layer_normalisation_and_seeding():
    _, params, _ = _net(networks.MLPConfig(2, 2, 2, 8))
    d = L.direction(params, seed=1, norm="layer")
    for name, w in params.items():
        if w.ndim > 1:
            assert float(d[name].norm()) == pytest.approx(float(w.norm()), rel=1e-5)
    again = L.direction(params, seed=1, norm="layer")
    assert all(torch.equal(d[k], again[k]) for k in d)
    other = L.direction(params, seed=1, norm="layer", index=1)
    assert not torch.equal(d["hidden.0.weight"], other["hidden.0.weight"])
    raw = L.direction(params, seed=1, norm="none")
    assert not torch.allclose(raw["hidden.1.weight"].norm(), d["hidden.1.weight"].norm())
    with pytest.raises(ValueError, match="normalisation"):
        L.direction(params, norm="unit")


# ------------------------------------------------------------------------------------------ grids
CONFIGS = {
    "plain": networks.MLPConfig(2, 2, 3, 8),
    "residual tanh": networks.MLPConfig(2, 2, 4, 8, activation="tanh", residual=True),
}


@pytest.mark.parametrize("kind", CONFIGS)
def test_grid_centre_and_spot_checks_match_direct_forwards(kind, moons):
    X, y = moons
    cfg = CONFIGS[kind]
    model, params, buffers = _net(cfg, double=True)
    ev = L.Evaluator(model, X, y, "ce", buffers)
    theta = ev.layout.flatten(params)
    d1, d2 = (ev.layout.flatten(L.direction(params, 0, "filter", i)) for i in (0, 1))
    axis = L.axis(9, 1.0)
    g = L.plane(ev, theta, d1, d2, axis, axis)
    assert g.loss.shape == g.acc.shape == (9, 9) and not g.stopped
    centre = _direct_loss(cfg, theta, buffers, X, y, ev.layout, double=True)
    assert g.loss[4, 4] == pytest.approx(centre, rel=1e-12)
    for j, i in [(0, 0), (2, 7), (8, 3), (6, 6)]:
        flat = theta + axis[i] * d1 + axis[j] * d2  # rows are beta, columns alpha
        expected = _direct_loss(cfg, flat, buffers, X, y, ev.layout, double=True)
        assert g.loss[j, i] == pytest.approx(expected, rel=1e-10)


def test_batch_norm_grid_uses_the_trained_running_statistics(moons):
    X, y = moons
    cfg, model, params, buffers = _trained_bn(X, y)
    assert not torch.allclose(buffers["norms.0.running_var"], torch.ones(8))
    ev = L.Evaluator(model, X, y, "ce", buffers)
    theta = ev.layout.flatten(params)
    d1, d2 = (ev.layout.flatten(L.direction(params, 3, "filter", i)) for i in (0, 1))
    axis = L.axis(5, 0.5)
    g = L.plane(ev, theta, d1, d2, axis, axis)
    for j, i in [(2, 2), (0, 4), (3, 1)]:
        flat = theta + axis[i] * d1 + axis[j] * d2
        expected = _direct_loss(cfg, flat, buffers, X, y, ev.layout)
        assert g.loss[j, i] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("kind", CONFIGS)
def test_batched_grid_matches_the_one_point_at_a_time_loop_in_float32(kind, moons):
    X, y = moons
    model, params, buffers = _net(CONFIGS[kind], seed=2)
    ev = L.Evaluator(model, X, y, "ce", buffers)
    theta = ev.layout.flatten(params)
    d1, d2 = (ev.layout.flatten(L.direction(params, 1, "filter", i)) for i in (0, 1))
    axis = L.axis(7, 1.0)
    g = L.plane(ev, theta, d1, d2, axis, axis)
    A, B = np.meshgrid(axis, axis)
    one = [
        ev.at(theta + float(a) * d1 + float(b) * d2)
        for a, b in zip(A.ravel(), B.ravel(), strict=True)
    ]
    np.testing.assert_allclose(g.loss, np.reshape(one, (7, 7)), rtol=1e-4, atol=1e-6)


def test_chunks_progress_and_stop(moons):
    X, y = moons
    model, params, buffers = _net(networks.MLPConfig(2, 2, 2, 8))
    ev = L.Evaluator(model, X, y, "ce", buffers)
    ev.chunk = 10  # force several chunks
    theta = ev.layout.flatten(params)
    d1, d2 = (ev.layout.flatten(L.direction(params, 0, "filter", i)) for i in (0, 1))
    seen: list[tuple[int, int]] = []
    full = L.plane(
        ev, theta, d1, d2, L.axis(7, 1.0), L.axis(7, 1.0), lambda d, t: seen.append((d, t))
    )
    assert seen == [(10, 49), (20, 49), (30, 49), (40, 49), (49, 49)]
    stopped = L.plane(ev, theta, d1, d2, L.axis(7, 1.0), L.axis(7, 1.0), lambda d, t: d < 20)
    assert stopped.stopped
    flat_full, flat_stop = full.loss.ravel(), stopped.loss.ravel()
    np.testing.assert_array_equal(flat_stop[:20], flat_full[:20])
    assert np.isnan(flat_stop[20:]).all()


def test_line_ends_are_the_two_solutions(moons):
    X, y = moons
    cfg, model, params, buffers = _trained_bn(X, y)
    ev = L.Evaluator(model, X, y, "ce", buffers)
    end = ev.layout.flatten(params)
    start_model, start_params, start_buffers = _net(cfg)
    start = ev.layout.flatten(start_params)
    line = L.line(ev, start, end, np.array([0.0, 0.5, 1.0]), buffers=(start_buffers, buffers))
    assert line.loss[0] == pytest.approx(
        _direct_loss(cfg, start, start_buffers, X, y, ev.layout), rel=1e-5
    )
    assert line.loss[2] == pytest.approx(_direct_loss(cfg, end, buffers, X, y, ev.layout), rel=1e-5)


def test_line_past_its_ends_keeps_the_ends_statistics(moons):
    # Extrapolated running variances can turn negative (NaN losses): past an end, the line uses
    # that end's batch-norm statistics.
    X, y = moons
    cfg, model, params, buffers = _trained_bn(X, y)
    ev = L.Evaluator(model, X, y, "ce", buffers)
    end = ev.layout.flatten(params)
    _, start_params, start_buffers = _net(cfg)
    start = ev.layout.flatten(start_params)
    ts = np.array([-0.5, 1.5])
    line = L.line(ev, start, end, ts, buffers=(start_buffers, buffers))
    assert np.isfinite(line.loss).all()
    before, after = (1.5 * start - 0.5 * end), (1.5 * end - 0.5 * start)
    assert line.loss[0] == pytest.approx(
        _direct_loss(cfg, before, start_buffers, X, y, ev.layout), rel=1e-5
    )
    assert line.loss[1] == pytest.approx(
        _direct_loss(cfg, after, buffers, X, y, ev.layout), rel=1e-5
    )


def test_limits_raise_clear_value_errors(moons):
    X, y = moons
    model, params, buffers = _net(networks.MLPConfig(2, 2, 2, 8))
    ev = L.Evaluator(model, X, y)
    theta = ev.layout.flatten(params)
    with pytest.raises(ValueError, match="grid size"):
        L.plane(ev, theta, theta, theta, L.np.zeros(L.MAX_SIDE + 1), L.np.zeros(3))
    with pytest.raises(ValueError, match="grid size"):
        L.axis(1, 1.0)
    with pytest.raises(ValueError, match="span"):
        L.axis(5, 0.0)
    big = networks.build(networks.MLPConfig(2, 2, 10, 256), 0, "cpu")
    with pytest.raises(ValueError, match="Too many parameters"):
        L.Evaluator(big, X, y)
    with pytest.raises(ValueError, match="rows"):
        L.Evaluator(model, torch.zeros(L.MAX_ROWS + 1, 2), torch.zeros(L.MAX_ROWS + 1).long())
    with pytest.raises(ValueError, match="points"):
        ev(torch.zeros(3, 5))


# -------------------------------------------------------------------------------------------- PCA
def test_pca_projection_puts_the_final_weights_at_the_origin(moons):
    X, y = moons
    cfg = networks.MLPConfig(2, 2, 2, 8)
    history, path = T.record_training(cfg, (X, y), "adam", 40, every=5, probe_every=0)
    assert list(path.steps) == [0, 5, 10, 15, 20, 25, 30, 35, 40]
    model = networks.build(cfg, 0, "cpu")
    params, _ = L.split_state(model, history.model)
    final = L.Layout(model).flatten(params)
    torch.testing.assert_close(path.weights[-1], final, rtol=0, atol=0)
    torch.testing.assert_close(
        path.weights[0], L.Layout(model).flatten(dict(model.named_parameters()))
    )
    proj = T.project(path.weights, final)
    np.testing.assert_array_equal(proj.coords[-1], [0.0, 0.0])
    assert proj.coords.shape == (9, 2) and (proj.coords[0] >= 0).all()
    assert (
        (proj.explained >= 0) & (proj.explained <= 1)
    ).all() and proj.explained.sum() <= 1 + 1e-12
    assert proj.explained[0] >= proj.explained[1]
    gram = torch.stack([proj.d1, proj.d2]).double()
    torch.testing.assert_close(gram @ gram.T, torch.eye(2, dtype=torch.float64), atol=1e-6, rtol=0)
    ev = L.Evaluator(model, X, y)
    g = T.path_plane(ev, proj, final, n=9)
    lo, hi = proj.coords.min(0), proj.coords.max(0)
    assert g.alphas[0] <= min(lo[0], 0) and g.alphas[-1] >= max(hi[0], 0)
    assert g.betas[0] <= min(lo[1], 0) and g.betas[-1] >= max(hi[1], 0)
    assert np.isfinite(g.loss).all()
    with pytest.raises(ValueError, match="at least 3"):
        T.project(path.weights[:2], final)
    with pytest.raises(ValueError, match="record less often"):
        T.check_every(5000, 1, 100)


def test_race_paths_start_at_the_shared_init_and_end_at_each_solution(moons):
    X, y = moons
    cfg = networks.MLPConfig(2, 2, 2, 8)
    res, paths = T.record_race(cfg, (X, y), ["sgd", "adam"], 30, every=10, seed=3)
    start = L.Layout(networks.build(cfg, 3, "cpu")).flatten(
        dict(networks.build(cfg, 3, "cpu").named_parameters())
    )
    layout = L.Layout(networks.build(cfg, 0, "cpu"))
    for k, path in enumerate(paths):
        assert path.steps[0] == 0 and path.steps[-1] == 30
        torch.testing.assert_close(path.weights[0], start)
        final = layout.flatten({n: v[k] for n, v in res.params.items()})
        torch.testing.assert_close(path.weights[-1], final)
    assert not torch.equal(paths[0].weights[-1], paths[1].weights[-1])


# ---------------------------------------------------------------------------------------- Hessian
def _dense_hessian(ev, theta):
    def f(flat):
        return S._loss(ev, flat)

    return torch.autograd.functional.hessian(f, theta)


@pytest.mark.parametrize("trained", [True, False])
def test_power_iteration_matches_the_dense_hessians_top_eigenvalue(trained, moons):
    X, y = moons
    cfg = networks.MLPConfig(2, 2, 1, 4, activation="tanh")
    model = networks.build(cfg, 1, "cpu").double().eval()
    params = {k: v.detach() for k, v in model.named_parameters()}
    if trained:
        h = training.train(
            cfg, (X, y), optimizers.create("adam", lr=0.05), 100, seed=1, probe_every=0
        )
        params = {k: v.double() for k, v in L.split_state(model, h.model)[0].items()}
    ev = L.Evaluator(model, X, y)
    theta = ev.layout.flatten(params)
    dense = torch.linalg.eigvalsh(_dense_hessian(ev, theta))
    top = S.top_eigenvalue(ev, theta, iters=1000, tol=1e-10)
    assert top.converged
    assert top.value == pytest.approx(float(dense.max()), rel=0.01)


def test_ball_rise_is_measured_on_the_sphere_of_the_relative_radius(moons):
    X, y = moons
    model, params, _ = _net(networks.MLPConfig(2, 2, 2, 8), double=True)
    ev = L.Evaluator(model, X, y)
    theta = ev.layout.flatten(params)
    rise = S.ball_rise(ev, theta, radius=0.1, samples=16, ascent=5)
    assert rise.radius == pytest.approx(0.1 * float(theta.norm()))
    assert rise.center == pytest.approx(ev.at(theta))
    assert rise.max >= rise.mean
    for bad in ({"radius": 0.0}, {"samples": 0}, {"ascent": -1}):
        with pytest.raises(ValueError):
            S.ball_rise(ev, theta, **bad)


# ------------------------------------------------------------------------------ the paper's effect
def test_a_deep_mlp_without_skips_is_rougher_than_with_skips():
    """Li et al.'s headline at MLP scale. Measure: :func:`engine.nets.sharpness.roughness`, the
    share of neighbouring second differences along the grid's lines that flip sign, on a 21x21
    filter-normalised plane of span 1. Both 20-layer batch-norm nets are trained 50 Adam steps
    from the same seed. Measured (seeds 0-2, moons and spirals): no skips 0.20-0.30, skips
    0.05-0.10; the test asks for 1.5 times."""
    X, y = datasets.make("moons", 200, seed=0, device="cpu")
    rough = {}
    for residual in (False, True):
        cfg = networks.MLPConfig(2, 2, 20, 16, batchnorm=True, residual=residual)
        h = training.train(cfg, (X, y), optimizers.create("adam", lr=1e-3), 50, probe_every=0)
        model = networks.build(cfg, 0, "cpu")
        params, buffers = L.split_state(model, h.model)
        ev = L.Evaluator(model, X, y, "ce", buffers)
        theta = ev.layout.flatten(params)
        d1, d2 = (ev.layout.flatten(L.direction(params, 0, "filter", i)) for i in (0, 1))
        g = L.plane(ev, theta, d1, d2, L.axis(21, 1.0), L.axis(21, 1.0))
        rough[residual] = S.roughness(g.loss)
    assert rough[False] > 1.5 * rough[True], rough


def test_roughness_of_simple_surfaces():
    a = np.linspace(-1, 1, 11)
    A, B = np.meshgrid(a, a)
    assert S.roughness(A**2 + B**2) == 0.0
    assert S.roughness(np.zeros((5, 5))) == 0.0  # a plateau is smooth, not noisy
    wiggly = np.sin(7 * np.pi * A) + np.cos(9 * np.pi * B)
    assert S.roughness(wiggly) > 0.3
    with pytest.raises(ValueError):
        S.roughness(np.zeros((3, 3)))


@pytest.mark.parametrize("block", [2**16, 37], ids=["one block", "blocks of 37 weights"])
def test_the_pca_plane_equals_the_svd_of_the_centred_path(block, monkeypatch):
    """project() takes its directions from the T x T Gram matrix, summed block by block of
    weights (memory): the oracle is the SVD of the centred path, as in Li et al.; directions
    agree up to sign, shares exactly."""
    monkeypatch.setattr(T, "_BLOCK", block)
    g = torch.Generator().manual_seed(3)
    steps = torch.cumsum(torch.randn(15, 400, generator=g) * torch.linspace(2, 0.1, 400), 0)
    weights = steps.float()
    final = weights[-1].clone()
    proj = T.project(weights, final)
    m = weights.double() - final.double()
    _u, s, vh = torch.linalg.svd(m - m.mean(0), full_matrices=False)
    for k, d in enumerate((proj.d1, proj.d2)):
        sign = float(torch.sign(d.double() @ vh[k]))
        torch.testing.assert_close(d.double() * sign, vh[k], atol=1e-6, rtol=0)
    np.testing.assert_allclose(proj.explained, (s[:2] ** 2 / (s**2).sum()).numpy(), rtol=1e-9)
    dirs = torch.stack([proj.d1, proj.d2]).double()
    np.testing.assert_allclose(proj.coords, (m @ dirs.T).numpy(), atol=1e-9)


@pytest.mark.parametrize("kind", ["straight", "still"])
def test_a_path_that_spans_less_than_a_plane_still_gets_one(kind):
    final = torch.linspace(-1, 1, 50)
    step = torch.zeros(50) if kind == "still" else torch.ones(50)
    weights = torch.stack([final + (5 - t) * step for t in range(6)])
    proj = T.project(weights, final)
    dirs = torch.stack([proj.d1, proj.d2]).double()
    torch.testing.assert_close(dirs @ dirs.T, torch.eye(2, dtype=torch.float64), atol=1e-6, rtol=0)
    assert np.isfinite(proj.coords).all() and (proj.coords[-1] == 0).all()
    np.testing.assert_allclose(
        proj.explained, [1.0, 0.0] if kind == "straight" else [0, 0], atol=1e-12
    )


def test_every_step_count_gets_a_path_the_pca_accepts():
    """A large network records fewer weight vectors (trajectory_pca.MAX_VALUES), so any step
    count the page offers has its PCA plane; a small one records about RECORDS vectors."""
    from engine.nets import landscape_presets, landscape_study

    big = landscape_presets.NetSpec(depth=30, width=128).config(2, 2)
    params = sum(p.numel() for p in networks.build(big).parameters())
    for steps in (1, 2, 39, 40, 41, 100, 999, 2000):
        every = landscape_study.record_every(steps, params)
        T.check_every(steps, every, params)  # no ValueError
    assert 2000 // landscape_study.record_every(2000, params) + 2 >= 30  # still a real path
    small = sum(p.numel() for p in networks.build(networks.MLPConfig(2, 2, 3, 16)).parameters())
    assert landscape_study.record_every(600, small) == 600 // landscape_study.RECORDS
