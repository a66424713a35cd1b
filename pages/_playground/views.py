"""The playground's three views (trajectories, many starts, sweep): cached results -> viz -> page.

Each view keeps its last good result in session state and shows it, with a warning, when new
settings cannot run (a bad hyperparameter, a run too large), so the projector never goes blank.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import numpy as np
import streamlit as st

from engine import optimizers
from engine.optimizers import schedules
from engine.surfaces import Surface, analysis
from pages._common import optimizer_widgets as ow
from pages._common.guard import friendly_errors
from pages._common.keys import playground as keys
from pages._playground import data, notes
from pages._playground.controls import Settings, get_surface
from viz import basin_plots, surface_3d
from viz import playground_plots as pp
from viz import surface_plots as sp

FIELD_TITLES = {
    "v": "velocity / buffer",
    "s": "accumulated squared gradients",
    "m": "first moment",
    "b": "momentum buffer",
    "g": "average gradient",
    "u": "second accumulator",
    "v_max": "running max of v",
    "mu_product": "product of μ",
}
#: The trajectories view's tabs; the open one is in the URL (``keys.TAB``; absent: the first).
TABS = ("Loss and distance", "Internals", "Comparison table", "Update rules")
SECOND_MOMENT = ("rmsprop", "adam", "adamw", "amsgrad", "nadam", "radam", "adadelta")


def _compute(view: str, fn: Callable[..., Any], cfg: Settings, *args: Any):
    """``(cfg, result)`` for the new settings, else the last good pair with a warning."""
    store = st.session_state.setdefault(keys.LAST_GOOD, {})
    try:
        result = fn(cfg, *args)
    except ValueError as exc:
        last = store.get(view)
        tail = " Showing the last result that worked." if last else ""
        st.warning(f"These settings cannot run: {exc}.{tail}", icon=":material/warning:")
        return last or (None, None)
    store[view] = (cfg, result)
    return cfg, result


def _titles(name: str, keys_: list[str]) -> dict[str, str]:
    symbols = optimizers.symbols(name)
    out = {}
    for k in keys_:
        if k == "log:eff":
            out[k] = "effective step size |Δθ|/|g| (log)"
        elif k == "log:step":
            out[k] = "step length |Δθ| (log); dashed: η"
        elif k.endswith("_hat"):
            base = k[:-4]
            out[k] = f"bias-corrected {pp.html_symbol(symbols[base])}/(1−β<sup>t</sup>)"
        else:
            what = FIELD_TITLES.get(k, k)
            if k == "v" and name in SECOND_MOMENT:
                what = "average of g²"
            out[k] = f"{pp.html_symbol(symbols.get(k, k))}: {what}"
    return out


def _table(result: dict[str, Any], surface: Surface) -> list[dict[str, Any]]:
    rows = []
    for row in result["table"]:
        m = row["minimum"]
        rows.append(
            {
                "optimizer": row["label"],
                "final loss": f"{row['final_loss']:.4g}",
                "best loss": f"{row['best_loss']:.4g}",
                "best at step": row["best_step"],
                "steps to tolerance": (
                    str(row["steps_to_tol"]) if row["steps_to_tol"] >= 0 else "not reached"
                ),
                "ended in minimum": (
                    f"#{m} ({surface.minima[m][0]:.3g}, {surface.minima[m][1]:.3g})"
                    if m >= 0
                    else "none"
                ),
                "diverged": f"at step {row['diverged_at']}" if row["diverged_at"] >= 0 else "no",
            }
        )
    return rows


# The trajectories view's figures, each built once per settings and never changed afterwards
# (cache_resource: no copy per rerun). Each is built only when it is on screen: the 3D view
# when it is switched on, the internals when their tab is open.
@st.cache_resource(max_entries=16, show_spinner=False)
def map_figure(cfg: Settings) -> Any:
    """The contour map with every path, its playback and a click grid."""
    result = data.paths(cfg)
    surface = get_surface(cfg.surface)
    names, labels, div = result["names"], result["labels"], result["diverged_at"]
    xs, ys, Z = data.contour(cfg.surface, data.CONTOUR_N)
    fig = sp.contour_map(
        xs, ys, Z, log_scale=surface.log_scale, minima=surface.minima, start=cfg.start,
        title=f"{surface.title}: click anywhere to start there",
    )  # fmt: skip
    sp.add_paths(fig, names, labels, result["paths"], result["losses"], div, result["undefined"])
    sp.add_playback(fig, names, labels, result["paths"], div, analysis.frame_steps(cfg.steps))
    return fig


@st.cache_resource(max_entries=16, show_spinner=False)
def figure_3d(cfg: Settings) -> Any:
    """The surface in 3D with the paths on it."""
    result = data.paths(cfg)
    surface = get_surface(cfg.surface)
    x3, y3, Z3 = data.contour(cfg.surface, data.SURFACE_3D_N)
    return surface_3d.surface_3d(
        x3, y3, Z3, log_scale=surface.log_scale, names=result["names"], labels=result["labels"],
        paths=result["paths"], losses=result["losses"], diverged_at=result["diverged_at"],
    )  # fmt: skip


@st.cache_resource(max_entries=16, show_spinner=False)
def line_figures(cfg: Settings) -> tuple[Any, Any]:
    """The loss against step, and the distance to the nearest minimum (None without minima)."""
    result = data.paths(cfg)
    names, labels, div = result["names"], result["labels"], result["diverged_at"]
    undefined = result["undefined"]
    loss = pp.per_step_figure(
        names, labels, result["gap"], div, y_title=result["gap_title"],
        log_y=result["gap_log"], title="Loss against step", undefined=undefined,
    )  # fmt: skip
    if result["distance"] is None:
        return loss, None
    dist = pp.per_step_figure(
        names, labels, result["distance"] + 1e-16, div,
        y_title="distance to the nearest minimum (log)", log_y=True,
        title="Distance to the nearest known minimum", undefined=undefined,
    )  # fmt: skip
    return loss, dist


@st.cache_resource(max_entries=16, show_spinner=False)
def internals_figure(cfg: Settings) -> Any:
    """Every optimizer's internals in one figure."""
    result = data.paths(cfg)
    panels = [
        pp.Internals(
            name,
            label,
            series,
            _titles(name, list(series)),
            dict(cfg.opts[k][1])["lr"],
            int(result["diverged_at"][k]),
        )  # fmt: skip
        for k, (name, label, series) in enumerate(
            zip(result["names"], result["labels"], result["internals"], strict=True)
        )
    ]
    return pp.internals_grid(panels)


