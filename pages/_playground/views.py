"""The playground's three views (trajectories, many starts, sweep): cached results -> viz -> page.

Each view keeps its last good result in session state and shows it, with a warning, when new
settings cannot run (a bad hyperparameter, a run too large), so the projector never goes blank.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st

from engine import optimizers
from engine.core.i18n import LANGUAGES, N_, _, in_language, language
from engine.optimizers import grids, schedules
from engine.surfaces import Surface, analysis
from pages._common import optimizer_widgets as ow
from pages._common import present
from pages._common.downloads import made_later
from pages._common.guard import friendly_errors
from pages._common.keys import playground as keys
from pages._playground import data, figures, notes, step
from pages._playground.controls import Settings, get_surface
from viz import basin_plots
from viz import playground_plots as pp

#: The trajectories view's tabs; the open one is in the URL (``keys.TAB``; absent: the first).
TABS = (
    N_("Loss and distance"),
    N_("Internals"),
    N_("Comparison table"),
    N_("Update rules"),
    N_("Step by step"),
)


def _tab_labels() -> list[str]:
    """The tabs in this run's language. The open tab's state (and the link) holds its label, so
    a tab opened in another language is carried over to this one's label."""
    labels = [_(t) for t in TABS]
    current = st.session_state.get(keys.TAB)
    for lang in LANGUAGES:
        others = [in_language(lang, t) for t in TABS]
        if current in others and current not in labels:
            st.session_state[keys.TAB] = labels[others.index(current)]
    return labels


def _compute(view: str, fn: Callable[..., Any], cfg: Settings, *args: Any):
    """``(cfg, result)`` for the new settings, else the last good pair with a warning."""
    store = st.session_state.setdefault(keys.LAST_GOOD, {})
    try:
        result = fn(cfg, *args)
    except ValueError as exc:
        last = store.get(view)
        tail = " " + _("Showing the last result that worked.") if last else ""
        message = _("These settings cannot run: {reason}.").format(reason=exc) + tail
        st.warning(message, icon=":material/warning:")
        return last or (None, None)
    store[view] = (cfg, result)
    return cfg, result


def _table(result: data.Paths, surface: Surface) -> list[dict[str, Any]]:
    rows = []
    for row in result.table:
        m = row["minimum"]
        rows.append(
            {
                _("optimizer"): row["label"],
                _("final loss"): f"{row['final_loss']:.4g}",
                _("best loss"): f"{row['best_loss']:.4g}",
                _("best at step"): row["best_step"],
                _("steps to tolerance"): (
                    str(row["steps_to_tol"]) if row["steps_to_tol"] >= 0 else _("not reached")
                ),
                _("ended in minimum"): (
                    f"#{m} ({surface.minima[m][0]:.3g}, {surface.minima[m][1]:.3g})"
                    if m >= 0
                    else _("none")
                ),
                _("diverged"): (
                    _("at step {step}").format(step=row["diverged_at"])
                    if row["diverged_at"] >= 0
                    else _("no")
                ),
            }
        )
    return rows


def trajectories_view(cfg: Settings) -> None:
    asked = cfg
    # One slot for the warnings, however many there are: the map below keeps its place on the
    # page, so its frame (a kept chart) is not built anew when a new start makes a path diverge.
    messages = st.container()
    with messages:
        cfg, result = _compute("paths", data.paths, cfg)
    if result is None:
        notes.bare_map(asked)
        return
    surface = get_surface(cfg.surface)
    with messages:
        notes.stops(result)
    show_3d = bool(st.session_state.get(keys.SHOW_3D.key))
    fig_map = figures.paths_map(cfg, language(), result)
    if show_3d and not present.active():
        left, right = st.columns([3, 2])
    else:  # side by side, both are too narrow on a projector: the 3D view goes below the map
        left, right = st, (st if show_3d else None)
    # Both kept on the page: each run's paths are applied in place (the reader's zoom and
    # camera stay), and a click on the map reruns with the point as a start.
    present.kept(left, fig_map, key=keys.MAP_KEY, clicks=True)
    if right is not None:
        present.kept(right, figures.view_3d(cfg, language(), result), key="pg_fig_3d")
    st.latex(f"f(x, y) = {surface.latex}")

    # Only the open tab is built and sent; the tab is in the URL, so a link reopens it.
    tab_loss, tab_inner, tab_table, tab_rules, tab_step = st.tabs(
        _tab_labels(), key=keys.TAB, bind="query-params"
    )
    if tab_loss.open:
        with tab_loss:
            loss, dist = figures.line_figures(cfg, language(), result)
            c1, c2 = st.columns(2)
            # Kept charts too: a slider move updates them in place (st.plotly_chart would draw
            # both anew), and the page loads no second plotly.js for them.
            present.kept(c1, loss, key="pg_fig_loss")
            if dist is None:
                c2.info(_("This surface has no known minimum, so there is no distance to plot."))
            else:
                present.kept(c2, dist, key="pg_fig_dist")
    if tab_inner.open:
        with tab_inner:
            st.caption(
                _(
                    "Solid: x coordinate, dotted: y. The effective step size |Δθ|/|g| shows why "
                    "AdaGrad slows down (its s only grows) and why Adam's steps stay about η long."
                )
            )
            # A kept chart like the others: Plotly.react takes a slider move's new internals in
            # place, where st.plotly_chart drew all its panels anew (0.45 s of browser CPU).
            present.kept(st, figures.internals(cfg, language(), result), key="pg_fig_inner")
    if tab_table.open:
        with tab_table:
            st.dataframe(_table(result, surface), hide_index=True, width="stretch")
            st.caption(
                _(
                    "Steps to tolerance: first step with f − f* ≤ {tol}. 'Ended in minimum': the "
                    "final point lies within {radius} of it."
                ).format(tol=f"{cfg.tol:g}", radius=f"{analysis.radius(surface.bounds):.3g}")
            )
    if tab_rules.open:
        with tab_rules:
            for name, hyper in cfg.opts:
                st.markdown(_(optimizers.describe(name)))
                st.latex(optimizers.formula(name, **dict(hyper)))
            if cfg.schedule[0] != "constant":
                st.markdown(_("with the learning rate η replaced at step t by the schedule"))
                st.latex(schedules.LATEX[cfg.schedule[0]])
    if tab_step.open:
        with tab_step:
            step.step_tab(cfg, result)
    c1, c2 = st.columns(2)
    # Both files are made when asked for, not on every rerun.
    c1.download_button(
        _("Download trajectories (CSV)"), made_later(data.trajectories_csv, result),
        file_name="trajectories.csv", mime="text/csv", icon=":material/download:",
    )  # fmt: skip
    c2.download_button(
        _("Download the map (HTML)"), made_later(fig_map.to_html, include_plotlyjs="cdn"),
        file_name="playground.html", mime="text/html", icon=":material/download:",
    )  # fmt: skip


