"""A configurable, seeded multilayer perceptron whose hidden blocks can be probed.

Block :math:`l = 1..L` (``L = depth``) computes, with :math:`h_0 = x`,

.. math::

    z_l = \\begin{cases} \\mathrm{BN}(W_l h_{l-1}) & \\text{batch norm} \\\\
                         W_l h_{l-1} + b_l & \\text{otherwise} \\end{cases}, \\qquad
    a_l = f(z_l), \\qquad
    h_l = \\begin{cases} h_{l-1} + \\mathrm{Drop}(a_l) & \\text{residual},\\ l > 1 \\\\
                         \\mathrm{Drop}(a_l) & \\text{otherwise} \\end{cases}

and the output is :math:`\\hat y = W_{out} h_L + b_{out}` (logits). Block 1 maps ``in_dim`` to
``width``, so it never has a skip; the BN and dropout parts are there only when configured.
A Linear layer that feeds a BatchNorm has no bias: BN subtracts the batch mean, so :math:`b_l`
would cancel exactly, and its gradient would be zero up to rounding, noise that Adam-like
optimizers scale into full-size steps (and that differs from one CPU's kernels to another's).
BN's own shift :math:`\\beta` takes the bias's role.
``forward(x, record=True)`` also returns the per-block :math:`z_l`, :math:`a_l` and :math:`h_l`,
which is what :mod:`engine.nets.probes` measures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, NamedTuple

import torch
from torch import nn

from engine import activations
from engine.core.checks import check_int, check_number
from engine.core.device import resolve
from engine.core.i18n import _
from engine.nets import initializers

MAX_DEPTH = 50
MAX_WIDTH = 256
MAX_IN_DIM = 4096
MAX_OUT_DIM = 1000


@dataclasses.dataclass(frozen=True)
class MLPConfig:
    """Architecture of an MLP. Frozen and hashable, so it can key a cache or a URL.

    ``depth`` counts hidden blocks (1..50); ``width`` is every hidden block's size (1..256).
    ``init`` is one of :func:`engine.nets.initializers.names`; ``init_std`` is the ``normal`` std,
    ``init_a`` the ``uniform`` bound, ``init_value`` the ``constant`` value. Biases start at 0.
    ``activation_params`` are passed to ``engine.activations.get`` (a dict is accepted and
    stored as a sorted tuple of pairs).
    """

    in_dim: int
    out_dim: int
    depth: int
    width: int
    activation: str = "relu"
    init: str = "kaiming_normal"
    batchnorm: bool = False
    residual: bool = False
    dropout: float = 0.0
    init_std: float = 1.0
    init_a: float = 1.0
    init_value: float = 0.1
    activation_params: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        check_int("in_dim", self.in_dim, 1, MAX_IN_DIM)
        check_int("out_dim", self.out_dim, 1, MAX_OUT_DIM)
        check_int("depth", self.depth, 1, MAX_DEPTH)
        check_int("width", self.width, 1, MAX_WIDTH)
        if self.init not in initializers.NAMES:
            raise ValueError(
                _("Invalid init: {init!r} (choose from {choices})").format(
                    init=self.init, choices=", ".join(initializers.NAMES)
                )
            )
        check_number("dropout", self.dropout, 0.0, 1.0, open_high=True)
        check_number("init_std", self.init_std, 0.0)
        check_number("init_a", self.init_a, 0.0)
        params = self.activation_params
        if isinstance(params, Mapping):
            params = tuple(sorted(params.items()))
        object.__setattr__(self, "activation_params", tuple(tuple(p) for p in params))


class Record(NamedTuple):
    """Per-block tensors of one forward pass, input to output, each ``(N, width)``.

    ``pre`` = :math:`z_l` (the activation's input), ``post`` = :math:`a_l = f(z_l)` (before
    dropout and skip), ``blocks`` = :math:`h_l` (the block's output, what the next layer sees).
    """

    pre: list[torch.Tensor]
    post: list[torch.Tensor]
    blocks: list[torch.Tensor]


def activation_of(config: MLPConfig) -> activations.Activation:
    """The ``engine.activations`` object that ``config`` names."""
    return activations.get(config.activation, **dict(config.activation_params))


class MLP(nn.Module):
    """The network :func:`build` returns; ``hidden`` lists the hidden Linear layers in order."""

    def __init__(self, config: MLPConfig) -> None:
        super().__init__()
        self.config = config
        self.activation = activation_of(config)
        widths = [config.in_dim] + [config.width] * config.depth
        # No bias before a BatchNorm (see the module docstring): BN's beta is the shift.
        self.hidden = nn.ModuleList(
            nn.Linear(widths[i], widths[i + 1], bias=not config.batchnorm)
            for i in range(config.depth)
        )
        self.norms = nn.ModuleList(
            nn.BatchNorm1d(config.width) if config.batchnorm else nn.Identity()
            for _ in range(config.depth)
        )
        self.acts = nn.ModuleList(self.activation.module() for _ in range(config.depth))
        self.drops = nn.ModuleList(
            nn.Dropout(config.dropout) if config.dropout > 0 else nn.Identity()
            for _ in range(config.depth)
        )
        self.out = nn.Linear(config.width, config.out_dim)

    def forward(self, x: torch.Tensor, record: bool = False):
        """Logits ``(N, out_dim)``; with ``record=True``, ``(logits, Record)``."""
        pre: list[torch.Tensor] = []
        post: list[torch.Tensor] = []
        blocks: list[torch.Tensor] = []
        h = x
        for i, (linear, norm, act, drop) in enumerate(
            zip(self.hidden, self.norms, self.acts, self.drops, strict=True)
        ):
            z = norm(linear(h))
            a = act(z)
            h = h + drop(a) if self.config.residual and i > 0 else drop(a)
            if record:
                pre.append(z)
                post.append(a)
                blocks.append(h)
        logits = self.out(h)
        return (logits, Record(pre, post, blocks)) if record else logits


def init_parameters(model: MLP, seed: int = 0) -> MLP:
    """(Re)initialise every Linear of ``model`` from ``seed``; biases (where any) are set to zero.

    Hidden layers use the configured scheme with the activation's Kaiming gain; the output
    layer uses the same scheme with the linear gain, since no activation follows it.
    """
    cfg = model.config
    generator = torch.Generator(device="cpu").manual_seed(int(seed))
    slope = float(model.activation.params.get("slope", 0.01))  # leaky_relu's negative slope
    layers = [(lin, cfg.activation) for lin in model.hidden] + [(model.out, "linear")]
    for linear, activation in layers:
        # Draw on the CPU so one seed gives the same weights on every device.
        weight = torch.empty(linear.weight.shape, dtype=torch.float32)
        initializers.init_weight_(
            weight,
            cfg.init,
            generator=generator,
            activation=activation,
            negative_slope=slope,
            std=cfg.init_std,
            a=cfg.init_a,
            value=cfg.init_value,
        )
        with torch.no_grad():
            linear.weight.copy_(weight)
            if linear.bias is not None:
                linear.bias.zero_()
    return model


def build(config: MLPConfig, seed: int = 0, device: str | torch.device | None = None) -> MLP:
    """A float32 MLP for ``config`` with weights drawn from ``seed``, on ``device``.

    The same ``(config, seed)`` gives identical weights on every call and device, and the
    global torch RNG is left untouched.
    """
    dev = resolve(device)
    # nn.Linear's constructor draws a default init from the global RNG; fork it so building a
    # network has no side effect on the caller's random stream. Our own init then overwrites it.
    with torch.random.fork_rng(devices=[]):
        model = MLP(config)
    init_parameters(model, seed)
    return model.to(device=dev, dtype=torch.float32)
