"""Batched optimizer trajectories on a 2D surface.

All K optimizers and S starts advance together: each step evaluates the surface and its gradient
once for the whole (K, S, 2) batch, then every group of optimizers of one kind steps its slice.
Optimizers of one kind with different numeric hyperparameters share one batched state (their
hyperparameters become (k,) tensors that broadcast over the leading dim), so a learning-rate
sweep of 64 values is one optimizer step per iteration, not 64.

>>> from engine import optimizers, surfaces
>>> adam = optimizers.create("adam", lr=0.05)
>>> run = surfaces.trajectories.run(surfaces.get("rosenbrock"), [adam], [(-1.5, 2.0)], 500)
>>> run.paths.shape
(1, 1, 501, 2)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor

from engine.core.checks import check_int
from engine.core.device import resolve
from engine.core.i18n import _
from engine.optimizers import Optimizer
from engine.optimizers.grouping import group_optimizers, optimizer_labels
from engine.optimizers.stepper import stepper
from engine.surfaces.divergence import check_start, stop_diverged
from engine.surfaces.registry import Surface

MAX_STEPS = 5000
MAX_BATCH = 20_000  # K optimizers x S starts advancing together
MAX_RECORDED = 5_000_000  # K x S x (T + 1) recorded positions: 80 MB of float64 paths

Schedule = Callable[[int], float]


@dataclass
class Run:
    """The recorded result of :func:`run`, as numpy arrays, with nothing non-finite in them.

    ``paths`` (K, S, T+1, 2), ``losses`` (K, S, T+1), ``grads`` (K, S, T, 2) (the gradients the
    optimizers saw, noise included), ``grad_norms`` (K, S, T), ``diverged_at`` (K, S): the first
    step whose loss, gradient or position was non-finite or exploded, else -1. A diverged path
    stays at its last finite point from that step on. ``states[k]`` maps each of optimizer k's
    state fields (``v``, ``m``, ``s`` ...) to its history, (S, T+1, 2) per coordinate, or (T+1,)
    for the step counter ``t``; empty when the run was made with ``record_state=False``.
    ``undefined`` (K, S) marks the diverged paths that stepped to a point inside the region where
    f or its gradient has no value (a formula's domain, not the step size); ``undefined_points``
    (K, S, 2) is that point, zeros elsewhere (``engine.surfaces.domain`` says why).
    """

    optimizers: list[Optimizer]
    labels: list[str]
    starts: np.ndarray
    paths: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    grad_norms: np.ndarray
    diverged_at: np.ndarray
    states: list[dict[str, np.ndarray]] = field(default_factory=list)
    lr_factors: np.ndarray | None = None
    undefined: np.ndarray | None = None
    undefined_points: np.ndarray | None = None

    @property
    def steps(self) -> int:
        return self.paths.shape[2] - 1

    def effective_lr(self) -> np.ndarray:
        r"""Per-coordinate effective step size :math:`|\Delta\theta_i| / |g_i|`, (K, S, T, 2).

        Plain SGD gives exactly ``lr``; AdaGrad's shrinks over time; Adam's keeps the *step*
        near ``lr`` whatever the gradient's scale. Coordinates with a zero gradient give 0.
        """
        delta = np.abs(np.diff(self.paths, axis=2))
        grad = np.abs(self.grads)
        safe = np.where(grad > 1e-300, grad, 1.0)
        return np.where(grad > 1e-300, delta / safe, 0.0)


try:  # the engine call of torch.autograd.grad, without its per-call argument checks
    from torch.autograd.graph import _engine_run_backward
except ImportError:  # pragma: no cover - a torch without it: the public call
    _engine_run_backward = None


def _gradient(loss: Tensor, x: Tensor, ones: Tensor) -> Tensor:
    """d(sum of loss)/dx. On a surface's few numbers, torch.autograd.grad's checks of its
    arguments cost about a third of its backward pass; the engine call does the same work."""
    if _engine_run_backward is None:
        return torch.autograd.grad(loss, x, grad_outputs=ones)[0]
    return _engine_run_backward((loss,), (ones,), False, False, (x,), False, accumulate_grad=False)[
        0
    ]


def _loss_and_gradient(
    surface: Surface, X: Tensor, single: bool, ones: Tensor
) -> tuple[Tensor, Tensor]:
    """f at the (K, S, 2) batch X and d(sum of f)/dX: written out where the surface has it (no
    autograd graph: half the operations), else by autograd."""
    if surface.value_and_grad is not None:
        with torch.no_grad():
            return surface.value_and_grad(X)
    # cat made X, a new tensor: it can be the leaf itself (``single`` group: X is its parameters)
    x = X.detach().requires_grad_(True) if single else X.requires_grad_(True)
    loss = surface.f(x)
    return loss.detach(), _gradient(loss, x, ones)


def _check(optimizers: Sequence[Optimizer], starts: Tensor, steps: int, noise: float) -> None:
    if not optimizers:
        raise ValueError(_("Invalid optimizers: give at least one"))
    if not all(isinstance(o, Optimizer) for o in optimizers):
        raise ValueError(_("Invalid optimizers: use engine.optimizers.create(name, ...)"))
    if starts.ndim != 2 or starts.shape[1] != 2 or starts.shape[0] == 0:
        raise ValueError(
            _("Invalid starts: expected shape (S, 2), got {shape}").format(
                shape=tuple(starts.shape)
            )
        )
    if not bool(torch.isfinite(starts).all()):
        raise ValueError(_("Invalid starts: every coordinate must be a finite number"))
    check_int("steps", steps, 1, MAX_STEPS)
    batch = len(optimizers) * starts.shape[0]
    if batch > MAX_BATCH:
        raise ValueError(
            _(
                "Too many paths: {count} optimizers x {value} starts = {batch} (the limit is {max_batch})"
            ).format(count=len(optimizers), value=starts.shape[0], batch=batch, max_batch=MAX_BATCH)
        )
    if batch * (steps + 1) > MAX_RECORDED:
        raise ValueError(
            _(
                "Run too large to record: {batch} paths x {last} steps (the limit is {max_recorded:,} positions; use fewer steps or starts)"
            ).format(batch=batch, last=steps + 1, max_recorded=MAX_RECORDED)
        )
    if not (noise >= 0 and np.isfinite(noise)):
        raise ValueError(_("Invalid noise: {noise} (use a finite value >= 0)").format(noise=noise))


def run(
    surface: Surface,
    optimizers: Sequence[Optimizer],
    starts: Sequence[Sequence[float]] | np.ndarray | Tensor,
    steps: int,
    *,
    noise: float = 0.0,
    seed: int = 0,
    device: str | torch.device | None = None,
    schedule: Schedule | None = None,
    record_state: bool = True,
    dtype: torch.dtype = torch.float64,
) -> Run:
    r"""Run every optimizer from every start for ``steps`` steps, all in one batch.

    With ``noise`` > 0 each gradient gets seeded Gaussian noise, :math:`g + \sigma\,\xi`,
    :math:`\xi \sim \mathcal N(0, I)` (a stochastic-gradient stand-in); the same ``seed`` gives
    the same noise. ``schedule(t)`` multiplies every optimizer's learning rate at step ``t``
    (0-based), see :mod:`engine.optimizers.schedules`. Raises ``ValueError`` for bad arguments or a run
    larger than the limits (``MAX_STEPS``, ``MAX_BATCH``, ``MAX_RECORDED``).
    """
    dev = resolve(device)
    optimizers = list(optimizers)
    start_t = torch.as_tensor(np.asarray(starts, dtype=np.float64), dtype=dtype, device=dev)
    _check(optimizers, start_t, steps, float(noise))
    K, S = len(optimizers), start_t.shape[0]

    # Work in group order so each group's rows are one contiguous slice (a view, no copies).
    groups = group_optimizers(optimizers, dtype, dev)
    order = [i for _, indices in groups for i in indices]
    slices, at = [], 0
    for _opt, indices in groups:
        slices.append(slice(at, at + len(indices)))
        at += len(indices)

    P = start_t.unsqueeze(0).expand(K, S, 2).clone()
    # Each path is one model: the optimizers that take norms or matrices see a 2-vector.
    states = [opt.init(P[sl], batch_dims=2) for (opt, _), sl in zip(groups, slices, strict=True)]
    # Each group's update with its hyperparameters broadcast once, not on every step.
    steps_of = [
        stepper(opt, P[sl], batch_dims=2) for (opt, _), sl in zip(groups, slices, strict=True)
    ]
    sizes = [sl.stop - sl.start for sl in slices]
    ps = [P[sl].clone() for sl in slices]  # each group's current parameters
    gen = torch.Generator(device=dev).manual_seed(int(seed))
    ones = torch.ones((K, S), dtype=dtype, device=dev)  # d(sum of losses)/d(loss): one pass
    # The records are lists of the step's own tensors (the concatenated parameters are the
    # surface's input anyway), stacked once at the end: no copy per step.
    path_rec: list[Tensor] = []
    loss_rec: list[Tensor] = []
    grad_rec: list[Tensor] = []
    history: list[list[Any]] = [[st] for st in states] if record_state else []
    factors = [float(schedule(t)) for t in range(steps)] if schedule else None
    base_lrs = [opt.hyper["lr"] for opt, _ in groups]
    count = torch.zeros((), dtype=torch.float64, device=dev)  # as Optimizer.init's ``t``

    # No checks inside the loop: every operation is row-wise, so a diverging path cannot
    # contaminate the others, and the loop runs without a host sync per step. Divergence is
    # found and frozen once, afterwards (engine.surfaces.divergence).
    for t in range(steps + 1):
        X = ps[0] if len(ps) == 1 else torch.cat(ps)
        path_rec.append(X)
        if t == steps:
            with torch.no_grad():
                loss_rec.append(surface.f(X))
            break
        loss, g = _loss_and_gradient(surface, X, len(ps) == 1, ones)
        loss_rec.append(loss)
        if t == 0:
            check_start(surface, start_t, loss, g)
        if noise:
            g = g + noise * torch.randn(g.shape, generator=gen, device=dev, dtype=dtype)
        grad_rec.append(g)
        gs = torch.split_with_sizes(g, sizes) if len(ps) > 1 else (g,)
        with torch.no_grad():
            # Every state's step counter is t (they start together and step together): the one
            # t + 1 is shared instead of computed per optimizer.
            count = count + 1
            for i, step in enumerate(steps_of):
                lr = None if factors is None else base_lrs[i] * factors[t]
                ps[i], states[i] = step(ps[i], gs[i], states[i], lr, count)
                if record_state:
                    history[i].append(states[i])
    with torch.no_grad():
        paths = torch.stack(path_rec)
        losses = torch.stack(loss_rec)
        grads = torch.stack(grad_rec)

    inverse = np.argsort(order)

    def to_np(x: Tensor) -> np.ndarray:
        """Step-major (T, K, ...) on the device -> (K, ..., T, ...) numpy in the caller's order."""
        return np.moveaxis(x.detach().cpu().numpy(), 0, 2)[inverse]

    paths_np = to_np(paths)
    losses_np = to_np(losses)
    grads_np = to_np(grads)
    states_np = _state_history(groups, history, K) if record_state else []
    with np.errstate(invalid="ignore", over="ignore"):
        stops = stop_diverged(surface, paths_np, losses_np, grads_np, states_np)
    return Run(
        optimizers=optimizers,
        labels=optimizer_labels(optimizers),
        starts=start_t.cpu().numpy(),
        paths=paths_np,
        losses=losses_np,
        grads=grads_np,
        grad_norms=np.hypot(grads_np[..., 0], grads_np[..., 1]),
        diverged_at=stops.diverged_at,
        states=states_np,
        lr_factors=None if factors is None else np.asarray(factors),
        undefined=stops.undefined,
        undefined_points=stops.undefined_points,
    )


def join(
    runs: Sequence[Run],
    optimizers: Sequence[Optimizer] | None = None,
    rows: Sequence[Sequence[int]] | None = None,
) -> Run:
    """Runs of the same surface, starts, steps and schedule as one run of all their optimizers.

    ``optimizers``: all of them, in the joined order, where the runs were stored without theirs;
    ``rows[i]``: where run i's optimizers go in the joined run (default: one after the other).

    Without noise every operation of :func:`run` is row-wise, and optimizers of different kinds
    step apart, so a run of each batch group alone (``grouping.batch_groups``) equals its rows of
    the batched run bit for bit (tests/engine/surfaces hold it): a caller can cache each group's
    run and rerun only the one whose settings changed. (Optimizers of one kind step together
    with tensor hyperparameters, which may round differently from a lone float.) With noise the
    draws depend on every row of the batch, so noisy runs cannot be joined this way.
    """
    if not runs:
        raise ValueError(_("Invalid runs: give at least one"))
    first = runs[0]
    if any(r.paths.shape[1:] != first.paths.shape[1:] for r in runs):
        raise ValueError(_("Invalid runs: they must share their starts and number of steps"))
    sizes = [r.paths.shape[0] for r in runs]
    if rows is None:
        rows = np.split(np.arange(sum(sizes)), np.cumsum(sizes)[:-1])
    place = [int(i) for group in rows for i in group]
    if [len(g) for g in rows] != sizes or sorted(place) != list(range(sum(sizes))):
        raise ValueError(_("Invalid rows: give each joined path one place"))
    inverse = np.argsort(place)
    opts = [o for r in runs for o in r.optimizers]
    opts = list(optimizers) if optimizers is not None else [opts[i] for i in inverse]
    if len(opts) != len(place):
        raise ValueError(_("Invalid optimizers: give one per joined path"))

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(r, name) for r in runs])[inverse]

    states = [st for r in runs for st in r.states]
    return Run(
        optimizers=opts,
        labels=optimizer_labels(opts),
        starts=first.starts,
        paths=cat("paths"),
        losses=cat("losses"),
        grads=cat("grads"),
        grad_norms=cat("grad_norms"),
        diverged_at=cat("diverged_at"),
        states=[states[i] for i in inverse] if states else [],
        lr_factors=first.lr_factors,
        undefined=cat("undefined"),
        undefined_points=cat("undefined_points"),
    )


def _state_history(
    groups: list[tuple[Optimizer, list[int]]], history: list[list[Any]], K: int
) -> list[dict[str, np.ndarray]]:
    """Per optimizer: field -> (S, T+1, 2) history, or (T+1,) for a shared step counter."""
    out: list[dict[str, np.ndarray]] = [{} for _ in range(K)]
    for (_opt, indices), snaps in zip(groups, history, strict=True):
        for name in snaps[0]._fields:
            stacked = torch.stack([getattr(s, name) for s in snaps]).detach().cpu().numpy()
            for row, k in enumerate(indices):
                if stacked.ndim >= 3:  # (T+1, k, S, 2) -> (S, T+1, 2)
                    out[k][name] = np.moveaxis(stacked[:, row], 0, 1)
                else:
                    out[k][name] = stacked
    return out
