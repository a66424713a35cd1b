"""An optimizer race: one network, K optimizers, trained side by side as one batched computation.

All K models start from the same weights (``networks.build(config, seed)``) and see the same
minibatches (:func:`engine.training.batch_indices`), so the optimizer is the only difference.
Each step on batch :math:`B_t`, for every model :math:`k` at once:

.. math::

    L^k_t = \\frac{1}{|B_t|} \\sum_{i \\in B_t} \\ell(f_{\\theta^k_t}(x_i), y_i), \\qquad
    g^k_t = \\nabla_{\\theta^k} L^k_t, \\qquad
    \\theta^k_{t+1} = \\mathrm{step}_k(\\theta^k_t, g^k_t, s^k_t)

The K parameter sets live in one ``(K, P)`` tensor (each row a model's parameters, flattened);
``torch.func.vmap`` of ``functional_call`` runs the K forwards as batched matrix products and
one ``autograd.grad`` of :math:`\\sum_k L^k_t` gives every :math:`g^k_t` (the models share no
parameter, so the sum separates). Optimizers of one kind step their rows together, with their
hyperparameters as ``(k,)`` tensors (see :mod:`engine.trajectories`), so a learning-rate sweep
is the same call with K learning rates. Row ``t`` of the curves is measured at
:math:`\\theta_t`, before its update.

Batch norm works: each model carries its own running statistics (``(K, C)`` buffers, updated in
place under ``vmap``). Dropout uses ``vmap(randomness="same")``: every model drops the same
units on a step, so dropout, like the data, is identical across the race.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch.func import functional_call, stack_module_state, vmap

from engine import losses, networks, optimizers
from engine.device import resolve
from engine.training import _prepare, _validate, batch_indices
from engine.trajectories import _groups, _labels

MAX_MODELS = 64
#: A training loss this many times the first one counts as diverged: cross-entropy on a ReLU
#: network grows without bound rather than overflowing, so non-finite values come too late.
EXPLODE = 100.0
FIELDS = ("train_loss", "train_acc", "test_loss", "test_acc")


@dataclasses.dataclass
class RaceResult:
    """Per optimizer ``k`` and step ``t`` (numpy, ``(K, T)``): ``train_loss``/``train_acc`` on the
    step's batch, ``test_loss``/``test_acc`` on the test set (every ``eval_every`` steps, carried
    forward; ``(K, 0)`` without test data); ``grad_norms`` ``(K, T, depth)``, the Frobenius norm
    of each hidden layer's weight gradient. ``wall_time[t]``: seconds since the start when step
    ``t`` ended (the K models share every step, so they share the clock).

    ``diverged_at[k]`` is -1, or the first step whose loss or gradient was non-finite or whose
    training loss passed :data:`EXPLODE` times the first one (or whose update made a parameter
    non-finite: then the step after it). A diverged model is frozen at
    its last finite parameters; its curve entries from ``diverged_at`` on are NaN, so use
    :meth:`curve` (cut at divergence) for plotting. ``params``/``buffers``: the final stacked
    ``(K, ...)`` state dict on the CPU, for :meth:`network` or :func:`decision_grids`.
    """

    labels: list[str]
    names: list[str]
    hypers: list[dict[str, Any]]
    train_loss: np.ndarray
    train_acc: np.ndarray
    test_loss: np.ndarray
    test_acc: np.ndarray
    grad_norms: np.ndarray
    wall_time: np.ndarray
    diverged_at: np.ndarray
    stopped: bool
    seconds: float
    params: dict[str, torch.Tensor]
    buffers: dict[str, torch.Tensor]
    config: networks.MLPConfig
    loss: str

    @property
    def steps(self) -> int:
        """How many steps were run."""
        return self.train_loss.shape[1]

    def curve(self, field: str, k: int) -> np.ndarray:
        """Model ``k``'s ``field`` (a :data:`FIELDS` name or ``grad_norms``) up to divergence."""
        values = getattr(self, field)[k]
        end = int(self.diverged_at[k])
        return values if end < 0 else values[:end]

    def network(self, k: int, device: str | torch.device | None = None) -> networks.MLP:
        """Model ``k`` as an ``MLP`` in eval mode."""
        net = networks.build(self.config, device=device)
        state = {name: v[k] for name, v in {**self.params, **self.buffers}.items()}
        net.load_state_dict(state)
        return net.eval()


