"""One colour per optimizer (and per activation), the same on every page and every plot.

Colours come from the Okabe-Ito palette first (readable for colour-blind viewers and on a
projector), then from Plotly's D3 palette for the rest of the family.
"""

from __future__ import annotations

import zlib

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


# Every activation of the catalogue has its own colour, so any selection (all 25 at once
# included) never repeats one. The classic comparisons keep the Okabe-Ito colours; the rest were
# picked so that no two of the 25 are closer than about 22 in CIELAB (ΔE*ab) and none is black,
# which marks the user's own formula.
ACTIVATION_COLORS: dict[str, str] = {
    "sigmoid": "#0072B2",
    "tanh": "#D55E00",
    "relu": "#009E73",
    "gelu": "#CC79A7",
    "leaky_relu": "#E69F00",
    "elu": "#56B4E9",
    "silu": "#9467BD",
    "softplus": "#8C564B",
    "selu": "#BCBD22",
    "swish": "#D62728",
    "mish": "#17BECF",
    "prelu": "#882D17",
    "rrelu": "#9B30FF",
    "gelu_tanh": "#808000",
    "linear": "#7F7F7F",
    "hard_sigmoid": "#4B0082",
    "hard_tanh": "#E7298A",
    "softsign": "#2CA02C",
    "arctan": "#A6761D",
    "relu6": "#008080",
    "celu": "#F99379",
    "hardswish": "#2F4F4F",
    "sinusoid": "#C2B280",
    "gaussian": "#556B2F",
    "maxout": "#8DD3C7",
}
CUSTOM_COLOR = "#000000"  # the formula a person typed
_ACTIVATION_PALETTE = tuple(ACTIVATION_COLORS.values())


def activation_color(name: str) -> str:
    """The activation's colour on every page; an unknown name gets a stable one from its spelling
    (crc32, not ``hash``, which changes between processes)."""
    if name == "custom":
        return CUSTOM_COLOR
    if name in ACTIVATION_COLORS:
        return ACTIVATION_COLORS[name]
    return _ACTIVATION_PALETTE[zlib.crc32(name.encode()) % len(_ACTIVATION_PALETTE)]


def optimizer_color(name: str) -> str:
    """The optimizer's colour; an unknown name gets a stable colour from its spelling."""
    if name in OPTIMIZER_COLORS:
        return OPTIMIZER_COLORS[name]
    return _FALLBACK[sum(map(ord, name)) % len(_FALLBACK)]


def series_color(index: int) -> str:
    """The i-th colour for series with no fixed colour of their own (activations, configs)."""
    return SERIES_COLORS[index % len(SERIES_COLORS)]
