"""Lesson 4, feature scaling: the same linear-regression loss with raw and with standardised
features. A feature 10x larger than the other turns the bowl into a long valley, and gradient
descent needs many times more steps; standardising makes the bowl round."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from engine import optimizers, surfaces
from engine.surfaces import analysis, conditioning, regression, trajectories
from pages._common import optimizer_widgets as ow
from pages._common import present
from pages._common.keys import lessons as keys
from pages._common.keys import playground as pg
from pages._lessons.frame import FIG_HEIGHT, Link, Outcome, remember
from pages._lessons.text import LessonText
from viz.lesson_plots import Line, compact_map, lines_figure
from viz.surface_plots import add_paths, contour_map

NUMBER = 4
STEPS = 2000
START = (-2.0, 2.5)
SCALES = (1, 3, 10, 20)
RATES = ("best", 0.005, 0.05, 0.5)  # "best": each bowl its own 1/λₙ (no zig-zag)
TOL = 1e-6  # converged: loss within this of the minimum
KINDS = ("raw", "standard")


@dataclass(frozen=True)
class Bowl:
    expr: str
    lr: float
    kappa: float
    xs: np.ndarray
    ys: np.ndarray
    Z: np.ndarray
    log_scale: bool
    best: tuple[float, float]
    path: np.ndarray  # (T+1, 2)
    loss: np.ndarray  # (T+1,)
    gap: np.ndarray  # (T+1,) f − f*
    diverged_at: int
    steps: int  # to reach TOL, -1: not within STEPS


@st.cache_data(max_entries=16, show_spinner=False)
def study(scale: float, rate: str | float) -> dict[str, Bowl]:
    X, y = regression.data(scale)
    out = {}
    for kind, feats in (("raw", X), ("standard", regression.standardize(X))):
        expr = regression.loss_expression(feats, y)
        surface = surfaces.parse(expr)
        best = regression.best_weights(feats, y)
        lmin, lmax = conditioning.hessian_eigenvalues(surface, best)
        best_lr = conditioning.no_overshoot_step(lmax)
        lr = float(f"{best_lr:.6g}") if rate == "best" else float(rate)
        run = trajectories.run(
            surface, [optimizers.create("sgd", lr=lr)], [START], STEPS, record_state=False
        )
        loss = run.losses[0, 0]
        f_star = float(regression_loss(feats, y, best))
        xs, ys, Z = surfaces.grid(surface, 100)
        d = int(run.diverged_at[0, 0])
        out[kind] = Bowl(
            expr, lr, lmax / lmin, xs.astype(np.float32), ys.astype(np.float32),
            Z.astype(np.float32), surface.log_scale, best, run.paths[0, 0], loss,
            np.maximum(loss - f_star, 0.0) + 1e-16, d,
            int(analysis.steps_to_tolerance(loss, f_star, TOL)) if d < 0 else -1,
        )  # fmt: skip
    return out


def regression_loss(X: np.ndarray, y: np.ndarray, w: tuple[float, float]) -> float:
    return float(np.mean((np.asarray(X) @ np.asarray(w) - y) ** 2))


def show(text: LessonText) -> Outcome:
    left, right = st.columns(2)
    k_scale, k_rate = keys.key(NUMBER, "scale"), keys.key(NUMBER, "rate")
    remember(k_scale, SCALES, 10)
    remember(k_rate, RATES, "best")
    scale = left.select_slider(text.label("scale"), SCALES, key=k_scale)
    rate = right.select_slider(
        text.label("rate"), RATES, key=k_rate,
        format_func=lambda r: text.label("rate_best") if r == "best" else f"{r:g}",
    )  # fmt: skip
    bowls = study(float(scale), rate)
    cols = st.columns(3)
    for col, kind in zip(cols, KINDS, strict=False):
        b = bowls[kind]
        fig = contour_map(
            b.xs, b.ys, b.Z, log_scale=b.log_scale, minima=[b.best], start=START, click_grid=0,
            title=text.label(f"map_{kind}", kappa=b.kappa),
        )  # fmt: skip
        label = text.label("gd", lr=b.lr)
        add_paths(fig, ["sgd"], [label], b.path[None], b.loss[None], np.array([b.diverged_at]))
        fig.set_layout(height=FIG_HEIGHT)
        compact_map(fig)
        present.chart(col, fig, key=keys.key(NUMBER, f"fig_map_{kind}"), width="stretch")
    t = np.arange(STEPS + 1, dtype=np.float64)
    lines = []
    for kind in KINDS:
        b = bowls[kind]
        n = STEPS + 1 if b.diverged_at < 0 else max(b.diverged_at, 1)
        lines.append(Line(kind, text.label(f"curve_{kind}"), t[:n], b.gap[:n]))
    curves = lines_figure(
        lines, title=text.label("curves_title"), x_title=text.label("step"),
        y_title=text.label("gap"), log_y=True,
    )  # fmt: skip
    present.chart(cols[2], curves, key=keys.key(NUMBER, "fig_curves"), width="stretch")
    raw, std = bowls["raw"], bowls["standard"]
    numbers = dict(
        scale=scale, kappa_raw=raw.kappa, kappa_std=std.kappa, lr_raw=raw.lr, lr_std=std.lr,
        result_raw=_steps(raw, text), result_std=_steps(std, text),
    )  # fmt: skip
    query = {
        "pg_surface": "custom", "pg_expr": raw.expr, "pg_x0": f"{START[0]:g}",
        "pg_y0": f"{START[1]:g}", "pg_opts": "sgd", "pg_steps": str(STEPS),
        ow.key(pg.PREFIX, "sgd", "lr"): f"{raw.lr:.6g}",
    }  # fmt: skip
    return Outcome(numbers, Link("playground", query))


def _steps(b: Bowl, text: LessonText) -> str:
    if b.diverged_at >= 0:
        return text.label("diverged", step=b.diverged_at)
    if b.steps < 0:
        return text.label("never", steps=STEPS)
    return text.label("reached", steps=b.steps)
