"""Train a recurrent network with an engine optimizer, probing the gradient through time.

Step :math:`s` on a fresh batch :math:`B_s` of the task, parameters :math:`\\theta_s`:

.. math::

    g_s = \\nabla_\\theta L(\\theta_s; B_s), \\qquad
    \\tilde g_s = g_s \\cdot \\min\\Bigl(1, \\frac{c}{\\lVert g_s \\rVert + 10^{-6}}\\Bigr), \\qquad
    \\theta_{s+1} = \\mathrm{step}(\\theta_s, \\tilde g_s, \\text{state}_s)

with the clipping of Pascanu et al. (2013) only when a threshold :math:`c` is given (the same
rule as ``torch.nn.utils.clip_grad_norm_``). As in :mod:`engine.nets.training`, the parameters live in
a plain ``{name: tensor}`` dict, the network runs through ``torch.func.functional_call`` (torch's
fused loop) and the optimizer is a pure ``engine.optimizers`` one. Every ``probe_every`` steps
(0 = never), and once after the last step, :func:`engine.sequences.probes.measure` runs on one fixed probe
batch, so the rows of the time x training-step heatmap compare like with like.

:func:`race` trains several cell types on the same task from the same seed: the same batches,
the same probe batch and the same optimizer settings, so the cell is the only difference.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch.func import functional_call

from engine import optimizers
from engine.core.device import resolve
from engine.core.i18n import _
from engine.sequences import models, probes, tasks

MAX_STEPS = 5000
MAX_BATCH = 512
#: The most memory one training run may hold for its backward pass (bench/memory.py's budget is
#: 1 GiB per session, with the page's figures and caches beside it).
MAX_TRAIN_BYTES = 400 * 2**20
#: float32 values kept per (time step, sequence, layer, hidden unit) while training, probes
#: included: torch's CPU cells keep their gates and states for the backward pass. Measured as
#: the peak memory above the process's own at T = 200, batch 256, 3 layers of 128 units, 3
#: steps (LSTM 878 MB, GRU 1014 MB, RNN 314 MB), rounded up.
_VALUES_PER_UNIT = {"rnn_tanh": 4.5, "rnn_relu": 4.5, "lstm": 11.5, "gru": 13.0}
PROBE_BATCH = 32
_PROBE_SEED = 1_000_003  # the probe batch's stream, apart from the training batches'


@dataclasses.dataclass
class SeqHistory:
    """A training run (numpy). Per step: ``loss`` (training loss on its batch) and
    ``grad_norm`` (:math:`\\lVert g_s \\rVert`, before clipping). Per probe row, at the steps
    ``probe_steps`` (the last row is after the final update): ``probe_loss`` and the probes of
    :mod:`engine.sequences.probes`, ``(P, T)`` or ``(P, layers)``. ``diverged_at`` is -1 or
    the step whose loss or gradient was not finite; ``state`` the final weights (CPU)."""

    config: models.SeqConfig
    task: str
    T: int
    optimizer: str
    clip: float | None
    loss: np.ndarray
    grad_norm: np.ndarray
    probe_steps: np.ndarray
    probe_loss: np.ndarray
    grad_h: np.ndarray
    connectivity: np.ndarray
    radius: np.ndarray
    gate: np.ndarray
    slope: np.ndarray
    diverged_at: int
    stopped: bool
    seconds: float
    state: dict[str, torch.Tensor]

    @property
    def steps(self) -> int:
        return len(self.loss)

    def curve(self, field: str) -> np.ndarray:
        """``loss`` or ``grad_norm`` up to divergence (the non-finite step left out)."""
        values = getattr(self, field)
        return values if self.diverged_at < 0 else values[: self.diverged_at]

    def probe(self, row: int) -> probes.Probe:
        """Probe row ``row`` (-1: after training) as a :class:`~engine.sequences.probes.Probe`."""
        return probes.Probe(
            float(self.probe_loss[row]), self.grad_h[row], self.connectivity[row],
            self.radius[row], self.gate[row], float(self.slope[row]),
        )  # fmt: skip

    def model(self, device: str | torch.device | None = None) -> models.SeqModel:
        """The trained network."""
        task = tasks.get(self.task)
        net = models.build(self.config, task.input_size, task.output_size, device=device)
        net.load_state_dict(self.state)
        return net


def check_limits(T: int, steps: int, batch: int, probe_every: int, clip: float | None) -> None:
    """Refuse run sizes that would not keep memory and time bounded, and bad settings."""
    tasks.check_length(T)
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(
            _("Invalid steps: {steps} (must be 1..{max_steps})").format(
                steps=steps, max_steps=MAX_STEPS
            )
        )
    if not 1 <= batch <= MAX_BATCH:
        raise ValueError(
            _("Invalid batch size: {batch} (must be 1..{max_batch})").format(
                batch=batch, max_batch=MAX_BATCH
            )
        )
    if probe_every < 0:
        raise ValueError(
            _("Invalid probe_every: {probe_every} (0 = off, or a positive period)").format(
                probe_every=probe_every
            )
        )
    if clip is not None and not (math.isfinite(clip) and clip > 0):
        raise ValueError(
            _("Invalid clipping threshold: {clip} (must be > 0, or None for none)").format(
                clip=clip
            )
        )


def train_bytes(config: models.SeqConfig, T: int, batch: int) -> int:
    """About how much memory :func:`train` holds at once, in bytes (see :data:`MAX_TRAIN_BYTES`):
    :math:`T \\cdot B \\cdot \\text{layers} \\cdot \\text{hidden}` units, each keeping a few values."""
    units = T * batch * config.layers * config.hidden
    return int(units * 4 * _VALUES_PER_UNIT[config.cell])


def largest_batch(config: models.SeqConfig, T: int) -> int:
    """The largest batch whose run stays within :data:`MAX_TRAIN_BYTES` (at least 1)."""
    per_sequence = train_bytes(config, T, 1)
    return max(1, min(MAX_BATCH, MAX_TRAIN_BYTES // max(per_sequence, 1)))


def check_memory(config: models.SeqConfig, T: int, batch: int, label: str = "") -> None:
    """Refuse a run that would hold more than :data:`MAX_TRAIN_BYTES`, saying what fits;
    ``label`` names the cell in the message (default: its key)."""
    need = train_bytes(config, T, batch)
    if need > MAX_TRAIN_BYTES:
        raise ValueError(
            _(
                "Too large to train here: {cell} with a batch of {batch} sequences of length "
                "{T}, {layers} layer(s) of {hidden} units needs about {need} MB, and one "
                "session may use {limit} MB. A batch of at most {fit} fits; a shorter T or "
                "fewer units also help."
            ).format(
                cell=label or config.cell,
                batch=batch,
                T=T,
                layers=config.layers,
                hidden=config.hidden,
                need=f"{need / 2**20:.0f}",
                limit=f"{MAX_TRAIN_BYTES / 2**20:.0f}",
                fit=largest_batch(config, T),
            )  # fmt: skip
        )


def probe_batch(task: str, T: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed batch every probe of a run (and of a race) is measured on (CPU, float64)."""
    return tasks.sample(task, T, PROBE_BATCH, torch.Generator().manual_seed(seed + _PROBE_SEED))


