"""AppTest of the optimizer playground: widgets in, figure DATA out, checked against the engine."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engine import optimizers, surfaces
from engine.surfaces import default_lrs as surface_lrs
from engine.surfaces import trajectories
from pages._common.keys.playground import RATE_KEYS, TAB
from tests.helpers import assert_no_exception, figures, open_panels, page_test
from tests.helpers import figure_array as arr
from viz.colors import optimizer_color

DEFAULT = ["sgd", "momentum", "adagrad", "rmsprop", "adam"]


def the_map(at) -> dict:
    fig = figures(at)[0]
    assert fig["data"][0]["type"] == "contour"
    return fig


def paths_of(fig: dict) -> dict[str, dict]:
    """The trajectory traces (lines+markers) by name."""
    return {t["name"]: t for t in fig["data"] if t.get("mode") == "lines+markers"}


def engine_path(surface: str, name: str, steps: int = 300, start=None, **hyper) -> np.ndarray:
    s = surfaces.get(surface)
    hyper.setdefault("lr", surface_lrs.default_lr(name, surface))
    run = trajectories.run(s, [optimizers.create(name, **hyper)], [start or s.start], steps)
    return run.paths[0, 0]


def title(fig: dict) -> str:
    return fig["layout"].get("title", {}).get("text", "")


def texts(at) -> str:
    parts = [e.value for kind in ("error", "warning", "info") for e in getattr(at, kind)]
    return " | ".join(str(p) for p in parts)


# The data of the default views as the graph-object builders drew them, before the builders
# became plain dicts (viz/spec_figure.py): per trace, its type, name and a fingerprint of each
# data array (shape, sums, a weighted sum, extremes, ends). Made by ``view_fingerprints``.
BEFORE = Path(__file__).parent / "data" / "playground_default_views.json"
ARRAYS = ("x", "y", "z", "customdata")


def _array_fingerprint(value) -> list[float]:
    a = arr(value).ravel()
    if a.size == 0:
        return [0.0]
    w = np.linspace(1.0, 2.0, a.size)
    return [float(a.size), float(a.sum()), float(np.abs(a).sum()), float((a * w).sum()),
            float(a.min()), float(a.max()), float(a[0]), float(a[-1])]  # fmt: skip


def fingerprint(traces: list[dict], names: bool = True) -> list[dict]:
    """Each non-empty trace's type (and name) and a fingerprint of each of its data arrays."""
    out = []
    for t in traces:
        if all(len(arr(t[k])) == 0 for k in ARRAYS if k in t):
            continue  # a legend entry without data
        entry = {"type": t.get("type", "scatter")}
        if names:
            entry["name"] = t.get("name")
        entry |= {k: _array_fingerprint(t[k]) for k in ARRAYS if k in t}
        out.append(entry)
    return out


def frames_fingerprint(fig: dict) -> list[list[float]]:
    return [[float(np.sum([arr(d["x"]).sum() + 2 * arr(d["y"]).sum() for d in f["data"]])),
             float(len(f["data"]))] for f in fig.get("frames", [])]  # fmt: skip


def view_fingerprints(views: dict[str, list[dict]]) -> dict:
    """The fingerprints of the trajectories view (its internals in optimizer order, x and y
    lines only), the many-starts view and the sweep view, from their figures' JSON."""
    paths = views["paths"]
    by_title = {title(f): f for f in paths}
    inner = [t for name in DEFAULT for t in by_title[f"{name}: internals"]["data"]]
    return {
        "map": fingerprint(paths[0]["data"]),
        "map_frames": frames_fingerprint(paths[0]),
        "3d": fingerprint(paths[1]["data"]),
        "loss": fingerprint(by_title["Loss against step"]["data"]),
        "distance": fingerprint(by_title["Distance to the nearest known minimum"]["data"]),
        "internals": fingerprint(inner, names=False),
        "basins": fingerprint(views["starts"][0]["data"]),
        "sweep": fingerprint(views["sweep"][0]["data"]),
    }


