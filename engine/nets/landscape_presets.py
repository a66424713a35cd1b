"""The Loss landscape page's settings as data, and its three classroom experiments.

A study is one or two networks (:class:`NetSpec`: architecture, optimizer, learning rate, batch
size) trained on shared data (:class:`DataSpec`), then looked at through one view
(:class:`ViewSpec`: which plane, how it is normalised, how fine the grid). Frozen and hashable,
so a setting keys a cache and a URL.
"""

from __future__ import annotations

import dataclasses

from engine import activations, optimizers
from engine.core.i18n import N_, _
from engine.nets import datasets, landscape, networks

PLANES = ("random", "pca")
MAX_DEPTH = 30
MAX_WIDTH = 128
MAX_STEPS = 2000
MAX_N = 2000


@dataclasses.dataclass(frozen=True)
class NetSpec:
    """One network and how it is trained; ``batch_size = 0`` is the full batch."""

    depth: int = 20
    width: int = 16
    activation: str = "relu"
    batchnorm: bool = True
    residual: bool = False
    optimizer: str = "adam"
    lr: float = 1e-3
    batch_size: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.depth <= MAX_DEPTH:
            raise ValueError(
                _("Invalid depth: {depth} (must be 1..{max_depth})").format(
                    depth=self.depth, max_depth=MAX_DEPTH
                )
            )
        if not 1 <= self.width <= MAX_WIDTH:
            raise ValueError(
                _("Invalid width: {width} (must be 1..{max_width})").format(
                    width=self.width, max_width=MAX_WIDTH
                )
            )
        if self.activation not in activations.names():
            raise ValueError(
                _("Invalid activation: {activation!r}").format(activation=self.activation)
            )
        if self.optimizer not in optimizers.names():
            raise ValueError(_("Invalid optimizer: {optimizer!r}").format(optimizer=self.optimizer))
        if not self.lr > 0:
            raise ValueError(_("Invalid learning rate: {lr}").format(lr=self.lr))
        if not 0 <= self.batch_size <= MAX_N:
            raise ValueError(
                _("Invalid batch size: {batch_size} (0 = full batch)").format(
                    batch_size=self.batch_size
                )
            )

    def config(self, in_dim: int, out_dim: int) -> networks.MLPConfig:
        return networks.MLPConfig(
            in_dim, out_dim, self.depth, self.width, self.activation,
            batchnorm=self.batchnorm, residual=self.residual,
        )  # fmt: skip

    def architecture(self) -> tuple:
        """What the weights' layout depends on: two nets with the same one can be raced and
        interpolated between."""
        return (self.depth, self.width, self.activation, self.batchnorm, self.residual)


@dataclasses.dataclass(frozen=True)
class DataSpec:
    """The data both networks train on (a quarter held out as the test set), the seed of their
    initial weights and batches, and the number of steps."""

    dataset: str = "moons"
    n: int = 300
    noise: float = 0.1
    seed: int = 0
    steps: int = 60

    def __post_init__(self) -> None:
        if self.dataset not in datasets.names():
            raise ValueError(_("Invalid dataset: {dataset!r}").format(dataset=self.dataset))
        if not 20 <= self.n <= MAX_N:
            raise ValueError(
                _("Invalid n: {n} (must be 20..{max_n})").format(n=self.n, max_n=MAX_N)
            )
        if not 1 <= self.steps <= MAX_STEPS:
            raise ValueError(
                _("Invalid steps: {steps} (must be 1..{max_steps})").format(
                    steps=self.steps, max_steps=MAX_STEPS
                )
            )


