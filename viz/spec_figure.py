"""Figures held as their plain JSON spec, built without plotly's per-property validation.

Plotly's graph objects check every property on every assignment: building the playground's
figures that way cost more than computing the trajectories they show. The builders of the
playground assemble plain dicts instead (the same keys and values that the graph objects would
have produced) and wrap them in a :class:`SpecFigure`, which ``st.plotly_chart``, ``to_html``
and ``to_json`` take like any figure: they read it through ``to_dict``, which returns the spec
as it is, with its numpy arrays already turned into plotly's base64 typed arrays.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import numpy as np
import plotly.graph_objects as go
from _plotly_utils.utils import to_typed_array_spec

_TEMPLATES: dict[str | None, dict[str, Any]] = {}


def template(name: str | None = None) -> dict[str, Any]:
    """A template's JSON as a graph-object figure writes it into its layout (made once per name):
    the default template's for None, else that of the named one (``"plotly_white"``)."""
    if name not in _TEMPLATES:
        layout = {} if name is None else {"template": name}
        _TEMPLATES[name] = go.Figure(layout=layout).to_dict()["layout"]["template"]
    return _TEMPLATES[name]


_SHORT = {"int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2", "int32": "i4",
          "uint32": "u4", "float32": "f4", "float64": "f8"}  # fmt: skip
_SKIPPED = frozenset({"geojson", "layer", "layers", "range"})  # plotly leaves these as they are


def typed_array(v: np.ndarray) -> Any:
    """``v`` as plotly.js's typed-array spec, as ``_plotly_utils.utils.to_typed_array_spec``
    writes it (64-bit integers narrowed where they fit), without its per-array detour through
    narwhals; any other dtype (strings, objects, booleans) goes the library's own way."""
    if v.dtype.kind not in "iuf":
        return to_typed_array_spec(v)
    if v.size == 0:
        return v
    if v.dtype.kind in "iu" and v.dtype.itemsize == 8:
        lo, hi = v.min(), v.max()
        signed = v.dtype.kind == "i"
        for bits in (8, 16, 32):
            info = np.iinfo(f"{'int' if signed else 'uint'}{bits}")
            if info.min <= lo and hi <= info.max:
                v = v.astype(info.dtype)
                break
        else:
            return v
    short = _SHORT.get(str(v.dtype))
    if short is None:
        return v
    spec = {"dtype": short, "bdata": base64.b64encode(np.ascontiguousarray(v)).decode("ascii")}
    if v.ndim > 1:
        spec["shape"] = str(v.shape)[1:-1]
    return spec


