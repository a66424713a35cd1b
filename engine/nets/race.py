"""An optimizer race: one network, K optimizers, trained side by side as one batched computation.

All K models start from the same weights (``networks.build(config, seed)``) and see the same
minibatches (:func:`engine.nets.training.batch_indices`), so the optimizer is the only difference.
Each step on batch :math:`B_t`, for every model :math:`k` at once:

.. math::

    L^k_t = \\frac{1}{|B_t|} \\sum_{i \\in B_t} \\ell(f_{\\theta^k_t}(x_i), y_i), \\qquad
    g^k_t = \\nabla_{\\theta^k} L^k_t, \\qquad
    \\theta^k_{t+1} = \\mathrm{step}_k(\\theta^k_t, g^k_t, s^k_t)

The K parameter sets live in one ``(K, P)`` tensor (each row a model's parameters, flattened,
stacked with ``torch.func.stack_module_state``); ``torch.func.vmap`` of ``functional_call`` runs
the K forwards as batched matrix products (a plain MLP takes an equivalent hand-batched path,
see :func:`_batched_forward`) and one ``autograd.grad`` of :math:`\\sum_k L^k_t` gives every
:math:`g^k_t` (the models share no parameter, so the sum separates). Optimizers of one kind
step their rows together, with their hyperparameters as ``(k,)`` tensors (see
:mod:`engine.surfaces.trajectories`), so a learning-rate sweep is the same call with K learning rates
(:func:`engine.nets.sweeps.lr_sweep`). Row ``t`` of the curves is measured at
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
import torch.nn.functional as F
from torch.func import functional_call, stack_module_state, vmap

from engine import optimizers
from engine.core.device import resolve
from engine.nets import losses, networks, race_fast
from engine.nets.training import check_limits, minibatches, prepare_data
from engine.optimizers.stepper import stepper
from engine.surfaces.trajectories import group_optimizers, optimizer_labels

#: The most networks one race trains side by side (a sweep: optimizers x learning rates).
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
        raise ValueError(
            f"Too many optimizers: {len(optimizers_)}, one network each "
            f"(the limit is {MAX_MODELS} networks)"
        )


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

    ``data`` is ``(X, y)`` or a :class:`engine.nets.datasets.Split`; ``optimizers`` engine
    ``Optimizer`` objects (or names). ``batch_size=None`` is full batch. ``callback(step,
    result_so_far)`` runs after the first step, every ``callback_every`` steps and after the
    last; returning ``False`` stops the race. Raises ``ValueError`` for bad arguments.
    """
    from engine import optimizers as registry

    opts = [registry.create(o) if isinstance(o, str) else o for o in optimizers]
    _check(opts)
    check_limits(steps, batch_size, 0, eval_every)
    if callback_every < 1:
        raise ValueError(f"Invalid callback_every: {callback_every} (must be >= 1)")
    losses.check(loss, config.out_dim)
    dev = resolve(device)
    d = prepare_data(data, config, dev)
    if config.batchnorm and min(batch_size or len(d.X), len(d.X)) < 2:
        raise ValueError(f"Invalid batch_size: {batch_size} (batch norm needs at least 2 rows)")
    K = len(opts)
    model = networks.build(config, seed, dev).train()
    layout = _Layout(model)
    # K copies of one module: identical weights by construction, stacked along dim 0.
    stacked, buffers = stack_module_state([model] * K)
    flat = layout.flatten(stacked)
    buffers = {k: b.clone() for k, b in buffers.items()}

    groups = group_optimizers(opts, torch.float32, dev)
    order = [i for _, idx in groups for i in idx]
    inverse = torch.as_tensor(np.argsort(order), device=dev)
    flat = flat[torch.as_tensor(order, device=dev)]
    buffers = {k: b[torch.as_tensor(order, device=dev)] for k, b in buffers.items()}
    slices, at = [], 0
    for _, idx in groups:
        slices.append(slice(at, at + len(idx)))
        at += len(idx)
    states = [_init(opt, flat[sl], layout) for (opt, _), sl in zip(groups, slices, strict=True)]

    batched = _batched_forward(model, layout)
    # The default network and loss: forward, loss and gradient written out (race_fast.py).
    by_hand = race_fast.value_and_grad(model, layout, loss) if FAST_PATH else None
    steppers = [_stepper(opt, flat[sl]) for (opt, _), sl in zip(groups, slices, strict=True)]
    count = torch.zeros((), dtype=torch.float64, device=dev)  # as Optimizer.init's ``t``
    score = _batched_loss(loss)
    correct = _accuracy
    has_test = d.X_test is not None and len(d.X_test) > 0
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
            if by_hand is not None and yb.ndim == 1:
                logits, value, g = by_hand(flat, xb, yb)
            else:
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
                count = count + 1  # every state's step counter: they step together
                new = [
                    _step(opt, flat[sl], g[sl], st, layout, fast, count)
                    for (opt, _), sl, st, fast in zip(groups, slices, states, steppers, strict=True)
                ]
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
            due = callback is not None and (t == 0 or done % callback_every == 0 or done == steps)
            if due and callback(t, result(done)) is False:
                stopped = True
                break
    out = result(done)
    out.seconds = time.perf_counter() - start
    return out


def _init(opt: optimizers.Optimizer, rows: torch.Tensor, layout: _Layout) -> Any:
    """Each row is one model; an optimizer that uses a tensor's shape (Muon's matrices, LAMB's
    per-layer norms) gets the named weight tensors, (k, out, in) each, instead of flat rows."""
    if opt.entry.structured:
        return opt.init(layout.unflatten(rows), batch_dims=1)
    return opt.init(rows, batch_dims=1)


