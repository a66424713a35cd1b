"""Probes through time: how the backward signal travels through T steps of a recurrent network.

On one batch :math:`(x, y)` of :math:`B` sequences, with :math:`L_T` the loss of the last step
(:func:`engine.sequences.tasks.last_loss`) and :math:`h_t` the top layer's hidden state:

- ``grad_h[t]``: :math:`\\frac1B \\sum_i \\lVert \\partial \\ell_{T,i} / \\partial h_{t,i}
  \\rVert_2`, the mean per-sample norm of the signal that reaches step t (computed as
  :math:`B \\cdot \\partial L_T / \\partial h_t`, so it does not shrink with the batch);
- ``connectivity[t]``: :math:`\\lVert \\partial \\hat y_\\tau / \\partial x_t \\rVert_F` for one
  display sequence and output position :math:`\\tau` (Distill's "connectivity", Madsen 2019);
- ``radius[l]``: the spectral radius :math:`\\max |\\lambda(W_{hh})|` of layer l's recurrent
  matrix (the largest over its per-gate blocks for an LSTM or GRU);
- ``gate[t]``: the mean keep gate (LSTM forget gate :math:`f_t`, GRU update gate :math:`z_t`);
  NaN for a plain RNN;
- ``slope``: the mean activation slope :math:`\\overline{\\phi'}` of a plain RNN's top layer
  (:math:`1 - h^2` for tanh, :math:`[h > 0]` for ReLU); NaN for the gated cells.

All of them come from autograd on the unrolled states (:func:`engine.sequences.models.unroll`),
not from a formula. Backwards, each step multiplies the signal by
:math:`W_{hh}^\\top \\operatorname{diag}(\\phi'_t)`, so for a plain RNN the course predicts a
geometric rate :math:`q \\approx \\rho(W_{hh}) \\cdot \\overline{\\phi'}` per step
(:func:`predicted_rate`), which :func:`decay_rate` fits to ``grad_h``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
from torch import Tensor

from engine.core.i18n import _
from engine.sequences import tasks
from engine.sequences.models import SeqConfig, SeqModel, recurrent_blocks, unroll

FIELDS = ("grad_h", "connectivity", "gate")


class Probe(NamedTuple):
    """One probe (numpy): ``loss`` is :math:`L_T` on the probe batch; see the module doc."""

    loss: float
    grad_h: np.ndarray  # (T,)
    connectivity: np.ndarray  # (T,)
    radius: np.ndarray  # (layers,)
    gate: np.ndarray  # (T,), NaN for a plain RNN
    slope: float  # mean phi' of a plain RNN, NaN for the gated cells


def width(T: int, layers: int) -> int:
    """Length of a flat probe row (:func:`measure`)."""
    return 2 + 3 * T + layers


def measure(
    model: SeqModel,
    params: dict[str, Tensor],
    task: str,
    x: Tensor,
    y: Tensor,
    display: Tensor,
    position: int | None = None,
) -> Tensor:
    """Every probe of ``params`` as one flat row on the device (one host sync for the caller):
    ``[loss, grad_h (T), connectivity (T), radius (layers), gate (T), slope]``.

    ``display`` ``(T, in)`` is the sequence the connectivity is measured on, at output position
    ``position`` (0-based; ``None`` = the last step).
    """
    config: SeqConfig = model.config
    B, T, _ = x.shape
    # Fresh leaves: the states must be part of a graph even when the caller's are detached.
    params = {k: v.detach().requires_grad_(True) for k, v in params.items()}
    with torch.enable_grad():
        run = unroll(params, config, x)
        L = tasks.last_loss(task, run.y, y)
        grads = torch.autograd.grad(L, run.states)
    signal = B * torch.stack(grads, dim=1).norm(dim=2).mean(dim=0)
    conn = connectivity(model, params, display, T - 1 if position is None else position)
    nan = x.new_full((T,), math.nan)
    gate = torch.stack([f.mean() for f in run.gates]) if run.gates else nan
    h = torch.stack(run.states).detach()
    if config.cell == "rnn_tanh":
        slope = (1 - h * h).mean()
    elif config.cell == "rnn_relu":
        slope = (h > 0).to(h.dtype).mean()
    else:
        slope = nan[0]
    parts = [L.detach().reshape(1), signal, conn, spectral_radius(params, config), gate, slope]
    return torch.cat([p.reshape(-1).to(x.dtype) for p in parts])


def unpack(row: np.ndarray, T: int, layers: int) -> Probe:
    """The :class:`Probe` of a flat row from :func:`measure`."""
    row = np.asarray(row, dtype=np.float64)
    r = 1 + 2 * T + layers
    return Probe(
        float(row[0]), row[1 : 1 + T], row[1 + T : 1 + 2 * T], row[1 + 2 * T : r], row[r : r + T],
        float(row[r + T]),
    )  # fmt: skip


def probe(model: SeqModel, task: str, x: Tensor, y: Tensor, position: int | None = None) -> Probe:
    """Every probe of ``model`` on the batch ``(x, y)``; connectivity on ``x[0]``."""
    params = dict(model.named_parameters())
    row = measure(model, params, task, x, y, x[0], position)
    return unpack(row.detach().cpu().numpy(), x.shape[1], model.config.layers)


def connectivity(
    model: SeqModel, params: dict[str, Tensor], sequence: Tensor, position: int
) -> Tensor:
    """:math:`\\lVert \\partial \\hat y_\\tau / \\partial x_t \\rVert_F` for every t of one
    ``sequence`` ``(T, in)``, at output position ``tau = position`` (0-based).

    The K outputs' gradients come from one backward pass: the sequence is repeated K times and
    copy k differentiates output k. Steps after ``position`` get 0 (the network is causal).
    """
    T = sequence.shape[0]
    if not 0 <= position < T:
        raise ValueError(
            _("Invalid output position: {position} (must be 0..{last})").format(
                position=position, last=T - 1
            )
        )
    K = model.output_size
    with torch.enable_grad():
        xs = sequence.detach().expand(K, *sequence.shape).clone().requires_grad_(True)
        out = torch.func.functional_call(model, params, (xs,))
        (g,) = torch.autograd.grad(out[:, position].diagonal().sum(), xs)
    return g.pow(2).sum(dim=(0, 2)).sqrt()


def spectral_radius(params: dict[str, Tensor], config: SeqConfig) -> Tensor:
    """``(layers,)``: the largest :math:`|\\lambda|` over each layer's recurrent blocks."""
    with torch.no_grad():
        radii = [
            max(
                torch.linalg.eigvals(w.double()).abs().max()
                for w in recurrent_blocks(params, config, layer)
            )
            for layer in range(config.layers)
        ]
    return torch.stack(radii)


