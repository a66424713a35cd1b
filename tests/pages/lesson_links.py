"""Helpers of the lesson tests: run a lesson, follow its "Open in the full page" link."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.helpers import assert_no_exception, figure_array, figures, page_test


def lesson(number: int, **controls) -> AppTest:
    """The Lessons page at lesson ``number``, run, then with ``controls`` (name -> value of the
    lesson's session keys ``lsNN_name``) set and run again."""
    at = page_test("lessons", {"lesson": str(number)})
    at.run()
    assert_no_exception(at)
    if controls:
        for name, value in controls.items():
            at.session_state[f"ls{number:02d}_{name}"] = value
        at.run()
        assert_no_exception(at)
    return at


def full_page(at: AppTest) -> AppTest:
    """The full page the lesson's link opens, run with the link's query."""
    buttons = at.get("link_button")
    assert len(buttons) == 1, "the lesson has no 'Open in the full page' link"
    url = urlsplit(buttons[0].proto.url)
    target = page_test(url.path, dict(parse_qsl(url.query)))
    target.run()
    assert_no_exception(target)
    return target


def trace(fig: dict, name: str) -> dict:
    """The first trace named ``name`` in a figure's JSON."""
    for t in fig["data"]:
        if t.get("name") == name:
            return t
    raise AssertionError(f"no trace {name!r} in {[t.get('name') for t in fig['data']]}")


def xy(t: dict) -> np.ndarray:
    return np.column_stack((figure_array(t["x"]), figure_array(t["y"])))


def happened(at: AppTest) -> str:
    """The "What happened" text (the markdown right after its heading)."""
    heads = [i for i, s in enumerate(at.subheader) if s.value in ("What happened", "发生了什么")]
    assert heads, "no 'What happened' section"
    return at.markdown[-1].value


__all__ = ["figures", "full_page", "happened", "lesson", "trace", "xy"]
