"""Train a seeded MLP with an engine optimizer, probing every layer as it learns.

One step on batch :math:`B_t` with parameters :math:`\\theta_t`:

.. math::

    L_t = \\frac{1}{|B_t|} \\sum_{i \\in B_t} \\ell(f_{\\theta_t}(x_i), y_i), \\qquad
    g_t = \\nabla_\\theta L_t, \\qquad \\theta_{t+1} = \\mathrm{step}(\\theta_t, g_t, s_t)

where ``step`` is the optimizer's pure update (``engine.optimizers``). Parameters live in a
plain ``{name: tensor}`` dict and the network runs through ``torch.func.functional_call``, so
the optimizer never touches a module. Row ``t`` of the history is measured at
:math:`\\theta_t`, before its update.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import torch
from torch.func import functional_call

from engine.core.device import resolve
from engine.nets import losses, networks
from engine.nets.datasets import MAX_N, Split
from engine.nets.history import Grid, History, decision_grid
from engine.nets.probes import QUANTITIES, forward_backward

__all__ = ["Grid", "History", "batch_indices", "compare", "decision_grid", "train"]

MAX_STEPS = 5000
_FIELDS = ("train_loss", "train_acc", "test_loss", "test_acc")


def batch_indices(
    n: int, batch_size: int | None, steps: int, seed: int = 0
) -> Iterator[torch.Tensor | None]:
    """The CPU index tensor of each step's minibatch (``None`` = the full batch).

    Each epoch is a fresh permutation from a generator seeded by ``seed`` alone, cut into
    ``n // batch_size`` batches of exactly ``batch_size`` rows (the remainder is dropped, so
    every batch has the same size).
    """
    if batch_size is None or batch_size >= n:
        for _ in range(steps):
            yield None
        return
    g = torch.Generator(device="cpu").manual_seed(int(seed))
    per_epoch = n // batch_size
    perm = torch.randperm(n, generator=g)
    for t in range(steps):
        k = t % per_epoch
        if k == 0 and t > 0:
            perm = torch.randperm(n, generator=g)
        yield perm[k * batch_size : (k + 1) * batch_size]


def minibatches(
    d: _Data, batch_size: int | None, steps: int, seed: int
) -> Iterator[tuple[int, torch.Tensor, torch.Tensor]]:
    """``(t, X_batch, y_batch)`` for each step, in :func:`batch_indices`' seeded order (the
    training loop and the race draw the same batches)."""
    for t, idx in enumerate(batch_indices(len(d.X), batch_size, steps, seed)):
        if idx is None:
            yield t, d.X, d.y
        else:
            idx = idx.to(d.X.device)
            yield t, d.X[idx], d.y[idx]


class _Data(NamedTuple):
    X: torch.Tensor
    y: torch.Tensor
    X_test: torch.Tensor | None
    y_test: torch.Tensor | None


def prepare_data(data: Any, config: networks.MLPConfig, dev: torch.device) -> _Data:
    """``(X, y)`` or a Split, checked against ``config`` and moved to ``dev`` (also used by the
    race)."""
    if isinstance(data, Split):
        X, y, Xt, yt = data
    elif isinstance(data, tuple | list) and len(data) == 2:
        (X, y), Xt, yt = data, None, None
    else:
        raise ValueError(f"Invalid data: {type(data).__name__} (pass (X, y) or a datasets.Split)")
    parts = [X, y] + ([Xt, yt] if Xt is not None else [])
    total = sum(len(p) for p in parts[::2])
    if not 1 <= total <= MAX_N:
        raise ValueError(f"Invalid n: {total} (must be 1..{MAX_N})")
    for Xi, yi in zip(parts[::2], parts[1::2], strict=True):
        if Xi.ndim != 2 or Xi.shape[1] != config.in_dim or len(yi) != len(Xi):
            raise ValueError(
                f"Invalid data: X {tuple(Xi.shape)} and y {tuple(yi.shape)} "
                f"for in_dim={config.in_dim}"
            )
        classes = int(losses.labels(yi).max()) + 1 if len(yi) else 0
        if classes > max(config.out_dim, 2):
            raise ValueError(f"Invalid data: {classes} classes for out_dim={config.out_dim}")
    moved = [
        p.to(dev, torch.float32) if i % 2 == 0 or p.is_floating_point() else p.to(dev)
        for i, p in enumerate(parts)
    ]
    return _Data(*moved) if len(moved) == 4 else _Data(moved[0], moved[1], None, None)


def check_limits(steps: int, batch_size: int | None, probe_every: int, eval_every: int) -> None:
    """Refuse run sizes beyond the limits that keep memory and time bounded (also the race's)."""
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"Invalid steps: {steps} (must be 1..{MAX_STEPS})")
    if batch_size is not None and not 1 <= batch_size <= MAX_N:
        raise ValueError(f"Invalid batch_size: {batch_size} (must be 1..{MAX_N} or None)")
    if probe_every < 0:
        raise ValueError(f"Invalid probe_every: {probe_every} (0 = off, or a positive period)")
    if eval_every < 1:
        raise ValueError(f"Invalid eval_every: {eval_every} (must be >= 1)")


