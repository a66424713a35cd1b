"""Seeded recurrent networks (RNN, LSTM, GRU) with a linear read-out, and their unrolled forward.

The cells are torch's own (``nn.RNN`` with tanh or ReLU, ``nn.LSTM``, ``nn.GRU``), so training
runs torch's fused loop. The probes need every step's hidden state :math:`h_t` as a tensor of
the autograd graph, which the fused loop does not expose; :func:`unroll` therefore recomputes
the same network one step at a time with torch's own cell ops (``torch.lstm_cell``,
``torch.gru_cell``, ``torch.rnn_tanh_cell``) on the *same* parameter tensors, so every
:math:`h_t` is a tensor autograd can differentiate with respect to (a test checks the unrolled
network against the fused one). The equations it runs, as torch documents them:

.. math::

    \\text{RNN:}\\; h_t = \\phi(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})

    \\text{LSTM:}\\; (i, f, g, o) = (\\sigma, \\sigma, \\tanh, \\sigma)(W_{ih} x_t + b_{ih}
    + W_{hh} h_{t-1} + b_{hh}),\\; c_t = f \\odot c_{t-1} + i \\odot g,\\;
    h_t = o \\odot \\tanh c_t

    \\text{GRU:}\\; r, z = \\sigma(\\cdot),\\; n = \\tanh(W_{in} x_t + b_{in}
    + r \\odot (W_{hn} h_{t-1} + b_{hn})),\\; h_t = (1 - z) \\odot n + z \\odot h_{t-1}

and :math:`\\hat y_t = W_{out} h_t + b_{out}` on the top layer. The cell ops keep their gates to
themselves, so the LSTM's forget gate :math:`f_t` (and the GRU's update gate :math:`z_t`) is
recomputed for all steps at once from the inputs and the previous states (outside autograd:
it is only measured).
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import torch
from torch import Tensor, nn

from engine.core.device import resolve
from engine.core.i18n import _

CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")
INITS = ("default", "orthogonal", "identity", "scaled")
GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}
MAX_HIDDEN = 256
MAX_LAYERS = 3
MAX_RADIUS = 5.0
MAX_FORGET_BIAS = 5.0
MAX_IO = 256


@dataclasses.dataclass(frozen=True)
class SeqConfig:
    """A recurrent network's architecture and initialisation. Frozen and hashable.

    ``init`` sets every recurrent block :math:`W_{hh}` (one per gate): ``default`` is torch's
    :math:`U(-1/\\sqrt H, 1/\\sqrt H)` and ignores ``radius``; ``orthogonal`` (a random
    orthogonal matrix), ``identity`` (IRNN, Le et al. 2015) and ``scaled`` (a Gaussian matrix)
    are rescaled to spectral radius ``radius`` and start with zero biases. ``forget_bias`` is
    the LSTM forget gate's total bias :math:`b_{ih,f} + b_{hh,f}` (1 as in Jozefowicz et al.
    2015), under every ``init``; the other cells ignore it.
    """

    cell: str = "rnn_tanh"
    hidden: int = 32
    layers: int = 1
    init: str = "default"
    radius: float = 1.0
    forget_bias: float = 0.0

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise ValueError(
                _("Invalid cell: {cell!r} (choose from {choices})").format(
                    cell=self.cell, choices=", ".join(CELLS)
                )
            )
        if not 1 <= self.hidden <= MAX_HIDDEN:
            raise ValueError(
                _("Invalid hidden size: {hidden} (must be 1..{max_hidden})").format(
                    hidden=self.hidden, max_hidden=MAX_HIDDEN
                )
            )
        if not 1 <= self.layers <= MAX_LAYERS:
            raise ValueError(
                _("Invalid layers: {layers} (must be 1..{max_layers})").format(
                    layers=self.layers, max_layers=MAX_LAYERS
                )
            )
        if self.init not in INITS:
            raise ValueError(
                _("Invalid init: {init!r} (choose from {choices})").format(
                    init=self.init, choices=", ".join(INITS)
                )
            )
        if not 0.0 < self.radius <= MAX_RADIUS:
            raise ValueError(
                _("Invalid spectral radius: {radius} (must be in (0, {max_radius}])").format(
                    radius=self.radius, max_radius=MAX_RADIUS
                )
            )
        if not abs(self.forget_bias) <= MAX_FORGET_BIAS:
            raise ValueError(
                _(
                    "Invalid forget_bias: {forget_bias} (must be in [-{max_forget_bias}, {max_forget_bias}])"
                ).format(forget_bias=self.forget_bias, max_forget_bias=MAX_FORGET_BIAS)
            )

    @property
    def gates(self) -> int:
        """How many :math:`H \\times H` blocks :math:`W_{hh}` stacks (1, 4 or 3)."""
        return GATES[self.cell]


class SeqModel(nn.Module):
    """``rnn`` (torch's fused ``nn.RNN``/``nn.LSTM``/``nn.GRU``, batch first) and ``readout``."""

    def __init__(self, config: SeqConfig, input_size: int, output_size: int) -> None:
        super().__init__()
        for name, size in (("input_size", input_size), ("output_size", output_size)):
            if not 1 <= size <= MAX_IO:
                raise ValueError(
                    _("Invalid {name}: {size} (must be 1..{max_io})").format(
                        name=name, size=size, max_io=MAX_IO
                    )
                )
        self.config, self.input_size, self.output_size = config, input_size, output_size
        kw = dict(num_layers=config.layers, batch_first=True, dtype=torch.float64)
        if config.cell == "lstm":
            self.rnn = nn.LSTM(input_size, config.hidden, **kw)
        elif config.cell == "gru":
            self.rnn = nn.GRU(input_size, config.hidden, **kw)
        else:
            act = config.cell.removeprefix("rnn_")
            self.rnn = nn.RNN(input_size, config.hidden, nonlinearity=act, **kw)
        self.readout = nn.Linear(config.hidden, output_size, dtype=torch.float64)

    def forward(self, x: Tensor) -> Tensor:
        """``(B, T, input_size) -> (B, T, output_size)``: a prediction at every step."""
        out, _ = self.rnn(x)
        return self.readout(out)


def _recurrent_block(init: str, n: int, radius: float, g: torch.Generator) -> Tensor:
    if init == "identity":
        return radius * torch.eye(n, dtype=torch.float64)
    if init == "orthogonal":
        q, r = torch.linalg.qr(torch.randn(n, n, generator=g, dtype=torch.float64))
        return radius * q * torch.sign(torch.diagonal(r))  # sign fix: Haar-distributed
    w = torch.randn(n, n, generator=g, dtype=torch.float64)
    return w * (radius / torch.linalg.eigvals(w).abs().max())


def build(
    config: SeqConfig,
    input_size: int,
    output_size: int,
    seed: int = 0,
    device: str | torch.device | None = None,
    dtype: torch.dtype = torch.float32,
) -> SeqModel:
    """The model for ``config`` with weights drawn from ``seed`` (on the CPU, in float64, then
    moved), so the same ``(config, seed)`` gives the same weights on every device and dtype;
    the global torch RNG is left untouched."""
    dev = resolve(device)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        model = SeqModel(config, input_size, output_size)
    g = torch.Generator().manual_seed(int(seed) + 1)
    H = config.hidden
    with torch.no_grad():
        for layer in range(config.layers):
            w_hh = getattr(model.rnn, f"weight_hh_l{layer}")
            if config.init != "default":
                for k in range(config.gates):
                    w_hh[k * H : (k + 1) * H] = _recurrent_block(config.init, H, config.radius, g)
                getattr(model.rnn, f"bias_ih_l{layer}").zero_()
                getattr(model.rnn, f"bias_hh_l{layer}").zero_()
            if config.cell == "lstm":  # gate order (i, f, g, o): f is the second block
                getattr(model.rnn, f"bias_ih_l{layer}")[H : 2 * H] = config.forget_bias
                getattr(model.rnn, f"bias_hh_l{layer}")[H : 2 * H] = 0.0
    return model.to(device=dev, dtype=dtype)


class Unrolled(NamedTuple):
    """The unrolled forward: ``y`` ``(B, T, out)``, and for the top layer the ``T`` states
    :math:`h_t` ``(B, H)`` (graph tensors, so autograd can differentiate with respect to them)
    and the ``T`` keep gates ``(B, H)`` (LSTM :math:`f_t`, GRU :math:`z_t`; empty for an RNN)."""

    y: Tensor
    states: list[Tensor]
    gates: list[Tensor]


_CELL_OPS = {
    "rnn_tanh": torch.rnn_tanh_cell,
    "rnn_relu": torch.rnn_relu_cell,
    "gru": torch.gru_cell,
}


def _keep_gate(x: Tensor, prev: Tensor, p: dict[str, Tensor]) -> Tensor:
    """All T keep gates at once from the layer's inputs ``x`` and previous states ``prev``
    (``(B, T, H)``, :math:`h_0 = 0` first): the forget gate is block 1 of the LSTM's (i, f, g,
    o), the update gate block 1 of the GRU's (r, z, n). Outside autograd: only measured."""
    H = prev.shape[-1]
    rows = slice(H, 2 * H)
    with torch.no_grad():
        pre = x @ p["weight_ih"][rows].T + p["bias_ih"][rows]
        pre = pre + prev @ p["weight_hh"][rows].T + p["bias_hh"][rows]
        return torch.sigmoid(pre)


def unroll(params: dict[str, Tensor], config: SeqConfig, x: Tensor) -> Unrolled:
    """The network of ``params`` (a :class:`SeqModel`'s named parameters) run one step at a time
    on ``x`` ``(B, T, in)`` from zero initial states, with torch's own cell ops
    (``torch.lstm_cell`` and friends) on the same weight tensors as the fused module."""
    B, T, _ = x.shape
    inputs = x
    states: list[Tensor] = []
    for layer in range(config.layers):
        p = {
            k: params[f"rnn.{k}_l{layer}"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        }
        weights = (p["weight_ih"], p["weight_hh"], p["bias_ih"], p["bias_hh"])
        h = x.new_zeros(B, config.hidden)
        c = x.new_zeros(B, config.hidden)
        states = []
        for t in range(T):
            if config.cell == "lstm":
                h, c = torch.lstm_cell(inputs[:, t], (h, c), *weights)
            else:
                h = _CELL_OPS[config.cell](inputs[:, t], h, *weights)
            states.append(h)
        layer_out = torch.stack(states, dim=1)
        if layer == config.layers - 1 and config.cell in ("lstm", "gru"):
            prev = torch.cat([x.new_zeros(B, 1, config.hidden), layer_out[:, :-1]], dim=1)
            gates = list(_keep_gate(inputs, prev, p).unbind(1))
        else:
            gates = []
        inputs = layer_out
    y = inputs @ params["readout.weight"].T + params["readout.bias"]
    return Unrolled(y, states, gates)


def recurrent_blocks(params: dict[str, Tensor], config: SeqConfig, layer: int) -> list[Tensor]:
    """Layer ``layer``'s :math:`W_{hh}` split into its per-gate :math:`H \\times H` blocks."""
    return list(params[f"rnn.weight_hh_l{layer}"].chunk(config.gates, dim=0))
