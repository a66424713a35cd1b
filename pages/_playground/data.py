"""Cached computations of the optimizer playground: engine calls keyed on hashable settings.

The contour grid, the trajectories, the many-starts grid and the sweep are cached separately,
so changing one hyperparameter reruns the trajectories only. Results are small typed records
of numpy arrays (:class:`Paths`, :class:`Starts`, :class:`Sweep`).
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from engine import surfaces
from engine.core.i18n import _
from engine.optimizers import grouping, schedules
from engine.surfaces import analysis, trajectories
from engine.surfaces import domain as surface_domain
from pages._common import optimizer_widgets as ow
from pages._playground.controls import FAST_KEY, Settings, get_surface

CONTOUR_N = 120
PATHS_MAX_SIZE = 64 * 2**20  # bytes of pickled runs kept by paths() (see there)
SURFACE_3D_N = 60


@dataclass(frozen=True)
class Paths:
    """Every optimizer ``k`` from the one start: its path, losses and internals.

    ``diverged_at[k]``: the step where path k stopped, or -1; ``undefined[k]``: it stopped
    because f has no value at ``undefined_points[k]`` (``why[k]`` says why), not because its
    steps blew up. ``gap``: the loss as plotted (f − f* where f* is known); ``distance``: to the
    nearest known minimum, None without one; ``table``: the engine's summary rows.
    """

    names: list[str]
    labels: list[str]
    paths: np.ndarray  # (K, T+1, 2)
    losses: np.ndarray  # (K, T+1)
    diverged_at: np.ndarray  # (K,)
    undefined: np.ndarray  # (K,) bool
    undefined_points: np.ndarray  # (K, 2)
    why: list[str | None]
    gap: np.ndarray  # (K, T+1)
    gap_title: str
    gap_log: bool
    distance: np.ndarray | None  # (K, T+1)
    internals: list[dict[str, np.ndarray]]  # per optimizer: panel key -> (T', 2)
    table: list[dict[str, Any]]
    # The run's own record, for stepping through it update by update (pages/_playground/step.py)
    grads: np.ndarray | None = None  # (K, T, 2): the gradient each update used
    states: list[dict[str, np.ndarray]] | None = None  # per optimizer: field -> (T+1, 2) | (T+1,)
    lr_factors: np.ndarray | None = None  # (T,): the schedule's factor per step, None: constant


@dataclass(frozen=True)
class Starts:
    """Every optimizer from an n x n grid of starts: the minimum each start reached (-1: none)."""

    names: list[str]
    starts: np.ndarray  # (n², 2)
    basin: np.ndarray  # (K, n²)
    shares: list[float]  # converged share per optimizer
    diverged: list[float]  # diverged share per optimizer
    undefined_starts: int  # starts where f or its slope has no value (left out)


@dataclass(frozen=True)
class Sweep:
    """Every optimizer at N learning rates: its score per rate (inf: diverged), the best index."""

    names: list[str]
    lrs: np.ndarray  # (N,)
    scores: np.ndarray  # (K, N)
    best: list[int]  # -1 where every rate diverged


@st.cache_data(max_entries=32, show_spinner=False)
def contour(surface_key: tuple[str, str], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The surface on an n x n grid (float32, finite)."""
    xs, ys, Z = surfaces.grid(get_surface(surface_key), n)
    return xs.astype(np.float32), ys.astype(np.float32), Z.astype(np.float32)


@st.cache_data(max_entries=32, show_spinner=False)
def region_note(surface_key: tuple[str, str]) -> str | None:
    """Where in the plotted region f has no finite value, and which part of it is to blame."""
    return surface_domain.region_note(get_surface(surface_key))


def _schedule(schedule: tuple, steps: int):
    name, params = schedule
    return None if name == "constant" else schedules.make(name, steps, **dict(params))


def _names(opts: tuple) -> list[str]:
    return [name for name, _ in opts]


def _run(cfg: Settings, opts: list, starts: Any, record_state: bool = True):
    """``opts`` from ``starts`` on the settings' surface, with their steps, noise and schedule."""
    return trajectories.run(
        get_surface(cfg.surface),
        opts,
        starts,
        cfg.steps,
        noise=cfg.noise,
        seed=cfg.seed,
        schedule=_schedule(cfg.schedule, cfg.steps),
        record_state=record_state,
    )


# One group's run is a share of a whole run's bytes: the same bound holds them.
@st.cache_data(max_entries=64, max_size=PATHS_MAX_SIZE, show_spinner=False, hash_funcs=FAST_KEY)
def _group_run(cfg: Settings) -> trajectories.Run:
    """The main run of ``cfg.opts``, one batch group (``tol`` blanked: it is no part of a run).
    Stored without its optimizer objects, which do not pickle."""
    return dataclasses.replace(_run(cfg, ow.build(cfg.opts), [cfg.start]), optimizers=[])


def _main_run(cfg: Settings) -> trajectories.Run:
    """Every optimizer from the start, state recorded. Without noise each batch group (the
    optimizers of one kind) is run and cached on its own settings, and the joined run equals
    the batched one bit for bit, so a changed learning rate reruns its optimizer's group only;
    noisy gradients draw on the whole batch, so a noisy run stays one batched run."""
    built = ow.build(cfg.opts)  # every value checked first, as one batched run would
    if cfg.noise:
        return _run(cfg, built, [cfg.start])
    groups = grouping.batch_groups(built)
    runs = [
        _group_run(cfg._replace(opts=tuple(cfg.opts[i] for i in group), tol=0.0))
        for group in groups
    ]
    return trajectories.join(runs, built, groups)


