"""The Activation explorer's figures: engine tables turned into viz's records, then drawn.

Figures are cached as shared objects (st.plotly_chart copies them, never mutates them): building
Plotly objects costs far more than serialising them. Their tables have all been computed already.
"""

from __future__ import annotations

import streamlit as st

from engine.activations.tables import CurveTable, DepthTable, HistTable, Spec
from pages._activations.data import curve_table, depth_table, hist_table
from pages._common import present
from viz import activation_plots as plots
from viz.spec_figure import SpecFigure

SIGMOID_CEILING = 0.25  # sigmoid's f′ ≤ 1/4: the depth figure draws 0.25^L when sigmoid is shown


def curve(t: CurveTable) -> plots.Curve:
    return plots.Curve(t.name, present.title(t.title), t.x, t.f, t.df, t.d2f, t.band, t.band_df)


def histograms(t: HistTable) -> plots.Histograms:
    return plots.Histograms(
        t.name,
        present.title(t.title),
        plots.Bars(t.f_centers, t.f_widths, t.f_share),
        plots.Bars(t.df_centers, t.df_widths, t.df_share),
    )


def depth_profile(t: DepthTable) -> plots.DepthProfile:
    return plots.DepthProfile(t.name, present.title(t.title), t.depth, t.law, t.mean)


@st.cache_resource(max_entries=64, show_spinner=False)
def curves_figure(
    specs: tuple[Spec, ...], lo: float, hi: float, orders: tuple[int, ...], lang: str
) -> SpecFigure:
    """(``lang``: the figure's words are in the session's language, part of the key.)"""
    return plots.curves_figure([curve(curve_table(s, lo, hi)) for s in specs], orders)


@st.cache_resource(max_entries=64, show_spinner=False)
def histograms_figure(specs: tuple[Spec, ...], mu: float, sigma: float, lang: str) -> SpecFigure:
    return plots.histograms_figure([histograms(hist_table(s, mu, sigma)) for s in specs])


@st.cache_resource(max_entries=64, show_spinner=False)
def depth_figure(
    specs: tuple[Spec, ...], mu: float, sigma: float, depth: int, lang: str
) -> SpecFigure:
    bound = SIGMOID_CEILING if any(s[0] == "sigmoid" for s in specs) else None
    tables = [depth_profile(depth_table(s, mu, sigma, depth, lang)) for s in specs]
    return plots.depth_figure(tables, bound)
