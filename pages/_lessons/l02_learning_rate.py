"""Lesson 2, the learning rate: too small crawls, right converges, too large diverges (marked at
its step); a decaying schedule can rescue a too-large rate; a sweep finds the best rate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from engine import optimizers, surfaces
from engine.optimizers import grids, schedules
from engine.surfaces import analysis, conditioning, trajectories
from pages._common import present
from pages._common.keys import lessons as keys
from pages._common.keys import playground as pg
from pages._lessons.frame import FIG_HEIGHT, Link, Outcome, remember
from pages._lessons.text import LessonText
from viz.lesson_plots import Line, lines_figure
from viz.playground_plots import sweep_figure

NUMBER = 2
SURFACE = "ill_conditioned"
STEPS = 200
SCHEDULES = ("constant", "step", "exponential", "cosine")
LARGE = (0.085, 0.1, 0.15, 0.3)
SWEEP = (1e-3, 0.2, 32)  # lowest, highest rate, how many (as the playground's sweep fields)
# The playground's default parameters of each schedule, so that its link runs the same one.
SCHEDULE_PARAMS = {
    "constant": {},
    "step": {"step_size": pg.SCHED_SIZE.default, "gamma": pg.SCHED_GAMMA.default},
    "exponential": {"gamma": pg.SCHED_EGAMMA.default},
    "cosine": {"eta_min_ratio": pg.SCHED_MIN.default},
}


@dataclass(frozen=True)
class Result:
    rates: tuple[float, float, float]  # too small, right, too large
    limit: float  # 2/λₙ
    gaps: np.ndarray  # (3, T+1) f − f*
    diverged_at: np.ndarray  # (3,)
    lrs: np.ndarray
    scores: np.ndarray  # (1, N): final f − f*, inf where diverged
    best: int


def _run(surface, rates, schedule: str):
    opts = [optimizers.create("sgd", lr=float(lr)) for lr in rates]
    sched = schedules.make(schedule, STEPS, **SCHEDULE_PARAMS[schedule])
    return trajectories.run(
        surface, opts, [surface.start], STEPS, schedule=sched, record_state=False
    )


@st.cache_data(max_entries=16, show_spinner=False)
def study(schedule: str, large: float) -> Result:
    surface = surfaces.get(SURFACE)
    lmin, lmax = conditioning.hessian_eigenvalues(surface, surface.minima[0])
    limit = conditioning.stability_limit(lmax)
    right = float(f"{conditioning.gd_step(lmin, lmax):.3g}")
    rates = (float(f"{limit / 40:.3g}"), right, large)
    run = _run(surface, rates, schedule)
    gaps, _, _ = analysis.loss_gap(run.losses[:, 0], surface.min_value)
    lrs = np.asarray([float(v) for v in grids.lr_grid(*SWEEP)])
    sweep = _run(surface, lrs, schedule)
    scores = analysis.sweep_scores(
        sweep.losses[:, 0][None], sweep.diverged_at[:, 0][None], surface.min_value, "final"
    )
    return Result(rates, limit, gaps, run.diverged_at[:, 0], lrs, scores,
                  analysis.best_index(scores[0]))  # fmt: skip


def show(text: LessonText) -> Outcome:
    left, right = st.columns(2)
    k_sched, k_large = keys.key(NUMBER, "schedule"), keys.key(NUMBER, "large")
    remember(k_sched, SCHEDULES, "constant")
    remember(k_large, LARGE, 0.1)
    schedule = left.selectbox(
        text.label("schedule"), SCHEDULES, key=k_sched,
        format_func=lambda s: text.label(f"schedule_{s}"),
    )  # fmt: skip
    large = right.select_slider(
        text.label("large_rate"), LARGE, key=k_large, format_func=lambda v: f"{v:g}"
    )
    r = study(schedule, float(large))
    names = ("small", "right", "large")
    t = np.arange(STEPS + 1, dtype=np.float64)
    lines, marks = [], []
    for k, name in enumerate(names):
        label = text.label(name, lr=r.rates[k])
        d = int(r.diverged_at[k])
        n = STEPS + 1 if d < 0 else max(d, 1)
        lines.append(Line(name, label, t[:n], r.gaps[k, :n]))
        if d >= 0:
            marks.append(
                (float(n - 1), float(r.gaps[k, n - 1]), text.label("diverged", step=d), name)
            )
    curves = lines_figure(
        lines, title=text.label("curves_title"), x_title=text.label("step"),
        y_title=text.label("gap"), log_y=True, markers=marks,
    )  # fmt: skip
    sweep = sweep_figure(["sgd"], r.lrs, r.scores, [r.best], y_title=text.label("gap_final"))
    sweep.add_vline(x=r.limit, line_dash="dot", annotation_text=text.label("limit", lr=r.limit))
    sweep.update_layout(title_text=text.label("sweep_title"), font_size=18, height=FIG_HEIGHT)
    a, b = st.columns(2)
    present.chart(a, curves, key=keys.key(NUMBER, "fig_curves"), width="stretch")
    present.chart(b, sweep, key=keys.key(NUMBER, "fig_sweep"), width="stretch")
    d_large = int(r.diverged_at[2])
    numbers = dict(
        small=r.rates[0], right=r.rates[1], large=large,
        gap_small=r.gaps[0, -1], gap_right=r.gaps[1, -1],
        large_fate=(text.label("fate_diverged", step=d_large) if d_large >= 0
                    else text.label("fate_survived", gap=r.gaps[2, -1])),
        schedule=text.label(f"schedule_{schedule}"), limit=r.limit,
        best=r.lrs[r.best] if r.best >= 0 else float("nan"),
    )  # fmt: skip
    query = {
        "pg_mode": "sweep", "pg_surface": SURFACE, "pg_opts": "sgd", "pg_steps": str(STEPS),
        "pg_sched": schedule, "pg_sw_lo": f"{SWEEP[0]:g}", "pg_sw_hi": f"{SWEEP[1]:g}",
        "pg_sw_n": str(SWEEP[2]),
    }  # fmt: skip
    return Outcome(numbers, Link("playground", query))