def _to(x: torch.Tensor, dev: torch.device, dtype: torch.dtype) -> torch.Tensor:
    return x.to(dev, dtype) if x.is_floating_point() else x.to(dev)


def train(
    config: models.SeqConfig,
    task: str,
    T: int,
    optimizer: Any = "adam",
    steps: int = 300,
    batch: int = 32,
    seed: int = 0,
    clip: float | None = None,
    probe_every: int = 10,
    device: str | torch.device | None = None,
    dtype: torch.dtype = torch.float32,
    callback: Callable[[int, SeqHistory], Any] | None = None,
) -> SeqHistory:
    """Train ``models.build(config, seed)`` on ``task`` with sequences of length ``T``.

    ``optimizer`` is an engine ``Optimizer`` or a name for ``engine.optimizers.create``.
    ``callback(step, history_so_far)`` runs after each step; returning ``False`` stops the run.
    """
    check_limits(T, steps, batch, probe_every, clip)
    check_memory(config, T, batch)
    spec = tasks.get(task)
    if isinstance(optimizer, str):
        optimizer = optimizers.create(optimizer)
    dev = resolve(device)
    model = models.build(config, spec.input_size, spec.output_size, seed, dev, dtype)
    params = {k: p.detach() for k, p in model.named_parameters()}
    state = optimizer.init(params)
    px, py = (_to(v, dev, dtype) for v in probe_batch(task, T, seed))
    data = torch.Generator().manual_seed(int(seed))
    loss, norms = np.zeros(steps), np.zeros(steps)
    n_rows = 0 if probe_every == 0 else steps // probe_every + 2
    cols = {f: np.zeros((n_rows, T)) for f in probes.FIELDS}
    cols |= {"loss": np.zeros(n_rows), "slope": np.zeros(n_rows)}
    cols["radius"] = np.zeros((n_rows, config.layers))
    at: list[int] = []
    done, diverged_at, stopped = 0, -1, False

    def history(seconds: float) -> SeqHistory:
        c = {k: v[: len(at)] for k, v in cols.items()}
        return SeqHistory(
            config, task, T, optimizer.name, clip, loss[:done], norms[:done],
            np.asarray(at, dtype=np.int64), c["loss"], c["grad_h"], c["connectivity"],
            c["radius"], c["gate"], c["slope"], diverged_at, stopped, seconds, {},
        )  # fmt: skip

    def record(step: int) -> None:
        row = probes.measure(model, params, task, px, py, px[0])
        p = probes.unpack(row.detach().cpu().numpy(), T, config.layers)
        for k, v in p._asdict().items():
            cols[k][len(at)] = v
        at.append(step)

    start = time.perf_counter()
    for t in range(steps):
        x, y = (_to(v, dev, dtype) for v in tasks.sample(task, T, batch, data))
        if probe_every and t % probe_every == 0:
            record(t)
        leaves = {k: v.detach().requires_grad_(True) for k, v in params.items()}
        with torch.enable_grad():
            L = tasks.loss(task, functional_call(model, leaves, (x,)), y)
            grads = dict(zip(leaves, torch.autograd.grad(L, list(leaves.values())), strict=True))
        norm = torch.nn.utils.get_total_norm(list(grads.values()), foreach=True)
        if clip is not None:
            scale = torch.clamp(clip / (norm + 1e-6), max=1.0)
            grads = {k: g * scale for k, g in grads.items()}
        loss[t], norms[t] = torch.stack([L.detach(), norm]).double().cpu().tolist()
        done = t + 1
        if not (math.isfinite(loss[t]) and math.isfinite(norms[t])):
            diverged_at = t
            break
        params, state = optimizer.step(params, grads, state)
        if callback is not None and callback(t, history(time.perf_counter() - start)) is False:
            stopped = True
            break
    if probe_every and diverged_at < 0:
        record(done)  # after the last update: the trained network's picture
    result = history(time.perf_counter() - start)
    result.state = {k: v.detach().cpu().clone() for k, v in params.items()}
    return result