class _Layout:
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


def _check(optimizers_: Sequence[optimizers.Optimizer]) -> None:
    if not optimizers_:
        raise ValueError("Invalid optimizers: give at least one")
    if not all(isinstance(o, optimizers.Optimizer) for o in optimizers_):
        raise ValueError("Invalid optimizers: use engine.optimizers.create(name, ...)")
    if len(optimizers_) > MAX_MODELS:
        raise ValueError(f"Too many optimizers: {len(optimizers_)} (the limit is {MAX_MODELS})")


def race(
    config: networks.MLPConfig,
    data: Any,
    optimizers: Sequence[optimizers.Optimizer | str],
    steps: int,
    batch_size: int | None = None,
    seed: int = 0,
    callback: Callable[[int, RaceResult], Any] | None = None,
    *,
    loss: str = "ce",
    device: str | torch.device | None = None,
    eval_every: int = 1,
    callback_every: int = 1,
) -> RaceResult:
    """Train ``networks.build(config, seed)`` once per optimizer, all K in one batch.

    ``data`` is ``(X, y)`` or a :class:`engine.datasets.Split`; ``optimizers`` engine
    ``Optimizer`` objects (or names). ``batch_size=None`` is full batch. ``callback(step,
    result_so_far)`` runs every ``callback_every`` steps and after the last; returning
    ``False`` stops the race. Raises ``ValueError`` for bad arguments.
    """
    from engine import optimizers as registry

    opts = [registry.create(o) if isinstance(o, str) else o for o in optimizers]
    _check(opts)
    _validate(steps, batch_size, 0, eval_every)
    if callback_every < 1:
        raise ValueError(f"Invalid callback_every: {callback_every} (must be >= 1)")
    losses.check(loss, config.out_dim)
    dev = resolve(device)
    d = _prepare(data, config, dev)
    if config.batchnorm and min(batch_size or len(d.X), len(d.X)) < 2:
        raise ValueError(f"Invalid batch_size: {batch_size} (batch norm needs at least 2 rows)")
    K = len(opts)
    model = networks.build(config, seed, dev).train()
    layout = _Layout(model)
    # K copies of one module: identical weights by construction, stacked along dim 0.
    stacked, buffers = stack_module_state([model] * K)
    flat = layout.flatten(stacked)
    buffers = {k: b.clone() for k, b in buffers.items()}

    groups = _groups(opts, torch.float32, dev)
    order = [i for _, idx in groups for i in idx]
    inverse = torch.as_tensor(np.argsort(order), device=dev)
    flat = flat[torch.as_tensor(order, device=dev)]
    buffers = {k: b[torch.as_tensor(order, device=dev)] for k, b in buffers.items()}
    slices, at = [], 0
    for _, idx in groups:
        slices.append(slice(at, at + len(idx)))
        at += len(idx)
    states = [_t64(opt.init(flat[sl])) for (opt, _), sl in zip(groups, slices, strict=True)]

    def forward(p: torch.Tensor, b: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        return functional_call(model, (layout.unflatten(p), b), (x,))

    batched = vmap(forward, in_dims=(0, 0, None), randomness="same")
    score = vmap(lambda z, y: losses.compute(loss, z, y), in_dims=(0, None))
    correct = _accuracy
    has_test = d.X_test is not None and len(d.X_test) > 0
    depth = config.depth
    rows = torch.full((steps, K, 4 + depth), float("nan"), device=dev)
    alive = torch.ones(K, dtype=torch.bool, device=dev)
    diverged = torch.full((K,), -1, dtype=torch.long, device=dev)
    test_now = torch.full((K, 2), float("nan"), device=dev)
    wall = np.zeros(steps)
    done, stopped = 0, False
    meta = ([_labels(opts)[i] for i in range(K)], [o.name for o in opts], [o.hyper for o in opts])

    def result(n: int) -> RaceResult:
        return _result(meta, rows[:n], diverged, inverse, wall[:n], has_test, flat, buffers,
                       layout, config, loss, stopped)  # fmt: skip

    start = time.perf_counter()
    cuda = [dev] if dev.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda):
        torch.manual_seed(int(seed))  # dropout masks: a function of seed only
        for t, idx in enumerate(batch_indices(len(d.X), batch_size, steps, seed)):
            if idx is None:
                xb, yb = d.X, d.y
            else:
                idx = idx.to(dev)
                xb, yb = d.X[idx], d.y[idx]
            saved = {k: b.clone() for k, b in buffers.items()} if buffers else None
            leaf = flat.detach().requires_grad_(True)
            logits = batched(leaf, buffers, xb)
            value = score(logits, yb)
            (g,) = torch.autograd.grad(value.sum(), leaf)
            with torch.no_grad():
                if has_test and t % eval_every == 0:
                    test_now = _evaluate(model, batched, score, correct, flat, buffers, d)
                if t == 0:  # the same for every model: same weights, same batch
                    limit = EXPLODE * value.detach().abs().clamp_min(1e-2)
                # A sum is non-finite when any term is (or when it overflows: diverging anyway).
                ok = torch.isfinite(value) & (value <= limit) & torch.isfinite(g.sum(1))
                if has_test:
                    ok &= torch.isfinite(test_now).all(1)
                acc = correct(logits.detach(), yb)
                rows[t] = torch.cat(
                    [value[:, None], acc[:, None], test_now, layout.layer_norms(g)], 1
                )
                new = [opt.step(flat[sl], g[sl], st) for (opt, _), sl, st in zip(groups, slices, states, strict=True)]  # fmt: skip
                states = [s for _, s in new]
                candidate = torch.cat([p for p, _ in new]) if len(new) > 1 else new[0][0]
                # No host sync: divergence is tracked on the device with masks.
                bad = alive & ~ok
                diverged = torch.where(bad, t, diverged)
                alive = alive & ok
                blown = alive & ~torch.isfinite(candidate.sum(1))
                diverged = torch.where(blown, t + 1, diverged)
                alive = alive & ~blown
                flat = torch.where(alive[:, None], candidate, flat)
                if saved is not None:  # frozen models keep their running statistics too
                    for k, b in buffers.items():
                        b.copy_(torch.where(_rows(alive, b), b, saved[k]))
            done = t + 1
            wall[t] = time.perf_counter() - start
            due = callback is not None and (done % callback_every == 0 or t == steps - 1)
            if due and callback(t, result(done)) is False:
                stopped = True
                break
    out = result(done)
    out.seconds = time.perf_counter() - start
    return out


