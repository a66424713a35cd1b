"""An optimizer race: one network, K optimizers, trained side by side as one batched computation.

All K models start from the same weights (``networks.build(config, seed)``) and see the same
minibatches (:func:`engine.nets.batches.batch_indices`), so the optimizer is the only difference.
Each step on batch :math:`B_t`, for every model :math:`k` at once:

.. math::

    L^k_t = \\frac{1}{|B_t|} \\sum_{i \\in B_t} \\ell(f_{\\theta^k_t}(x_i), y_i), \\qquad
    g^k_t = \\nabla_{\\theta^k} L^k_t, \\qquad
    \\theta^k_{t+1} = \\mathrm{step}_k(\\theta^k_t, g^k_t, s^k_t)

The K parameter sets live in one ``(K, P)`` tensor, one row a model, and one forward runs all K
(:mod:`engine.nets.stacked`); one ``autograd.grad`` of :math:`\\sum_k L^k_t` gives every
:math:`g^k_t` (the models share no parameter, so the sum separates; large races go a few models at
a time, :mod:`engine.nets.model_chunks`, so a step's memory stays bounded). Optimizers of one kind
step their rows together, with their hyperparameters as ``(k,)`` tensors
(:mod:`engine.optimizers.grouping`), so a learning-rate sweep is the same call with K learning
rates (:func:`engine.nets.sweeps.lr_sweep`). Row ``t`` of the curves is measured at
:math:`\\theta_t`, before its update. Divergence is tracked with masks on the device: no host
sync per step, except for the callback.

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
from torch.func import stack_module_state

from engine.core.checks import check_int
from engine.core.device import resolve
from engine.core.divergence import finite, race_limit, race_ok
from engine.core.i18n import _
from engine.nets import losses, model_chunks, networks, race_fast, stacked
from engine.nets.batches import check_batch_norm, check_limits, minibatches, prepare_data
from engine.optimizers import Optimizer, create
from engine.optimizers.grouping import group_optimizers, optimizer_labels

#: The most networks one race trains side by side (a sweep: optimizers x learning rates).
MAX_MODELS = 64
FIELDS = ("train_loss", "train_acc", "test_loss", "test_acc")


@dataclasses.dataclass
class RaceResult:
    """Per optimizer ``k`` and step ``t`` (numpy, ``(K, T)``): ``train_loss``/``train_acc`` on the
    step's batch, ``test_loss``/``test_acc`` on the test set (every ``eval_every`` steps, carried
    forward; ``(K, 0)`` without test data); ``grad_norms`` ``(K, T, depth)``, the Frobenius norm
    of each hidden layer's weight gradient. ``wall_time[t]``: seconds since the start when step
    ``t`` ended (the K models share every step, so they share the clock).

    ``diverged_at[k]`` is -1, or the first step whose loss or gradient was non-finite or whose
    training loss passed ``engine.core.divergence.RACE_EXPLODE`` times the first one (or whose
    update made a parameter non-finite: then the step after it). A diverged model is frozen at
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

    def logits(self, X: torch.Tensor, device: str | torch.device | None = None) -> torch.Tensor:
        """``(K, N, C)`` logits of every raced model on ``X``, in eval mode, in one batch."""
        return stacked.stacked_logits(self.config, self.params, self.buffers, X, resolve(device))


def _check(opts: Sequence[Optimizer]) -> None:
    if not opts:
        raise ValueError(_("Invalid optimizers: give at least one"))
    if not all(isinstance(o, Optimizer) for o in opts):
        raise ValueError(_("Invalid optimizers: use engine.optimizers.create(name, ...)"))
    if len(opts) > MAX_MODELS:
        raise ValueError(
            _(
                "Too many optimizers: {count}, one network each (the limit is {max_models} networks)"
            ).format(count=len(opts), max_models=MAX_MODELS)
        )


