"""Figures of gradients through time: the signal per step, its heatmap over training,
connectivity over an input sequence, and training curves with the raw gradient norm.

Numpy and plain data in, ``go.Figure`` out. A *series* is ``(label, colour, values)``. Steps in
time are drawn 1-based (:math:`t = 1..T`), as the formulas write them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.core.i18n import _
from viz.network_plots import base_layout, finite, log_floor, log_range, on_log_axis

Series = tuple[str, str, np.ndarray]

#: One colour per cell type, the same in every figure (Okabe-Ito).
CELL_COLORS = {"rnn_tanh": "#0072B2", "rnn_relu": "#56B4E9", "lstm": "#D55E00", "gru": "#009E73"}


#: Values below this are drawn at it: float32 cannot hold much less, and nothing is left there.
TINY = 1e-30


def _floor(*arrays: np.ndarray) -> float:
    """Where zeros go on a log axis: a decade below the smallest positive value, not below TINY."""
    return max(log_floor(*arrays), TINY)


def cell_color(cell: str) -> str:
    return CELL_COLORS.get(cell, "#000000")


def _steps(n: int) -> np.ndarray:
    return np.arange(1, n + 1, dtype=np.int32)


def _log_ticks(zmin: float, zmax: float) -> dict:
    ticks = np.arange(np.ceil(zmin), np.floor(zmax) + 1, max(1, round((zmax - zmin) / 6)))
    return dict(tickvals=ticks, ticktext=[f"1e{int(t)}" for t in ticks])


def signal_profile(
    series: Sequence[Series],
    predictions: Sequence[tuple[str, str, float]] = (),
    title: str = "",  # default: "Backward signal ‖∂L/∂h_t‖ at initialisation", translated
) -> go.Figure:
    """:math:`\\lVert \\partial L/\\partial h_t \\rVert` against t (log axis), one line per
    series. ``predictions`` are ``(label, colour, q)``: a dotted geometric line
    :math:`g_T q^{T-t}` anchored at the last point of the series with the same colour."""
    fig = go.Figure()
    arrays = [v for _, _, v in series]
    floor = _floor(*arrays) if arrays else 1e-8
    for label, color, values in series:
        raw = finite(values)
        fig.add_trace(
            go.Scatter(
                x=_steps(len(raw)),
                y=on_log_axis(raw, floor),
                customdata=raw,
                name=label,
                mode="lines",
                line=dict(color=color, width=3),
                hovertemplate=f"{label}<br>t = %{{x}}: %{{customdata:.3g}}<extra></extra>",
            )
        )
    for label, color, q in predictions:
        match = [finite(v) for lab, c, v in series if c == color]
        if not match or not np.isfinite(q) or q <= 0:
            continue
        g = match[0]
        T = len(g)
        line = (g[-1] * np.float64(q) ** (T - _steps(T).astype(np.float64))).astype(np.float32)
        fig.add_trace(
            go.Scatter(
                x=_steps(T),
                y=on_log_axis(line, floor),
                name=label,
                mode="lines",
                line=dict(color=color, width=2, dash="dot"),
                hovertemplate=f"{label}<br>t = %{{x}}: %{{y:.3g}}<extra></extra>",
            )
        )
    if arrays:
        fig.update_yaxes(type="log", range=log_range(*arrays, floor=floor))
    fig.update_yaxes(title_text=_("‖∂L/∂h_t‖ (log)"), exponentformat="power")
    fig.update_xaxes(title_text=_("time step t (the loss is at t = T)"))
    return base_layout(fig, title or _("Backward signal ‖∂L/∂h_t‖ at initialisation"), height=440)


def time_heatmap(
    probe_steps: np.ndarray,
    values: np.ndarray,
    title: str,
    zrange: tuple[float, float] | None = None,
) -> go.Figure:
    """Time step t (x) x training step (y) heatmap of ``values`` ``(P, T)``, coloured by
    :math:`\\log_{10}` (colour bar in powers of ten, ``zrange`` in log10 to share it between
    figures); the hover shows the raw value. A fade to the left is a vanishing gradient."""
    raw = finite(values).reshape(len(probe_steps), -1)
    floor = 10 ** zrange[0] if zrange else _floor(raw)
    z = np.log10(on_log_axis(raw, floor))
    zmin, zmax = zrange if zrange else (float(z.min(initial=0)), float(z.max(initial=1)))
    if zmax <= zmin:
        zmax = zmin + 1.0
    fig = go.Figure(
        go.Heatmap(
            x=_steps(raw.shape[1]),
            y=np.asarray(probe_steps, dtype=np.int32),
            z=z.astype(np.float32),
            customdata=raw.astype(np.float32),
            zmin=zmin,
            zmax=zmax,
            colorscale="Viridis",
            colorbar=dict(title=dict(text=_("log₁₀")), thickness=18, **_log_ticks(zmin, zmax)),
            hovertemplate=_(
                "t = %{x}, training step %{y}<br>‖∂L/∂h_t‖ = %{customdata:.3g}<extra></extra>"
            ),
        )
    )
    fig.update_xaxes(title_text=_("time step t"))
    fig.update_yaxes(title_text=_("training step"))
    return base_layout(fig, title, height=400)


def heatmap_range(*arrays: np.ndarray) -> tuple[float, float]:
    """A shared log10 colour range for several :func:`time_heatmap` s."""
    lo, hi = log_range(*arrays, floor=_floor(*arrays))
    return lo, hi


def connectivity_strip(
    rows: Sequence[tuple[str, np.ndarray]],
    tokens: Sequence[str],
    position: int,
    title: str,
    marks: Sequence[str] | None = None,
) -> go.Figure:
    """Distill's connectivity view: one row per cell over the input sequence up to output
    position ``position`` (1-based), each input coloured by
    :math:`\\log_{10} \\lVert \\partial \\hat y_\\tau / \\partial x_t \\rVert`. ``tokens``
    (what each input is) go to the hover, ``marks`` (a character or none each; default
    ``tokens``) are written on the cells. Later inputs cannot matter and are not drawn."""
    tau = max(1, min(position, len(tokens)))
    raw = np.stack([finite(v)[:tau] for _, v in rows]) if rows else np.zeros((0, tau), np.float32)
    floor = _floor(raw)
    z = np.log10(on_log_axis(raw, floor))
    zmin, zmax = (float(z.min(initial=0)), float(z.max(initial=1)))
    if zmax <= zmin:
        zmax = zmin + 1.0
    labels = [label for label, _ in rows]
    marks = tokens if marks is None else marks
    text = np.array([list(marks[:tau])] * len(rows), dtype=object)
    hover = np.array([list(tokens[:tau])] * len(rows), dtype=object)
    fig = go.Figure(
        go.Heatmap(
            x=_steps(tau),
            y=labels,
            z=z.astype(np.float32),
            customdata=raw.astype(np.float32),
            text=text,
            hovertext=hover,
            texttemplate="%{text}",
            textfont=dict(size=13),
            zmin=zmin,
            zmax=zmax,
            colorscale="Viridis",
            colorbar=dict(title=dict(text=_("log₁₀")), thickness=18, **_log_ticks(zmin, zmax)),
            hovertemplate=_(
                "%{y}, input t = %{x} (%{hovertext})<br>‖∂ŷ_τ/∂x_t‖ = %{customdata:.3g}"
                "<extra></extra>"
            ),
        )
    )
    fig.update_xaxes(title_text=_("input position t (output at τ = {tau})").format(tau=tau))
    fig.update_yaxes(autorange="reversed")
    return base_layout(fig, title, height=160 + 60 * len(rows))


def training_curves(
    runs: Sequence[tuple[str, str, np.ndarray, np.ndarray]],
    baseline: float | None = None,
    clip: float | None = None,
) -> go.Figure:
    """Training loss (left) and the gradient norm before clipping (right), both on log axes,
    one colour per run ``(label, colour, loss, grad_norm)``. ``baseline`` (dotted) is the best
    constant guess's loss; ``clip`` (dashed) the clipping threshold."""
    fig = make_subplots(
        1, 2, subplot_titles=(_("training loss"), _("gradient norm ‖g‖ before clipping")),
        horizontal_spacing=0.1,
    )  # fmt: skip
    for col, pick in ((1, 2), (2, 3)):
        arrays = [finite(r[pick]) for r in runs if len(r[pick])]
        floor = _floor(*arrays) if arrays else 1e-8
        for run in runs:
            label, color, values = run[0], run[1], finite(run[pick])
            fig.add_trace(
                go.Scatter(
                    x=np.arange(len(values), dtype=np.int32),
                    y=on_log_axis(values, floor),
                    customdata=values,
                    name=label,
                    legendgroup=label,
                    showlegend=col == 1,
                    mode="lines",
                    line=dict(color=color, width=2),
                    hovertemplate=f"{label}<br>"
                    + _("step")
                    + " %{x}: %{customdata:.4g}<extra></extra>",
                ),
                1,
                col,
            )
        fig.update_yaxes(type="log", exponentformat="power", row=1, col=col)
    if baseline is not None:
        fig.add_hline(y=baseline, line=dict(color="#888", dash="dot"), row=1, col=1)
    if clip is not None:
        fig.add_hline(y=clip, line=dict(color="#C00", dash="dash"), row=1, col=2)
    fig.update_xaxes(title_text=_("training step"))
    return base_layout(fig, _("Training"), height=420)
