"""Loss landscape: the surface a real network's optimizer walks, around the weights it found.

Thin: settings in pages/_landscape/settings.py, widgets in sidebar.py, the computation (shared
store, run policy, progress, Stop) in compute.py, the figures and downloads in views.py.
"""

import streamlit as st

from engine.core.i18n import _
from engine.nets import landscape_presets as presets
from pages._common.guard import friendly_errors
from pages._common.keys import landscape as K
from pages._common.navigation import ensure_app_entry
from pages._landscape import compute, settings, sidebar, views

ensure_app_entry()  # before anything is drawn: see pages/_common/navigation.py

st.title(_("Loss landscape"))
st.caption(
    _(
        "The loss of a network you just trained, on a plane through its weights (Li et al., 2018): "
        "skip connections that smooth it, small batches that find flat minima, and the path the "
        "optimizer took across it."
    )
)
settings.restore()

active = st.session_state[K.PRESET.key]
columns = st.columns(len(presets.names()))
for col, name in zip(columns, presets.names(), strict=True):
    col.button(
        _(presets.get(name).label), key=f"ls_btn_{name}", on_click=settings.apply_preset,
        args=(name,), type="primary" if name == active else "secondary", width="stretch",
    )  # fmt: skip
if active in presets.PRESETS:
    preset = presets.get(active)
    st.info(f"**{_(preset.title)}.** {_(preset.text)}", icon=":material/school:")
    if settings.preset_changed():
        st.caption(_("You have changed settings since picking this experiment."))

with st.sidebar:
    sidebar.sidebar()

with friendly_errors(_("Computing the landscape")):
    req = settings.request()
    result = compute.get(req)
    if result is not None:
        figures = views.show(req, result)
        views.downloads(result, figures)

settings.publish()
