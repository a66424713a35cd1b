"""Figures for the Activation explorer: curves with derivatives, input histograms, depth profile.

Inputs are the small records below (numpy arrays and names); the page's glue fills them.
Every builder drops non-finite points itself, so nothing NaN or infinite reaches a figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.core.i18n import _
from viz.colors import activation_color

FONT = 18  # readable on a classroom projector
ORDER_LABELS = ("f(x)", "f′(x)", "f″(x)")

Band = tuple[np.ndarray, np.ndarray]  # (low, high) on the curve's x


@dataclass(frozen=True)
class Curve:
    """One activation on a grid ``x``: f, f′ and f″ (NaN where undefined). ``band`` and
    ``band_df``: the envelope of f and f′ of a random activation (RReLU), else None."""

    name: str  # picks the colour (activation_color)
    title: str
    x: np.ndarray
    f: np.ndarray
    df: np.ndarray
    d2f: np.ndarray
    band: Band | None = None
    band_df: Band | None = None


@dataclass(frozen=True)
class Bars:
    """A histogram as bars: centres, widths and each bar's share of the samples (sums to 1)."""

    centers: np.ndarray
    widths: np.ndarray
    share: np.ndarray


@dataclass(frozen=True)
class Histograms:
    """Where inputs z land: the histograms of f(z) and of f′(z) for one activation."""

    name: str
    title: str
    f: Bars
    df: Bars


@dataclass(frozen=True)
class DepthProfile:
    """The product of derivatives through ``depth`` layers: the law (E|f′|)^L and the mean over
    sampled paths, both per depth L."""

    name: str
    title: str
    depth: np.ndarray
    law: np.ndarray
    mean: np.ndarray


def _finite(*arrays: np.ndarray, dtype=np.float32) -> tuple[np.ndarray, ...]:
    """The arrays cast to ``dtype``, keeping only the points finite in all of them after the cast
    (a float64 1e300 would become inf in float32)."""
    with np.errstate(over="ignore", invalid="ignore"):
        cast = [np.asarray(a, dtype=np.float64).astype(dtype) for a in arrays]
    keep = np.logical_and.reduce([np.isfinite(a) for a in cast])
    return tuple(a[keep] for a in cast)


def robust_range(
    curves: Sequence[np.ndarray], spread: float = 4.0, margin: float = 0.1
) -> tuple[float, float] | None:
    """A y-range for the bulk of the curves when a few points spike far beyond it, else None
    (Plotly's own autorange).

    The bulk of a curve is its 1st to 99th percentile; a spike (f″ of a kink computed by finite
    differences reaches thousands) covers a few grid points only. When the full range is more
    than ``spread`` times the bulk's, the axis shows the bulk with a ``margin`` on each side.
    """
    bulks, lows, highs = [], [], []
    for y in curves:
        y = np.asarray(y, dtype=np.float64)
        y = y[np.isfinite(y)]
        if y.size:
            bulks.append(np.percentile(y, [1, 99]))
            lows.append(y.min())
            highs.append(y.max())
    if not bulks:
        return None
    lo, hi = min(b[0] for b in bulks), max(b[1] for b in bulks)
    pad = margin * (hi - lo) if hi > lo else 1.0  # a flat bulk (f″ = 0 between kinks): ±1
    lo, hi = lo - pad, hi + pad
    if max(highs) - min(lows) <= spread * (hi - lo):
        return None
    return float(lo), float(hi)


def _clip_spikes(fig: go.Figure, row: int, label: str, curves: Sequence[np.ndarray]) -> None:
    """Fix the row's y-axis to the curves' bulk when spikes would flatten it; say so on it."""
    y_range = robust_range(curves)
    if y_range is None:
        return
    peak = max(float(np.max(np.abs(y[np.isfinite(y)]), initial=0.0)) for y in curves)
    fig.update_yaxes(range=list(y_range), autorange=False, row=row, col=1)
    fig.add_annotation(
        text=_("cut off: spikes reach |{what}| = {peak}").format(what=label[:2], peak=f"{peak:.3g}"), x=1, y=1, xref="x domain",
        yref="y domain", xanchor="right", yanchor="top", showarrow=False,
        font=dict(size=FONT - 4, color="#555555"), row=row, col=1,
    )  # fmt: skip


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        font=dict(size=FONT),
        margin=dict(l=80, r=20, t=90, b=60),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, font=dict(size=FONT)),
        hoverlabel=dict(font_size=FONT - 2),
        template="plotly_white",
    )
    # Explicit sizes: a host theme (Streamlit's) would otherwise shrink the ticks.
    fig.update_xaxes(tickfont=dict(size=FONT - 2), title_font=dict(size=FONT))
    fig.update_yaxes(tickfont=dict(size=FONT - 2), title_font=dict(size=FONT))
    return fig


