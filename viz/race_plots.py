"""Figures of the optimizer race: curves, per-layer gradient norms, decision boundaries, sweeps.

Numpy in, ``go.Figure`` out. Every curve arrives already cut at its optimizer's divergence
(nothing non-finite is drawn); a diverged run ends with a cross and says where it stopped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.core.i18n import _

FONT = 16
# Class colours of the data points and the boundary shading (2 classes: blue / orange).
CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                "#000000", "#999999", "#8C564B")  # fmt: skip


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        font=dict(size=FONT),
        margin=dict(l=70, r=20, t=90, b=50),
        # Above the panel titles, whatever the figure's height.
        legend=dict(
            orientation="h", yref="container", yanchor="top", y=0.99, x=0, font=dict(size=FONT)
        ),
        hovermode="x unified",
        template="plotly_white",
    )
    fig.update_annotations(font_size=FONT + 1)
    fig.update_xaxes(tickfont=dict(size=FONT - 2))
    fig.update_yaxes(tickfont=dict(size=FONT - 2))
    return fig


def _f32(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


MAX_TICKS = 7
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def tick_label(value: float) -> str:
    """``0.02``, ``5``, ``300`` in plain digits; beyond that ``10⁻⁵`` or ``2·10⁻⁵``."""
    if 1e-3 <= value < 1e4:
        return f"{value:.6g}"
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = round(value / 10.0**exponent, 2)
    power = "10" + str(exponent).translate(_SUPERSCRIPT)
    return power if mantissa == 1 else f"{mantissa:g}·{power}"


def log_ticks(low: float, high: float, max_ticks: int = MAX_TICKS) -> tuple[list[float], list[str]]:
    """Readable ticks for a log axis over ``[low, high]``: 1-9, 1-2-3-5, 1-2-5, 1-3 or 1 per
    decade, the densest that keeps at most ``max_ticks``; over many decades every k-th power of ten;
    inside one short span, evenly spaced round values. Plotly's own log ticks label every 1-2-5
    of every decade: 22 labels on a sweep spanning 5e-7..10."""
    lo, hi = math.log10(low), math.log10(high)
    first, last = math.floor(lo), math.ceil(hi)
    for mantissas in (range(1, 10), (1, 2, 3, 5), (1, 2, 5), (1, 3), (1,)):
        values = [m * 10.0**e for e in range(first, last + 1) for m in mantissas]
        values = [v for v in values if low <= v * (1 + 1e-9) and v <= high * (1 + 1e-9)]
        if len(values) <= max_ticks:
            break
    else:
        every = math.ceil((last - first + 1) / max_ticks)
        values = [
            10.0**e for e in range(first, last + 1) if e % every == 0 and low <= 10.0**e <= high
        ]
    if len(values) < 2:  # a narrow span: round linear steps inside it
        step = _nice_step((high - low) / 3)
        values = [v for v in np.arange(math.ceil(low / step) * step, high, step)][:max_ticks]
        values = [float(v) for v in values if v > 0] or [low, high]
    return values, [tick_label(v) for v in values]


def _nice_step(raw: float) -> float:
    exponent = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * 10.0**exponent >= raw:
            return m * 10.0**exponent
    return 10.0 ** (exponent + 1)


def log_axis(values: Sequence[np.ndarray], pad: float = 0.06) -> dict:
    """A log axis (range and ticks) that holds every positive finite value in ``values``."""
    flat = np.concatenate([np.ravel(np.asarray(v, dtype=np.float64)) for v in values] or [[]])
    flat = flat[np.isfinite(flat) & (flat > 0)]
    if not flat.size:
        return dict(type="log")
    low, high = float(flat.min()), float(flat.max())
    if high / low < 1.01:  # one value: a span around it
        low, high = low / 1.5, high * 1.5
    span = math.log10(high) - math.log10(low)
    margin = pad * span
    low_v, high_v = 10 ** (math.log10(low) - margin), 10 ** (math.log10(high) + margin)
    ticks, labels = log_ticks(low_v, high_v)
    return dict(
        type="log", range=[math.log10(low_v), math.log10(high_v)], tickmode="array",
        tickvals=ticks, ticktext=labels,
    )  # fmt: skip


def curves_figure(
    labels: Sequence[str],
    colors: Sequence[str],
    panels: dict[str, Sequence[np.ndarray]],
    diverged_at: Sequence[int],
    log_y: Sequence[str] = (),
    height: int = 600,
    percent: Sequence[str] = (),
) -> go.Figure:
    """A grid of panels (title -> one curve per optimizer), two per row, one legend entry per
    optimizer; a diverged curve ends with a cross. Panels in ``log_y`` get a log axis, those
    in ``percent`` a percentage axis."""
    titles = list(panels)
    cols = 2 if len(titles) > 1 else 1
    rows = math.ceil(len(titles) / cols)
    fig = make_subplots(rows, cols, subplot_titles=titles, vertical_spacing=0.14,
                        horizontal_spacing=0.08)  # fmt: skip
    for p, title in enumerate(titles):
        row, col = p // cols + 1, p % cols + 1
        fmt = ".1%" if title in percent else ".4g"
        for k, (label, color) in enumerate(zip(labels, colors, strict=True)):
            y = _f32(panels[title][k])
            x = np.arange(len(y), dtype=np.int32)
            fig.add_trace(
                go.Scatter(
                    x=x, y=y, mode="lines", name=label, legendgroup=label,
                    showlegend=p == 0, line=dict(color=color, width=2.5),
                    hovertemplate=f"{label}: %{{y:{fmt}}}<extra></extra>",
                ),
                row, col,
            )  # fmt: skip
            if diverged_at[k] >= 0 and len(y):
                fig.add_trace(
                    go.Scatter(
                        x=x[-1:], y=y[-1:], mode="markers", legendgroup=label, showlegend=False,
                        marker=dict(symbol="x", size=14, color=color, line=dict(width=2)),
                        hovertemplate=_("{label} diverged at step {step}").format(
                            label=label, step=diverged_at[k]
                        )
                        + "<extra></extra>",
                    ),
                    row, col,
                )  # fmt: skip
        if row == rows:  # only the bottom row: a title above would hit the panel titles
            fig.update_xaxes(title_text=_("step"), row=row, col=col)
        if title in log_y:
            fig.update_yaxes(**log_axis(panels[title]), row=row, col=col)
        if title in percent:
            fig.update_yaxes(tickformat=".0%", row=row, col=col)
    return _layout(fig, height)


def grad_norms_figure(
    labels: Sequence[str],
    colors: Sequence[str],
    grad_norms: Sequence[np.ndarray],
    diverged_at: Sequence[int],
    max_cols: int = 4,
) -> go.Figure:
    """One small panel per hidden layer (input to output): the Frobenius norm of that layer's
    weight gradient over the steps, one log-scale curve per optimizer."""
    depth = grad_norms[0].shape[1] if len(grad_norms) and grad_norms[0].ndim == 2 else 0
    cols = max(1, min(max_cols, depth))
    rows = max(1, math.ceil(depth / cols))
    titles = [_("layer {layer}").format(layer=i + 1) for i in range(depth)]
    fig = make_subplots(rows, cols, subplot_titles=titles, shared_yaxes=True,
                        vertical_spacing=0.3 / rows, horizontal_spacing=0.03)  # fmt: skip
    for i in range(depth):
        row, col = i // cols + 1, i % cols + 1
        for k, (label, color) in enumerate(zip(labels, colors, strict=True)):
            y = _f32(grad_norms[k][:, i])
            y = np.where(y > 0, y, np.nan).astype(np.float32)  # log axis: a zero is a gap
            fig.add_trace(
                go.Scatter(
                    x=np.arange(len(y), dtype=np.int32), y=y, mode="lines", name=label,
                    legendgroup=label, showlegend=i == 0, line=dict(color=color, width=2),
                    hovertemplate=f"{label}, "
                    + _("layer {layer}").format(layer=i + 1)
                    + ": %{y:.3g}<extra></extra>",
                ),
                row, col,
            )  # fmt: skip
        if row == rows:
            fig.update_xaxes(title_text=_("step"), row=row, col=col)
    fig.update_yaxes(**log_axis([g for g in grad_norms if np.size(g)]))  # shared by the panels
    fig.update_yaxes(title_text="‖∂L/∂W‖", col=1)
    return _layout(fig, 260 * rows + 120)


def boundaries_figure(
    labels: Sequence[str],
    colors: Sequence[str],
    xs: np.ndarray,
    ys: np.ndarray,
    probs: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    max_cols: int = 3,
) -> go.Figure:
    """Decision boundaries as small multiples: each optimizer's predicted class on a shared grid
    (shade = confidence), the training points on top; the panel title wears its colour."""
    K, C = probs.shape[0], probs.shape[-1]
    cols = max(1, min(max_cols, K))
    rows = math.ceil(K / cols)
    titles = [f"<b style='color:{c}'>{label}</b>" for label, c in zip(labels, colors, strict=True)]
    fig = make_subplots(rows, cols, subplot_titles=titles, horizontal_spacing=0.02,
                        vertical_spacing=0.08, shared_xaxes=True, shared_yaxes=True)  # fmt: skip
    # Binary: P(class 1) on a blue-white-orange scale; more classes: the winning class.
    if C == 2:
        z_all = probs[..., 1]
        scale = [[0, CLASS_COLORS[0]], [0.5, "#FFFFFF"], [1, CLASS_COLORS[1]]]
        zmin, zmax, hover = 0.0, 1.0, _("P(class 1)") + " = %{z:.2f}"
    else:
        z_all = probs.argmax(-1).astype(np.float32)
        scale = [[i / max(C - 1, 1), CLASS_COLORS[i % len(CLASS_COLORS)]] for i in range(C)]
        zmin, zmax, hover = 0.0, float(C - 1), _("class") + " %{z:.0f}"
    for k in range(K):
        row, col = k // cols + 1, k % cols + 1
        fig.add_trace(
            go.Heatmap(
                x=_f32(xs), y=_f32(ys), z=_f32(z_all[k]), colorscale=scale, zmin=zmin,
                zmax=zmax, showscale=False, opacity=0.55 if C == 2 else 0.4,
                hovertemplate=f"{labels[k]}<br>x=%{{x:.2f}}, y=%{{y:.2f}}<br>{hover}<extra></extra>",
            ),
            row, col,
        )  # fmt: skip
        for c in range(int(y.max()) + 1 if len(y) else 0):
            pts = X[y == c]
            fig.add_trace(
                go.Scattergl(
                    x=_f32(pts[:, 0]), y=_f32(pts[:, 1]), mode="markers", name=_("class {c}").format(c=c),
                    legendgroup=f"class {c}", showlegend=k == 0,
                    marker=dict(size=5, color=CLASS_COLORS[c % len(CLASS_COLORS)],
                                line=dict(width=0.5, color="white")),
                    hoverinfo="skip",
                ),
                row, col,
            )  # fmt: skip
    fig.update_xaxes(range=[float(xs[0]), float(xs[-1])], showticklabels=False)
    fig.update_yaxes(range=[float(ys[0]), float(ys[-1])], showticklabels=False)
    fig = _layout(fig, 300 * rows + 100)
    fig.update_layout(hovermode="closest")
    return fig


def sweep_figure(
    names: Sequence[str],
    colors: Sequence[str],
    lrs: np.ndarray,
    final_loss: np.ndarray,
    diverged_at: np.ndarray,
    title: str = "",  # default: "final training loss" in the current language
) -> go.Figure:
    """Final loss against learning rate (both log scale), one curve per optimizer; a diverged
    learning rate is a cross along the top edge."""
    fig = go.Figure()
    finite = final_loss[np.isfinite(final_loss)]
    top = float(finite.max()) * 1.5 if finite.size else 1.0
    for o, (name, color) in enumerate(zip(names, colors, strict=True)):
        ok = np.isfinite(final_loss[o])
        fig.add_trace(
            go.Scatter(
                x=_f32(lrs[ok]), y=_f32(final_loss[o][ok]), mode="lines+markers", name=name,
                legendgroup=name, line=dict(color=color, width=2.5), marker=dict(size=9),
                hovertemplate=f"{name}: lr=%{{x:.3g}}, loss=%{{y:.4g}}<extra></extra>",
            )
        )  # fmt: skip
        if (~ok).any():
            steps = diverged_at[o][~ok]
            fig.add_trace(
                go.Scatter(
                    x=_f32(lrs[~ok]), y=np.full(int((~ok).sum()), top, np.float32),
                    mode="markers", name=_("{name} diverged").format(name=name), legendgroup=name, showlegend=False,
                    marker=dict(symbol="x", size=13, color=color, line=dict(width=2)),
                    customdata=steps.astype(np.int32),
                    hovertemplate=f"{name}: lr=%{{x:.3g}} "
                    + _("diverged at step %{customdata}")
                    + "<extra></extra>",
                )
            )  # fmt: skip
    fig.update_xaxes(type="log", title_text=_("learning rate η"), exponentformat="power", dtick=1)
    fig.update_yaxes(title_text=title or _("final training loss"), **log_axis([final_loss, [top]]))
    fig = _layout(fig, 480)
    fig.update_layout(hovermode="closest")
    return fig
