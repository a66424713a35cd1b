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

    def run(flat: Tensor, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        if y.ndim != 1:
            raise ValueError(_("class indices expected"))
        p, K, n = layout.unflatten(flat), flat.shape[0], x.shape[0]
        W, b = p["hidden.0.weight"], p["hidden.0.bias"]  # (K, width, in), (K, width)
        # Layer 1: one product for all K models, (n, K * width) laid out as (K, n, width) (the
        # elementwise passes over it are several times slower on the strided view).
        z = torch.addmm(b.reshape(-1), x, W.reshape(-1, W.shape[-1]).T).view(n, K, -1)
        h = torch.relu(z.transpose(0, 1).contiguous())
        inputs, outputs = [], [h]  # each layer's input h_{l-1}, and its ReLU's output
        for i in range(1, depth):
            W, b = p[f"hidden.{i}.weight"], p[f"hidden.{i}.bias"]
            inputs.append(h)
            a = torch.relu(torch.baddbmm(b.unsqueeze(1), h, W.transpose(1, 2)))
            outputs.append(a)
            h = h + a if residual else a
        # The logits as (K, C, n): a softmax over a dim of a few classes is many times faster
        # across the rows than along them.
        W, b = p["out.weight"], p["out.bias"]
        logits = torch.baddbmm(b.unsqueeze(-1), W, h.transpose(1, 2))
        logp = torch.log_softmax(logits, 1)
        index = y.long().expand(K, 1, n)
        value = -logp.gather(1, index).squeeze(1).mean(1)

        grads: dict[str, Tensor] = {}
        delta = logp.exp().scatter_(1, index, -1.0, reduce="add")
        delta = delta / n  # d(mean loss)/d(logits), (K, C, n)
        grads["out.weight"] = torch.bmm(delta, h)
        grads["out.bias"] = delta.sum(2)
        back = torch.bmm(delta.transpose(1, 2), W)  # d loss / d h of the last hidden layer
        for i in range(depth - 1, 0, -1):
            d = _relu_backward(back, outputs[i])
            grads[f"hidden.{i}.weight"] = torch.bmm(d.transpose(1, 2), inputs[i - 1])
            grads[f"hidden.{i}.bias"] = d.sum(1)
            through = torch.bmm(d, p[f"hidden.{i}.weight"])
            back = back + through if residual else through
        d = _relu_backward(back, outputs[0])
        grads["hidden.0.weight"] = torch.bmm(d.transpose(1, 2), x.expand(K, n, x.shape[1]))
        grads["hidden.0.bias"] = d.sum(1)
        # (K, n, C) laid out as such: an argmax across a few classes is slow on a strided dim
        return logits.transpose(1, 2).contiguous(), value, layout.flatten(grads)

    return run


def _relu_backward(grad: Tensor, out: Tensor) -> Tensor:
    """``grad`` where ReLU passed (its output > 0), else 0: autograd's own ReLU backward op, one
    pass, where a mask and a product are three."""
    return torch.ops.aten.threshold_backward(grad, out, 0)
