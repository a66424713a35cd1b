"""Figures of a training run: loss and accuracy curves, a layer x step heatmap, a decision boundary.

Numpy in, a plain dict spec out (:class:`viz.spec_figure.SpecFigure`): built with plotly's graph
objects, these figures cost most of a gradient-flow session's first script run, which thirty
students opening one link repeat thirty times (issue 11). A :class:`TrainingCurves` holds one run's per-step curves with its
label and colour; several runs overlay on one pair of axes so configurations compare directly.
Heatmaps take a shared colour range instead, and a :class:`Quantity` says how to show the values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from plotly.colors import get_colorscale

from engine.core.i18n import _
from viz.colors import series_color
from viz.network_plots import (
    finite,
    house_figure,
    in_cell,
    log_floor,
    log_range,
    on_log_axis,
    row_of_subplots,
)
from viz.spec_figure import SpecFigure

_VIRIDIS = get_colorscale("Viridis")  # as a graph object writes colorscale="Viridis"


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


def training_curves(runs: Sequence[TrainingCurves]) -> SpecFigure:
    """Loss (log axis) and accuracy per step: train solid, test dashed, one colour per run."""
    _cells, layout = row_of_subplots((_("loss"), _("accuracy")), 0.1)
    losses = [finite(r.train_loss) for r in runs] + [finite(r.test_loss) for r in runs]
    floor = log_floor(*[a for a in losses if len(a)]) if any(len(a) for a in losses) else 1e-8
    data: list[dict[str, Any]] = []
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
            line = {"color": r.color, "width": 3 if dash is None else 2}
            if dash is not None:
                line["dash"] = dash
            for col, y, raw, unit in ((1, on_log_axis(loss, floor), loss, ""), (2, acc, acc, " %")):
                trace = {
                    "type": "scatter", "x": steps, "y": y, "customdata": raw, "name": name,
                    "legendgroup": name, "showlegend": col == 1, "mode": "lines", "line": line,
                    "hovertemplate": f"{name}<br>" + _("step")
                    + f" %{{x}}: %{{customdata:.4g}}{unit}<extra></extra>",
                }  # fmt: skip
                data.append(in_cell(trace, col))
    step = {"title": {"text": _("step")}}
    layout["xaxis"].update(step)
    layout["xaxis2"].update(step)
    layout["yaxis"].update(type="log", exponentformat="power")
    layout["yaxis2"].update(range=[0, 102], title={"text": "%"})
    return house_figure(data, layout, _("Loss and accuracy"))


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
) -> SpecFigure:
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
    colorbar: dict[str, Any] = {"title": {"text": "log₁₀" if log else unit.strip() or ""},
                                "thickness": 18}  # fmt: skip
    if log:
        ticks = np.arange(np.ceil(zmin), np.floor(zmax) + 1, max(1, round((zmax - zmin) / 6)))
        colorbar.update(tickvals=ticks, ticktext=[f"1e{int(t)}" for t in ticks])
    trace = {
        "type": "heatmap",
        "x": np.asarray(probe_steps, dtype=np.int32),
        "y": np.arange(1, depth + 1, dtype=np.int32),
        "z": z.T.astype(np.float32),
        "customdata": raw.T.astype(np.float32),
        "zmin": zmin,
        "zmax": zmax,
        "colorscale": _VIRIDIS,
        "colorbar": colorbar,
        "hovertemplate": _("step %{x}, layer %{y}") + f"<br>{label}: %{{customdata:.3g}}{unit}"
        "<extra></extra>",
    }
    layout = {"xaxis": {"title": {"text": _("step")}},
              "yaxis": {"title": {"text": _("layer (1 = input side)")}}}  # fmt: skip
    return house_figure([trace], layout, title or label, height=440)


def decision_boundary(
    xs: np.ndarray,
    ys: np.ndarray,
    probs: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    title: str = "",  # default: "Decision boundary" in the current language
) -> SpecFigure:
    """The predicted class on an ``n x n`` grid (shaded by confidence) with the data on top.

    ``probs`` is ``(n, n, C)`` with ``probs[i, j]`` at ``(xs[j], ys[i])``.
    """
    probs = finite(probs)
    classes = probs.shape[-1]
    colors = [series_color(c) for c in range(max(classes, int(np.max(y, initial=0)) + 1))]
    data: list[dict[str, Any]] = []
    if classes == 2:
        # p(class 1) from class 0's colour to class 1's: the 0.5 contour is the boundary.
        data.append({
            "type": "contour", "x": finite(xs), "y": finite(ys), "z": probs[..., 1],
            "zmin": 0, "zmax": 1,
            "colorscale": [[0, colors[0]], [0.5, "#ffffff"], [1, colors[1]]], "opacity": 0.55,
            "contours": {"start": 0, "end": 1, "size": 0.1}, "line": {"width": 0},
            "colorbar": {"title": {"text": _("p(class 1)")}, "thickness": 18},
            "hovertemplate": _("x %{x:.2f}, y %{y:.2f}<br>p(class 1) = %{z:.2f}<extra></extra>"),
        })  # fmt: skip
    else:
        winner = probs.argmax(-1).astype(np.float32)
        scale = [[c / max(classes - 1, 1), colors[c]] for c in range(classes)]
        data.append({
            "type": "heatmap", "x": finite(xs), "y": finite(ys), "z": winner,
            "colorscale": scale, "opacity": 0.35, "showscale": False,
            "hovertemplate": _("x %{x:.2f}, y %{y:.2f}<br>class %{z}<extra></extra>"),
        })  # fmt: skip
    X = finite(X)
    for c in np.unique(np.asarray(y)):
        pts = X[np.asarray(y) == c]
        data.append({
            "type": "scatter", "x": pts[:, 0], "y": pts[:, 1], "mode": "markers",
            "name": _("class {c}").format(c=int(c)),
            "marker": {"color": colors[int(c)], "size": 7, "line": {"color": "white", "width": 1}},
            "hovertemplate": _("class {c}").format(c=int(c)) + "<br>(%{x:.2f}, %{y:.2f})<extra></extra>",
        })  # fmt: skip
    layout = {
        "xaxis": {"range": [float(xs[0]), float(xs[-1])], "title": {"text": "x₁"}},
        "yaxis": {"range": [float(ys[0]), float(ys[-1])], "title": {"text": "x₂"}},
    }
    return house_figure(data, layout, title or _("Decision boundary"), height=460)
