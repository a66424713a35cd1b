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


def _parking_script() -> None:
    import streamlit as st

    from pages._common import state

    fields = [state.IntField(f"f{i}", i, low=0, high=100) for i in range(6)]
    values = state.restore(fields, parked="_parked")
    shown = st.session_state.get("shown", 6)
    state.park(fields[shown:], "_parked", values)
    for field in fields[:shown]:
        st.number_input(field.key, 0, 100, key=field.key)
    state.publish(fields, parked="_parked")


def test_parked_fields_leave_session_state_stay_in_the_link_and_come_back():
    at = AppTest.from_function(_parking_script)
    at.query_params["f4"] = "42"
    at.run()
    at.number_input(key="f5").set_value(9).run()
    at.session_state["shown"] = 3
    at.run()
    at.run()  # parked for more than one run
    assert not at.exception
    assert [f"f{i}" in at.session_state for i in range(6)] == [True] * 3 + [False] * 3
    assert at.session_state["_parked"] == {"f3": 3, "f4": 42, "f5": 9}
    assert dict(at.query_params) == {"f4": "42", "f5": "9"}
    # Written into session state while parked (a callback, another page): the new value wins.
    at.session_state["f4"] = 50
    at.run()
    assert at.session_state["_parked"]["f4"] == 50 and "f4" not in at.session_state
    at.session_state["shown"] = 6
    at.run()
    assert not at.exception
    assert [at.number_input(key=f"f{i}").value for i in range(6)] == [0, 1, 2, 3, 50, 9]
    assert at.session_state["_parked"] == {}
    assert dict(at.query_params) == {"f4": "50", "f5": "9"}
