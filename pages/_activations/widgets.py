"""Glue for the Activation explorer: its widgets, and cached engine calls keyed on hashable specs.

Cached functions take ``engine.activations.tables`` specs (tuples), never Activation objects, and
return numpy tables, so a warm rerun costs a dictionary look-up per activation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from engine.activations import get, names, properties, tables
from engine.activations.tables import CurveTable, DepthTable, HistTable, Spec
from pages._common import state
from pages._common.guard import friendly_errors, literal
from pages._common.keys import activations as keys
from viz import activation_plots as plots

CURVE_POINTS = 601
TITLES = {name: get(name).title for name in names()}


@st.cache_data(max_entries=512, show_spinner=False)
def curve_table(spec: Spec, lo: float, hi: float) -> CurveTable:
    return tables.curve_table(spec, lo, hi, CURVE_POINTS)


@st.cache_data(max_entries=256, show_spinner=False)
def hist_table(spec: Spec, mu: float, sigma: float) -> HistTable:
    return tables.hist_table(spec, mu, sigma)


@st.cache_data(max_entries=256, show_spinner=False)
def depth_table(spec: Spec, mu: float, sigma: float, depth: int) -> DepthTable:
    return tables.depth_table(spec, mu, sigma, depth)


@st.cache_data(max_entries=256, show_spinner=False)
def formulas(spec: Spec) -> tuple[str, str, str, str]:
    """(title, f in LaTeX, f′ in LaTeX, description)."""
    act = tables.build(spec)
    return act.title, act.latex, act.derivative_latex, act.description


@st.cache_data(max_entries=256, show_spinner=False)
def property_rows(spec: Spec) -> dict[str, str]:
    return tables.property_rows(properties(tables.build(spec)))


@st.cache_data(max_entries=64, show_spinner=False)
def curves_csv(specs: tuple[Spec, ...], lo: float, hi: float, orders: tuple[int, ...]) -> str:
    return tables.curves_csv([curve_table(s, lo, hi) for s in specs], orders)


@st.cache_data(max_entries=256, show_spinner=False)
def expression_error(text: str) -> str | None:
    """The parser's message for a refused formula, else None."""
    try:
        tables.build(tables.custom_spec(text))
    except ValueError as exc:
        return str(exc)
    return None


def _reset_maxout_pieces() -> None:
    """A new k gets the catalogue's default pieces for that k (a convex, |x|-like shape)."""
    k = st.session_state[keys.MAXOUT_K.key]
    params = get("maxout", k=k).params
    for i in range(k):
        st.session_state[keys.MAXOUT_SLOPES[i].key] = params["slopes"][i]
        st.session_state[keys.MAXOUT_INTERCEPTS[i].key] = params["intercepts"][i]


def _maxout_params() -> dict:
    st.slider("k (number of pieces)", 1, keys.MAXOUT_K.high, key=keys.MAXOUT_K.key,
              on_change=_reset_maxout_pieces)  # fmt: skip
    k = st.session_state[keys.MAXOUT_K.key]
    slopes, intercepts = [], []
    for i in range(k):
        a_col, b_col = st.columns(2)
        a, b = keys.MAXOUT_SLOPES[i], keys.MAXOUT_INTERCEPTS[i]
        with a_col:
            slopes.append(st.number_input(f"a{i + 1}", a.low, a.high, step=0.1, key=a.key))
        with b_col:
            intercepts.append(st.number_input(f"b{i + 1}", b.low, b.high, step=0.1, key=b.key))
    return {"k": k, "slopes": slopes, "intercepts": intercepts}


def _params(name: str) -> dict:
    """Sliders for ``name``'s parameters (from ``Activation.param_specs``), current values."""
    if name == "maxout":
        return _maxout_params()
    values = {}
    for spec, field in zip(get(name).param_specs, keys.PARAMS.get(name, ()), strict=True):
        step = 0.01 if spec.high - spec.low <= 3 else 0.05
        values[spec.name] = st.slider(
            spec.name, float(spec.low), float(spec.high), step=step, key=field.key, help=spec.help
        )
    return values


