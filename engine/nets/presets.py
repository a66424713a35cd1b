"""The classic gradient-flow experiments as data, and the few calls that run them.

A :class:`Preset` is one or two network settings (:class:`NetSettings`: architecture, loss,
optimizer and learning rate) trained on shared data (:class:`DataSettings`: data set, size,
noise, seed, steps, batch size), plus the two or three sentences a teacher reads aloud. When a
preset has a second configuration ``b``, it is a comparison: ``a`` shows the problem, ``b`` the
cure, from the same data and the same seed.

>>> p = get("sigmoid_mse")
>>> report = initial_report(p.a, p.data)   # per-layer gradient norms at initialisation
>>> history = run(p.a, p.data)             # train, probing every layer

Everything here is plain torch and numpy, so a notebook can use it as the page does.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import torch

from engine import optimizers
from engine.core.i18n import N_, _
from engine.nets import datasets, networks, probes, training
from engine.nets.history import History

MAX_PROBES = 200  # at most this many probe columns per run: keeps the layer x step heatmap light


@dataclasses.dataclass(frozen=True)
class NetSettings:
    """One configuration: the network, its loss, and how it is trained. Frozen and hashable.

    ``init_scale`` is the ``normal`` std, the ``uniform`` bound or the ``constant`` value; the
    other initialisations ignore it.
    """

    depth: int = 10
    width: int = 64
    activation: str = "sigmoid"
    init: str = "xavier_normal"
    init_scale: float = 1.0
    batchnorm: bool = False
    residual: bool = False
    dropout: float = 0.0
    loss: str = "mse"
    optimizer: str = "sgd"
    lr: float = 0.5


@dataclasses.dataclass(frozen=True)
class DataSettings:
    """What both configurations share: the data, the seed (weights too) and the schedule.

    ``batch_size = 0`` trains on the full batch.
    """

    dataset: str = "moons"
    n: int = 400
    noise: float = 0.1
    seed: int = 0
    steps: int = 300
    batch_size: int = 0


@dataclasses.dataclass(frozen=True)
class Preset:
    key: str
    label: str  # a button's worth of words
    title: str
    text: str  # read aloud: what to look at and why it happens
    a: NetSettings
    b: NetSettings | None = None  # a comparison: b is the cure for a
    data: DataSettings = DataSettings()
    heatmap: str = "grad_norms"  # the probe quantity the layer x step heatmap shows

    @property
    def compare(self) -> bool:
        return self.b is not None


_SIGMOID = NetSettings(depth=10, activation="sigmoid", init="xavier_normal", loss="mse", lr=0.5)
_RELU_HE = dataclasses.replace(_SIGMOID, activation="relu", init="kaiming_normal")
_DEEP_SIGMOID = dataclasses.replace(_SIGMOID, depth=20)
_PLAIN30 = NetSettings(depth=30, activation="sigmoid", init="xavier_normal", loss="ce", lr=0.1)
_DEAD = NetSettings(
    depth=10, activation="relu", init="kaiming_normal", loss="ce", optimizer="adam", lr=0.05
)
_EXPLODE = NetSettings(
    depth=20, activation="relu", init="normal", init_scale=0.5, loss="ce", lr=0.01
)

PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "sigmoid_mse",
            N_("Vanishing: sigmoid + MSE"),
            N_("Vanishing: deep sigmoid + MSE"),
            N_(
                "Ten sigmoid layers trained with mean squared error. Each layer multiplies the "
                "backward signal by the sigmoid's slope, at most 0.25, so the first layer's gradient "
                "is a million times smaller than the last one's. The early layers barely move and "
                "the network does not learn."
            ),
            _SIGMOID,
        ),
        Preset(
            "relu_he",
            N_("Cure: ReLU + He"),
            N_("Cure: ReLU + He initialisation"),
            N_(
                "The same ten layers, once with sigmoid (A) and once with ReLU and He initialisation "
                "(B). ReLU's slope is exactly 1 where it fires, and He's variance 2/fan-in makes up "
                "for the half that does not, so the gradient reaches the first layer at full "
                "strength and B learns the moons in a few hundred steps."
            ),
            _SIGMOID,
            _RELU_HE,
        ),
        Preset(
            "zero_init",
            N_("Zero init: clones"),
            N_("Zero initialisation: symmetric units"),
            N_(
                "Every weight starts at zero. Then every unit of a layer computes the same thing and "
                "receives the same gradient, so they stay identical copies forever: the gap between "
                "units is exactly zero before and after training, and the network is no better than "
                "one unit per layer."
            ),
            dataclasses.replace(_SIGMOID, init="zeros", loss="ce"),
        ),
        Preset(
            "selu",
            N_("SELU through 32 layers"),
            N_("SELU self-normalises through 32 layers"),
            N_(
                "Thirty-two SELU layers with LeCun-normal weights. SELU's two constants are chosen "
                "so that mean 0 and variance 1 are a fixed point: the activations keep mean near 0 "
                "and standard deviation near 1 in every layer, with no batch norm at all."
            ),
            NetSettings(depth=32, activation="selu", init="lecun_normal", loss="ce", lr=0.01),
            data=DataSettings(steps=150),
        ),
        Preset(
            "residual",
            N_("Plain vs residual"),
            N_("Plain vs residual, 30 layers"),
            N_(
                "Thirty sigmoid layers, plain (A) and with identity shortcuts h + f(h) (B). In the "
                "plain net the gradient shrinks layer after layer and the first layers get almost "
                "nothing; the shortcut adds a path with slope 1, so B's first layers still receive "
                "a strong gradient and B trains while A stays at chance."
            ),
            _PLAIN30,
            dataclasses.replace(_PLAIN30, residual=True),
        ),
        Preset(
            "batchnorm",
            N_("Batch norm rescue"),
            N_("Batch norm rescues a deep sigmoid net"),
            N_(
                "Twenty sigmoid layers with MSE, without (A) and with batch norm (B). Batch norm "
                "re-centres every layer's input on the steep middle of the sigmoid, so the slopes "
                "stay large and the gradient survives the depth: B reaches full accuracy while A "
                "never leaves 50 %."
            ),
            _DEEP_SIGMOID,
            dataclasses.replace(_DEEP_SIGMOID, batchnorm=True),
        ),
        Preset(
            "dead_relu",
            N_("Dead ReLUs"),
            N_("Dead ReLUs after a too-large learning rate"),
            N_(
                "The same ReLU network trained by Adam with learning rate 0.05 (A) and 0.005 (B). "
                "A's first big steps push many units' inputs below zero for every sample: they stop "
                "firing, pass no gradient, and never come back. Watch A's dead share climb past 60 %, "
                "while B's stays near 20 %."
            ),
            _DEAD,
            dataclasses.replace(_DEAD, lr=0.005),
            heatmap="dead",
        ),
        Preset(
            "exploding",
            N_("Exploding init"),
            N_("Exploding gradients from a too-large init"),
            N_(
                "Twenty ReLU layers whose weights have standard deviation 0.5 (A) instead of He's "
                "0.18 (B). Every layer multiplies the signal by about 2.8, so after twenty layers the "
                "gradients are a hundred million times too large and the first step diverges; He "
                "initialisation keeps them near 1."
            ),
            _EXPLODE,
            dataclasses.replace(_EXPLODE, init="kaiming_normal"),
            data=DataSettings(steps=100),
        ),
    )
}


def names() -> list[str]:
    """The preset keys, in teaching order."""
    return list(PRESETS)


def get(name: str) -> Preset:
    """The preset called ``name``; raises ValueError for an unknown one."""
    if name not in PRESETS:
        raise ValueError(
            _("Invalid preset: {name!r} (choose from {choices})").format(
                name=name, choices=", ".join(PRESETS)
            )
        )
    return PRESETS[name]


def mlp_config(net: NetSettings, in_dim: int, out_dim: int) -> networks.MLPConfig:
    """The :class:`engine.nets.networks.MLPConfig` of ``net`` for data with these dimensions."""
    scale = float(net.init_scale)
    return networks.MLPConfig(
        in_dim=in_dim,
        out_dim=out_dim,
        depth=int(net.depth),
        width=int(net.width),
        activation=net.activation,
        init=net.init,
        batchnorm=bool(net.batchnorm),
        residual=bool(net.residual),
        dropout=float(net.dropout),
        init_std=scale,
        init_a=scale,
        init_value=scale,
    )


def make_split(data: DataSettings, device: str | torch.device | None = None) -> datasets.Split:
    """The seeded data set of ``data``, split 75 % train / 25 % test."""
    X, y = datasets.make(data.dataset, data.n, data.noise, data.seed, device=device)
    return datasets.split(X, y, 0.25, data.seed)


def _config(net: NetSettings, split: datasets.Split, data: DataSettings) -> networks.MLPConfig:
    return mlp_config(net, split.in_dim, datasets.n_classes(data.dataset))


def initial_report(
    net: NetSettings,
    data: DataSettings,
    device: str | torch.device | None = None,
    bins: int = 40,
) -> probes.LayerReport:
    """Probe every layer of the freshly initialised network on the whole training set."""
    split = make_split(data, device)
    model = networks.build(_config(net, split, data), data.seed, device)
    return probes.layer_report(model, split.X_train, split.y_train, net.loss, bins)


def final_report(
    history: History,
    net: NetSettings,
    data: DataSettings,
    device: str | torch.device | None = None,
    bins: int = 40,
) -> probes.LayerReport:
    """Probe every layer of the trained network (``history.model``) on the training set."""
    split = make_split(data, device)
    model = history.network(device)
    return probes.layer_report(model, split.X_train, split.y_train, net.loss, bins)


# Calibrated on the 2-core development CPU (one torch thread): about 4 ms of fixed cost per step
# (autograd, probes, optimizer) plus 2.5e10 multiply-adds per second.
_STEP_OVERHEAD_S = 0.004
_MACS_PER_S = 2.5e10


def estimate_seconds(net: NetSettings, data: DataSettings, in_dim: int = 2) -> float:
    """A rough CPU time for :func:`run`, to warn before a long run.

    Multiply-adds per step :math:`\approx 3 B (d_{in} w + (L-1) w^2 + w C)` for batch rows
    :math:`B`: the forward pass and the two products of the backward pass.
    """
    rows = round(data.n * 0.75)
    rows = min(data.batch_size, rows) if data.batch_size else rows
    w = net.width
    weights = in_dim * w + (net.depth - 1) * w * w + w * datasets.n_classes(data.dataset)
    return data.steps * (_STEP_OVERHEAD_S + 3 * rows * weights / _MACS_PER_S)


def probe_every(steps: int) -> int:
    """A probe period that records at most :data:`MAX_PROBES` probe rows."""
    return max(1, math.ceil(steps / MAX_PROBES))


def run(
    net: NetSettings,
    data: DataSettings,
    callback: Callable[[int, History], Any] | None = None,
    device: str | torch.device | None = None,
) -> History:
    """Train ``net`` on ``data`` (see :func:`engine.nets.training.train`), probing every layer."""
    split = make_split(data, device)
    optimizer = optimizers.create(net.optimizer, lr=float(net.lr))
    return training.train(
        _config(net, split, data),
        split,
        optimizer,
        int(data.steps),
        batch_size=int(data.batch_size) or None,
        seed=int(data.seed),
        callback=callback,
        loss=net.loss,
        probe_every=probe_every(int(data.steps)),
        device=device,
        eval_every=max(1, int(data.steps) // 100),
    )
