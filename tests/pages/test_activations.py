"""AppTest of the Activation explorer: assertions on the figures' data, URL state, bad input."""

from __future__ import annotations

import csv
import io
import math
import re

import numpy as np
import pytest
import torch

from engine.activations import from_expression
from pages._common.guard import literal
from tests.helpers import assert_no_exception, figures, joined_curves, page_test
from tests.helpers import figure_array as arr


def curves(at, order: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Activation name -> (x, y) of the curve of one derivative order (0: f, 1: f')."""
    return joined_curves(figures(at)[0], order)


def depth_traces(at) -> dict[str, dict]:
    fig = next(f for f in figures(at) if f["layout"]["yaxis"].get("type") == "log")
    return {(d["meta"].get("act"), d["meta"]["kind"]): d for d in fig["data"]}


def run(query: dict[str, str] | None = None):
    at = page_test("activations", query).run()
    assert_no_exception(at)
    return at


@pytest.fixture(scope="module")
def default():
    return run()


def test_default_view_one_trace_per_activation_for_f_and_f_prime(default):
    f, df = curves(default, 0), curves(default, 1)
    assert set(f) == set(df) == {"sigmoid", "tanh", "relu", "gelu"}
    assert curves(default, 2) == {}  # f'' is off by default
    x, y = f["tanh"]
    assert (x.min(), x.max()) == (-6, 6)
    np.testing.assert_allclose(y, np.tanh(x.astype(np.float64)), atol=1e-6)


def test_sigmoid_derivative_peaks_at_a_quarter_at_zero(default):
    x, y = curves(default, 1)["sigmoid"]
    assert y.max() == pytest.approx(0.25, abs=1e-7)
    assert x[y.argmax()] == 0.0


def test_colours_stay_with_the_activation_when_others_are_added(default):
    def colours(at):
        return {d["meta"]["act"]: d["line"]["color"] for d in figures(at)[0]["data"]}

    before = colours(default)
    at = run({"act_sel": "elu,sigmoid,tanh,relu,gelu,silu"})
    after = colours(at)
    assert all(after[name] == before[name] for name in before)
    assert len(set(after.values())) == len(after)


def test_all_25_activations_at_once_get_25_different_colours():
    from engine.activations import names

    at = run({"act_sel": ",".join(names())})
    colours = {
        d["meta"]["act"]: d["line"]["color"]
        for d in figures(at)[0]["data"]
        if d["meta"]["kind"] == "curve" and d["meta"]["order"] == 0
    }
    assert set(colours) == set(names())
    assert len(set(colours.values())) == 25


def test_ticking_f_second_adds_one_trace_per_activation():
    at = run()
    at.checkbox(key="act_d2f").check().run()
    assert_no_exception(at)
    d2 = curves(at, 2)
    assert set(d2) == {"sigmoid", "tanh", "relu", "gelu"}
    x, y = d2["tanh"]
    t = np.tanh(x.astype(np.float64))
    np.testing.assert_allclose(y, -2 * t * (1 - t**2), atol=1e-5)
    assert at.query_params["act_d2f"] == "1"


def test_leaky_slope_slider_changes_the_curve():
    at = run({"act_sel": "leaky_relu"})
    x, before = curves(at, 0)["leaky_relu"]
    assert before[0] == pytest.approx(0.01 * x[0])
    at.slider(key="act_leaky_relu_slope").set_value(0.3).run()
    assert_no_exception(at)
    x, after = curves(at, 0)["leaky_relu"]
    assert after[0] == pytest.approx(0.3 * x[0], rel=1e-6)
    assert curves(at, 1)["leaky_relu"][1].min() == pytest.approx(0.3)
    assert at.query_params["act_leaky_relu_slope"] == "0.3"


def test_rrelu_shows_its_band_of_slopes_around_the_mean_curve():
    at = run({"act_sel": "rrelu", "act_rrelu_lower": "0.1", "act_rrelu_upper": "0.3"})
    fig = figures(at)[0]
    bands = [d for d in fig["data"] if d["meta"]["kind"] == "band" and d["meta"]["order"] == 0]
    low, high = (arr(d["y"]) for d in bands)
    x, mean = curves(at, 0)["rrelu"]
    assert low[0] == pytest.approx(0.3 * x[0]) and high[0] == pytest.approx(0.1 * x[0])
    assert mean[0] == pytest.approx(0.2 * x[0])


def test_rrelu_lower_above_upper_is_refused_with_a_message():
    at = run({"act_sel": "rrelu,relu", "act_rrelu_lower": "0.5", "act_rrelu_upper": "0.2"})
    assert any("Invalid lower" in w.value for w in at.warning)
    assert set(curves(at, 0)) == {"relu"}


def test_maxout_k_and_pieces():
    at = run({"act_sel": "maxout"})
    at.slider(key="act_maxout_k").set_value(2).run()
    at.number_input(key="act_maxout_a0").set_value(-0.5).run()
    at.number_input(key="act_maxout_b0").set_value(0.0).run()
    at.number_input(key="act_maxout_a1").set_value(2.0).run()
    at.number_input(key="act_maxout_b1").set_value(0.0).run()
    assert_no_exception(at)
    x, y = curves(at, 0)["maxout"]
    x = x.astype(np.float64)
    np.testing.assert_allclose(y, np.maximum(-0.5 * x, 2 * x), atol=1e-5)
    assert at.query_params["act_maxout_k"] == "2"


def test_custom_expression_is_drawn_with_its_autograd_derivative():
    at = run({"act_sel": "relu", "act_custom": "x * tanh(x)"})
    x, y = curves(at, 0)["custom"]
    _, dy = curves(at, 1)["custom"]
    xt = torch.tensor(x.astype(np.float64))
    analytic = torch.tanh(xt) + xt * (1 - torch.tanh(xt) ** 2)
    for i in (0, 150, 300, 451, 600):
        assert dy[i] == pytest.approx(analytic[i].item(), abs=1e-5)
    assert y[450] == pytest.approx(float(x[450]) * math.tanh(float(x[450])), abs=1e-5)
    assert "relu" in curves(at, 0)


def test_bad_expression_shows_the_parser_message_and_the_rest_still_works():
    at = run()
    at.text_input(key="act_custom").input("x +* 2").run()
    assert_no_exception(at)
    with pytest.raises(ValueError) as refused:
        from_expression("x +* 2")
    # next to the box, escaped so that Markdown shows '*' and '__' as typed
    assert [e.value for e in at.sidebar.error] == [literal(str(refused.value))]
    assert set(curves(at, 0)) == {"sigmoid", "tanh", "relu", "gelu"}
    assert len(figures(at)) == 3


def unescaped(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def test_a_formula_undefined_everywhere_says_where_and_why_in_a_warning():
    at = run({"act_sel": "relu", "act_custom": "x/0", "act_x": "-5,5"})
    (box,) = [unescaped(w.value) for w in at.main.warning if "Custom" in w.value]
    assert "'x/0' divides by zero" in box
    assert "undefined everywhere on [−5, 5]" in box and "nothing to draw" in box
    assert len(curves(at, 0)["custom"][0]) == 0 and len(curves(at, 0)["relu"][0]) == 601


def test_a_partly_undefined_formula_draws_the_rest_and_says_where_it_is_undefined():
    at = run({"act_sel": "relu", "act_custom": "log(x)", "act_x": "-5,5"})
    (box,) = [unescaped(w.value) for w in at.main.warning if "Custom" in w.value]
    assert "'log(x)' takes the log of a number ≤ 0" in box and "for x ≤ 0" in box
    x, y = curves(at, 0)["custom"]
    assert x.min() > 0 and x.max() == 5 and len(x) == 300
    np.testing.assert_allclose(y, np.log(x), atol=1e-6)


def test_hard_sigmoid_spike_in_f_second_does_not_flatten_the_chart():
    at = run({"act_sel": "sigmoid,hard_sigmoid", "act_d2f": "1"})
    _, spiky = curves(at, 2)["hard_sigmoid"]
    assert np.abs(spiky).max() > 1000  # a finite difference across the kinks at x = ±3
    lo, hi = figures(at)[0]["layout"]["yaxis3"]["range"]
    assert -0.2 < lo < -0.0962 and 0.0962 < hi < 0.2  # sigmoid's f″ fills the panel


def test_url_in_sets_the_view_and_widgets_write_the_url():
    at = run(
        {"act_sel": "tanh,elu", "act_x": "-2,3", "act_elu_alpha": "2", "act_f": "0",
         "act_mu": "1.5", "act_sigma": "2", "act_depth": "12"}
    )  # fmt: skip
    assert at.multiselect(key="act_sel").value == ["tanh", "elu"]
    assert curves(at, 0) == {}  # f is off
    x, y = curves(at, 1)["elu"]
    assert (x.min(), x.max()) == (-2, 3)
    assert y[0] == pytest.approx(2 * math.exp(-2), rel=1e-6)
    assert at.slider(key="act_depth").value == 12
    assert len(depth_traces(at)[("tanh", "law")]["x"]["bdata"]) > 0
    assert "N(1.5, 2²)" in " ".join(m.value for m in at.markdown)

    at.multiselect(key="act_sel").set_value(["tanh", "elu", "relu"]).run()
    at.slider(key="act_x").set_value((-4.0, 4.0)).run()
    assert at.query_params["act_sel"] == "tanh,elu,relu"
    assert at.query_params["act_x"] == "-4,4"
    assert at.query_params["act_depth"] == "12"


def test_bad_url_values_are_clamped_or_fall_back():
    at = run({"act_x": "-100,100", "act_sigma": "-3", "act_sel": "nonsense", "act_depth": "999"})
    x, _ = curves(at, 0)["sigmoid"]
    assert (x.min(), x.max()) == (-20, 20)
    assert at.slider(key="act_sigma").value == 0.1
    assert at.slider(key="act_depth").value == 50


def test_depth_panel_is_finite_and_sigmoid_vanishes_faster_than_relu(default):
    traces = depth_traces(default)
    law = arr(traces[("sigmoid", "law")]["y"])
    sampled = arr(traces[("sigmoid", "mean")]["y"])
    assert len(law) == len(sampled) == 30
    assert np.isfinite(law).all() and np.isfinite(sampled).all() and (law > 0).all()
    assert (np.diff(law) < 0).all() and (np.diff(sampled) < 0).all()
    assert law[-1] < 0.25**30  # below sigmoid's ceiling
    np.testing.assert_allclose(sampled, law, rtol=0.5)  # Monte Carlo agrees with the law
    relu = arr(traces[("relu", "law")]["y"])
    assert relu[-1] > 1e6 * law[-1]
    for d in traces.values():
        assert np.isfinite(arr(d["y"])).all()


def test_depth_panel_says_when_nothing_can_be_drawn():
    at = run(
        {"act_sel": "relu,sigmoid", "act_mu": "-5", "act_sigma": "0.1", "act_custom": "sqrt(x)"}
    )
    traces = depth_traces(at)
    assert len(arr(traces[("relu", "law")]["y"])) == 0
    assert len(arr(traces[("custom", "law")]["y"])) == 0
    assert len(arr(traces[("sigmoid", "law")]["y"])) == 30
    for d in traces.values():
        assert np.isfinite(arr(d["y"])).all()
    captions = " ".join(c.value for c in at.caption)
    assert "exactly 0" in captions and "undefined (NaN)" in captions


def test_input_histograms_and_saturated_share():
    at = run({"act_sel": "sigmoid,relu", "act_sigma": "5"})
    metrics = {m.label: m.value for m in at.metric if m.value.endswith("%")}
    relu_share = float(metrics["ReLU"].rstrip("%")) / 100
    assert relu_share == pytest.approx(0.5, abs=0.02)  # half of N(0, 25) is below 0: dead
    sigmoid_share = float(metrics["Sigmoid (logistic)"].rstrip("%")) / 100
    # |σ'(z)| < 1e-3 where |z| > 6.9: P(|N(0, 25)| > 6.9) ≈ 0.17
    assert sigmoid_share == pytest.approx(0.167, abs=0.02)
    hist = figures(at)[1]
    shares = [arr(d["y"]).sum() for d in hist["data"]]
    assert shares == pytest.approx([100.0] * 4, abs=0.01)


def test_formulas_and_properties_table(default):
    latex = [e.value.strip("$\n") for e in default.get("latex")]
    assert len(latex) == 8 and r"f'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)" in latex
    table = default.table[0].value
    assert table.loc["max |f′|", "Sigmoid (logistic)"] == "0.25 at x = 0"
    assert table.loc["Saturating side", "ReLU"] == "left"


def test_csv_download_holds_the_plotted_curves(default):
    (button,) = default.get("download_button")
    assert button.proto.label == "Download the curves (CSV)"
    from engine.activations.tables import make_spec
    from pages._activations import data

    specs = tuple(make_spec(n) for n in ("sigmoid", "tanh", "relu", "gelu"))
    rows = list(csv.reader(io.StringIO(data.curves_csv(specs, -6.0, 6.0, (0, 1)))))
    assert rows[0][:3] == ["x", "sigmoid f", "sigmoid f'"]
    assert len(rows) == 602 and float(rows[301][2]) == pytest.approx(0.25)


def test_no_activation_and_no_curve_order_give_a_hint_not_an_error():
    at = run({"act_sel": ""})
    assert at.info and not figures(at)
    at = run({"act_f": "0", "act_df": "0"})
    assert any("Tick f" in i.value for i in at.info)


@pytest.mark.parametrize("expr", ["exp(exp(x))", "x**0.5", "1/x", "log(0*x)", "2"])
def test_hostile_formulas_never_put_non_finite_values_in_a_figure(expr):
    at = run({"act_sel": "sigmoid", "act_custom": expr, "act_d2f": "1"})
    for fig in figures(at):
        for trace in fig["data"]:
            for axis in ("x", "y"):
                if axis in trace:
                    assert np.isfinite(arr(trace[axis])).all(), (expr, trace.get("name"))
    assert "sigmoid" in curves(at, 0)


def test_reset_puts_every_setting_back():
    at = run({"act_sel": "elu", "act_elu_alpha": "2.5", "act_depth": "7"})
    next(b for b in at.button if b.label == "Reset page").click().run()
    assert_no_exception(at)
    assert set(curves(at, 0)) == {"sigmoid", "tanh", "relu", "gelu"}
    assert at.slider(key="act_depth").value == 30
    assert dict(at.query_params) == {}