def sidebar() -> list[Spec]:
    """Draw every control; return the specs to plot (refused ones are skipped with a message)."""
    specs: list[Spec] = []
    with st.sidebar:
        st.multiselect("Activations", names(), key=keys.SELECTED.key,
                       format_func=TITLES.get, placeholder="Pick activations")  # fmt: skip
        cols = st.columns(3)
        for col, field, label in zip(
            cols, (keys.SHOW_F, keys.SHOW_DF, keys.SHOW_D2F), ("f", "f′", "f″"), strict=True
        ):
            col.checkbox(label, key=field.key)
        st.slider("x range", -keys.X_LIMIT, keys.X_LIMIT, step=0.5, key=keys.X_RANGE.key)
        text = st.text_input(
            "Custom activation f(x) =",
            key=keys.CUSTOM.key,
            placeholder="e.g. x * tanh(log(1 + exp(x)))",
            help="A formula in x with + - * / ** and sin cos tan exp log sqrt abs tanh sinh cosh "
            "arctan, pi, e. Its derivative comes from torch.autograd.",
        )
        custom = None
        if text.strip():
            error = expression_error(text)
            if error:
                st.error(literal(error), icon=":material/function:")
            else:
                custom = tables.custom_spec(text)
        st.subheader("Pre-activations z ~ N(μ, σ²)")
        st.slider("μ (mean)", keys.MU.low, keys.MU.high, step=0.1, key=keys.MU.key)
        st.slider("σ (spread)", keys.SIGMA.low, keys.SIGMA.high, step=0.1, key=keys.SIGMA.key)
        chosen = state.value(keys.SELECTED)
        with_params = [n for n in chosen if n in keys.PARAMS or n == "maxout"]
        if with_params:
            st.subheader("Parameters")
        for name in chosen:
            params = {}
            if name in with_params:
                with st.expander(TITLES[name], expanded=True):
                    params = _params(name)
            spec = tables.make_spec(name, params)
            with friendly_errors(TITLES[name]):
                tables.build(spec)  # refuse bad combinations (RReLU lower > upper) here
                specs.append(spec)
        st.button("Reset page", on_click=state.reset, args=(keys.FIELDS,), icon=":material/undo:")
    return specs + ([custom] if custom else [])


def orders() -> tuple[int, ...]:
    """The derivative orders ticked: 0 for f, 1 for f′, 2 for f″."""
    flags = (keys.SHOW_F, keys.SHOW_DF, keys.SHOW_D2F)
    return tuple(i for i, field in enumerate(flags) if state.value(field))


def _each(specs: Sequence[Spec], what: str, call) -> tuple[tuple[Spec, ...], list]:
    """``call(spec)`` for each spec; a failure becomes a message and the others still draw.

    Returns the specs that worked and their results.
    """
    ok, out = [], []
    for spec in specs:
        with friendly_errors(f"{what} {TITLES.get(spec[0], 'the custom formula')}"):
            out.append(call(spec))
            ok.append(spec)
    return tuple(ok), out


def curve_tables(specs: Sequence[Spec], lo: float, hi: float):
    return _each(specs, "Drawing", lambda s: curve_table(s, lo, hi))


def hist_tables(specs: Sequence[Spec], mu: float, sigma: float):
    return _each(specs, "Histogram of", lambda s: hist_table(s, mu, sigma))


def depth_tables(specs: Sequence[Spec], mu: float, sigma: float, depth: int):
    return _each(specs, "Depth profile of", lambda s: depth_table(s, mu, sigma, depth))


# Figures are cached as shared objects (st.plotly_chart copies them, never mutates them): building
# Plotly objects costs far more than serialising them. Their specs have all been computed already.
@st.cache_resource(max_entries=64, show_spinner=False)
def curves_figure(specs: tuple[Spec, ...], lo: float, hi: float, orders: tuple[int, ...]):
    return plots.curves_figure([curve_table(s, lo, hi) for s in specs], orders)


@st.cache_resource(max_entries=64, show_spinner=False)
def histograms_figure(specs: tuple[Spec, ...], mu: float, sigma: float):
    return plots.histograms_figure([hist_table(s, mu, sigma) for s in specs])


@st.cache_resource(max_entries=64, show_spinner=False)
def depth_figure(specs: tuple[Spec, ...], mu: float, sigma: float, depth: int):
    bound = 0.25 if any(s[0] == "sigmoid" for s in specs) else None
    return plots.depth_figure([depth_table(s, mu, sigma, depth) for s in specs], bound)


def undefined_warnings(curves: Sequence[CurveTable]) -> None:
    """A warning box per curve that is undefined somewhere: which part fails, why, and where."""
    for t in curves:
        if not t.note:
            continue
        tail = "there is nothing to draw" if np.isnan(t.f).all() else "those points are not drawn"
        st.warning(f"**{literal(t.title)}**: {literal(t.note)}; {tail}.", icon=":material/warning:")


def formula_panel(specs: Sequence[Spec]) -> None:
    """f and f′ in LaTeX for each activation, then one properties table to compare them."""
    for spec in specs:
        title, latex, dlatex, description = formulas(spec)
        with st.container(border=True):
            st.markdown(f"**{title}**: {description}")
            st.latex(latex)
            st.latex(dlatex)
    rows = dict(_each(specs, "Properties of", lambda s: (formulas(s)[0], property_rows(s)))[1])
    if rows:
        st.markdown("**Properties** (measured with autograd on [−10, 10] and far out)")
        st.table(rows)
