"""AppTests of the Loss landscape page: one per preset (on figure data), the run policy, Stop,
URL state, bad input, and the downloads."""

from __future__ import annotations

import numpy as np

from engine.nets import landscape_presets as presets
from pages._common.keys import landscape as K
from pages._landscape.settings import Request
from tests.helpers import assert_no_exception, figure_array, figures, page_test

SMALL = {"ls_steps": "20", "ls_side": "9"}  # each preset, shortened: seconds, not a minute


def run(query: dict[str, str]):
    at = page_test("landscape", query).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    return at


def by_title(at) -> dict[str, dict]:
    return {f["layout"]["title"]["text"]: f for f in figures(at)}


def contours(at) -> list[dict]:
    return [f for f in figures(at) if f["data"][0]["type"] == "contour"]


def traces(fig: dict, name: str) -> list[dict]:
    return [d for d in fig["data"] if d.get("name") == name]


def metrics(at) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in at.metric:
        out.setdefault(m.label, []).append(m.value)
    return out


def test_skip_preset_draws_both_planes_on_one_scale():
    at = run({"ls_preset": "skip", **SMALL})
    assert at.title[0].value == "Loss landscape"
    a, b = contours(at)
    assert a["layout"]["title"]["text"].startswith("A: 20 layers, no skips")
    assert b["layout"]["title"]["text"].startswith("B: 20 layers, skips")
    for fig in (a, b):
        z = figure_array(fig["data"][0]["z"])
        assert z.shape == (9, 9) and np.isfinite(z).all()
        assert not traces(fig, "training path")  # random directions: no path drawn
        star = traces(fig, "trained weights θ*")[0]
        assert star["x"] == [0.0] and star["y"] == [0.0]
    # Same scales: one colour range and the same axes for both.
    assert (a["data"][0]["zmin"], a["data"][0]["zmax"]) == (
        b["data"][0]["zmin"],
        b["data"][0]["zmax"],
    )
    assert a["layout"]["xaxis"]["range"] == b["layout"]["xaxis"]["range"] == [-1.0, 1.0]
    # The centre of each grid is the trained weights' loss, the smallest of the plane here.
    centre = [figure_array(f["data"][0]["customdata"])[4, 4] for f in (a, b)]
    assert all(c > 0 for c in centre)
    m = metrics(at)
    assert len(m["roughness"]) == 2 and len(m["Hessian λₘₐₓ"]) == 2
    line = by_title(at)["From the initial weights θ₀ to the trained θ*"]
    assert [d["name"] for d in line["data"]] == ["A: train", "A: test", "B: train", "B: test"]
    assert "From A's solution to B's" not in by_title(at)  # different architectures


def test_batch_preset_shows_sharpness_and_the_line_between_the_solutions():
    at = run({"ls_preset": "batch", "ls_steps": "60", "ls_side": "9"})
    a, b = contours(at)
    assert "batch 8" in a["layout"]["title"]["text"]
    assert "full batch" in b["layout"]["title"]["text"]
    eig = [float(v) for v in metrics(at)["Hessian λₘₐₓ"]]
    assert len(eig) == 2 and all(v > 0 for v in eig)
    assert any(k.startswith("rise, r=0.05‖θ*‖") for k in metrics(at))
    between = by_title(at)["From A's solution to B's"]
    train = figure_array(between["data"][0]["y"])
    assert len(train) == 31 and np.isfinite(train).all()


def test_race_preset_draws_each_path_on_its_pca_plane():
    at = run({"ls_preset": "race", "ls_steps": "60", "ls_side": "9"})
    assert any("trained as a race" in c.value for c in at.caption)
    a, b = contours(at)
    assert "momentum" in a["layout"]["title"]["text"] and "adam" in b["layout"]["title"]["text"]
    for fig in (a, b):
        assert fig["layout"]["xaxis"]["title"]["text"].startswith("PCA direction 1 (")
        path = traces(fig, "training path")[0]
        x, y = figure_array(path["x"]), figure_array(path["y"])
        assert len(x) == 61 and (x[0], y[0]) >= (0.0, 0.0)  # recorded every step, and the end
        assert (x[-1], y[-1]) == (0.0, 0.0)  # the trained weights are the origin
        xr, yr = fig["layout"]["xaxis"]["range"], fig["layout"]["yaxis"]["range"]
        assert xr[0] <= x.min() and x.max() <= xr[1] and yr[0] <= y.min() and y.max() <= yr[1]
    assert a["layout"]["xaxis"]["range"] == b["layout"]["xaxis"]["range"]  # one box for both
    assert "From A's solution to B's" in by_title(at)


