"""Lesson 3, adaptive learning rates: AdaGrad, RMSProp and Adam give every coordinate its own
step size. AdaGrad's sum only grows (it stalls), RMSProp's average forgets; and the course's
update conventions next to PyTorch's, with the paths they give."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from engine import optimizers, surfaces
from engine.optimizers import schedules
from engine.surfaces import default_lrs, trajectories
from pages._common import optimizer_widgets as ow
from pages._common import present
from pages._common.keys import lessons as keys
from pages._common.keys import playground as pg
from pages._lessons.frame import FIG_HEIGHT, Link, Outcome, remember
from pages._lessons.text import LessonText
from viz.lesson_plots import Line, compact_map, lines_figure
from viz.surface_plots import add_paths, contour_map

NUMBER = 3
SURFACE = "rosenbrock"
STEPS = 500
NAMES = ("adagrad", "rmsprop", "adam", "momentum")
# Per optimizer: the course's convention (Hung-yi Lee's notes) where the engine has one. The
# course's AdaGrad, η/√(t+1) over the root mean square σ, cancels to PyTorch's update, so it
# has no convention of its own (the lesson's test checks the cancellation).
COURSE = {"rmsprop": "course", "momentum": "velocity"}
SCHEDULES = ("constant", "exponential")


@dataclass(frozen=True)
class Result:
    xs: np.ndarray
    ys: np.ndarray
    Z: np.ndarray
    log_scale: bool
    start: tuple[float, float]
    minima: tuple
    hypers: dict[str, dict]  # per optimizer, what the map's run used
    paths: np.ndarray  # (4, T+1, 2) in the chosen convention
    losses: np.ndarray
    diverged_at: np.ndarray
    effective: np.ndarray  # (4, T, 2) |Δθᵢ| / |gᵢ|
    gap: dict[str, float]  # per optimizer with a course convention: max distance of the paths
    final: np.ndarray  # (4,) final f − f*


def _hypers(surface, name: str, convention: str) -> dict:
    h = dict(default_lrs.default_hypers(surface)[name])
    if convention == "course" and name in COURSE:
        h["convention"] = COURSE[name]
    return h


@st.cache_data(max_entries=8, show_spinner=False)
def study(convention: str, schedule: str) -> Result:
    surface = surfaces.get(SURFACE)
    hypers = {n: _hypers(surface, n, convention) for n in NAMES}
    other = "pytorch" if convention == "course" else "course"
    twins = [_hypers(surface, n, other) for n in COURSE]
    opts = [optimizers.create(n, **hypers[n]) for n in NAMES]
    opts += [optimizers.create(n, **h) for n, h in zip(COURSE, twins, strict=True)]
    sched = schedules.make(schedule, STEPS, **({"gamma": pg.SCHED_EGAMMA.default}
                                               if schedule == "exponential" else {}))  # fmt: skip
    run = trajectories.run(surface, opts, [surface.start], STEPS, schedule=sched,
                           record_state=False)  # fmt: skip
    paths = run.paths[:, 0]
    gap = {
        n: float(np.abs(paths[NAMES.index(n)] - paths[len(NAMES) + i]).max())
        for i, n in enumerate(COURSE)
    }
    xs, ys, Z = surfaces.grid(surface, 120)
    k = len(NAMES)
    return Result(
        xs.astype(np.float32), ys.astype(np.float32), Z.astype(np.float32), surface.log_scale,
        surface.start, surface.minima, hypers, paths[:k], run.losses[:k, 0],
        run.diverged_at[:k, 0], run.effective_lr()[:k, 0], gap,
        run.losses[:k, 0, -1] - surface.min_value,
    )  # fmt: skip


def show(text: LessonText) -> Outcome:
    left, right = st.columns(2)
    k_conv, k_sched = keys.key(NUMBER, "convention"), keys.key(NUMBER, "schedule")
    remember(k_conv, ("pytorch", "course"), "pytorch")
    remember(k_sched, SCHEDULES, "constant")
    convention = left.segmented_control(
        text.label("convention"), ("pytorch", "course"), key=k_conv,
        format_func=lambda c: text.label(f"convention_{c}"),
    ) or "pytorch"  # fmt: skip
    schedule = right.segmented_control(
        text.label("schedule"), SCHEDULES, key=k_sched,
        format_func=lambda s: text.label(f"schedule_{s}"),
    ) or "constant"  # fmt: skip
    r = study(convention, schedule)
    labels = [f"{n} (η = {r.hypers[n]['lr']:g})" for n in NAMES]
    fig = contour_map(
        r.xs, r.ys, r.Z, log_scale=r.log_scale, minima=r.minima, start=r.start,
        click_grid=0, title=text.label("map_title"),
    )  # fmt: skip
    add_paths(fig, list(NAMES), labels, r.paths, r.losses, r.diverged_at)
    fig.set_layout(height=FIG_HEIGHT)
    compact_map(fig)
    t = np.arange(1, STEPS + 1, dtype=np.float64)
    lines = [
        Line(n, f"{n}: {coord}", t, r.effective[k, :, i], dash=None if i == 0 else "dot")
        for k, n in enumerate(NAMES[:3])
        for i, coord in enumerate(("x", "y"))
    ]
    steps = lines_figure(
        lines, title=text.label("step_title"), x_title=text.label("step"),
        y_title=text.label("step_size"), log_y=True,
    )  # fmt: skip
    a, b = st.columns(2)
    present.chart(a, fig, key=keys.key(NUMBER, "fig_map"), width="stretch")
    present.chart(b, steps, key=keys.key(NUMBER, "fig_steps"), width="stretch")
    with st.expander(text.label("formulas"), expanded=True):
        for name, conv in COURSE.items():
            c1, c2 = st.columns(2)
            c1.caption(f"{name} · {text.label('convention_pytorch')}")
            c1.latex(optimizers.formula(name, convention="pytorch"))
            c2.caption(f"{name} · {text.label('convention_course')}")
            c2.latex(optimizers.formula(name, convention=conv))
        c1, c2 = st.columns(2)
        c1.caption(f"adagrad · {text.label('convention_pytorch')}")
        c1.latex(optimizers.formula("adagrad"))
        c2.caption(f"adagrad · {text.label('convention_course')}")
        c2.latex(text.label("adagrad_course_latex"))
    ratio = r.effective[:, -1].mean(-1) / r.effective[:, 0].mean(-1)
    numbers = dict(
        adagrad_shrink=1 / ratio[0], rmsprop_ratio=ratio[1], adam_ratio=ratio[2],
        final_adagrad=r.final[0], final_rmsprop=r.final[1], final_adam=r.final[2],
        gap_rmsprop=r.gap["rmsprop"], gap_momentum=r.gap["momentum"],
        schedule=text.label(f"schedule_{schedule}"),
    )  # fmt: skip
    query = {"pg_surface": SURFACE, "pg_opts": ",".join(NAMES), "pg_steps": str(STEPS)}
    for n in NAMES:
        query[ow.key(pg.PREFIX, n, "lr")] = f"{r.hypers[n]['lr']:g}"
        if "convention" in r.hypers[n]:
            query[ow.key(pg.PREFIX, n, "convention")] = r.hypers[n]["convention"]
    if schedule != "constant":
        query["pg_sched"] = schedule
    return Outcome(numbers, Link("playground", query))