def starts_view(cfg: Settings) -> None:
    n = st.slider(_("Grid of starts (n × n)"), 2, keys.MAX_GRID, key=keys.GRID.key)
    with st.spinner(_("Running {count} starts for every optimizer…").format(count=n * n)):
        cfg, result = _compute("starts", data.many_starts, cfg, n)
    if result is None:
        return
    surface = get_surface(cfg.surface)
    if not surface.minima:
        st.info(_("This surface has no known minimum: every start counts as not converged."))
    fig = basin_plots.basin_maps(
        result.names, result.starts, result.basin, surface.minima,
        result.shares, int(round(len(result.starts) ** 0.5)),
    )  # fmt: skip
    present.chart(st, fig, key="pg_fig_basins", width="stretch")
    undefined = result.undefined_starts
    st.caption(
        _(
            "Each cell is a start, coloured by the known minimum its path ends in (within "
            "{radius}); grey: none reached in {steps} steps or diverged"
        ).format(radius=f"{analysis.radius(surface.bounds):.3g}", steps=cfg.steps)
        + (
            _(", or f is undefined there ({count} starts)").format(count=undefined)
            if undefined
            else ""
        )
        + _(". Stars: the minima.")
    )


def _apply_lr(name: str, lr: float) -> None:
    st.session_state[ow.key(keys.PREFIX, name, "lr")] = float(lr)
    st.session_state[f"{keys.PREFIX}same_lr"] = False
    st.session_state[keys.MODE.key] = "paths"


def sweep_view(cfg: Settings) -> None:
    c1, c2, c3, c4 = st.columns(4)
    lo = c1.select_slider(
        _("lowest η"), grids.log_ladder(1e-6, 10.0, st.session_state[keys.SWEEP_LO.key]),
        key=keys.SWEEP_LO.key, format_func=lambda v: f"{v:.3g}",
    )  # fmt: skip
    hi = c2.select_slider(
        _("highest η"), grids.log_ladder(1e-5, 100.0, st.session_state[keys.SWEEP_HI.key]),
        key=keys.SWEEP_HI.key, format_func=lambda v: f"{v:.3g}",
    )  # fmt: skip
    n = c3.slider(_("learning rates"), 4, keys.MAX_SWEEP, key=keys.SWEEP_N.key)
    metric = c4.radio(
        _("score"), ("final", "mean"), key=keys.SWEEP_METRIC.key, horizontal=True,
        format_func=lambda m: _("final loss") if m == "final" else _("average loss"),
    )  # fmt: skip
    if not lo < hi:
        st.warning(
            _("The lowest learning rate ({lo}) must be below the highest ({hi}).").format(
                lo=f"{lo:g}", hi=f"{hi:g}"
            )
        )
        return
    lrs = tuple(float(v) for v in grids.lr_grid(lo, hi, n))
    with st.spinner(
        _("Sweeping {count} learning rates for every optimizer in one batch…").format(count=n)
    ):
        cfg, result = _compute("sweep", data.sweep, cfg, lrs, metric)
    if result is None:
        return
    surface = get_surface(cfg.surface)
    what = _("final loss") if metric == "final" else _("average loss")
    y_title = what + " − f* " + _("(log)") if np.isfinite(surface.min_value) else what
    fig = pp.sweep_figure(result.names, result.lrs, result.scores, result.best,
                          y_title=y_title)  # fmt: skip
    present.chart(st, fig, key="pg_fig_sweep", width="stretch")
    cols = st.columns(max(len(result.names), 1))
    for k, name in enumerate(result.names):
        b = result.best[k]
        if b < 0:
            cols[k].caption(_("{name}: every learning rate diverged").format(name=name))
            continue
        best = float(result.lrs[b])
        cols[k].button(
            _("Use η = {lr} for {name}").format(lr=f"{best:.3g}", name=name), key=f"pg_apply_{name}",
            on_click=_apply_lr, args=(name, best), width="stretch",
        )  # fmt: skip


def run_view(mode: str, cfg: Settings) -> None:
    views = {"paths": trajectories_view, "starts": starts_view, "sweep": sweep_view}
    with friendly_errors(_("Running the optimizers")):
        notes.undefined_region(cfg)
        views[mode](cfg)
