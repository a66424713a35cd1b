"""A training run's record (:class:`History`) and the decision-boundary grid of a 2D network.

Kept apart from :mod:`engine.nets.training` so the page and plotting code can read results without
the training loop.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np
import torch

from engine.core.checks import check_int
from engine.core.i18n import _
from engine.nets import losses, networks

MAX_GRID = 400


@dataclasses.dataclass
class History:
    """What a run recorded, as numpy, plus the final weights.

    Per step ``t`` (length ``T`` = steps run): ``train_loss``/``train_acc`` on the step's batch,
    ``test_loss``/``test_acc`` on the test set (measured every ``eval_every`` steps and carried
    forward in between; empty arrays when the data had no test part). Per probe step (length
    ``P``, the step numbers in ``probe_steps``): ``(P, depth)`` arrays of the
    :data:`engine.nets.probes.QUANTITIES`. Every recorded value is finite.

    ``diverged_at`` is -1, or the first step whose loss, probes or parameters were non-finite
    (a parameter norm past float32's range counts; a finite loss spike does not, since the
    dead-ReLU demo needs a run to live through one): rows ``0 .. diverged_at-1`` are kept and
    ``model`` holds the last finite parameters. ``stopped`` is True when the callback asked
    to stop. ``model`` is a CPU ``state_dict`` for ``networks.build(config)`` (empty in the
    snapshots a callback receives).
    """

    train_loss: np.ndarray
    train_acc: np.ndarray
    test_loss: np.ndarray
    test_acc: np.ndarray
    probe_steps: np.ndarray
    grad_norms: np.ndarray
    signal_norms: np.ndarray
    act_mean: np.ndarray
    act_std: np.ndarray
    saturated: np.ndarray
    dead: np.ndarray
    diverged_at: int
    stopped: bool
    seconds: float
    model: dict[str, torch.Tensor]
    config: networks.MLPConfig
    loss: str
    optimizer: str

    @property
    def steps(self) -> int:
        """How many steps were recorded."""
        return len(self.train_loss)

    def network(self, device: str | torch.device | None = None) -> networks.MLP:
        """The trained network, rebuilt from ``config`` and ``model``, in eval mode."""
        net = networks.build(self.config, device=device)
        net.load_state_dict(self.model)
        return net.eval()


class Grid(NamedTuple):
    """Class probabilities on a grid: ``probs[i, j]`` is at ``(xs[j], ys[i])``, shape (n, n, C)."""

    xs: np.ndarray
    ys: np.ndarray
    probs: np.ndarray


def grid_points(
    bounds: tuple[tuple[float, float], tuple[float, float]], n: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(xs, ys, points)``: an n x n grid over ``bounds``, ``points[i * n + j] = (xs[j], ys[i])``
    (rows follow y), where a 2-input network's decision boundary is drawn."""
    check_int("n", n, 2, MAX_GRID)
    (x0, x1), (y0, y1) = bounds
    if not (x0 < x1 and y0 < y1):
        raise ValueError(_("Invalid bounds: {bounds}").format(bounds=bounds))
    xs = torch.linspace(x0, x1, n, device=device)
    ys = torch.linspace(y0, y1, n, device=device)
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    return xs, ys, torch.stack([xx.reshape(-1), yy.reshape(-1)], 1)


def decision_grid(
    model_or_history: networks.MLP | History,
    bounds: tuple[tuple[float, float], tuple[float, float]],
    n: int = 100,
    loss: str | None = None,
    device: str | torch.device | None = None,
) -> Grid:
    """Probabilities (:func:`engine.nets.losses.probabilities`) of a 2-input network on an n x n grid.

    ``loss`` defaults to the history's loss, or ``"ce"`` for a bare model. A model's train/eval
    mode is restored afterwards; the grid is evaluated in eval mode.
    """
    if isinstance(model_or_history, History):
        model = model_or_history.network(device)
        loss = loss or model_or_history.loss
    else:
        model = model_or_history
        loss = loss or "ce"
    if model.config.in_dim != 2:
        raise ValueError(
            _("Invalid model: in_dim={in_dim} (the grid needs 2)").format(
                in_dim=model.config.in_dim
            )
        )
    xs, ys, points = grid_points(bounds, n, next(model.parameters()).device)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            probs = losses.probabilities(loss, model(points))
    finally:
        model.train(was_training)
    return Grid(xs.cpu().numpy(), ys.cpu().numpy(), probs.reshape(n, n, -1).float().cpu().numpy())