def curves_figure(tables: Sequence[Curve], orders: Sequence[int]) -> go.Figure:
    """One panel per derivative order (0: f, 1: f′, 2: f″), stacked on a shared x axis.

    Each curve carries ``meta = {"act": name, "order": k, "kind": "curve" | "band"}``.
    """
    rows = max(1, len(orders))
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.06)
    for row, order in enumerate(orders, start=1):
        label = ORDER_LABELS[order]
        for t in tables:
            color = activation_color(t.name)
            band = (t.band, t.band_df, None)[order]
            if band is not None:
                lx, low = _finite(t.x, band[0])
                hx, high = _finite(t.x, band[1])
                meta = {"act": t.name, "order": order, "kind": "band"}
                fig.add_trace(
                    go.Scatter(x=lx, y=low, mode="lines", line=dict(width=0, color=color),
                               showlegend=False, hoverinfo="skip", legendgroup=t.name, meta=meta),
                    row=row, col=1,
                )  # fmt: skip
                fig.add_trace(
                    go.Scatter(x=hx, y=high, mode="lines", fill="tonexty", opacity=0.25,
                               line=dict(width=0, color=color), name=_("{title}: random slopes").format(title=t.title),
                               showlegend=False, hoverinfo="skip", legendgroup=t.name, meta=meta),
                    row=row, col=1,
                )  # fmt: skip
            x, y = _finite(t.x, (t.f, t.df, t.d2f)[order])
            fig.add_trace(
                go.Scatter(
                    x=x, y=y, mode="lines", name=t.title, legendgroup=t.name,
                    showlegend=row == 1, line=dict(color=color, width=3),
                    meta={"act": t.name, "order": order, "kind": "curve"},
                    hovertemplate=f"{label} = %{{y:.4f}}<extra>{t.title}</extra>",
                ),
                row=row, col=1,
            )  # fmt: skip
        fig.update_yaxes(title_text=label, row=row, col=1, zeroline=True)
        _clip_spikes(fig, row, label, [(t.f, t.df, t.d2f)[order] for t in tables])
    fig.update_xaxes(title_text="x", row=rows, col=1)
    fig.update_xaxes(showspikes=True, spikemode="across", spikethickness=1)
    fig.update_layout(hovermode="x unified")
    return _layout(fig, 120 + 290 * rows)


def histograms_figure(tables: Sequence[Histograms]) -> go.Figure:
    """Small multiples: one row per activation, f(z) on the left and f′(z) on the right."""
    rows = max(1, len(tables))
    titles = [f"{t.title}: {part}" for t in tables for part in ("f(z)", "f′(z)")]
    fig = make_subplots(
        rows=rows, cols=2, subplot_titles=titles or None, vertical_spacing=0.5 / rows + 0.02
    )
    for row, t in enumerate(tables, start=1):
        color = activation_color(t.name)
        for col, (bars, label) in enumerate(((t.f, "f(z)"), (t.df, "f′(z)")), start=1):
            bx, by, bw = _finite(bars.centers, 100 * bars.share, bars.widths)
            fig.add_trace(
                go.Bar(
                    x=bx,
                    y=by,
                    width=bw,
                    marker=dict(color=color, line=dict(width=0)),
                    name=f"{t.title} {label}",
                    showlegend=False,
                    meta={"act": t.name, "panel": label},
                    hovertemplate=f"{label} ≈ %{{x:.3f}}<br>%{{y:.2f}}% "
                    + _("of inputs")
                    + f"<extra>{t.title}</extra>",
                ),
                row=row,
                col=col,
            )
            fig.update_yaxes(title_text=_("percentage of z"), row=row, col=col)
    fig.update_annotations(font_size=FONT)
    fig.update_layout(bargap=0)
    return _layout(fig, 80 + 230 * rows)


def depth_figure(tables: Sequence[DepthProfile], bound: float | None = None) -> go.Figure:
    """Product of derivatives against depth L on a log axis.

    Per activation: a line for the law (E|f′(z)|)^L and dots for the Monte Carlo mean over
    sampled paths; ``bound`` draws bound^L as a dashed guide (0.25 for sigmoid's f′ ≤ 1/4).
    """
    fig = go.Figure()
    depth = max((len(t.depth) for t in tables), default=1)
    if bound is not None:
        layers = np.arange(1, depth + 1, dtype=np.float64)
        fig.add_trace(
            go.Scatter(
                x=layers, y=bound**layers, mode="lines", name=_("{bound}^L (sigmoid's ceiling)").format(bound=f"{bound:g}"),
                line=dict(color="#7F7F7F", dash="dash", width=2), meta={"kind": "bound"},
                hovertemplate=_("L = %{x}<br>%{y:.3g}<extra>bound</extra>"),
            )
        )  # fmt: skip
    for t in tables:
        color = activation_color(t.name)
        # float64 throughout: products like 1e-40 would underflow to 0 in float32.
        layers = t.depth.astype(np.float64)
        x, y = _finite(layers, t.law, dtype=np.float64)
        keep = y > 0
        fig.add_trace(
            go.Scatter(
                x=x[keep], y=y[keep], mode="lines", name=t.title, legendgroup=t.name,
                line=dict(color=color, width=3), meta={"act": t.name, "kind": "law"},
                hovertemplate="L = %{x}<br>(E|f′|)^L = %{y:.3g}" f"<extra>{t.title}</extra>",
            )
        )  # fmt: skip
        x, y = _finite(layers, t.mean, dtype=np.float64)
        keep = y > 0
        fig.add_trace(
            go.Scatter(
                x=x[keep], y=y[keep], mode="markers", name=_("{title} (sampled)").format(title=t.title),
                legendgroup=t.name, showlegend=False, marker=dict(color=color, size=8),
                meta={"act": t.name, "kind": "mean"},
                hovertemplate="L = %{x}<br>" + _("sampled") + f" E|∏f′| = %{{y:.3g}}<extra>{t.title}</extra>",
            )
        )  # fmt: skip
    fig.update_yaxes(type="log", title_text="E |∏ f′(z_l)|", exponentformat="power")
    fig.update_xaxes(title_text=_("depth L (layers)"), range=[0.5, depth + 0.5])
    fig.update_layout(hovermode="closest")
    return _layout(fig, 560)
