"""Line figures of the optimizer playground: loss and distance per step, optimizer internals, and
learning-rate sweeps. numpy in, figure out; nothing non-finite reaches a figure.

The figures a rerun rebuilds (per step, internals) are plain-dict
:class:`viz.spec_figure.SpecFigure` objects: plotly's validation of every property cost more
than the run they show (see viz/spec_figure.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go

from engine.core.i18n import _
from viz.colors import optimizer_color
from viz.spec_figure import SpecFigure, figure
from viz.surface_plots import FONT, stop_text, valid_length

LINE_LAYOUT = dict(
    font=FONT,
    height=460,
    margin=dict(l=70, r=20, t=110, b=50),
    legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
    hovermode="x unified",
)


def html_symbol(latex: str) -> str:
    """A state symbol's LaTeX (``v^{\\max}_t``, ``\\bar g_t``) as Plotly HTML text."""
    text = latex.replace(r"\bar g", "ḡ").replace(r"\Pi", "Π").replace(r"\max", "max")
    text = re.sub(r"\^\{([^}]*)\}", r"<sup>\1</sup>", text)
    text = re.sub(r"_\{?([A-Za-z0-9]+)\}?", r"<sub>\1</sub>", text)
    return text.replace("{", "").replace("}", "").replace("\\", "")


def _finite(a: np.ndarray, fill: float = 0.0) -> np.ndarray:
    return np.nan_to_num(np.asarray(a, np.float64), nan=fill, posinf=1e300, neginf=-1e300)


def per_step_figure(
    names: Sequence[str],
    labels: Sequence[str],
    values: np.ndarray,
    diverged_at: np.ndarray,
    *,
    y_title: str,
    log_y: bool,
    title: str,
    undefined: Sequence[bool] | None = None,
) -> SpecFigure:
    """One line per optimizer of ``values`` (K, T+1) against the step, cut where it diverged.

    ``undefined[k]``: line k stopped where f has no value, not because its steps blew up.
    """
    traces: list[dict] = []
    steps = values.shape[1] - 1
    for k, (name, label) in enumerate(zip(names, labels, strict=True)):
        n = valid_length(int(diverged_at[k]), steps)
        y = _finite(values[k, :n], 1e300)
        if log_y:
            y = np.clip(y, 1e-300, 1e300)
        color = optimizer_color(name)
        traces.append(
            {
                "hovertemplate": f"{label}: %{{y:.4g}}<extra></extra>",
                "line": {"color": color, "width": 3},
                "mode": "lines",
                "name": label,
                "x": np.arange(n, dtype=np.int32),
                "y": y.astype(np.float64),
                "type": "scatter",
            }
        )
        if diverged_at[k] >= 0:
            traces.append(
                {
                    "hoverinfo": "skip",
                    "marker": {"color": color, "size": 14, "symbol": "x"},
                    "mode": "markers+text",
                    "showlegend": False,
                    "text": [
                        stop_text(diverged_at[k], undefined is not None and bool(undefined[k]))
                    ],
                    "textposition": "middle right",
                    "x": [n - 1],
                    "y": [float(y[-1])],
                    "type": "scatter",
                }
            )
    yaxis: dict = {"title": {"text": y_title}}
    if log_y:
        yaxis.update(exponentformat="power", type="log")
    layout = {
        "title": {"text": title, "x": 0, "xanchor": "left", "y": 0.99, "yanchor": "top"},
        "xaxis": {"title": {"text": _("step")}},
        "yaxis": yaxis,
        **_line_layout(),
    }
    return figure(traces, layout)


def _line_layout() -> dict:
    """LINE_LAYOUT as a fresh plain dict (nested dicts copied: a spec is never shared)."""
    return {k: dict(v) if isinstance(v, dict) else v for k, v in LINE_LAYOUT.items()}


class Internals(NamedTuple):
    """One optimizer's panel of the internals figure (see :func:`internals_figure`)."""

    name: str
    label: str
    series: dict[str, np.ndarray]  # (T', 2) each; a ``log:`` key is drawn on a log axis
    titles: dict[str, str]  # the title of each series' row
    lr: float  # the reference line of the step-length row (key ``log:step``)
    diverged_at: int


