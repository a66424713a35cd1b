"""Home: what Gradient lab is for, and a link to every page."""

import streamlit as st

from engine.core.i18n import _
from pages._common.navigation import available, ensure_app_entry

ensure_app_entry()  # before anything is drawn: see pages/_common/navigation.py

st.title(_("Gradient lab"))
st.markdown(
    _(
        "**See how neural networks learn.** Race SGD, Momentum, AdaGrad, RMSProp, Adam and their "
        "relatives on 2D loss surfaces and on small networks, look inside their state, and watch "
        "gradients vanish or explode layer by layer and through time. Look at the loss landscape of a "
        "network you just trained, with the path its optimizer took across it. Every view is live, "
        "seeded and shareable: copy "
        "the link and the same demo opens again."
    )
)

for page in available():
    if page.url_path == "home":
        continue
    with st.container(border=True):
        st.page_link(page.path, label=_(page.title), icon=page.icon)
        st.caption(_(page.blurb))

st.caption(
    _(
        "Runs on the GPU when there is one, on the CPU always. PyTorch's update conventions are the "
        "default; the course notes' conventions are offered where they differ."
    )
)
