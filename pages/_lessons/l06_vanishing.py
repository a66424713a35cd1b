"""Lesson 6, vanishing gradients and the cures: the per-layer gradient norms of a deep sigmoid
net and of its four cures (ReLU + He, batch norm, residual, SELU) in one figure."""

from __future__ import annotations

import streamlit as st

from engine.core.threads import set_threads
from engine.nets import cures, presets, probes
from pages._common import present
from pages._common.keys import lessons as keys
from pages._lessons.frame import FIG_HEIGHT, Outcome, remember
from pages._lessons.netlinks import gradient_flow_link
from pages._lessons.text import LessonText
from viz import network_plots
from viz.colors import series_color
from viz.network_plots import LayerProfile

NUMBER = 6
DEPTHS = (5, 10, 15, 20, 30)
DATA = presets.DataSettings()


@st.cache_data(max_entries=8, show_spinner=False)
def study(depth: int) -> dict[str, probes.LayerReport]:
    with set_threads(1):
        return cures.reports(depth, data=DATA)


def show(text: LessonText) -> Outcome:
    left, right = st.columns(2)
    remember(keys.key(NUMBER, "depth"), DEPTHS, 10)
    remember(keys.key(NUMBER, "cure"), cures.NAMES[1:], "relu_he")
    depth = left.select_slider(text.label("depth"), DEPTHS, key=keys.key(NUMBER, "depth"))
    cure = right.selectbox(
        text.label("cure"), cures.NAMES[1:], format_func=text.label, key=keys.key(NUMBER, "cure")
    )
    reports = study(int(depth))
    series = [
        LayerProfile(
            text.label(name),
            series_color(i),
            r.grad_norms,
            r.signal_norms,
            r.act_mean,
            r.act_std,
            r.saturated,
            r.dead,
            r.unit_similarity,
        )  # fmt: skip
        for i, (name, r) in enumerate(reports.items())
    ]
    fig = network_plots.gradient_profile(series)
    # A plain-dict figure (viz/spec_figure.py), made for this call: its spec is edited in place.
    layout = fig.spec["layout"]
    layout["title"]["text"] = text.label("profile_title", depth=depth)
    layout["height"] = FIG_HEIGHT
    for axis in ("xaxis", "xaxis2"):
        layout[axis]["title"] = {"text": text.label("layer")}
    layout["yaxis"]["title"] = {"text": text.label("norm")}
    for panel, name in zip(layout["annotations"], ("weight_panel", "signal_panel"), strict=True):
        panel["text"] = text.label(name)  # the subplot titles, in the lesson's language
    present.chart(st, fig, key=keys.key(NUMBER, "fig_profile"), width="stretch")
    ratio = {name: cures.attenuation(r) for name, r in reports.items()}
    numbers = dict(depth=depth, cure=text.label(cure), **ratio)
    link = gradient_flow_link(cures.settings("sigmoid", depth), cures.settings(cure, depth), DATA)
    return Outcome(numbers, link)
