"""Gradient flow: per-layer gradients that make vanishing and exploding visible, and the cures."""

import streamlit as st

from engine.core.i18n import _
from pages._common.downloads import made_later
from pages._common.guard import friendly_errors
from pages._common.navigation import ensure_app_entry
from pages._gradient_flow import data as gf_data
from pages._gradient_flow import runs, settings, views, widgets
from pages._gradient_flow.records import records_csv

ensure_app_entry()  # before anything is drawn: see pages/_common/navigation.py

st.title(_("Gradient flow"))
st.caption(
    _(
        "How strongly does each layer of a deep network learn? Per-layer gradient norms make "
        "vanishing and exploding gradients visible; ReLU, good initialisation, batch norm, "
        "residual connections and SELU are one click away."
    )
)
for note in settings.restore():
    st.warning(note, icon=":material/link_off:")
views.preset_bar()

with st.sidebar:
    widgets.sidebar()

with friendly_errors(_("Building the networks")):
    data, nets = settings.current()
    names = {label: f"{label}: {widgets.describe(net)}" for label, net in nets}
    reports = {label: gf_data.initial_report(net, data) for label, net in nets}
    series, health = views.at_initialisation(reports, names)

    st.header(_("Training"))
    views.heatmap_picker()
    outcome = runs.train(data, nets)
    views.unit_health(health, series, outcome.runs, names)
    views.divergence_warnings(outcome.runs)
    if outcome.runs:
        views.show_runs(outcome.runs, names, data, outcome.status is runs.Status.STOPPED)
    st.download_button(
        _("Download per-layer records (CSV)"),
        made_later(records_csv, reports, outcome.runs),  # on the click, not every rerun
        file_name="gradient_flow_layers.csv",
        mime="text/csv",
        icon=":material/download:",
    )

settings.publish()
