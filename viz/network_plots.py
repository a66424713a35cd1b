"""Per-layer figures of a network at one moment: gradients, activations, saturated and dead units.

Every builder takes numpy arrays with one entry per hidden layer (input to output) and returns a
figure with layer number on the x axis: a plain dict spec (:class:`viz.spec_figure.SpecFigure`,
laid out as ``make_subplots`` would), since plotly's validation of every property cost most of a
preset click's rerun. A :class:`LayerProfile` holds one network's
per-layer numbers with its label and colour: several profiles overlay on the same axes, so
configurations A and B compare directly. Nothing non-finite reaches a figure, and exact zeros on
a log axis are drawn at a floor (the hover says they are zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from engine.core.i18n import _
from viz.spec_figure import (
    SpecFigure,
    axis_key,
    axis_ref,
    figure,
    subplot_axes,
    subplot_grid,
    subplot_title,
)

FONT = dict(size=16)


@dataclass(frozen=True)
class LayerProfile:
    """One network's numbers per hidden layer, input side first, with its label and colour.

    ``grad_norms``: ‖∂L/∂W_l‖; ``signal_norms``: the mean per-sample ‖∂ℓ/∂h_l‖; ``act_mean`` and
    ``act_std`` of the activations; ``saturated`` and ``dead``: shares of units (0 to 1);
    ``unit_similarity``: the largest gap between two units of a layer.
    """

    label: str
    color: str
    grad_norms: np.ndarray
    signal_norms: np.ndarray
    act_mean: np.ndarray
    act_std: np.ndarray
    saturated: np.ndarray
    dead: np.ndarray
    unit_similarity: np.ndarray


@dataclass(frozen=True)
class LayerHistogram:
    """One layer's activation values as a histogram: ``counts`` per bin between ``edges``."""

    counts: np.ndarray
    edges: np.ndarray


def house_layout(title: str, height: int = 420) -> dict[str, Any]:
    """The house look (with the white template): big fonts for a projector, legend below."""
    return {
        "title": {"text": title, "font": {"size": 20}},
        "font": dict(FONT),
        "height": height,
        "margin": {"l": 70, "r": 30, "t": 80, "b": 40},
        # under the plot: above it the legend would cover the subplot titles
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0, "font": {"size": 15}},
        "hoverlabel": {"font": {"size": 15}},
    }


def base_layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    """A graph-object figure in the house look (:func:`house_layout`, white template)."""
    fig.update_layout(template="plotly_white", **house_layout(title, height))
    return fig


def house_figure(data: list[dict], layout: dict, title: str, height: int = 420) -> SpecFigure:
    """A plain-spec figure in the house look (:func:`house_layout`, white template)."""
    return figure(data, layout | house_layout(title, height), template_name="plotly_white")


def row_of_subplots(titles: Sequence[str], h_space: float) -> tuple[list, dict]:
    """One row of subplots with titles: the cells and the layout (axes and title annotations)."""
    cells = subplot_grid(1, len(titles), h_space=h_space)
    layout: dict[str, Any] = subplot_axes(cells)
    layout["annotations"] = [subplot_title(c, t) for c, t in zip(cells, titles, strict=True)]
    return cells, layout


def in_cell(trace: dict, col: int) -> dict:
    """``trace`` drawn in subplot ``col`` of a row (1-based)."""
    return trace | {"xaxis": axis_ref("x", col), "yaxis": axis_ref("y", col)}


def finite(values: Any) -> np.ndarray:
    """float32 copy with non-finite entries replaced by 0 (nothing NaN/Inf reaches a figure)."""
    arr = np.asarray(values, dtype=np.float32)
    return np.where(np.isfinite(arr), arr, np.float32(0))


def log_floor(*arrays: np.ndarray) -> float:
    """Where zeros are drawn on a log axis: a decade below the smallest positive value."""
    positive = [a[a > 0].min() for a in map(finite, arrays) if (a > 0).any()]
    return float(min(positive)) / 10 if positive else 1e-8


