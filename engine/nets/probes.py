"""Per-layer diagnostics of an MLP: where gradients vanish or explode, units saturate or die.

For hidden block :math:`l` (see :mod:`engine.nets.networks`: :math:`z_l` pre-activation,
:math:`a_l = f(z_l)`, :math:`h_l` block output), on a batch of :math:`N` samples:

- ``grad_norms``: :math:`\\lVert \\partial L / \\partial W_l \\rVert_F`, the Frobenius norm of the
  hidden Linear's weight gradient (:math:`L` the batch-mean loss);
- ``signal_norms``: :math:`\\frac1N \\sum_i \\lVert \\partial \\ell_i / \\partial h_{l,i} \\rVert_2`,
  the mean per-sample norm of the back-propagated signal at the block's output (computed as
  :math:`N \\cdot \\partial L/\\partial h_l`, so it does not shrink with the batch size);
- ``act_mean``, ``act_std``: mean and (population) std of :math:`a_l` over samples and units;
- ``saturated``: share of (sample, unit) pairs with :math:`|f'(z_l)| < 10^{-3}` (ReLU's dead
  side counts);
- ``dead``: share of units with :math:`f'(z_l) = 0` on every sample of the batch: they pass no
  gradient at all (a ReLU unit that never fires);
- ``unit_similarity``: :math:`\\max_{i} \\max_{j,k} |a_{l,ij} - a_{l,ik}|`, the largest gap
  between two units' outputs on any sample: exactly 0 when every unit is a copy (zero init);
- :math:`f'` is the activation's own ``derivative`` at its configured parameters (a PReLU or
  maxout whose pieces were learned is measured at its starting shape);
- ``histograms``: counts of :math:`a_l` in ``bins`` equal bins whose edges are shared by all
  layers (so layers compare on one axis).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator, Mapping
from typing import NamedTuple

import numpy as np
import torch
from torch import nn
from torch.func import functional_call

from engine.core.checks import check_int
from engine.nets import losses
from engine.nets.networks import MLP, Record

QUANTITIES = ("grad_norms", "signal_norms", "act_mean", "act_std", "saturated", "dead")
SATURATION = 1e-3


class Histogram(NamedTuple):
    counts: np.ndarray  # (bins,) int64
    edges: np.ndarray  # (bins + 1,) float32


@dataclasses.dataclass
class LayerReport:
    """One probe of every hidden block, input to output; arrays have one entry per layer."""

    grad_norms: np.ndarray
    signal_norms: np.ndarray
    act_mean: np.ndarray
    act_std: np.ndarray
    saturated: np.ndarray
    dead: np.ndarray
    unit_similarity: np.ndarray
    histograms: list[Histogram]
    loss: float


class Pass(NamedTuple):
    """What one forward/backward pass gives the trainer and the report."""

    loss: torch.Tensor
    logits: torch.Tensor
    grads: dict[str, torch.Tensor]
    stats: torch.Tensor | None  # (len(QUANTITIES), layers), on the model's device
    record: Record


def forward_backward(
    model: MLP,
    params: Mapping[str, torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    loss: str,
    probe: bool = True,
) -> Pass:
    """Loss and gradients of ``model`` run with ``params`` on ``(x, y)``, and optionally stats.

    ``params`` must require grad; gradients come from ``torch.autograd.grad``, so nothing is
    accumulated in any ``.grad``. With ``probe``, the signal gradients come from the same
    backward pass as the weight gradients, so probing costs only the statistics.
    """
    logits, record = functional_call(model, dict(params), (x,), {"record": True})
    value = losses.compute(loss, logits, y)
    names = list(params)
    inputs = [params[k] for k in names] + (record.blocks if probe else [])
    grads = torch.autograd.grad(value, inputs, allow_unused=True)
    param_grads = {
        k: torch.zeros_like(params[k]) if g is None else g
        for k, g in zip(names, grads[: len(names)], strict=True)
    }
    stats = None
    if probe:
        weight_grads = [param_grads[f"hidden.{i}.weight"] for i in range(len(model.hidden))]
        stats = layer_stats(
            model.activation, record, weight_grads, list(grads[len(names) :]), len(x)
        )
    return Pass(value.detach(), logits.detach(), param_grads, stats, record)


def layer_stats(
    activation,
    record: Record,
    weight_grads: list[torch.Tensor],
    signal_grads: list[torch.Tensor | None],
    n: int,
    stacked: bool | None = None,
) -> torch.Tensor:
    """The :data:`QUANTITIES` as one ``(6, layers)`` tensor, on the model's device.

    Every input is detached (or a plain gradient), so no graph is built; no ``no_grad`` here,
    so an activation whose ``derivative`` uses autograd still works. ``stacked`` (default: on
    CUDA) stacks the layers and reduces them in one go, a dozen kernel launches in all; on a
    CPU, one layer at a time keeps each layer in cache and is 2-3x faster.
    """
    pre = [t.detach() for t in record.pre]
    signals = [
        torch.zeros_like(z) if g is None else g for z, g in zip(pre, signal_grads, strict=True)
    ]
    grad_norms = torch.stack([torch.linalg.vector_norm(w) for w in weight_grads])
    if stacked is None:
        stacked = pre[0].device.type == "cuda"
    if stacked:  # (L, N, W): every hidden block has the same width
        post = torch.stack([t.detach() for t in record.post])
        rows = _reduce(activation, torch.stack(pre), post, torch.stack(signals), n)
        return torch.stack([grad_norms, *rows])
    columns = [
        torch.stack(_reduce(activation, z, a.detach(), g, n))
        for z, a, g in zip(pre, record.post, signals, strict=True)
    ]
    return torch.cat([grad_norms[None], torch.stack(columns, 1)])


def _reduce(activation, z, a, g, n: int) -> list[torch.Tensor]:
    """signal, mean, std, saturated, dead of ``(..., N, W)`` tensors, reducing the last 2 dims."""
    d = activation.derivative(z).abs()
    size = z.shape[-2] * z.shape[-1]
    # Two passes instead of torch.var_mean, which is 20x slower on CPU for these sizes.
    mean = a.mean((-2, -1))
    std = torch.linalg.vector_norm(a - mean[..., None, None], dim=(-2, -1)) / math.sqrt(size)
    return [
        torch.linalg.vector_norm(g, dim=-1).mean(-1) * n,
        mean,
        std,
        torch.count_nonzero(d < SATURATION, dim=(-2, -1)) / size,
        (d.amax(-2) == 0).float().mean(-1),  # d >= 0: a zero max means zero on every sample
    ]


@contextlib.contextmanager
def probe_mode(model: nn.Module) -> Iterator[None]:
    """BatchNorm on batch statistics, dropout off; every flag and running stat restored after."""
    flags = {m: m.training for m in model.modules()}
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [{k: b.clone() for k, b in m.named_buffers(recurse=False)} for m in norms]
    try:
        model.eval()
        for m in norms:
            m.train()
        yield
    finally:
        for m, flag in flags.items():
            m.training = flag
        with torch.no_grad():
            for m, buffers in zip(norms, saved, strict=True):
                for k, b in buffers.items():
                    getattr(m, k).copy_(b)


def _finite_range(t: torch.Tensor) -> tuple[float, float] | None:
    """The smallest and largest finite values of ``t`` (None if it has none). Indexing with a
    mask copies the values and their int64 indices, so only a tensor with a non-finite value
    pays for it."""
    if bool(torch.isfinite(t).all()):
        return float(t.min()), float(t.max())
    finite = t[torch.isfinite(t)]
    return (float(finite.min()), float(finite.max())) if finite.numel() else None


def _histograms(record: Record, bins: int) -> list[Histogram]:
    # One layer at a time, never the stacked (layers, N, W) copies: at 50 layers of 256 units
    # on 1500 points each copy is 77 MB, and they set the page's peak memory.
    a = [t.detach() for t in record.post]
    ranges = [_finite_range(t) for t in a]
    ranges = [r for r in ranges if r is not None]
    lo = min(r[0] for r in ranges) if ranges else 0.0
    hi = max(r[1] for r in ranges) if ranges else 0.0
    if hi - lo < 1e-6:  # all equal (e.g. zero init): centre one unit-wide range on the value
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1, dtype=np.float32)
    return [
        Histogram(torch.histc(layer.float(), bins, lo, hi).long().cpu().numpy(), edges)
        for layer in a
    ]


def layer_report(
    model: MLP, x: torch.Tensor, y: torch.Tensor, loss: str = "ce", bins: int = 40
) -> LayerReport:
    """Probe every hidden block of ``model`` on the batch ``(x, y)``.

    Runs with BatchNorm on batch statistics and dropout off (see :func:`probe_mode`); leaves
    the model's mode, running statistics and ``.grad`` fields exactly as they were.
    """
    losses.check(loss, model.config.out_dim)
    check_int("bins", bins, 1, 1000)
    params = {k: p for k, p in model.named_parameters()}
    dev = next(iter(params.values())).device
    x, y = x.to(dev, torch.float32), y.to(dev)
    with probe_mode(model), torch.enable_grad():
        # Leaves of our own, so autograd.grad works even on a model with frozen parameters.
        leaves = {k: p.detach().requires_grad_(True) for k, p in params.items()}
        result = forward_backward(model, leaves, x, y, loss, probe=True)
    stats = result.stats.cpu().numpy()
    # Per layer, the largest spread between its units on one sample (see _histograms on memory).
    similarity = [(t.amax(1) - t.amin(1)).amax().detach() for t in result.record.post]
    return LayerReport(
        **{name: stats[i] for i, name in enumerate(QUANTITIES)},
        unit_similarity=torch.stack(similarity).cpu().numpy(),
        histograms=_histograms(result.record, bins),
        loss=float(result.loss),
    )
