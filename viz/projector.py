"""Figures for a projector: the same figure with larger text, thicker lines and bigger markers.

A 1280x720 projector seen from the back of a room needs every label at about 16 px or more.
:func:`for_projector` takes any figure (a plotly ``go.Figure`` or a plain-dict
:class:`~viz.spec_figure.SpecFigure`) and returns a new :class:`SpecFigure`; the figure it was
given is never changed, because cached figures are shared between sessions. Only the dicts on
the way to a changed value are copied: the data arrays and the template stay shared.
"""

from __future__ import annotations

import math
import re
from typing import Any

import plotly.graph_objects as go

from viz.spec_figure import SpecFigure
from viz.title_lines import break_title, text_width

#: The smallest text size, in px, anything gets in projector mode, and the base font size.
MIN_FONT = 18
FONT_FACTOR = 1.5  # explicit sizes above the floor grow by this much
LINE_FACTOR = 1.6
MARKER_FACTOR = 1.4
TITLE_FONT = 24
#: The tallest figure in projector mode: with the page's header trimmed, the main figure starts
#: near the top of a 720 px screen and must end on it.
MAX_HEIGHT = 580
_AXIS = re.compile(r"^[xy]axis\d*$")
_NOT_CARTESIAN = {"surface", "scatter3d", "mesh3d", "pie", "sunburst", "table", "sankey"}
_ROW_PX = 1.7  # a legend row's height, in font sizes
_GUESS_WIDTH = 520  # the plot width assumed for a legend's rows where the chart's is unknown
_LINE = 1.3  # a title line's height, in font sizes
#: A title's room is its chart's width less this: its padding at the left, a little at the right.
TITLE_PAD_PX = 8


def _font(node: dict[str, Any]) -> dict[str, Any]:
    out = dict(node)
    size = out.get("size")
    if isinstance(size, int | float) and not isinstance(size, bool):
        out["size"] = max(math.ceil(size * FONT_FACTOR), MIN_FONT)
    return out


def _number(value: Any, factor: float) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value * factor
    return value  # an array of sizes (or nothing): left as it is


def _walk(node: Any) -> Any:
    """A copy of ``node`` with its fonts, line widths and marker sizes enlarged.

    Typed arrays (``{"bdata": ...}``), number lists and the template are returned as they are.
    """
    if isinstance(node, list):
        if node and isinstance(node[0], dict | list):
            return [_walk(item) for item in node]
        return node
    if not isinstance(node, dict) or "bdata" in node:
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "template" or not isinstance(value, dict | list):
            out[key] = value
        elif key.endswith("font") and isinstance(value, dict):
            out[key] = _walk(_font(value))
        elif key == "line" and isinstance(value, dict):
            scaled = _walk(value)
            if "width" in value:
                scaled["width"] = _number(value["width"], LINE_FACTOR)
            out[key] = scaled
        elif key == "marker" and isinstance(value, dict):
            scaled = _walk(value)
            if "size" in value:
                scaled["size"] = _number(value["size"], MARKER_FACTOR)
            out[key] = scaled
        else:
            out[key] = _walk(value)
    return out


def _at_least(node: Any, size: float) -> dict[str, Any]:
    """A copy of the font dict ``node`` whose size is at least ``size`` (Streamlit's theme sets
    its own small sizes wherever a figure leaves one unset, so every size is set here)."""
    font = dict(node) if isinstance(node, dict) else {}
    font["size"] = max(font.get("size") or 0, size)
    return font


def _axis(axis: dict[str, Any]) -> dict[str, Any]:
    # A log axis writes its in-between labels (2, 5) at three quarters of the tick size.
    tick = math.ceil(MIN_FONT / 0.75) if axis.get("type") == "log" else MIN_FONT
    out = {**axis, "tickfont": _at_least(axis.get("tickfont"), tick)}
    title = axis.get("title")
    title = {"text": title} if isinstance(title, str) else dict(title or {})
    title["font"] = _at_least(title.get("font"), MIN_FONT + 2)
    out["title"] = title
    return out


