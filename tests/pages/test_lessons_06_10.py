"""Lessons 6-10: each lesson's figure data measured against the classic result (and, where there
is one, an independent formula), and its link reproducing the same figure data on the full page."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import figure_array
from tests.pages.lesson_links import figures, full_page, happened, lesson


def _fig(at, key_part: str) -> dict:
    """The figure of the chart whose element id mentions ``key_part`` (lsNN_name keys)."""
    charts = [c for c in at.get("plotly_chart") if key_part in c.proto.id]
    assert len(charts) == 1, [c.proto.id for c in at.get("plotly_chart")]
    import json

    return json.loads(charts[0].proto.spec)


def _named(fig: dict, name: str, field: str = "customdata") -> list[np.ndarray]:
    return [figure_array(t[field]) for t in fig["data"] if t.get("name") == name]


def _raw_profile(fig: dict) -> dict[str, np.ndarray]:
    """Weight-gradient norms per layer (left panel, raw values) of a gradient-profile figure."""
    return {t["name"]: figure_array(t["customdata"]) for t in fig["data"] if t["xaxis"] == "x"}


# ---------------------------------------------------------- lesson 6: vanishing and the cures
def test_l6_the_sigmoid_vanishes_and_every_cure_keeps_the_gradient():
    at = lesson(6, depth=20)
    profile = _raw_profile(figures(at)[0])
    assert len(profile) == 5
    ratios = {name: g[0] / g[-1] for name, g in profile.items()}
    plain = ratios.pop("Sigmoid (Xavier)")
    assert plain < 1e-9
    assert all(r > 1e-2 for r in ratios.values()), ratios
    assert f"{plain:.1e}" in happened(at)


def test_l6_deeper_is_worse_for_the_plain_net():
    shallow = _raw_profile(figures(lesson(6, depth=5))[0])["Sigmoid (Xavier)"]
    deep = _raw_profile(figures(lesson(6, depth=30))[0])["Sigmoid (Xavier)"]
    assert deep[0] / deep[-1] < 1e-6 * shallow[0] / shallow[-1]


def test_l6_link_reproduces_the_plain_net_and_the_cure_on_the_gradient_flow_page():
    at = lesson(6, depth=15, cure="selu")
    mine = _raw_profile(figures(at)[0])
    page = _raw_profile(_fig(full_page(at), "gf_grad_profile"))
    a, b = (
        (v for k, v in page.items() if k.startswith("A")),
        (v for k, v in page.items() if k.startswith("B")),
    )
    np.testing.assert_allclose(next(a), mine["Sigmoid (Xavier)"], rtol=1e-6)
    np.testing.assert_allclose(next(b), mine["SELU (LeCun)"], rtol=1e-6)


# ------------------------------------------------------------- lesson 7: zero initialisation
def _bars(fig: dict) -> list[np.ndarray]:
    return [figure_array(t["y"]) for t in fig["data"]]


@pytest.mark.parametrize("value", [0.0, 0.5])
def test_l7_units_stay_identical_after_training_from_a_constant(value):
    at = lesson(7, value=value, steps=100)
    const, rand = _bars(figures(at)[0])
    assert np.all(const == 0)  # every layer's units are exact copies after 100 steps
    assert np.all(rand > 1e-3)
    assert "**0**" in happened(at)


def test_l7_link_reproduces_the_training_curves_on_the_gradient_flow_page():
    at = lesson(7, value=0.3, steps=50)
    curves = figures(at)[1]["data"]
    page = _fig(full_page(at), "gf_curves")
    acc = [
        figure_array(t["customdata"]) / 100
        for t in page["data"]
        if t["xaxis"] == "x2" and t["name"].endswith("(train)")
    ]
    assert len(acc) == 2
    for mine, theirs in zip(curves, acc, strict=True):
        np.testing.assert_allclose(figure_array(mine["y"]) / 100, theirs, atol=1e-6)


# --------------------------------------------------------- lesson 8: MSE against cross-entropy
def _line(fig: dict, index: int) -> tuple[np.ndarray, np.ndarray]:
    t = fig["data"][index]
    return figure_array(t["x"]), figure_array(t["y"])


@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_l8_confidently_wrong_ce_gradient_is_larger_than_mse(output):
    at = lesson(8, p=0.01, output=output)
    grads = figures(at)[0]
    (p, mse), (_, ce) = _line(grads, 0), _line(grads, 1)
    wrong = p < 0.05  # confidently wrong: the right class gets under 5 %
    assert np.all(ce[wrong] > 10 * mse[wrong])
    # the closed forms at p: CE ‖p − y‖, MSE carries p(1 − p)
    if output == "sigmoid":
        np.testing.assert_allclose(ce, 1 - p, rtol=1e-4)  # x is drawn as float32
        np.testing.assert_allclose(mse, 2 * (1 - p) ** 2 * p, rtol=1e-3)
    marks = [figure_array(t["y"])[0] for t in grads["data"][2:]]
    assert marks[1] > 10 * marks[0]
    assert f"{marks[1] / marks[0]:.3g}" in happened(at)


def test_l8_cross_entropy_trains_faster():
    training = figures(lesson(8))[1]
    (_, mse), (_, ce) = _line(training, 0), _line(training, 1)
    assert ce[-1] > mse[-1]
    assert ce[100:].mean() > mse[100:].mean()


def test_l8_link_reproduces_the_training_curves_on_the_gradient_flow_page():
    at = lesson(8)
    training = figures(at)[1]
    page = _fig(full_page(at), "gf_curves")
    acc = [
        figure_array(t["customdata"])
        for t in page["data"]
        if t["xaxis"] == "x2" and t["name"].endswith("(train)")
    ]
    for i, theirs in enumerate(acc):
        np.testing.assert_allclose(_line(training, i)[1], theirs, atol=1e-4)
    assert len(acc) == 2


# ------------------------------------------------------------------- lesson 9: dead ReLUs
def test_l9_a_large_learning_rate_kills_units_for_good():
    at = lesson(9, lr=0.05, steps=200)
    fig = figures(at)[0]
    (_, big), (_, small) = _line(fig, 0), _line(fig, 1)
    assert big[0] == small[0]  # same network, same start
    assert big[-1] > small[-1] + 20  # percentage points
    assert big[-1] >= 30
    assert f"**{big[-1]:.0f} %**" in happened(at)


def test_l9_link_reproduces_the_dead_share_on_the_gradient_flow_page():
    at = lesson(9, lr=0.02, steps=100)
    fig = figures(at)[0]
    page = full_page(at)
    for label, index in (("A", 0), ("B", 1)):
        heat = _fig(page, f"gf_heatmap_{label}")["data"][0]
        dead = figure_array(heat["customdata"])  # (layers, probes), in %
        steps = figure_array(heat["x"])
        x, y = _line(fig, index)
        np.testing.assert_array_equal(steps, x)
        np.testing.assert_allclose(dead.mean(0), y, atol=1e-3)


# --------------------------------------------------- lesson 10: through time, RNN against LSTM
def _signal(fig: dict) -> dict[str, np.ndarray]:
    return {t["name"]: figure_array(t["customdata"]) for t in fig["data"] if "customdata" in t}


def test_l10_the_rnn_vanishes_and_the_lstm_keeps_the_signal():
    at = lesson(10)
    s = _signal(figures(at)[0])
    rnn, lstm = s["RNN (tanh)"], s["LSTM"]
    assert rnn[0] / rnn[-1] < 1e-4
    assert lstm[0] / lstm[-1] > 0.1
    # the fitted rate per step against the course's rho * mean tanh'
    t = np.arange(len(rnn))
    rate = np.exp(-np.polyfit(t, np.log(rnn), 1)[0])
    assert f"{rate:.3f}" in happened(at)


def test_l10_a_large_radius_explodes_the_rnn():
    s = _signal(figures(lesson(10, radius=1.5))[0])
    assert s["RNN (tanh)"][0] / s["RNN (tanh)"][-1] > 100


def test_l10_link_reproduces_the_signal_on_the_sequences_page():
    at = lesson(10, T=50, radius=1.2, forget_bias=1.0)
    mine = _signal(figures(at)[0])
    page = _signal(_fig(full_page(at), "sq_profile"))
    np.testing.assert_allclose(page["RNN (tanh)"], mine["RNN (tanh)"], rtol=1e-6)
    np.testing.assert_allclose(page["LSTM"], mine["LSTM"], rtol=1e-6)


# ------------------------------------------------------------ every lesson: language, bad input
@pytest.mark.parametrize("number", [6, 7, 8, 9, 10])
def test_lessons_6_to_10_open_in_chinese(number):
    from tests.helpers import assert_no_exception, page_test

    at = page_test("lessons", {"lesson": str(number), "lang": "zh"})
    at.run()
    assert_no_exception(at)
    assert at.get("plotly_chart")
    assert at.subheader[-1].value == "发生了什么"


EXTREMES = [
    (6, {"depth": 30, "cure": "batchnorm"}),
    (7, {"value": 1.0, "steps": 400}),
    (8, {"p": 0.001, "output": "sigmoid"}),
    (8, {"p": 0.99, "output": "softmax"}),
    (9, {"lr": 0.1, "steps": 400}),
    (9, {"lr": 0.001, "steps": 100}),
    (10, {"T": 200, "radius": 1.5, "forget_bias": 3.0}),
    (10, {"T": 200, "radius": 0.5, "forget_bias": 0.0}),
]


@pytest.mark.parametrize(("number", "controls"), EXTREMES)
def test_extreme_controls_draw_finite_figures_and_fill_the_text(number, controls):
    at = lesson(number, **controls)  # asserts no exception
    assert not at.error
    for fig in figures(at):
        for t in fig["data"]:
            for field in ("y", "customdata"):
                if field in t:
                    assert np.all(np.isfinite(figure_array(t[field]))), (number, t.get("name"))
    text = happened(at)
    assert "{" not in text and "nan" not in text.lower()


def test_every_training_lesson_runs_live_within_the_run_policy():
    """Lessons 7-9 train as soon as a control moves: at their largest settings the runs of one
    view stay under the run policy's live limit, so nothing long starts unasked."""
    from engine.nets import presets
    from pages._common import run_policy
    from pages._lessons import l07_zero_init, l08_mse_vs_ce, l09_dead_relu

    def estimate(nets, steps: int) -> float:
        data = presets.DataSettings(steps=steps)
        return sum(presets.estimate_seconds(net, data) for net in nets)

    views = {
        7: estimate([l07_zero_init.constant(1.0), l07_zero_init.RANDOM], max(l07_zero_init.STEPS)),
        8: estimate([l08_mse_vs_ce.NET] * 2, l08_mse_vs_ce.DATA.steps),
        9: estimate([l09_dead_relu.NET] * 2, max(l09_dead_relu.STEPS)),
    }
    assert not any(run_policy.needs_press(s) for s in views.values()), views


@pytest.mark.parametrize(("number", "controls"), [EXTREMES[i] for i in (0, 1, 2, 4, 6)])
def test_a_stale_control_value_falls_back_to_the_default(number, controls):
    from tests.helpers import assert_no_exception, page_test

    at = page_test("lessons", {"lesson": str(number)})
    for name in controls:  # set before the first run, as a stale session would hold it
        at.session_state[f"ls{number:02d}_{name}"] = "not an option"
    at.run()
    assert_no_exception(at)
    assert not at.error and not at.warning
    assert at.get("plotly_chart")


@pytest.mark.parametrize("number", [6, 7, 8, 9, 10])
def test_lessons_6_to_10_in_projector_mode_draw_big_axis_text(number):
    from tests.helpers import assert_no_exception, page_test
    from tests.pages.test_present import _small_axis_text

    at = page_test("lessons", {"lesson": str(number), "present": "1"})
    at.run()
    assert_no_exception(at)
    figs = figures(at)
    assert figs and all(_small_axis_text(f) == [] for f in figs)
