"""viz.network_plots and viz.training_plots: finite data, log axes, shared ranges, honest values."""

import json

import numpy as np
import pytest

from engine.nets import presets
from pages._gradient_flow import figures
from pages._gradient_flow.figures import HEATMAPS, histograms
from tests.helpers import validated
from viz import network_plots as npl
from viz import training_plots as tpl
from viz.network_plots import LayerProfile
from viz.training_plots import TrainingCurves


def figure_json(fig) -> dict:
    """The figure as JSON, asserting that no NaN/Infinity reached it."""
    text = fig.to_json()
    assert "NaN" not in text and "Infinity" not in text
    return json.loads(fig.to_json())


def values(trace_value) -> np.ndarray:
    return np.asarray(trace_value, dtype=np.float64)


@pytest.fixture(scope="module")
def reports():
    p = presets.get("relu_he")
    return {
        "A": presets.initial_report(p.a, p.data, device="cpu"),
        "B": presets.initial_report(p.b, p.data, device="cpu"),
    }


@pytest.fixture(scope="module")
def run():
    p = presets.get("dead_relu")
    data = presets.DataSettings(steps=12)
    return presets.run(p.a, data, device="cpu")


def profile(label, report) -> LayerProfile:
    """An engine report as the page's glue hands it to viz (configuration ``label``'s colour)."""
    return figures.profile(label, label, report)


def curves(label, history) -> TrainingCurves:
    return figures.curves(label, label, history)


def fake_profile(depth=4, **overrides):
    base = dict(
        grad_norms=np.array([0.0, 1e-6, np.inf, 1.0], np.float32)[:depth],
        signal_norms=np.array([np.nan, 2.0, 3.0, 4.0], np.float32)[:depth],
        act_mean=np.zeros(depth, np.float32),
        act_std=np.ones(depth, np.float32),
        saturated=np.full(depth, 0.25, np.float32),
        dead=np.zeros(depth, np.float32),
        unit_similarity=np.zeros(depth, np.float32),
    )
    base.update(overrides)
    return LayerProfile("A", "#000", **base)


def test_gradient_profile_is_log_and_shows_the_report_values(reports):
    series = [profile(k, r) for k, r in reports.items()]
    fig = validated(npl.gradient_profile(series))
    data = figure_json(fig)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"
    grads = [t for t in fig.data if t.xaxis == "x"]
    assert [t.name for t in grads] == ["A", "B"]
    np.testing.assert_allclose(values(grads[0].y), reports["A"].grad_norms, rtol=1e-6)
    np.testing.assert_array_equal(values(grads[1].x), np.arange(1, 11))
    lo, hi = fig.layout.yaxis.range
    all_g = np.concatenate([r.grad_norms for r in reports.values()])
    assert 10**lo <= all_g.min() and 10**hi >= all_g.max()
    assert data["layout"]["font"]["size"] >= 16


def test_zeros_and_non_finite_values_never_reach_the_plot():
    fig = validated(npl.gradient_profile([fake_profile()]))
    figure_json(fig)
    y = values(fig.data[0].y)
    assert (y > 0).all(), "a zero is drawn at the floor of the log axis"
    assert y[0] == pytest.approx(1e-7)  # a decade below the smallest positive value
    assert values(fig.data[0].customdata)[0] == 0, "the hover still says 0"


def test_activation_violins_one_per_layer_on_a_shared_axis(reports):
    r = reports["A"]
    rng = (-5.0, 5.0)
    fig = validated(npl.activation_violins(histograms(r), "#123456", "A", rng, r.act_mean))
    figure_json(fig)
    shapes = [t for t in fig.data if t.fill == "toself"]
    assert len(shapes) == len(r.histograms) == 10
    for layer, t in enumerate(shapes, start=1):
        x = values(t.x)
        assert np.abs(x - layer).max() <= 0.45 + 1e-6
    lo, hi = fig.layout.yaxis.range
    assert lo < -5 and hi > 5
    assert npl.activation_range(histograms(r))[0] == pytest.approx(float(r.histograms[0].edges[0]))


def test_unit_health_in_percent_with_after_lines(reports):
    r = reports["A"]
    fig = validated(npl.unit_health([profile("A", r)], [profile("A", r)]))
    figure_json(fig)
    sat = [t for t in fig.data if t.xaxis == "x"]
    assert len(sat) == 2 and sat[1].line.dash == "dash"
    np.testing.assert_allclose(values(sat[0].y), r.saturated * 100, rtol=1e-6)


def test_activation_stats_marks_the_ideal_mean_and_std(reports):
    fig = validated(npl.activation_stats([profile("A", reports["A"])]))
    figure_json(fig)
    assert sorted(s.y0 for s in fig.layout.shapes) == [0.0, 1.0]


def test_training_curves_log_loss_and_percent_accuracy(run):
    fig = tpl.training_curves([curves("A", run)])
    figure_json(fig)
    fig = validated(fig)
    assert fig.layout.yaxis.type == "log"
    names = [t.name for t in fig.data if t.xaxis == "x"]
    assert names == ["A (train)", "A (test)"]
    acc = [t for t in fig.data if t.xaxis == "x2"][0]
    np.testing.assert_allclose(values(acc.y), run.train_acc * 100, rtol=1e-5)


def test_layer_heatmap_log_colour_with_raw_hover(run):
    fig = tpl.layer_heatmap(run.probe_steps, run.grad_norms, HEATMAPS["grad_norms"])
    figure_json(fig)
    fig = validated(fig)
    hm = fig.data[0]
    z, raw = np.asarray(hm.z), np.asarray(hm.customdata)
    assert z.shape == (10, len(run.probe_steps))
    pos = raw > 0
    np.testing.assert_allclose(z[pos], np.log10(raw[pos]), atol=1e-5)
    assert all(t.startswith("1e") for t in hm.colorbar.ticktext)


def test_heatmap_range_is_shared_and_linear_for_shares(run):
    lo, hi = tpl.heatmap_range(HEATMAPS["dead"], [run.dead, run.dead * 0.5])
    assert lo == pytest.approx(0.0, abs=1e-6) or lo >= 0
    assert hi == pytest.approx(run.dead.max() * 100)
    fig = validated(
        tpl.layer_heatmap(run.probe_steps, run.dead, HEATMAPS["dead"], zrange=(0.0, 100.0))
    )
    assert (fig.data[0].zmin, fig.data[0].zmax) == (0.0, 100.0)
    log_lo, log_hi = tpl.heatmap_range(HEATMAPS["grad_norms"], [run.grad_norms])
    assert log_lo < np.log10(run.grad_norms[run.grad_norms > 0].min()) < log_hi


def test_decision_boundary_two_classes_contour_and_many_classes_heatmap():
    xs = np.linspace(-1, 1, 5, dtype=np.float32)
    p1 = np.tile(xs[None, :] * 0.5 + 0.5, (5, 1))
    probs = np.stack([1 - p1, p1], -1)
    X = np.array([[0, 0], [0.5, 0.5]], np.float32)
    fig = tpl.decision_boundary(xs, xs, probs, X, np.array([0, 1]))
    figure_json(fig)
    fig = validated(fig)
    assert fig.data[0].type == "contour" and len(fig.data) == 3
    three = np.random.default_rng(0).dirichlet([1, 1, 1], size=(5, 5)).astype(np.float32)
    three[0, 0] = np.nan
    fig3 = tpl.decision_boundary(xs, xs, three, X, np.array([0, 2]))
    figure_json(fig3)
    fig3 = validated(fig3)
    assert fig3.data[0].type == "heatmap"
    assert np.asarray(fig3.data[0].z).max() <= 2
