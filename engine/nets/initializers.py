"""Weight initialisations for the MLP's Linear layers, seeded by an explicit ``torch.Generator``.

Every scheme draws only the weight matrix :math:`W \\in \\mathbb{R}^{n_{out} \\times n_{in}}`;
biases always start at zero (the usual choice, and the one that keeps the zero-init symmetry
demo honest: a random bias would already break the symmetry between units).

Schemes (``fan_in`` = :math:`n_{in}`, ``fan_out`` = :math:`n_{out}`, :math:`g` = gain):

- ``zeros``: :math:`W = 0`; ``constant``: :math:`W = c` (``value``);
- ``normal``: :math:`W_{ij} \\sim \\mathcal N(0, \\sigma^2)` (``std``);
- ``uniform``: :math:`W_{ij} \\sim \\mathcal U(-a, a)` (``a``);
- ``xavier_uniform``: :math:`\\mathcal U(-b, b)`, :math:`b = g\\sqrt{6/(n_{in}+n_{out})}`;
- ``xavier_normal``: :math:`\\mathcal N(0, g^2 \\cdot 2/(n_{in}+n_{out}))`;
- ``kaiming_uniform``: :math:`\\mathcal U(-b, b)`, :math:`b = g\\sqrt{3/n_{in}}`;
- ``kaiming_normal``: :math:`\\mathcal N(0, g^2/n_{in})`;
- ``lecun_normal``: :math:`\\mathcal N(0, 1/n_{in})` (LeCun et al. 1998; the SELU paper's init);
- ``orthogonal``: :math:`W` with orthonormal rows or columns (Saxe et al. 2014), :math:`g = 1`.

Xavier uses gain 1 (torch's default). Kaiming takes the gain of the layer's activation through
:func:`kaiming_nonlinearity`; every other scheme ignores the activation.
"""

from __future__ import annotations

import math

import torch

from engine.core.i18n import _

NAMES = (
    "zeros",
    "constant",
    "normal",
    "uniform",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "lecun_normal",
    "orthogonal",
)

# Activations whose torch gain is right for Kaiming. SELU maps to "linear" (gain 1, i.e. LeCun):
# torch's own calculate_gain("selu") = 3/4 is not self-normalising, and the torch docs say to use
# nonlinearity="linear" for SNNs. Anything not listed (elu, gelu, silu, softplus, ...) is
# ReLU-like on the positive side, so it gets ReLU's gain sqrt(2).
# The tanh-like ones get tanh's 5/3, the sigmoid-like ones sigmoid's 1.
_KAIMING = {
    "linear": "linear",
    "identity": "linear",
    "sigmoid": "sigmoid",
    "hard_sigmoid": "sigmoid",
    "tanh": "tanh",
    "hard_tanh": "tanh",
    "softsign": "tanh",
    "arctan": "tanh",
    "relu": "relu",
    "leaky_relu": "leaky_relu",
    "selu": "linear",
}


def names() -> list[str]:
    """The available initialisation names."""
    return list(NAMES)


def kaiming_nonlinearity(activation: str) -> str:
    """The ``torch.nn.init`` nonlinearity whose gain Kaiming uses for ``activation``."""
    return _KAIMING.get(activation, "relu")


def init_weight_(
    weight: torch.Tensor,
    name: str,
    *,
    generator: torch.Generator,
    activation: str = "linear",
    negative_slope: float = 0.01,
    std: float = 1.0,
    a: float = 1.0,
    value: float = 0.1,
) -> torch.Tensor:
    """Fill ``weight`` in place with scheme ``name``, drawing from ``generator``; returns it."""
    if name not in NAMES:
        raise ValueError(
            _("Invalid init: {name!r} (choose from {choices})").format(
                name=name, choices=", ".join(NAMES)
            )
        )
    init = torch.nn.init
    with torch.no_grad():
        if name == "zeros":
            return init.zeros_(weight)
        if name == "constant":
            return init.constant_(weight, value)
        if name == "normal":
            return init.normal_(weight, 0.0, std, generator=generator)
        if name == "uniform":
            return init.uniform_(weight, -a, a, generator=generator)
        if name == "xavier_uniform":
            return init.xavier_uniform_(weight, generator=generator)
        if name == "xavier_normal":
            return init.xavier_normal_(weight, generator=generator)
        if name == "lecun_normal":
            # \sigma = 1/\sqrt{n_{in}}
            return init.normal_(weight, 0.0, 1.0 / math.sqrt(weight.shape[1]), generator=generator)
        if name == "orthogonal":
            return init.orthogonal_(weight, generator=generator)
        nonlinearity = kaiming_nonlinearity(activation)
        slope = negative_slope if nonlinearity == "leaky_relu" else 0.0
        fill = init.kaiming_uniform_ if name == "kaiming_uniform" else init.kaiming_normal_
        return fill(weight, a=slope, nonlinearity=nonlinearity, generator=generator)
