"""The contour map of a 2D loss surface with the paths and playback (3D: surface_3d.py; basins:
basin_plots.py).

numpy in, ``go.Figure`` out. Nothing non-finite is written into a figure: paths are cut at the
step they diverged (a cross marks the spot), colour values are clipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.colors import optimizer_color

FONT = dict(size=16)
MINIMUM_STYLE = dict(symbol="star", size=18, color="#FFD700", line=dict(color="black", width=1.5))
START_STYLE = dict(symbol="circle-open", size=18, color="black", line=dict(width=3))
CLICK_NAME = "click to set the start"


def color_values(Z: np.ndarray, log_scale: bool) -> np.ndarray:
    """What the colours show: f itself, or log₁₀(1 + f − min f) when the range is large."""
    Z = np.nan_to_num(np.asarray(Z, dtype=np.float64), nan=0.0, posinf=1e300, neginf=-1e300)
    if not log_scale:
        return Z.astype(np.float32)
    return np.log10(1.0 + np.clip(Z - Z.min(), 0.0, 1e300)).astype(np.float32)


def color_title(log_scale: bool) -> str:
    return "log₁₀(1 + f − min f)" if log_scale else "f(x, y)"


def stop_text(diverged_at: int, undefined: bool = False) -> str:
    """What a cross at the end of a stopped path says."""
    return f"{'f undefined' if undefined else 'diverged'} at step {int(diverged_at)}"


def valid_length(diverged_at: int, steps: int) -> int:
    """How many points of a path to draw: up to (not including) the step it diverged."""
    return steps + 1 if diverged_at < 0 else max(int(diverged_at), 1)


def path_hover(label: str) -> str:
    return (
        f"<b>{label}</b><br>step %{{customdata[0]:d}}<br>f = %{{customdata[1]:.4g}}"
        "<br>(x, y) = (%{x:.4f}, %{y:.4f})<extra></extra>"
    )


def contour_map(
    xs: np.ndarray,
    ys: np.ndarray,
    Z: np.ndarray,
    *,
    log_scale: bool,
    minima: Sequence[tuple[float, float]] = (),
    start: tuple[float, float] | None = None,
    click_grid: int = 40,
    title: str = "",
) -> go.Figure:
    """The surface as filled contours, with an invisible grid of points that a click selects."""
    fig = go.Figure()
    fig.add_trace(
        go.Contour(
            x=np.asarray(xs, np.float32),
            y=np.asarray(ys, np.float32),
            z=color_values(Z, log_scale),
            customdata=np.asarray(Z, np.float32),
            colorscale="Viridis",
            ncontours=30,
            line=dict(width=0.5, color="rgba(255,255,255,0.35)"),
            colorbar=dict(title=dict(text=color_title(log_scale), side="right"), thickness=14),
            hovertemplate="(x, y) = (%{x:.3f}, %{y:.3f})<br>f = %{customdata:.4g}<extra></extra>",
            name="surface",
        )
    )
    if click_grid:
        gx = np.linspace(xs[0], xs[-1], click_grid, dtype=np.float32)
        gy = np.linspace(ys[0], ys[-1], click_grid, dtype=np.float32)
        GX, GY = np.meshgrid(gx, gy)
        fig.add_trace(
            go.Scatter(
                x=GX.ravel(),
                y=GY.ravel(),
                mode="markers",
                marker=dict(size=14, opacity=0),
                hoverinfo="none",  # "none" still delivers clicks; "skip" would not
                showlegend=False,
                name=CLICK_NAME,
            )
        )
    if len(minima):
        m = np.asarray(minima, np.float32)
        fig.add_trace(
            go.Scatter(
                x=m[:, 0],
                y=m[:, 1],
                mode="markers",
                marker=MINIMUM_STYLE,
                name="known minimum",
                hovertemplate="minimum (%{x:.4f}, %{y:.4f})<extra></extra>",
            )
        )
    if start is not None:
        fig.add_trace(
            go.Scatter(
                x=np.asarray([start[0]], np.float32),
                y=np.asarray([start[1]], np.float32),
                mode="markers",
                marker=START_STYLE,
                name="start",
                hovertemplate="start (%{x:.4f}, %{y:.4f})<extra></extra>",
            )
        )
    fig.update_layout(
        title=dict(text=title, y=0.995, yanchor="top", x=0, xanchor="left"),
        font=FONT,
        height=640,
        margin=dict(l=50, r=20, t=110 if title else 70, b=40),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0),
        xaxis=dict(title="x", range=[float(xs[0]), float(xs[-1])]),
        yaxis=dict(title="y", range=[float(ys[0]), float(ys[-1])]),
        clickmode="event+select",
        hovermode="closest",
    )
    return fig


def add_paths(
    fig: go.Figure,
    names: Sequence[str],
    labels: Sequence[str],
    paths: np.ndarray,
    losses: np.ndarray,
    diverged_at: np.ndarray,
    undefined: Sequence[bool] | None = None,
) -> None:
    """One line per optimizer (paths (K, T+1, 2), losses (K, T+1)), a cross where it diverged.

    ``undefined[k]``: path k stopped where f has no value, not because its steps blew up.
    """
    steps = paths.shape[1] - 1
    for k, (name, label) in enumerate(zip(names, labels, strict=True)):
        n = valid_length(int(diverged_at[k]), steps)
        color = optimizer_color(name)
        data = np.column_stack((np.arange(n), losses[k, :n])).astype(np.float64)
        fig.add_trace(
            go.Scatter(
                x=paths[k, :n, 0].astype(np.float32),
                y=paths[k, :n, 1].astype(np.float32),
                mode="lines+markers",
                line=dict(color=color, width=3),
                marker=dict(color=color, size=4),
                customdata=data,
                hovertemplate=path_hover(label),
                name=label,
                legendgroup=label,
            )
        )
        if diverged_at[k] >= 0:
            text = stop_text(diverged_at[k], undefined is not None and bool(undefined[k]))
            fig.add_trace(
                go.Scatter(
                    x=paths[k, n - 1 : n, 0].astype(np.float32),
                    y=paths[k, n - 1 : n, 1].astype(np.float32),
                    mode="markers+text",
                    marker=dict(symbol="x", size=18, color=color, line=dict(width=2)),
                    text=[text],
                    textposition="top center",
                    textfont=dict(color=color, size=15),
                    name=f"{label}: {text}",
                    legendgroup=label,
                    showlegend=False,
                    hoverinfo="name",
                )
            )


def add_playback(
    fig: go.Figure,
    names: Sequence[str],
    labels: Sequence[str],
    paths: np.ndarray,
    diverged_at: np.ndarray,
    frame_steps: np.ndarray,
) -> None:
    """A marker per optimizer that Play and the step slider move; frames carry only them."""
    steps = paths.shape[1] - 1
    last = [valid_length(int(d), steps) - 1 for d in diverged_at]
    first = len(fig.data)
    for k, (name, label) in enumerate(zip(names, labels, strict=True)):
        fig.add_trace(
            go.Scatter(
                x=paths[k, :1, 0].astype(np.float32),
                y=paths[k, :1, 1].astype(np.float32),
                mode="markers",
                marker=dict(
                    size=16, color=optimizer_color(name), line=dict(color="white", width=2)
                ),
                name=f"{label} (now)",
                legendgroup=label,
                showlegend=False,
                hovertemplate=f"<b>{label}</b> now<br>(%{{x:.4f}}, %{{y:.4f}})<extra></extra>",
            )
        )
    moving = list(range(first, first + len(names)))
    frames = []
    for t in frame_steps:
        idx = [min(int(t), last[k]) for k in range(len(names))]
        # One point per trace: plain floats validate far faster than 1-element arrays.
        data = [
            dict(type="scatter", x=[float(paths[k, i, 0])], y=[float(paths[k, i, 1])])
            for k, i in enumerate(idx)
        ]
        frames.append(dict(data=data, traces=moving, name=str(int(t))))
    fig.frames = frames
    play = dict(
        frame=dict(duration=60, redraw=False), transition=dict(duration=0), fromcurrent=True
    )
    stop = dict(frame=dict(duration=0, redraw=False), mode="immediate", transition=dict(duration=0))
    fig.update_layout(
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                x=0,
                y=-0.07,
                xanchor="left",
                yanchor="top",
                pad=dict(t=0, r=10),
                font=dict(size=15),
                buttons=[
                    dict(label="▶ Play", method="animate", args=[None, play]),
                    dict(label="❚❚ Pause", method="animate", args=[[None], stop]),
                ],
            )
        ],
        sliders=[
            dict(
                active=0,
                x=0,
                len=1.0,
                y=-0.13,
                yanchor="top",
                pad=dict(t=10, b=0),
                currentvalue=dict(prefix="step ", font=dict(size=15), xanchor="right"),
                steps=[
                    dict(method="animate", label=str(int(t)), args=[[str(int(t))], stop])
                    for t in frame_steps
                ],
            )
        ],
        height=780,
        margin=dict(b=190),
    )
