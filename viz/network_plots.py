"""Per-layer figures of a network at one moment: gradients, activations, saturated and dead units.

Every builder takes numpy arrays with one entry per hidden layer (input to output) and returns a
``go.Figure`` with layer number on the x axis. A :class:`LayerProfile` holds one network's
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
from plotly.subplots import make_subplots

from engine.core.i18n import _

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


def base_layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    """The house look: white template, big fonts for a projector, legend above the plot."""
    fig.update_layout(
        title=dict(text=title, font=dict(size=20)),
        template="plotly_white",
        font=FONT,
        height=height,
        margin=dict(l=70, r=30, t=80, b=40),
        # under the plot: above it the legend would cover the subplot titles
        legend=dict(orientation="h", yanchor="top", y=-0.2, x=0, font=dict(size=15)),
        hoverlabel=dict(font_size=15),
    )
    return fig


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


def _line(label, color, y, *, raw=None, dash=None, unit="", showlegend=True) -> go.Scatter:
    raw = finite(y) if raw is None else finite(raw)
    return go.Scatter(
        x=_layers(len(raw)),
        y=y,
        name=label,
        legendgroup=label,
        showlegend=showlegend,
        mode="lines+markers",
        line=dict(color=color, width=3, dash=dash),
        marker=dict(size=7),
        customdata=raw,
        hovertemplate=f"{label}<br>"
        + _("layer")
        + f" %{{x}}: %{{customdata:.3g}}{unit}<extra></extra>",
    )


def gradient_profile(series: Sequence[LayerProfile]) -> go.Figure:
    """Weight-gradient norm and back-propagated signal per layer, both on log axes.

    Left: :math:`\\lVert \\partial L/\\partial W_l \\rVert_F`; right: the mean per-sample
    :math:`\\lVert \\partial \\ell/\\partial h_l \\rVert_2`. A straight falling line towards
    layer 1 is a vanishing gradient; a rising one is exploding.
    """
    fig = make_subplots(
        1,
        2,
        subplot_titles=(_("weight gradient ‖∂L/∂W_l‖"), _("back-propagated signal ‖∂ℓ/∂h_l‖")),
        horizontal_spacing=0.1,
    )
    for col, field in ((1, "grad_norms"), (2, "signal_norms")):
        arrays = [getattr(p, field) for p in series]
        floor = log_floor(*arrays)
        for p in series:
            values = getattr(p, field)
            fig.add_trace(
                _line(
                    p.label, p.color, on_log_axis(values, floor), raw=values, showlegend=col == 1
                ),
                1,
                col,
            )
        fig.update_yaxes(type="log", range=log_range(*arrays, floor=floor), row=1, col=col)
    fig.update_xaxes(title_text=_("layer (1 = input side)"))
    fig.update_yaxes(exponentformat="power")
    fig.update_yaxes(title_text=_("norm (log)"), row=1, col=1)
    return base_layout(fig, _("Gradient per layer"))


def activation_stats(series: Sequence[LayerProfile]) -> go.Figure:
    """Mean and standard deviation of each layer's activations, with the ideal 0 and 1 marked."""
    fig = make_subplots(
        1, 2, subplot_titles=(_("mean of a_l"), _("std of a_l")), horizontal_spacing=0.1
    )
    for col, field, ideal in ((1, "act_mean", 0.0), (2, "act_std", 1.0)):
        for p in series:
            fig.add_trace(
                _line(p.label, p.color, finite(getattr(p, field)), showlegend=col == 1), 1, col
            )
        fig.add_hline(y=ideal, line=dict(color="#888", dash="dot"), row=1, col=col)
    fig.update_xaxes(title_text=_("layer"))
    return base_layout(fig, _("Activation mean and spread per layer"))


def unit_health(series: Sequence[LayerProfile], after: Sequence[LayerProfile] = ()) -> go.Figure:
    """Saturated share, dead share and the largest gap between two units, per layer.

    Saturated: :math:`|f'(z)| < 10^{-3}`; dead: a unit whose slope is 0 on every sample. The
    gap is exactly 0 when every unit of a layer is a copy of the others (zero initialisation).
    ``after`` adds dashed lines for the same quantities after training.
    """
    fig = make_subplots(
        1,
        3,
        subplot_titles=(_("saturated (%)"), _("dead units (%)"), _("largest gap between units")),
        horizontal_spacing=0.08,
    )
    for dash, group in ((None, series), ("dash", after)):
        for p in group:
            name = p.label if dash is None else _("{label}, after training").format(label=p.label)
            for col, field, scale, unit in (
                (1, "saturated", 100, " %"),
                (2, "dead", 100, " %"),
                (3, "unit_similarity", 1, ""),
            ):
                y = finite(getattr(p, field)) * np.float32(scale)
                fig.add_trace(
                    _line(name, p.color, y, dash=dash, unit=unit, showlegend=col == 1), 1, col
                )
    fig.update_yaxes(range=[-3, 103], row=1, col=1)
    fig.update_yaxes(range=[-3, 103], row=1, col=2)
    fig.update_xaxes(title_text=_("layer"))
    return base_layout(fig, _("Saturated, dead and identical units"))


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
) -> go.Figure:
    """One violin per layer from its histogram (``counts``, ``edges``), in Glorot & Bengio's style.

    Each violin's half-width is the bin's share of that layer's samples, scaled so the fullest
    bin of the layer spans 0.9 of a layer slot. The y axis is the activation value.
    """
    fig = go.Figure()
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
        fig.add_trace(
            go.Scatter(
                x=xs.astype(np.float32),
                y=np.concatenate([ys, ys[::-1]]).astype(np.float32),
                fill="toself",
                mode="lines",
                line=dict(color=color, width=1),
                fillcolor=color,
                opacity=0.6,
                name=_("layer {layer}").format(layer=layer),
                showlegend=False,
                customdata=text.astype(np.float32),
                hovertemplate=_("layer {layer}").format(layer=layer)
                + "<br>a ≈ %{y:.3g}: %{customdata:.1f} %<extra></extra>",
            )
        )
    if means is not None:
        fig.add_trace(
            go.Scatter(
                x=_layers(len(means)),
                y=finite(means),
                mode="markers",
                marker=dict(
                    symbol="diamond", size=9, color="white", line=dict(color="black", width=1.5)
                ),
                name=_("mean"),
                hovertemplate=_("layer %{x}<br>mean %{y:.3g}<extra></extra>"),
            )
        )
    fig.update_xaxes(title_text=_("layer"), range=[0.3, len(histograms) + 0.7])
    fig.update_yaxes(title_text=_("activation a_l"))
    if y_range is not None:
        lo, hi = y_range
        pad = 0.03 * max(hi - lo, 1e-6)
        fig.update_yaxes(range=[lo - pad, hi + pad])
    return base_layout(fig, title or _("Activation distribution per layer"))