# The internals figure's grid, in pixels: a panel's heading, then one row per series.
ROW_PX = 150
HEAD_PX = 56
AXIS_PX = 50  # below a panel's last row: its tick labels and the "step" title
TOP_PX, BOTTOM_PX = 70, 20
GAP = 0.08  # between the two columns, a share of the width


def internals_figure(
    name: str,
    label: str,
    series: dict[str, np.ndarray],
    titles: dict[str, str],
    lr: float,
    diverged_at: int,
) -> SpecFigure:
    """One optimizer's internals: a row per series, (T', 2) each, x solid and y dotted.

    ``series`` keys whose name starts with ``log:`` are drawn on a log axis (step sizes).
    ``lr`` draws the reference line of the step-length row (key ``log:step``).
    """
    return internals_grid([Internals(name, label, series, titles, lr, diverged_at)], columns=1)


def internals_grid(panels: Sequence[Internals], columns: int = 2) -> SpecFigure:
    """Every optimizer's internals in one figure: a panel each, stacked in ``columns`` columns.

    One figure whose axes are laid out here once, instead of a subplot figure per optimizer: a
    panel has a row (its own x and y axes, the x axes shared within the panel) per series, x
    solid and y dotted. Each panel goes to the column that is shortest so far.
    """
    columns = max(1, min(columns, len(panels)))
    heights = [0] * columns
    placed = []  # (panel, column, top pixel)
    for panel in panels:
        c = heights.index(min(heights))
        placed.append((panel, c, heights[c]))
        heights[c] += HEAD_PX + ROW_PX * len(panel.series) + AXIS_PX
    plot_px = max(heights)
    width = (1 - GAP * (columns - 1)) / columns

    def y_of(px: float) -> float:  # a pixel below the plot area's top, as a paper fraction
        return 1 - px / plot_px

    traces: list[dict] = []
    layout: dict = {}
    annotations: list[dict] = []
    shapes: list[dict] = []
    axis = 0
    for panel, c, top in placed:
        x0 = c * (width + GAP)
        domain_x = [x0, x0 + width]
        annotations.append(
            _heading(f"<b>{panel.label}</b>: internals", x0, y_of(top + HEAD_PX - 22), size=17)
        )
        keys = list(panel.series)
        last_axis = axis + len(keys)
        color = optimizer_color(panel.name)
        for row, key in enumerate(keys):
            axis += 1
            suffix = "" if axis == 1 else str(axis)
            row_top = top + HEAD_PX + ROW_PX * row
            domain_y = [y_of(row_top + ROW_PX - 12), y_of(row_top + 26)]
            annotations.append(_heading(panel.titles[key], x0, domain_y[1], size=15))
            log = key.startswith("log:")
            xaxis: dict = {"anchor": f"y{suffix}", "domain": domain_x}
            if axis != last_axis:
                xaxis.update(
                    matches=f"x{'' if last_axis == 1 else last_axis}", showticklabels=False
                )
            else:
                xaxis["title"] = {"text": _("step")}
            yaxis: dict = {"anchor": f"x{suffix}", "domain": domain_y}
            if log:
                yaxis.update(exponentformat="power", type="log")
            layout[f"xaxis{suffix}"] = xaxis
            layout[f"yaxis{suffix}"] = yaxis
            traces += _internal_lines(panel, key, color, suffix, legend=not traces)
            if key == "log:step" and panel.lr > 0:
                shapes.append(
                    {
                        "line": {"color": "grey", "dash": "dash"},
                        "type": "line",
                        "x0": 0,
                        "x1": 1,
                        "xref": f"x{suffix} domain",
                        "y0": panel.lr,
                        "y1": panel.lr,
                        "yref": f"y{suffix}",
                    }
                )
    layout.update(
        annotations=annotations,
        shapes=shapes,
        font=dict(FONT),
        height=plot_px + TOP_PX + BOTTOM_PX,
        margin={"b": BOTTOM_PX, "l": 60, "r": 20, "t": TOP_PX},
        legend={"orientation": "h", "x": 0, "y": 1 + 40 / plot_px, "yanchor": "bottom"},
        hovermode="x unified",
    )
    return figure(traces, layout)


