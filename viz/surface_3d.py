"""The 3D view of a loss surface with the optimizers' paths lying on it.

numpy in, a plain-dict :class:`viz.spec_figure.SpecFigure` out (see viz/spec_figure.py); paths
are cut where they diverge or fly off the surface's region.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.core.i18n import _
from viz.colors import optimizer_color
from viz.spec_figure import SpecFigure, figure
from viz.surface_plots import (
    FONT,
    VIRIDIS,
    color_title,
    color_values,
    path_hover,
    valid_length,
)


def inside_length(path: np.ndarray, bounds: tuple[tuple[float, float], ...], n: int) -> int:
    """How many of the first ``n`` points stay within ``bounds`` widened by half on each side
    (a path that flies off is cut where it leaves, so the 3D axes keep the surface's scale)."""
    (x0, x1), (y0, y1) = bounds
    wx, wy = 0.5 * (x1 - x0), 0.5 * (y1 - y0)
    p = path[:n]
    ok = (p[:, 0] >= x0 - wx) & (p[:, 0] <= x1 + wx) & (p[:, 1] >= y0 - wy) & (p[:, 1] <= y1 + wy)
    return n if ok.all() else max(int(np.argmin(ok)), 1)


def surface_3d(
    xs: np.ndarray,
    ys: np.ndarray,
    Z: np.ndarray,
    *,
    log_scale: bool,
    names: Sequence[str] = (),
    labels: Sequence[str] = (),
    paths: np.ndarray | None = None,
    losses: np.ndarray | None = None,
    diverged_at: np.ndarray | None = None,
) -> SpecFigure:
    """The surface in 3D with every path lying on it (heights in the colour scale's units)."""
    Z = np.asarray(Z, dtype=np.float64)
    zmin = float(Z.min())
    height = color_values(Z, log_scale)
    traces: list[dict] = [
        {
            "colorscale": VIRIDIS,
            "hovertemplate": "(x, y) = (%{x:.3f}, %{y:.3f})<extra></extra>",
            "name": _("surface"),
            "opacity": 0.85,
            "showscale": False,
            "x": np.asarray(xs, np.float32),
            "y": np.asarray(ys, np.float32),
            "z": height,
            "type": "surface",
        }
    ]
    lift = 0.01 * float(height.max() - height.min() or 1.0)
    if paths is not None and losses is not None and diverged_at is not None:
        steps = paths.shape[1] - 1
        box = ((float(xs[0]), float(xs[-1])), (float(ys[0]), float(ys[-1])))
        for k, (name, label) in enumerate(zip(names, labels, strict=True)):
            n = inside_length(paths[k], box, valid_length(int(diverged_at[k]), steps))
            z = losses[k, :n]
            if log_scale:
                z = np.log10(1.0 + np.clip(z - zmin, 0.0, 1e300))
            z = np.clip(np.nan_to_num(z, nan=0.0), height.min(), height.max()) + lift
            traces.append(
                {
                    "customdata": np.column_stack((np.arange(n), losses[k, :n])),
                    "hovertemplate": path_hover(label),
                    "line": {"color": optimizer_color(name), "width": 6},
                    "mode": "lines",
                    "name": label,
                    "x": paths[k, :n, 0].astype(np.float32),
                    "y": paths[k, :n, 1].astype(np.float32),
                    "z": z.astype(np.float32),
                    "type": "scatter3d",
                }
            )
    layout = {
        "font": dict(FONT),
        "height": 620,
        "margin": {"b": 0, "l": 0, "r": 0, "t": 30},
        "legend": {"orientation": "h", "x": 0, "y": 1.02},
        "scene": {
            "xaxis": {"range": [float(xs[0]), float(xs[-1])], "title": {"text": "x"}},
            "yaxis": {"range": [float(ys[0]), float(ys[-1])], "title": {"text": "y"}},
            "zaxis": {"title": {"text": color_title(log_scale)}},
        },
    }
    return figure(traces, layout)
