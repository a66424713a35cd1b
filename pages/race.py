"""Optimizer race: one network, the same initial weights and minibatches, several optimizers.

Thin: the sidebar, the live race and the views are in pages/_shared/race_glue.py. Every setting
is in the URL.
"""

import streamlit as st

from pages._shared import race_glue as glue
from pages._shared import state
from pages._shared.guard import friendly_errors
from pages._shared.keys import race as keys
from pages._shared.navigation import ensure_app_entry

ensure_app_entry()  # before anything is drawn: see pages/_shared/navigation.py
st.title("Optimizer race")
st.markdown(
    "The same network, the same initial weights and the same minibatches, trained by several "
    "optimizers **at once** (one batched computation): the only difference is the optimizer."
)
state.restore(keys.FIELDS)
if st.session_state.get(keys.MODE.key) is None:  # a click on the selected segment clears it
    st.session_state[keys.MODE.key] = keys.MODE.default
st.segmented_control("Mode", keys.MODES, key=keys.MODE.key, format_func=keys.MODE_LABELS.get)
with st.sidebar:
    settings = glue.sidebar()

if not settings.opts:
    st.info("Pick at least one optimizer in the sidebar.")
else:
    with friendly_errors("Running the race"):
        split = glue.load(settings.data, settings.seed)
        result = glue.run(settings, split)
        if isinstance(result, str):
            what = "sweep" if settings.mode == "sweep" else "race"
            st.info(f"The {what} was stopped before it finished.")
            st.button(f"Run the {what}", on_click=glue.forget, args=(settings,), key="rc_rerun")
        else:
            res = result.result if settings.mode == "sweep" else result
            if res.stopped:
                st.info(f"Stopped at step {res.steps} of {settings.steps}.")
                st.button(
                    "Run the whole race", on_click=glue.forget, args=(settings,), key="rc_rerun"
                )
            if settings.mode == "sweep":
                glue.show_sweep(result)
            else:
                glue.show_race(settings, result, split)
state.publish(keys.FIELDS)
