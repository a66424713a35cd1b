"""viz.projector: every text of a figure at least MIN_FONT px, lines and markers larger, on a
copy (the figure given, cached and shared between sessions, is left as it was)."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from viz import projector
from viz.spec_figure import figure


def _sizes(node, out=None):
    """Every font size set anywhere in a figure's JSON."""
    out = [] if out is None else out
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict) and "size" in value:
                out.append(value["size"])
            if key != "template":
                _sizes(value, out)
    elif isinstance(node, list):
        for item in node:
            _sizes(item, out)
    return out


def _spec():
    return figure(
        [
            {"type": "scatter", "x": np.arange(3.0), "y": np.arange(3.0), "name": "a",
             "line": {"width": 2}, "marker": {"size": 6}},
            {"type": "contour", "z": np.eye(3), "colorbar": {"title": {"text": "f"}}},
        ],
        {
            "title": {"text": "A title"},
            "height": 900,
            "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom"},
            "xaxis": {"title": {"text": "step"}},
            "annotations": [{"text": "panel", "font": {"size": 11}}],
            "updatemenus": [{"type": "buttons", "y": -0.07, "font": {"size": 15}}],
        },
    )  # fmt: skip


def test_every_text_is_large_and_lines_and_markers_grow():
    fig = _spec()
    big = projector.for_projector(fig).to_dict()
    layout = big["layout"]
    assert layout["font"]["size"] >= projector.MIN_FONT
    assert layout["xaxis"]["tickfont"]["size"] >= 16
    assert layout["yaxis"]["tickfont"]["size"] >= 16  # set even where the figure had no yaxis
    assert layout["xaxis"]["title"]["font"]["size"] >= 16
    assert layout["legend"]["font"]["size"] >= 16
    assert layout["annotations"][0]["font"]["size"] >= 16
    assert layout["updatemenus"][0]["font"]["size"] > 15
    assert layout["title"]["font"]["size"] >= projector.TITLE_FONT
    assert big["data"][1]["colorbar"]["tickfont"]["size"] >= 16
    assert min(_sizes(big)) >= 16
    assert big["data"][0]["line"]["width"] > 2 and big["data"][0]["marker"]["size"] > 6
    assert layout["height"] <= projector.MAX_HEIGHT
    # The title is pinned to the top and the margin leaves the legend room below it.
    assert layout["title"]["yref"] == "container" and layout["margin"]["t"] >= 80


def test_the_figure_given_is_not_changed():
    fig = _spec()
    before = copy.deepcopy(fig.to_dict())
    projector.for_projector(fig)
    assert json.dumps(fig.to_dict(), sort_keys=True, default=str) == json.dumps(
        before, sort_keys=True, default=str
    )


def test_a_graph_object_figure_works_too_and_renders():
    fig = go.Figure(go.Scatter(x=[0, 1], y=[1, 0], line={"width": 1}), layout={"height": 400})
    big = projector.for_projector(fig)
    assert fig.data[0].line.width == 1  # untouched
    spec = json.loads(pio.to_json(big, validate=False))
    assert spec["data"][0]["line"]["width"] > 1
    assert spec["layout"]["xaxis"]["tickfont"]["size"] >= 16


def test_a_legend_inside_the_plot_moves_above_it():
    fig = figure(
        [{"type": "scatter", "x": np.arange(3.0), "y": np.arange(3.0), "name": "a curve"}],
        {"title": {"text": "T"}, "legend": {"x": 0.98, "y": 0.98, "xanchor": "right"}},
    )
    layout = projector.for_projector(fig).to_dict()["layout"]
    assert layout["legend"]["y"] > 1 and layout["legend"]["orientation"] == "h"
    assert layout["margin"]["t"] >= projector.TITLE_FONT * 1.8


def test_a_broken_title_is_pinned_to_the_top_with_a_line_more_of_margin():
    spec = figure([{"type": "scatter", "y": [1.0, 2.0]}],
                  {"title": {"text": "Distance to the nearest known minimum"}})  # fmt: skip
    wide = projector.for_projector(spec, title_width=800).to_dict()["layout"]
    assert wide["title"]["text"] == "Distance to the nearest known minimum"
    narrow = projector.for_projector(spec, title_width=300).to_dict()["layout"]
    title = narrow["title"]
    assert title["text"] == "Distance to the nearest<br>known minimum"  # the halves nearest even
    assert (title["yref"], title["yanchor"], title["y"]) == ("container", "top", 1.0)
    line = math.ceil(1.3 * projector.TITLE_FONT)
    assert narrow["margin"]["t"] > title["pad"]["t"] + 2 * line  # both lines, and room below
    assert projector.for_projector(spec).to_dict()["layout"]["title"]["text"] == (
        "Distance to the nearest known minimum"
    )  # no width given: a chart that measures its own title


def test_a_legend_above_a_narrow_chart_gets_room_for_every_row_it_wraps_to():
    """Lesson 3's map, in half the page: four entries wrap to four rows in its 332 px plot, and
    room planned for the two rows they take at full width let them run into the title."""
    names = ["adagrad (η = 1)", "rmsprop (η = 0.05)", "adam (η = 0.1)", "momentum (η = 0.0015)"]
    spec = figure(
        [{"type": "scatter", "y": [1.0, 2.0], "name": n} for n in names],
        {"title": {"text": "Rosenbrock valley"}, "margin": {"l": 50, "r": 20},
         "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}},
    )  # fmt: skip
    top = {
        width: projector.for_projector(spec, title_width=width).to_dict()["layout"]["margin"]["t"]
        for width in (394, 812)
    }
    row = projector.MIN_FONT * projector._ROW_PX
    assert top[394] >= projector.TITLE_FONT * 1.8 + 4 * row  # a row for each entry
    assert top[812] <= projector.TITLE_FONT * 1.8 + 2 * row + 12  # two rows at full width
