"""Figures of a training run: loss and accuracy curves, a layer x step heatmap, a decision boundary.

Numpy in, ``go.Figure`` out. A :class:`TrainingCurves` holds one run's per-step curves with its
label and colour; several runs overlay on one pair of axes so configurations compare directly.
Heatmaps take a shared colour range instead, and a :class:`Quantity` says how to show the values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.core.i18n import _
from viz.colors import series_color
from viz.network_plots import base_layout, finite, log_floor, log_range, on_log_axis


@dataclass(frozen=True)
class TrainingCurves:
    """One run's loss and accuracy per step, on the training and on the test set (accuracy as
    a share, 0 to 1; an empty test curve is left out)."""

    label: str
    color: str
    train_loss: np.ndarray
    train_acc: np.ndarray
    test_loss: np.ndarray
    test_acc: np.ndarray


@dataclass(frozen=True)
class Quantity:
    """How a heatmap shows a per-layer quantity: its title, a log colour scale or not, and the
    factor and unit of the values it shows (shares as percent: 100 and " %")."""

    title: str
    log: bool
    scale: float = 1.0
    unit: str = ""


def training_curves(runs: Sequence[TrainingCurves]) -> go.Figure:
    """Loss (log axis) and accuracy per step: train solid, test dashed, one colour per run."""
    fig = make_subplots(1, 2, subplot_titles=(_("loss"), _("accuracy")), horizontal_spacing=0.1)
    losses = [finite(r.train_loss) for r in runs] + [finite(r.test_loss) for r in runs]
    floor = log_floor(*[a for a in losses if len(a)]) if any(len(a) for a in losses) else 1e-8
    for r in runs:
        for part, dash, loss, acc in (
            (_("train"), None, r.train_loss, r.train_acc),
            (_("test"), "dash", r.test_loss, r.test_acc),
        ):
            loss = finite(loss)
            if not len(loss):
                continue
            acc = finite(acc) * np.float32(100)
            steps = np.arange(len(loss), dtype=np.int32)
            name = f"{r.label} ({part})"
            line = dict(color=r.color, width=3 if dash is None else 2, dash=dash)
            for col, y, raw, unit in ((1, on_log_axis(loss, floor), loss, ""), (2, acc, acc, " %")):
                fig.add_trace(
                    go.Scatter(
                        x=steps,
                        y=y,
                        customdata=raw,
                        name=name,
                        legendgroup=name,
                        showlegend=col == 1,
                        mode="lines",
                        line=line,
                        hovertemplate=f"{name}<br>"
                        + _("step")
                        + f" %{{x}}: %{{customdata:.4g}}{unit}"
                        "<extra></extra>",
                    ),
                    1,
                    col,
                )
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=1)
    fig.update_yaxes(range=[0, 102], title_text="%", row=1, col=2)
    fig.update_xaxes(title_text=_("step"))
    return base_layout(fig, _("Loss and accuracy"))


def heatmap_range(quantity: Quantity, arrays: Sequence[np.ndarray]) -> tuple[float, float]:
    """The colour range (in plotted units: log10 for log quantities) shared by several heatmaps."""
    arrays = [finite(a) for a in arrays if np.size(a)]
    if not arrays:
        return (0.0, 1.0)
    if quantity.log:
        lo, hi = log_range(*arrays)
        return (lo, hi)
    vals = np.concatenate([a.ravel() for a in arrays]) * quantity.scale
    lo, hi = float(vals.min()), float(vals.max())
    return (lo, hi if hi > lo else lo + 1.0)


def layer_heatmap(
    probe_steps: np.ndarray,
    values: np.ndarray,
    quantity: Quantity,
    title: str = "",
    zrange: tuple[float, float] | None = None,
) -> go.Figure:
    """Layer (y) x step (x) heatmap of a per-layer quantity, ``values`` shaped ``(P, depth)``.

    Log quantities are coloured by :math:`\\log_{10}` with the colour bar labelled in powers of
    ten; the hover shows the raw value.
    """
    label, log, scale, unit = quantity.title, quantity.log, quantity.scale, quantity.unit
    raw = finite(values).reshape(len(probe_steps), -1) * np.float32(scale)
    depth = raw.shape[1]
    if log:
        floor = 10 ** (zrange[0] if zrange else np.log10(log_floor(raw)))
        z = np.log10(on_log_axis(raw, floor))
    else:
        z = raw
    zmin, zmax = zrange if zrange else (float(z.min()), float(z.max()) if z.size else 1.0)
    if zmax <= zmin:
        zmax = zmin + 1.0
    colorbar = dict(title=dict(text="log₁₀" if log else unit.strip() or ""), thickness=18)
    if log:
        ticks = np.arange(np.ceil(zmin), np.floor(zmax) + 1, max(1, round((zmax - zmin) / 6)))
        colorbar.update(tickvals=ticks, ticktext=[f"1e{int(t)}" for t in ticks])
    fig = go.Figure(
        go.Heatmap(
            x=np.asarray(probe_steps, dtype=np.int32),
            y=np.arange(1, depth + 1, dtype=np.int32),
            z=z.T.astype(np.float32),
            customdata=raw.T.astype(np.float32),
            zmin=zmin,
            zmax=zmax,
            colorscale="Viridis",
            colorbar=colorbar,
            hovertemplate=_("step %{x}, layer %{y}") + f"<br>{label}: %{{customdata:.3g}}{unit}"
            "<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=_("step"))
    fig.update_yaxes(title_text=_("layer (1 = input side)"))
    return base_layout(fig, title or label, height=440)


def decision_boundary(
    xs: np.ndarray,
    ys: np.ndarray,
    probs: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    title: str = "",  # default: "Decision boundary" in the current language
) -> go.Figure:
    """The predicted class on an ``n x n`` grid (shaded by confidence) with the data on top.

    ``probs`` is ``(n, n, C)`` with ``probs[i, j]`` at ``(xs[j], ys[i])``.
    """
    probs = finite(probs)
    classes = probs.shape[-1]
    colors = [series_color(c) for c in range(max(classes, int(np.max(y, initial=0)) + 1))]
    fig = go.Figure()
    if classes == 2:
        # p(class 1) from class 0's colour to class 1's: the 0.5 contour is the boundary.
        fig.add_trace(
            go.Contour(
                x=finite(xs),
                y=finite(ys),
                z=probs[..., 1],
                zmin=0,
                zmax=1,
                colorscale=[[0, colors[0]], [0.5, "#ffffff"], [1, colors[1]]],
                opacity=0.55,
                contours=dict(start=0, end=1, size=0.1),
                line=dict(width=0),
                colorbar=dict(title=dict(text=_("p(class 1)")), thickness=18),
                hovertemplate=_("x %{x:.2f}, y %{y:.2f}<br>p(class 1) = %{z:.2f}<extra></extra>"),
            )
        )
    else:
        winner = probs.argmax(-1).astype(np.float32)
        scale = [[c / max(classes - 1, 1), colors[c]] for c in range(classes)]
        fig.add_trace(
            go.Heatmap(
                x=finite(xs),
                y=finite(ys),
                z=winner,
                colorscale=scale,
                opacity=0.35,
                showscale=False,
                hovertemplate=_("x %{x:.2f}, y %{y:.2f}<br>class %{z}<extra></extra>"),
            )
        )
    X = finite(X)
    for c in np.unique(np.asarray(y)):
        pts = X[np.asarray(y) == c]
        fig.add_trace(
            go.Scatter(
                x=pts[:, 0],
                y=pts[:, 1],
                mode="markers",
                name=_("class {c}").format(c=int(c)),
                marker=dict(color=colors[int(c)], size=7, line=dict(color="white", width=1)),
                hovertemplate=_("class {c}").format(c=int(c))
                + "<br>(%{x:.2f}, %{y:.2f})<extra></extra>",
            )
        )
    fig.update_xaxes(range=[float(xs[0]), float(xs[-1])], title_text="x₁")
    fig.update_yaxes(range=[float(ys[0]), float(ys[-1])], title_text="x₂")
    return base_layout(fig, title or _("Decision boundary"), height=460)
