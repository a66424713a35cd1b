"""One optimizer update drawn on the contour map: arrows at the current point, and the formula
lines that produced them in the arrows' colours.

The arrows are plain data (:class:`Arrow`, a vector in parameter units); every arrow is drawn at
the same length on the map, so the directions can be compared whatever their scale (the
negative gradient is often hundreds of times longer than Adam's step): their true lengths are
the numbers beside the map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viz.spec_figure import SpecFigure

GRADIENT_COLOR = "#d62728"
UPDATE_COLOR = "#ff7f0e"
PATH_COLOR = "#111111"
MOMENT_COLOR = "#1f77b4"
ARROW_SHARE = 0.16  # an arrow's drawn length, as a share of the map's smaller side


@dataclass(frozen=True)
class Arrow:
    """A vector at the current point: ``name`` (its figure name), ``label`` (its text on the
    map, HTML), ``vector`` (2,) in parameter units, ``color``."""

    name: str
    label: str
    vector: np.ndarray
    color: str
    length: float = 1.0  # drawn length, relative: parallel arrows (momentum's Δθ and −v) differ


def drawn_end(point: np.ndarray, vector: np.ndarray, length: float) -> np.ndarray | None:
    """Where the arrow from ``point`` along ``vector`` ends when drawn ``length`` long (None
    for a zero or non-finite vector: nothing to draw)."""
    norm = float(np.hypot(*vector))
    if not np.isfinite(norm) or norm == 0.0:
        return None
    return np.asarray(point, float) + length * np.asarray(vector, float) / norm


def add_step(
    fig: SpecFigure,
    path: np.ndarray,
    step: int,
    arrows: list[Arrow],
    *,
    color: str,
    label: str,
    bounds: tuple[tuple[float, float], tuple[float, float]],
) -> SpecFigure:
    """``fig`` (a contour map, changed in place) with ``path`` up to update ``step``, the point
    before the update, and ``arrows`` from it. Returns ``fig``."""
    (x0, x1), (y0, y1) = bounds
    length = ARROW_SHARE * min(x1 - x0, y1 - y0)
    point = np.asarray(path[step - 1], float)
    fig.add(
        {
            "type": "scatter", "mode": "lines+markers", "name": f"{label}: updates 1…{step - 1}",
            "x": np.asarray(path[:step, 0], np.float64), "y": np.asarray(path[:step, 1], np.float64),
            "line": {"color": color, "width": 2}, "marker": {"size": 5, "color": color},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter", "mode": "markers", "name": f"θ before update {step}",
            "x": [float(point[0])], "y": [float(point[1])],
            "marker": {"size": 14, "color": "white", "line": {"color": color, "width": 3}},
        },
    )  # fmt: skip
    notes = []
    # Plotly writes an arrow's text at its tail, where all three meet: each label is a note of
    # its own, just beyond the arrow's head.
    for arrow in arrows:
        end = drawn_end(point, arrow.vector, length * arrow.length)
        if end is None:
            continue
        beyond = drawn_end(point, arrow.vector, length * (arrow.length + 0.12))
        notes.append(
            {
                "name": arrow.name, "text": "",
                "x": float(end[0]), "y": float(end[1]), "ax": float(point[0]),
                "ay": float(point[1]), "xref": "x", "yref": "y", "axref": "x", "ayref": "y",
                "showarrow": True, "arrowhead": 3, "arrowsize": 1.2, "arrowwidth": 3,
                "arrowcolor": arrow.color,
            }
        )  # fmt: skip
        notes.append(
            {
                "text": f"<b>{arrow.label}</b>", "x": float(beyond[0]), "y": float(beyond[1]),
                "xref": "x", "yref": "y", "showarrow": False,
                "font": {"color": arrow.color, "size": 15},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )  # fmt: skip
    layout = fig.spec["layout"]
    fig.set_layout(
        annotations=[*layout.get("annotations", []), *notes],
        xaxis={**layout.get("xaxis", {}), "range": [x0, x1]},
        yaxis={**layout.get("yaxis", {}), "range": [y0, y1]},
    )
    return fig


def highlight_lines(latex: str, colors: dict[str, str]) -> str:
    r"""``latex`` (an ``aligned`` block of lines ``lhs &= rhs``) with every line whose left side
    starts with one of ``colors``' keys (e.g. ``g_t``, ``m_t``, ``\theta_t``) in that colour."""
    head, sep, body = latex.partition(r"\begin{aligned}")
    if not sep:
        return latex
    body, _, tail = body.rpartition(r"\end{aligned}")
    lines = []
    for line in body.split(r"\\"):
        lhs = line.split("&", 1)[0].strip()
        color = next((c for key, c in colors.items() if lhs.startswith(key)), None)
        if color is not None:
            cells = line.split("&")
            line = " & ".join(r"{\color{" + color + "}" + cell + "}" for cell in cells)
        lines.append(line)
    return head + r"\begin{aligned}" + r"\\".join(lines) + r"\end{aligned}" + tail
