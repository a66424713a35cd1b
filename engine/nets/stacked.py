"""K networks of one architecture as one batched computation: their parameters as the rows of one
``(K, P)`` tensor, a forward pass of all K at once, and an optimizer stepping every row.

Each row is one model's parameters, flattened in :class:`Layout`'s order and stacked with
``torch.func.stack_module_state``. ``torch.func.vmap`` of ``functional_call`` runs the K
forwards as batched matrix products; a plain MLP takes an equivalent hand-batched path (see
:func:`batched_forward`). Used by the race (:mod:`engine.nets.race`) and what reads its results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch.func import functional_call, vmap

from engine.nets import losses, networks
from engine.optimizers import Optimizer
from engine.optimizers.stepper import stepper


class Layout:
    """Where each named parameter sits in a flat row: hidden weights first, in layer order,
    so layers 2..L (all ``width x width``) form one contiguous block for the gradient norms."""

    def __init__(self, model: networks.MLP) -> None:
        named = dict(model.named_parameters())
        weights = [f"hidden.{i}.weight" for i in range(len(model.hidden))]
        self.names = weights + [k for k in named if k not in weights]
        self.shapes = [tuple(named[k].shape) for k in self.names]
        self.sizes = [named[k].numel() for k in self.names]
        self.first = self.sizes[0]
        self.rest = (len(weights) - 1, self.sizes[1] if len(weights) > 1 else 0)

    def flatten(self, stacked: dict[str, torch.Tensor]) -> torch.Tensor:
        K = next(iter(stacked.values())).shape[0]
        return torch.cat([stacked[k].detach().reshape(K, -1) for k in self.names], 1)

    def unflatten(self, flat: torch.Tensor) -> dict[str, torch.Tensor]:
        # One split, not P slices: its backward is one concatenation instead of a zero-filled
        # (K, P) gradient per parameter.
        lead = flat.shape[:-1]
        parts = flat.split(self.sizes, dim=-1)
        return {
            name: part.view(*lead, *shape)
            for name, shape, part in zip(self.names, self.shapes, parts, strict=True)
        }

    def layer_norms(self, g: torch.Tensor) -> torch.Tensor:
        """``(K, depth)`` Frobenius norms of the hidden weight gradients in ``g`` ``(K, P)``."""
        first = torch.linalg.vector_norm(g[:, : self.first], dim=1, keepdim=True)
        n, size = self.rest
        if n == 0:
            return first
        block = g[:, self.first : self.first + n * size].reshape(len(g), n, size)
        return torch.cat([first, torch.linalg.vector_norm(block, dim=2)], 1)


def init_rows(opt: Optimizer, rows: torch.Tensor, layout: Layout) -> Any:
    """Each row is one model; an optimizer that uses a tensor's shape (Muon's matrices, LAMB's
    per-layer norms) gets the named weight tensors, (k, out, in) each, instead of flat rows."""
    if opt.entry.structured:
        return opt.init(layout.unflatten(rows), batch_dims=1)
    return opt.init(rows, batch_dims=1)


def stepper_for(opt: Optimizer, rows: torch.Tensor) -> Any:
    """The group's step with its hyperparameters broadcast once (None: a structured optimizer,
    which steps through ``Optimizer.step`` on named tensors)."""
    return None if opt.entry.structured else stepper(opt, rows, batch_dims=1)


def step_rows(
    opt: Optimizer,
    rows: torch.Tensor,
    grads: torch.Tensor,
    state: Any,
    layout: Layout,
    fast: Any = None,
    count: torch.Tensor | None = None,
) -> tuple[torch.Tensor, Any]:
    """One update of a group's rows (call under ``torch.no_grad()``); ``fast``: its
    :func:`stepper_for`, ``count``: the step counter after this step, shared by every group."""
    if opt.entry.structured:
        new, state = opt.step(layout.unflatten(rows), layout.unflatten(grads), state, batch_dims=1)
        return layout.flatten(new), state
    if fast is not None:
        return fast(rows, grads, state, None, count)
    return opt.step(rows, grads, state, batch_dims=1)


def batched_loss(name: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """``(logits (K, N, C), y) -> (K,)``: every model's batch-mean loss ``name``.

    Cross-entropy on class indices, the default, is one call for all K models (the mean of
    each model's N terms, as ``F.cross_entropy``'s own mean): ``vmap`` of it falls back to a
    decomposition of ``nll_loss`` that cost as much as the networks' forward pass. Every other
    loss and target goes through ``vmap`` of :func:`engine.nets.losses.compute`.
    """
    general = vmap(lambda z, y: losses.compute(name, z, y), in_dims=(0, None))
    last: list[torch.Tensor] = []  # [y, y expanded to K rows]: a full batch's y is reused

    def score(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        K, n, c = z.shape
        if name != "ce" or c < 2 or y.ndim != 1:
            return general(z, y)
        if not last or last[0] is not y or last[1].shape[0] != K:
            last[:] = [y, y.long().expand(K, n)]
        # Classes along dim 1, (K, C, n): a softmax across the rows, many times faster than
        # along each row of a few classes.
        return F.cross_entropy(z.transpose(1, 2), last[1], reduction="none").mean(1)

    return score


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``(K,)`` accuracies of ``(K, N, C)`` logits, as :func:`engine.nets.losses.accuracy`.

    softmax and sigmoid are monotone, so the most probable class is the largest logit (or
    ``z > 0`` for one logit); skipping the probabilities saves a pass over the logits. The
    index of the first largest, as ``argmax``, from ``max``: faster on contiguous logits, and
    ten times faster on a transposed view of ``(K, C, N)`` ones (the race's own layout).
    """
    pred = logits.max(-1).indices if logits.shape[-1] > 1 else (logits[..., 0] > 0).long()
    return (pred == losses.labels(y)).float().mean(-1)