def race(
    config: networks.MLPConfig,
    data: Any,
    optimizers: Sequence[Optimizer | str],
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

    ``data`` is ``(X, y)`` or a :class:`engine.nets.datasets.Split`; ``optimizers`` engine
    ``Optimizer`` objects (or names). ``batch_size=None`` is full batch. ``callback(step,
    result_so_far)`` runs after the first step, every ``callback_every`` steps and after the
    last; returning ``False`` stops the race. A model diverges by the race's rule of
    ``engine.core.divergence`` (a loss 100 times its first one counts). Raises ``ValueError``
    for bad arguments.
    """
    opts = [create(o) if isinstance(o, str) else o for o in optimizers]
    _check(opts)
    check_limits(steps, batch_size, 0, eval_every)
    check_int("callback_every", callback_every, 1)
    losses.check(loss, config.out_dim)
    dev = resolve(device)
    d = prepare_data(data, config, dev)
    check_batch_norm(config, d, batch_size)
    K = len(opts)
    model = networks.build(config, seed, dev).train()
    layout = stacked.Layout(model)
    # K copies of one module: identical weights by construction, stacked along dim 0.
    copies, buffers = stack_module_state([model] * K)
    flat = layout.flatten(copies)
    buffers = {k: b.clone() for k, b in buffers.items()}

    groups = group_optimizers(opts, torch.float32, dev)
    order = [i for _, idx in groups for i in idx]
    inverse = torch.as_tensor(np.argsort(order), device=dev)
    flat = flat[torch.as_tensor(order, device=dev)]
    buffers = {k: b[torch.as_tensor(order, device=dev)] for k, b in buffers.items()}
    sizes = [len(idx) for _, idx in groups]  # each group's rows, in order: flat.split(sizes)
    states = [
        stacked.init_rows(opt, rows, layout)
        for (opt, _), rows in zip(groups, flat.split(sizes), strict=True)
    ]

    batched = stacked.batched_forward(model, layout)
    # The default network and loss: forward, loss and gradient written out (race_fast.py).
    by_hand = race_fast.value_and_grad(model, layout, loss) if stacked.FAST_PATH else None

    def value_and_grad(some, bufs, xb, yb):
        """Logits, losses and gradients of the models whose rows of ``flat`` are ``some``;
        ``bufs`` are views into ``buffers`` (batch norm updates its running statistics in
        place, through them)."""
        if by_hand is not None and yb.ndim == 1:
            return by_hand(some, xb, yb)
        leaf = some.detach().requires_grad_(True)
        logits = batched(leaf, bufs, xb)
        value = score(logits, yb)
        (g,) = torch.autograd.grad(value.sum(), leaf)
        return logits.detach(), value.detach(), g

    steppers = [
        stacked.stepper_for(opt, rows)
        for (opt, _), rows in zip(groups, flat.split(sizes), strict=True)
    ]
    count = torch.zeros((), dtype=torch.float64, device=dev)  # as Optimizer.init's ``t``
    score = stacked.batched_loss(loss)
    correct = stacked.accuracy
    has_test = d.has_test
    depth = config.depth
    rows = torch.full((steps, K, 4 + depth), float("nan"), device=dev)
    alive = torch.ones(K, dtype=torch.bool, device=dev)
    diverged = torch.full((K,), -1, dtype=torch.long, device=dev)
    test_now = torch.full((K, 2), float("nan"), device=dev)
    wall = np.zeros(steps)
    done, stopped = 0, False
    meta = (optimizer_labels(opts), [o.name for o in opts], [o.hyper for o in opts])

    def result(n: int) -> RaceResult:
        return _result(
            meta, rows[:n], diverged, inverse, wall[:n], has_test, flat, buffers, layout,
            config, loss, stopped,
        )  # fmt: skip

    start = time.perf_counter()
    cuda = [dev] if dev.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda):
        torch.manual_seed(int(seed))  # dropout masks: a function of seed only
        for t, xb, yb in minibatches(d, batch_size, steps, seed):
            saved = {k: b.clone() for k, b in buffers.items()} if buffers else None
            size = model_chunks.models_per_chunk(config, xb.shape[0], K)
            if size >= K:  # one chunk (the defaults): no generator state to save and restore
                logits, value, g = value_and_grad(flat, buffers, xb, yb)
            else:
                parts = []
                with model_chunks.same_randomness(dev) as rewind:
                    for sl in model_chunks.chunks(K, size):
                        rewind()  # dropout: every chunk draws the masks the whole batch would
                        bufs = {k: b[sl] for k, b in buffers.items()}
                        parts.append(value_and_grad(flat[sl], bufs, xb, yb))
                logits, value, g = model_chunks.concat(parts)
            with torch.no_grad():
                if has_test and t % eval_every == 0:
                    test_now = _evaluate(model, batched, score, correct, flat, buffers, d)
                if t == 0:  # the same for every model: same weights, same batch
                    limit = race_limit(value.detach())
                # A sum is non-finite when any term is (or when it overflows: diverging anyway).
                ok = race_ok(value, limit) & finite(g.sum(1))
                if has_test:
                    ok &= torch.isfinite(test_now).all(1)
                acc = correct(logits.detach(), yb)
                rows[t] = torch.cat(
                    [value[:, None], acc[:, None], test_now, layout.layer_norms(g)], 1
                )
                count = count + 1  # every state's step counter: they step together
                new = [
                    stacked.step_rows(opt, rows_k, g_k, st, layout, fast, count)
                    for (opt, _), rows_k, g_k, st, fast in zip(
                        groups, flat.split(sizes), g.split(sizes), states, steppers, strict=True
                    )
                ]
                states = [s for _, s in new]
                candidate = torch.cat([p for p, _ in new]) if len(new) > 1 else new[0][0]
                # No host sync: divergence is tracked on the device with masks.
                # (In place: these masks are this loop's own, read only through result().)
                bad = alive & ~ok
                diverged.masked_fill_(bad, t)
                alive &= ok
                blown = alive & ~finite(candidate.sum(1))
                diverged.masked_fill_(blown, t + 1)
                alive &= ~blown
                flat = torch.where(alive[:, None], candidate, flat)
                if saved is not None:  # frozen models keep their running statistics too
                    for k, b in buffers.items():
                        b.copy_(torch.where(_rows(alive, b), b, saved[k]))
            done = t + 1
            wall[t] = time.perf_counter() - start
            due = callback is not None and (t == 0 or done % callback_every == 0 or done == steps)
            if due and callback(t, result(done)) is False:
                stopped = True
                break
    out = result(done)
    out.seconds = time.perf_counter() - start
    return out


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


def _result(
    meta,
    rows,
    diverged,
    inverse,
    wall,
    has_test,
    flat,
    buffers,
    layout: stacked.Layout,
    config,
    loss,
    stopped,
) -> RaceResult:
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
