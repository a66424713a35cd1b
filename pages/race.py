"""Optimizer race: one network, the same initial weights and minibatches, several optimizers.

Thin: the sidebar is pages/_race/glue.py, the Run gate and the live race pages/_race/runs.py,
the views of a result pages/_race/views.py. Every setting is in the URL. Nothing trains until
Run is pressed.
"""

import streamlit as st

from engine.core.i18n import _
from pages._common import optimizer_widgets as ow
from pages._common import state
from pages._common.guard import friendly_errors
from pages._common.keys import race as keys
from pages._common.navigation import ensure_app_entry
from pages._race import glue, runs, views

ensure_app_entry()  # before anything is drawn: see pages/_common/navigation.py
st.title(_("Optimizer race"))
st.markdown(
    _(
        "The same network, the same initial weights and the same minibatches, trained by several "
        "optimizers **at once** (one batched computation): the only difference is the optimizer."
    )
)
values = state.restore(keys.FIELDS, parked=keys.PARKED)
# The optimizers not picked wait out of every widget's way (pages/_common/state.py: park).
state.park(ow.split_picked(keys.PREFIX, keys.FIELDS, values)[1], keys.PARKED, values)
if st.session_state.get(keys.MODE.key) is None:  # a click on the selected segment clears it
    st.session_state[keys.MODE.key] = keys.MODE.default
st.segmented_control(
    _("Mode"), keys.MODES, key=keys.MODE.key, format_func=lambda m: _(keys.MODE_LABELS[m])
)
with st.sidebar:
    settings = glue.sidebar()

if not settings.opts:
    st.info(_("Pick at least one optimizer in the sidebar."))
else:
    with friendly_errors(_("Running the race")):
        split = glue.load(settings.data, settings.seed)
        outcome = runs.run(settings, split)
        if outcome.status is runs.Status.STOPPED:
            runs.show_stopped(settings, outcome)
        if outcome.result is not None and settings.mode == "sweep":
            views.show_sweep(outcome.result)
        elif outcome.result is not None:
            views.show_race(settings, outcome.result, split)
state.publish(keys.FIELDS, parked=keys.PARKED)