def _stepper(opt: optimizers.Optimizer, rows: torch.Tensor) -> Any:
    """The group's step with its hyperparameters broadcast once (None: a structured optimizer,
    which steps through ``Optimizer.step`` on named tensors)."""
    return None if opt.entry.structured else stepper(opt, rows, batch_dims=1)


def _step(
    opt, rows, grads, state, layout: _Layout, fast=None, count=None
) -> tuple[torch.Tensor, Any]:
    """One update of a group's rows (call under ``torch.no_grad()``); ``fast``: its stepper,
    ``count``: the step counter after this step, shared by every group."""
    if opt.entry.structured:
        new, state = opt.step(layout.unflatten(rows), layout.unflatten(grads), state, batch_dims=1)
        return layout.flatten(new), state
    if fast is not None:
        return fast(rows, grads, state, None, count)
    return opt.step(rows, grads, state, batch_dims=1)


def _batched_loss(name: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """``(logits (K, N, C), y) -> (K,)``: every model's batch-mean loss ``name``.

    Cross-entropy on class indices, the default, is one call for all K models (the mean of
    each model's N terms, as ``F.cross_entropy``'s own mean): ``vmap`` of it falls back to a
    decomposition of ``nll_loss`` that cost as much as the networks' forward pass. Every other
    loss and target goes through ``vmap`` of :func:`engine.nets.losses.compute`.
    """
    general = vmap(lambda z, y: losses.compute(name, z, y), in_dims=(0, None))
    last: list[torch.Tensor] = []  # [y, y expanded to K rows]: a full batch's y is reused

    def score(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        K, n, c = z.shape
        if name != "ce" or c < 2 or y.ndim != 1:
            return general(z, y)
        if not last or last[0] is not y or last[1].shape[0] != K:
            last[:] = [y, y.long().expand(K, n)]
        # Classes along dim 1, (K, C, n): a softmax across the rows, many times faster than
        # along each row of a few classes.
        return F.cross_entropy(z.transpose(1, 2), last[1], reduction="none").mean(1)

    return score


def _accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``(K,)`` accuracies of ``(K, N, C)`` logits, as :func:`engine.nets.losses.accuracy`.

    softmax and sigmoid are monotone, so the most probable class is the largest logit (or
    ``z > 0`` for one logit); skipping the probabilities saves a pass over the logits.
    """
    pred = logits.argmax(-1) if logits.shape[-1] > 1 else (logits[..., 0] > 0).long()
    return (pred == losses.labels(y)).float().mean(-1)


#: Use the hand-batched forward for plain MLPs (tests switch it off to compare with vmap).
FAST_PATH = True


def _batched_forward(model: networks.MLP, layout: _Layout) -> Callable:
    """``(flat (K, P), buffers, x (N, d)) -> logits (K, N, C)`` for the K stacked models.

    In general ``vmap`` of ``functional_call`` (BatchNorm with per-model buffers, dropout with
    ``randomness="same"``). A plain MLP (no BatchNorm, no dropout, a parameter-free activation)
    takes a hand-batched path with the same maths, twice as fast on a CPU: ``vmap``'s rule for
    ``linear`` expands the shared input and adds the bias apart, where here the first layer is
    one matmul for all K models and the others one ``baddbmm`` each.
    """
    cfg = model.config

    def general(p: torch.Tensor, b: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        return functional_call(model, (layout.unflatten(p), b), (x,))

    plain = not cfg.batchnorm and cfg.dropout == 0 and not list(model.acts.parameters())
    if not (plain and FAST_PATH):
        return vmap(general, in_dims=(0, 0, None), randomness="same")
    act = model.acts[0]

    def fast(flat: torch.Tensor, _: dict, x: torch.Tensor) -> torch.Tensor:
        p, K, n = layout.unflatten(flat), flat.shape[0], x.shape[0]
        W, b = p["hidden.0.weight"], p["hidden.0.bias"]  # (K, width, in), (K, width)
        z = torch.addmm(b.reshape(-1), x, W.reshape(-1, W.shape[-1]).T)  # (n, K * width)
        h = act(z.view(n, K, -1).transpose(0, 1))
        for i in range(1, cfg.depth):
            W, b = p[f"hidden.{i}.weight"], p[f"hidden.{i}.bias"]
            a = act(torch.baddbmm(b.unsqueeze(1), h, W.transpose(1, 2)))
            h = h + a if cfg.residual else a
        return torch.baddbmm(p["out.bias"].unsqueeze(1), h, p["out.weight"].transpose(1, 2))

    return fast


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
    meta, rows, diverged, inverse, wall, has_test, flat, buffers, layout, config, loss, stopped
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


@torch.no_grad()
def stacked_logits(res: RaceResult, X: torch.Tensor, device: torch.device) -> torch.Tensor:
    """``(K, N, C)`` logits of every raced model on ``X``, in eval mode."""
    model = networks.build(res.config, device=device).eval()
    layout = _Layout(model)
    flat = layout.flatten({k: v.to(device) for k, v in res.params.items()})
    buffers = {k: v.to(device) for k, v in res.buffers.items()}

    def forward(p: torch.Tensor, b: dict[str, torch.Tensor]) -> torch.Tensor:
        return functional_call(model, (layout.unflatten(p), b), (X.to(device),))

    return vmap(forward)(flat, buffers)
