"""Lesson 5, why ReLU rather than sigmoid: sigmoid′ ≤ 0.25, so a product of derivatives through
many layers shrinks at least 4x per layer; ReLU′ is 1 wherever the unit is active."""

from __future__ import annotations

import numpy as np
import streamlit as st

from engine.activations import tables
from pages._common import present
from pages._common.keys import lessons as keys
from pages._lessons.frame import FIG_HEIGHT, Link, Outcome, remember
from pages._lessons.text import LessonText
from viz import activation_plots as plots

NUMBER = 5
ACTS = ("sigmoid", "tanh", "relu")
DEPTHS = (5, 10, 20, 30, 50)
SIGMAS = (0.5, 1.0, 2.0, 4.0)
X_RANGE = (-6.0, 6.0)  # the explorer's default x range
SIGMOID_CEILING = 0.25  # the bound the figure draws: max sigmoid′ = σ(0)(1 − σ(0))


@st.cache_data(max_entries=32, show_spinner=False)
def study(depth: int, sigma: float):
    specs = [tables.make_spec(a) for a in ACTS]
    curves = [tables.curve_table(s, *X_RANGE) for s in specs]
    profiles = [tables.depth_table(s, 0.0, sigma, depth) for s in specs]
    return curves, profiles


def show(text: LessonText) -> Outcome:
    left, right = st.columns(2)
    k_depth, k_sigma = keys.key(NUMBER, "depth"), keys.key(NUMBER, "sigma")
    remember(k_depth, DEPTHS, 20)
    remember(k_sigma, SIGMAS, 1.0)
    depth = left.select_slider(text.label("depth"), DEPTHS, key=k_depth)
    sigma = right.select_slider(text.label("sigma"), SIGMAS, key=k_sigma)
    curves, profiles = study(int(depth), float(sigma))
    slopes = plots.curves_figure(
        [plots.Curve(c.name, present.title(c.title), c.x, c.f, c.df, c.d2f) for c in curves], [1]
    )
    slopes.set_layout(height=FIG_HEIGHT)  # a plain-dict figure (viz/spec_figure.py)
    products = plots.depth_figure(
        [
            plots.DepthProfile(p.name, present.title(p.title), p.depth, p.law, p.mean)
            for p in profiles
        ],
        SIGMOID_CEILING,
    )
    products.set_layout(height=FIG_HEIGHT)
    a, b = st.columns(2)
    # Titles above the charts: the explorer's builders keep their legends where a title would go.
    a.markdown(f"**{text.label('slopes_title')}**")
    b.markdown(f"**{text.label('depth_title')}**")
    present.chart(a, slopes, key=keys.key(NUMBER, "fig_slopes"), width="stretch")
    present.chart(b, products, key=keys.key(NUMBER, "fig_depth"), width="stretch")
    sig, tanh, relu = profiles
    numbers = dict(
        max_sigmoid=float(np.nanmax(curves[0].df)), max_tanh=float(np.nanmax(curves[1].df)),
        depth=depth, sigma=sigma, per_sigmoid=sig.per_layer, per_tanh=tanh.per_layer,
        per_relu=relu.per_layer, prod_sigmoid=sig.law[-1], prod_tanh=tanh.law[-1],
        prod_relu=relu.law[-1], ceiling=SIGMOID_CEILING**depth,
    )  # fmt: skip
    query = {"act_sel": ",".join(ACTS), "act_f": "0", "act_depth": str(depth)}
    if sigma != 1.0:
        query["act_sigma"] = f"{sigma:g}"
    return Outcome(numbers, Link("activations", query))