def decay_rate(grad_h: np.ndarray) -> float:
    """The fitted factor :math:`q` by which the signal changes per step back in time:
    :math:`\\lVert \\partial L / \\partial h_{t-1} \\rVert \\approx q \\lVert \\partial L /
    \\partial h_t \\rVert`, from a least-squares line through :math:`\\log` ``grad_h`` (values
    that underflowed to zero are left out). NaN with fewer than 3 usable steps."""
    g = np.asarray(grad_h, dtype=np.float64)
    t = np.arange(len(g), dtype=np.float64)
    ok = np.isfinite(g) & (g > np.finfo(np.float32).tiny)
    if ok.sum() < 3:
        return math.nan
    slope = np.polyfit(t[ok], np.log(g[ok]), 1)[0]
    return float(np.exp(-slope))


def predicted_rate(p: Probe) -> float:
    """The course's prediction for a plain RNN: :math:`\\rho(W_{hh}) \\cdot \\overline{\\phi'}`
    of the top layer (NaN for the gated cells). It is the tanh RNN's rule; for a ReLU RNN the
    mean slope is the share of active units, while the active ones pass the signal at the full
    :math:`\\rho`, so there it tends to underestimate the rate."""
    return float(p.radius[-1] * p.slope)


def span(grad_h: np.ndarray) -> float:
    """:math:`\\lVert \\partial L/\\partial h_1 \\rVert / \\lVert \\partial L/\\partial h_T
    \\rVert`: below 1 the signal vanished on its way back, above 1 it exploded."""
    g = np.asarray(grad_h, dtype=np.float64)
    return float(g[0] / g[-1]) if g[-1] > 0 else math.nan
