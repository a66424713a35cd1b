"""Optimizer picker and per-optimizer hyperparameter widgets, built from ``hyper_specs``.

Shared by the pages that run optimizers; every key starts with the page's ``prefix`` (``pg_``),
so two pages never share state. Declare the URL fields with :func:`fields`, draw with
:func:`picker` and :func:`hyper_widgets`, and read the chosen settings back as a hashable
tuple with :func:`settings` (for ``st.cache_data``) or :func:`hyper` (a dict for ``create``).

Floats with a log range (learning rate, eps) use a select-slider over the engine's ladder
(``engine.optimizers.grids.log_ladder``: 1, 1.5, 2, 3, 5, 7 per decade); the current value (from a link or a sweep) is always one of the options, so a value that
is not on the grid is kept exactly. Labels and slider steps come from the engine's ``HyperSpec``
(``"λ — weight decay"``); a slider shows every digit its step can set.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import streamlit as st

from engine import optimizers
from engine.core.i18n import N_, _
from engine.optimizers import HyperSpec, grids
from pages._common.state import BoolField, ChoiceField, Field, FloatField, MultiChoiceField

DEFAULT_PICK = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
SHORT = {
    "weight_decay": "wd",
    "initial_accumulator_value": "acc0",
    "decoupled_weight_decay": "dwd",
    "momentum_decay": "mdecay",
    "convention": "conv",
    "dampening": "damp",
    "maximize": "max",
    "lr_decay": "lrdecay",
    "momentum": "mom",
}
CONVENTION_LABELS = {
    "pytorch": "PyTorch (torch.optim)",
    "velocity": N_("course: v ← λv − η∇L"),
    "ema": N_("course: v ← βv + (1−β)∇L"),
    "course": N_("course: σ⁰ = (g⁰)² (not 0)"),
}


def key(prefix: str, name: str, hyper_name: str) -> str:
    return f"{prefix}{name}_{SHORT.get(hyper_name, hyper_name)}"


def _default(name: str, spec: HyperSpec) -> Any:
    # The 2D surfaces need larger steps than torch's network-tuned defaults.
    return optimizers.traits(name).lr["surface"] if spec.name == "lr" else spec.default


def fields(prefix: str, names: Sequence[str] | None = None) -> list[Field]:
    """The URL fields: picked optimizers, the shared-lr switch and every hyperparameter."""
    names = list(names or optimizers.names())
    out: list[Field] = [
        MultiChoiceField(f"{prefix}opts", list(DEFAULT_PICK), choices=tuple(names)),
        BoolField(f"{prefix}same_lr", False),
        FloatField(f"{prefix}lr", 0.01, low=1e-5, high=10.0),
    ]
    for name in names:
        out += own_fields(prefix, name)
    return out


def own_fields(prefix: str, name: str) -> list[Field]:
    """The URL fields of one optimizer's hyperparameters."""
    out: list[Field] = []
    for spec in optimizers.hyper_specs(name):
        k = key(prefix, name, spec.name)
        default = _default(name, spec)
        if spec.kind == "float":
            out.append(FloatField(k, default, low=spec.low, high=spec.high))
        elif spec.kind == "pair":
            out += [
                FloatField(f"{k}{i + 1}", default[i], low=spec.low, high=spec.high)
                for i in range(2)
            ]
        elif spec.kind == "bool":
            out.append(BoolField(k, default))
        else:
            out.append(ChoiceField(k, default, choices=spec.choices))
    return out


@functools.cache
def _owners(prefix: str) -> dict[str, str]:
    """The optimizer whose hyperparameter each own field is, by key."""
    return {f.key: name for name in optimizers.names() for f in own_fields(prefix, name)}


def split_picked(
    prefix: str, fields: Sequence[Field], values: dict[str, Any]
) -> tuple[list[Field], list[Field]]:
    """``fields`` in two: those a run reads (the page's own and the picked optimizers') and the
    hyperparameters of the optimizers not picked, which can wait parked (``state.park``).
    ``values``: every field's value at the start of the run (``state.restore``)."""
    picked = set(values.get(f"{prefix}opts") or ())
    owners = _owners(prefix)
    used, unused = [], []
    for field in fields:
        owner = owners.get(field.key)
        (used if owner is None or owner in picked else unused).append(field)
    return used, unused


def _value(k: str, default: Any) -> Any:
    return st.session_state.get(k, default)


def label(spec: HyperSpec, part: int | None = None) -> str:
    """A widget label from the engine's metadata: symbol and plain name (``"λ — weight decay"``).

    ``part`` picks one element of a pair (``betas``: 0 for β₁, 1 for β₂).
    """
    symbol, name = spec.symbol, spec.label or spec.name
    if part is not None:
        symbol = symbol[part] if symbol else ""
        name = name[part] if isinstance(name, tuple) else name
    name = _(name)  # the engine marks its labels N_()
    return f"{symbol} — {name}" if symbol else name


def slider_format(step: float) -> str:
    """A printf format with as many decimals as ``step`` has (1e-4: "%.4f", so 0.999 not 1.00)."""
    decimals = max(0, math.ceil(-math.log10(step) - 1e-9))
    return f"%.{decimals}f"


