"""The kept charts' large traces travel once per session; later figures name them.

The playground's map carries its surface's contour (156 kB of the map's 290 kB of JSON) and its
3D view the surface (20 kB). A changed learning rate, the page's most common gesture, changes
neither, yet every change sent them again: 40 % of its 0.45 MB, to each of a class's browsers.

A trace whose JSON has :data:`PART_BYTES` or more is a *part*, named by a digest of its JSON. The
first figure that holds it sends it along; later ones hold ``{"$part": name}`` in its place, and
the chart's frame (``kept_chart_frontend/index.html``) takes it from the parts its browser tab
holds (one store per tab, shared by the frames, so a frame drawn anew after a visit to another
page still finds them). A frame that lacks one all the same asks for it through its value,
``{"resend": [name, ...], "n": ...}``, and the run that follows sends it again.
"""

from __future__ import annotations

import hashlib
from typing import Any

import plotly.io as pio
import streamlit as st

#: A trace with this many bytes of JSON or more travels once per session.
PART_BYTES = 16_000
#: The parts a session remembers having sent (the frames' store keeps twice as many).
MAX_HELD = 32
_SENT = "_kept_parts_sent"  # session state: the names sent, oldest first


def encode(fig: dict[str, Any]) -> tuple[bytes, dict[str, bytes]]:
    """``fig`` (a figure's dict) as JSON, each large trace replaced by ``{"$part": name}``, and
    those traces' JSON by name. Encoded piece by piece (each trace, then the rest): as fast as
    the whole at once (1.9 against 2.1 ms for the playground's map), where splitting the whole
    figure's JSON afterwards took 1.4 ms more."""
    pieces, parts = [], {}
    for trace in fig.get("data") or []:
        text = _json(trace)
        if len(text) >= PART_BYTES:
            name = hashlib.blake2b(text, digest_size=8).hexdigest()
            parts[name] = text
            text = b'{"$part":"' + name.encode() + b'"}'
        pieces.append(text)
    rest = _json({k: v for k, v in fig.items() if k != "data"})  # b"{...}": the layout, frames
    tail = b"," + rest[1:] if len(rest) > 2 else b"}"
    return b'{"data":[' + b",".join(pieces) + b"]" + tail, parts


def _json(value: Any) -> bytes:
    return pio.to_json(value, validate=False).encode()


def to_send(parts: dict[str, bytes], key: str) -> tuple[bytes, str]:
    """Of ``parts`` (a figure's, for the chart ``key``), those this session has not sent yet and
    those the chart's frame asked for again: as one JSON object (name -> trace), and their names
    (a plain argument: Streamlit's frontend hands a frame new arguments only when its plain ones
    change, so the same figure sent again with its parts must say so). From now on they count
    as sent.

    A request stays in the chart's value until the frame sends another: the parts it names go
    with every run until then. A run that sent them may have been cut short by the next one
    (another frame's request, a slider moved), and its elements never drawn; a request once
    answered could then be lost. Frames lose their parts rarely (a tab that reloads them), so
    the cost is the old one, for that chart, while it lasts.
    """
    state = st.session_state
    sent = state.get(_SENT)
    if sent is None:
        sent = state[_SENT] = {}
    asked = state.get(key) if parts else None
    again = asked.get("resend") if isinstance(asked, dict) else None
    again = set(again) if isinstance(again, list) else set()
    names, pieces = [], []
    for name, text in parts.items():
        if sent.pop(name, None) is None or name in again:
            names.append(name)
            pieces.append(b'"' + name.encode() + b'":' + text)
        sent[name] = True  # the most recent last
    while len(sent) > MAX_HELD:
        del sent[next(iter(sent))]
    return b"{" + b",".join(pieces) + b"}", ",".join(names)