@dataclasses.dataclass(frozen=True)
class ViewSpec:
    """How the landscape is looked at.

    ``plane``: ``random`` (two random directions normalised by ``norm``, over
    ``[-span, span]``²) or ``pca`` (the training path's plane, over a box holding the path).
    ``side`` grid points per side; ``radius`` the sharpness ball's radius as a share of the
    weights' norm.
    """

    plane: str = "random"
    norm: str = "filter"
    side: int = 25
    span: float = 1.0
    direction_seed: int = 0
    radius: float = 0.05

    def __post_init__(self) -> None:
        if self.plane not in PLANES:
            raise ValueError(
                _("Invalid plane: {plane!r} (choose from {choices})").format(
                    plane=self.plane, choices=", ".join(PLANES)
                )
            )
        if self.norm not in landscape.NORMS:
            raise ValueError(_("Invalid normalisation: {norm!r}").format(norm=self.norm))
        landscape.check_side(self.side)
        if not 0 < self.span <= 10:
            raise ValueError(_("Invalid span: {span} (must be in (0, 10])").format(span=self.span))
        if not 0 < self.radius <= 1:
            raise ValueError(
                _("Invalid radius: {radius} (must be in (0, 1])").format(radius=self.radius)
            )


@dataclasses.dataclass(frozen=True)
class Preset:
    key: str
    label: str  # a button's worth of words
    title: str
    text: str  # read aloud: what to look at and why it happens
    a: NetSpec
    b: NetSpec
    data: DataSpec
    view: ViewSpec


_DEEP = NetSpec(depth=20, width=16, batchnorm=True, optimizer="adam", lr=1e-3)
_SHALLOW = NetSpec(depth=3, width=32, batchnorm=False, optimizer="sgd", lr=0.2, batch_size=8)

PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "skip",
            N_("Skip connections smooth the landscape"),
            N_("Skip connections smooth the landscape"),
            N_(
                "The same 20-layer network, without (A) and with (B) residual connections, trained "
                "briefly from the same seed, each seen on a plane of two random filter-normalised "
                "directions through its trained weights. Without skips the surface is chaotic: the "
                "curvature flips from point to point. With skips it is one smooth bowl, which is "
                "why very deep residual networks still train (Li et al., 2018)."
            ),
            dataclasses.replace(_DEEP, residual=False),
            dataclasses.replace(_DEEP, residual=True),
            DataSpec("moons", 300, 0.1, 0, 60),
            ViewSpec("random", "filter", 25, 1.0),
        ),
        Preset(
            "batch",
            N_("Small vs large batch"),
            N_("Small against large batch: flat and sharp minima"),
            N_(
                "The same network and learning rate, trained with minibatches of 8 (A) and with the "
                "full batch (B). Both fit the training data, but the full-batch minimum is sharper: "
                "its top Hessian eigenvalue is larger and the loss rises faster around it. The noise "
                "of small batches keeps SGD out of narrow valleys (Keskar et al., 2017)."
            ),
            _SHALLOW,
            dataclasses.replace(_SHALLOW, batch_size=0),
            DataSpec("spirals", 300, 0.1, 0, 400),
            ViewSpec("random", "filter", 25, 1.0),
        ),
        Preset(
            "race",
            N_("Two optimizers, two minima"),
            N_("Two optimizers, two minima"),
            N_(
                "A race: the same network, initial weights and minibatches, trained by SGD with "
                "momentum (A) and by Adam (B). Each path is drawn on the plane of its own main "
                "directions, and the line between the two solutions shows whether they share a "
                "valley or a ridge lies between them."
            ),
            NetSpec(depth=3, width=32, batchnorm=False, optimizer="momentum", lr=0.05),
            NetSpec(depth=3, width=32, batchnorm=False, optimizer="adam", lr=0.01),
            DataSpec("spirals", 300, 0.1, 0, 300),
            ViewSpec("pca", "filter", 25, 1.0),
        ),
    )
}


def names() -> list[str]:
    return list(PRESETS)


def get(name: str) -> Preset:
    if name not in PRESETS:
        raise ValueError(
            _("Invalid preset: {name!r} (choose from {choices})").format(
                name=name, choices=", ".join(PRESETS)
            )
        )
    return PRESETS[name]
