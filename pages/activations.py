"""Activation explorer: curves and derivatives, formulas and properties, inputs, and depth."""

import math

import streamlit as st

from engine.core.i18n import _, language
from pages._activations import data, figures
from pages._activations import widgets as w
from pages._common import present, state
from pages._common.keys import activations as keys
from pages._common.navigation import ensure_app_entry

ensure_app_entry()  # before anything is drawn: see pages/_common/navigation.py

st.title(_("Activation explorer"))
st.caption(
    _(
        "Pick activations on the left and compare f, f′ and f″. The tabs below show the formulas, "
        "where normally distributed inputs land, and what multiplying f′ through many layers does."
    )
)
state.restore(keys.FIELDS)
specs = w.sidebar()
lo, hi = state.value(keys.X_RANGE)
mu, sigma = state.value(keys.MU), state.value(keys.SIGMA)
orders = w.orders()
drawn, curves = data.curve_tables(specs, lo, hi)

if not curves:
    st.info(_("Pick an activation on the left, or type your own formula in x."))
elif not orders:
    st.info(_("Tick f, f′ or f″ on the left to draw a curve."))
else:
    w.undefined_warnings(curves)  # above the chart, where an empty or broken curve is noticed
    fig = figures.curves_figure(drawn, lo, hi, orders, language())
    present.chart(st, fig, key="act_curves_chart", width="stretch")
    st.download_button(
        _("Download the curves (CSV)"),
        data.curves_csv(drawn, lo, hi, orders, language()),
        file_name="activations.csv",
        mime="text/csv",
        key="act_csv",
        icon=":material/download:",
    )

formulas_tab, inputs_tab, depth_tab = st.tabs(
    [_("Formulas and properties"), _("Input distribution"), _("Depth")]
)
with formulas_tab:
    w.formula_panel(specs)

with inputs_tab:
    st.markdown(
        _(
            "Pre-activations **z ~ N({mu}, {sigma}²)** (set μ and σ on the left). The number is "
            "the share of inputs where |f′(z)| < 0.001: saturated or dead units that pass almost "
            "no gradient back."
        ).format(mu=f"{mu:g}", sigma=f"{sigma:g}")
    )
    hist_specs, hists = data.hist_tables(specs, mu, sigma)
    if hists:
        cols = st.columns(min(len(hists), 4))
        for i, h in enumerate(hists):
            cols[i % len(cols)].metric(
                present.title(h.title),
                f"{h.flat_share:.1%}",
                help=_("share of z with |f′(z)| < 0.001"),
                border=True,
            )
            if h.undefined_share > 0:
                st.caption(
                    _("{title}: f′ undefined for {share} of z (not drawn).").format(
                        title=present.title(h.title), share=f"{h.undefined_share:.1%}"
                    )
                )
        fig = figures.histograms_figure(hist_specs, mu, sigma, language())
        present.chart(st, fig, key="act_hist_chart", width="stretch")

with depth_tab:
    depth = st.slider(_("Depth L (layers)"), 1, keys.MAX_DEPTH, key=keys.DEPTH.key)
    st.markdown(
        _(
            "Backpropagation multiplies one f′(z_l) per layer (the weights are left out here), so "
            "with independent layers the mean product is **(E|f′(z)|)^L** (lines; dots: the same mean "
            "over sampled paths). Sigmoid's f′ is at most 0.25, so every path shrinks at least 4× per "
            "layer. ReLU's f′ is exactly 1 on an active unit, so a path that stays active passes the "
            "gradient on unchanged; the mean halves per layer only because half the units are off, "
            "and He initialisation's doubled weight variance makes up exactly that factor of 2."
        )
    )
    with st.spinner(_("Multiplying derivatives through the layers...")):
        depth_specs, profiles = data.depth_tables(specs, mu, sigma, depth)
    if profiles:
        st.markdown(_("**Mean factor per layer, E|f′(z)|**"))
        cols = st.columns(min(len(profiles), 4))
        for i, p in enumerate(profiles):
            factor = "n/a" if math.isnan(p.per_layer) else f"× {p.per_layer:.3g}"
            cols[i % len(cols)].metric(
                present.title(p.title), factor, border=True,
                help=_("E|f′(z)|: the mean factor each layer multiplies the gradient by"),
            )  # fmt: skip
        fig = figures.depth_figure(depth_specs, mu, sigma, depth, language())
        present.chart(st, fig, key="act_depth_chart", width="stretch")
        for p in profiles:
            if p.note:
                st.caption(
                    _("{title}: {note}; those points are not drawn.").format(
                        title=present.title(p.title), note=p.note
                    )
                )

state.publish(keys.FIELDS)
