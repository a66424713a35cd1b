"""The Lessons page's figure builders: nothing non-finite drawn, colours per optimizer."""

import numpy as np
import pytest

from engine.core.i18n import set_language
from tests.helpers import figure_array
from viz.colors import optimizer_color
from viz.lesson_plots import Line, compact_map, lines_figure
from viz.surface_plots import contour_map


def test_lines_drop_points_a_log_axis_cannot_show():
    x = np.arange(5.0)
    y = np.array([1.0, np.nan, 0.0, np.inf, 1e-30])
    fig = lines_figure(
        [Line("sgd", "SGD", x, y), Line("other", "a prediction", x, x + 1, dashed=True)],
        title="t", x_title="step", y_title="d", log_y=True, markers=[(2.0, 3.0, "here", "sgd")],
    )  # fmt: skip
    sgd, pred, mark = fig.to_dict()["data"]
    assert figure_array(sgd["x"]).tolist() == [0.0, 4.0]
    assert sgd["line"]["color"] == optimizer_color("sgd") == mark["marker"]["color"]
    assert pred["line"]["dash"] == "dash" and mark["text"] == ["here"]
    layout = fig.to_dict()["layout"]
    assert layout["yaxis"]["type"] == "log"
    assert layout["yaxis"]["exponentformat"] == "power"  # 10⁻¹⁵ on the axis, not "1f"
    assert (layout["legend"]["orientation"], layout["legend"]["yanchor"]) == ("h", "bottom")
    corner = lines_figure([], title="", x_title="", y_title="", legend="bottom left")
    assert corner.to_dict()["layout"]["legend"]["xanchor"] == "left"
    assert corner.to_dict()["layout"]["legend"]["yanchor"] == "bottom"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_compact_map_hides_the_colour_bar_and_marker_legends(lang):
    """In Chinese too: the landmarks' names are translated (in Chinese they once stayed in the
    legend, and three legend rows ran into the chart's title on a projector)."""
    xs = ys = np.linspace(-1, 1, 5)
    set_language(lang)
    try:
        fig = compact_map(contour_map(xs, ys, np.outer(xs, ys), log_scale=False, minima=[(0, 0)],
                                      start=(0.5, 0.5), click_grid=0))  # fmt: skip
    finally:
        set_language("en")
    data = fig.to_dict()["data"]
    assert data[0]["showscale"] is False
    assert len(data) == 3 and all(t.get("showlegend") is False for t in data[1:])
    assert (lang == "zh") == (data[2]["name"] != "start")  # the names were translated
