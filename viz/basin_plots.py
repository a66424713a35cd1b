"""Basin maps: which minimum each start of a grid reaches, one panel per optimizer.

numpy in, ``go.Figure`` out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.core.i18n import _
from viz.colors import series_color
from viz.surface_plots import (
    FONT,
    MINIMUM_STYLE,
)


def basin_maps(
    names: Sequence[str],
    starts: np.ndarray,
    basin: np.ndarray,
    minima: Sequence[tuple[float, float]],
    shares: Sequence[float],
    n: int,
) -> go.Figure:
    """Per optimizer, every start coloured by the minimum it reached (grey: none / diverged).

    ``starts`` (n², 2) from ``engine.surfaces.analysis.start_grid``; ``basin`` (K, n²) of minimum indices.
    """
    K = len(names)
    cols = min(K, 3)
    rows = -(-K // cols)
    titles = [f"{name}: {share:.0%} converged" for name, share in zip(names, shares, strict=True)]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.06)
    M = max(len(minima), 1)
    # Discrete colours: -1 grey, then one per minimum.
    palette = ["#BBBBBB"] + [series_color(i) for i in range(M)]
    scale = []
    for i, c in enumerate(palette):
        scale += [[i / len(palette), c], [(i + 1) / len(palette), c]]
    xs = np.unique(starts[:, 0]).astype(np.float32)
    ys = np.unique(starts[:, 1]).astype(np.float32)
    for k in range(K):
        r, c = divmod(k, cols)
        fig.add_trace(
            go.Heatmap(
                x=xs,
                y=ys,
                z=basin[k].reshape(n, n).astype(np.float32),
                zmin=-1.5,
                zmax=M - 0.5,
                colorscale=scale,
                showscale=False,
                hovertemplate=_("start (%{x:.2f}, %{y:.2f})<br>minimum #%{z}<extra></extra>"),
                name=names[k],
            ),
            row=r + 1,
            col=c + 1,
        )
        if len(minima):
            m = np.asarray(minima, np.float32)
            fig.add_trace(
                go.Scatter(
                    x=m[:, 0],
                    y=m[:, 1],
                    mode="markers+text",
                    text=[f"#{i}" for i in range(len(m))],
                    textposition="top center",
                    marker=dict(MINIMUM_STYLE, color=palette[1:]),
                    showlegend=False,
                    hovertemplate=_("minimum #%{text}: (%{x:.3f}, %{y:.3f})<extra></extra>"),
                ),
                row=r + 1,
                col=c + 1,
            )
    fig.update_layout(font=FONT, height=380 * rows + 40, margin=dict(l=40, r=20, t=60, b=30))
    return fig
