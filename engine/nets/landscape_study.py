"""Everything the Loss landscape page shows, as plain calls on its settings.

>>> from engine.nets import landscape_presets as presets, landscape_study as study
>>> p = presets.get("skip")
>>> split = study.make_split(p.data)
>>> runs = study.train([p.a, p.b], p.data, split)     # weights recorded along the way
>>> views = [study.look(run, split, p.view) for run in runs]

Two networks with the same architecture and batch size that differ only in their optimizer are
trained as one race (:func:`engine.nets.race.race`: same initial weights, same minibatches); any
other pair is trained one after the other from the same seed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import torch

from engine import optimizers
from engine.core.i18n import _
from engine.nets import datasets, landscape, networks, sharpness, trajectory_pca
from engine.nets.landscape_presets import DataSpec, NetSpec, ViewSpec

#: ``progress(fraction_done, what)``; returning ``False`` stops the work.
Progress = Callable[[float, str], object]
RECORDS = 60  # weight vectors recorded along a path, about
LINE = np.linspace(-0.25, 1.25, 31)  # interpolation coefficients: a little past both ends
EIGEN_ITERS = 50


class Run(NamedTuple):
    """A trained network: its recorded ``path`` (first row the initial weights, last the final
    ones), batch-norm statistics at both ends, and the per-step training loss."""

    spec: NetSpec
    config: networks.MLPConfig
    path: trajectory_pca.Path
    buffers: dict[str, torch.Tensor]
    init_buffers: dict[str, torch.Tensor]
    train_loss: np.ndarray
    diverged_at: int
    stopped: bool
    raced: bool


class Study(NamedTuple):
    """One network's landscape: the ``grid``; on the PCA plane, the path's ``coords``, its loss
    on the surface (``path_loss``) and the ``explained`` variance; the init-to-final lines on the
    training and test sets; the sharpness numbers and the grid's :func:`~engine.nets.sharpness.roughness`."""

    grid: landscape.Grid
    plane: str
    coords: np.ndarray | None
    path_loss: np.ndarray | None
    explained: np.ndarray | None
    line_train: landscape.Line
    line_test: landscape.Line
    eigen: sharpness.Eigen
    rise: sharpness.BallRise
    roughness: float


def make_split(data: DataSpec) -> datasets.Split:
    n = min(data.n, datasets.DIGITS_N) if data.dataset == "digits" else data.n
    X, y = datasets.make(data.dataset, n, data.noise, data.seed, device="cpu")
    return datasets.split(X, y, 0.25, seed=data.seed)


def can_race(specs: Sequence[NetSpec]) -> bool:
    """Two networks that differ only in their optimizer and learning rate."""
    a, b = specs[0], specs[-1]
    return len(specs) == 2 and a.architecture() == b.architecture() and a.batch_size == b.batch_size