def panel(prefix: str, name: str, container: Any = st, **kw: Any) -> Any:
    """The expander that holds one optimizer's widgets (``kw``: st.expander's, e.g. on_change).

    Its title holds no value that a widget inside changes, and its key is fixed: a title that
    changed (say with η) would make a new expander, collapsed, after every change.
    """
    return container.expander(f"**{name}**", key=f"{prefix}panel_{name}", **kw)


def _float_widget(
    container: Any, label: str, k: str, spec: HyperSpec, part: int | None = None, **kw: Any
) -> None:
    default = spec.default if part is None else spec.default[part]
    if spec.log:
        current = float(_value(k, default))
        container.select_slider(
            label,
            options=grids.log_ladder(spec.low, spec.high, current, default),
            key=k,
            format_func=lambda v: f"{v:.3g}",
            help=_(spec.help) + _(" (log scale)"),
            **kw,
        )
        return
    step = spec.step or 10.0 ** (math.floor(math.log10(spec.high - spec.low)) - 3)
    container.slider(
        label, spec.low, spec.high, step=step, key=k, help=_(spec.help) if spec.help else None,
        format=slider_format(step), **kw,
    )  # fmt: skip


def grouped(names: Sequence[str] | None = None) -> list[str]:
    """``names`` (default: every optimizer) by family, in ``GROUPS`` order, teaching order within."""
    names = list(names or optimizers.names())
    rank = {g: i for i, g in enumerate(optimizers.GROUPS)}
    return sorted(names, key=lambda n: (rank[optimizers.group(n)], names.index(n)))


def option_label(name: str) -> str:
    """A picker option: the name and its family (``"muon · matrix"``)."""
    return f"{name} · {_(optimizers.group(name))}"


def picker(prefix: str, container: Any = st, label: str = N_("Optimizers")) -> list[str]:
    """The optimizer multiselect, listed by family; returns the picked names in teaching order.

    The options are the same names as before (the URL keeps them); only their order and label
    show the family.
    """
    names = optimizers.names()
    picked = container.multiselect(
        _(label),
        grouped(names),
        key=f"{prefix}opts",
        format_func=option_label,
        help=_(
            "Every optimizer of the engine, by family ({families}); the colours are the same on "
            "every page."
        ).format(families=_(", ").join(_(g) for g in optimizers.GROUPS)),
    )
    return [n for n in names if n in picked]


def shared_lr_widgets(prefix: str, container: Any = st) -> float | None:
    """The 'same learning rate for all' switch and its slider; the shared lr or None."""
    on = container.toggle(_("Same learning rate for all"), key=f"{prefix}same_lr")
    if not on:
        return None
    spec = HyperSpec(
        "lr", 0.01, "float", 1e-5, 10.0, True, (), _("learning rate η for every optimizer")
    )
    _float_widget(container, _("Learning rate η (all)"), f"{prefix}lr", spec)
    return float(st.session_state[f"{prefix}lr"])


def hyper_widgets(prefix: str, name: str, container: Any = st, lr_locked: bool = False) -> None:
    """Every hyperparameter widget of ``name`` (lr greyed out when a shared lr is on)."""
    for spec in optimizers.hyper_specs(name):
        k = key(prefix, name, spec.name)
        if spec.kind == "float":
            locked = spec.name == "lr" and lr_locked
            _float_widget(container, label(spec), k, spec, disabled=locked)
        elif spec.kind == "pair":
            for i in range(2):
                _float_widget(container, label(spec, i), f"{k}{i + 1}", spec, i)
        elif spec.kind == "bool":
            container.checkbox(label(spec), key=k, help=_(spec.help) if spec.help else None)
        else:
            container.selectbox(
                label(spec),
                spec.choices,
                key=k,
                format_func=lambda c: _(CONVENTION_LABELS.get(c, c)),
                help=_(spec.help) if spec.help else None,
            )


def hyper(prefix: str, name: str, lr: float | None = None) -> dict[str, Any]:
    """The hyperparameters of ``name`` from session state (defaults where unset)."""
    out: dict[str, Any] = {}
    for spec in optimizers.hyper_specs(name):
        k = key(prefix, name, spec.name)
        default = _default(name, spec)
        if spec.kind == "pair":
            out[spec.name] = tuple(float(_value(f"{k}{i + 1}", default[i])) for i in range(2))
        elif spec.kind == "float":
            out[spec.name] = float(_value(k, default))
        else:
            out[spec.name] = _value(k, default)
    if lr is not None:
        out["lr"] = float(lr)
    return out


def settings(prefix: str, names: Sequence[str], lr: float | None = None) -> tuple:
    """A hashable description of the picked optimizers: ((name, ((hyper, value), ...)), ...)."""
    return tuple((n, tuple(sorted(hyper(prefix, n, lr).items()))) for n in names)


def build(settings_: tuple) -> list[optimizers.Optimizer]:
    """The optimizers described by :func:`settings` (ValueError for a bad value)."""
    return [optimizers.create(name, **dict(items)) for name, items in settings_]
