"""The figures of the playground's trajectories view: the map with paths and playback, the 3D
view, loss and distance per step, and every optimizer's internals, from one cached run.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from engine import optimizers
from engine.core.i18n import N_, _
from engine.surfaces import analysis
from pages._common import present
from pages._playground import data
from pages._playground.controls import FAST_KEY, Settings, get_surface
from viz import playground_plots as pp
from viz import surface_3d
from viz import surface_plots as sp

FIELD_TITLES = {
    "v": N_("velocity / buffer"),
    "s": N_("accumulated squared gradients"),
    "m": N_("first moment"),
    "b": N_("momentum buffer"),
    "g": N_("average gradient"),
    "u": N_("second accumulator"),
    "v_max": N_("running max of v"),
    "mu_product": N_("product of μ"),
}
SECOND_MOMENT = ("rmsprop", "adam", "adamw", "amsgrad", "nadam", "radam", "adadelta")


def internals_titles(name: str, keys_: list[str]) -> dict[str, str]:
    """The title of each internals panel of optimizer ``name``, its state symbols in HTML."""
    symbols = optimizers.symbols(name)
    out = {}
    for k in keys_:
        if k == "log:eff":
            out[k] = _("effective step size |Δθ|/|g| (log)")
        elif k == "log:step":
            out[k] = _("step length |Δθ| (log); dashed: η")
        elif k.endswith("_hat"):
            base = k[:-4]
            out[k] = _("bias-corrected {symbol}").format(
                symbol=f"{pp.html_symbol(symbols[base])}/(1−β<sup>t</sup>)"
            )
        else:
            what = _(FIELD_TITLES[k]) if k in FIELD_TITLES else k
            if k == "v" and name in SECOND_MOMENT:
                what = _("average of g²")
            out[k] = f"{pp.html_symbol(symbols.get(k, k))}: {what}"
    return out


def map_figure(cfg: Settings, title: str | None = None) -> go.Figure:
    """The surface's map with its minima and the start (a new figure on every call: callers add
    to it). A click on it picks a start through the kept chart's own click events
    (pages/_common/kept_chart.py), not a grid of invisible points: 1600 of them were a third of
    the map's drawing time in chromium."""
    surface = get_surface(cfg.surface)
    xs, ys, Z = data.contour(cfg.surface, data.CONTOUR_N)
    return sp.contour_map(
        xs, ys, Z, log_scale=surface.log_scale, minima=surface.minima, start=cfg.start,
        click_grid=0, title=title
        or _("{surface}: click anywhere to start there").format(surface=present.title(surface.title)),
    )  # fmt: skip


# Each figure of the trajectories view is built once per settings and never changed afterwards
# (cache_resource: no copy per rerun), and only when it is on screen: the 3D view when it is
# switched on, the internals when their tab is open. Their words are in the session's language:
# ``lang`` (i18n.language()) is part of the key, so sessions in two languages get their own.
# ``_result`` is ``data.paths(cfg)``, which the view already holds: ``cfg`` decides it, so it is
# left out of the key (a leading underscore) and not fetched from its cache and copied again.
@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=FAST_KEY)
def paths_map(cfg: Settings, lang: str, _result: data.Paths) -> go.Figure:
    """The contour map with every path and its playback."""
    result = _result
    fig = map_figure(cfg)
    names, labels, div = result.names, result.labels, result.diverged_at
    sp.add_paths(fig, names, labels, result.paths, result.losses, div, result.undefined)
    sp.add_playback(fig, names, labels, result.paths, div, analysis.frame_steps(cfg.steps))
    return fig


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=FAST_KEY)
def view_3d(cfg: Settings, lang: str, _result: data.Paths) -> go.Figure:
    """The surface in 3D with the paths on it."""
    result = _result
    surface = get_surface(cfg.surface)
    x3, y3, Z3 = data.contour(cfg.surface, data.SURFACE_3D_N)
    return surface_3d.surface_3d(
        x3, y3, Z3, log_scale=surface.log_scale, names=result.names, labels=result.labels,
        paths=result.paths, losses=result.losses, diverged_at=result.diverged_at,
    )  # fmt: skip


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=FAST_KEY)
def line_figures(
    cfg: Settings, lang: str, _result: data.Paths
) -> tuple[go.Figure, go.Figure | None]:
    """The loss against step, and the distance to the nearest minimum (None without minima)."""
    result = _result
    names, labels, div, undefined = (
        result.names,
        result.labels,
        result.diverged_at,
        result.undefined,
    )
    loss = pp.per_step_figure(
        names, labels, result.gap, div, y_title=_(result.gap_title),
        log_y=result.gap_log, title=_("Loss against step"), undefined=undefined,
    )  # fmt: skip
    if result.distance is None:
        return loss, None
    dist = pp.per_step_figure(
        names, labels, result.distance + 1e-16, div,
        y_title=_("distance to the nearest minimum (log)"), log_y=True,
        title=_("Distance to the nearest known minimum"), undefined=undefined,
    )  # fmt: skip
    return loss, dist


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=FAST_KEY)
def internals(cfg: Settings, lang: str, _result: data.Paths) -> go.Figure:
    """Every optimizer's internals in one figure, its panels laid out once."""
    result = _result
    panels = [
        pp.Internals(
            name,
            label,
            series,
            internals_titles(name, list(series)),
            dict(cfg.opts[k][1])["lr"],
            int(result.diverged_at[k]),
        )  # fmt: skip
        for k, (name, label, series) in enumerate(
            zip(result.names, result.labels, result.internals, strict=True)
        )
    ]
    return pp.internals_grid(panels)