def train(
    config: networks.MLPConfig,
    data: Any,
    optimizer: Any,
    steps: int,
    batch_size: int | None = None,
    seed: int = 0,
    callback: Callable[[int, History], Any] | None = None,
    loss: str = "ce",
    probe_every: int = 1,
    device: str | torch.device | None = None,
    eval_every: int = 1,
    on_params: Callable[[int, Mapping[str, torch.Tensor]], Any] | None = None,
) -> History:
    """Train ``networks.build(config, seed)`` on ``data`` for ``steps`` steps.

    ``data`` is ``(X, y)`` or a :class:`engine.nets.datasets.Split`; ``optimizer`` an engine
    ``Optimizer`` (or a name for ``engine.optimizers.create``). ``batch_size=None`` trains on
    the full batch; minibatches follow :func:`batch_indices`. Probes run on the training batch
    every ``probe_every`` steps (0 = never); dropout masks come from ``seed`` too.
    ``callback(step, history_so_far)`` runs after each step; returning ``False`` stops the run.
    ``on_params(step, params)`` sees the parameters :math:`\\theta_t` before each update (to
    record a weight path); ``params`` are the live tensors: copy what you keep.
    """
    check_limits(steps, batch_size, probe_every, eval_every)
    losses.check(loss, config.out_dim)
    if isinstance(optimizer, str):
        from engine import optimizers

        optimizer = optimizers.create(optimizer)
    dev = resolve(device)
    d = prepare_data(data, config, dev)
    if config.batchnorm and min(batch_size or len(d.X), len(d.X)) < 2:
        raise ValueError(f"Invalid batch_size: {batch_size} (batch norm needs at least 2 rows)")
    model = networks.build(config, seed, dev).train()
    params = {k: p.detach() for k, p in model.named_parameters()}
    state = optimizer.init(params)
    has_test = d.X_test is not None and len(d.X_test) > 0

    n_probes = 0 if probe_every == 0 else math.ceil(steps / probe_every)
    rows = {k: np.zeros(steps, np.float64) for k in _FIELDS}
    probe_rows = {k: np.zeros((n_probes, config.depth), np.float32) for k in QUANTITIES}
    probe_steps = np.zeros(n_probes, np.int64)
    recorded, probed, diverged_at, stopped = 0, 0, -1, False
    test_now = torch.full((2,), float("nan"), device=dev)

    def history(seconds: float) -> History:
        empty = not has_test
        return History(
            **{k: v[: 0 if empty and k.startswith("test") else recorded] for k, v in rows.items()},
            probe_steps=probe_steps[:probed],
            **{k: v[:probed] for k, v in probe_rows.items()},
            diverged_at=diverged_at,
            stopped=stopped,
            seconds=seconds,
            model={},
            config=config,
            loss=loss,
            optimizer=getattr(optimizer, "name", type(optimizer).__name__),
        )

    start = time.perf_counter()
    cuda_devices = [dev] if dev.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda_devices), torch.enable_grad():
        torch.manual_seed(int(seed))  # dropout masks: a function of seed only
        for t, xb, yb in minibatches(d, batch_size, steps, seed):
            if on_params is not None:
                on_params(t, params)
            probing = probe_every > 0 and t % probe_every == 0
            leaves = {k: v.detach().requires_grad_(True) for k, v in params.items()}
            res = forward_backward(model, leaves, xb, yb, loss, probe=probing)
            acc = losses.accuracy(loss, res.logits, yb)
            if has_test and t % eval_every == 0:
                test_now = _evaluate(model, params, d.X_test, d.y_test, loss)
            new_params, new_state = optimizer.step(params, res.grads, state)
            norm = torch.nn.utils.get_total_norm(list(new_params.values()), foreach=True)
            parts = [res.loss.reshape(1), acc.reshape(1), test_now, norm.reshape(1)]
            if probing:
                parts.append(res.stats.reshape(-1))
            row = torch.cat([p.float() for p in parts]).cpu().numpy()  # the step's one sync
            measured = np.concatenate([row[:2], row[2:4] if has_test else row[:0], row[5:]])
            if not np.isfinite(measured).all():
                diverged_at = t
                break
            for i, k in enumerate(_FIELDS):
                rows[k][t] = row[i]
            if probing:
                probe_steps[probed] = t
                stats = row[5:].reshape(len(QUANTITIES), config.depth)
                for i, k in enumerate(QUANTITIES):
                    probe_rows[k][probed] = stats[i]
                probed += 1
            recorded = t + 1
            if not np.isfinite(row[4]):  # the update blew up: keep theta_t, stop
                diverged_at = t + 1
                break
            params, state = new_params, new_state
            if callback is not None and callback(t, history(time.perf_counter() - start)) is False:
                stopped = True
                break
    seconds = time.perf_counter() - start
    with torch.no_grad():
        for k, p in model.named_parameters():
            p.copy_(params[k])
    result = history(seconds)
    result.model = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    return result


