"""Figures for the Activation explorer: curves with derivatives, input histograms, depth profile.

Inputs are the small records below (numpy arrays and names); the page's glue fills them.
Every builder drops non-finite points itself, so nothing NaN or infinite reaches a figure; a curve
is drawn as separate pieces where it is not continuous on the grid (an undefined point, a pole).
Figures are plain dict specs (:class:`viz.spec_figure.SpecFigure`): plotly's validation of every
property, ``make_subplots`` above all, cost most of the page's rerun. The layouts are the ones
``make_subplots`` gives (the same domains, anchors and shared axes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.core.i18n import _
from viz.colors import activation_color
from viz.curve_pieces import pieces
from viz.spec_figure import SpecFigure, figure, subplot_axes, subplot_grid, subplot_title
from viz.spec_figure import axis_key as _axis
from viz.spec_figure import axis_ref as _ref

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


def _tick_fonts(axis: dict) -> dict:
    """Explicit sizes: a host theme (Streamlit's) would otherwise shrink the ticks."""
    axis["tickfont"] = {"size": FONT - 2}
    axis.setdefault("title", {})["font"] = {"size": FONT}
    return axis


def _figure(data: list[dict], layout: dict, height: int) -> SpecFigure:
    """The explorer's house look on these traces and axes: projector-sized fonts, the legend
    above the plot, the white template."""
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")):
            _tick_fonts(axis)
    layout |= {
        "height": height,
        "font": {"size": FONT},
        "margin": {"l": 80, "r": 20, "t": 90, "b": 60},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0,
                   "font": {"size": FONT}},
        "hoverlabel": {"font": {"size": FONT - 2}},
    }  # fmt: skip
    return figure(data, layout, template_name="plotly_white")


def _clip_spikes(
    layout: dict, annotations: list, row: int, label: str, curves: Sequence[np.ndarray]
) -> None:
    """Fix the row's y-axis to the curves' bulk when spikes would flatten it; say so on it."""
    y_range = robust_range(curves)
    if y_range is None:
        return
    peak = max(float(np.max(np.abs(y[np.isfinite(y)]), initial=0.0)) for y in curves)
    layout[_axis("y", row)] |= {"range": list(y_range), "autorange": False}
    annotations.append(
        {"text": _("cut off: spikes reach |{what}| = {peak}").format(
            what=label.removesuffix("(x)"), peak=f"{peak:.3g}"),
         "x": 1, "y": 1,
         "xref": f"{_ref('x', row)} domain", "yref": f"{_ref('y', row)} domain",
         "xanchor": "right", "yanchor": "top", "showarrow": False,
         "font": {"size": FONT - 4, "color": "#555555"}}
    )  # fmt: skip


def curves_figure(tables: Sequence[Curve], orders: Sequence[int]) -> SpecFigure:
    """One panel per derivative order (0: f, 1: f′, 2: f″), stacked on a shared x axis.

    Each curve carries ``meta = {"act": name, "order": k, "kind": "curve" | "band"}``.
    """
    rows = max(1, len(orders))
    layout: dict = {}
    for row, (_x_domain, y_domain) in enumerate(subplot_grid(rows, 1, 0.06), start=1):
        x_axis = {"anchor": _ref("y", row), "domain": [0.0, 1.0]}
        if row < rows:  # shared x: every panel follows the bottom one, whose ticks show
            x_axis |= {"matches": _ref("x", rows), "showticklabels": False}
        x_axis |= {"showspikes": True, "spikemode": "across", "spikethickness": 1}
        layout[_axis("x", row)] = x_axis
        layout[_axis("y", row)] = {"anchor": _ref("x", row), "domain": y_domain}
    data: list[dict] = []
    annotations: list[dict] = []
    for row, order in enumerate(orders, start=1):
        label = ORDER_LABELS[order]
        axes = {"xaxis": _ref("x", row), "yaxis": _ref("y", row)}
        for t in tables:
            color = activation_color(t.name)
            band = (t.band, t.band_df, None)[order]
            if band is not None:
                lx, low = _finite(t.x, band[0])
                hx, high = _finite(t.x, band[1])
                meta = {"act": t.name, "order": order, "kind": "band"}
                data.append(
                    {"type": "scatter", "x": lx, "y": low, "mode": "lines",
                     "line": {"width": 0, "color": color}, "showlegend": False,
                     "hoverinfo": "skip", "legendgroup": t.name, "meta": meta, **axes}
                )  # fmt: skip
                data.append(
                    {"type": "scatter", "x": hx, "y": high, "mode": "lines", "fill": "tonexty",
                     "opacity": 0.25, "line": {"width": 0, "color": color},
                     "name": _("{title}: random slopes").format(title=t.title),
                     "showlegend": False,
                     "hoverinfo": "skip", "legendgroup": t.name, "meta": meta, **axes}
                )  # fmt: skip
            # One trace per continuous piece, alike but for the legend entry (the first only).
            for piece, (x, y) in enumerate(pieces(t.x, (t.f, t.df, t.d2f)[order])):
                data.append(
                    {"type": "scatter", "x": x, "y": y, "mode": "lines", "name": t.title,
                     "legendgroup": t.name, "showlegend": row == 1 and piece == 0,
                     "line": {"color": color, "width": 3},
                     "meta": {"act": t.name, "order": order, "kind": "curve"},
                     "hovertemplate": f"{label} = %{{y:.4f}}<extra>{t.title}</extra>", **axes}
                )  # fmt: skip
        layout[_axis("y", row)] |= {"title": {"text": label}, "zeroline": True}
        _clip_spikes(layout, annotations, row, label, [(t.f, t.df, t.d2f)[order] for t in tables])
    layout[_axis("x", rows)]["title"] = {"text": "x"}
    if annotations:
        layout["annotations"] = annotations
    layout["hovermode"] = "x unified"
    return _figure(data, layout, 120 + 290 * rows)


