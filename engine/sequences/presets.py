"""The page's settings as one frozen value, and the five classic experiments in teaching order.

A preset's text is not typed: :func:`describe` writes it from the probes at initialisation and,
once trained, from the runs, so every number it quotes was measured.

>>> s = get("vanishing").settings
>>> first = initial_probes(s)            # {cell: Probe} at initialisation
>>> runs = race(s)                       # {cell: SeqHistory}
>>> describe("vanishing", first, runs)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from engine import optimizers
from engine.core.i18n import N_, _
from engine.sequences import models, probes, tasks, training

F64 = torch.float64
CELL_TITLES = {"rnn_tanh": "RNN (tanh)", "rnn_relu": "RNN (ReLU)", "lstm": "LSTM", "gru": "GRU"}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything a run depends on; frozen and hashable (a cache key). ``clip = 0`` is off."""

    task: str = "adding"
    T: int = 50
    cells: tuple[str, ...] = ("rnn_tanh", "lstm", "gru")
    hidden: int = 32
    layers: int = 1
    init: str = "default"
    radius: float = 1.0
    forget_bias: float = 1.0
    clip: float = 0.0
    optimizer: str = "adam"
    lr: float = 0.01
    steps: int = 300
    batch: int = 32
    seed: int = 0

    def config(self, cell: str) -> models.SeqConfig:
        return models.SeqConfig(
            cell, self.hidden, self.layers, self.init, self.radius, self.forget_bias
        )

    def check(self) -> None:
        """Raise ``ValueError`` for any setting out of range (before anything is built)."""
        if not self.cells:
            raise ValueError(_("Invalid cells: pick at least one cell type"))
        for cell in self.cells:
            self.config(cell)
        tasks.get(self.task)
        optimizers.create(self.optimizer, lr=self.lr)
        clip = self.clip or None
        training.check_limits(self.T, self.steps, self.batch, probe_every(self.steps), clip)


def probe_every(steps: int) -> int:
    """Every 10 steps, and at most about 60 rows: one probe costs about four training steps
    (an unrolled pass, see ``bench/sequences.py``), so this keeps the overhead under 1.5x."""
    return max(10, -(-steps // 60))


def initial_probes(s: Settings, device: Any = None) -> dict[str, probes.Probe]:
    """Every cell's probes at initialisation, on the run's probe batch, in float64: the numbers
    a text quotes do not depend on the CPU's rounding, and a signal of 1e-40 does not underflow.
    """
    s.check()
    spec = tasks.get(s.task)
    x, y = training.probe_batch(s.task, s.T, s.seed)
    out = {}
    for cell in s.cells:
        cfg = s.config(cell)
        model = models.build(cfg, spec.input_size, spec.output_size, s.seed, device, F64)
        dev = model.readout.weight.device
        out[cell] = probes.probe(model, s.task, x.to(dev), y.to(dev))
    return out


def race(
    s: Settings, callback: Callable[[str, int, Any], Any] | None = None, device: Any = None
) -> dict[str, training.SeqHistory]:
    """Train every cell of ``s`` on the same batches from the same seed."""
    s.check()
    opt = optimizers.create(s.optimizer, lr=s.lr)
    return training.race(
        s.cells, s.config(s.cells[0]), s.task, s.T, opt, s.steps, callback=callback,
        batch=s.batch, seed=s.seed, clip=s.clip or None, probe_every=probe_every(s.steps),
        device=device,
    )  # fmt: skip


def display_tokens(s: Settings, short: bool = False) -> list[str]:
    """What each step of the connectivity's sequence (the probe batch's first) shows."""
    return tasks.labels(s.task, training.probe_batch(s.task, s.T, s.seed)[0][0], short)


def connectivity(
    s: Settings, cell: str, position: int, state: dict | None = None, device: Any = None
) -> np.ndarray:
    """:math:`\\lVert \\partial \\hat y_\\tau / \\partial x_t \\rVert` of ``cell`` on the
    display sequence at 0-based output ``position``: at initialisation, or with the trained
    weights ``state`` (a :class:`~engine.sequences.training.SeqHistory` ``.state``)."""
    s.check()
    spec = tasks.get(s.task)
    model = models.build(s.config(cell), spec.input_size, spec.output_size, s.seed, device, F64)
    if state:  # a run stopped mid-way carries no weights: show the initial network
        model.load_state_dict(state)
    x = training.probe_batch(s.task, s.T, s.seed)[0][0].to(model.readout.weight)
    params = dict(model.named_parameters())
    return probes.connectivity(model, params, x, position).detach().cpu().numpy()


def check_memory(s: Settings) -> None:
    """Raise ``ValueError`` when a cell's training would hold more memory than one session may
    (:data:`engine.sequences.training.MAX_TRAIN_BYTES`); the message says which batch fits.

    The hungriest cell is checked first, so the batch the message offers fits every cell picked.
    """
    hungriest = sorted(s.cells, key=lambda c: -training.train_bytes(s.config(c), s.T, 1))
    for cell in hungriest:
        training.check_memory(s.config(cell), s.T, s.batch, CELL_TITLES[cell])


def estimate_seconds(s: Settings) -> float:
    """A rough CPU time for :func:`race`."""
    return sum(
        training.estimate_seconds(s.config(c), s.task, s.T, s.steps, s.batch) for c in s.cells
    )


# ------------------------------------------------------------------------------------ presets
@dataclasses.dataclass(frozen=True)
class Preset:
    key: str
    label: str  # a button's worth of words
    title: str
    settings: Settings


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "vanishing",
            N_("1 · RNN: vanishing"),
            N_("A plain RNN at T = 50: the signal vanishes"),
            Settings(cells=("rnn_tanh",), forget_bias=0.0, steps=300),
        ),
        Preset(
            "exploding",
            N_("2 · RNN: exploding"),
            N_("Spectral radius 1.5: exploding, then clipping"),
            Settings(
                cells=("rnn_tanh",),
                init="orthogonal",
                radius=1.5,
                forget_bias=0.0,
                optimizer="sgd",
                lr=0.1,
                steps=300,
            ),
        ),
        Preset(
            "lstm",
            N_("3 · LSTM: forget bias 1"),
            N_("LSTM with forget bias 1: the path stays open"),
            Settings(cells=("rnn_tanh", "lstm"), T=100, steps=100),
        ),
        Preset(
            "gru",
            N_("4 · GRU"),
            N_("The GRU: an update gate instead of a cell"),
            Settings(hidden=16, lr=0.02, steps=200),
        ),
        Preset(
            "adding",
            N_("5 · Adding problem"),
            N_("Adding problem at T = 100: the LSTM learns, the RNN not"),
            Settings(
                cells=("rnn_tanh", "lstm"), T=100, hidden=16, init="orthogonal", lr=0.02, steps=600
            ),
        ),
    )  # fmt: skip
}


def names() -> list[str]:
    return list(PRESETS)


def get(name: str) -> Preset:
    if name not in PRESETS:
        raise ValueError(
            _("Unknown preset: {name!r} (choose from {choices})").format(
                name=name, choices=", ".join(PRESETS)
            )
        )
    return PRESETS[name]
