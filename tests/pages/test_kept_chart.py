"""The kept chart (pages/_common/kept_chart.py): the playground's 3D view keeps its element
identity across reruns while its figure changes, so the browser updates it in place; the folder
Streamlit serves it from holds the page and the plotly package's own plotly.js."""

from __future__ import annotations

import json

from pages._common import kept_chart
from tests.helpers import assert_no_exception, figures, open_panels, page_test


def _element(at, component: bool):
    kind = "component_instance" if component else "plotly_chart"
    return [e for e in at._tree if e.type == kind][0]


def _adam_3d(at) -> list:
    three_d = [f for f in figures(at) if f["data"][0]["type"] == "surface"][0]
    return [t for t in three_d["data"] if t["name"] == "adam"][0]["x"]


def test_the_3d_view_keeps_its_identity_while_its_figure_changes():
    at = open_panels(page_test("playground").run(), "adam")
    assert_no_exception(at)
    view, map_ = _element(at, True), _element(at, False)
    ident, map_ident, path = view.proto.id, map_.proto.id, _adam_3d(at)
    assert view.proto.component_name.endswith(".kept_chart")
    assert json.loads(view.proto.json_args)["height"] == 620
    at.select_slider(key="pg_adam_lr").set_value(0.05).run()
    assert_no_exception(at)
    assert _adam_3d(at) != path  # a new figure...
    assert _element(at, True).proto.id == ident  # ...under the same identity: kept in place
    # st.plotly_chart names its element after its figure: the map is a new element each time
    # (the reason the 3D view, costlier to draw anew, is a kept chart).
    assert _element(at, False).proto.id != map_ident


def test_the_served_folder_holds_the_page_and_plotly_js():
    folder = kept_chart.served_folder()
    assert (folder / "index.html").read_bytes() == kept_chart.FRONTEND.read_bytes()
    assert (folder / "plotly.min.js").read_bytes() == kept_chart.PLOTLY_JS.read_bytes()
    assert kept_chart.served_folder() == folder  # made once, found again
