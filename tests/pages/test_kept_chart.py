"""The kept chart (pages/_common/kept_chart.py): the playground's charts keep their element
identity across reruns while their figures change, so the browser updates them in place;
a click on the map (its value) sets the start; the folder Streamlit serves the chart from holds
its page, the plotly package's own plotly.js and the partial bundles of the same version, and
each chart names the smallest bundle that draws its figure."""

from __future__ import annotations

import json

from pages._common import kept_chart
from tests.helpers import assert_no_exception, figures, open_panels, page_test
from tests.helpers import figure_array as arr


def _ids(at, kind: str) -> list[str]:
    return [e.proto.id for e in at._tree if e.type == kind]


def _adam(at, trace_type: str) -> list:
    fig = [f for f in figures(at) if f["data"][0]["type"] == trace_type][0]
    return [t for t in fig["data"] if t["name"] == "adam"][0]["x"]


def _loss_adam(at) -> list:
    loss = [f for f in figures(at) if f["data"][0]["type"] == "scatter"][0]
    return [t for t in loss["data"] if t["name"] == "adam"][0]["y"]


def test_every_chart_of_the_default_view_keeps_its_identity_while_its_figure_changes():
    at = open_panels(page_test("playground").run(), "adam")
    assert_no_exception(at)
    kept = _ids(at, "component_instance")
    paths = _adam(at, "contour"), _adam(at, "surface"), _loss_adam(at)
    # The map, the 3D view, the loss and the distance: all kept charts, so a slider move
    # updates each in place (st.plotly_chart names its element after its figure, and its
    # frontend draws a changed figure anew), and the page needs no plotly.js of Streamlit's.
    assert len(kept) == 4 and not _ids(at, "plotly_chart")
    args = [json.loads(e.proto.json_args) for e in at._tree if e.type == "component_instance"]
    cartesian, gl3d = "plotly-cartesian.min.js", "plotly-gl3d.min.js"
    assert [(a["clicks"], a["bundle"]) for a in args] == [
        (True, cartesian),  # contour and scatter
        (False, gl3d),  # surface and scatter3d
        (False, cartesian),
        (False, cartesian),
    ]
    assert [a["height"] for a in args][:2] == [780, 620]
    at.select_slider(key="pg_adam_lr").set_value(0.05).run()
    assert_no_exception(at)
    after = _adam(at, "contour"), _adam(at, "surface"), _loss_adam(at)
    assert all(a != b for a, b in zip(after, paths, strict=True))  # new figures...
    assert _ids(at, "component_instance") == kept  # ...under the same names: kept in place


def test_a_click_on_the_map_sets_the_start():
    at = page_test("playground").run()
    # What the map's frame sends back on a click: the point in data coordinates.
    at.session_state["pg_map"] = {"selection": {"points": [{"x": 2.5, "y": -1.25}]}}
    at.run()
    assert_no_exception(at)
    the_map = figures(at)[0]
    start = [t for t in the_map["data"] if t["name"] == "start"][0]
    assert (arr(start["x"])[0], arr(start["y"])[0]) == (2.5, -1.25)
    assert (at.query_params["pg_x0"], at.query_params["pg_y0"]) == ("2.5", "-1.25")


def test_the_served_folder_holds_the_page_and_plotly_js():
    folder = kept_chart.served_folder()
    assert (folder / "index.html").read_bytes() == kept_chart.FRONTEND.read_bytes()
    assert (folder / "plotly.min.js").read_bytes() == kept_chart.PLOTLY_JS.read_bytes()
    # Streamlit's body font, which the page declares (this Streamlit ships it).
    font = kept_chart._body_font()
    assert font is not None and (folder / "source-sans.woff2").read_bytes() == font.read_bytes()
    assert "source-sans.woff2" in kept_chart.FRONTEND.read_text()
    for name in kept_chart.PARTIAL:
        assert (folder / name).read_bytes() == (kept_chart.VENDOR / name).read_bytes()
    assert kept_chart.served_folder() == folder  # made once, found again


