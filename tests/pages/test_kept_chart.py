"""The kept chart (pages/_common/kept_chart.py): the playground's map and 3D view keep their
element identity across reruns while their figures change, so the browser updates them in place;
a click on the map (its value) sets the start; the folder Streamlit serves the chart from holds
its page and the plotly package's own plotly.js."""

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


def test_the_map_and_3d_view_keep_their_identity_while_their_figures_change():
    at = open_panels(page_test("playground").run(), "adam")
    assert_no_exception(at)
    kept, plain = _ids(at, "component_instance"), _ids(at, "plotly_chart")
    paths = _adam(at, "contour"), _adam(at, "surface")
    assert len(kept) == 2  # the map and the 3D view
    args = [json.loads(e.proto.json_args) for e in at._tree if e.type == "component_instance"]
    assert [(a["height"], a["clicks"]) for a in args] == [(780, True), (620, False)]
    at.select_slider(key="pg_adam_lr").set_value(0.05).run()
    assert_no_exception(at)
    assert _adam(at, "contour") != paths[0] and _adam(at, "surface") != paths[1]  # new figures...
    assert _ids(at, "component_instance") == kept  # ...under the same names: kept in place
    # st.plotly_chart names its element after its figure: the loss curves are new elements
    # (the reason the map and the 3D view, costlier to draw anew, are kept charts).
    assert all(a != b for a, b in zip(_ids(at, "plotly_chart"), plain, strict=True))


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
    assert kept_chart.served_folder() == folder  # made once, found again
