"""Figures held as their plain JSON spec, built without plotly's per-property validation.

Plotly's graph objects check every property on every assignment: building the playground's
figures that way cost more than computing the trajectories they show. The builders of the
playground assemble plain dicts instead (the same keys and values that the graph objects would
have produced) and wrap them in a :class:`SpecFigure`, which ``st.plotly_chart``, ``to_html``
and ``to_json`` take like any figure: they read it through ``to_dict``, which returns the spec
as it is, with its numpy arrays already turned into plotly's base64 typed arrays.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from _plotly_utils.utils import convert_to_base64

_TEMPLATES: dict[str | None, dict[str, Any]] = {}


def template(name: str | None = None) -> dict[str, Any]:
    """A template's JSON as a graph-object figure writes it into its layout (made once per name):
    the default template's for None, else that of the named one (``"plotly_white"``)."""
    if name not in _TEMPLATES:
        layout = {} if name is None else {"template": name}
        _TEMPLATES[name] = go.Figure(layout=layout).to_dict()["layout"]["template"]
    return _TEMPLATES[name]


def encode(node: Any) -> Any:
    """``node`` (a trace, a layout, a list of them) with every numpy array as a typed array."""
    convert_to_base64(node)
    return node


class SpecFigure(go.Figure):
    """A figure whose content is the plain dict :attr:`spec` (``data``, ``layout``, ``frames``).

    Build it with :func:`figure`, extend it with :meth:`add`, :meth:`set_layout` and
    :meth:`set_frames` while building; once it is shown or
    cached it is read-only. Its graph-object views (``.data``, ``.layout``) are empty: read the
    figure through ``to_dict()`` (or :attr:`spec`), as Streamlit and plotly.io do.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self._spec = spec

    @property
    def spec(self) -> dict[str, Any]:
        return self._spec

    def add(self, *traces: dict[str, Any]) -> None:
        """Append traces (plain dicts; numpy arrays are encoded here)."""
        self._spec["data"].extend(encode(list(traces)))

    def set_layout(self, **layout: Any) -> None:
        """Set top-level layout keys (plain values; numpy arrays are encoded here)."""
        self._spec["layout"].update(encode(layout))

    def set_frames(self, frames: list[dict[str, Any]]) -> None:
        """Replace the animation frames (plain dicts)."""
        self._spec["frames"] = encode(list(frames))

    def to_dict(self) -> dict[str, Any]:
        return self._spec

    def to_plotly_json(self) -> dict[str, Any]:
        return self._spec


def figure(
    data: list[dict[str, Any]],
    layout: dict[str, Any],
    frames: list | None = None,
    template_name: str | None = None,
) -> SpecFigure:
    """A :class:`SpecFigure` of plain trace and layout dicts (numpy arrays allowed in both), in
    the default template or the one named."""
    spec: dict[str, Any] = {"data": encode(list(data)), "layout": encode(dict(layout))}
    spec["layout"]["template"] = template(template_name)
    if frames:
        spec["frames"] = encode(list(frames))
    return SpecFigure(spec)
