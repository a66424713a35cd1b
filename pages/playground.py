"""Optimizer playground: every optimizer on one 2D loss surface, its internals, basins, sweeps.

Thin: controls (pages/_playground/controls.py) -> cached engine calls (data.py) -> figures
from viz/ (figures.py) -> the views (views.py). Every setting is in the URL.
"""

import streamlit as st

from engine.core.i18n import _
from pages._common import optimizer_widgets as ow
from pages._common import state
from pages._common.keys import playground as keys
from pages._common.navigation import ensure_app_entry
from pages._playground import controls, share, views

ensure_app_entry()  # before anything is drawn: see pages/_common/navigation.py
st.title(_("Optimizer playground"))
values = state.restore(keys.FIELDS, parked=keys.PARKED)
used, unused = ow.split_picked(keys.PREFIX, keys.FIELDS, values)
state.keep(used, values)  # a view's controls keep their values while another is shown
state.park(unused, keys.PARKED, values)  # the optimizers not picked: out of every widget's way
controls.consume_click()

top = st.columns([3, 1], vertical_alignment="center")  # room for "Share this view"
mode = top[0].segmented_control(
    _("View"),
    keys.MODES,
    key=keys.MODE.key,
    format_func=lambda mode: _(keys.MODE_LABELS[mode]),
    label_visibility="collapsed",
)
with st.sidebar:
    cfg, surface = controls.sidebar()
    st.toggle(_("Show the 3D view"), key=keys.SHOW_3D.key)

if not cfg.opts:
    st.info(_("Pick at least one optimizer in the sidebar."))
else:
    views.run_view(mode or "paths", cfg)

controls.publish(surface)
share.share_box(top[1])