def _trace(trace: dict[str, Any]) -> dict[str, Any]:
    out = _walk(trace)
    if isinstance(out.get("colorbar"), dict):
        out["colorbar"] = _axis(out["colorbar"])
    return out


def _open_row_gaps(layout: dict[str, Any]) -> None:
    """Lower the top of every subplot row below the first, with its title: with larger tick
    labels, a panel's title ran into the tick labels of the row above (in place on ``layout``,
    a copy already)."""
    height = float(layout.get("height") or 450)
    gap = min(0.08, 1.6 * MIN_FONT / height)
    tops = {
        round(ax["domain"][1], 6)
        for key, ax in layout.items()
        if key.startswith("yaxis") and isinstance(ax, dict) and len(ax.get("domain", ())) == 2
        and 0.05 < ax["domain"][1] < 0.98 and ax["domain"][1] - ax["domain"][0] > 2 * gap
    }  # fmt: skip
    if not tops:
        return
    for key, ax in list(layout.items()):
        if key.startswith("yaxis") and round(ax.get("domain", (0, 0))[1], 6) in tops:
            lo, hi = ax["domain"]
            layout[key] = {**ax, "domain": [lo, hi - gap]}
    layout["annotations"] = [
        {**a, "y": a["y"] - gap}
        if a.get("yref") == "paper" and isinstance(a.get("y"), int | float)
        and round(a["y"], 6) in tops
        else a
        for a in layout.get("annotations", [])
    ]  # fmt: skip


def _legend_rows(data: list[dict[str, Any]], font: float, width: float) -> int:
    """About how many rows a horizontal legend of ``data``'s named traces wraps to in a plot
    ``width`` px wide: entries are laid out in order and one that does not fit starts a row."""
    names = [
        str(t.get("name", ""))
        for t in data
        if t.get("showlegend", True) is not False and t.get("name")
    ]
    rows, used = 1, 0.0
    for name in names:
        entry = 50 + font * text_width(name)  # the line sample and its gaps, then the name
        if used and used + entry > width:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


def _two_line_title(out: dict[str, Any], title: dict[str, Any], width_px: float) -> None:
    """Break ``out``'s title (``title``, its enlarged copy) when it is wider than the chart, and
    make room for the second line (in place on ``out``, a copy already): pinned to the top of
    the figure, with the top margin a line taller."""
    size = title.get("font", {}).get("size", TITLE_FONT)
    broken = break_title(str(title["text"]), width_px, size)
    if broken is None:
        return
    line = math.ceil(_LINE * size)
    # Plotly sets a two-line title anchored at its top half a line higher than a one-line one:
    # padded down by that half line, it starts where a one-line title would, and by a quarter
    # of the size more, or Chinese characters (taller than Latin capitals) lost their tops at
    # the figure's edge.
    pad = {**title.get("pad", {})}
    pad["t"] = pad.get("t", 0) + line // 2 + math.ceil(size / 4)
    pinned = title.get("yanchor") == "top"  # above a legend that has its own room below it
    out["title"] = {**title, "text": broken, "y": 1.0, "yref": "container", "yanchor": "top",
                    "pad": pad}  # fmt: skip
    margin = out.get("margin", {})
    top = margin.get("t", 0) + line if pinned else max(margin.get("t", 0), pad["t"] + 2 * line + 12)
    out["margin"] = {**margin, "t": top}


