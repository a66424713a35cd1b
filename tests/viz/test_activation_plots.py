"""viz.activation_plots and engine.activations.tables: shapes, finiteness, colours, CSV.

The engine's tables reach the figures through the page's converters
(pages/_activations/figures.py), as on the page."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest
import torch

from engine.activations import get, names, properties
from engine.activations.tables import (
    curve_table,
    curves_csv,
    custom_spec,
    depth_table,
    hist_table,
    make_spec,
    property_rows,
)
from pages._activations.figures import curve, depth_profile, histograms
from tests.helpers import validated
from viz import activation_plots as plots
from viz.activation_plots import activation_color, robust_range


def curves_figure(tables, orders):
    return validated(plots.curves_figure([curve(t) for t in tables], orders))


def histograms_figure(tables):
    return validated(plots.histograms_figure([histograms(t) for t in tables]))


def depth_figure(tables, bound=None):
    return validated(plots.depth_figure([depth_profile(t) for t in tables], bound))


def test_curve_table_matches_autograd_and_holds_zero_exactly():
    t = curve_table(make_spec("gelu"), -6.0, 6.0, 601)
    assert t.x[300] == 0.0
    x = torch.tensor(t.x, requires_grad=True)
    (d,) = torch.autograd.grad(torch.nn.functional.gelu(x).sum(), x)
    np.testing.assert_allclose(t.df, d.numpy(), atol=1e-12)
    assert t.band is None and t.undefined == 0


def test_undefined_points_become_nan_and_stay_out_of_the_figure():
    t = curve_table(custom_spec("log(x)"), -1.0, 1.0, 201)
    assert t.undefined == 101  # x <= 0
    fig = curves_figure([t], (0, 1))
    for trace in fig.data:
        assert np.isfinite(np.asarray(trace.y, dtype=float)).all()
        assert len(trace.x) == 100


def test_curve_table_says_where_f_or_its_derivative_is_undefined():
    assert curve_table(make_spec("relu"), -6.0, 6.0, 601).note == ""
    t = curve_table(custom_spec("sqrt(x)"), -1.0, 1.0, 201)
    assert t.note.startswith("'sqrt(x)' takes the square root of a negative number, so f(x) is")
    assert t.note.endswith("; f′(x) is infinite or undefined at x = 0")  # f(0) = 0 is drawn


def test_a_second_derivative_spike_does_not_flatten_the_other_curves():
    # hard_sigmoid's f″ is a finite difference across its kinks at ±3: about 3.4e3 there, 0 else.
    tables = [curve_table(make_spec(n), -6.0, 6.0, 601) for n in ("sigmoid", "hard_sigmoid")]
    fig = curves_figure(tables, (0, 1, 2))
    spiky = next(
        t for t in fig.data if t.meta == {"act": "hard_sigmoid", "order": 2, "kind": "curve"}
    )
    assert np.abs(np.asarray(spiky.y)).max() > 1000  # the data keeps the spike...
    lo, hi = fig.layout.yaxis3.range  # ...the axis shows sigmoid's f″ (|f″| ≤ 0.0962)
    assert -0.2 < lo < -0.0962 and 0.0962 < hi < 0.2
    assert fig.layout.yaxis.range is None and fig.layout.yaxis2.range is None  # no spike there
    (note,) = fig.layout.annotations
    assert note.yref == "y3 domain" and "3.44e+03" in note.text


def test_robust_range_leaves_ordinary_curves_to_autorange():
    x = np.linspace(-6, 6, 601)
    assert robust_range([np.exp(x), x**10, np.tanh(x)]) is None
    spike = np.where(np.abs(x) < 0.01, 1e6, np.sin(x))
    assert robust_range([spike]) == pytest.approx((-1.2, 1.2), abs=0.01)
    assert robust_range([np.full(3, np.nan)]) is None


def test_rrelu_band_encloses_the_mean_curve():
    t = curve_table(make_spec("rrelu", {"lower": 0.1, "upper": 0.4}), -3.0, 3.0, 61)
    low, high = t.band
    assert (low <= t.f + 1e-12).all() and (t.f <= high + 1e-12).all()
    assert t.band_df[0][0] == pytest.approx(0.1) and t.band_df[1][0] == pytest.approx(0.4)
    kinds = [tr.meta["kind"] for tr in curves_figure([t], (0,)).data]
    assert kinds == ["band", "band", "curve"]


def test_invalid_range_is_refused():
    with pytest.raises(ValueError, match="Invalid x range"):
        curve_table(make_spec("relu"), 1.0, 1.0)


def test_histogram_shares_sum_to_one_and_flat_share_is_analytic():
    h = hist_table(make_spec("relu"), 0.0, 1.0)
    assert h.f_share.sum() == pytest.approx(1.0) and h.df_share.sum() == pytest.approx(1.0)
    assert h.flat_share == pytest.approx(0.5, abs=0.01)
    assert histograms_figure([h]).data[0].meta == {"act": "relu", "panel": "f(z)"}


def test_depth_law_matches_the_independent_layer_identity():
    d = depth_table(make_spec("tanh"), 0.0, 1.0, depth=20)
    np.testing.assert_allclose(d.law, d.per_layer ** np.arange(1, 21), rtol=1e-12)
    # E|tanh'(z)| for z ~ N(0, 1) ≈ 0.6057 (numerical integration)
    z = torch.linspace(-10, 10, 200_001, dtype=torch.float64)
    exact = float(((1 - torch.tanh(z) ** 2) * torch.exp(-(z**2) / 2)).sum() * (z[1] - z[0]))
    assert d.per_layer == pytest.approx(exact / math.sqrt(2 * math.pi), rel=0.01)
    np.testing.assert_allclose(d.mean, d.law, rtol=0.5)


def test_depth_figure_drops_zero_and_nan_with_a_note():
    d = depth_table(make_spec("relu"), 0.0, 1.0, depth=30)
    assert "none of the 4096 sampled paths survived" in d.note
    fig = depth_figure([d], bound=0.25)
    for trace in fig.data:
        y = np.asarray(trace.y, dtype=float)
        assert np.isfinite(y).all() and (y > 0).all()
    law = next(t for t in fig.data if t.meta.get("kind") == "law")
    assert len(law.y) == 30 and law.y[-1] == pytest.approx(0.5**30, rel=0.05)
    assert fig.layout.yaxis.type == "log"


def test_colours_are_fixed_per_name():
    assert activation_color("sigmoid") != activation_color("tanh")
    assert activation_color("relu") == activation_color("relu")
    assert len({activation_color(n) for n in ("sigmoid", "tanh", "relu", "gelu", "elu")}) == 5


def test_every_activation_has_its_own_colour_and_none_is_the_custom_black():
    colours = {name: activation_color(name) for name in names()}
    assert len(set(colours.values())) == len(colours) == 25
    assert activation_color("custom") not in colours.values()
    assert activation_color("not_in_the_catalogue") == activation_color("not_in_the_catalogue")


def test_property_rows_for_sigmoid():
    rows = property_rows(properties(get("sigmoid")))
    assert rows["Output range"] == "0 to 1"
    assert rows["max |f′|"] == "0.25 at x = 0"
    assert rows["Saturating side"] == "both"


def test_csv_has_a_column_per_curve_and_blanks_for_nan():
    tables = [
        curve_table(custom_spec("sqrt(x)"), -1.0, 1.0, 5),
        curve_table(make_spec("relu"), -1.0, 1.0, 5),
    ]
    rows = list(csv.reader(io.StringIO(curves_csv(tables, (0, 1)))))
    assert rows[0] == ["x", "custom f", "custom f'", "relu f", "relu f'"]
    assert rows[1] == ["-1", "", "", "0", "0"]
    assert rows[-1] == ["1", "1", "0.5", "1", "1"]


def test_the_figures_take_viz_records_built_from_plain_numpy():
    x = np.linspace(-2.0, 2.0, 5)
    band = (x * 0.1, x * 0.4)
    c = plots.Curve("rrelu", "RReLU", x, np.maximum(x, 0), (x > 0) * 1.0, 0 * x, band, band)
    assert [t.meta["kind"] for t in validated(plots.curves_figure([c], (0,))).data] == [
        "band",
        "band",
        "curve",
    ]
    bars = plots.Bars(np.array([0.5, 1.5]), np.array([1.0, 1.0]), np.array([0.25, 0.75]))
    fig = validated(plots.histograms_figure([plots.Histograms("relu", "ReLU", bars, bars)]))
    np.testing.assert_allclose(np.asarray(fig.data[1].y, float), [25, 75])
    d = plots.DepthProfile("tanh", "Tanh", np.arange(1, 4), 0.5 ** np.arange(1, 4), np.full(3, 0.2))
    law = next(t for t in validated(plots.depth_figure([d])).data if t.meta["kind"] == "law")
    np.testing.assert_allclose(np.asarray(law.y, float), [0.5, 0.25, 0.125])
