"""Figures of gradients through time: nothing non-finite reaches a plot, whatever the values."""

import numpy as np
import pytest

from tests.helpers import figure_array as arr
from viz import sequence_plots as plots


def finite_everywhere(fig) -> bool:
    def walk(node):
        if isinstance(node, dict):
            return all(walk(v) for v in node.values())
        if isinstance(node, list | tuple):
            return all(walk(v) for v in node)
        if isinstance(node, np.ndarray) and node.dtype.kind == "f":
            return bool(np.isfinite(node).all())
        if isinstance(node, float):
            return np.isfinite(node)
        return True

    return walk(fig.to_dict())


def test_underflowed_and_infinite_values_are_drawn_at_the_floor():
    g = np.array([0.0, 1e-45, 1e-20, np.inf, np.nan, 1.0], dtype=np.float64)
    figs = [
        plots.signal_profile([("a", "#000", g)], [("a pred", "#000", 0.5)]),
        plots.time_heatmap(np.arange(2), np.stack([g, g]), "h"),
        plots.connectivity_strip([("a", g)], list("abcdef"), 6, "c", list("abcdef")),
        plots.training_curves([("a", "#000", g, g)], baseline=0.167, clip=1.0),
    ]
    assert all(finite_everywhere(f) for f in figs)
    z = arr(figs[1].to_dict()["data"][0]["z"])
    assert z.min() == pytest.approx(np.log10(plots.TINY), abs=1e-5)  # 0, inf and NaN at the floor


def test_heatmap_axes_are_time_step_by_training_step():
    values = np.outer(np.arange(1, 4), 0.5 ** np.arange(10)[::-1])
    fig = plots.time_heatmap(np.array([0, 5, 10]), values, "t", plots.heatmap_range(values))
    d = fig.to_dict()["data"][0]
    assert arr(d["x"]).tolist() == list(range(1, 11)) and arr(d["y"]).tolist() == [0, 5, 10]
    np.testing.assert_allclose(arr(d["customdata"]), values, rtol=1e-6)
    np.testing.assert_allclose(arr(d["z"]), np.log10(values), rtol=1e-5)


def test_connectivity_strip_stops_at_the_output_position():
    fig = plots.connectivity_strip([("a", np.ones(8)), ("b", np.ones(8))], list("abcdefgh"), 3, "c")
    d = fig.to_dict()["data"][0]
    assert arr(d["customdata"]).shape == (2, 3)
    assert [list(row) for row in d["text"]] == [["a", "b", "c"]] * 2


def test_prediction_line_is_anchored_at_the_last_step():
    g = 0.8 ** np.arange(20)[::-1]
    fig = plots.signal_profile([("rnn", "#111", g)], [("pred", "#111", 0.8)])
    pred = arr(fig.to_dict()["data"][1]["y"])
    np.testing.assert_allclose(pred, g, rtol=1e-5)
