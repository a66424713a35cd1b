"""Classification losses on the MLP's logits :math:`z \\in \\mathbb{R}^{N \\times C}`.

Targets are int64 class indices ``(N,)`` or one-hot/probability rows ``(N, C)``; every loss is
a mean over the batch, :math:`L = \\frac1N \\sum_i \\ell_i`.

- ``ce``: :math:`\\ell_i = -\\log \\mathrm{softmax}(z_i)_{y_i}`; with ``C = 1`` the binary form
  on :math:`\\sigma(z_i)`. Its output gradient :math:`p - y` never vanishes on a wrong answer.
- ``mse``: :math:`\\ell_i = \\frac1C \\sum_c (p_{ic} - y_{ic})^2` on :math:`p = \\mathrm{softmax}(z)`
  (:math:`\\sigma(z)` when ``C = 1``), as ``nn.MSELoss``'s mean over all elements. Its output
  gradient carries the factor :math:`p(1-p)`, which vanishes when the output saturates, even on
  a confidently wrong answer: the seed notes' "MSE + sigmoid/softmax learns slowly".
- ``bce``: :math:`\\ell_i = -\\frac1C \\sum_c [y_{ic}\\log\\sigma(z_{ic}) + (1-y_{ic})\\log(1-\\sigma(z_{ic}))]`
  for 2-class problems: one logit with 0/1 targets, or two logits with one-hot targets.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from engine.core.i18n import _

NAMES = ("ce", "mse", "bce")


def names() -> list[str]:
    """The available loss names."""
    return list(NAMES)


def check(name: str, out_dim: int | None = None) -> str:
    """Return ``name`` if it is a loss usable with ``out_dim`` outputs; raise ValueError if not."""
    if name not in NAMES:
        raise ValueError(
            _("Invalid loss: {name!r} (choose from {choices})").format(
                name=name, choices=", ".join(NAMES)
            )
        )
    if name == "bce" and out_dim is not None and out_dim > 2:
        raise ValueError(
            _("Invalid loss: 'bce' is for 2-class problems, not out_dim={out_dim}").format(
                out_dim=out_dim
            )
        )
    return name


def _onehot(y: torch.Tensor, c: int) -> torch.Tensor:
    if y.ndim == 2:
        return y.to(torch.float32)
    if c == 1:  # one logit: the target is the probability of class 1
        return y.to(torch.float32).unsqueeze(1)
    return F.one_hot(y.long(), c).to(torch.float32)


def labels(y: torch.Tensor) -> torch.Tensor:
    """Class indices from indices or one-hot rows (a single column means 0/1 labels)."""
    if y.ndim == 1:
        return y.long()
    return (y[:, 0] > 0.5).long() if y.shape[1] == 1 else y.argmax(1)


def probabilities(name: str, logits: torch.Tensor) -> torch.Tensor:
    """The output the loss scores, as ``(N, max(C, 2))`` per-class probabilities.

    softmax for ``ce``/``mse``; per-unit sigmoid for ``bce``; one logit gives
    :math:`[1-\\sigma(z), \\sigma(z)]`.
    """
    check(name)
    if logits.shape[1] == 1:
        p = torch.sigmoid(logits)
        return torch.cat([1 - p, p], 1)
    return torch.sigmoid(logits) if name == "bce" else torch.softmax(logits, 1)


def compute(name: str, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The batch-mean loss ``name`` of ``logits`` against targets ``y`` (a 0-dim tensor)."""
    c = logits.shape[1]
    check(name, c)
    if name == "ce" and c > 1:
        return F.cross_entropy(logits, y.long() if y.ndim == 1 else y.to(logits.dtype))
    target = _onehot(y, c)
    if name == "mse":
        p = torch.sigmoid(logits) if c == 1 else torch.softmax(logits, 1)
        return F.mse_loss(p, target)
    # ce with one logit, and bce: the numerically stable form on the logits.
    return F.binary_cross_entropy_with_logits(logits, target)


def accuracy(name: str, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Share of rows whose most probable class is the target's (a 0-dim float tensor)."""
    pred = probabilities(name, logits).argmax(1)
    return (pred == labels(y)).float().mean()