def trajectories_view(cfg: Settings) -> None:
    asked = cfg
    cfg, result = _compute("paths", data.paths, cfg)
    if result is None:
        notes.bare_map(asked)
        return
    surface = get_surface(cfg.surface)
    notes.stops(result)
    show_3d = bool(st.session_state.get(keys.SHOW_3D.key))
    fig_map = map_figure(cfg)
    left, right = st.columns([3, 2]) if show_3d else (st, None)
    left.plotly_chart(
        fig_map, key=keys.MAP_KEY, on_select="rerun", selection_mode="points", width="stretch"
    )
    if right is not None:
        right.plotly_chart(figure_3d(cfg), key="pg_fig_3d", width="stretch")
    st.latex(f"f(x, y) = {surface.latex}")

    # Only the open tab is built and sent; the tab is in the URL, so a link reopens it.
    tab_loss, tab_inner, tab_table, tab_rules = st.tabs(
        list(TABS), key=keys.TAB, bind="query-params"
    )
    if tab_loss.open:
        with tab_loss:
            loss, dist = line_figures(cfg)
            c1, c2 = st.columns(2)
            c1.plotly_chart(loss, key="pg_fig_loss", width="stretch")
            if dist is None:
                c2.info("This surface has no known minimum, so there is no distance to plot.")
            else:
                c2.plotly_chart(dist, key="pg_fig_dist", width="stretch")
    if tab_inner.open:
        with tab_inner:
            st.caption(
                "Solid: x coordinate, dotted: y. The effective step size |Δθ|/|g| shows why "
                "AdaGrad slows down (its s only grows) and why Adam's steps stay about η long."
            )
            st.plotly_chart(internals_figure(cfg), key="pg_fig_inner", width="stretch")
    if tab_table.open:
        with tab_table:
            st.dataframe(_table(result, surface), hide_index=True, width="stretch")
            st.caption(
                f"Steps to tolerance: first step with f − f* ≤ {cfg.tol:g}. 'Ended in minimum': "
                f"the final point lies within {analysis.radius(surface.bounds):.3g} of it."
            )
    if tab_rules.open:
        with tab_rules:
            for name, hyper in cfg.opts:
                st.markdown(optimizers.describe(name))
                st.latex(optimizers.formula(name, **dict(hyper)))
            if cfg.schedule[0] != "constant":
                st.markdown("with the learning rate η replaced at step t by the schedule")
                st.latex(schedules.LATEX[cfg.schedule[0]])
    c1, c2 = st.columns(2)
    # Both files are made when asked for, not on every rerun.
    c1.download_button(
        "Download trajectories (CSV)", lambda: data.trajectories_csv(result),
        file_name="trajectories.csv", mime="text/csv", icon=":material/download:",
    )  # fmt: skip
    c2.download_button(
        "Download the map (HTML)", lambda: fig_map.to_html(include_plotlyjs="cdn"),
        file_name="playground.html", mime="text/html", icon=":material/download:",
    )  # fmt: skip


