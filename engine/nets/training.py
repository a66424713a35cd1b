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
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch.func import functional_call

from engine.core.device import resolve
from engine.core.divergence import training_ok
from engine.nets import losses, networks
from engine.nets.batches import check_batch_norm, check_limits, minibatches, prepare_data
from engine.nets.history import History
from engine.nets.probes import QUANTITIES, forward_backward
from engine.optimizers import Optimizer, create

_FIELDS = ("train_loss", "train_acc", "test_loss", "test_acc")


def train(
    config: networks.MLPConfig,
    data: Any,
    optimizer: Optimizer | str,
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
    the full batch; minibatches follow :func:`engine.nets.batches.batch_indices`. A run
    diverges only where something is not finite (``engine.core.divergence`` says why a loss
    spike is not divergence here). Probes run on the training batch
    every ``probe_every`` steps (0 = never); dropout masks come from ``seed`` too.
    ``callback(step, history_so_far)`` runs after each step; returning ``False`` stops the run.
    ``on_params(step, params)`` sees the parameters :math:`\\theta_t` before each update (to
    record a weight path); ``params`` are the live tensors: copy what you keep.
    """
    check_limits(steps, batch_size, probe_every, eval_every)
    losses.check(loss, config.out_dim)
    if isinstance(optimizer, str):
        optimizer = create(optimizer)
    dev = resolve(device)
    d = prepare_data(data, config, dev)
    check_batch_norm(config, d, batch_size)
    model = networks.build(config, seed, dev).train()
    params = {k: p.detach() for k, p in model.named_parameters()}
    state = optimizer.init(params)
    has_test = d.has_test

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
            if not training_ok(measured):
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
            if not training_ok(row[4:5]):  # the update blew up: keep theta_t, stop
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
    optimizers: Mapping[str, Optimizer | str] | Sequence[Optimizer | str],
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