def test_the_partial_bundles_are_the_full_bundles_version():
    """Upgrading plotly alone makes the charts fall back to its full bundle (this test says
    so): the partial bundles in vendor/ must be fetched again in the same version."""
    version = kept_chart.js_version(kept_chart.PLOTLY_JS)
    assert version is not None
    assert {kept_chart.js_version(kept_chart.VENDOR / n) for n in kept_chart.PARTIAL} == {version}
    assert set(kept_chart._usable_partials()) == set(kept_chart.PARTIAL)


def _spec(*kinds: str, frames: tuple[str, ...] = ()) -> dict:
    data = [{"type": k} if k else {} for k in kinds]
    return {"data": data, "layout": {}, "frames": [{"data": [{"type": k}]} for k in frames]}


def test_each_figure_gets_the_smallest_bundle_that_draws_all_its_traces():
    cartesian, gl3d = "plotly-cartesian.min.js", "plotly-gl3d.min.js"
    assert kept_chart.bundle_for(_spec("contour", "scatter")) == cartesian
    assert kept_chart.bundle_for(_spec("contour", "")) == cartesian  # no type: a scatter
    assert kept_chart.bundle_for(_spec("scatter")) == cartesian  # in both: the first, smaller
    assert kept_chart.bundle_for(_spec("surface", "scatter3d")) == gl3d
    assert kept_chart.bundle_for(_spec("contour", "surface")) == kept_chart.FULL  # in neither
    assert kept_chart.bundle_for(_spec("sankey")) == kept_chart.FULL
    # A trace type that only the animation frames hold counts too.
    assert kept_chart.bundle_for(_spec("scatter", frames=("scatter3d",))) == gl3d
    assert kept_chart.bundle_for(_spec("contour", frames=("scatter3d",))) == kept_chart.FULL


def test_a_partial_bundle_of_another_version_is_not_used(monkeypatch, tmp_path):
    """As after upgrading plotly without fetching the partial bundles again."""
    old = tmp_path / "plotly-cartesian.min.js"
    old.write_text("/**\n* plotly.js (cartesian - minified) v0.0.1\n*/\n")
    monkeypatch.setattr(kept_chart, "VENDOR", tmp_path)
    kept_chart._usable_partials.cache_clear()
    try:
        assert kept_chart.bundle_for(_spec("contour")) == kept_chart.FULL
    finally:
        kept_chart._usable_partials.cache_clear()


def test_a_figure_is_sent_as_bytes_named_by_a_digest_that_changes_with_it():
    at = open_panels(page_test("playground").run(), "adam")

    def sent():
        return [
            (json.loads(e.proto.json_args)["digest"], e.proto.special_args[0])
            for e in at._tree
            if e.type == "component_instance"
        ]

    before = sent()
    assert [arg.key for _, arg in before] == ["spec"] * 4
    assert all(json.loads(arg.bytes)["data"] for _, arg in before)  # the figure's JSON
    at.run()  # the same figures again: the same bytes, the same names
    assert sent() == before
    at.select_slider(key="pg_adam_lr").set_value(0.05).run()
    after = sent()
    assert all(
        a[0] != b[0] and a[1].bytes != b[1].bytes for a, b in zip(after, before, strict=True)
    )


def test_a_spec_figure_is_encoded_once_while_it_lives():
    import gc
    import weakref

    import plotly.graph_objects as go

    from viz.spec_figure import figure

    fig = figure([{"type": "scatter", "x": [1, 2], "y": [3, 4]}], {"height": 300})
    first = kept_chart.encoded(fig)
    assert kept_chart.encoded(fig) is first  # the cached encoding, not a new one
    assert (first.height, first.bundle) == (300, "plotly-cartesian.min.js")
    assert json.loads(first.spec)["data"][0]["y"] == [3, 4]
    other = figure([{"type": "scatter", "x": [1, 2], "y": [3, 5]}], {"height": 300})
    assert kept_chart.encoded(other).digest != first.digest
    # The encoding is kept by the figure alone: nothing keeps the figure (and its bytes) alive
    # after it, so memory stays bounded by the figure caches.
    alive = weakref.ref(fig)
    del fig
    gc.collect()
    assert alive() is None
    # A graph-object figure can change after it is shown: it is encoded every time.
    plain = go.Figure(go.Scatter(x=[1], y=[2]))
    one = kept_chart.encoded(plain)
    plain.data[0].y = [7]
    assert kept_chart.encoded(plain).digest != one.digest