#: Use the hand-batched forward for plain MLPs (tests switch it off to compare with vmap).
FAST_PATH = True


def batched_forward(model: networks.MLP, layout: Layout) -> Callable:
    """``(flat (K, P), buffers, x (N, d)) -> logits (K, N, C)`` for the K stacked models.

    In general ``vmap`` of ``functional_call`` (BatchNorm with per-model buffers, dropout with
    ``randomness="same"``). A plain MLP (no BatchNorm, no dropout, a parameter-free activation)
    takes a hand-batched path with the same maths, twice as fast on a CPU: ``vmap``'s rule for
    ``linear`` expands the shared input and adds the bias apart, where here the first layer is
    one matmul for all K models and the others one ``baddbmm`` each.
    """
    cfg = model.config

    def general(p: torch.Tensor, b: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        return functional_call(model, (layout.unflatten(p), b), (x,))

    plain = not cfg.batchnorm and cfg.dropout == 0 and not list(model.acts.parameters())
    if not (plain and FAST_PATH):
        return vmap(general, in_dims=(0, 0, None), randomness="same")
    act = model.acts[0]

    def fast(flat: torch.Tensor, _: dict, x: torch.Tensor) -> torch.Tensor:
        p, K, n = layout.unflatten(flat), flat.shape[0], x.shape[0]
        W, b = p["hidden.0.weight"], p["hidden.0.bias"]  # (K, width, in), (K, width)
        z = torch.addmm(b.reshape(-1), x, W.reshape(-1, W.shape[-1]).T)  # (n, K * width)
        h = act(z.view(n, K, -1).transpose(0, 1))
        for i in range(1, cfg.depth):
            W, b = p[f"hidden.{i}.weight"], p[f"hidden.{i}.bias"]
            a = act(torch.baddbmm(b.unsqueeze(1), h, W.transpose(1, 2)))
            h = h + a if cfg.residual else a
        return torch.baddbmm(p["out.bias"].unsqueeze(1), h, p["out.weight"].transpose(1, 2))

    return fast


@torch.no_grad()
def stacked_logits(
    config: networks.MLPConfig,
    params: dict[str, torch.Tensor],
    buffers: dict[str, torch.Tensor],
    X: torch.Tensor,
    device: torch.device,
) -> torch.Tensor:
    """``(K, N, C)`` logits on ``X`` of the K models whose stacked ``(K, ...)`` state dict is
    ``params`` and ``buffers``, in eval mode."""
    model = networks.build(config, device=device).eval()
    layout = Layout(model)
    flat = layout.flatten({k: v.to(device) for k, v in params.items()})
    buffers = {k: v.to(device) for k, v in buffers.items()}

    def forward(p: torch.Tensor, b: dict[str, torch.Tensor]) -> torch.Tensor:
        return functional_call(model, (layout.unflatten(p), b), (X.to(device),))

    return vmap(forward)(flat, buffers)