def _t64(state: Any) -> Any:
    """Count steps in float64: torch.optim computes bias corrections such as
    :math:`1 - \\beta_2^t` in Python floats, while a float32 ``t`` loses about 1e-4 of
    :math:`1 - 0.999^t` early on, enough to drift Adam's curve visibly over hundreds of steps."""
    if "t" in getattr(state, "_fields", ()):
        return state._replace(t=state.t.double())
    return state


def _accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``(K,)`` accuracies of ``(K, N, C)`` logits, as :func:`engine.losses.accuracy`.

    softmax and sigmoid are monotone, so the most probable class is the largest logit (or
    ``z > 0`` for one logit); skipping the probabilities saves a pass over the logits.
    """
    pred = logits.argmax(-1) if logits.shape[-1] > 1 else (logits[..., 0] > 0).long()
    return (pred == losses.labels(y)).float().mean(-1)


def _rows(mask: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return mask.reshape(-1, *([1] * (like.ndim - 1)))


def _evaluate(model, batched, score, correct, flat, buffers, d) -> torch.Tensor:
    """``(K, 2)`` test ``[loss, accuracy]`` in eval mode (running statistics, no dropout)."""
    model.eval()
    try:
        logits = batched(flat, buffers, d.X_test)
        return torch.stack([score(logits, d.y_test), correct(logits, d.y_test)], 1)
    finally:
        model.train()


def _result(meta, rows, diverged, inverse, wall, has_test, flat, buffers, layout, config,
            loss, stopped) -> RaceResult:  # fmt: skip
    labels, names, hypers = meta
    table = rows[:, inverse].permute(1, 0, 2).double().cpu().numpy()  # (K, T, F): one sync
    div = diverged[inverse].cpu().numpy()
    T = table.shape[1]
    for k, step in enumerate(div):
        if step >= 0:
            table[k, step:] = np.nan
    empty = np.zeros((len(div), 0))
    params = {k: v[inverse].cpu() for k, v in layout.unflatten(flat).items()}
    return RaceResult(
        labels=labels,
        names=names,
        hypers=hypers,
        train_loss=table[:, :, 0],
        train_acc=table[:, :, 1],
        test_loss=table[:, :, 2] if has_test else empty,
        test_acc=table[:, :, 3] if has_test else empty,
        grad_norms=table[:, :, 4:].astype(np.float32),
        wall_time=np.asarray(wall[:T], dtype=np.float64),
        diverged_at=div.astype(np.int64),
        stopped=stopped,
        seconds=float(wall[T - 1]) if T else 0.0,
        params=params,
        buffers={k: b[inverse].cpu().clone() for k, b in buffers.items()},
        config=config,
        loss=loss,
    )


# --- what the page shows, computed here so pages hold no maths -----------------------------


@dataclasses.dataclass
class Sweep:
    """Final loss against learning rate: ``final_loss[o, j]`` is optimizer ``o`` at ``lrs[j]``
    after the race, on the full training set in eval mode (NaN where the run diverged);
    ``final_test_loss`` likewise on the test set (``(O, 0)`` without one)."""

    names: list[str]
    lrs: np.ndarray
    final_loss: np.ndarray
    final_test_loss: np.ndarray
    diverged_at: np.ndarray
    result: RaceResult


def lr_sweep(
    config: networks.MLPConfig,
    data: Any,
    settings: Sequence[tuple[str, dict[str, Any]]],
    lrs: Sequence[float],
    steps: int,
    batch_size: int | None = None,
    seed: int = 0,
    callback: Callable[[int, RaceResult], Any] | None = None,
    **kwargs: Any,
) -> Sweep:
    """One race of every ``(name, hyper)`` in ``settings`` at every learning rate in ``lrs``.

    It is :func:`race` with ``len(settings) * len(lrs)`` optimizers; those of one kind share a
    batched state, so each step costs one update per kind, not per learning rate.
    """
    lrs = [float(v) for v in lrs]
    if not lrs:
        raise ValueError("Invalid lrs: give at least one learning rate")
    opts = [
        optimizers.create(name, **{**hyper, "lr": lr}) for name, hyper in settings for lr in lrs
    ]
    res = race(config, data, opts, steps, batch_size, seed, callback, **kwargs)
    dev = resolve(kwargs.get("device"))
    d = _prepare(data, config, dev)
    n_opt, n_lr = len(settings), len(lrs)
    train = final_losses(res, d.X, d.y, dev)
    has_test = d.X_test is not None and len(d.X_test) > 0
    test = final_losses(res, d.X_test, d.y_test, dev) if has_test else np.zeros((n_opt * n_lr, 0))
    dead = res.diverged_at >= 0
    train[dead] = np.nan
    if has_test:
        test[dead] = np.nan
    return Sweep(
        names=[name for name, _ in settings],
        lrs=np.asarray(lrs),
        final_loss=train.reshape(n_opt, n_lr),
        final_test_loss=test.reshape(n_opt, n_lr) if has_test else np.zeros((n_opt, 0)),
        diverged_at=res.diverged_at.reshape(n_opt, n_lr),
        result=res,
    )


@torch.no_grad()
def _stacked_logits(res: RaceResult, X: torch.Tensor, device: torch.device) -> torch.Tensor:
    """``(K, N, C)`` logits of every raced model on ``X``, in eval mode."""
    model = networks.build(res.config, device=device).eval()
    layout = _Layout(model)
    flat = layout.flatten({k: v.to(device) for k, v in res.params.items()})
    buffers = {k: v.to(device) for k, v in res.buffers.items()}

    def forward(p: torch.Tensor, b: dict[str, torch.Tensor]) -> torch.Tensor:
        return functional_call(model, (layout.unflatten(p), b), (X.to(device),))

    return vmap(forward)(flat, buffers)


def final_losses(
    res: RaceResult, X: torch.Tensor, y: torch.Tensor, device: str | torch.device | None = None
) -> np.ndarray:
    """``(K,)`` loss of each raced model's final weights on ``(X, y)``, in eval mode."""
    dev = resolve(device)
    logits = _stacked_logits(res, X, dev)
    score = vmap(lambda z: losses.compute(res.loss, z, y.to(dev)))
    return score(logits).double().cpu().numpy()


