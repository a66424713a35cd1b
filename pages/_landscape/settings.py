"""The Loss landscape page's settings: presets in the URL, and the engine specs they describe.

A link may name a preset (``ls_preset``) and override any of its settings. On the first run the
preset's values seed every field the URL does not set; ``publish`` writes each field that
differs from the active preset, so the link reopens the same view and stays short.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import streamlit as st

from engine.core.i18n import _
from engine.nets import landscape_presets as presets
from pages._common import state
from pages._common.keys import landscape as K


class Request(NamedTuple):
    """Everything a computation depends on (hashable: it keys the shared store)."""

    specs: tuple[presets.NetSpec, ...]
    data: presets.DataSpec
    view: presets.ViewSpec


def preset_values(name: str) -> dict[str, Any]:
    """Session-state values for every field of preset ``name``."""
    p = presets.get(name)
    values: dict[str, Any] = {K.PRESET.key: name, K.COMPARE.key: True}
    for fields, spec in ((K.DATA, p.data), (K.VIEW, p.view), (K.A, p.a), (K.B, p.b)):
        values.update({f.key: getattr(spec, attr) for attr, f in fields.items()})
    return values


def apply_preset(name: str) -> None:
    """on_click of a preset button: every field takes the preset's value."""
    st.session_state.update(preset_values(name))
    settings_changed()


def settings_changed() -> None:
    """on_change of every setting: a stopped computation may run again when asked."""
    st.session_state.pop(K.STOP, None)


def restore() -> None:
    """Seed session state: the URL's preset first, then the URL's fields, then the defaults."""
    ss = st.session_state
    if K.A["depth"].key not in ss:  # first run of this page in the session
        params = st.query_params
        name = params.get(K.PRESET.key)
        if name in presets.PRESETS:
            for key, value in preset_values(name).items():
                if key not in params:
                    ss[key] = value
    state.restore(K.FIELDS)
    for field in K.FIELDS:  # re-assigning keeps B's values while its widgets are hidden
        ss[field.key] = ss[field.key]


def publish() -> None:
    """Write to the URL every field that differs from the active preset (from the defaults when
    none is active): :func:`restore` seeds the rest from the preset, so links stay short."""
    ss, params = st.session_state, st.query_params
    name = ss.get(K.PRESET.key)
    ref = preset_values(name) if name in presets.PRESETS else {}
    for field in K.FIELDS:
        encoded = field.encode(ss.get(field.key, field.default))
        target = field.default if field.key == K.PRESET.key else ref.get(field.key, field.default)
        if encoded == field.encode(target):
            if field.key in params:
                del params[field.key]
        elif params.get(field.key) != encoded:
            params[field.key] = encoded


def preset_changed() -> bool:
    """Whether any setting differs from the active preset."""
    ss = st.session_state
    name = ss.get(K.PRESET.key)
    if name not in presets.PRESETS:
        return False
    ref = preset_values(name)
    skip = {K.PRESET.key, K.SHOW_3D.key}
    return any(
        f.encode(ss.get(f.key)) != f.encode(ref[f.key]) for f in K.FIELDS if f.key not in skip
    )


def request() -> Request:
    """The engine specs of the current settings (ValueError for a bad combination)."""
    ss = st.session_state

    def spec(cls, fields):
        return cls(**{attr: ss[f.key] for attr, f in fields.items()})

    nets = [spec(presets.NetSpec, K.A)]
    if ss.get(K.COMPARE.key):
        nets.append(spec(presets.NetSpec, K.B))
    return Request(tuple(nets), spec(presets.DataSpec, K.DATA), spec(presets.ViewSpec, K.VIEW))


def describe(net: presets.NetSpec) -> str:
    """One line for a network: architecture, then how it is trained."""
    extras = [x for x, on in ((_("batch norm"), net.batchnorm), (_("skips"), net.residual)) if on]
    batch = _("batch {size}").format(size=net.batch_size) if net.batch_size else _("full batch")
    arch = " · ".join([f"{net.depth}×{net.width} {net.activation}", *extras])
    return f"{arch} · {net.optimizer} η={net.lr:g} · {batch}"
