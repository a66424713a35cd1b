"""A training path drawn on the loss surface it walked: the plane of its main directions.

Two random directions are almost orthogonal to any path in a space of thousands of dimensions,
so a path projected on them barely moves (Li et al., 2018, section 7). Instead, with weights
:math:`\\theta_0, \\theta_k, \\theta_{2k}, \\dots` recorded along training and the final
:math:`\\theta^*`, the rows :math:`m_i = \\theta_i - \\theta^*` are reduced by PCA (centred, as
the paper's sklearn call): :math:`e_1, e_2` are the first two principal directions, unit and
orthogonal, and each recorded point is drawn at

.. math:: (\\alpha_i, \\beta_i) = (m_i^\\top e_1,\\; m_i^\\top e_2),

so :math:`\\theta^*` is the origin. The share of variance each direction explains,
:math:`\\sigma_k^2 / \\sum_j \\sigma_j^2`, says how much of the path the plane holds. The loss is
then evaluated on :math:`\\theta^* + \\alpha e_1 + \\beta e_2`, so the path lies on the surface
it is drawn on (up to the part of it outside the plane).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import torch

from engine.core.i18n import _
from engine.nets import landscape, networks, training
from engine.nets import race as race_module
from engine.nets.landscape import Evaluator, Grid, Layout

MAX_RECORDS = 500
MAX_VALUES = 20_000_000  # recorded weights in all (T * P): 80 MB of float32
_BLOCK = 2**16  # weights per block of the PCA (a 41-vector path: 21 MB of float64 a block)


class Path(NamedTuple):
    """Flat weights ``(T, P)`` recorded at ``steps`` (the last row is the final weights)."""

    steps: np.ndarray
    weights: torch.Tensor


class Projection(NamedTuple):
    """The PCA plane of a path: unit directions ``d1``, ``d2`` ``(P,)``, each recorded point's
    ``coords`` ``(T, 2)`` and the ``explained`` variance shares of the two directions."""

    d1: torch.Tensor
    d2: torch.Tensor
    coords: np.ndarray
    explained: np.ndarray


def check_every(steps: int, every: int, params: int) -> None:
    if every < 1:
        raise ValueError(_("Invalid record_every: {every} (must be >= 1)").format(every=every))
    records = steps // every + 2
    if records > MAX_RECORDS or records * params > MAX_VALUES:
        raise ValueError(
            _(
                "Too many recorded weights: {records} vectors of {params} (record less often than every {every} steps)"
            ).format(records=records, params=params, every=every)
        )


def project(weights: torch.Tensor, final: torch.Tensor) -> Projection:
    """The plane of the first two principal directions of ``weights - final``."""
    if weights.ndim != 2 or weights.shape[1] != final.numel():
        raise ValueError(
            _("Invalid path: {shape} for {numel} weights").format(
                shape=tuple(weights.shape), numel=final.numel()
            )
        )
    if len(weights) < 3:
        raise ValueError(
            _(
                "Invalid path: {count} recorded weight vectors (the PCA plane needs at least 3: train for more steps)"
            ).format(count=len(weights))
        )
    # The T x T Gram matrix of the centred path gives the SVD's directions, v_k = M^T u_k / s_k
    # (T << P), and it adds up block by block of weights: no (T, P) float64 copy is ever whole.
    # At the page's largest network (41 vectors of 491k weights) the SVD held 600 MB.
    blocks = [slice(at, at + _BLOCK) for at in range(0, final.numel(), _BLOCK)]

    def block(sl: slice) -> torch.Tensor:  # w_t - final on these weights, in float64
        return weights[:, sl].double() - final[sl].double().reshape(1, -1)

    mean = torch.empty(final.numel(), dtype=torch.float64)
    gram = torch.zeros(len(weights), len(weights), dtype=torch.float64)
    for sl in blocks:
        m = block(sl)
        if not torch.isfinite(m).all():
            raise ValueError(_("Invalid path: it holds non-finite weights"))
        mean[sl] = m.mean(0)
        m -= mean[sl]
        gram += m @ m.T
    power, u = torch.linalg.eigh(gram)  # s_k^2 ascending, and u_k
    power, u = power.flip(0).clamp_min(0.0), u.flip(1)
    total = float(power.sum())
    explained = (power[:2] / total).numpy() if total > 0 else np.zeros(2)
    rows = torch.empty(2, final.numel(), dtype=torch.float64)
    for sl in blocks:
        rows[:, sl] = u[:, :2].T @ (block(sl) - mean[sl])
    dirs = _unit_rows(rows, power[:2], final.numel())
    # (T, 2): final is exactly the origin, its row of w_t - final being exactly 0
    coords = sum(block(sl) @ dirs[:, sl].T for sl in blocks)
    # SVD signs differ between LAPACK builds: orient both axes so the start has coordinates >= 0.
    flip = torch.where(coords[0] < 0, -1.0, 1.0).to(coords)
    dirs, coords = dirs * flip[:, None], coords * flip
    dtype = final.dtype
    return Projection(
        dirs[0].to(dtype),
        dirs[1].to(dtype),
        coords.numpy(),
        np.pad(explained, (0, 2 - len(explained))),
    )


def _unit_rows(rows: torch.Tensor, power: torch.Tensor, size: int) -> torch.Tensor:
    """``rows`` (``M^T u_k``, of norm ``s_k``) as orthonormal directions. A direction the path
    does not span (``s_k`` zero to rounding: a straight or a constant path) becomes a fixed unit
    vector orthogonal to the first."""
    out = torch.zeros(2, size, dtype=torch.float64)
    for k in range(2):
        v = rows[k] if k < len(rows) else torch.zeros(size, dtype=torch.float64)
        if k < len(power) and float(power[k]) > 1e-24 * max(float(power[0]), 1e-300):
            v = v / v.norm()
        else:  # any unit vector orthogonal to the ones before
            v = torch.zeros(size, dtype=torch.float64)
            v[int(out[:k].abs().sum(0).argmin()) if k else 0] = 1.0
        for j in range(k):  # re-orthogonalise: the rounding of the Gram route
            v = v - (v @ out[j]) * out[j]
        out[k] = v / v.norm()
    return out


def path_plane(
    ev: Evaluator,
    proj: Projection,
    final: torch.Tensor,
    n: int = 31,
    margin: float = 0.2,
    progress: landscape.Progress | None = None,
) -> Grid:
    """The loss on the PCA plane, over a box holding the whole path and the origin."""
    lo = np.minimum(proj.coords.min(0), 0.0)
    hi = np.maximum(proj.coords.max(0), 0.0)
    pad = np.maximum(margin * (hi - lo), 1e-3 * max(float(np.abs(proj.coords).max()), 1.0))
    alphas = np.linspace(lo[0] - pad[0], hi[0] + pad[0], n)
    betas = np.linspace(lo[1] - pad[1], hi[1] + pad[1], n)
    dev = ev.device
    return landscape.plane(
        ev, final.to(dev), proj.d1.to(dev), proj.d2.to(dev), alphas, betas, progress
    )


def record_training(
    config: networks.MLPConfig,
    data: Any,
    optimizer: Any,
    steps: int,
    every: int = 1,
    **kwargs: Any,
) -> tuple[training.History, Path]:
    """:func:`engine.nets.training.train` with its weights recorded every ``every`` steps (and at the
    end): ``(history, path)``. ``kwargs`` go to ``train``."""
    model = networks.build(config, device="cpu")
    layout = Layout(model)
    check_every(steps, every, layout.size)
    rows: list[torch.Tensor] = []
    at: list[int] = []

    def keep(t: int, params) -> None:
        if t % every == 0:
            rows.append(layout.flatten(params).cpu().clone())
            at.append(t)

    history = training.train(config, data, optimizer, steps, on_params=keep, **kwargs)
    if history.model:
        params, _buffers = landscape.split_state(model, history.model)
        rows.append(layout.flatten(params))
        at.append(history.steps)
    return history, Path(np.asarray(at), torch.stack(rows))


def record_race(
    config: networks.MLPConfig,
    data: Any,
    optimizers: Sequence[Any],
    steps: int,
    every: int = 1,
    callback: Callable[[int, race_module.RaceResult], Any] | None = None,
    **kwargs: Any,
) -> tuple[race_module.RaceResult, list[Path]]:
    """:func:`engine.nets.race.race` with every model's weights recorded every ``every`` steps (the
    race's callback runs then): ``(result, one path per optimizer)``."""
    seed = int(kwargs.get("seed", 0))
    model = networks.build(config, seed, device="cpu")
    layout = Layout(model)
    check_every(steps, every, layout.size * len(optimizers))
    start = layout.flatten(dict(model.named_parameters()))
    rows: list[torch.Tensor] = [start.expand(len(optimizers), -1).clone()]
    at: list[int] = [0]

    def keep(t: int, partial: race_module.RaceResult) -> Any:
        if t + 1 > at[-1]:
            rows.append(layout.flatten(partial.params, lead=1))
            at.append(t + 1)
        return None if callback is None else callback(t, partial)

    result = race_module.race(
        config, data, optimizers, steps, callback=keep, callback_every=every, **kwargs
    )
    if result.steps > at[-1]:
        rows.append(layout.flatten(result.params, lead=1))
        at.append(result.steps)
    stacked = torch.stack(rows, 1)  # (K, T, P)
    return result, [Path(np.asarray(at), stacked[k]) for k in range(len(stacked))]
