"""The playground after any few gestures shows what its link shows: a property test
(hypothesis) of its state and caches. Whatever a visitor changed, in whatever order (surface,
optimizers, a learning rate, steps, noise and its seed, the schedule), the page raises nothing,
and a new session opened from the page's link, with every cache emptied, draws the same figures:
no cached result of an earlier setting is shown (issue 12's "a changed setting never shows a stale figure"), and the
link holds every setting that the figures depend on."""

from __future__ import annotations

import json

import pytest
import streamlit
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import assert_no_exception, figures, page_test

SURFACES = ["beale", "rosenbrock", "himmelblau", "booth", "saddle"]
OPTIMIZERS = ["sgd", "momentum", "adagrad", "rmsprop", "adam", "nadam", "lion"]
GESTURES = st.one_of(
    st.tuples(st.just("surface"), st.sampled_from(SURFACES)),
    st.tuples(
        st.just("optimizers"),
        st.lists(st.sampled_from(OPTIMIZERS), min_size=1, max_size=3, unique=True),
    ),  # fmt: skip
    st.tuples(st.just("adam lr"), st.integers(0, 1000)),  # an index into the slider's options
    st.tuples(st.just("steps"), st.sampled_from([10, 60, 300, 700])),
    st.tuples(st.just("noise"), st.sampled_from([0.0, 0.5])),
    st.tuples(st.just("seed"), st.integers(0, 3)),
    st.tuples(st.just("schedule"), st.sampled_from(["constant", "cosine", "step"])),
)


def _do(at, gesture, value):
    if gesture == "surface":
        at.selectbox(key="pg_surface").set_value(value)
    elif gesture == "optimizers":
        at.multiselect(key="pg_opts").set_value(value)
    elif gesture == "adam lr":
        if "adam" not in at.multiselect(key="pg_opts").value:
            return
        at.session_state["pg_panel_adam"] = True  # its panel opened: a click
        at.run()
        slider = at.select_slider(key="pg_adam_lr")
        slider.set_value(float(slider.options[value % len(slider.options)]))  # shown as text
    elif gesture == "steps":
        at.slider(key="pg_steps").set_value(value)
    elif gesture == "noise":
        at.slider(key="pg_noise").set_value(value)
    elif gesture == "seed":
        at.number_input(key="pg_seed").set_value(value)
    elif gesture == "schedule":
        at.selectbox(key="pg_sched").set_value(value)
    at.run()
    assert_no_exception(at)


def _data(at) -> list[str]:
    """Every figure's traces, as JSON (arrays included), in page order."""
    return [json.dumps(fig["data"], sort_keys=True) for fig in figures(at)]


@pytest.mark.slow
@settings(max_examples=12)
@given(gestures=st.lists(GESTURES, min_size=1, max_size=4))
def test_after_any_gestures_the_page_draws_what_its_link_draws(gestures):
    streamlit.cache_data.clear()  # each example from the same start: a failure replays
    at = page_test("playground").run()
    assert_no_exception(at)
    for gesture, value in gestures:
        _do(at, gesture, value)
    link = dict(at.query_params)
    streamlit.cache_data.clear()  # the link's figures computed anew: the oracle holds no cached result
    fresh = page_test("playground", link).run()
    assert_no_exception(fresh)
    assert _data(fresh) == _data(at), (gestures, link)