def record_every(steps: int, params: int) -> int:
    """Every how many steps a path records its weights: about :data:`RECORDS` vectors, fewer
    for a network so large that they would pass ``trajectory_pca.MAX_VALUES`` weights in all
    (30 layers of 128 units: 491k weights, 38 vectors), so every step count the page offers
    gets its PCA plane."""
    fit = min(trajectory_pca.MAX_RECORDS, trajectory_pca.MAX_VALUES // max(params, 1)) - 2
    if fit < 1:
        return max(1, steps)  # too large to record a path: check_every says so
    return max(1, steps // RECORDS, -(-steps // fit))


def train(
    specs: Sequence[NetSpec],
    data: DataSpec,
    split: datasets.Split,
    progress: Progress | None = None,
    device: str | torch.device | None = None,
) -> list[Run]:
    """Train each network (a race when :func:`can_race`), recording its weights."""
    if not 1 <= len(specs) <= 2:
        raise ValueError(_("Invalid networks: {count} (one or two)").format(count=len(specs)))
    out_dim = datasets.n_classes(data.dataset)
    configs = [s.config(split.in_dim, out_dim) for s in specs]
    params = max(sum(p.numel() for p in networks.build(c).parameters()) for c in configs)
    every, steps = record_every(data.steps, params), data.steps

    def tick(done: float, what: str) -> bool:
        return progress is None or progress(done, what) is not False

    if can_race(specs):
        opts = [optimizers.create(s.optimizer, lr=s.lr) for s in specs]
        res, paths = trajectory_pca.record_race(
            configs[0], split, opts, steps, every, batch_size=specs[0].batch_size or None,
            seed=data.seed, device=device, eval_every=steps,
            callback=lambda t, _: tick((t + 1) / steps, f"Racing: step {t + 1} of {steps}"),
        )  # fmt: skip
        init = _buffers(configs[0], data.seed)
        return [
            Run(s, configs[0], p, {k: v[k_] for k, v in res.buffers.items()}, init,
                res.train_loss[k_], int(res.diverged_at[k_]), res.stopped, True)
            for k_, (s, p) in enumerate(zip(specs, paths, strict=True))
        ]  # fmt: skip
    runs = []
    for i, (spec, config) in enumerate(zip(specs, configs, strict=True)):
        label = "AB"[i] if len(specs) == 2 else "the network"

        def cb(t, _h, i=i, label=label) -> bool:
            return tick((i + (t + 1) / steps) / len(specs), f"Training {label}: step {t + 1}")

        history, path = trajectory_pca.record_training(
            config, split, optimizers.create(spec.optimizer, lr=spec.lr), steps, every,
            batch_size=spec.batch_size or None, seed=data.seed, callback=cb, probe_every=0,
            device=device, eval_every=steps,
        )  # fmt: skip
        model = networks.build(config)
        _params, buffers = landscape.split_state(model, history.model)
        runs.append(
            Run(spec, config, path, buffers, _buffers(config, data.seed), history.train_loss,
                history.diverged_at, history.stopped, False)
        )  # fmt: skip
        if history.stopped:
            break
    return runs


def _buffers(config: networks.MLPConfig, seed: int) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in networks.build(config, seed, "cpu").named_buffers()}


def evaluators(run: Run, split: datasets.Split, device=None):
    """The training-set and test-set evaluators of ``run``'s architecture at its final state."""
    model = networks.build(run.config, device=device)
    return tuple(
        landscape.Evaluator(model, X, y, "ce", run.buffers)
        for X, y in ((split.X_train, split.y_train), (split.X_test, split.y_test))
    )


def pca_box(run: Run, margin: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """``(lo, hi)`` of the box that holds ``run``'s projected path and the origin."""
    coords = trajectory_pca.project(run.path.weights, run.path.weights[-1]).coords
    lo, hi = np.minimum(coords.min(0), 0.0), np.maximum(coords.max(0), 0.0)
    pad = np.maximum(margin * (hi - lo), 1e-3)
    return lo - pad, hi + pad


def look(
    run: Run,
    split: datasets.Split,
    view: ViewSpec,
    box: tuple[np.ndarray, np.ndarray] | None = None,
    progress: Progress | None = None,
    device: str | torch.device | None = None,
) -> Study | None:
    """``run``'s landscape through ``view`` (``box``: the PCA plane's extent, e.g. shared by two
    networks). ``None`` when ``progress`` stopped it."""
    ev, ev_test = evaluators(run, split, device)
    final = run.path.weights[-1]
    coords = path_loss = explained = None
    if view.plane == "random":
        params = ev.layout.unflatten(final)
        d1, d2 = (
            ev.layout.flatten(landscape.direction(params, view.direction_seed, view.norm, i))
            for i in (0, 1)
        )
        alphas = betas = landscape.axis(view.side, view.span)
    else:
        proj = trajectory_pca.project(run.path.weights, final)
        d1, d2, coords, explained = proj
        lo, hi = box if box is not None else pca_box(run)
        alphas, betas = (np.linspace(lo[i], hi[i], view.side) for i in (0, 1))

    def grid_progress(done: int, total: int) -> object:
        what = f"Evaluating the landscape: {done} of {total} points"
        return None if progress is None else progress(0.8 * done / total, what)

    grid = landscape.plane(ev, final, d1, d2, alphas, betas, grid_progress)
    if grid.stopped:
        return None
    if coords is not None:
        on_plane = final + torch.as_tensor(coords, dtype=final.dtype) @ torch.stack([d1, d2])
        path_loss = ev(on_plane)[0]
    if progress is not None and progress(0.85, "Interpolating from the initial weights") is False:
        return None
    ends = (run.init_buffers, run.buffers) if run.buffers else None
    start = run.path.weights[0]
    line_train = landscape.line(ev, start, final, LINE, ends)
    line_test = landscape.line(ev_test, start, final, LINE, ends)
    if progress is not None and progress(0.9, "Measuring sharpness") is False:
        return None
    eigen = sharpness.top_eigenvalue(ev, final, iters=EIGEN_ITERS, tol=1e-3)
    rise = sharpness.ball_rise(ev, final, view.radius, samples=32, ascent=5)
    finite = np.isfinite(grid.loss).all()
    rough = sharpness.roughness(grid.loss) if finite else float("nan")
    return Study(
        grid, view.plane, coords, path_loss, explained, line_train, line_test, eigen, rise, rough
    )


def between(a: Run, b: Run, split: datasets.Split, device=None):
    """The train and test lines from ``a``'s solution to ``b``'s (same architecture)."""
    if a.spec.architecture() != b.spec.architecture():
        raise ValueError(_("Invalid pair: the two networks need the same architecture"))
    ev, ev_test = evaluators(a, split, device)
    ends = (a.buffers, b.buffers) if a.buffers else None
    wa, wb = a.path.weights[-1], b.path.weights[-1]
    return landscape.line(ev, wa, wb, LINE, ends), landscape.line(ev_test, wa, wb, LINE, ends)


def estimate_seconds(specs: Sequence[NetSpec], data: DataSpec, view: ViewSpec) -> float:
    """A rough CPU time for :func:`train` and :func:`look` on all ``specs`` (one thread).

    Calibrated on the 2-core development CPU (2026-12-01, one thread, the three presets at two
    grid sides and four other sizes): a step costs about 0.5 ms plus 0.14 ms per layer (twice
    that with batch norm) plus its multiply-adds at 2.5e10 per second; a Hessian-vector product
    about a quarter of a full-batch step; the grid its forward multiply-adds at 3e10 per
    second: within 0.80-1.77 times the engine's time on the presets. The page's whole
    computation took up to 1.4 times that estimate (the skip preset, whose estimate is lowest
    against it), so the sum is taken 1.2 times: the estimate is of what a visitor waits for.
    The constants before these (1 ms, 0.3 ms a layer, a Hessian-vector product two steps, the
    grid at 1e10) were 3-4.3 times the engine's time.
    """
    n_train = round(data.n * 0.75)
    total = 0.0
    for s in specs:
        params = s.width * (2 + s.width * (s.depth - 1) + s.depth + 10)

        def step(rows: int, s=s, params=params) -> float:
            return 5e-4 + 1.4e-4 * s.depth * (1 + s.batchnorm) + 3 * rows * params / 2.5e10

        rows = min(s.batch_size or n_train, n_train)
        grid = view.side**2 * n_train * params / 3e10
        eigen = (2 * EIGEN_ITERS + 15) * step(n_train) / 4
        total += data.steps * step(rows) + eigen + grid
    return 1.2 * total