def encode(node: Any) -> Any:
    """``node`` (a trace, a layout, a list of them) with every numpy array as a typed array, as
    ``_plotly_utils.utils.convert_to_base64`` does it (in place)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _SKIPPED:
                continue
            if isinstance(value, np.ndarray):
                node[key] = typed_array(value)
            elif isinstance(value, dict | list | tuple):
                encode(value)
    elif isinstance(node, list | tuple):
        for value in node:
            if isinstance(value, dict | list | tuple):
                encode(value)
    return node


class SpecFigure(go.Figure):
    """A figure whose content is the plain dict :attr:`spec` (``data``, ``layout``, ``frames``).

    Build it with :func:`figure`, extend it with :meth:`add`, :meth:`set_layout` and
    :meth:`set_frames` while building; once it is shown or
    cached it is read-only. Its graph-object views (``.data``, ``.layout``) are empty: read the
    figure through ``to_dict()`` (or :attr:`spec`), as Streamlit and plotly.io do.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        # go.Figure's own set-up (its default template, validated) costs 0.7 ms a figure, a
        # few per slider move (issue 12), and is needed only by the graph-object views, which
        # nothing in the app reads: it runs on the first such read (__getattr__), if ever.
        self._spec = spec

    def __getattr__(self, name: str) -> Any:
        # Called only for an attribute not set yet: go.Figure's internals before its set-up.
        if name.startswith("__") or "_graph_objects_ready" in self.__dict__:
            raise AttributeError(name)
        self.__dict__["_graph_objects_ready"] = True
        super().__init__()
        return getattr(self, name)

    @property
    def spec(self) -> dict[str, Any]:
        return self._spec

    def derived(self, name: str, make: Callable[[SpecFigure], Any]) -> Any:
        """``make(self)``, computed once and kept with the figure (read-only once shown, so
        what is derived from it stays true): a chart's encoding, say, for every rerun that
        shows the same cached figure. Gone with the figure."""
        memo = self.__dict__.setdefault("_derived", {})
        if name not in memo:
            memo[name] = make(self)
        return memo[name]

    def add(self, *traces: dict[str, Any]) -> None:
        """Append traces (plain dicts; numpy arrays are encoded here)."""
        self._spec["data"].extend(encode(list(traces)))

    def set_layout(self, **layout: Any) -> None:
        """Set top-level layout keys (plain values; numpy arrays are encoded here)."""
        self._spec["layout"].update(encode(layout))

    def set_frames(self, frames: list[dict[str, Any]], *, arrays: bool = True) -> None:
        """Replace the animation frames (plain dicts). ``arrays=False``: they hold no numpy
        arrays, only lists and numbers, so the walk that encodes arrays is skipped (a hundred
        frames of a few traces each: about a millisecond per figure)."""
        self._spec["frames"] = encode(list(frames)) if arrays else list(frames)

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


# The subplot layout of ``make_subplots`` without building it: axis names, domains, titles.


def axis_key(prefix: str, i: int) -> str:
    """The layout key of subplot ``i``'s axis (1-based, row by row): ``xaxis``, ``xaxis2`` ..."""
    return f"{prefix}axis{'' if i == 1 else i}"


def axis_ref(prefix: str, i: int) -> str:
    """A trace's reference to subplot ``i``'s axis: ``x``, ``x2`` ..."""
    return f"{prefix}{'' if i == 1 else i}"


Domains = tuple[list[float], list[float]]


def subplot_grid(
    rows: int, cols: int, v_space: float | None = None, h_space: float | None = None
) -> list[Domains]:
    """The (x, y) domains of a rows x cols grid, row by row from the top, as ``make_subplots``
    lays them out (default spacings: 0.3 / rows, as make_subplots without titles, and 0.2 / cols)."""
    v_space = 0.3 / rows if v_space is None else v_space
    h_space = 0.2 / cols if h_space is None else h_space
    width = (1.0 - h_space * (cols - 1)) / cols
    height = (1.0 - v_space * (rows - 1)) / rows
    cells = []
    for r in range(rows):
        y0 = (rows - 1 - r) * (height + v_space)
        y = [min(max(y0, 0.0), 1.0), min(max(y0 + height, 0.0), 1.0)]
        for c in range(cols):
            x0 = c * (width + h_space)
            cells.append(([x0, x0 + width], y))
    return cells


def subplot_axes(cells: list[Domains]) -> dict[str, dict[str, Any]]:
    """Each cell's x and y axis, anchored to each other, on the cell's domains."""
    layout = {}
    for i, (x_domain, y_domain) in enumerate(cells, start=1):
        layout[axis_key("x", i)] = {"anchor": axis_ref("y", i), "domain": x_domain}
        layout[axis_key("y", i)] = {"anchor": axis_ref("x", i), "domain": y_domain}
    return layout


def subplot_title(cell: Domains, text: str, size: int = 16) -> dict[str, Any]:
    """A subplot's title, centred above its cell, as ``make_subplots`` writes it."""
    (x0, x1), (_, y1) = cell
    return {"text": text, "x": (x0 + x1) / 2, "y": y1, "xref": "paper", "yref": "paper",
            "xanchor": "center", "yanchor": "bottom", "showarrow": False,
            "font": {"size": size}}  # fmt: skip
