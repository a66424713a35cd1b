"""Lesson 10, vanishing and exploding gradients through time: the backward signal
‖∂L/∂h_t‖ of a plain RNN against an LSTM at initialisation, with the course's predicted rate
ρ(W_hh)·mean tanh′ per step beside the RNN's line (the Gradients through time page's engine)."""

from __future__ import annotations

import dataclasses

import streamlit as st

from engine.sequences import presets, probes
from pages._common import present
from pages._common.keys import lessons as keys
from pages._common.keys import sequences as K
from pages._lessons.frame import FIG_HEIGHT, Link, Outcome, remember
from pages._lessons.text import LessonText
from viz import sequence_plots as plots

NUMBER = 10
LENGTHS = (10, 20, 50, 100, 200)
RADII = tuple(round(0.1 * i, 1) for i in range(5, 16))  # spectral radius of W_hh at the start
CELLS = ("rnn_tanh", "lstm")
FORGET = tuple(0.5 * i for i in range(7))  # the LSTM's forget-gate bias at the start
BASE = presets.Settings(cells=CELLS, init="orthogonal")


@st.cache_data(max_entries=32, show_spinner=False)
def study(s: presets.Settings) -> dict[str, probes.Probe]:
    return presets.initial_probes(s)


def show(text: LessonText) -> Outcome:
    left, middle, right = st.columns(3)
    remember(keys.key(NUMBER, "T"), LENGTHS, 100)
    remember(keys.key(NUMBER, "radius"), RADII, 0.9)
    remember(keys.key(NUMBER, "forget_bias"), FORGET, 2.0)
    T = left.select_slider(text.label("T"), LENGTHS, key=keys.key(NUMBER, "T"))
    radius = middle.select_slider(text.label("radius"), RADII, key=keys.key(NUMBER, "radius"))
    bias = right.select_slider(
        text.label("forget_bias"), FORGET, key=keys.key(NUMBER, "forget_bias")
    )
    s = dataclasses.replace(BASE, T=int(T), radius=float(radius), forget_bias=float(bias))
    first = study(s)
    series = [(text.label(c), plots.cell_color(c), p.grad_h) for c, p in first.items()]
    rnn = first["rnn_tanh"]
    predicted = [
        (text.label("predicted"), plots.cell_color("rnn_tanh"), probes.predicted_rate(rnn))
    ]
    fig = plots.signal_profile(series, predicted, title=text.label("title", T=T))
    fig.update_xaxes(title_text=text.label("t"))
    fig.update_layout(height=FIG_HEIGHT)
    present.chart(st, fig, key=keys.key(NUMBER, "fig_profile"), width="stretch")
    numbers = dict(
        T=T,
        radius=radius,
        forget_bias=bias,
        rnn_span=probes.span(rnn.grad_h),
        lstm_span=probes.span(first["lstm"].grad_h),
        rnn_rate=probes.decay_rate(rnn.grad_h),
        predicted=probes.predicted_rate(rnn),
    )
    query = {K.PRESET.key: K.CUSTOM}
    query.update({f.key: f.encode(getattr(s, attr)) for attr, f in K.SETTINGS.items()})
    return Outcome(numbers, Link("sequences", query))
