"""Small figures of the Lessons page: plain numbers in, a figure out (big fonts for a projector).

Each line is one named series in its optimizer's colour (``viz.colors``); a prediction is drawn
dashed in the colour of what it predicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from engine.core.i18n import _
from viz.colors import OPTIMIZER_COLORS, optimizer_color, series_color
from viz.spec_figure import SpecFigure, figure
from viz.surface_plots import MINIMUM_NAME, START_NAME

FONT = dict(size=18)


class Line(NamedTuple):
    name: str  # an optimizer name (its colour) or any other word (a series colour)
    label: str
    x: np.ndarray
    y: np.ndarray
    dashed: bool = False
    dash: str | None = None  # any plotly dash ("dot"); overrides ``dashed``


def color(name: str, index: int) -> str:
    return optimizer_color(name) if name in OPTIMIZER_COLORS else series_color(index)


def lines_figure(
    lines: Sequence[Line],
    *,
    title: str,
    x_title: str,
    y_title: str,
    log_y: bool = False,
    markers: Sequence[tuple[float, float, str, str]] = (),
    height: int = 460,
    legend: str = "above",
) -> SpecFigure:
    """Lines (non-finite points dropped) and optional labelled markers (x, y, text, name).

    ``legend``: "above" the plot, under the title (as the contour maps have it; its rows push
    the plot down, so a long legend in a narrow column or at projector sizes never covers a
    curve), or a corner inside the plot that the curves leave free ("top right", ...).
    """
    traces = []
    names = list(dict.fromkeys(line.name for line in lines))
    for line in lines:
        x, y = np.asarray(line.x, np.float64), np.asarray(line.y, np.float64)
        keep = np.isfinite(x) & np.isfinite(y) & ((y > 0) if log_y else True)
        c = color(line.name, names.index(line.name))
        traces.append(
            {
                "line": {
                    "color": c,
                    "width": 4,
                    "dash": line.dash or ("dash" if line.dashed else "solid"),
                },
                "mode": "lines",
                "name": line.label,
                "x": x[keep].astype(np.float32),
                "y": y[keep],
                "type": "scatter",
            }
        )
    for i, (mx, my, text, name) in enumerate(markers):
        c = color(name, names.index(name) if name in names else i)
        traces.append(
            {
                "marker": {"color": c, "size": 20, "symbol": "x", "line": {"width": 2}},
                "mode": "markers+text",
                "name": text,
                "showlegend": False,
                "text": [text],
                "textfont": {"color": c, "size": 18},
                "textposition": "middle right",  # a mark near the left edge keeps its text
                "x": np.asarray([mx], np.float64),
                "y": np.asarray([my], np.float64),
                "type": "scatter",
            }
        )
    layout = {
        "title": {"text": title, "x": 0, "xanchor": "left", "y": 0.995, "yanchor": "top"},
        "font": dict(FONT),
        "height": height,
        "margin": {"b": 60, "l": 70, "r": 20, "t": 110},
        "legend": _legend(legend),
        "xaxis": {"title": {"text": x_title}},
        # Powers of ten (10⁻⁶), as the course writes them, not plotly's SI prefixes (1µ, 1f).
        "yaxis": {"title": {"text": y_title}, "type": "log", "exponentformat": "power"}
        if log_y
        else {"title": {"text": y_title}, "type": "linear"},
        "hovermode": "x unified",
    }
    return figure(traces, layout)


def _legend(corner: str) -> dict:
    if corner == "above":
        return {"orientation": "h", "x": 0, "y": 1.01, "yanchor": "bottom"}
    vertical, horizontal = corner.split()
    return {
        "x": 1 if horizontal == "right" else 0, "xanchor": horizontal,
        "y": 1 if vertical == "top" else 0, "yanchor": vertical,
        "bgcolor": "rgba(255,255,255,0.75)", "font": {"size": 15},
    }  # fmt: skip


def compact_map(fig: SpecFigure) -> SpecFigure:
    """A contour map (``viz.surface_plots.contour_map``) for a half-width column: no colour bar,
    and only the paths in the legend (the star and the ring explain themselves)."""
    landmarks = {_(MINIMUM_NAME), _(START_NAME)}  # as contour_map named them, in this language
    for trace in fig.spec["data"]:
        if trace.get("type") == "contour":
            trace["showscale"] = False
        elif trace.get("name") in landmarks:
            trace["showlegend"] = False
    return fig
