"""The Activation explorer's widgets: the sidebar, the warnings above the curves, the formulas.

The sidebar returns the activations to draw as ``engine.activations.tables`` specs (hashable
tuples), which the cached calls of pages/_activations/data.py take.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from engine.activations import get, names, tables
from engine.activations.tables import CurveTable, Spec
from engine.core.i18n import N_, _, language
from pages._activations.data import TITLES, each, expression_error, formulas, property_rows
from pages._common import present, state
from pages._common.guard import friendly_errors, literal
from pages._common.keys import activations as keys


def _reset_maxout_pieces() -> None:
    """A new k gets the catalogue's default pieces for that k (a convex, |x|-like shape)."""
    k = st.session_state[keys.MAXOUT_K.key]
    params = get("maxout", k=k).params
    for i in range(k):
        st.session_state[keys.MAXOUT_SLOPES[i].key] = params["slopes"][i]
        st.session_state[keys.MAXOUT_INTERCEPTS[i].key] = params["intercepts"][i]


def _maxout_params() -> dict:
    st.slider(_("k (number of pieces)"), 1, keys.MAXOUT_K.high, key=keys.MAXOUT_K.key,
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
        st.multiselect(_("Activations"), names(), key=keys.SELECTED.key,
                       format_func=lambda n: _(TITLES[n]), placeholder=_("Pick activations"))  # fmt: skip
        cols = st.columns(3)
        for col, field, label in zip(
            cols, (keys.SHOW_F, keys.SHOW_DF, keys.SHOW_D2F), ("f", "f′", "f″"), strict=True
        ):
            col.checkbox(label, key=field.key)
        st.slider(_("x range"), -keys.X_LIMIT, keys.X_LIMIT, step=0.5, key=keys.X_RANGE.key)
        text = st.text_input(
            _("Custom activation f(x) ="),
            key=keys.CUSTOM.key,
            placeholder=_("e.g. x * tanh(log(1 + exp(x)))"),
            help=_(
                "A formula in x with + - * / ** and sin cos tan exp log sqrt abs tanh sinh cosh "
                "arctan, pi, e. Its derivative comes from torch.autograd."
            ),
        )
        custom = None
        if text.strip():
            error = expression_error(text)
            if error:
                st.error(literal(error), icon=":material/function:")
            else:
                custom = tables.custom_spec(text)
        st.subheader(_("Pre-activations z ~ N(μ, σ²)"))
        st.slider(_("μ (mean)"), keys.MU.low, keys.MU.high, step=0.1, key=keys.MU.key)
        st.slider(_("σ (spread)"), keys.SIGMA.low, keys.SIGMA.high, step=0.1, key=keys.SIGMA.key)
        chosen = state.value(keys.SELECTED)
        with_params = [n for n in chosen if n in keys.PARAMS or n == "maxout"]
        if with_params:
            st.subheader(_("Parameters"))
        for name in chosen:
            params = {}
            if name in with_params:
                with st.expander(_(TITLES[name]), expanded=True):
                    params = _params(name)
            spec = tables.make_spec(name, params)
            with friendly_errors(_(TITLES[name])):
                tables.build(spec)  # refuse bad combinations (RReLU lower > upper) here
                specs.append(spec)
        st.button(
            _("Reset page"), on_click=state.reset, args=(keys.FIELDS,), icon=":material/undo:"
        )
    return specs + ([custom] if custom else [])


def orders() -> tuple[int, ...]:
    """The derivative orders ticked: 0 for f, 1 for f′, 2 for f″."""
    flags = (keys.SHOW_F, keys.SHOW_DF, keys.SHOW_D2F)
    return tuple(i for i, field in enumerate(flags) if state.value(field))


def undefined_warnings(curves: Sequence[CurveTable]) -> None:
    """A warning box per curve that is undefined somewhere: which part fails, why, and where."""
    for t in curves:
        if not t.note:
            continue
        nothing = np.isnan(t.f).all()
        tail = _("there is nothing to draw") if nothing else _("those points are not drawn")
        text = f"**{literal(present.title(t.title))}**: {literal(_(t.note))}; {tail}."
        st.warning(text, icon=":material/warning:")


def formula_panel(specs: Sequence[Spec]) -> None:
    """f and f′ in LaTeX for each activation, then one properties table to compare them."""
    for spec in specs:
        title, latex, dlatex, description = formulas(spec)
        with st.container(border=True):
            st.markdown(f"**{_(title)}**: {_(description)}")
            st.latex(latex)
            st.latex(dlatex)
    rows = dict(
        each(
            specs,
            N_("Properties of"),
            lambda s: (_(formulas(s)[0]), property_rows(s, language())),
        )[1]
    )
    if rows:
        st.markdown(_("**Properties** (measured with autograd on [−10, 10] and far out)"))
        st.table(rows)
