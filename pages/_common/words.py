"""The engine's keys in words, for widgets' format_func: initialisations, data sets, losses and
activations. The URL keeps the keys; a person reads the words in the session's language."""

from __future__ import annotations

from engine import activations
from engine.core.i18n import N_, _

LOSSES = {
    "ce": N_("cross-entropy"),
    "mse": N_("mean squared error"),
    "bce": N_("binary cross-entropy"),
}
# The engine's keys, shown in words (the URL keeps the keys).
INITS = {
    "zeros": N_("zeros"),
    "constant": N_("constant"),
    "normal": N_("normal"),
    "uniform": N_("uniform"),
    "xavier_uniform": N_("Xavier uniform"),
    "xavier_normal": N_("Xavier normal"),
    "kaiming_uniform": N_("Kaiming (He) uniform"),
    "kaiming_normal": N_("Kaiming (He) normal"),
    "lecun_normal": N_("LeCun normal"),
    "orthogonal": N_("orthogonal"),
}
DATASETS = {
    "moons": N_("two moons"),
    "circles": N_("circles"),
    "spirals": N_("spirals"),
    "xor": N_("XOR"),
    "gaussians": N_("Gaussian blobs"),
    "digits": N_("8×8 digits"),
}


def _words(table: dict[str, str]):
    """A format_func: the key's words in this run's language (the key itself when unknown)."""
    return lambda key: _(table[key]) if key in table else key


def activation(name: str) -> str:
    """An activation's title in this run's language."""
    return _(activations.get(name).title)


init = _words(INITS)
dataset = _words(DATASETS)
loss = _words(LOSSES)
