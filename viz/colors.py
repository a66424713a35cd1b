"""One colour per optimizer (and per activation), the same on every page and every plot.

Colours come from the Okabe-Ito palette first (readable for colour-blind viewers and on a
projector), then from Plotly's D3 palette for the rest of the family.
"""

from __future__ import annotations

OPTIMIZER_COLORS: dict[str, str] = {
    "sgd": "#000000",
    "momentum": "#E69F00",
    "nesterov": "#D55E00",
    "adagrad": "#009E73",
    "rmsprop": "#56B4E9",
    "adam": "#CC79A7",
    "adamw": "#0072B2",
    "nadam": "#9467BD",
    "radam": "#8C564B",
    "adadelta": "#7F7F7F",
    "adamax": "#BCBD22",
    "amsgrad": "#17BECF",
}

_FALLBACK = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#E377C2", "#AEC7E8", "#FFBB78")

SERIES_COLORS: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#9467BD",
    "#8C564B",
    "#BCBD22",
)


def optimizer_color(name: str) -> str:
    """The optimizer's colour; an unknown name gets a stable colour from its spelling."""
    if name in OPTIMIZER_COLORS:
        return OPTIMIZER_COLORS[name]
    return _FALLBACK[sum(map(ord, name)) % len(_FALLBACK)]


def series_color(index: int) -> str:
    """The i-th colour for series with no fixed colour of their own (activations, configs)."""
    return SERIES_COLORS[index % len(SERIES_COLORS)]