def on_log_axis(values: np.ndarray, floor: float) -> np.ndarray:
    """``values`` with zeros (and anything below ``floor``) lifted to ``floor``."""
    return np.maximum(finite(values), np.float32(floor))


def log_range(*arrays: np.ndarray, floor: float | None = None) -> list[float]:
    """A log10 axis range that holds every array (for shared axes across figures)."""
    floor = log_floor(*arrays) if floor is None else floor
    vals = np.concatenate([on_log_axis(a, floor).ravel() for a in arrays])
    lo, hi = np.log10(vals.min()), np.log10(vals.max())
    pad = max(0.2, 0.05 * (hi - lo))
    return [float(lo - pad), float(hi + pad)]


def _layers(n: int) -> np.ndarray:
    return np.arange(1, n + 1, dtype=np.int32)


def _line(label, color, y, *, raw=None, dash=None, unit="", showlegend=True) -> dict:
    raw = finite(y) if raw is None else finite(raw)
    line = {"color": color, "width": 3} | ({} if dash is None else {"dash": dash})
    return {
        "type": "scatter",
        "x": _layers(len(raw)),
        "y": y,
        "name": label,
        "legendgroup": label,
        "showlegend": showlegend,
        "mode": "lines+markers",
        "line": line,
        "marker": {"size": 7},
        "customdata": raw,
        "hovertemplate": f"{label}<br>"
        + _("layer")
        + f" %{{x}}: %{{customdata:.3g}}{unit}<extra></extra>",
    }


def gradient_profile(series: Sequence[LayerProfile]) -> SpecFigure:
    """Weight-gradient norm and back-propagated signal per layer, both on log axes.

    Left: :math:`\\lVert \\partial L/\\partial W_l \\rVert_F`; right: the mean per-sample
    :math:`\\lVert \\partial \\ell/\\partial h_l \\rVert_2`. A straight falling line towards
    layer 1 is a vanishing gradient; a rising one is exploding.
    """
    _cells, layout = row_of_subplots(
        (_("weight gradient ‖∂L/∂W_l‖"), _("back-propagated signal ‖∂ℓ/∂h_l‖")), 0.1
    )
    data = []
    for col, field in ((1, "grad_norms"), (2, "signal_norms")):
        arrays = [getattr(p, field) for p in series]
        floor = log_floor(*arrays)
        for p in series:
            values = getattr(p, field)
            line = _line(
                p.label, p.color, on_log_axis(values, floor), raw=values, showlegend=col == 1
            )
            data.append(in_cell(line, col))
        layout[axis_key("y", col)] |= {
            "type": "log", "range": log_range(*arrays, floor=floor), "exponentformat": "power"
        }  # fmt: skip
        layout[axis_key("x", col)]["title"] = {"text": _("layer (1 = input side)")}
    layout["yaxis"]["title"] = {"text": _("norm (log)")}
    return house_figure(data, layout, _("Gradient per layer"))


def activation_stats(series: Sequence[LayerProfile]) -> SpecFigure:
    """Mean and standard deviation of each layer's activations, with the ideal 0 and 1 marked."""
    _cells, layout = row_of_subplots((_("mean of a_l"), _("std of a_l")), 0.1)
    data, shapes = [], []
    for col, field, ideal in ((1, "act_mean", 0.0), (2, "act_std", 1.0)):
        for p in series:
            line = _line(p.label, p.color, finite(getattr(p, field)), showlegend=col == 1)
            data.append(in_cell(line, col))
        shapes.append(
            {"type": "line", "line": {"color": "#888", "dash": "dot"}, "x0": 0, "x1": 1,
             "xref": f"{axis_ref('x', col)} domain", "y0": ideal, "y1": ideal,
             "yref": axis_ref("y", col)}
        )  # fmt: skip
        layout[axis_key("x", col)]["title"] = {"text": _("layer")}
    layout["shapes"] = shapes
    return house_figure(data, layout, _("Activation mean and spread per layer"))