def compare(
    config: networks.MLPConfig,
    data: Any,
    optimizers: Mapping[str, Any] | Sequence[Any],
    steps: int,
    **kwargs: Any,
) -> dict[str, History]:
    """Train the same network (same ``seed``: identical initial weights and batches) with each
    optimizer; ``kwargs`` go to :func:`train`. Keys are the mapping's, or the optimizers'
    names (a repeated name gets `` #2``, `` #3``, ...)."""
    if isinstance(optimizers, Mapping):
        named = list(optimizers.items())
    else:
        named, seen = [], {}
        for opt in optimizers:
            name = opt if isinstance(opt, str) else opt.name
            seen[name] = seen.get(name, 0) + 1
            named.append((name if seen[name] == 1 else f"{name} #{seen[name]}", opt))
    return {name: train(config, data, opt, steps, **kwargs) for name, opt in named}


@torch.no_grad()
def _evaluate(model, params, X, y, loss: str) -> torch.Tensor:
    """``[loss, accuracy]`` on ``(X, y)`` in eval mode (BatchNorm running stats, no dropout)."""
    model.eval()
    try:
        logits = functional_call(model, params, (X,))
        return torch.stack([losses.compute(loss, logits, y), losses.accuracy(loss, logits, y)])
    finally:
        model.train()


def __getattr__(name: str) -> Any:
    """``training.race`` and ``training.RaceResult``: the batched race lives in engine/race.py,
    which builds on this module's helpers, so it is looked up on first use (no import cycle)."""
    if name in ("race", "RaceResult"):
        from engine.nets import race as race_module

        return getattr(race_module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
