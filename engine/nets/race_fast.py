r"""The race's step for its most common network, by hand: forward, loss and gradient at once.

A plain ReLU MLP (no batch norm, no dropout; residual or not) trained with cross-entropy on class
indices, the race page's default, spends most of a step in autograd's bookkeeping, not in its
arithmetic: for K models of three 32-wide layers that bookkeeping cost more than the matrix
products. Here the backward pass is written out with the same products autograd would run,
for all K models at once (``(K, n, w)`` activations, ``(K, out, in)`` weights):

.. math::

    \delta_L = (\mathrm{softmax}(z_L) - \mathrm{onehot}(y)) / n, \qquad
    \nabla W_l = \delta_l^\top h_{l-1}, \quad \nabla b_l = \textstyle\sum_i \delta_{l,i}, \qquad
    \delta_{l-1} = (\delta_l W_l) \odot [z_{l-1} > 0]

(plus :math:`\delta_l W_l` passed straight on across a residual connection). Every other
network, activation or loss goes through autograd (:func:`engine.nets.race.race`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

from engine.core.i18n import _

ValueAndGrad = Callable[[Tensor, Tensor, Tensor], tuple[Tensor, Tensor, Tensor]]


def value_and_grad(model: Any, layout: Any, loss: str) -> ValueAndGrad | None:
    """``(flat (K, P), x (n, d), y (n,)) -> (logits (K, n, C), loss (K,), grad (K, P))``, or None
    where this network, activation or loss is not the case written out here."""
    cfg = model.config
    plain = not cfg.batchnorm and cfg.dropout == 0 and not list(model.acts.parameters())
    if not plain or loss != "ce" or cfg.out_dim < 2:
        return None
    if not all(type(a) is nn.ReLU for a in model.acts):
        return None
    depth, residual = cfg.depth, cfg.residual
    last: list[Tensor] = []  # [y, y as the (K, 1, n) index of each row's class, one-hot y]

    def run(flat: Tensor, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        if y.ndim != 1:
            raise ValueError(_("class indices expected"))
        p, K, n = layout.unflatten(flat), flat.shape[0], x.shape[0]
        W, b = p["hidden.0.weight"], p["hidden.0.bias"]  # (K, width, in), (K, width)
        xs = x.expand(K, n, x.shape[1])
        # Each layer's ReLU in place on its product's output: a (K, n, width) block is a few
        # hundred kB, and a new one per pass costs more in fresh memory than the pass itself.
        h = torch.baddbmm(b.unsqueeze(1), xs, W.transpose(1, 2)).relu_()
        inputs, outputs = [], [h]  # each layer's input h_{l-1}, and its ReLU's output
        for i in range(1, depth):
            W, b = p[f"hidden.{i}.weight"], p[f"hidden.{i}.bias"]
            inputs.append(h)
            a = torch.baddbmm(b.unsqueeze(1), h, W.transpose(1, 2)).relu_()
            outputs.append(a)
            h = h + a if residual else a
        # The logits as (K, C, n): a softmax over a dim of a few classes is many times faster
        # across the rows than along them.
        W, b = p["out.weight"], p["out.bias"]
        logits = torch.baddbmm(b.unsqueeze(-1), W, h.transpose(1, 2))
        logp = torch.log_softmax(logits, 1)
        if not last or last[0] is not y or last[1].shape[0] != K:  # a full batch's y: reused
            index = y.long().expand(K, 1, n)
            onehot = torch.zeros(1, logits.shape[1], n, dtype=logits.dtype, device=y.device)
            last[:] = [y, index, onehot.scatter_(1, index[:1], 1.0)]
        index, onehot = last[1], last[2]
        value = logp.gather(1, index).mean((1, 2)).neg_()

        grads: dict[str, Tensor] = {}
        delta = torch.sub(logp.exp(), onehot).div_(n)  # d(mean loss)/d(logits), (K, C, n)
        grads["out.weight"] = torch.bmm(delta, h)
        grads["out.bias"] = delta.sum(2)
        back = torch.bmm(delta.transpose(1, 2), W)  # d loss / d h of the last hidden layer
        for i in range(depth - 1, 0, -1):
            d = _relu_backward(back, outputs[i], in_place=not residual)
            grads[f"hidden.{i}.weight"] = torch.bmm(d.transpose(1, 2), inputs[i - 1])
            grads[f"hidden.{i}.bias"] = d.sum(1)
            through = torch.bmm(d, p[f"hidden.{i}.weight"])
            back = back + through if residual else through
        d = _relu_backward(back, outputs[0], in_place=not residual)
        grads["hidden.0.weight"] = torch.bmm(d.transpose(1, 2), xs)
        grads["hidden.0.bias"] = d.sum(1)
        # Into one (K, P) row per model: these are plain tensors, with nothing to detach.
        flat_grad = torch.cat([grads[k].reshape(K, -1) for k in layout.names], 1)
        # (K, n, C) as a view: the accuracy's max across classes is as fast on it (an argmax
        # would be ten times slower there).
        return logits.transpose(1, 2), value, flat_grad

    return run


def _relu_backward(grad: Tensor, out: Tensor, in_place: bool) -> Tensor:
    """``grad`` where ReLU passed (its output > 0), else 0: autograd's own ReLU backward op, one
    pass, where a mask and a product are three. ``in_place``: into ``grad``, which nothing reads
    afterwards (across a residual connection it is passed on too, so it is kept there)."""
    if in_place:
        return torch.ops.aten.threshold_backward.grad_input(grad, out, 0, grad_input=grad)
    return torch.ops.aten.threshold_backward(grad, out, 0)
