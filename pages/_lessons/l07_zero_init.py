"""Lesson 7, zero initialisation: a constant start keeps every unit of a layer a copy of the
others through training (measured: the largest gap between two units stays exactly 0), while a
random start gives distinct units; and what that costs in accuracy."""

from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

from engine.core.threads import set_threads
from engine.nets import presets, symmetry
from pages._common import present
from pages._common.keys import lessons as keys
from pages._lessons.frame import Outcome, remember
from pages._lessons.netlinks import gradient_flow_link
from pages._lessons.text import LessonText
from viz.colors import series_color
from viz.lesson_bars import layer_bars
from viz.lesson_plots import Line, lines_figure

NUMBER = 7
VALUES = tuple(round(0.1 * i, 1) for i in range(11))  # the constant every weight starts at
STEPS = (50, 100, 200, 400)
RANDOM = presets.NetSettings(depth=4, width=16, activation="sigmoid", loss="ce", lr=0.5)


def constant(value: float) -> presets.NetSettings:
    """The lesson's network with every weight starting at ``value`` (0: zero initialisation)."""
    if value == 0:
        return dataclasses.replace(RANDOM, init="zeros")
    return dataclasses.replace(RANDOM, init="constant", init_scale=float(value))


@st.cache_data(max_entries=16, show_spinner=False)
def study(net: presets.NetSettings, data: presets.DataSettings) -> symmetry.Symmetry:
    with set_threads(1):
        return symmetry.measure(net, data)


def show(text: LessonText) -> Outcome:
    left, right = st.columns(2)
    remember(keys.key(NUMBER, "value"), VALUES, 0.0)
    remember(keys.key(NUMBER, "steps"), STEPS, 200)
    value = left.select_slider(text.label("value"), VALUES, key=keys.key(NUMBER, "value"))
    steps = right.select_slider(text.label("steps"), STEPS, key=keys.key(NUMBER, "steps"))
    data = presets.DataSettings(steps=int(steps))
    const_net = constant(float(value))
    const, rand = study(const_net, data), study(RANDOM, data)
    labels = (text.label("constant", value=value), text.label("random"))
    bars = layer_bars(
        [(labels[0], series_color(0), const.after), (labels[1], series_color(1), rand.after)],
        title=text.label("gap_title", steps=steps),
        x_title=text.label("layer"),
        y_title=text.label("gap"),
    )
    t = np.arange(const.history.steps, dtype=np.float64)
    curves = lines_figure(
        [
            Line("constant", labels[0], t, 100 * const.history.train_acc),
            Line("random", labels[1], t, 100 * rand.history.train_acc),
        ],
        title=text.label("acc_title"),
        x_title=text.label("step"),
        y_title=text.label("accuracy"),
        legend="bottom right",  # accuracy rises to the top right
    )
    a, b = st.columns(2)
    present.chart(a, bars, key=keys.key(NUMBER, "fig_gaps"), width="stretch")
    present.chart(b, curves, key=keys.key(NUMBER, "fig_curves"), width="stretch")
    numbers = dict(
        value=value,
        steps=steps,
        gap_const=float(np.max(const.after)),
        weight_gap=float(np.max(const.weight_gap)),
        gap_random=float(np.min(rand.after)),
        acc_const=100 * float(const.history.train_acc[-1]),
        acc_random=100 * float(rand.history.train_acc[-1]),
    )
    return Outcome(numbers, gradient_flow_link(const_net, RANDOM, data))