def histograms_figure(tables: Sequence[Histograms]) -> SpecFigure:
    """Small multiples: one row per activation, f(z) on the left and f′(z) on the right."""
    rows = max(1, len(tables))
    cells = subplot_grid(rows, 2, 0.5 / rows + 0.02)
    layout: dict = subplot_axes(cells)
    data: list[dict] = []
    titles: list[dict] = []
    for row, t in enumerate(tables):
        color = activation_color(t.name)
        for col, (bars, label) in enumerate(((t.f, "f(z)"), (t.df, "f′(z)"))):
            cell = 2 * row + col + 1
            bx, by, bw = _finite(bars.centers, 100 * bars.share, bars.widths)
            data.append(
                {"type": "bar", "x": bx, "y": by, "width": bw,
                 "marker": {"color": color, "line": {"width": 0}},
                 "name": f"{t.title} {label}", "showlegend": False,
                 "meta": {"act": t.name, "panel": label},
                 "hovertemplate": f"{label} ≈ %{{x:.3f}}<br>%{{y:.2f}}% "
                 + _("of inputs") + f"<extra>{t.title}</extra>",
                 "xaxis": _ref("x", cell), "yaxis": _ref("y", cell)}
            )  # fmt: skip
            layout[_axis("y", cell)]["title"] = {"text": _("percentage of z")}
            titles.append(subplot_title(cells[cell - 1], f"{t.title}: {label}", FONT))
    if titles:
        layout["annotations"] = titles
    layout["bargap"] = 0
    return _figure(data, layout, 80 + 230 * rows)


def depth_figure(tables: Sequence[DepthProfile], bound: float | None = None) -> SpecFigure:
    """Product of derivatives against depth L on a log axis.

    Per activation: a line for the law (E|f′(z)|)^L and dots for the Monte Carlo mean over
    sampled paths; ``bound`` draws bound^L as a dashed guide (0.25 for sigmoid's f′ ≤ 1/4).
    """
    data: list[dict] = []
    depth = max((len(t.depth) for t in tables), default=1)
    if bound is not None:
        layers = np.arange(1, depth + 1, dtype=np.float64)
        data.append(
            {"type": "scatter", "x": layers, "y": bound**layers, "mode": "lines",
             "name": _("{bound}^L (sigmoid's ceiling)").format(bound=f"{bound:g}"),
             "line": {"color": "#7F7F7F", "dash": "dash", "width": 2}, "meta": {"kind": "bound"},
             "hovertemplate": _("L = %{x}<br>%{y:.3g}<extra>bound</extra>")}
        )  # fmt: skip
    for t in tables:
        color = activation_color(t.name)
        # float64 throughout: products like 1e-40 would underflow to 0 in float32.
        layers = t.depth.astype(np.float64)
        x, y = _finite(layers, t.law, dtype=np.float64)
        keep = y > 0
        data.append(
            {"type": "scatter", "x": x[keep], "y": y[keep], "mode": "lines", "name": t.title,
             "legendgroup": t.name, "line": {"color": color, "width": 3},
             "meta": {"act": t.name, "kind": "law"},
             "hovertemplate": "L = %{x}<br>(E|f′|)^L = %{y:.3g}" f"<extra>{t.title}</extra>"}
        )  # fmt: skip
        x, y = _finite(layers, t.mean, dtype=np.float64)
        keep = y > 0
        data.append(
            {"type": "scatter", "x": x[keep], "y": y[keep], "mode": "markers",
             "name": _("{title} (sampled)").format(title=t.title), "legendgroup": t.name,
             "showlegend": False,
             "marker": {"color": color, "size": 8}, "meta": {"act": t.name, "kind": "mean"},
             "hovertemplate": "L = %{x}<br>" + _("sampled")
             + f" E|∏f′| = %{{y:.3g}}<extra>{t.title}</extra>"}
        )  # fmt: skip
    layout = {
        "yaxis": {"title": {"text": "E |∏ f′(z_l)|"}, "type": "log", "exponentformat": "power"},
        "xaxis": {"title": {"text": _("depth L (layers)")}, "range": [0.5, depth + 0.5]},
        "hovermode": "closest",
    }
    return _figure(data, layout, 560)
