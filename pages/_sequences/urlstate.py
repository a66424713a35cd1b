"""Presets and URL state of the Gradients through time page.

A link may name a preset (``sq_preset``) and override any of its settings: on the first run the
preset's values seed every field the URL does not set, so :func:`publish` writes only the fields
that differ from the active preset (from their defaults when there is none).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine.sequences import presets
from pages._common import state
from pages._common.keys import sequences as K


def preset_values(name: str) -> dict[str, Any]:
    """Session-state values for every field of preset ``name``."""
    s = presets.get(name).settings
    values: dict[str, Any] = {K.PRESET.key: name, K.POSITION.key: 0}
    for attr, field in K.SETTINGS.items():
        value = getattr(s, attr)
        values[field.key] = list(value) if isinstance(value, tuple) else value
    return values


def settings_changed() -> None:
    """on_change of every setting: a new configuration may train again."""
    st.session_state["sq_stop"] = False


def apply_preset(name: str) -> None:
    """on_click of a preset button: every field takes the preset's value."""
    st.session_state.update(preset_values(name))
    settings_changed()


def restore() -> list[str]:
    """Seed session state (preset, then URL, then defaults); return notes about bad URL values."""
    ss = st.session_state
    notes: list[str] = []
    if K.SETTINGS["task"].key not in ss:  # first run of this page in the session
        params = st.query_params
        name = params.get(K.PRESET.key, K.PRESET.default)
        if name in presets.PRESETS:
            for key, value in preset_values(name).items():
                if key not in params:
                    ss[key] = value
        notes = state.url_notes(K.FIELDS, params)
    state.restore(K.FIELDS)
    return notes


def publish() -> None:
    """Write every field that differs from the active preset (or, without one, from its
    default) to the URL, so the link reopens the same view and stays short."""
    ss, params = st.session_state, st.query_params
    name = ss.get(K.PRESET.key)
    ref = preset_values(name) if name in presets.PRESETS else {}
    for field in K.FIELDS:
        encoded = field.encode(ss.get(field.key, field.default))
        needed = encoded != field.encode(ref.get(field.key, field.default))
        if field is K.PRESET:
            needed = encoded != field.encode(field.default)
        if not needed:
            if field.key in params:
                del params[field.key]
        elif params.get(field.key) != encoded:
            params[field.key] = encoded


def preset_changed() -> bool:
    """Whether any setting differs from the active preset's."""
    ss = st.session_state
    name = ss.get(K.PRESET.key)
    if name not in presets.PRESETS:
        return False
    ref = preset_values(name)
    return any(f.encode(ss.get(f.key)) != f.encode(ref[f.key]) for f in K.SETTINGS.values())


def settings() -> presets.Settings:
    """The current settings; cells in the engine's order, whatever order they were picked in."""
    ss = st.session_state
    values = {attr: ss[f.key] for attr, f in K.SETTINGS.items()}
    picked = set(values["cells"])
    values["cells"] = tuple(c for c in K.SETTINGS["cells"].choices if c in picked)
    return presets.Settings(**values)


def position(T: int) -> int:
    """The connectivity's output position, 1-based (0 in the URL means the last step)."""
    value = int(st.session_state.get(K.POSITION.key, 0))
    return T if value <= 0 or value > T else value
