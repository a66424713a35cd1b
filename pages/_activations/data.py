"""Cached engine calls of the Activation explorer, keyed on hashable specs.

Cached functions take ``engine.activations.tables`` specs (tuples), never Activation objects, and
return numpy tables, so a warm rerun costs a dictionary look-up per activation. A spec that fails
becomes a message, and the others still draw.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from engine.activations import get, names, properties, tables
from engine.activations.tables import CurveTable, DepthTable, HistTable, Spec
from engine.core.i18n import N_, _, language
from pages._common.guard import friendly_errors

CURVE_POINTS = 601
TITLES = {name: get(name).title for name in names()}


@st.cache_data(max_entries=512, show_spinner=False)
def curve_table(spec: Spec, lo: float, hi: float) -> CurveTable:
    return tables.curve_table(spec, lo, hi, CURVE_POINTS)


@st.cache_data(max_entries=256, show_spinner=False)
def hist_table(spec: Spec, mu: float, sigma: float) -> HistTable:
    return tables.hist_table(spec, mu, sigma)


@st.cache_data(max_entries=256, show_spinner=False)
def depth_table(spec: Spec, mu: float, sigma: float, depth: int, lang: str) -> DepthTable:
    """(``lang``: the engine writes its note in the session's language.)"""
    return tables.depth_table(spec, mu, sigma, depth)


@st.cache_data(max_entries=256, show_spinner=False)
def formulas(spec: Spec) -> tuple[str, str, str, str]:
    """(title, f in LaTeX, f′ in LaTeX, description)."""
    act = tables.build(spec)
    return act.title, act.latex, act.derivative_latex, act.description


@st.cache_data(max_entries=256, show_spinner=False)
def property_rows(spec: Spec, lang: str) -> dict[str, str]:
    """The engine writes the rows in ``lang``, the session's language (part of the key)."""
    return tables.property_rows(properties(tables.build(spec)))


@st.cache_data(max_entries=64, show_spinner=False)
def curves_csv(
    specs: tuple[Spec, ...], lo: float, hi: float, orders: tuple[int, ...], lang: str = "en"
) -> str:
    """The CSV with its header in ``lang``, the session's language (part of the key)."""
    return tables.curves_csv([curve_table(s, lo, hi) for s in specs], orders)


@st.cache_data(max_entries=256, show_spinner=False)
def expression_error(text: str) -> str | None:
    """The parser's message for a refused formula, else None."""
    try:
        tables.build(tables.custom_spec(text))
    except ValueError as exc:
        return str(exc)
    return None


def each(specs: Sequence[Spec], what: str, call) -> tuple[tuple[Spec, ...], list]:
    """``call(spec)`` for each spec; a failure becomes a message and the others still draw.

    Returns the specs that worked and their results.
    """
    ok, out = [], []
    for spec in specs:
        with friendly_errors(
            _("{what} {title}").format(
                what=_(what),
                title=_(TITLES[spec[0]]) if spec[0] in TITLES else _("the custom formula"),
            )
        ):
            out.append(call(spec))
            ok.append(spec)
    return tuple(ok), out


def curve_tables(specs: Sequence[Spec], lo: float, hi: float):
    return each(specs, N_("Drawing"), lambda s: curve_table(s, lo, hi))


def hist_tables(specs: Sequence[Spec], mu: float, sigma: float):
    return each(specs, N_("Histogram of"), lambda s: hist_table(s, mu, sigma))


def depth_tables(specs: Sequence[Spec], mu: float, sigma: float, depth: int):
    return each(
        specs, N_("Depth profile of"), lambda s: depth_table(s, mu, sigma, depth, language())
    )
