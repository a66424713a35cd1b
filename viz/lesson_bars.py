"""Per-layer bars for the Lessons page: one group per series, the value written on each bar.

A bar of height exactly 0 is invisible, and "exactly 0" is the point of some lessons (units of a
zero-initialised layer stay identical), so every bar carries its value as text.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

FONT = dict(size=18)


def layer_bars(
    series: Sequence[tuple[str, str, np.ndarray]],
    *,
    title: str,
    x_title: str,
    y_title: str,
    height: int = 460,
) -> go.Figure:
    """Grouped bars over layers 1..L: ``series`` is ``(label, colour, values)`` per group."""
    fig = go.Figure()
    for label, color, values in series:
        v = np.asarray(values, dtype=np.float64)
        v = np.where(np.isfinite(v), v, 0.0)
        fig.add_trace(
            go.Bar(
                x=np.arange(1, len(v) + 1, dtype=np.int32),
                y=v.astype(np.float32),
                name=label,
                marker_color=color,
                text=[f"{x:.3g}" for x in v],
                textposition="outside",
                cliponaxis=False,
            )
        )
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left"),
        font=FONT,
        height=height,
        barmode="group",
        margin=dict(b=60, l=70, r=20, t=110),
        legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom"),
        xaxis=dict(title=dict(text=x_title), dtick=1),
        yaxis=dict(title=dict(text=y_title), rangemode="tozero"),
    )
    return fig
