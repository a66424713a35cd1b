"""pages._common.state: URL state restored, kept and published the same way whether a page has a
few fields (looked up one by one) or many (session state read once)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def _script(count: int) -> None:
    import streamlit as st

    from pages._common import state

    fields = [state.IntField(f"f{i}", i, low=0, high=100) for i in range(count)]
    values = state.restore(fields)
    state.keep(fields, values)
    if st.session_state.get("draw", True):
        for field in fields:
            st.number_input(field.key, 0, 100, key=field.key)
    state.publish(fields)


@pytest.mark.parametrize("count", [3, 20])  # on either side of state.FEW
def test_fields_come_from_the_link_survive_an_undrawn_run_and_go_back_to_it(count):
    at = AppTest.from_function(_script, args=(count,))
    at.query_params["f1"] = "42"
    at.query_params["f2"] = "not a number"  # a hand-edited link: the default, quietly
    at.run()
    assert not at.exception
    assert [at.session_state[f"f{i}"] for i in range(3)] == [0, 42, 2]
    at.number_input(key="f0").set_value(7).run()
    # A run that draws no widget, with the link emptied meanwhile, keeps every value.
    at.query_params.clear()
    at.session_state["draw"] = False
    at.run()
    at.session_state["draw"] = True
    at.run()
    assert [at.session_state[f"f{i}"] for i in range(3)] == [7, 42, 2]
    # Only values that differ from their defaults are in the link.
    assert dict(at.query_params) == {"f0": "7", "f1": "42"}
