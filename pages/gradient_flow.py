"""Gradient flow: per-layer gradients that make vanishing and exploding visible, and the cures."""

import streamlit as st

from engine.nets import presets
from pages._common.guard import friendly_errors
from pages._common.keys import gradient_flow as K
from pages._common.navigation import ensure_app_entry
from pages._gradient_flow import glue, widgets
from pages._gradient_flow import runs as gf_runs
from viz import network_plots, training_plots

ensure_app_entry()  # before anything is drawn: see pages/_common/navigation.py

st.title("Gradient flow")
st.caption(
    "How strongly does each layer of a deep network learn? Per-layer gradient norms make "
    "vanishing and exploding gradients visible; ReLU, good initialisation, batch norm, "
    "residual connections and SELU are one click away."
)
for note in glue.restore():
    st.warning(note, icon=":material/link_off:")

active = st.session_state[K.PRESET.key]
columns = st.columns(4)
for i, name in enumerate(presets.names()):
    columns[i % 4].button(
        presets.get(name).label,
        key=f"gf_btn_{name}",
        help=presets.get(name).title,
        on_click=glue.apply_preset,
        args=(name,),
        type="primary" if name == active else "secondary",
        width="stretch",
    )
if active in presets.PRESETS:
    preset = presets.get(active)
    st.info(f"**{preset.title}.** {preset.text}", icon=":material/school:")
    if glue.preset_changed():
        st.caption("You have changed settings since picking this experiment.")

with st.sidebar:
    widgets.sidebar()


def show_runs(
    runs: dict[str, gf_runs.Trained],
    names: dict[str, str],
    data: presets.DataSettings,
    stopped: bool,
) -> None:
    """Loss curves, layer x step heatmaps, decision boundaries and timings of recorded runs."""
    curves = [(names[k], glue.color(k), r.history) for k, r in runs.items()]
    st.plotly_chart(training_plots.training_curves(curves), key="gf_curves")

    quantity = st.session_state[K.HEATMAP.key]
    values = {k: getattr(r.history, quantity) for k, r in runs.items()}
    zrange = training_plots.heatmap_range(quantity, list(values.values()))
    for col, (label, run) in zip(st.columns(len(runs)), runs.items(), strict=True):
        if len(run.history.probe_steps):
            title = f"{label}: {training_plots.HEATMAP_QUANTITIES[quantity][0]}"
            fig = training_plots.layer_heatmap(
                run.history.probe_steps, values[label], quantity, title, zrange
            )
            col.plotly_chart(fig, key=f"gf_heatmap_{label}")

    X, y, box = glue.points(data)
    if box is None:
        st.caption("The decision boundary is drawn for 2D data sets only.")
    for col, (label, run) in zip(st.columns(len(runs)), runs.items(), strict=True):
        if run.grid is not None:
            g = run.grid
            fig = training_plots.decision_boundary(
                g.xs, g.ys, g.probs, X, y, f"{label}: decision boundary after training"
            )
            col.plotly_chart(fig, key=f"gf_boundary_{label}")
        elif stopped and box is not None:
            col.caption(f"{label} was stopped before its end: no decision boundary.")
    for label, run in runs.items():
        h = run.history
        if h.steps:
            st.caption(
                f"{label}: {h.steps} steps in {h.seconds:.2f} s "
                f"({1000 * h.seconds / h.steps:.1f} ms per step, probes included)."
            )


with friendly_errors("Building the networks"):
    data, nets = glue.settings()
    names = {label: f"{label}: {widgets.describe(net)}" for label, net in nets}
    reports = {label: glue.initial_report(net, data) for label, net in nets}
    series = [(names[label], glue.color(label), r) for label, r in reports.items()]

    st.header("At initialisation")
    st.plotly_chart(network_plots.gradient_profile(series), key="gf_grad_profile")
    shared = [network_plots.activation_range(r.histograms) for r in reports.values()]
    y_range = (min(lo for lo, _ in shared), max(hi for _, hi in shared))
    for col, (label, r) in zip(st.columns(len(reports)), reports.items(), strict=True):
        fig = network_plots.activation_violins(
            r.histograms, glue.color(label), f"{label}: activations per layer", y_range, r.act_mean
        )
        col.plotly_chart(fig, key=f"gf_violins_{label}")
    st.plotly_chart(network_plots.activation_stats(series), key="gf_act_stats")
    health = st.empty()
    st.caption("Solid lines: the freshly initialised networks, before any training step. Dashed: after training.")  # fmt: skip

    st.header("Training")
    st.selectbox(
        "Heatmap shows",
        list(training_plots.HEATMAP_QUANTITIES),
        format_func=lambda q: training_plots.HEATMAP_QUANTITIES[q][0],
        key=K.HEATMAP.key,
    )
    outcome = gf_runs.train(data, nets)
    runs = outcome.runs
    after = [(names[k], glue.color(k), r.final) for k, r in runs.items() if r.final is not None]
    health.plotly_chart(network_plots.unit_health(series, after), key="gf_unit_health")
    for label, run in runs.items():
        h = run.history
        if h.diverged_at >= 0:
            st.warning(
                f"{label} diverged at step {h.diverged_at}: the loss or the weights became "
                "infinite. Everything recorded before that step is shown.",
                icon=":material/warning:",
            )
    if runs:
        show_runs(runs, names, data, outcome.status is gf_runs.Status.STOPPED)
    st.download_button(
        "Download per-layer records (CSV)",
        glue.records_csv(reports, runs),
        file_name="gradient_flow_layers.csv",
        mime="text/csv",
        icon=":material/download:",
    )

glue.publish()
