"""The output layer's gradient under MSE and cross-entropy, for a prediction of given confidence.

With :math:`p = \\mathrm{softmax}(z)` (:math:`\\sigma(z)` for one output) and a one-hot target
:math:`y`, cross-entropy gives :math:`\\partial \\ell / \\partial z = p - y`, large exactly when
the prediction is confidently wrong. Mean squared error on :math:`p` gives
:math:`\\partial \\ell / \\partial z = J^\\top \\tfrac{2}{C}(p - y)` with the softmax Jacobian
:math:`J = \\operatorname{diag}(p) - p p^\\top`, whose entries carry :math:`p(1-p)`: it vanishes
when the output saturates, right or wrong. :func:`logit_gradient` measures
:math:`\\lVert \\partial \\ell / \\partial z \\rVert_2` with autograd on
``engine.nets.losses.compute``, the loss the networks train with.
"""

from __future__ import annotations

import numpy as np
import torch

from engine.core.checks import check_int
from engine.nets import losses

LOSSES = ("mse", "ce")
MAX_CLASSES = 10  # a softmax over more classes shows nothing new


def logits_for(p_true: np.ndarray, classes: int) -> torch.Tensor:
    """Logits ``(N, C)`` whose prediction gives the true class (class 0; class 1 for one
    output) probability ``p_true`` and splits the rest evenly over the other classes."""
    p = torch.as_tensor(np.asarray(p_true, dtype=np.float64)).clamp(1e-12, 1 - 1e-12)
    if classes == 1:
        return torch.log(p / (1 - p))[:, None]
    rest = torch.log((1 - p) / (classes - 1))[:, None].expand(-1, classes - 1)
    return torch.cat([torch.log(p)[:, None], rest], 1)


def logit_gradient(loss: str, p_true: np.ndarray | float, classes: int = 2) -> np.ndarray:
    """:math:`\\lVert \\partial \\ell / \\partial z \\rVert_2` per prediction, for predictions
    whose probability of the true class is ``p_true`` (float64, one value per entry)."""
    losses.check(loss)
    check_int("classes", classes, 1, MAX_CLASSES)
    p = np.atleast_1d(np.asarray(p_true, dtype=np.float64))
    z = logits_for(p, classes).requires_grad_(True)
    target = torch.full((len(p),), 1 if classes == 1 else 0, dtype=torch.long)
    # compute() is a batch mean: scale back to per-sample gradients.
    (grad,) = torch.autograd.grad(losses.compute(loss, z, target) * len(p), z)
    return torch.linalg.vector_norm(grad, dim=1).numpy()