def unit_health(series: Sequence[LayerProfile], after: Sequence[LayerProfile] = ()) -> SpecFigure:
    """Saturated share, dead share and the largest gap between two units, per layer.

    Saturated: :math:`|f'(z)| < 10^{-3}`; dead: a unit whose slope is 0 on every sample. The
    gap is exactly 0 when every unit of a layer is a copy of the others (zero initialisation).
    ``after`` adds dashed lines for the same quantities after training.
    """
    _cells, layout = row_of_subplots(
        (_("saturated (%)"), _("dead units (%)"), _("largest gap between units")), 0.08
    )
    data = []
    for dash, group in ((None, series), ("dash", after)):
        for p in group:
            name = p.label if dash is None else _("{label}, after training").format(label=p.label)
            for col, field, scale, unit in (
                (1, "saturated", 100, " %"),
                (2, "dead", 100, " %"),
                (3, "unit_similarity", 1, ""),
            ):
                y = finite(getattr(p, field)) * np.float32(scale)
                line = _line(name, p.color, y, dash=dash, unit=unit, showlegend=col == 1)
                data.append(in_cell(line, col))
    for col in (1, 2, 3):
        layout[axis_key("x", col)]["title"] = {"text": _("layer")}
    layout["yaxis"]["range"] = layout["yaxis2"]["range"] = [-3, 103]
    return house_figure(data, layout, _("Saturated, dead and identical units"))


def activation_range(histograms: Sequence[LayerHistogram]) -> tuple[float, float]:
    """The value range covered by a network's histograms (to share an axis between figures)."""
    edges = np.concatenate([finite(h.edges) for h in histograms])
    return float(edges.min()), float(edges.max())


def activation_violins(
    histograms: Sequence[LayerHistogram],
    color: str,
    title: str = "",  # default: "Activation distribution per layer" in the current language
    y_range: tuple[float, float] | None = None,
    means: np.ndarray | None = None,
) -> SpecFigure:
    """One violin per layer from its histogram (``counts``, ``edges``), in Glorot & Bengio's style.

    Each violin's half-width is the bin's share of that layer's samples, scaled so the fullest
    bin of the layer spans 0.9 of a layer slot. The y axis is the activation value.
    """
    data = []
    for layer, h in enumerate(histograms, start=1):
        counts = finite(h.counts)
        edges = finite(h.edges)
        centres = (edges[:-1] + edges[1:]) / 2
        total = max(float(counts.sum()), 1.0)
        share = counts / total
        half = 0.45 * counts / max(float(counts.max()), 1.0)
        keep = counts > 0
        ys = centres[keep]
        xs = np.concatenate([layer + half[keep], (layer - half[keep])[::-1]])
        text = np.concatenate([share[keep], share[keep][::-1]]) * 100
        data.append(
            {"type": "scatter", "x": xs.astype(np.float32),
             "y": np.concatenate([ys, ys[::-1]]).astype(np.float32), "fill": "toself",
             "mode": "lines", "line": {"color": color, "width": 1}, "fillcolor": color,
             "opacity": 0.6, "name": _("layer {layer}").format(layer=layer), "showlegend": False,
             "customdata": text.astype(np.float32),
             "hovertemplate": _("layer {layer}").format(layer=layer)
             + "<br>a ≈ %{y:.3g}: %{customdata:.1f} %<extra></extra>"}
        )  # fmt: skip
    if means is not None:
        data.append(
            {"type": "scatter", "x": _layers(len(means)), "y": finite(means), "mode": "markers",
             "marker": {"symbol": "diamond", "size": 9, "color": "white",
                        "line": {"color": "black", "width": 1.5}},
             "name": _("mean"),
             "hovertemplate": _("layer %{x}<br>mean %{y:.3g}<extra></extra>")}
        )  # fmt: skip
    layout: dict[str, Any] = {
        "xaxis": {"title": {"text": _("layer")}, "range": [0.3, len(histograms) + 0.7]},
        "yaxis": {"title": {"text": _("activation a_l")}},
    }
    if y_range is not None:
        lo, hi = y_range
        pad = 0.03 * max(hi - lo, 1e-6)
        layout["yaxis"]["range"] = [lo - pad, hi + pad]
    return house_figure(data, layout, title or _("Activation distribution per layer"))