# An entry at the page's maxima (12 optimizers, 2000 steps, their state histories) pickles to
# about 5 MB (bench/memory.py): 32 of them would be 150 MB, so the bytes are bounded too.
@st.cache_data(max_entries=32, max_size=PATHS_MAX_SIZE, show_spinner=False, hash_funcs=FAST_KEY)
def paths(cfg: Settings) -> Paths:
    """The main run from one start, with state history, table, distances and internals."""
    surface = get_surface(cfg.surface)
    run = _main_run(cfg)
    eff = run.effective_lr()
    undefined = run.undefined[:, 0]
    why = [
        surface_domain.why_undefined(surface, run.undefined_points[k, :1]) if undefined[k] else None
        for k in range(len(cfg.opts))
    ]
    _nearest, dist = analysis.nearest_minimum(run.paths[:, 0], surface.minima)
    gap, gap_title, gap_log = analysis.loss_gap(run.losses[:, 0], surface.min_value)
    inner = []
    for k, (name, hyper) in enumerate(cfg.opts):
        h = dict(hyper)
        betas = h.get("betas") if name in ("adam", "adamw", "amsgrad", "radam") else None
        inner.append(analysis.internals(run.states[k], eff[k, 0], run.paths[k, 0], betas))
    table = analysis.summary(
        run.labels,
        run.paths,
        run.losses,
        run.diverged_at,
        surface.minima,
        surface.min_value,
        analysis.radius(surface.bounds),
        cfg.tol,
    )
    return Paths(
        names=_names(cfg.opts),
        labels=run.labels,
        paths=run.paths[:, 0],
        losses=run.losses[:, 0],
        diverged_at=run.diverged_at[:, 0],
        undefined=undefined,
        undefined_points=run.undefined_points[:, 0],
        why=why,
        gap=gap,
        gap_title=gap_title,
        gap_log=gap_log,
        distance=None if not surface.minima else dist,
        internals=inner,
        table=[row._asdict() for row in table],
        grads=run.grads[:, 0],
        states=[{f: (h[0] if h.ndim == 3 else h) for f, h in st_k.items()} for st_k in run.states],
        lr_factors=run.lr_factors,
    )


@st.cache_data(max_entries=8, show_spinner=False, hash_funcs=FAST_KEY)
def many_starts(cfg: Settings, n: int) -> Starts:
    """Every optimizer from an n x n grid of starts, one batch, no state recorded."""
    surface = get_surface(cfg.surface)
    starts = analysis.start_grid(surface.bounds, n)
    # Starts where the formula has no value (log(-x) for x > 0) are left out, not refused.
    usable = surface_domain.usable(surface, starts)
    if not usable.any():
        raise ValueError("f or its slope is undefined at every start of the grid")
    run = _run(cfg, ow.build(cfg.opts), starts[usable], record_state=False)
    basin = np.full((len(cfg.opts), len(starts)), -1)
    basin[:, usable] = analysis.basins(
        run.paths[:, :, -1], surface.minima, analysis.radius(surface.bounds), run.diverged_at
    )
    return Starts(
        names=_names(cfg.opts),
        starts=starts,
        basin=basin,
        shares=[analysis.converged_share(b) for b in basin],
        diverged=[(run.diverged_at[k] >= 0).mean() for k in range(len(cfg.opts))],
        undefined_starts=int((~usable).sum()),
    )


@st.cache_data(max_entries=8, show_spinner=False, hash_funcs=FAST_KEY)
def sweep(cfg: Settings, lrs: tuple[float, ...], metric: str) -> Sweep:
    """K optimizers x N learning rates from the start, as one batched run."""
    surface = get_surface(cfg.surface)
    opts = []
    for name, hyper in cfg.opts:
        base = dict(hyper)
        opts += ow.build(tuple((name, tuple({**base, "lr": lr}.items())) for lr in lrs))
    run = _run(cfg, opts, [cfg.start], record_state=False)
    K, N = len(cfg.opts), len(lrs)
    scores = analysis.sweep_scores(
        run.losses[:, 0].reshape(K, N, -1),
        run.diverged_at[:, 0].reshape(K, N),
        surface.min_value,
        metric,
    )
    return Sweep(
        names=_names(cfg.opts),
        lrs=np.asarray(lrs),
        scores=scores,
        best=[analysis.best_index(s) for s in scores],
    )


def trajectories_csv(result: Paths) -> str:
    """optimizer, step, x, y, loss: one row per point of every drawn path."""
    out = io.StringIO()
    out.write(_("optimizer,step,x,y,loss,diverged_at") + "\n")
    for k, label in enumerate(result.labels):
        d = int(result.diverged_at[k])
        n = result.paths.shape[1] if d < 0 else max(d, 1)
        for t in range(n):
            x, y = result.paths[k, t]
            out.write(f"{label},{t},{x:.10g},{y:.10g},{result.losses[k, t]:.10g},{d}\n")
    return out.getvalue()
