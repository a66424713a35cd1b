"""viz.landscape_plots: shared scales, and nothing non-finite written into a figure."""

import numpy as np

from tests.helpers import figure_array
from viz import landscape_plots as plots


def test_shared_range_spans_both_grids_and_caps_an_explosion():
    smooth = np.array([[0.1, 1.0], [0.5, 2.0]])
    exploding = np.array([[0.2, 1e9], [np.inf, np.nan]])
    lo, hi = plots.shared_range([smooth, exploding], decades=4)
    assert lo == np.log10(0.1) and hi == lo + 4


def test_heights_clip_and_replace_non_finite_values():
    z = plots.heights(np.array([[0.0, 1.0], [np.inf, np.nan]]), (-1.0, 2.0))
    assert z.dtype == np.float32 and np.isfinite(z).all()
    assert z.tolist() == [[-1.0, 0.0], [2.0, 2.0]]


def test_figures_hold_only_finite_numbers():
    a = np.linspace(-1, 1, 5)
    loss = np.full((5, 5), 0.5)
    loss[0, 0], loss[1, 1] = np.inf, np.nan
    path = np.array([[1.0, 0.5], [0.2, 0.1], [0.0, 0.0]])
    zr = plots.shared_range([loss])
    for fig in (
        plots.contour(a, a, loss, zrange=zr, path=path),
        plots.surface(a, a, loss, zrange=zr, path=path, path_loss=np.array([1.0, np.inf, 0.5])),
    ):
        for trace in fig.to_plotly_json()["data"]:
            for key in ("x", "y", "z", "customdata"):
                if key in trace and trace[key] is not None:
                    assert np.isfinite(figure_array(trace[key])).all(), key
    line = plots.interpolation(np.linspace(0, 1, 3), [("A", "#000", [1.0, np.inf, 0.5], [1, 2, 3])])
    assert np.isnan(figure_array(line.data[0].y)[1])  # a gap, not an infinity