def test_3d_surfaces_share_the_z_range_and_carry_the_path():
    at = run({"ls_preset": "race", "ls_steps": "60", "ls_side": "9", "ls_3d": "1"})
    surfaces = [f for f in figures(at) if f["data"][0]["type"] == "surface"]
    assert len(surfaces) == 2
    assert (
        surfaces[0]["layout"]["scene"]["zaxis"]["range"]
        == surfaces[1]["layout"]["scene"]["zaxis"]["range"]
    )
    path = [d for d in surfaces[0]["data"] if d["type"] == "scatter3d"][0]
    assert len(figure_array(path["z"])) == 61


def test_a_long_run_waits_for_a_press():
    at = run({"ls_preset": "skip", "ls_steps": "2000", "ls_side": "61"})
    assert not figures(at)
    button = [b for b in at.button if b.label.startswith("Compute (about")]
    assert button and "wait for you" in at.info[-1].value


def test_stop_shows_compute_again_and_the_press_computes():
    at = page_test("landscape", {"ls_preset": "batch", **SMALL})
    p = presets.get("batch")
    import dataclasses

    data = dataclasses.replace(p.data, steps=20)
    view = dataclasses.replace(p.view, side=9)
    at.session_state[K.STOP] = Request((p.a, p.b), data, view)
    at.run()
    assert_no_exception(at)
    assert not figures(at)
    assert any("Stopped before the landscape was complete" in i.value for i in at.info)
    at.button(key="ls_compute").click().run()
    assert_no_exception(at)
    assert len(contours(at)) == 2


def test_url_keeps_only_what_differs_from_the_preset():
    at = run({"ls_preset": "race", "ls_steps": "60", "ls_side": "9"})
    assert dict(at.query_params) == {"ls_preset": "race", "ls_steps": "60", "ls_side": "9"}
    assert at.session_state["ls_b_opt"] == "adam"  # from the preset, not in the URL


def test_bad_input_is_a_friendly_message():
    at = run({"ls_preset": "skip", "ls_steps": "5", "ls_side": "5", "ls_a_batch": "1"})
    assert any("batch norm needs at least 2 rows" in w.value for w in at.warning)
    assert not at.exception


def test_downloads_are_offered():
    at = run({"ls_preset": "skip", **SMALL})
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download the grids (CSV)", "Download the figures (HTML)"]


def test_grid_csv_and_html_from_a_result():
    from engine.nets import landscape_study as study
    from pages._landscape import compute, views
    from viz import landscape_plots as plots

    p = presets.get("race")
    import dataclasses

    data = dataclasses.replace(p.data, steps=10)
    split = study.make_split(data)
    runs = study.train([p.a], data, split)
    look = study.look(runs[0], split, dataclasses.replace(p.view, side=5))
    result = compute.Result(runs, [look], None, 0.1)
    rows = views.grid_csv(result).splitlines()
    assert rows[0] == "network,plane,alpha,beta,loss,accuracy" and len(rows) == 1 + 25
    assert rows[1].startswith("A,pca,")
    fig = plots.contour(look.grid.alphas, look.grid.betas, look.grid.loss, zrange=(0.0, 1.0))
    html = views.figures_html({"A contour": fig})
    assert html.count("<h2>") == 1 and "plotly" in html


def test_a_preset_button_sets_every_field_and_the_link():
    at = run({"ls_preset": "skip", **SMALL, "ls_b_res": "0"})
    at.button(key="ls_btn_race").click().run()
    assert_no_exception(at)
    assert dict(at.query_params) == {"ls_preset": "race"}
    assert at.session_state["ls_steps"] == presets.get("race").data.steps
    assert at.session_state["ls_a_opt"] == "momentum" and at.session_state["ls_b_res"] is False
    assert all(traces(fig, "training path") for fig in contours(at))
