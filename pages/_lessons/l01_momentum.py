"""Lesson 1, why momentum: gradient descent and heavy-ball momentum on an ill-conditioned bowl,
the measured error shrink factor per step next to Goh's predicted (√κ−1)/(√κ+1)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from engine import optimizers, surfaces
from engine.surfaces import conditioning, trajectories
from pages._common import optimizer_widgets as ow
from pages._common import present
from pages._common.keys import lessons as keys
from pages._common.keys import playground as pg
from pages._lessons.frame import FIG_HEIGHT, Link, Outcome, remember
from pages._lessons.text import LessonText
from viz.lesson_plots import Line, compact_map, lines_figure
from viz.surface_plots import add_paths, contour_map

NUMBER = 1
STEPS = 200
START = (-2.5, 1.0)
KAPPAS = (4, 10, 25, 100, 400)
BETAS = ("best", 0.0, 0.5, 0.8, 0.9, 0.95, 0.99)
TOL = 1e-6  # "converged": distance to the minimum below this


def short(value: float) -> float:
    """``value`` as the URL writes it (6 significant digits), so the full page, which reads the
    link, runs exactly what the lesson ran."""
    return float(f"{value:.6g}")


@dataclass(frozen=True)
class Result:
    expr: str
    gd_lr: float
    alpha: float
    beta: float
    xs: np.ndarray
    ys: np.ndarray
    Z: np.ndarray
    log_scale: bool
    paths: np.ndarray  # (2, T+1, 2): GD, momentum
    losses: np.ndarray
    diverged_at: np.ndarray
    distance: np.ndarray  # (2, T+1)
    measured: tuple[float, float]
    predicted: tuple[float, float]  # GD's best, momentum's best
    bound: float  # momentum's rate at this (α, β), from its iteration matrix
    steps: tuple[int, int]  # to reach TOL, -1: never


@st.cache_data(max_entries=16, show_spinner=False)
def study(kappa: float, beta_choice: str | float) -> Result:
    expr = conditioning.quadratic_expression(kappa)
    surface = surfaces.parse(expr)
    alpha_star, beta_star = conditioning.momentum_optimum(1.0, kappa)
    alpha = short(alpha_star)
    beta = short(beta_star if beta_choice == "best" else float(beta_choice))
    gd_lr = short(conditioning.gd_step(1.0, kappa))
    opts = [
        optimizers.create("sgd", lr=gd_lr),
        optimizers.create("momentum", lr=alpha, momentum=beta),
    ]
    run = trajectories.run(surface, opts, [START], STEPS, record_state=False)
    paths = run.paths[:, 0]
    distance = np.linalg.norm(paths - np.asarray(conditioning.MINIMUM), axis=-1)
    xs, ys, Z = surfaces.grid(surface, 120)
    hit = distance <= TOL
    return Result(
        expr=expr, gd_lr=gd_lr, alpha=alpha, beta=beta,
        xs=xs.astype(np.float32), ys=ys.astype(np.float32), Z=Z.astype(np.float32),
        log_scale=surface.log_scale, paths=paths, losses=run.losses[:, 0],
        diverged_at=run.diverged_at[:, 0], distance=distance,
        measured=(conditioning.measured_rate(distance[0]), conditioning.measured_rate(distance[1])),
        predicted=(conditioning.predicted_rate(kappa, False), conditioning.predicted_rate(kappa, True)),
        bound=conditioning.rate_bound(alpha, beta, [1.0, kappa]),
        steps=tuple(int(h.argmax()) if h.any() else -1 for h in hit),
    )  # fmt: skip


def show(text: LessonText) -> Outcome:
    left, right = st.columns(2)
    remember(keys.key(NUMBER, "kappa"), KAPPAS, 25)
    remember(keys.key(NUMBER, "beta"), BETAS, "best")
    kappa = left.select_slider(text.label("kappa"), KAPPAS, key=keys.key(NUMBER, "kappa"))
    beta_choice = right.select_slider(
        text.label("beta"),
        BETAS,
        key=keys.key(NUMBER, "beta"),
        format_func=lambda b: text.label("beta_best") if b == "best" else f"{b:g}",
    )
    r = study(float(kappa), beta_choice)
    labels = [
        text.label("gd", alpha=r.gd_lr),
        text.label("momentum", alpha=r.alpha, beta=r.beta),
    ]
    fig = contour_map(
        r.xs, r.ys, r.Z, log_scale=r.log_scale, minima=[conditioning.MINIMUM], start=START,
        click_grid=0, title=text.label("map_title", kappa=kappa),
    )  # fmt: skip
    add_paths(fig, ["sgd", "momentum"], labels, r.paths, r.losses, r.diverged_at)
    fig.set_layout(height=FIG_HEIGHT)
    compact_map(fig)
    t = np.arange(STEPS + 1, dtype=np.float64)
    d0 = r.distance[:, :1]
    rate_lines = [
        Line("sgd", labels[0], t, r.distance[0]),
        Line("momentum", labels[1], t, r.distance[1]),
        Line("sgd", text.label("predicted_gd"), t, d0[0] * r.predicted[0] ** t, dashed=True),
        Line("momentum", text.label("predicted_mom"), t, d0[1] * r.predicted[1] ** t, dashed=True),
    ]
    rates = lines_figure(
        rate_lines, title=text.label("rate_title"), x_title=text.label("step"),
        y_title=text.label("distance"), log_y=True,
    )  # fmt: skip
    a, b = st.columns(2)
    present.chart(a, fig, key=keys.key(NUMBER, "fig_map"), width="stretch")
    present.chart(b, rates, key=keys.key(NUMBER, "fig_rates"), width="stretch")
    numbers = dict(
        kappa=kappa, alpha=r.alpha, beta=r.beta, gd_lr=r.gd_lr,
        measured_mom=r.measured[1], predicted_mom=r.predicted[1], bound=r.bound,
        measured_gd=r.measured[0], predicted_gd=r.predicted[0],
        steps_gd=_steps(r.steps[0], text), steps_mom=_steps(r.steps[1], text),
    )  # fmt: skip
    query = {
        "pg_surface": "custom", "pg_expr": r.expr, "pg_x0": f"{START[0]:g}",
        "pg_y0": f"{START[1]:g}", "pg_opts": "sgd,momentum", "pg_steps": str(STEPS),
        ow.key(pg.PREFIX, "sgd", "lr"): f"{r.gd_lr:.6g}",
        ow.key(pg.PREFIX, "momentum", "lr"): f"{r.alpha:.6g}",
        ow.key(pg.PREFIX, "momentum", "momentum"): f"{r.beta:.6g}",
    }  # fmt: skip
    return Outcome(numbers, Link("playground", query))


def _steps(step: int, text: LessonText) -> str:
    return str(step) if step >= 0 else text.label("never", steps=STEPS)
