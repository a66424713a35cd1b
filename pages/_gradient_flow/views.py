"""Views of the Gradient flow page: the preset bar, the networks at initialisation, and the
recorded runs (curves, heatmaps, decision boundaries, timings)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine.nets import presets, probes
from pages._common import present
from pages._common.keys import gradient_flow as K
from pages._gradient_flow import data as gf_data
from pages._gradient_flow import figures
from pages._gradient_flow.runs import Trained
from pages._gradient_flow.settings import apply_preset, preset_changed
from viz import network_plots, training_plots
from viz.network_plots import LayerProfile


def preset_bar() -> None:
    """A button per classroom experiment; the active one's story below them."""
    active = st.session_state[K.PRESET.key]
    columns = st.columns(4)
    for i, name in enumerate(presets.names()):
        columns[i % 4].button(
            presets.get(name).label,
            key=f"gf_btn_{name}",
            help=presets.get(name).title,
            on_click=apply_preset,
            args=(name,),
            type="primary" if name == active else "secondary",
            width="stretch",
        )
    if active in presets.PRESETS:
        preset = presets.get(active)
        st.info(f"**{preset.title}.** {preset.text}", icon=":material/school:")
        if preset_changed():
            st.caption("You have changed settings since picking this experiment.")


def at_initialisation(
    reports: dict[str, probes.LayerReport], names: dict[str, str]
) -> tuple[list[LayerProfile], Any]:
    """Gradients, activations and unit health of the fresh networks; returns their profiles and
    the place kept for the unit-health chart, which adds the trained networks when they exist."""
    series = [figures.profile(names[label], label, r) for label, r in reports.items()]
    st.header("At initialisation")
    present.chart(st, network_plots.gradient_profile(series), key="gf_grad_profile")
    shared = [network_plots.activation_range(figures.histograms(r)) for r in reports.values()]
    y_range = (min(lo for lo, _ in shared), max(hi for _, hi in shared))
    for col, (label, r) in zip(st.columns(len(reports)), reports.items(), strict=True):
        present.chart(col, figures.violins(label, r, y_range), key=f"gf_violins_{label}")
    present.chart(st, network_plots.activation_stats(series), key="gf_act_stats")
    health = st.empty()
    st.caption("Solid lines: the freshly initialised networks, before any training step. Dashed: after training.")  # fmt: skip
    return series, health


def heatmap_picker() -> None:
    st.selectbox(
        "Heatmap shows",
        list(figures.HEATMAPS),
        format_func=lambda q: figures.HEATMAPS[q].title,
        key=K.HEATMAP.key,
    )


def unit_health(
    slot: Any, series: list[LayerProfile], runs: dict[str, Trained], names: dict[str, str]
) -> None:
    """Saturated, dead and identical units: at initialisation, and dashed after training."""
    after = [figures.profile(names[k], k, r.final) for k, r in runs.items() if r.final is not None]
    present.chart(slot, network_plots.unit_health(series, after), key="gf_unit_health")


def divergence_warnings(runs: dict[str, Trained]) -> None:
    for label, run in runs.items():
        h = run.history
        if h.diverged_at >= 0:
            st.warning(
                f"{label} diverged at step {h.diverged_at}: the loss or the weights became "
                "infinite. Everything recorded before that step is shown.",
                icon=":material/warning:",
            )


def show_runs(
    runs: dict[str, Trained],
    names: dict[str, str],
    data: presets.DataSettings,
    stopped: bool,
) -> None:
    """Loss curves, layer x step heatmaps, decision boundaries and timings of recorded runs."""
    curves = [figures.curves(names[k], k, r.history) for k, r in runs.items()]
    present.chart(st, training_plots.training_curves(curves), key="gf_curves")

    name = st.session_state[K.HEATMAP.key]
    values = [figures.quantity(r.history, name) for r in runs.values()]
    zrange = training_plots.heatmap_range(figures.HEATMAPS[name], values)
    for col, (label, run) in zip(st.columns(len(runs)), runs.items(), strict=True):
        if len(run.history.probe_steps):
            fig = figures.heatmap(label, run.history, name, zrange)
            present.chart(col, fig, key=f"gf_heatmap_{label}")

    X, y, box = gf_data.points(data)
    if box is None:
        st.caption("The decision boundary is drawn for 2D data sets only.")
    for col, (label, run) in zip(st.columns(len(runs)), runs.items(), strict=True):
        if run.grid is not None:
            g = run.grid
            fig = training_plots.decision_boundary(
                g.xs, g.ys, g.probs, X, y, f"{label}: decision boundary after training"
            )
            present.chart(col, fig, key=f"gf_boundary_{label}")
        elif stopped and box is not None:
            col.caption(f"{label} was stopped before its end: no decision boundary.")
