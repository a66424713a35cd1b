"""The contour map of a 2D loss surface with the paths and playback (3D: surface_3d.py; basins:
basin_plots.py).

numpy in, figure out: a :class:`viz.spec_figure.SpecFigure` built from plain dicts, because
plotly's validation of every property cost more than the trajectories did. Nothing non-finite is
written into a figure: paths are cut at the step they diverged (a cross marks the spot), colour
values are clipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.core.i18n import N_, _
from viz.colors import optimizer_color
from viz.spec_figure import SpecFigure, figure

FONT = dict(size=16)
MINIMUM_STYLE = dict(symbol="star", size=18, color="#FFD700", line=dict(color="black", width=1.5))
START_STYLE = dict(symbol="circle-open", size=18, color="black", line=dict(width=3))
CLICK_NAME = N_("click to set the start")  # English: the trace's name in tests
MINIMUM_NAME = N_("known minimum")  # the landmarks' trace names (translated when drawn)
START_NAME = N_("start")
# Plotly's "Viridis", as its colorscale validator writes the name out.
VIRIDIS = [
    [0.0, "#440154"], [0.1111111111111111, "#482878"], [0.2222222222222222, "#3e4989"],
    [0.3333333333333333, "#31688e"], [0.4444444444444444, "#26828e"],
    [0.5555555555555556, "#1f9e89"], [0.6666666666666666, "#35b779"],
    [0.7777777777777778, "#6ece58"], [0.8888888888888888, "#b5de2b"], [1.0, "#fde725"],
]  # fmt: skip


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
    what = _("f undefined at step {step}") if undefined else _("diverged at step {step}")
    return what.format(step=int(diverged_at))


def valid_length(diverged_at: int, steps: int) -> int:
    """How many points of a path to draw: up to (not including) the step it diverged."""
    return steps + 1 if diverged_at < 0 else max(int(diverged_at), 1)


def path_hover(label: str) -> str:
    return (
        f"<b>{label}</b><br>"
        + _("step")
        + " %{customdata[0]:d}<br>f = %{customdata[1]:.4g}<br>(x, y) = (%{x:.4f}, %{y:.4f})"
        + "<extra></extra>"
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
) -> SpecFigure:
    """The surface as filled contours, with an invisible grid of points that a click selects."""
    traces: list[dict] = [
        {
            "colorbar": {
                "thickness": 14,
                "title": {"side": "right", "text": color_title(log_scale)},
            },
            "colorscale": VIRIDIS,
            "customdata": np.asarray(Z, np.float32),
            "hovertemplate": "(x, y) = (%{x:.3f}, %{y:.3f})<br>f = %{customdata:.4g}<extra></extra>",
            "line": {"color": "rgba(255,255,255,0.35)", "width": 0.5},
            "name": _("surface"),
            "ncontours": 30,
            "x": np.asarray(xs, np.float32),
            "y": np.asarray(ys, np.float32),
            "z": color_values(Z, log_scale),
            "type": "contour",
        }
    ]
    if click_grid:
        gx = np.linspace(xs[0], xs[-1], click_grid, dtype=np.float32)
        gy = np.linspace(ys[0], ys[-1], click_grid, dtype=np.float32)
        GX, GY = np.meshgrid(gx, gy)
        traces.append(
            {
                "hoverinfo": "none",  # "none" still delivers clicks; "skip" would not
                "marker": {"opacity": 0, "size": 14},
                "mode": "markers",
                "name": _(CLICK_NAME),
                "showlegend": False,
                "x": GX.ravel(),
                "y": GY.ravel(),
                "type": "scatter",
            }
        )
    if len(minima):
        m = np.asarray(minima, np.float32)
        traces.append(
            {
                "hovertemplate": _("minimum") + " (%{x:.4f}, %{y:.4f})<extra></extra>",
                "marker": _marker(MINIMUM_STYLE),
                "mode": "markers",
                "name": _(MINIMUM_NAME),
                "x": m[:, 0],
                "y": m[:, 1],
                "type": "scatter",
            }
        )
    if start is not None:
        traces.append(
            {
                "hovertemplate": _(START_NAME) + " (%{x:.4f}, %{y:.4f})<extra></extra>",
                "marker": _marker(START_STYLE),
                "mode": "markers",
                "name": _(START_NAME),
                "x": np.asarray([start[0]], np.float32),
                "y": np.asarray([start[1]], np.float32),
                "type": "scatter",
            }
        )
    layout = {
        "title": {"text": title, "x": 0, "xanchor": "left", "y": 0.995, "yanchor": "top"},
        "font": dict(FONT),
        "height": 640,
        "margin": {"b": 40, "l": 50, "r": 20, "t": 110 if title else 70},
        "legend": {"orientation": "h", "x": 0, "y": 1.01, "yanchor": "bottom"},
        "xaxis": {"range": [float(xs[0]), float(xs[-1])], "title": {"text": "x"}},
        "yaxis": {"range": [float(ys[0]), float(ys[-1])], "title": {"text": "y"}},
        "clickmode": "event+select",
        "hovermode": "closest",
    }
    return figure(traces, layout)


def _marker(style: dict) -> dict:
    """A marker style as plotly writes it (``line`` a dict of its own, copied)."""
    return {k: dict(v) if isinstance(v, dict) else v for k, v in style.items()}


def add_paths(
    fig: SpecFigure,
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
        fig.add(
            {
                "customdata": data,
                "hovertemplate": path_hover(label),
                "legendgroup": label,
                "line": {"color": color, "width": 3},
                "marker": {"color": color, "size": 4},
                "mode": "lines+markers",
                "name": label,
                "x": paths[k, :n, 0].astype(np.float32),
                "y": paths[k, :n, 1].astype(np.float32),
                "type": "scatter",
            }
        )
        if diverged_at[k] >= 0:
            text = stop_text(diverged_at[k], undefined is not None and bool(undefined[k]))
            fig.add(
                {
                    "hoverinfo": "name",
                    "legendgroup": label,
                    "marker": {"color": color, "line": {"width": 2}, "size": 18, "symbol": "x"},
                    "mode": "markers+text",
                    "name": f"{label}: {text}",
                    "showlegend": False,
                    "text": [text],
                    "textfont": {"color": color, "size": 15},
                    "textposition": "top center",
                    "x": paths[k, n - 1 : n, 0].astype(np.float32),
                    "y": paths[k, n - 1 : n, 1].astype(np.float32),
                    "type": "scatter",
                }
            )


def add_playback(
    fig: SpecFigure,
    names: Sequence[str],
    labels: Sequence[str],
    paths: np.ndarray,
    diverged_at: np.ndarray,
    frame_steps: np.ndarray,
) -> None:
    """A marker per optimizer that Play and the step slider move; frames carry only them."""
    steps = paths.shape[1] - 1
    last = np.asarray([valid_length(int(d), steps) - 1 for d in diverged_at], dtype=np.int64)
    first = len(fig.spec["data"])
    for k, (name, label) in enumerate(zip(names, labels, strict=True)):
        fig.add(
            {
                "hovertemplate": f"<b>{label}</b> "
                + _("now")
                + "<br>(%{x:.4f}, %{y:.4f})<extra></extra>",
                "legendgroup": label,
                "marker": {
                    "color": optimizer_color(name),
                    "line": {"color": "white", "width": 2},
                    "size": 16,
                },
                "mode": "markers",
                "name": _("{label} (now)").format(label=label),
                "showlegend": False,
                "x": paths[k, :1, 0].astype(np.float32),
                "y": paths[k, :1, 1].astype(np.float32),
                "type": "scatter",
            }
        )
    moving = list(range(first, first + len(names)))
    # Every frame's positions in one gather; one point per trace, as plain floats.
    t = np.asarray(frame_steps, dtype=np.int64)
    idx = np.minimum(t[:, None], last[None, :])  # (frames, K)
    xy = paths[np.arange(len(names))[None, :], idx].tolist()  # (frames, K, 2)
    frames = [
        {
            "data": [{"type": "scatter", "x": [x], "y": [y]} for x, y in points],
            "name": str(int(step)),
            "traces": moving,
        }
        for step, points in zip(t, xy, strict=True)
    ]
    fig.set_frames(frames, arrays=False)  # .tolist() above: plain floats
    play = {
        "frame": {"duration": 60, "redraw": False},
        "fromcurrent": True,
        "transition": {"duration": 0},
    }
    stop = {
        "frame": {"duration": 0, "redraw": False},
        "mode": "immediate",
        "transition": {"duration": 0},
    }
    layout = fig.spec["layout"]
    fig.set_layout(
        updatemenus=[
            {
                "buttons": [
                    {"args": [None, play], "label": "▶ " + _("Play"), "method": "animate"},
                    {"args": [[None], stop], "label": "❚❚ " + _("Pause"), "method": "animate"},
                ],
                "direction": "left",
                "font": {"size": 15},
                "pad": {"r": 10, "t": 0},
                "type": "buttons",
                "x": 0,
                "xanchor": "left",
                "y": -0.07,
                "yanchor": "top",
            }
        ],
        sliders=[
            {
                "active": 0,
                "currentvalue": {"font": {"size": 15}, "prefix": "step ", "xanchor": "right"},
                "len": 1.0,
                "pad": {"b": 0, "t": 10},
                "steps": [
                    {"args": [[str(int(s))], stop], "label": str(int(s)), "method": "animate"}
                    for s in t
                ],
                "x": 0,
                "y": -0.13,
                "yanchor": "top",
            }
        ],
        height=780,
        margin={**layout.get("margin", {}), "b": 190},
    )
