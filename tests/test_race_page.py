"""AppTest of the Optimizer race page: widgets set, figures' data, sweep mode, URL round trip."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from engine.optimizers import names
from tests.conftest import assert_no_exception, figures, page_test
from viz.colors import optimizer_color

FAST = {"rc_steps": "20"}


def curves(fig: dict) -> list[dict]:
    """The line traces (not the divergence crosses) of a figure."""
    return [d for d in fig["data"] if d.get("mode") in ("lines", "lines+markers")]


def by_axis(fig: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for d in curves(fig):
        out.setdefault(d.get("yaxis", "y"), []).append(d)
    return out


def _values(trace: dict) -> np.ndarray:
    y = trace["y"]
    if isinstance(y, dict):  # plotly's base64 typed arrays
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"]))
    return np.asarray(y, dtype=float)


def run(query: dict[str, str]):
    at = page_test("race", query).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    return at


def test_default_race_draws_one_curve_per_optimizer_in_its_colour():
    at = run(FAST)
    assert at.title[0].value == "Optimizer race"
    curves_fig, grads_fig, bounds_fig = figures(at)
    expected = ["sgd", "momentum", "adagrad", "rmsprop", "adam"]
    panels = by_axis(curves_fig)
    assert len(panels) == 4  # train/test loss and accuracy
    for traces in panels.values():
        assert [t["name"] for t in traces] == expected
        assert [t["line"]["color"] for t in traces] == [optimizer_color(n) for n in expected]
        assert all(len(_values(t)) == 20 and np.isfinite(_values(t)).all() for t in traces)
    # Per-layer gradient norms: 3 hidden layers x 5 optimizers, each coloured by optimizer.
    layers = by_axis(grads_fig)
    assert len(layers) == 3
    for traces in layers.values():
        assert [t["line"]["color"] for t in traces] == [optimizer_color(n) for n in expected]
    # Decision boundaries: one heatmap per optimizer, titled in its colour.
    assert sum(d["type"] == "heatmap" for d in bounds_fig["data"]) == 5
    titles = [a["text"] for a in bounds_fig["layout"]["annotations"]]
    assert all(optimizer_color(n) in t and n in t for n, t in zip(expected, titles, strict=True))
    table = at.dataframe[0].value
    assert list(table["optimizer"]) == expected
    assert at.get("download_button")
    assert set(at.query_params) == {"rc_steps"}  # defaults stay out of the link


def test_widgets_change_the_race_and_the_url():
    at = run(FAST)
    at.multiselect(key="rc_opts").set_value(["sgd", "adam"])
    at.slider(key="rc_depth").set_value(2)
    at.slider(key="rc_steps").set_value(30)
    at.run()
    assert_no_exception(at)
    curves_fig, grads_fig, _ = figures(at)
    for traces in by_axis(curves_fig).values():
        assert [t["name"] for t in traces] == ["sgd", "adam"]
        assert [t["line"]["color"] for t in traces] == ["#000000", "#CC79A7"]
        assert all(len(_values(t)) == 30 for t in traces)
    assert len(by_axis(grads_fig)) == 2
    assert at.query_params["rc_opts"] == "sgd,adam"
    assert at.query_params["rc_depth"] == "2"
    assert at.query_params["rc_steps"] == "30"
    # The loss curves start at the same value: same weights, same batch.
    first = [_values(t)[0] for t in by_axis(curves_fig)["y"]]
    assert first[0] == pytest.approx(first[1])


def test_url_round_trip_reproduces_the_view():
    query = {
        "rc_steps": "20", "rc_data": "moons", "rc_width": "16", "rc_opts": "momentum,rmsprop",
        "rc_momentum_lr": "0.05", "rc_bn": "1", "rc_batch": "32",
    }  # fmt: skip
    at = run(query)
    assert at.selectbox(key="rc_data").value == "moons"
    assert at.toggle(key="rc_bn").value is True
    assert at.number_input(key="rc_batch").value == 32
    assert at.session_state["rc_momentum_lr"] == pytest.approx(0.05)
    for k, v in query.items():
        assert at.query_params[k] == v
    table = at.dataframe[0].value
    assert list(table["optimizer"]) == ["momentum", "rmsprop"]
    again = run({k: at.query_params[k] for k in at.query_params})
    assert [_values(t)[-1] for t in curves(figures(again)[0])] == pytest.approx(
        [_values(t)[-1] for t in curves(figures(at)[0])]
    )


def test_sweep_mode_plots_final_loss_against_learning_rate():
    at = run({"rc_mode": "sweep", "rc_steps": "15", "rc_sweep_n": "4", "rc_opts": "sgd,adam"})
    figs = figures(at)
    assert len(figs) == 2  # final training loss and final test loss
    for fig in figs:
        traces = curves(fig)
        assert [t["name"] for t in traces] == ["sgd", "adam"]
        assert [t["line"]["color"] for t in traces] == ["#000000", "#CC79A7"]
        for name in ("sgd", "adam"):
            # Each learning rate is a point on the line, or a cross where it diverged.
            parts = [d for d in fig["data"] if d.get("legendgroup") == name]
            xs = np.sort(np.concatenate([_values({"y": d["x"]}) for d in parts]))
            np.testing.assert_allclose(xs, np.geomspace(1e-4, 1.0, 4), rtol=1e-6)
        assert fig["layout"]["xaxis"]["type"] == "log"


def test_a_diverging_optimizer_is_reported():
    at = run({"rc_steps": "40", "rc_opts": "sgd,adam", "rc_adam_lr": "10"})
    warnings = [w.value for w in at.warning]
    assert any("adam" in w and "diverged at step" in w for w in warnings), warnings
    crosses = [d for d in figures(at)[0]["data"] if d.get("mode") == "markers"]
    assert crosses and all(c["marker"]["symbol"] == "x" for c in crosses)
    assert all(np.isfinite(_values(t)).all() for t in curves(figures(at)[0]))


def test_no_optimizer_and_bad_sizes_are_messages_not_tracebacks():
    at = run({"rc_opts": ""})
    assert any("Pick at least one optimizer" in i.value for i in at.info)
    # A sweep larger than the engine allows: a warning, never a traceback.
    at = run(
        {"rc_mode": "sweep", "rc_steps": "10", "rc_sweep_n": "15", "rc_opts": ",".join(names())}
    )
    assert any("Too many optimizers" in w.value for w in at.warning)


def test_digits_race_has_no_decision_boundaries_and_link_values_off_the_grid_are_kept():
    at = run({"rc_data": "digits", "rc_n": "400", "rc_steps": "10", "rc_width": "24",
              "rc_opts": "sgd,adam", "rc_target": "0.123"})  # fmt: skip
    figs = figures(at)
    assert len(figs) == 2  # curves and gradient norms; no boundaries for 64-d inputs
    assert at.select_slider(key="rc_width").value == 24
    assert at.select_slider(key="rc_target").value == pytest.approx(0.123)
    assert "Decision boundaries" not in [h.value for h in at.subheader]
