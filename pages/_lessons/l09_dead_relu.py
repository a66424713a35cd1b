"""Lesson 9, dead ReLUs: the share of hidden units that never fire, over training, for a chosen
learning rate against a small one, on the same network from the same weights."""

from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

from engine.nets import dead_units, presets
from pages._common import present
from pages._common.keys import lessons as keys
from pages._lessons.frame import Outcome, remember
from pages._lessons.netlinks import gradient_flow_link, run
from pages._lessons.text import LessonText
from viz.lesson_plots import Line, lines_figure

NUMBER = 9
RATES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)
REFERENCE = 0.002  # the small learning rate every choice is compared with
STEPS = (100, 200, 400)
# The Gradient flow page's "Dead ReLUs" experiment (Adam on a ReLU net), smaller so it is quick.
NET = dataclasses.replace(presets.get("dead_relu").a, depth=6, width=32)


def show(text: LessonText) -> Outcome:
    left, right = st.columns(2)
    remember(keys.key(NUMBER, "lr"), RATES, 0.05)
    remember(keys.key(NUMBER, "steps"), STEPS, 200)
    lr = left.select_slider(text.label("lr"), RATES, key=keys.key(NUMBER, "lr"))
    steps = right.select_slider(text.label("steps"), STEPS, key=keys.key(NUMBER, "steps"))
    data = presets.DataSettings(steps=int(steps))
    nets = {
        "chosen": dataclasses.replace(NET, lr=float(lr)),
        "small": dataclasses.replace(NET, lr=REFERENCE),
    }
    runs = {k: run(net, data) for k, net in nets.items()}
    shares = {k: dead_units.share_over_training(h) for k, h in runs.items()}
    labels = {"chosen": text.label("chosen", lr=lr), "small": text.label("small", lr=REFERENCE)}
    fig = lines_figure(
        [Line(k, labels[k], s, 100 * share) for k, (s, share) in shares.items()],
        title=text.label("title", depth=NET.depth, width=NET.width),
        x_title=text.label("step"),
        y_title=text.label("dead"),
    )
    fig.spec["layout"]["yaxis"]["range"] = [0, 100]  # room above the lines for the legend
    present.chart(st, fig, key=keys.key(NUMBER, "fig_dead"), width="stretch")
    diverged = [h.diverged_at for h in runs.values() if h.diverged_at >= 0]
    if diverged:
        st.warning(text.label("diverged", step=min(diverged)), icon=":material/warning:")
    numbers = dict(
        lr=lr,
        small_lr=REFERENCE,
        steps=steps,
        start=100 * float(shares["chosen"][1][0]),
        end=100 * float(shares["chosen"][1][-1]),
        peak=100 * float(np.max(shares["chosen"][1])),
        small_end=100 * float(shares["small"][1][-1]),
        acc=100 * float(runs["chosen"].train_acc[-1]),
        small_acc=100 * float(runs["small"].train_acc[-1]),
    )
    link = gradient_flow_link(nets["chosen"], nets["small"], data, heatmap="dead")
    return Outcome(numbers, link)