def starts_view(cfg: Settings) -> None:
    n = st.slider("Grid of starts (n × n)", 2, keys.MAX_GRID, key=keys.GRID.key)
    with st.spinner(f"Running {n * n} starts for every optimizer…"):
        cfg, result = _compute("starts", data.many_starts, cfg, n)
    if result is None:
        return
    surface = get_surface(cfg.surface)
    if not surface.minima:
        st.info("This surface has no known minimum: every start counts as not converged.")
    fig = basin_plots.basin_maps(
        result["names"], result["starts"], result["basin"], surface.minima,
        result["shares"], int(round(len(result["starts"]) ** 0.5)),
    )  # fmt: skip
    st.plotly_chart(fig, key="pg_fig_basins", width="stretch")
    undefined = result["undefined_starts"]
    st.caption(
        "Each cell is a start, coloured by the known minimum its path ends in (within "
        f"{analysis.radius(surface.bounds):.3g}); grey: none reached in {cfg.steps} steps or "
        "diverged"
        + (f", or f is undefined there ({undefined} starts)" if undefined else "")
        + ". Stars: the minima."
    )


def _apply_lr(name: str, lr: float) -> None:
    st.session_state[ow.key(keys.PREFIX, name, "lr")] = float(lr)
    st.session_state[f"{keys.PREFIX}same_lr"] = False
    st.session_state[keys.MODE.key] = "paths"


def sweep_view(cfg: Settings) -> None:
    c1, c2, c3, c4 = st.columns(4)
    lo = c1.select_slider(
        "lowest η", ow.log_options(1e-6, 10.0, st.session_state[keys.SWEEP_LO.key]),
        key=keys.SWEEP_LO.key, format_func=lambda v: f"{v:.3g}",
    )  # fmt: skip
    hi = c2.select_slider(
        "highest η", ow.log_options(1e-5, 100.0, st.session_state[keys.SWEEP_HI.key]),
        key=keys.SWEEP_HI.key, format_func=lambda v: f"{v:.3g}",
    )  # fmt: skip
    n = c3.slider("learning rates", 4, keys.MAX_SWEEP, key=keys.SWEEP_N.key)
    metric = c4.radio(
        "score", ("final", "mean"), key=keys.SWEEP_METRIC.key, horizontal=True,
        format_func={"final": "final loss", "mean": "average loss"}.get,
    )  # fmt: skip
    if not lo < hi:
        st.warning(f"The lowest learning rate ({lo:g}) must be below the highest ({hi:g}).")
        return
    lrs = tuple(float(v) for v in analysis.lr_grid(lo, hi, n))
    with st.spinner(f"Sweeping {n} learning rates for every optimizer in one batch…"):
        cfg, result = _compute("sweep", data.sweep, cfg, lrs, metric)
    if result is None:
        return
    surface = get_surface(cfg.surface)
    what = "final" if metric == "final" else "average"
    y_title = f"{what} loss − f* (log)" if np.isfinite(surface.min_value) else f"{what} loss"
    fig = pp.sweep_figure(result["names"], result["lrs"], result["scores"], result["best"],
                          y_title=y_title)  # fmt: skip
    st.plotly_chart(fig, key="pg_fig_sweep", width="stretch")
    cols = st.columns(max(len(result["names"]), 1))
    for k, name in enumerate(result["names"]):
        b = result["best"][k]
        if b < 0:
            cols[k].caption(f"{name}: every learning rate diverged")
            continue
        best = float(result["lrs"][b])
        cols[k].button(
            f"Use η = {best:.3g} for {name}", key=f"pg_apply_{name}",
            on_click=_apply_lr, args=(name, best), width="stretch",
        )  # fmt: skip


def share_link() -> str:
    """The address that reopens this view (the page's URL and its query string)."""
    query = urlencode(st.query_params.to_dict(), safe=",")
    base = st.context.url or "/playground"
    return f"{base}?{query}" if query else base


def share_box(container: Any) -> None:
    with container.popover("Share this view", icon=":material/share:"):
        st.caption("Copy this link (the copy icon at its right): it reopens exactly this view.")
        st.code(share_link(), language=None, wrap_lines=True)


def run_view(mode: str, cfg: Settings) -> None:
    views = {"paths": trajectories_view, "starts": starts_view, "sweep": sweep_view}
    with friendly_errors("Running the optimizers"):
        notes.undefined_region(cfg)
        views[mode](cfg)