def data_bounds(
    X: torch.Tensor | np.ndarray, margin: float = 0.1
) -> tuple[tuple[float, float], ...]:
    """The bounding box of 2D points, widened by ``margin`` of its size on every side."""
    X = np.asarray(X.cpu() if isinstance(X, torch.Tensor) else X, dtype=np.float64)
    lo, hi = X.min(0), X.max(0)
    pad = np.maximum(hi - lo, 1e-6) * margin
    return tuple((float(a - p), float(b + p)) for a, b, p in zip(lo, hi, pad, strict=True))


def decision_grids(
    res: RaceResult,
    bounds: tuple[tuple[float, float], tuple[float, float]],
    n: int = 60,
    device: str | torch.device | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(xs, ys, probs)`` with ``probs[k, i, j]`` the class probabilities of model ``k`` at
    ``(xs[j], ys[i])``, shape ``(K, n, n, C)``: every model on one grid, in one batch."""
    if res.config.in_dim != 2:
        raise ValueError(f"Invalid network: in_dim={res.config.in_dim} (the grid needs 2)")
    if not 2 <= n <= 400:
        raise ValueError(f"Invalid n: {n} (must be 2..400)")
    (x0, x1), (y0, y1) = bounds
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"Invalid bounds: {bounds}")
    dev = resolve(device)
    xs = torch.linspace(x0, x1, n, device=dev)
    ys = torch.linspace(y0, y1, n, device=dev)
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    points = torch.stack([xx.reshape(-1), yy.reshape(-1)], 1)
    logits = _stacked_logits(res, points, dev)
    probs = vmap(lambda z: losses.probabilities(res.loss, z))(logits)
    K = probs.shape[0]
    return xs.cpu().numpy(), ys.cpu().numpy(), probs.reshape(K, n, n, -1).float().cpu().numpy()


def summary(res: RaceResult, target_loss: float) -> list[dict[str, Any]]:
    """One row per optimizer: final and best test accuracy (train accuracy without a test
    set), the first step whose training loss is at most ``target_loss`` and the seconds it
    took (None if never), the final training loss, and where it diverged (None if it did not).
    """
    rows = []
    for k, label in enumerate(res.labels):
        acc = res.curve("test_acc" if res.test_acc.shape[1] else "train_acc", k)
        train = res.curve("train_loss", k)
        hit = np.flatnonzero(train <= target_loss)
        step = int(hit[0]) if hit.size else None
        rows.append(
            {
                "optimizer": label,
                "final accuracy": float(acc[-1]) if acc.size else None,
                "best accuracy": float(acc.max()) if acc.size else None,
                "final train loss": float(train[-1]) if train.size else None,
                "steps to target": step,
                "seconds to target": None if step is None else float(res.wall_time[step]),
                "diverged at": None if res.diverged_at[k] < 0 else int(res.diverged_at[k]),
            }
        )
    return rows


def curves_csv(res: RaceResult) -> str:
    """The curves in long form, one row per (optimizer, step); empty cells after divergence."""
    depth = res.grad_norms.shape[2]
    has_test = res.test_loss.shape[1] > 0
    cols = ["optimizer", "step", "seconds", "train_loss", "train_acc"]
    cols += ["test_loss", "test_acc"] if has_test else []
    cols += [f"grad_norm_layer{i + 1}" for i in range(depth)]
    lines = [",".join(cols)]
    for k, label in enumerate(res.labels):
        for t in range(res.steps):
            values = [res.train_loss[k, t], res.train_acc[k, t]]
            if has_test:
                values += [res.test_loss[k, t], res.test_acc[k, t]]
            values += list(res.grad_norms[k, t])
            cells = ["" if not np.isfinite(v) else f"{float(v):.7g}" for v in values]
            lines.append(",".join([f'"{label}"', str(t), f"{res.wall_time[t]:.4f}", *cells]))
    return "\n".join(lines) + "\n"
