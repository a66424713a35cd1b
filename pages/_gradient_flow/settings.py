"""The Gradient flow page's settings: presets, the URL, and the frozen settings of a run.

A link may name a preset (``gf_preset``) and override any of its settings. On the first run the
preset's values seed every field the URL does not set; :func:`publish` writes each field that
differs from its default *or* from the active preset, so the link reopens the view.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine.nets import presets
from pages._common import state
from pages._common.keys import gradient_flow as K


def preset_values(name: str) -> dict[str, Any]:
    """Session-state values for every field of preset ``name``."""
    p = presets.get(name)
    values: dict[str, Any] = {
        K.PRESET.key: name,
        K.COMPARE.key: p.compare,
        K.HEATMAP.key: p.heatmap,
    }
    values.update({f.key: getattr(p.data, attr) for attr, f in K.DATA.items()})
    values.update({f.key: getattr(p.a, attr) for attr, f in K.A.items()})
    if p.b is None:
        values.update({f.key: f.default for f in K.B.values()})
    else:
        values.update({f.key: getattr(p.b, attr) for attr, f in K.B.items()})
    return values


def apply_preset(name: str) -> None:
    """on_click of a preset button: every field takes the preset's value."""
    st.session_state.update(preset_values(name))
    settings_changed()


def settings_changed() -> None:
    """on_change of every setting: a new configuration may train again."""
    st.session_state["gf_stop"] = False


def restore() -> list[str]:
    """Seed session state (preset, then URL, then defaults); return notes about bad URL values."""
    ss = st.session_state
    notes: list[str] = []
    if K.A["depth"].key not in ss:  # first run of this page in the session
        params = st.query_params
        name = params.get(K.PRESET.key)
        if name in presets.PRESETS:
            for key, value in preset_values(name).items():
                if key not in params:
                    ss[key] = value
        notes = state.url_notes(K.FIELDS, params)
    state.restore(K.FIELDS)
    for field in K.FIELDS:  # re-assigning keeps B's values while its widgets are hidden
        ss[field.key] = ss[field.key]
    return notes


def publish() -> None:
    """Write every field that differs from its default or from the active preset to the URL."""
    ss = st.session_state
    name = ss.get(K.PRESET.key)
    ref = preset_values(name) if name in presets.PRESETS else {}
    for field in K.FIELDS:
        encoded = field.encode(ss.get(field.key, field.default))
        needed = encoded != field.encode(field.default) or (
            field.key in ref and encoded != field.encode(ref[field.key])
        )
        state.write_url(field.key, encoded if needed else None)


def preset_changed() -> list[str]:
    """The keys whose values differ from the active preset (empty when it is untouched)."""
    ss = st.session_state
    name = ss.get(K.PRESET.key)
    if name not in presets.PRESETS:
        return []
    skip = {K.PRESET.key, K.HEATMAP.key}
    if not ss.get(K.COMPARE.key):
        skip |= {f.key for f in K.B.values()}
    ref = preset_values(name)
    fields = [f for f in K.FIELDS if f.key not in skip]
    return [f.key for f in fields if f.encode(ss.get(f.key)) != f.encode(ref[f.key])]


def current() -> tuple[presets.DataSettings, list[tuple[str, presets.NetSettings]]]:
    """The shared data settings and the (label, NetSettings) of each shown configuration."""
    ss = st.session_state
    data = presets.DataSettings(**{attr: ss[f.key] for attr, f in K.DATA.items()})
    nets = [("A", presets.NetSettings(**{attr: ss[f.key] for attr, f in K.A.items()}))]
    if ss.get(K.COMPARE.key):
        nets.append(("B", presets.NetSettings(**{attr: ss[f.key] for attr, f in K.B.items()})))
    return data, nets
