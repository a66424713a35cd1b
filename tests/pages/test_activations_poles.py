"""AppTest of the Activation explorer at a pole: a curve is drawn in pieces, never joined across.

A custom formula with a pole (1/x, tan x) was drawn as one line with a vertical stroke from
−large to +large at each pole. Each curve is now one trace per piece continuous on the grid;
steep or stepped curves without a pole stay whole.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.activations import names
from tests.helpers import assert_no_exception, curve_pieces, figure_array, figures, page_test

ORDERS = (0, 1, 2)


def curves_figure(query: dict[str, str]) -> dict:
    """The curves figure with f, f′ and f″ all shown."""
    at = page_test("activations", {"act_d2f": "1", **query}).run()
    assert_no_exception(at)
    return figures(at)[0]


def pieces(query: dict[str, str]) -> dict[int, dict[str, list[dict]]]:
    """Derivative order -> activation name -> its traces, with f, f′ and f″ all shown."""
    fig = curves_figure(query)
    return {k: curve_pieces(fig, k) for k in ORDERS}


def xy(trace: dict) -> tuple[np.ndarray, np.ndarray]:
    return figure_array(trace["x"]), figure_array(trace["y"])


def test_one_over_x_is_two_pieces_none_across_zero():
    fig = curves_figure({"act_sel": "relu", "act_custom": "1/x"})
    got = {k: curve_pieces(fig, k) for k in ORDERS}
    for order in ORDERS:
        traces = got[order]["custom"]
        assert len(traces) >= 2, order
        for trace in traces:
            x, _ = xy(trace)
            assert (x < 0).all() or (x > 0).all(), (order, x.min(), x.max())
    x = np.concatenate([xy(t)[0] for t in got[0]["custom"]])
    y = np.concatenate([xy(t)[1] for t in got[0]["custom"]])
    np.testing.assert_allclose(y, 1 / x, rtol=1e-5)  # every drawn point is still f
    # The axes keep to the bulk; 1/x at x = ±0.02 (the grid's nearest to 0) reaches 50.
    notes = [a["text"] for a in fig["layout"]["annotations"]]
    assert "cut off: spikes reach |f| = 50" in notes


@pytest.mark.parametrize("expr", ["1/(x-0.005)", "1/(x-1.007)"])
def test_a_pole_between_grid_points_splits_the_curve_there(expr):
    """No grid point is undefined here: the cut comes from the jump across the pole alone."""
    pole = float(expr.split("-")[1].rstrip(")"))
    got = pieces({"act_sel": "relu", "act_custom": expr, "act_x": "-5,4"})
    for order in (0, 2):  # f and f″ change sign at the pole (f′ = −1/(x−c)² does not)
        left, right = (xy(t)[0] for t in got[order]["custom"])
        assert left.max() < pole < right.min(), order
        assert len(left) + len(right) == 601  # nothing dropped


def test_tan_is_one_piece_per_branch_and_the_pieces_share_their_look():
    got = pieces({"act_sel": "relu", "act_custom": "tan(x)"})
    traces = got[0]["custom"]
    poles = np.pi / 2 * np.array([-3, -1, 1, 3])  # tan's poles on [−6, 6]
    assert len(traces) == len(poles) + 1
    branches = [(-np.inf, poles[0]), *zip(poles[:-1], poles[1:], strict=True), (poles[-1], np.inf)]
    for trace, (lo, hi) in zip(traces, branches, strict=True):
        x, y = xy(trace)
        assert lo < x.min() and x.max() < hi
        np.testing.assert_allclose(y, np.tan(x), rtol=1e-3, atol=1e-4)
    first, *rest = traces
    assert first["showlegend"] is True and all(t["showlegend"] is False for t in rest)
    for key in ("name", "legendgroup", "hovertemplate", "meta", "line", "xaxis", "yaxis"):
        assert all(t[key] == first[key] for t in rest), key
    assert len(got[1]["custom"]) == 1  # tan′ = 1 + tan² never changes sign: one piece
    assert len(got[2]["custom"]) == len(poles) + 1


def test_every_builtin_activation_stays_one_trace_per_panel():
    """Among them: tanh, relu, the steps of hard sigmoid and softsign's f″ (a finite jump from +2
    to −2 at 0, on a grid without 0)."""
    got = pieces({"act_sel": ",".join(names()), "act_x": "-5,4"})
    for order in ORDERS:
        many = {name: len(t) for name, t in got[order].items() if len(t) != 1}
        assert not many, (order, many)
    assert {"tanh", "relu", "softsign"} <= set(got[2])


@pytest.mark.parametrize(
    "expr",
    ["(x/abs(x)+1)/2", "x/abs(x)", "tanh(1000*x)", "(tanh(1000*x)+1)/2", "exp(x)*sin(10*x)"],
)
def test_steps_and_steep_curves_without_an_undefined_point_stay_whole(expr):
    """Heaviside and sign steps, a steep tanh, a fast oscillation: all finite on a grid without
    0, so each panel is one trace."""
    got = pieces({"act_sel": "relu", "act_custom": expr, "act_x": "-5,4"})
    for order in (0, 1):
        assert len(got[order]["custom"]) == 1, order
    if "tanh" not in expr:  # f″ of tanh(1000x): a spike too narrow for the grid (see pole_gaps)
        assert len(got[2]["custom"]) == 1


def test_heaviside_is_cut_only_at_its_undefined_point():
    got = pieces({"act_sel": "relu", "act_custom": "(x/abs(x)+1)/2"})  # x = 0 is on the grid
    left, right = (xy(t) for t in got[0]["custom"])
    assert left[0].max() < 0 < right[0].min() and len(left[0]) + len(right[0]) == 600
    assert (left[1] == 0).all() and (right[1] == 1).all()
