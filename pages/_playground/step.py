"""The trajectories view's "Step by step" tab: one optimizer, one update at a time.

Previous / next buttons and a step number move through the updates of the run already on the
map. At the point before update t it draws the negative gradient, the update Δθ and, where the
optimizer has one, its velocity or first moment, all read from the run's record
(``data.Paths.grads``, ``.states``, ``.paths``): nothing is computed a second time. Beside the
map go their numbers and the formula with the lines that produced them in the arrows' colours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from engine import optimizers
from engine.core.i18n import _
from pages._common import present, state
from pages._common.state import IntField
from pages._playground import data, figures
from pages._playground.controls import Settings, get_surface
from viz import step_arrows as sa

STEP = IntField("pg_step", 1, low=1, high=100_000)  # in the URL: a link reopens the update
OPT = "pg_step_opt"  # session-state key of the optimizer picker
# The state field that carries the direction, in the order tried: Adam's first moment m, a
# momentum buffer b (RMSProp with momentum), the velocity v of momentum methods.
MOMENT_FIELDS = ("m", "b", "v")


@dataclass(frozen=True)
class Update:
    """Update ``step`` of optimizer ``k``, from the record: the point before it, the gradient it
    used, its Δθ, its moment (field name and value, or None), the learning rate η at that step."""

    step: int
    point: np.ndarray
    grad: np.ndarray
    delta: np.ndarray
    moment: tuple[str, np.ndarray] | None
    lr: float

    @property
    def effective(self) -> np.ndarray:
        """Per coordinate |Δθ_i| / |g_i| (0 where the gradient is 0), as in the internals tab."""
        g = np.abs(self.grad)
        return np.where(g > 0, np.abs(self.delta) / np.where(g > 0, g, 1.0), 0.0)


def last_step(result: data.Paths, k: int) -> int:
    """The last update of optimizer ``k`` that moved between finite points (0: none)."""
    d = int(result.diverged_at[k])
    T = result.paths.shape[1] - 1
    return T if d < 0 else max(d - 1, 0)


def moment_field(name: str, states: dict[str, np.ndarray]) -> str | None:
    """The state field of ``name`` that is a velocity or a first moment, if it has one."""
    second = optimizers.traits(name).second_moment
    for f in MOMENT_FIELDS:
        if f not in states or states[f].ndim != 2 or (f == "v" and second):
            continue
        if np.any(states[f] != 0):  # plain SGD keeps a v that stays zero: no moment to draw
            return f
    return None


def update(result: data.Paths, k: int, step: int, name: str, lr: float) -> Update:
    """Update ``step`` (1-based) of optimizer ``k`` as the run recorded it."""
    states = result.states[k]
    field = moment_field(name, states)
    factor = 1.0 if result.lr_factors is None else float(result.lr_factors[step - 1])
    return Update(
        step=step,
        point=result.paths[k, step - 1],
        grad=result.grads[k, step - 1],
        delta=result.paths[k, step] - result.paths[k, step - 1],
        moment=None if field is None else (field, states[field][step]),
        lr=lr * factor,
    )


def arrows(u: Update, symbol: str | None) -> list[sa.Arrow]:
    """The arrows of update ``u``: −g, Δθ and −(moment) (the moment's symbol in HTML)."""
    out = [
        sa.Arrow("-g", "−g", -u.grad, sa.GRADIENT_COLOR, 1.0),
        sa.Arrow("delta", "Δθ", u.delta, sa.UPDATE_COLOR, 0.75),
    ]
    if u.moment is not None:
        out.append(sa.Arrow("-moment", f"−{symbol}", -u.moment[1], sa.MOMENT_COLOR, 0.5))
    return out


def _move(by: int, top: int) -> None:
    st.session_state[STEP.key] = min(max(int(st.session_state[STEP.key]) + by, 1), top)


def _numbers(u: Update, symbol: str) -> list[dict[str, str]]:
    rows = [(_("g (gradient)"), u.grad), (_("Δθ (the update)"), u.delta)]
    if u.moment is not None:
        what = _(figures.FIELD_TITLES.get(u.moment[0], u.moment[0]))
        rows.insert(1, (f"{symbol} ({what})", u.moment[1]))
    rows.append((_("|Δθ| / |g| (effective step)"), u.effective))
    out = [{"": what, "x": f"{v[0]:.4g}", "y": f"{v[1]:.4g}"} for what, v in rows]
    out.append({"": _("η at this step"), "x": f"{u.lr:.4g}", "y": ""})
    return out


def step_tab(cfg: Settings, result: data.Paths) -> None:
    """The tab's controls, the map with the arrows, the numbers and the highlighted formula."""
    labels = result.labels
    if st.session_state.get(OPT) not in labels:  # the first with a moment: the telling case
        kept = [moment_field(n, result.states[k]) for k, (n, _) in enumerate(cfg.opts)]
        st.session_state[OPT] = next(
            (lab for lab, f in zip(labels, kept, strict=True) if f), labels[0]
        )
    state.restore([STEP])
    c1, c2, c3, c4 = st.columns([3, 1, 1, 2], vertical_alignment="bottom")
    label = c1.selectbox(_("Optimizer to follow"), labels, key=OPT)
    k = labels.index(label)
    top = last_step(result, k)
    if top < 1:
        st.info(
            _("{label} made no finite update from this start: nothing to step through.").format(
                label=label
            )
        )
        return
    st.session_state[STEP.key] = min(max(int(st.session_state[STEP.key]), 1), top)
    c2.button(_("◀ Previous"), key="pg_step_prev", on_click=_move, args=(-1, top), width="stretch")
    c3.button(_("Next ▶"), key="pg_step_next", on_click=_move, args=(1, top), width="stretch")
    step = int(c4.number_input(_("Update (1–{top})").format(top=top), 1, top, key=STEP.key))
    state.publish([STEP])

    name, hyper = cfg.opts[k]
    u = update(result, k, step, name, float(dict(hyper)["lr"]))
    symbols = optimizers.symbols(name)
    moment_symbol = None if u.moment is None else symbols.get(u.moment[0], u.moment[0])
    html = None if moment_symbol is None else moment_symbol.replace("_t", "")
    surface = get_surface(cfg.surface)
    fig = sa.add_step(
        figures.map_figure(cfg, title=_("{label}: update {step}").format(label=label, step=step)),
        result.paths[k], step, arrows(u, html), color=sa.PATH_COLOR, label=label,
        bounds=surface.bounds,
    )  # fmt: skip
    left, right = st.columns([3, 2])
    present.kept(left, fig, key="pg_fig_step")  # Next and Previous move its arrows in place
    with right:
        st.dataframe(_numbers(u, html or ""), hide_index=True, width="stretch")
        colors = {"g_t": sa.GRADIENT_COLOR, r"\theta_t": sa.UPDATE_COLOR}
        if moment_symbol is not None:
            colors[moment_symbol] = sa.MOMENT_COLOR
        st.latex(sa.highlight_lines(optimizers.formula(name, **dict(hyper)), colors))
        st.caption(
            _(
                "Red: −g, the way down. Orange: Δθ, the step taken. Blue: the velocity or first "
                "moment, where the optimizer keeps one. The arrows show directions only (drawn at "
                "set lengths); the table gives their sizes."
            )
        )