@pytest.fixture(scope="module")
def default_at():
    at = page_test("playground").run()
    assert_no_exception(at)
    return at


def test_default_view_draws_contour_and_one_path_per_optimizer(default_at):
    at = default_at
    assert at.title[0].value == "Optimizer playground"
    fig = the_map(at)
    contour = fig["data"][0]
    beale = surfaces.get("beale")
    xs, ys = arr(contour["x"]), arr(contour["y"])
    assert xs[0] == pytest.approx(beale.bounds[0][0]) and xs[-1] == pytest.approx(
        beale.bounds[0][1]
    )
    assert arr(contour["z"]).shape == (len(ys), len(xs))
    assert np.isfinite(arr(contour["z"])).all()
    traces = paths_of(fig)
    assert list(traces) == DEFAULT
    for name, trace in traces.items():
        assert trace["line"]["color"] == optimizer_color(name)
        expected = engine_path("beale", name)
        np.testing.assert_allclose(arr(trace["x"]), expected[:, 0], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(arr(trace["y"]), expected[:, 1], rtol=1e-5, atol=1e-5)
    starts = [t for t in fig["data"] if t["name"] == "start"]
    np.testing.assert_allclose(arr(starts[0]["x"]), [beale.start[0]])
    minima = [t for t in fig["data"] if t["name"] == "known minimum"]
    np.testing.assert_allclose(arr(minima[0]["x"]), [beale.minima[0][0]])
    # Playback: <= ~100 frames that move only the 5 marker traces, one point each.
    frames = fig["frames"]
    assert 2 <= len(frames) <= 101
    moving = frames[0]["traces"]
    assert len(moving) == 5 and all(fig["data"][i]["name"].endswith("(now)") for i in moving)
    assert all(len(fr["data"]) == 5 and len(fr["data"][0]["x"]) == 1 for fr in frames)
    last = frames[-1]["data"][4]
    assert last["x"][0] == pytest.approx(engine_path("beale", "adam")[-1, 0], abs=1e-5)
    assert fig["layout"]["updatemenus"][0]["buttons"][0]["label"].endswith("Play")
    # Nothing but the map, 3D, loss and distance: the internals' tab is closed.
    assert len(figures(at)) == 4
    for f in figures(at):
        assert_finite(f)
    assert dict(at.query_params) == {}  # the default view has a short link


def test_other_panels_carry_the_runs_data(default_at):
    figs = figures(default_at)
    three_d = figs[1]
    assert three_d["data"][0]["type"] == "surface"
    assert [t["name"] for t in three_d["data"][1:]] == DEFAULT
    loss = next(f for f in figs if title(f) == "Loss against step")
    assert loss["layout"]["yaxis"]["type"] == "log"
    adam = next(t for t in loss["data"] if t["name"] == "adam")
    s = surfaces.get("beale")
    run = trajectories.run(s, [optimizers.create("adam", lr=0.1)], [s.start], 300)
    np.testing.assert_allclose(arr(adam["y"]), run.losses[0, 0] - s.min_value + 1e-12, rtol=1e-6)


def open_tab(at, tab: str):
    """A click on a tab: its state, and the link, which st.tabs keeps in step with it."""
    at.session_state[TAB] = tab
    if tab == "Loss and distance":  # the first tab: the link leaves it out
        at.query_params.pop(TAB, None)
    else:
        at.query_params[TAB] = tab
    return at.run()


def test_the_internals_are_one_figure_with_a_panel_per_optimizer():
    at = open_tab(page_test("playground").run(), "Internals")
    assert_no_exception(at)
    figs = figures(at)
    assert len(figs) == 3  # map, 3D, internals: the loss tab is closed now
    inner = figs[2]
    headings = [a["text"] for a in inner["layout"]["annotations"]]
    assert [h for h in headings if h.endswith(": internals")] == [
        f"<b>{name}</b>: internals" for name in DEFAULT
    ]
    assert any("accumulated squared gradients" in h for h in headings)
    assert any("effective step size" in h for h in headings)
    # Every line sits on its own row's axes, and each row's axes exist in the layout.
    lines = [t for t in inner["data"] if len(arr(t["x"]))]
    rows = {(t["xaxis"], t["yaxis"]) for t in lines}
    for xa, ya in rows:
        assert f"xaxis{xa[1:]}" in inner["layout"] and f"yaxis{ya[1:]}" in inner["layout"]
    # Adam's effective step size is |Δθ|/|g| of its path (the last two of its x lines).
    s = surfaces.get("beale")
    run = trajectories.run(s, [optimizers.create("adam", lr=0.1)], [s.start], 300)
    adam_x = [t for t in lines if t["meta"] == "adam" and t["line"]["dash"] == "solid"]
    eff = run.effective_lr()[0, 0, :, 0]
    np.testing.assert_allclose(arr(adam_x[-2]["y"]), eff[eff > 0], rtol=1e-9)
    assert_finite(inner)


def test_each_tab_is_built_only_when_open_and_is_in_the_link():
    at = page_test("playground", {"pg_tab": "Comparison table"}).run()
    assert_no_exception(at)
    assert [title(f) for f in figures(at)][2:] == []  # neither the loss nor the internals
    table = at.dataframe[0].value
    assert list(table["optimizer"]) == DEFAULT
    at = open_tab(at, "Update rules")
    latex = " ".join(e.value for e in at.latex)
    assert optimizers.formula("adam", lr=0.1) in latex  # the engine's formulas
    assert not at.dataframe
    at = open_tab(at, "Loss and distance")
    assert [title(f) for f in figures(at)][2:] == [
        "Loss against step",
        "Distance to the nearest known minimum",
    ]


def test_the_3d_view_is_built_only_when_shown():
    at = page_test("playground", {"pg_3d": "0"}).run()
    assert_no_exception(at)
    assert [f["data"][0]["type"] for f in figures(at)] == ["contour", "scatter", "scatter"]
    at.toggle(key="pg_3d").set_value(True).run()
    assert [f["data"][0]["type"] for f in figures(at)][:2] == ["contour", "surface"]


def _same(after: list[dict], before: list[dict], what: str) -> None:
    assert len(after) == len(before), what
    for i, (a, b) in enumerate(zip(after, before, strict=True)):
        assert a["type"] == b["type"] and a.get("name") == b.get("name"), (what, i)
        assert set(a) == set(b), (what, i)
        for key in ARRAYS:
            if key in b:
                np.testing.assert_allclose(a[key], b[key], rtol=1e-5, atol=1e-6, err_msg=what)


def test_the_default_views_carry_the_same_data_as_before():
    before = json.loads(BEFORE.read_text())
    at = page_test("playground").run()
    figs = figures(at)
    internals = figures(open_tab(at, "Internals"))[2]
    starts = figures(page_test("playground", {"pg_mode": "starts"}).run())[0]
    sweep = figures(page_test("playground", {"pg_mode": "sweep"}).run())[0]
    after = {
        "map": fingerprint(figs[0]["data"]),
        "map_frames": frames_fingerprint(figs[0]),
        "3d": fingerprint(figs[1]["data"]),
        "loss": fingerprint(figs[2]["data"]),
        "distance": fingerprint(figs[3]["data"]),
        "internals": fingerprint(internals["data"], names=False),
        "basins": fingerprint(starts["data"]),
        "sweep": fingerprint(sweep["data"]),
    }
    assert set(after) == set(before)
    for what in before:
        if what == "map_frames":
            np.testing.assert_allclose(after[what], before[what], rtol=1e-6, atol=1e-6)
        else:
            _same(after[what], before[what], what)


def test_changing_surface_optimizers_and_lr_changes_the_data():
    at = page_test("playground").run()
    at.selectbox(key="pg_surface").set_value("himmelblau").run()
    assert_no_exception(at)
    fig = the_map(at)
    assert arr(fig["data"][0]["x"])[0] == pytest.approx(-5.0)
    h = surfaces.get("himmelblau")
    assert arr(paths_of(fig)["sgd"]["x"])[0] == pytest.approx(h.start[0])
    assert len([t for t in fig["data"] if t["name"] == "known minimum"][0]["x"]["bdata"]) > 0

    at.multiselect(key="pg_opts").set_value(["nesterov", "adam"]).run()
    assert list(paths_of(the_map(at))) == ["nesterov", "adam"]

    before = arr(paths_of(the_map(at))["adam"]["x"])
    open_panels(at, "adam")
    at.select_slider(key="pg_adam_lr").set_value(0.01).run()
    after = paths_of(the_map(at))["adam"]
    assert not np.allclose(arr(after["x"]), before)
    np.testing.assert_allclose(
        arr(after["x"]), engine_path("himmelblau", "adam", lr=0.01)[:, 0], atol=1e-5
    )
    assert at.query_params["pg_adam_lr"] == "0.01"
    assert at.query_params["pg_surface"] == "himmelblau"


def test_custom_expression_good_then_bad_keeps_the_last_good_surface():
    at = page_test("playground", {"pg_surface": "custom"}).run()
    at.text_input(key="pg_expr").input("(x - 1)**2 + 2*(y + 0.5)**2").run()
    assert_no_exception(at)
    good = the_map(at)
    assert "(x - 1)**2" in good["layout"]["title"]["text"]
    minimum = [t for t in good["data"] if t["name"] == "known minimum"][0]
    assert arr(minimum["x"])[0] == pytest.approx(1.0, abs=1e-4)
    assert arr(minimum["y"])[0] == pytest.approx(-0.5, abs=1e-4)

    at.text_input(key="pg_expr").input("(x - 1)**2 + import").run()
    assert_no_exception(at)
    assert any("error" in e.value.lower() or "not" in e.value.lower() for e in at.error)
    assert "last formula that worked" in " ".join(c.value for c in at.caption)
    still = the_map(at)
    assert "(x - 1)**2 + 2*(y + 0.5)**2" in still["layout"]["title"]["text"]
    np.testing.assert_allclose(arr(still["data"][0]["z"]), arr(good["data"][0]["z"]))


def test_click_on_the_map_moves_the_start(default_at):
    at = page_test("playground").run()
    at.session_state["pg_map"] = {
        "selection": {"points": [{"x": 2.0, "y": -1.0}], "point_indices": [0], "box": []}
    }
    at.run()
    assert_no_exception(at)
    assert at.number_input(key="pg_x0").value == pytest.approx(2.0)
    fig = the_map(at)
    start = [t for t in fig["data"] if t["name"] == "start"][0]
    assert arr(start["x"])[0] == pytest.approx(2.0) and arr(start["y"])[0] == pytest.approx(-1.0)
    expected = engine_path("beale", "adam", start=(2.0, -1.0))
    np.testing.assert_allclose(arr(paths_of(fig)["adam"]["x"]), expected[:, 0], atol=1e-5)
    assert at.query_params["pg_x0"] == "2" and at.query_params["pg_y0"] == "-1"


def test_diverging_setting_says_where_and_draws_no_nonfinite_value():
    query = {"pg_surface": "rosenbrock", "pg_opts": "sgd,adam", "pg_sgd_lr": "0.01"}
    at = page_test("playground", query).run()
    assert_no_exception(at)
    assert "sgd diverged at step" in texts(at)
    fig = the_map(at)
    marks = [t for t in fig["data"] if t.get("mode") == "markers+text"]
    assert any("diverged at step" in t["text"][0] for t in marks)
    for f in figures(at):
        assert_finite(f)


def assert_finite(node, where: str = "") -> None:
    """Every number and typed array anywhere in a figure's JSON is finite."""
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            assert np.isfinite(arr(node)).all(), where
            return
        for k, v in node.items():
            assert_finite(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            assert_finite(v, f"{where}[{i}]")
    elif isinstance(node, float):
        assert np.isfinite(node), where


def test_url_round_trip_and_clamping():
    query = {
        "pg_surface": "himmelblau",
        "pg_opts": "momentum,rmsprop",
        "pg_momentum_lr": "0.002",
        "pg_momentum_conv": "velocity",
        "pg_steps": "999999",  # beyond the limit: clamped, never a traceback
        "pg_x0": "1.5",
        "pg_y0": "-2",
        "pg_sched": "cosine",
        "pg_tab": "Update rules",  # the tab open in the link
    }
    at = open_panels(page_test("playground", query).run(), "momentum")
    assert_no_exception(at)
    assert at.selectbox(key="pg_surface").value == "himmelblau"
    assert at.multiselect(key="pg_opts").value == ["momentum", "rmsprop"]
    assert at.select_slider(key="pg_momentum_lr").value == pytest.approx(0.002)
    assert at.slider(key="pg_steps").value == 2000
    fig = the_map(at)
    assert list(paths_of(fig)) == ["momentum", "rmsprop"]
    assert arr(paths_of(fig)["momentum"]["x"])[0] == pytest.approx(1.5)
    assert len(arr(paths_of(fig)["rmsprop"]["x"])) == 2001
    latex = " ".join(e.value for e in at.latex)
    assert optimizers.formula("momentum", lr=0.002, convention="velocity") in latex
    assert r"\cos" in latex  # the schedule's formula
    # widget -> URL
    at.slider(key="pg_steps").set_value(120).run()
    assert at.query_params["pg_steps"] == "120"
    at.selectbox(key="pg_momentum_conv").set_value("pytorch").run()
    assert "pg_momentum_conv" not in at.query_params  # back to the default: dropped
    assert at.query_params["pg_surface"] == "himmelblau"


def test_bad_hyperparameter_keeps_the_last_good_view():
    at = open_panels(page_test("playground", {"pg_opts": "nesterov"}).run(), "nesterov")
    before = arr(paths_of(the_map(at))["nesterov"]["x"])
    at.slider(key="pg_nesterov_mom").set_value(0.0).run()
    assert_no_exception(at)
    assert "Nesterov momentum requires a momentum" in texts(at)
    assert "last result that worked" in texts(at)
    np.testing.assert_allclose(arr(paths_of(the_map(at))["nesterov"]["x"]), before)


def test_same_learning_rate_for_all():
    at = page_test("playground", {"pg_opts": "sgd,adam", "pg_same_lr": "1", "pg_lr": "0.001"})
    at.run()
    assert_no_exception(at)
    fig = the_map(at)
    expected = engine_path("beale", "sgd", lr=0.001)
    np.testing.assert_allclose(arr(paths_of(fig)["sgd"]["x"]), expected[:, 0], atol=1e-5)
    expected = engine_path("beale", "adam", lr=0.001)
    np.testing.assert_allclose(arr(paths_of(fig)["adam"]["x"]), expected[:, 0], atol=1e-5)


def test_many_starts_shows_himmelblaus_four_basins():
    at = page_test(
        "playground",
        {"pg_mode": "starts", "pg_surface": "himmelblau", "pg_opts": "adam", "pg_grid": "12"},
    ).run()
    assert_no_exception(at)
    fig = figures(at)[0]
    heat = fig["data"][0]
    assert heat["type"] == "heatmap"
    z = arr(heat["z"])
    assert z.shape == (12, 12)
    assert set(np.unique(z)) >= {0.0, 1.0, 2.0, 3.0}
    assert "converged" in fig["layout"]["annotations"][0]["text"]


def test_sweep_marks_the_best_lr_and_applies_it():
    at = page_test("playground", {"pg_mode": "sweep", "pg_opts": "sgd,adam", "pg_sw_n": "16"}).run()
    assert_no_exception(at)
    fig = figures(at)[0]
    curves = {t["name"]: t for t in fig["data"] if t.get("mode") == "lines+markers"}
    assert set(curves) == {"sgd", "adam"}
    assert len(arr(curves["adam"]["x"])) == 16
    stars = [t for t in fig["data"] if t["name"] == "adam best lr"]
    best = arr(stars[0]["x"])[0]
    ys = arr(curves["adam"]["y"])
    assert arr(stars[0]["y"])[0] == pytest.approx(np.nanmin(ys))
    button = at.button(key="pg_apply_adam")
    assert f"{best:.3g}" in button.label
    button.click().run()
    assert_no_exception(at)
    assert at.session_state["pg_mode"] == "paths"
    assert at.session_state["pg_adam_lr"] == pytest.approx(best)
    expected = engine_path("beale", "adam", lr=float(best))
    np.testing.assert_allclose(arr(paths_of(the_map(at))["adam"]["x"]), expected[:, 0], atol=1e-5)


def test_noise_seed_and_schedule_reach_the_engine():
    query = {"pg_opts": "adam", "pg_noise": "0.5", "pg_seed": "7", "pg_sched": "step"}
    at = page_test("playground", query).run()
    assert_no_exception(at)
    s = surfaces.get("beale")
    from engine.optimizers import schedules

    run = trajectories.run(
        s, [optimizers.create("adam", lr=0.1)], [s.start], 300, noise=0.5, seed=7,
        schedule=schedules.make("step", 300, step_size=100, gamma=0.5),
    )  # fmt: skip
    got = arr(paths_of(the_map(at))["adam"]["x"])
    np.testing.assert_allclose(got, run.paths[0, 0, :, 0], atol=1e-5)
    at.number_input(key="pg_seed").set_value(8).run()
    assert not np.allclose(arr(paths_of(the_map(at))["adam"]["x"]), got)
    assert at.query_params["pg_seed"] == "8"


@pytest.mark.parametrize("schedule, key", [("step", "pg_sch_size"), ("warmup", "pg_sch_warm")])
def test_a_schedule_picked_after_fewer_steps_fits_its_slider_to_them(schedule, key):
    """Steps 10, then a schedule whose slider ends at the steps: its kept value (100, 50) was
    above the slider's end and the page raised StreamlitValueAboveMaxError (found by the state
    property test)."""
    at = page_test("playground").run()
    at.slider(key="pg_steps").set_value(10).run()
    at.selectbox(key="pg_sched").set_value(schedule).run()
    assert_no_exception(at)
    assert at.slider(key=key).max == 10 and 1 <= at.slider(key=key).value <= 10


@pytest.mark.parametrize("surface", ["rosenbrock", "beale", "goldstein_price"])
def test_first_look_at_a_steep_surface_has_no_divergence(surface):
    # Before, SGD and Momentum diverged on Rosenbrock (steps 5 and 7) and RAdam on Beale.
    query = {"pg_surface": surface, "pg_opts": ",".join(optimizers.names()), "pg_3d": "0"}
    at = page_test("playground", query).run()
    assert_no_exception(at)
    assert not at.error, texts(at)
    lrs = surface_lrs.default_lrs(surface)
    for name in optimizers.names():
        assert at.session_state[f"pg_{name}_lr"] == pytest.approx(lrs[name])
    marks = [t for t in the_map(at)["data"] if t.get("mode") == "markers+text"]
    assert marks == []
    # The rates are the defaults, so the link carries none (Beale is the default surface).
    assert dict(at.query_params) == {k: v for k, v in query.items() if v != "beale"}


def test_a_new_surface_brings_its_rates_but_keeps_a_changed_one():
    at = page_test("playground", {"pg_opts": "sgd,momentum,adam"}).run()
    open_panels(at, "adam")
    at.select_slider(key="pg_adam_lr").set_value(0.02).run()
    at.selectbox(key="pg_surface").set_value("rosenbrock").run()
    assert_no_exception(at)
    rosenbrock = surface_lrs.default_lrs("rosenbrock")
    assert at.session_state["pg_sgd_lr"] == pytest.approx(rosenbrock["sgd"])
    assert at.session_state["pg_momentum_lr"] == pytest.approx(rosenbrock["momentum"])
    assert at.select_slider(key="pg_adam_lr").value == pytest.approx(0.02)
    # The link carries only what was changed: the defaults follow from the surface.
    assert at.query_params["pg_adam_lr"] == "0.02" and "pg_sgd_lr" not in at.query_params
    assert not at.error, texts(at)


def test_a_formula_undefined_on_the_path_is_blamed_not_the_learning_rate():
    # log(-x) has no value for x >= 0: a path that steps there is the formula's doing.
    query = {"pg_surface": "custom", "pg_expr": "log(-x)", "pg_opts": "sgd,adam"}
    at = page_test("playground", query | {"pg_adam_lr": "0.3"}).run()
    assert_no_exception(at)
    assert "smaller learning rate" not in texts(at)
    assert "log(-x) is undefined where -x ≤ 0 (50% of the plotted region)" in texts(at)
    warning = " ".join(w.value for w in at.warning)
    assert "log(-x) is undefined where -x ≤ 0. adam (step " in warning
    assert "not the learning rate" in warning and "sgd" not in warning
    marks = [t for t in the_map(at)["data"] if t.get("mode") == "markers+text"]
    assert [m["text"][0].split(" at step")[0] for m in marks] == ["f undefined"]
    for f in figures(at):
        assert_finite(f)


def test_a_start_where_the_formula_is_undefined_says_so_and_keeps_the_map():
    query = {"pg_surface": "custom", "pg_expr": "log(-x)", "pg_x0": "1", "pg_y0": "2"}
    at = page_test("playground", query).run()
    assert_no_exception(at)
    assert "log(-x) is undefined where -x ≤ 0, and that includes the start (1, 2)" in texts(at)
    assert "smaller learning rate" not in texts(at)
    fig = the_map(at)  # still there, so a click can pick another start
    assert [arr(t["x"])[0] for t in fig["data"] if t["name"] == "start"] == [1.0]


def test_changing_a_learning_rate_keeps_its_panel():
    # The panel's title held η: every change made a new, collapsed panel.
    at = open_panels(page_test("playground").run(), "adam")
    before = [e.label for e in at.expander]
    at.select_slider(key="pg_adam_lr").set_value(0.01).run()
    at.select_slider(key="pg_adam_lr").set_value(0.02).run()
    assert_no_exception(at)
    assert [e.label for e in at.expander] == before == [f"**{n}**" for n in DEFAULT]


def test_a_closed_panel_draws_no_widgets_and_keeps_its_values():
    def hyper_widgets(at) -> list[str]:
        return [w.key for w in [*at.slider, *at.select_slider] if w.key.startswith("pg_adam_")]

    at = page_test("playground").run()
    assert [e.label for e in at.expander] == [f"**{n}**" for n in DEFAULT]
    assert hyper_widgets(at) == []
    open_panels(at, "adam")
    assert {"pg_adam_lr", "pg_adam_eps", "pg_adam_wd"} <= set(hyper_widgets(at))
    at.select_slider(key="pg_adam_lr").set_value(0.02).run()
    at.session_state["pg_panel_adam"] = False
    at.run()
    at.run()  # a later rerun too: the value is session state's own, not the widget's
    assert_no_exception(at)
    assert hyper_widgets(at) == []
    assert at.session_state["pg_adam_lr"] == pytest.approx(0.02)
    assert at.query_params["pg_adam_lr"] == "0.02"
    expected = engine_path("beale", "adam", lr=0.02)
    np.testing.assert_allclose(arr(paths_of(the_map(at))["adam"]["x"]), expected[:, 0], atol=1e-5)


def test_an_optimizer_not_picked_waits_parked_with_its_settings():
    # Session state holds the picked optimizers' settings only: every select box and number
    # input copies the whole state when drawn (issue 12), and the others are 150 keys.
    at = open_panels(page_test("playground").run(), "adam")
    at.select_slider(key="pg_adam_lr").set_value(0.02).run()
    at.multiselect(key="pg_opts").set_value(["sgd", "adagrad"]).run()
    assert_no_exception(at)
    keys = [k for k in at.session_state._state.filtered_state if k.startswith("pg_")]
    owners = {RATE_KEYS[k][0] for k in keys if k in RATE_KEYS}
    assert owners == {"sgd", "adagrad"}, keys
    assert len(at.session_state._state.filtered_state) < 80
    assert at.query_params["pg_adam_lr"] == "0.02"  # the link keeps it
    # A new surface while Adam waits: its changed rate stays, Momentum's default one follows.
    at.selectbox(key="pg_surface").set_value("rosenbrock").run()
    at.multiselect(key="pg_opts").set_value(["sgd", "momentum", "adam"]).run()
    assert_no_exception(at)
    rosenbrock = surface_lrs.default_lrs("rosenbrock")
    assert at.session_state["pg_adam_lr"] == pytest.approx(0.02)
    assert at.session_state["pg_momentum_lr"] == pytest.approx(
        rosenbrock["momentum"]
    )  # 0.003 on Beale
    expected = engine_path("rosenbrock", "adam", lr=0.02)
    np.testing.assert_allclose(arr(paths_of(the_map(at))["adam"]["x"]), expected[:, 0], atol=1e-5)


def test_the_grid_of_starts_survives_switching_views():
    at = page_test("playground", {"pg_opts": "adam", "pg_surface": "bowl"}).run()
    at.segmented_control(key="pg_mode").set_value("starts").run()
    at.slider(key="pg_grid").set_value(30).run()
    at.segmented_control(key="pg_mode").set_value("paths").run()
    at.segmented_control(key="pg_mode").set_value("starts").run()
    assert_no_exception(at)
    assert at.slider(key="pg_grid").value == 30
    assert at.query_params["pg_grid"] == "30"
    assert arr(figures(at)[0]["data"][0]["z"]).shape == (30, 30)


def test_hyperparameter_labels_say_symbol_and_name_with_every_digit():
    at = open_panels(page_test("playground", {"pg_opts": "adagrad,adam"}).run(), "adagrad", "adam")
    assert_no_exception(at)
    beta2 = at.slider(key="pg_adam_betas2")
    assert beta2.label == "β₂ — second-moment decay"
    assert beta2.value == pytest.approx(0.999)
    assert beta2.proto.format % beta2.value == "0.9990"  # was "1.00"
    assert at.slider(key="pg_adam_wd").label == "λ — weight decay"
    assert at.slider(key="pg_adagrad_acc0").label == "s₀ — initial accumulator"
    assert at.select_slider(key="pg_adam_lr").label == "η — learning rate"
    raw = {s.name for n in ("adagrad", "adam") for s in optimizers.hyper_specs(n)}
    labels = [w.label for kind in ("slider", "select_slider", "checkbox", "selectbox")
              for w in getattr(at, kind)]  # fmt: skip
    assert not raw & set(labels), raw & set(labels)


def test_many_starts_leaves_out_the_starts_where_the_formula_is_undefined():
    query = {"pg_mode": "starts", "pg_surface": "custom", "pg_expr": "log(-x) + y**2"}
    at = page_test("playground", query | {"pg_opts": "adam", "pg_grid": "10"}).run()
    assert_no_exception(at)
    assert "cannot run" not in texts(at)  # before: one undefined start refused the whole grid
    z = arr(figures(at)[0]["data"][0]["z"])
    assert z.shape == (10, 10)
    assert "f is undefined there (50 starts)" in " ".join(c.value for c in at.caption)