def _layout(
    layout: dict[str, Any], data: list[dict[str, Any]], title_width: float | None
) -> dict[str, Any]:
    out = _walk(layout)
    out["font"] = {**out.get("font", {}), "size": max(out.get("font", {}).get("size", 0), MIN_FONT)}
    title = out.get("title")
    if isinstance(title, str):
        title = {"text": title}
    if isinstance(title, dict) and title.get("text"):
        font = title.get("font", {})
        title = {**title, "font": {**font, "size": max(font.get("size", 0), TITLE_FONT)}}
        out["title"] = title
    if "height" in out:
        out["height"] = min(out["height"], MAX_HEIGHT)
    cartesian = any(t.get("type", "scatter") not in _NOT_CARTESIAN for t in data)
    for key in list(out) + (["xaxis", "yaxis"] if cartesian else []):
        if _AXIS.match(key):
            out[key] = _axis(out.get(key, {}))
        elif key.startswith("scene"):
            scene = {k: _axis(v) if k in ("xaxis", "yaxis", "zaxis") else v
                     for k, v in out[key].items()}  # fmt: skip
            # A 3D scene in a narrow column was cropped at its sides: the camera steps back.
            scene.setdefault("camera", {"eye": {"x": 1.7, "y": 1.7, "z": 1.1}})
            out[key] = scene
    out["legend"] = {
        **out.get("legend", {}),
        "font": _at_least(out.get("legend", {}).get("font"), MIN_FONT),
    }
    out["annotations"] = [
        {**a, "font": _at_least(a.get("font"), MIN_FONT)} for a in out.get("annotations", [])
    ]
    for key in ("updatemenus", "sliders"):
        # Controls under the plot move down past the larger tick labels.
        items = []
        for item in out.get(key, []):
            item = {**item, "font": _at_least(item.get("font"), MIN_FONT)}
            if isinstance(item.get("y"), int | float) and item["y"] < 0:
                item["y"] = item["y"] - 0.06
            if isinstance(item.get("currentvalue"), dict):
                cv = item["currentvalue"]
                item["currentvalue"] = {**cv, "font": _at_least(cv.get("font"), MIN_FONT)}
            items.append(item)
        if items:
            out[key] = items
    _open_row_gaps(out)
    legend = out.get("legend", {})
    x, y = legend.get("x"), legend.get("y")
    if isinstance(x, int | float) and isinstance(y, int | float) and 0 <= x <= 1 and 0 <= y <= 1:
        # A legend inside the plot, enlarged, covers the curves it names: it goes above them.
        legend = {**legend, "orientation": "h", "x": 0, "xanchor": "left", "y": 1.02,
                  "yanchor": "bottom", "bgcolor": "rgba(0,0,0,0)"}  # fmt: skip
        out["legend"] = legend
    above = legend.get("orientation") == "h" and legend.get("y", 0) >= 1
    if above and out.get("showlegend", True):
        # Plotly places the title in the top margin and a legend above the plot grows upwards
        # into it: pin the title to the top and leave room below it for the legend's rows.
        size = legend.get("font", {}).get("size", out["font"]["size"])
        margin = out.get("margin", {})
        plot_px = (
            _GUESS_WIDTH
            if title_width is None
            else title_width + TITLE_PAD_PX - margin.get("l", 80) - margin.get("r", 80)
        )
        legend_px = _legend_rows(data, size, plot_px) * size * _ROW_PX
        title_px = TITLE_FONT * 1.8 if isinstance(title, dict) and title.get("text") else 0
        if title_px:
            out["title"] = {**title, "y": 0.995, "yref": "container", "yanchor": "top"}
        out["margin"] = {**margin, "t": max(margin.get("t", 0), int(title_px + legend_px + 12))}
    title = out.get("title")
    if title_width is not None and isinstance(title, dict) and title.get("text"):
        _two_line_title(out, title, title_width)
    return out


def for_projector(fig: go.Figure | dict[str, Any], title_width: float | None = None) -> SpecFigure:
    """``fig`` with every text at least :data:`MIN_FONT` px, thicker lines, larger markers.

    Works from the figure's dict (``SpecFigure.spec``, ``go.Figure.to_dict()`` or a plain
    dict); the returned figure shares its arrays with ``fig`` but none of the changed dicts.
    ``title_width``: about how wide, in px, the chart will be drawn: a longer title is set on
    two lines (:func:`break_title`). None: left as it is (a chart that measures its own title).
    """
    if isinstance(fig, SpecFigure):
        spec = fig.spec
    elif isinstance(fig, go.Figure):
        spec = fig.to_dict()
    else:
        spec = fig
    data = [_trace(trace) for trace in spec.get("data", [])]
    layout = _layout(spec.get("layout", {}), data, title_width)
    out: dict[str, Any] = {"data": data, "layout": layout}
    if spec.get("frames"):
        out["frames"] = [_walk(frame) for frame in spec["frames"]]
    return SpecFigure(out)