def _heading(text: str, x: float, y: float, size: int) -> dict:
    """A title above a panel or a row, left-aligned at ``x`` with its bottom at ``y``."""
    return {
        "font": {"size": size},
        "showarrow": False,
        "text": text,
        "x": x,
        "xanchor": "left",
        "xref": "paper",
        "y": y,
        "yanchor": "bottom",
        "yref": "paper",
    }


def _internal_lines(
    panel: Internals, key: str, color: str, suffix: str, legend: bool
) -> list[dict]:
    """The x (solid) and y (dotted) lines of one series, cut where the path diverged (with
    ``legend``, the pair that stands for every panel's in the legend). ``meta``: the panel."""
    data = np.asarray(panel.series[key], np.float64)
    d = panel.diverged_at
    n = data.shape[0] if d < 0 else min(data.shape[0], max(int(d), 1))
    out = []
    for c, (coord, dash) in enumerate((("x", "solid"), ("y", "dot"))):
        y = _finite(data[:n, c])
        steps = np.arange(n, dtype=np.int32)
        if key.startswith("log:"):  # a zero step has no logarithm: leave those points out
            keep = y > 0
            steps, y = steps[keep], y[keep]
        out.append(
            {
                "hovertemplate": f"{coord}: %{{y:.4g}}<extra></extra>",
                "legendgroup": coord,
                "line": {"color": color, "dash": dash, "width": 2.5},
                "meta": panel.name,
                "mode": "lines",
                "name": _("{coord} coordinate").format(coord=coord),
                "showlegend": legend,
                "x": steps,
                "xaxis": f"x{suffix}",
                "y": y,
                "yaxis": f"y{suffix}",
                "type": "scatter",
            }
        )
    return out


def sweep_figure(
    names: Sequence[str],
    lrs: np.ndarray,
    scores: np.ndarray,
    best: Sequence[int],
    *,
    y_title: str,
) -> go.Figure:
    """Score against learning rate per optimizer (scores (K, N), inf = diverged), best starred."""
    fig = go.Figure()
    for k, name in enumerate(names):
        color = optimizer_color(name)
        ok = np.isfinite(scores[k])  # diverged runs are left out, not drawn as NaN
        y = np.clip(np.where(ok, scores[k], 1.0), 1e-16, 1e300)
        fig.add_trace(
            go.Scatter(
                x=lrs[ok].astype(np.float64),
                y=y[ok],
                mode="lines+markers",
                line=dict(color=color, width=3),
                marker=dict(size=6),
                name=name,
                hovertemplate=f"{name}: lr %{{x:.3g}} → %{{y:.3g}}<extra></extra>",
            )
        )
        if best[k] >= 0:
            b = best[k]
            fig.add_trace(
                go.Scatter(
                    x=[float(lrs[b])],
                    y=[float(y[b])],
                    mode="markers+text",
                    marker=dict(symbol="star", size=22, color=color, line=dict(width=1.5)),
                    text=[_("best {lr}").format(lr=f"{lrs[b]:.3g}")],
                    textposition="bottom center",
                    name=f"{name} " + _("best lr"),
                    showlegend=False,
                    hovertemplate=f"{name}: " + _("best lr") + " %{x:.3g}<extra></extra>",
                )
            )
    fig.update_layout(
        title=dict(
            text=_("Learning-rate sweep (diverged runs are left out)"),
            y=0.99,
            yanchor="top",
            x=0,
            xanchor="left",
        ),
        xaxis_title=_("learning rate η (log scale)"),
        yaxis_title=y_title,
        **{**LINE_LAYOUT, "hovermode": "closest", "height": 480},
    )
    fig.update_xaxes(type="log", exponentformat="power")
    fig.update_yaxes(type="log", exponentformat="power")
    return fig
