"""Lesson 8, MSE against cross-entropy: the output layer's gradient for a prediction of given
confidence (autograd on the training loss), and the two losses training the same network."""

from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

from engine.nets import output_gradients, presets
from pages._common import present
from pages._common.keys import lessons as keys
from pages._lessons.frame import Outcome, remember
from pages._lessons.netlinks import gradient_flow_link, run
from pages._lessons.text import LessonText
from viz.lesson_plots import Line, lines_figure

NUMBER = 8
P_TRUE = (0.001, 0.01, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99)  # the true class's probability
OUTPUTS = {"softmax": 2, "sigmoid": 1}  # the output layer: its number of logits
GRID = np.linspace(0.001, 0.999, 199)
NET = presets.NetSettings(depth=3, width=16, activation="sigmoid", lr=0.5)
DATA = presets.DataSettings(steps=300)


@st.cache_data(max_entries=4, show_spinner=False)
def gradient_curves(classes: int) -> dict[str, np.ndarray]:
    return {loss: output_gradients.logit_gradient(loss, GRID, classes) for loss in ("mse", "ce")}


def show(text: LessonText) -> Outcome:
    left, right = st.columns(2)
    remember(keys.key(NUMBER, "p"), P_TRUE, 0.01)
    remember(keys.key(NUMBER, "output"), list(OUTPUTS), "softmax")
    p = left.select_slider(text.label("p_true"), P_TRUE, key=keys.key(NUMBER, "p"))
    output = right.radio(
        text.label("output"),
        list(OUTPUTS),
        format_func=text.label,
        horizontal=True,
        key=keys.key(NUMBER, "output"),
    )
    classes = OUTPUTS[output]
    curves = gradient_curves(classes)
    at_p = {loss: float(output_gradients.logit_gradient(loss, p, classes)[0]) for loss in curves}
    names = {"mse": text.label("mse"), "ce": text.label("ce")}
    grads = lines_figure(
        [Line(loss, names[loss], GRID, g) for loss, g in curves.items()],
        title=text.label("grad_title", output=text.label(output)),
        x_title=text.label("p_axis"),
        y_title=text.label("grad_axis"),
        log_y=True,
        markers=[(p, at_p[loss], f"{at_p[loss]:.2g}", loss) for loss in curves],
    )
    nets = {loss: dataclasses.replace(NET, loss=loss) for loss in ("mse", "ce")}
    runs = {loss: run(net, DATA) for loss, net in nets.items()}
    t = np.arange(DATA.steps, dtype=np.float64)
    training = lines_figure(
        [Line(loss, names[loss], t, 100 * h.train_acc) for loss, h in runs.items()],
        title=text.label("acc_title"),
        x_title=text.label("step"),
        y_title=text.label("accuracy"),
        legend="bottom right",  # accuracy rises to the top right
    )
    # Low in the middle: both gradients are large at the top and MSE's falls away at the sides.
    grads.spec["layout"]["legend"].update(x=0.5, xanchor="center", y=0, yanchor="bottom")
    a, b = st.columns(2)
    present.chart(a, grads, key=keys.key(NUMBER, "fig_gradients"), width="stretch")
    present.chart(b, training, key=keys.key(NUMBER, "fig_training"), width="stretch")
    numbers = dict(
        p=p,
        output=text.label(output),
        ce_grad=at_p["ce"],
        mse_grad=at_p["mse"],
        ratio=at_p["ce"] / at_p["mse"],
        steps=DATA.steps,
        acc_mse=100 * float(runs["mse"].train_acc[-1]),
        acc_ce=100 * float(runs["ce"].train_acc[-1]),
    )
    return Outcome(numbers, gradient_flow_link(nets["mse"], nets["ce"], DATA))
