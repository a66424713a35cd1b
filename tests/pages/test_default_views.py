"""Every page's default view, pinned: which figures, which traces, and key values of their data.

A change in how the pages hand results to viz (the glue) must leave these figures as they are.
Values from analytic curves and float64 paths are pinned tightly; values of float32 training
loosely enough for any CPU (a different vector width rounds differently).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import assert_no_exception, figures, page_test
from tests.helpers import figure_array as arr

OPTIMIZERS = ["sgd", "momentum", "adagrad", "rmsprop", "adam"]
ACTIVATIONS = ["Sigmoid (logistic)", "Tanh", "ReLU", "GELU"]


def opened(page: str, press: str | None = None) -> list[dict]:
    at = page_test(page).run()
    if press:
        at.button(key=press).click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    return figures(at)


def title(fig: dict) -> str | None:
    return (fig["layout"].get("title") or {}).get("text")


def names(fig: dict) -> list[str | None]:
    return [t.get("name") for t in fig["data"]]


def test_activation_explorer_default_view():
    curves, hists, depth = opened("activations")
    assert names(curves) == ACTIVATIONS * 2  # f, then f′
    sigmoid, sigmoid_df = curves["data"][0], curves["data"][4]
    np.testing.assert_array_equal(arr(sigmoid["x"])[[0, 300, -1]], [-6.0, 0.0, 6.0])
    np.testing.assert_allclose(arr(sigmoid["y"])[[0, 300, -1]], [0.00247262, 0.5, 0.99752736], 1e-5)
    assert arr(sigmoid_df["y"])[300] == 0.25
    assert names(hists) == [f"{a} {p}" for a in ACTIVATIONS for p in ("f(z)", "f′(z)")]
    assert all(len(arr(t["y"])) == 50 for t in hists["data"])
    assert names(depth) == ["0.25^L (sigmoid's ceiling)"] + [
        n for a in ACTIVATIONS for n in (a, f"{a} (sampled)")
    ]
    tanh_law = arr(depth["data"][3]["y"])
    np.testing.assert_allclose(tanh_law[[0, 9, 29]], [0.6065916, 6.744716e-03, 3.068251e-07], 1e-5)


def test_playground_default_view():
    figs = opened("playground")
    # Only the open tab is built: the internals wait until their tab is opened (below).
    assert [title(f) for f in figs] == [
        "Beale: click anywhere to start there", None, "Loss against step",
        "Distance to the nearest known minimum",
    ]  # fmt: skip
    the_map = figs[0]
    # No grid of invisible points to click: the map is a kept chart that reports the click.
    assert names(the_map) == [
        "surface", "known minimum", "start", *OPTIMIZERS, *(f"{n} (now)" for n in OPTIMIZERS),
    ]  # fmt: skip
    assert len(the_map["frames"]) == 100
    ends = {t["name"]: (arr(t["x"])[-1], arr(t["y"])[-1]) for t in the_map["data"][3:8]}
    assert all(len(arr(t["x"])) == 301 for t in the_map["data"][3:8])
    expected = {
        "sgd": (2.806772, 0.447488),
        "momentum": (2.992857, 0.498211),
        "adagrad": (2.946360, 0.486174),
        "rmsprop": (2.959704, 0.489673),
        "adam": (2.941671, 0.484943),
    }
    for name, xy in expected.items():
        np.testing.assert_allclose(ends[name], xy, rtol=1e-5, err_msg=name)
    gaps = [arr(t["y"]) for t in figs[2]["data"]]
    assert [g[0] for g in gaps] == pytest.approx([41.25] * 5)
    np.testing.assert_allclose(
        [g[-1] for g in gaps], [7.468960e-03, 8.236395e-06, 4.901938e-04, 2.724935e-04,
                                5.826391e-04], rtol=1e-4,
    )  # fmt: skip


def test_playground_internals_tab_holds_every_optimizer_in_one_figure():
    at = page_test("playground", {"pg_tab": "Internals"}).run()
    assert_no_exception(at)
    figs = figures(at)
    assert [title(f) for f in figs] == ["Beale: click anywhere to start there", None, None]
    headings = [a.get("text", "") for a in figs[-1]["layout"]["annotations"]]
    assert [h for h in headings if h.endswith(": internals")] == [
        f"<b>{n}</b>: internals" for n in OPTIMIZERS
    ]


def test_gradient_flow_default_view():
    figs = opened("gradient_flow")
    assert [title(f) for f in figs] == [
        "Gradient per layer", "A: activations per layer", "Activation mean and spread per layer",
        "Saturated, dead and identical units", "Loss and accuracy",
        "A: gradient norm ‖∂L/∂W_l‖", "A: decision boundary after training",
    ]  # fmt: skip
    grads = arr(figs[0]["data"][0]["customdata"])
    np.testing.assert_allclose(grads[[0, 5, 9]], [8.622701e-08, 4.899711e-04, 0.1544364], 1e-3)
    loss = arr(figs[4]["data"][0]["customdata"])
    assert len(loss) == 300
    np.testing.assert_allclose(loss[[0, -1]], [0.3041107, 0.2500853], rtol=1e-3)
    assert len(figs[1]["data"]) == 11  # a violin per layer and the means


def test_race_default_view_after_run():
    curves, grads, boundaries = opened("race", press="rc_run")
    assert names(curves) == OPTIMIZERS * 4  # train/test loss, train/test accuracy
    train_loss = [arr(t["y"]) for t in curves["data"][:5]]
    assert all(len(y) == 300 for y in train_loss)
    assert [y[0] for y in train_loss] == pytest.approx([1.2072725] * 5, rel=1e-4)
    np.testing.assert_allclose(
        [y[-1] for y in train_loss], [0.338977, 0.217338, 0.160908, 0.165968, 0.138836], rtol=0.02
    )
    train_acc = [arr(t["y"])[-1] for t in curves["data"][10:15]]
    np.testing.assert_allclose(train_acc, [0.8933, 0.9233, 0.9367, 0.94, 0.94], atol=0.02)
    assert names(grads) == OPTIMIZERS * 3  # one panel per hidden layer
    assert sum(t["type"] == "heatmap" for t in boundaries["data"]) == 5
