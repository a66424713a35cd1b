"""The playground's controls: surface, optimizers, start, steps, noise, schedule; clicks and URL.

:func:`sidebar` draws the widgets and returns a hashable :class:`Settings`; :func:`consume_click`
turns a click on the map into the start (before the widgets are drawn); :func:`publish` writes
the URL. The state's keys live in ``pages/_common/keys/playground.py``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import streamlit as st

from engine import optimizers, surfaces
from engine.core.i18n import N_, _
from engine.optimizers import grids, schedules
from engine.surfaces import default_lrs as surface_lrs
from pages._common import optimizer_widgets as ow
from pages._common import state
from pages._common.guard import literal
from pages._common.keys import playground as keys

SURFACE_LABELS = {name: surfaces.get(name).title for name in surfaces.names()}
SURFACE_LABELS[keys.CUSTOM] = N_("Your own formula…")
SCHEDULE_LABELS = {
    "constant": N_("constant"),
    "step": N_("step decay"),
    "exponential": N_("exponential decay"),
    "cosine": N_("cosine annealing"),
    "warmup": N_("linear warm-up"),
}


class Settings(NamedTuple):
    """Everything the computations depend on, hashable (a cache key)."""

    surface: tuple[str, str]  # ("builtin", name) or ("custom", expression)
    opts: tuple  # optimizer_widgets.settings(...)
    start: tuple[float, float]
    steps: int
    noise: float
    seed: int
    schedule: tuple  # (name, ((param, value), ...))
    tol: float


def settings_key(cfg: Settings) -> str:
    """The settings as a cache key: their repr, exact (a float's repr reads back as itself) and
    hashed at once, where Streamlit's own hashing walks the nested tuples item by item (about
    0.3 ms a cached call, a dozen calls a rerun)."""
    return repr(tuple(cfg))


#: ``hash_funcs`` for every cached function that takes :class:`Settings`.
FAST_KEY = {Settings: settings_key}


@st.cache_resource(max_entries=64, show_spinner=False)
def get_surface(key: tuple[str, str]) -> surfaces.Surface:
    """The surface for a key; a custom formula is parsed once (ExpressionError if bad)."""
    kind, text = key
    return surfaces.get(text) if kind == "builtin" else surfaces.parse(text)


def _surface_changed() -> None:
    """A new surface: its own start, and its own default rates where they were not changed."""
    st.session_state[keys.X0.key] = None
    st.session_state[keys.Y0.key] = None
    last = st.session_state.get(keys.LR_DEFAULTS, {})
    parked = state.parked_values(keys.PARKED)
    for k in keys.RATES:
        if k in parked:
            if parked[k] == last.get(k):
                parked[k] = None
        elif st.session_state.get(k) == last.get(k):
            st.session_state[k] = None


def default_lrs(surface: surfaces.Surface) -> dict[str, float]:
    """Every rate field's default on ``surface``, by session key (the engine caches them).

    The learning rates, and the step sizes that scale with them (AdaBound's final rate).
    """
    hypers = surface_lrs.default_hypers(surface)
    out = {}
    for k, (name, hyper, part) in keys.RATE_KEYS.items():
        value = hypers[name][hyper]
        out[k] = float(value if part is None else value[part])
    return out


def _fill_defaults(surface: surfaces.Surface) -> None:
    """Unset start and learning rates take the surface's own (before the widgets are drawn)."""
    if st.session_state.get(keys.X0.key) is None or st.session_state.get(keys.Y0.key) is None:
        st.session_state[keys.X0.key], st.session_state[keys.Y0.key] = surface.start
    lrs = default_lrs(surface)
    parked = state.parked_values(keys.PARKED)  # an optimizer not picked takes its rate when picked
    for k in keys.RATES:
        if k not in parked and st.session_state.get(k) is None:
            st.session_state[k] = lrs[k]
    st.session_state[keys.LR_DEFAULTS] = lrs


def consume_click() -> None:
    """A point picked on the map (the chart's selection state) becomes the start, once."""
    selection = st.session_state.get(keys.MAP_KEY)
    try:
        point = selection["selection"]["points"][0]
        xy = (float(point["x"]), float(point["y"]))
    except (TypeError, KeyError, IndexError, ValueError):
        return
    if st.session_state.get(keys.LAST_CLICK) == xy:
        return
    st.session_state[keys.LAST_CLICK] = xy
    st.session_state[keys.X0.key], st.session_state[keys.Y0.key] = xy


def _surface_key(container: Any) -> tuple[str, str]:
    name = container.selectbox(
        _("Surface"),
        list(SURFACE_LABELS),
        key=keys.SURFACE.key,
        format_func=lambda name: _(SURFACE_LABELS[name]),
        on_change=_surface_changed,
    )
    if name != keys.CUSTOM:
        return ("builtin", name)
    text = container.text_input(
        "f(x, y) =",
        key=keys.EXPR.key,
        on_change=_surface_changed,
        help=_("Python-like: x**2 + 3*sin(y), exp, log, sqrt, abs, tanh … over x, y in [-3, 3]."),
    )
    try:
        get_surface(("custom", text))
    except ValueError as exc:  # ExpressionError: the parser's own message, next to the box
        container.error(literal(exc), icon=":material/error:")  # '*' and '__' shown as typed
        last = st.session_state.get(keys.LAST_SURFACE)
        if last is None:
            container.caption(_("Showing the Beale surface until the formula parses."))
            return ("builtin", "beale")
        container.caption(
            _("Still showing the last formula that worked: `{formula}`").format(formula=last)
        )
        return ("custom", last)
    st.session_state[keys.LAST_SURFACE] = text
    return ("custom", text)


def _schedule(container: Any, steps: int) -> tuple:
    name = container.selectbox(
        _("Learning-rate schedule"),
        schedules.names(),
        key=keys.SCHEDULE.key,
        format_func=lambda name: _(SCHEDULE_LABELS[name]),
    )
    params: dict[str, float] = {}
    for field in (keys.SCHED_SIZE, keys.SCHED_WARM):
        # Their sliders end at the steps: fewer steps than a kept value (the default 100, then
        # Steps 10) raised StreamlitValueAboveMaxError when the schedule was picked.
        _clamp_int(field, high=steps)
    if name == "step":
        params["step_size"] = container.slider(
            _("every s steps"), 1, steps, key=keys.SCHED_SIZE.key
        )
        params["gamma"] = container.slider(_("multiply by γ"), 0.0, 1.0, key=keys.SCHED_GAMMA.key)
    elif name == "exponential":
        params["gamma"] = container.slider(
            _("γ per step"), 0.9, 1.0, step=0.001, key=keys.SCHED_EGAMMA.key
        )
    elif name == "cosine":
        params["eta_min_ratio"] = container.slider(_("η_min / η"), 0.0, 1.0, key=keys.SCHED_MIN.key)
    elif name == "warmup":
        params["warmup_steps"] = container.slider(
            _("warm-up steps w"), 1, steps, key=keys.SCHED_WARM.key
        )
        params["start_factor"] = container.slider(
            _("start factor f₀"), 1e-4, 1.0, step=1e-4, key=keys.SCHED_F0.key, format="%.4f"
        )
    if name != "constant":
        container.latex(schedules.LATEX[name])
    return (name, tuple(sorted(params.items())))


def _clamp_int(field: state.IntField, high: int | None = None) -> None:
    # Values from an old link can sit outside a slider's range: clamp before drawing.
    value = st.session_state.get(field.key, field.default)
    top = field.high if high is None else min(field.high, high)
    st.session_state[field.key] = min(max(int(value), field.low), top)


def sidebar() -> tuple[Settings, surfaces.Surface]:
    """Draw every control (call inside ``with st.sidebar``); the settings and the surface."""
    surface_key = _surface_key(st)
    surface = get_surface(surface_key)
    _fill_defaults(surface)

    names = ow.picker(keys.PREFIX, st)
    if not names:
        st.warning(_("Pick at least one optimizer."))
    shared = ow.shared_lr_widgets(keys.PREFIX, st)
    for name in names:
        # Only an open panel draws its widgets (a dozen sliders each, a third of a rerun's time
        # when all were drawn); a closed one's values stay in session state (state.keep).
        box = ow.panel(keys.PREFIX, name, st, on_change="rerun")
        if box.open:
            with box:
                st.caption(_(optimizers.describe(name)))
                ow.hyper_widgets(keys.PREFIX, name, st, lr_locked=shared is not None)

    st.markdown(_("**Start** (or click on the map)"))
    c1, c2 = st.columns(2)
    x0 = c1.number_input("x₀", key=keys.X0.key, step=0.1, format="%.4f")
    y0 = c2.number_input("y₀", key=keys.Y0.key, step=0.1, format="%.4f")
    _clamp_int(keys.STEPS)  # the schedule's step counts are clamped in _schedule, to the steps
    steps = st.slider(_("Steps"), keys.STEPS.low, keys.STEPS.high, key=keys.STEPS.key)
    noise = st.slider(
        _("Gradient noise σ"), 0.0, 10.0, step=0.05, key=keys.NOISE.key,
        help=_("g + σξ with ξ ~ N(0, I): a stand-in for mini-batch noise."),
    )  # fmt: skip
    seed = st.number_input(_("Noise seed"), 0, 2**31 - 1, key=keys.SEED.key)
    schedule = _schedule(st, steps)
    tol = st.select_slider(
        _("Tolerance for 'reached the minimum'"),
        options=grids.log_ladder(1e-12, 1e3, float(st.session_state[keys.TOL.key])),
        key=keys.TOL.key,
        format_func=lambda v: f"{v:.0e}",
    )
    settings = Settings(
        surface=surface_key,
        opts=ow.settings(keys.PREFIX, names, shared),
        start=(float(x0), float(y0)),
        steps=int(steps),
        noise=float(noise),
        seed=int(seed),
        schedule=schedule,
        tol=float(tol),
    )
    return settings, surface


def publish(surface: surfaces.Surface) -> None:
    """Write the URL; the start and learning rates only where they differ from the surface's."""
    lrs = default_lrs(surface)
    relative = [(keys.X0, surface.start[0]), (keys.Y0, surface.start[1])]
    relative += [(field, lrs[k]) for k, field in keys.RATES.items()]
    skip = {field.key for field, _default in relative}
    # Read once for both; the parked fields too (the optimizers not picked keep their links).
    values = {**state.parked_values(keys.PARKED), **state.session_values()}
    url = state.url_params()
    state.publish([f for f in keys.FIELDS if f.key not in skip], values, url)
    for field, default in relative:
        value = values.get(field.key, field.default)
        same = value is None or abs(float(value) - default) <= 1e-12 * max(1.0, abs(default))
        state.write_url(field.key, None if same else field.encode(value), url)
