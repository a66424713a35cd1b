"""Loss landscapes of networks: a plane through the trained weights as contours or as a 3D
surface, with the training path on it, and the loss along 1D interpolation lines.

numpy in, ``go.Figure`` out. Heights and colours are log₁₀ of the loss: a deep network's landscape
spans many decades. Side-by-side figures take one shared ``zrange`` (see :func:`shared_range`),
so equal colours mean equal losses. Nothing non-finite is written into a figure: a loss that
overflowed is drawn at the top of the range.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from engine.core.i18n import N_, _

FONT = dict(size=15)
COLORSCALE = "Viridis"
FINAL_STYLE = dict(symbol="star", size=16, color="#FFD700", line=dict(color="black", width=1.2))
START_STYLE = dict(symbol="circle", size=11, color="white", line=dict(color="black", width=2))
LOG_TITLE = N_("log₁₀ loss")  # drawn with _()


def shared_range(grids: Sequence[np.ndarray], decades: float = 4.0) -> tuple[float, float]:
    """One log₁₀ range for several landscapes: from the lowest loss up to the highest, at most
    ``decades`` above the lowest (a landscape that explodes would flatten the others)."""
    finite = [g[np.isfinite(g) & (g > 0)] for g in (np.asarray(x, np.float64) for x in grids)]
    values = np.concatenate([f for f in finite if f.size] or [np.ones(1)])
    lo, hi = np.log10(values.min()), np.log10(values.max())
    hi = min(hi, lo + decades)
    return float(lo), float(max(hi, lo + 1e-3))


def heights(loss: np.ndarray, zrange: tuple[float, float]) -> np.ndarray:
    """log₁₀ of the loss clipped into ``zrange``, as float32 (non-finite at the top)."""
    z = np.asarray(loss, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        logz = np.log10(np.where(np.isfinite(z) & (z > 0), z, np.nan))
    logz = np.where(np.isnan(logz) & (np.isfinite(z) & (z <= 0)), zrange[0], logz)
    return np.clip(np.nan_to_num(logz, nan=zrange[1]), *zrange).astype(np.float32)


def _finite(loss: np.ndarray) -> np.ndarray:
    return np.nan_to_num(np.asarray(loss, np.float64), nan=-1.0, posinf=3e38).astype(np.float32)


def contour(
    alphas: np.ndarray,
    betas: np.ndarray,
    loss: np.ndarray,
    *,
    zrange: tuple[float, float],
    title: str = "",
    path: np.ndarray | None = None,
    path_color: str = "#D55E00",
    axis_titles: tuple[str, str] = ("α", "β"),
) -> go.Figure:
    """Filled contours of ``loss[j, i]`` at ``(alphas[i], betas[j])``; ``path`` ``(T, 2)``: the
    training path on the plane, from its start (circle) to the trained weights (star)."""
    fig = go.Figure(
        go.Contour(
            x=np.asarray(alphas, np.float32),
            y=np.asarray(betas, np.float32),
            z=heights(loss, zrange),
            customdata=_finite(loss),
            zmin=zrange[0],
            zmax=zrange[1],
            colorscale=COLORSCALE,
            ncontours=25,
            line=dict(width=0.5, color="rgba(255,255,255,0.4)"),
            colorbar=dict(title=dict(text=_(LOG_TITLE), side="right"), thickness=14),
            hovertemplate=_("(%{x:.3f}, %{y:.3f})<br>loss = %{customdata:.4g}<extra></extra>"),
            name=_("loss"),
        )
    )
    if path is not None and len(path):
        p = np.asarray(path, np.float32)
        fig.add_trace(
            go.Scatter(
                x=p[:, 0], y=p[:, 1], mode="lines+markers", name=_("training path"),
                line=dict(color=path_color, width=3), marker=dict(size=5, color=path_color),
                hovertemplate=_("path (%{x:.3f}, %{y:.3f})<extra></extra>"),
            )
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(x=p[:1, 0], y=p[:1, 1], mode="markers", name=_("initial weights"),
                       marker=START_STYLE, hoverinfo="skip")
        )  # fmt: skip
    fig.add_trace(
        go.Scatter(x=[0.0], y=[0.0], mode="markers", name=_("trained weights θ*"),
                   marker=FINAL_STYLE, hoverinfo="skip")
    )  # fmt: skip
    fig.update_layout(
        title=dict(text=title), font=FONT, height=460, margin=dict(l=10, r=10, t=50, b=10),
        xaxis=dict(title=axis_titles[0], range=[float(alphas[0]), float(alphas[-1])]),
        yaxis=dict(title=axis_titles[1], range=[float(betas[0]), float(betas[-1])]),
        legend=dict(orientation="h", yanchor="top", y=-0.15, x=0),
    )  # fmt: skip
    return fig


def surface(
    alphas: np.ndarray,
    betas: np.ndarray,
    loss: np.ndarray,
    *,
    zrange: tuple[float, float],
    title: str = "",
    path: np.ndarray | None = None,
    path_loss: np.ndarray | None = None,
    path_color: str = "#D55E00",
    axis_titles: tuple[str, str] = ("α", "β"),
) -> go.Figure:
    """The same plane as a 3D surface of log₁₀ loss; the path lies on it (``path_loss`` is the
    loss at the path's points of the plane)."""
    fig = go.Figure(
        go.Surface(
            x=np.asarray(alphas, np.float32),
            y=np.asarray(betas, np.float32),
            z=heights(loss, zrange),
            customdata=_finite(loss),
            cmin=zrange[0],
            cmax=zrange[1],
            colorscale=COLORSCALE,
            showscale=False,
            opacity=0.9,
            hovertemplate=_("(%{x:.3f}, %{y:.3f})<br>loss = %{customdata:.4g}<extra></extra>"),
            name=_("loss"),
        )
    )
    if path is not None and path_loss is not None and len(path):
        p = np.asarray(path, np.float32)
        fig.add_trace(
            go.Scatter3d(
                x=p[:, 0], y=p[:, 1], z=heights(path_loss, zrange), mode="lines+markers",
                name=_("training path"), line=dict(color=path_color, width=6),
                marker=dict(size=3, color=path_color),
            )
        )  # fmt: skip
    fig.update_layout(
        title=dict(text=title), font=FONT, height=480, margin=dict(l=0, r=0, t=50, b=0),
        scene=dict(
            xaxis_title=axis_titles[0], yaxis_title=axis_titles[1], zaxis_title=_(LOG_TITLE),
            zaxis=dict(range=list(zrange)), camera=dict(eye=dict(x=1.5, y=1.5, z=1.1)),
        ),
        showlegend=False,
    )  # fmt: skip
    return fig


def interpolation(
    ts: np.ndarray,
    curves: Sequence[tuple[str, str, np.ndarray, np.ndarray]],
    *,
    title: str = "",
    x_title: str = "t: (1 − t)·θ₀ + t·θ*",
    ends: tuple[str, str] = ("θ₀", "θ*"),
) -> go.Figure:
    """Loss along lines ``(label, colour, train_loss, test_loss)``: training solid, test dashed,
    on a log axis; the two ends of the line are marked."""
    fig = go.Figure()
    x = np.asarray(ts, np.float32)
    shown: list[np.ndarray] = []
    for label, color, train, test in curves:
        for values, dash, which in ((train, "solid", _("train")), (test, "dash", _("test"))):
            v = np.asarray(values, np.float64)
            v = np.where(np.isfinite(v) & (v > 0), v, np.nan).astype(np.float32)
            shown.append(v[np.isfinite(v)])
            fig.add_trace(
                go.Scatter(x=x, y=v, mode="lines", name=f"{label}: {which}",
                           line=dict(color=color, dash=dash, width=3))
            )  # fmt: skip
    for t, text in zip((0.0, 1.0), ends, strict=True):
        fig.add_vline(x=t, line=dict(color="grey", dash="dot"), annotation_text=text)
    fig.update_layout(
        title=dict(text=title), font=FONT, height=380, margin=dict(l=10, r=10, t=50, b=10),
        xaxis_title=x_title, yaxis=dict(title=_("loss"), type="log", **_log_ticks(shown)),
        legend=dict(orientation="h", yanchor="top", y=-0.2, x=0),
    )  # fmt: skip
    return fig


def _log_ticks(values: Sequence[np.ndarray]) -> dict:
    """Within two decades, ticks on 1-2-5 (within one, on every digit) in plain numbers: plotly's
    default labels the minor digits with a lone 2, 3, 4 ...; wider ranges keep decade ticks."""
    v = np.concatenate([np.ravel(x) for x in values] or [np.ones(1)])
    decades = np.log10(v.max() / v.min()) if v.size else 2.0
    if decades >= 2:
        return {}
    return dict(dtick="D2" if decades >= 1 else "D1", tickformat=".2g")
