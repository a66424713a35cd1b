"""Projector mode: ?present=1 or the sidebar switch, on every page; it stays in the link, makes
every chart's text at least 16 px, and hides the sidebar's controls behind one toggle."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pages._common import present
from tests.helpers import ROOT, assert_no_exception, figures, page_test
from tests.viz.test_projector import _sizes


def _styles(at) -> str:
    return " ".join(str(h.proto.body) for h in at.html)


def _small_axis_text(fig: dict) -> list[str]:
    """Axes (and legend) of ``fig`` whose text size is unset or under 16 px."""
    layout = fig["layout"]
    bad = [k for k in layout if re.match(r"^[xy]axis\d*$", k)
           and layout[k].get("tickfont", {}).get("size", 0) < 16]  # fmt: skip
    if layout.get("legend", {}).get("font", {}).get("size", 0) < 16:
        bad.append("legend")
    return bad


@pytest.mark.parametrize("page", ["activations", "playground", "lessons"])
def test_present_in_the_link_enlarges_every_chart_and_stays_in_the_link(page):
    at = page_test(page, {"present": "1"}).run()
    assert_no_exception(at)
    assert at.toggle(key=present.PRESENT.key).value is True
    assert at.query_params["present"] == "1"
    figs = figures(at)
    assert figs
    for fig in figs:
        assert min(_sizes(fig)) >= 16
        assert _small_axis_text(fig) == []
    assert "display: none" in _styles(at)  # the sidebar's controls are put away


def test_the_switch_turns_it_off_and_on_and_the_controls_toggle_shows_them():
    at = page_test("playground").run()
    assert "present" not in at.query_params
    assert any(
        _small_axis_text(f) for f in figures(at)
    )  # today's figures: Streamlit's small default ticks
    assert "display: none" not in _styles(at)
    at.toggle(key=present.PRESENT.key).set_value(True).run()
    assert at.query_params["present"] == "1"
    assert all(_small_axis_text(f) == [] for f in figures(at))
    assert "display: none" in _styles(at)
    at.toggle(key=present.CONTROLS).set_value(True).run()
    assert "display: none" not in _styles(at)  # the controls are back
    assert at.toggle(key=present.PRESENT.key).value is True
    at.toggle(key=present.PRESENT.key).set_value(False).run()
    assert "present" not in at.query_params
    assert any(_small_axis_text(f) for f in figures(at))
    assert_no_exception(at)


def test_it_survives_a_page_change_and_comes_back_into_the_new_pages_link():
    at = page_test("activations", {"present": "1"}).run()
    at.switch_page("pages/playground.py")
    at.query_params.clear()  # Streamlit's navigation starts a page with an empty query string
    at.run()
    assert_no_exception(at)
    assert at.query_params["present"] == "1"
    assert all(_small_axis_text(f) == [] for f in figures(at))


def test_shown_controls_stay_shown_on_the_next_page():
    at = page_test("activations", {"present": "1"}).run()
    assert "display: none" in _styles(at)
    at.toggle(key=present.CONTROLS).set_value(True).run()
    assert "display: none" not in _styles(at)
    at.switch_page("pages/playground.py")
    at.query_params.clear()
    at.run()
    assert_no_exception(at)
    assert at.toggle(key=present.CONTROLS).value is True
    assert "display: none" not in _styles(at)  # still shown, as the teacher left them
    at.toggle(key=present.CONTROLS).set_value(False).run()
    assert "display: none" in _styles(at)


def test_every_chart_of_the_app_is_drawn_through_the_projector_helper():
    direct = [
        str(path.relative_to(ROOT))
        for path in Path(ROOT, "pages").rglob("*.py")
        if path.name != "present.py" and ".plotly_chart(" in path.read_text()
    ]
    assert direct == []


def _title_widths() -> None:
    import streamlit as st

    from pages._common import present

    out = {n: [present.title_width(c) for c in st.columns(n)] for n in (2, 3, 4)}
    left, _right = st.columns(2)
    with left:
        out["st inside a column"] = [present.title_width(st)]
    out["st"] = [present.title_width(st)]
    st.session_state["widths"] = out


def test_a_chart_title_gets_its_columns_share_of_the_page():
    """In lesson 4's row of three maps a title planned for half the page ran past its chart's
    edge on a projector: each of n equal columns gets an n-th (gaps between them taken off)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_title_widths).run()
    assert_no_exception(at)
    widths = at.session_state["widths"]
    page = present.title_width(None)
    assert page == present.PAGE_WIDTH_PX - 8 and widths["st"] == [page]
    for n in (2, 3, 4):
        share = (present.PAGE_WIDTH_PX - present.COLUMN_GAP_PX * (n - 1)) / n - 8
        assert widths[n] == [share] * n
    assert widths["st inside a column"] == widths[2][:1]  # `st` drawn inside `with column:`
