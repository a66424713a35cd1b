"""Vanishing gradients in a deep sigmoid net, and the four classic cures, side by side.

One plain configuration (sigmoid, Xavier initialisation) and four cures of its vanishing
gradient, each changing only what the cure is about: ReLU with He initialisation, batch norm,
identity shortcuts (residual), SELU with LeCun-normal weights. :func:`reports` probes all five
at initialisation on the same data with the same seed, so their per-layer gradient norms share
one figure; :func:`attenuation` reduces a profile to one number a teacher can quote.

>>> r = reports(depth=10)
>>> attenuation(r["sigmoid"]) < 1e-3 < attenuation(r["relu_he"])
True
"""

from __future__ import annotations

import dataclasses

import numpy as np

from engine.core.i18n import _
from engine.nets import presets, probes

#: Plain first, then the cures, in teaching order.
NAMES = ("sigmoid", "relu_he", "batchnorm", "residual", "selu")

_PLAIN = presets.NetSettings(depth=10, activation="sigmoid", init="xavier_normal", loss="mse")
_CHANGES: dict[str, dict] = {
    "sigmoid": {},
    "relu_he": dict(activation="relu", init="kaiming_normal"),
    "batchnorm": dict(batchnorm=True),
    "residual": dict(residual=True),
    "selu": dict(activation="selu", init="lecun_normal"),
}


def settings(name: str, depth: int = 10, width: int = 64) -> presets.NetSettings:
    """The :class:`~engine.nets.presets.NetSettings` of configuration ``name`` at this size."""
    if name not in _CHANGES:
        raise ValueError(
            _("Invalid configuration: {name!r} (choose from {choices})").format(
                name=name, choices=", ".join(NAMES)
            )
        )
    return dataclasses.replace(_PLAIN, depth=int(depth), width=int(width), **_CHANGES[name])


def reports(
    depth: int = 10,
    width: int = 64,
    data: presets.DataSettings | None = None,
    names: tuple[str, ...] = NAMES,
) -> dict[str, probes.LayerReport]:
    """Every configuration's per-layer probes at initialisation, from the same data and seed."""
    data = presets.DataSettings() if data is None else data
    return {n: presets.initial_report(settings(n, depth, width), data) for n in names}


def attenuation(report: probes.LayerReport) -> float:
    """:math:`\\lVert \\partial L/\\partial W_1 \\rVert / \\lVert \\partial L/\\partial W_L
    \\rVert`: how much of the last hidden layer's gradient reaches the first one (1 = all of it,
    1e-6 = a vanishing gradient; above 1 it grew on the way back)."""
    g = np.asarray(report.grad_norms, dtype=np.float64)
    return float(g[0] / g[-1]) if g[-1] > 0 else float("nan")
