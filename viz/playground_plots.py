"""Line figures of the optimizer playground: loss and distance per step, optimizer internals, and
learning-rate sweeps. numpy in, ``go.Figure`` out; nothing non-finite reaches a figure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.colors import optimizer_color
from viz.surface_plots import FONT, stop_text, valid_length

LINE_LAYOUT = dict(
    font=FONT,
    height=460,
    margin=dict(l=70, r=20, t=110, b=50),
    legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
    hovermode="x unified",
)


def html_symbol(latex: str) -> str:
    """A state symbol's LaTeX (``v^{\\max}_t``, ``\\bar g_t``) as Plotly HTML text."""
    text = latex.replace(r"\bar g", "ḡ").replace(r"\Pi", "Π").replace(r"\max", "max")
    text = re.sub(r"\^\{([^}]*)\}", r"<sup>\1</sup>", text)
    text = re.sub(r"_\{?([A-Za-z0-9]+)\}?", r"<sub>\1</sub>", text)
    return text.replace("{", "").replace("}", "").replace("\\", "")


def _finite(a: np.ndarray, fill: float = 0.0) -> np.ndarray:
    return np.nan_to_num(np.asarray(a, np.float64), nan=fill, posinf=1e300, neginf=-1e300)


def per_step_figure(
    names: Sequence[str],
    labels: Sequence[str],
    values: np.ndarray,
    diverged_at: np.ndarray,
    *,
    y_title: str,
    log_y: bool,
    title: str,
    undefined: Sequence[bool] | None = None,
) -> go.Figure:
    """One line per optimizer of ``values`` (K, T+1) against the step, cut where it diverged.

    ``undefined[k]``: line k stopped where f has no value, not because its steps blew up.
    """
    fig = go.Figure()
    steps = values.shape[1] - 1
    for k, (name, label) in enumerate(zip(names, labels, strict=True)):
        n = valid_length(int(diverged_at[k]), steps)
        y = _finite(values[k, :n], 1e300)
        if log_y:
            y = np.clip(y, 1e-300, 1e300)
        fig.add_trace(
            go.Scatter(
                x=np.arange(n, dtype=np.int32),
                y=y.astype(np.float64),
                mode="lines",
                line=dict(color=optimizer_color(name), width=3),
                name=label,
                hovertemplate=f"{label}: %{{y:.4g}}<extra></extra>",
            )
        )
        if diverged_at[k] >= 0:
            fig.add_trace(
                go.Scatter(
                    x=[n - 1],
                    y=[float(y[-1])],
                    mode="markers+text",
                    marker=dict(symbol="x", size=14, color=optimizer_color(name)),
                    text=[stop_text(diverged_at[k], undefined is not None and bool(undefined[k]))],
                    textposition="middle right",
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
    fig.update_layout(
        title=dict(text=title, y=0.99, yanchor="top", x=0, xanchor="left"),
        xaxis_title="step",
        yaxis_title=y_title,
        **LINE_LAYOUT,
    )
    if log_y:
        fig.update_yaxes(type="log", exponentformat="power")
    return fig


def internals_figure(
    name: str,
    label: str,
    series: dict[str, np.ndarray],
    titles: dict[str, str],
    lr: float,
    diverged_at: int,
) -> go.Figure:
    """One optimizer's internals: a row per series, (T', 2) each, x solid and y dashed.

    ``series`` keys whose name starts with ``log:`` are drawn on a log axis (step sizes).
    ``lr`` draws the reference line of the step-length row (key ``log:step``).
    """
    keys = list(series)
    fig = make_subplots(
        rows=len(keys),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=[titles[k] for k in keys],
    )
    color = optimizer_color(name)
    for row, key in enumerate(keys, start=1):
        data = np.asarray(series[key], np.float64)
        n = data.shape[0] if diverged_at < 0 else min(data.shape[0], max(int(diverged_at), 1))
        log = key.startswith("log:")
        for c, (coord, dash) in enumerate((("x", "solid"), ("y", "dot"))):
            y = _finite(data[:n, c])
            steps = np.arange(n, dtype=np.int32)
            if log:  # a zero step has no logarithm: leave those points out (no NaN gaps)
                keep = y > 0
                steps, y = steps[keep], y[keep]
            fig.add_trace(
                go.Scatter(
                    x=steps,
                    y=y,
                    mode="lines",
                    line=dict(color=color, dash=dash, width=2.5),
                    name=f"{coord} coordinate",
                    legendgroup=coord,
                    showlegend=row == 1,
                    hovertemplate=f"{coord}: %{{y:.4g}}<extra></extra>",
                ),
                row=row,
                col=1,
            )
        if log:
            fig.update_yaxes(type="log", exponentformat="power", row=row, col=1)
        if key == "log:step" and lr > 0:
            fig.add_hline(y=lr, line=dict(color="grey", dash="dash"), row=row, col=1)
    fig.update_annotations(font_size=15)
    fig.update_xaxes(title_text="step", row=len(keys), col=1)
    fig.update_layout(
        title=f"{label}: internals",
        font=FONT,
        height=170 * len(keys) + 110,
        margin=dict(l=60, r=20, t=80, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0.5),
        hovermode="x unified",
    )
    return fig


def sweep_figure(
    names: Sequence[str],
    lrs: np.ndarray,
    scores: np.ndarray,
    best: Sequence[int],
    *,
    y_title: str,
) -> go.Figure:
    """Score against learning rate per optimizer (scores (K, N), inf = diverged), best starred."""
    fig = go.Figure()
    for k, name in enumerate(names):
        color = optimizer_color(name)
        ok = np.isfinite(scores[k])  # diverged runs are left out, not drawn as NaN
        y = np.clip(np.where(ok, scores[k], 1.0), 1e-16, 1e300)
        fig.add_trace(
            go.Scatter(
                x=lrs[ok].astype(np.float64),
                y=y[ok],
                mode="lines+markers",
                line=dict(color=color, width=3),
                marker=dict(size=6),
                name=name,
                hovertemplate=f"{name}: lr %{{x:.3g}} → %{{y:.3g}}<extra></extra>",
            )
        )
        if best[k] >= 0:
            b = best[k]
            fig.add_trace(
                go.Scatter(
                    x=[float(lrs[b])],
                    y=[float(y[b])],
                    mode="markers+text",
                    marker=dict(symbol="star", size=22, color=color, line=dict(width=1.5)),
                    text=[f"best {lrs[b]:.3g}"],
                    textposition="bottom center",
                    name=f"{name} best lr",
                    showlegend=False,
                    hovertemplate=f"{name}: best lr %{{x:.3g}}<extra></extra>",
                )
            )
    fig.update_layout(
        title=dict(
            text="Learning-rate sweep (diverged runs are left out)",
            y=0.99,
            yanchor="top",
            x=0,
            xanchor="left",
        ),
        xaxis_title="learning rate η (log scale)",
        yaxis_title=y_title,
        **{**LINE_LAYOUT, "hovermode": "closest", "height": 480},
    )
    fig.update_xaxes(type="log", exponentformat="power")
    fig.update_yaxes(type="log", exponentformat="power")
    return fig
