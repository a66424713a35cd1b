"""What a student reads on the pages is about the maths, not about the program's timings."""

from __future__ import annotations

from tests.helpers import assert_no_exception, page_test


def texts(at) -> list[str]:
    """Every caption, Markdown block and message box on the page."""
    elements = [*at.caption, *at.markdown, *at.info, *at.warning, *at.success, *at.error]
    return [e.value for e in elements]


def test_gradient_flow_shows_no_developer_timing():
    at = page_test("gradient_flow", {"gf_steps": "3"}).run()
    assert_no_exception(at)
    shown = texts(at)
    assert not [t for t in shown if "Initial report" in t or "cached after" in t], shown
    assert any("before any training step" in t for t in shown)
