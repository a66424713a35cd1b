"""Widget state that lives in the URL, so a copied link reopens the same view.

Each page declares its fields once (``pages/_common/keys/<page>.py``): the field's ``key`` is both
the widget's session-state key and the query-parameter name. ``restore`` seeds session state from
the URL before the widgets are drawn; ``publish`` writes the current values back afterwards,
leaving defaults out so links stay short. A malformed URL value is ignored, never raised: a shared
link must not become a traceback on a projector.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from engine.core.i18n import _


def link_number(value: Any) -> str:
    """A number as a link writes it: six significant digits, so links stay short."""
    return f"{float(value):.6g}"


@dataclass(frozen=True)
class Field:
    """One piece of URL state. Subclasses convert between the value and its URL text."""

    key: str
    default: Any

    def encode(self, value: Any) -> str:
        return str(value)

    def decode(self, text: str) -> Any:
        """Return the value for ``text``; raise ValueError (or TypeError) when it is not
        acceptable, and nothing else: :func:`restore` falls back to the default on those two."""
        return text


@dataclass(frozen=True)
class FloatField(Field):
    low: float = -math.inf
    high: float = math.inf

    def encode(self, value: Any) -> str:
        return link_number(value)

    def decode(self, text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(text)
        return min(max(value, self.low), self.high)


@dataclass(frozen=True)
class IntField(Field):
    low: int = -(2**31)
    high: int = 2**31

    def decode(self, text: str) -> int:
        value = float(text)
        if not math.isfinite(value):  # int() of inf raises OverflowError, which is no ValueError
            raise ValueError(text)
        return min(max(int(value), self.low), self.high)


@dataclass(frozen=True)
class BoolField(Field):
    def encode(self, value: Any) -> str:
        return "1" if value else "0"

    def decode(self, text: str) -> bool:
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(text)


@dataclass(frozen=True)
class ChoiceField(Field):
    choices: Sequence[str] = ()

    def decode(self, text: str) -> str:
        if text not in self.choices:
            raise ValueError(text)
        return text


@dataclass(frozen=True)
class MultiChoiceField(Field):
    """A list of choices, written as ``a,b,c`` in the URL."""

    choices: Sequence[str] = ()

    def encode(self, value: Any) -> str:
        return ",".join(value)

    def decode(self, text: str) -> list[str]:
        picked = [part for part in text.split(",") if part]
        if any(part not in self.choices for part in picked):
            raise ValueError(text)
        return list(dict.fromkeys(picked))  # drop repeats, keep order


@dataclass(frozen=True)
class TextField(Field):
    max_length: int = 300

    def decode(self, text: str) -> str:
        if len(text) > self.max_length:
            raise ValueError(text)
        return text


@dataclass(frozen=True)
class PointField(Field):
    """An (x, y) pair, written as ``x,y``."""

    def encode(self, value: Any) -> str:
        x, y = value
        return f"{link_number(x)},{link_number(y)}"

    def decode(self, text: str) -> tuple[float, float]:
        x, y = (float(part) for part in text.split(","))
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(text)
        return (x, y)


#: Up to this many keys are looked up one by one; more, and the whole state is copied once.
FEW = 8


def session_values(keys: Sequence[str] | None = None) -> dict[str, Any]:
    """Session state's keys and values, read once: a page has a hundred or more fields, and each
    lookup through ``st.session_state`` costs about ten microseconds (issue 12: a slider's rerun).
    ``keys``: only these are needed; a few are looked up one by one, cheaper than a copy of the
    whole state (0.35 ms on the playground, whose state holds two hundred keys)."""
    if keys is not None and len(keys) <= FEW:
        state = st.session_state
        return {k: state[k] for k in keys if k in state}
    return st.session_state.to_dict()


def url_params() -> dict[str, str]:
    """The URL's parameters, read once (each ``st.query_params`` lookup is a tracked API call)."""
    return st.query_params.to_dict()


def restore(fields: Sequence[Field], parked: str | None = None) -> dict[str, Any]:
    """Seed session state from the URL (first run of a session) or from the defaults. Returns
    every field's value after it (for :func:`keep` and :func:`park`). ``parked``: the entry that
    holds the page's parked fields (:func:`park`); they count as present, and one written into
    session state again while parked (a callback, a link) is taken from there instead."""
    present = session_values([field.key for field in fields])
    box = st.session_state.get(parked) if parked else None
    for k in list(box or ()):
        if k in present:
            del box[k]
        else:
            present[k] = box[k]
    missing = [field for field in fields if field.key not in present]
    params = url_params() if missing else {}
    for field in missing:
        value = field.default
        if field.key in params:
            try:
                value = field.decode(params[field.key])
            except (ValueError, TypeError):
                value = field.default  # a hand-edited or stale link falls back quietly
        st.session_state[field.key] = value
        present[field.key] = value
    return present


def park(fields: Sequence[Field], parked: str, values: dict[str, Any]) -> None:
    """Move ``fields`` out of session state into one entry of it, ``st.session_state[parked]``;
    a field parked before and not among ``fields`` now goes back (``values``: what
    :func:`restore` returned in this run). Call before the widgets are drawn.

    Every select box, number input and radio button copies the whole session state when it is
    drawn (Streamlit's ``filtered_state``, about 2 µs a key): the playground's fields of the
    optimizers nobody picked, 150 of its 200 keys, cost 2 ms of each rerun there (issue 12).
    Parked, they are one key.
    """
    box = st.session_state.get(parked)
    if box is None:
        box = st.session_state[parked] = {}
    now = {field.key for field in fields}
    for k in [k for k in box if k not in now]:
        st.session_state[k] = box.pop(k)
    for field in fields:
        if field.key not in box and field.key in values:
            box[field.key] = values[field.key]
            del st.session_state[field.key]


def parked_values(parked: str | None) -> dict[str, Any]:
    """The fields parked under ``parked`` (:func:`park`; None: none), by key: read-only."""
    return (st.session_state.get(parked) if parked else None) or {}


def value(field: Field) -> Any:
    """The field's current value (session state, else its default)."""
    return st.session_state.get(field.key, field.default)


def write_url(key: str, text: str | None, url: dict[str, str] | None = None) -> None:
    """Put ``key=text`` in the URL, or take ``key`` out of it when ``text`` is None (a default:
    links stay short). The URL is only touched where it changes; ``url``: the parameters as
    :func:`url_params` read them, when the caller writes many."""
    current = (st.query_params.to_dict() if url is None else url).get(key)
    if text is None:
        if current is not None:
            del st.query_params[key]
    elif current != text:
        st.query_params[key] = text


def publish(
    fields: Sequence[Field],
    values: dict[str, Any] | None = None,
    url: dict[str, str] | None = None,
    parked: str | None = None,
) -> None:
    """Write the non-default values to the URL and drop the default ones. ``values`` and
    ``url``: session state's values (the parked ones among them) and the URL's parameters, when
    the caller has read them; ``parked``: the entry of :func:`park`, when it has not."""
    if values is None:
        values = {**parked_values(parked), **session_values([field.key for field in fields])}
    if url is None:
        url = url_params()
    for field in fields:
        current = values.get(field.key, field.default)
        encoded = field.encode(current)
        default = current == field.default or encoded == field.encode(field.default)
        write_url(field.key, None if default else encoded, url)


def reset(fields: Sequence[Field]) -> None:
    """Put every field back to its default (for a 'Reset' button or a preset)."""
    for field in fields:
        st.session_state[field.key] = field.default


def keep(fields: Sequence[Field], values: dict[str, Any] | None = None) -> None:
    """Keep each field's value across runs that do not draw its widget (call before drawing;
    ``values``: what :func:`restore` returned, when it was just called).

    Streamlit drops a widget's value from session state after a run that did not draw the
    widget, so a control of a view that is not shown (the playground's grid of starts) would
    fall back to its default. Writing the value back makes it session state's own again.
    """
    values = session_values([field.key for field in fields]) if values is None else values
    for field in fields:
        if field.key in values:
            st.session_state[field.key] = values[field.key]


def url_notes(fields: Sequence[Field], params: Any) -> list[str]:
    """Messages for URL values that were unreadable or out of range (they fall back quietly)."""
    notes = []
    for field in fields:
        if field.key not in params:
            continue
        raw = params[field.key]
        try:
            decoded = field.decode(raw)
        except (ValueError, TypeError):
            notes.append(
                _("Ignored the link's {key}={raw!r}: not a valid value.").format(
                    key=field.key, raw=raw
                )
            )
            continue
        numeric = isinstance(decoded, int | float) and not isinstance(decoded, bool)
        if numeric and abs(float(decoded) - float(raw)) > 1e-9 * max(1.0, abs(float(raw))):
            notes.append(
                _("The link's {key}={raw} is out of range: using {decoded}.").format(
                    key=field.key, raw=raw, decoded=decoded
                )
            )
    return notes