def race(
    cells: Sequence[str],
    config: models.SeqConfig,
    task: str,
    T: int,
    optimizer: Any = "adam",
    steps: int = 300,
    callback: Callable[[str, int, SeqHistory], Any] | None = None,
    **kwargs: Any,
) -> dict[str, SeqHistory]:
    """Train each cell type of ``cells`` (``config`` with its ``cell`` replaced) on the same
    task, batches and seed; ``kwargs`` go to :func:`train`. ``callback(cell, step, history)``
    returning ``False`` stops the race (the cells not yet trained are left out)."""
    if not cells:
        raise ValueError(_("Invalid cells: pick at least one cell type"))
    out: dict[str, SeqHistory] = {}
    for cell in dict.fromkeys(cells):
        cfg = dataclasses.replace(config, cell=cell)
        hook = None if callback is None else (lambda t, h, c=cell: callback(c, t, h))
        out[cell] = train(cfg, task, T, optimizer, steps, callback=hook, **kwargs)
        if out[cell].stopped:
            break
    return out


#: Seconds per time step and layer that do not grow with the size: torch's CPU GRU runs its
#: backward as separate ops, about three times the RNN's.
_PER_TIME_STEP = {"rnn_tanh": 4.2e-5, "rnn_relu": 4.2e-5, "lstm": 6.6e-5, "gru": 1.3e-4}
#: Seconds per multiply-add of a time step's forward, per batch row (forward and backward).
_PER_MAC = 2.6e-10


def estimate_seconds(config: models.SeqConfig, task: str, T: int, steps: int, batch: int) -> float:
    """A rough CPU time for :func:`train` on one thread: a fixed cost per step (sampling, the
    optimizer), a cost per time step and layer, and the multiply-adds of forward and backward.

    Fitted on the 2-core development CPU (2026-12-01, one thread, the server's heap setting) on
    five sizes, from each cell at T = 50, H = 32, batch 32 to an LSTM at T = 200, H = 128,
    batch 100: within 0.89-1.43 times the measured time; the page's whole run (training live)
    took 0.8-1.3 times the estimate on the four presets. The constants before these (5 ms a
    step, 1e-4 s per time step, 2e-9 s per multiply-add), fitted when training was slower, came
    out 3-11 times the measured time: the "adding" preset (6.3 s) waited for Train, "about 24 s".
    """
    spec = tasks.get(task)
    macs = config.gates * config.hidden * (config.hidden + spec.input_size + 2)
    per_time_step = _PER_TIME_STEP[config.cell] + _PER_MAC * batch * macs
    return steps * (1e-3 + T * config.layers * per_time_step)
