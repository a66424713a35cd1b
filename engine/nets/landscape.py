"""The loss of a trained network on lines and planes through its weights (Li et al., 2018).

With :math:`\\theta^*` the trained weights and :math:`d_1, d_2` two random directions,

.. math::

    L(\\alpha, \\beta) = L(\\theta^* + \\alpha d_1 + \\beta d_2), \\qquad
    d_{l,i} \\leftarrow \\frac{d_{l,i}}{\\lVert d_{l,i} \\rVert} \\lVert \\theta^*_{l,i} \\rVert

where :math:`d_{l,i}` is filter (row) :math:`i` of layer :math:`l`: filter-wise normalisation
makes a step of 1 change every unit's weights by their own size, so networks of different scale
compare. Biases and batch-norm parameters (every tensor with at most one dimension) are zero in
the direction, as in the paper's default. ``layer`` normalises each whole tensor instead, and
``none`` keeps the raw Gaussian. 1D views follow Goodfellow et al. (2015):
:math:`L((1-t)\\,\\theta_a + t\\,\\theta_b)`.

The network runs in eval mode (batch norm with its running statistics, no dropout), and many
weight vectors are evaluated in one batched forward: ``vmap`` of ``functional_call`` in general,
and for a plain MLP a hand-batched path (one ``baddbmm`` per layer) with the same maths. Points
go through in chunks, so memory stays bounded whatever the grid size.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, vmap

from engine.core.i18n import _
from engine.nets import losses
from engine.nets.weights import Layout, plain_forward, split_state

__all__ = [
    "Evaluator", "Grid", "Layout", "Line", "axis", "direction", "line", "plane", "split_state",
]  # fmt: skip

NORMS = ("filter", "layer", "none")
MAX_SIDE = 101  # grid points per side
MAX_POINTS = MAX_SIDE * MAX_SIDE  # weight vectors in one evaluation
MAX_PARAMS = 500_000
MAX_ROWS = 5000  # data rows the loss is measured on
# How many points go through one forward, as a working-memory budget per chunk. A GPU needs
# large chunks. On a CPU the arithmetic is the same as one point at a time: a chunk saves the
# per-operation cost (Python, dispatch, and with several threads OpenMP's fork and join per
# kernel), but a chunk whose activations leave the caches loses more than that. Measured on the
# 2-core development machine, quiet, 41 x 41 grids on 1000 points, one thread: 8 MB against
# 32 MB took 1.19 against 1.85 s (4 x 80), 1.57 against 3.75 s (20 x 32), 2.23 against 3.04 s
# (20 x 32, batch norm), 1.64 against 1.56 s (30 x 128, batch norm); 0.66 against 1.06 s for
# 4 x 80 on two threads (see bench/landscape.py). On the CPU a chunk stays under 1 MB: the
# server maps every block of 1 MiB or more on its own and unmaps it when freed (its fixed mmap
# threshold, pages/_common/heap.py, keeps a class's memory bounded), so 8 MB chunks paid a page
# fault per 4 kB of every temporary, chunk after chunk: the "skip" preset's two grids at 41 x 41
# took 2.28-2.33 s there against 0.67-0.80 s in a plain process, and take 0.68 s in 1 MB chunks
# (0.74 s in a plain process).
CHUNK_BYTES = {"cpu": 1_000_000, "cuda": 512 * 2**20}

#: ``progress(done, total)`` after each chunk; returning ``False`` stops the evaluation.
Progress = Callable[[int, int], object]


def direction(
    params: Mapping[str, torch.Tensor], seed: int = 0, norm: str = "filter", index: int = 0
) -> dict[str, torch.Tensor]:
    """Random direction number ``index`` of ``seed``, shaped like ``params``, normalised by
    ``norm`` (one of :data:`NORMS`). Drawn on the CPU: the same on every device."""
    if norm not in NORMS:
        raise ValueError(
            _("Invalid normalisation: {norm!r} (choose from {choices})").format(
                norm=norm, choices=", ".join(NORMS)
            )
        )
    # One generator per (seed, index): d1 and d2 are independent, and d2 does not change
    # when another direction is drawn first.
    g = torch.Generator(device="cpu").manual_seed(int(seed) * 1009 + int(index))
    out = {}
    for name, w in params.items():
        d = torch.randn(w.shape, generator=g, dtype=torch.float64)
        if w.ndim <= 1:
            d.zero_()  # biases and batch-norm parameters stay put
        elif norm == "filter":
            rows_d, rows_w = d.reshape(len(d), -1), w.detach().double().cpu().reshape(len(w), -1)
            scale = rows_w.norm(dim=1) / rows_d.norm(dim=1).clamp_min(1e-12)
            d = (rows_d * scale[:, None]).reshape(w.shape)
        elif norm == "layer":
            d = d * (w.detach().double().cpu().norm() / d.norm().clamp_min(1e-12))
        out[name] = d.to(device=w.device, dtype=w.dtype)
    return out


def axis(n: int, span: float) -> np.ndarray:
    """``n`` evenly spaced coordinates from ``-span`` to ``span``."""
    check_side(n)
    if not (np.isfinite(span) and span > 0):
        raise ValueError(_("Invalid span: {span} (must be > 0)").format(span=span))
    return np.linspace(-span, span, n)


def check_side(n: int) -> None:
    if not 2 <= n <= MAX_SIDE:
        raise ValueError(
            _("Invalid grid size: {n} (must be 2..{max_side} points per side)").format(
                n=n, max_side=MAX_SIDE
            )
        )


class Evaluator:
    """Loss and accuracy of ``model``'s architecture at many weight vectors, on ``(X, y)``.

    ``buffers`` are the batch-norm running statistics used by every point (those of the trained
    network); per-point buffers can be passed to :meth:`__call__` instead. The model's own
    weights are never used; its dtype and device are the evaluation's.
    """

    def __init__(
        self,
        model: nn.Module,
        X: torch.Tensor,
        y: torch.Tensor,
        loss: str = "ce",
        buffers: Mapping[str, torch.Tensor] | None = None,
    ) -> None:
        self.model = model.eval()
        self.layout = Layout(model)
        if self.layout.size > MAX_PARAMS:
            raise ValueError(
                _("Too many parameters: {size} (the landscape's limit is {max_params})").format(
                    size=self.layout.size, max_params=MAX_PARAMS
                )
            )
        if X.ndim != 2 or len(X) != len(y) or not 1 <= len(X) <= MAX_ROWS:
            raise ValueError(
                _("Invalid data: X {x_shape} and y {y_shape} (need 1..{max_rows} rows)").format(
                    x_shape=tuple(X.shape), y_shape=tuple(y.shape), max_rows=MAX_ROWS
                )
            )
        first = next(model.parameters())
        self.dtype, self.device = first.dtype, first.device
        self.X = X.to(self.device, self.dtype)
        self.y = y.to(self.device)
        self.loss = losses.check(loss, getattr(getattr(model, "config", None), "out_dim", None))
        self.buffers = {k: v.to(self.device) for k, v in (buffers or {}).items()}
        width = max([self.X.shape[1], *(s[0] for s in self.layout.shapes)])
        per_point = (self.layout.size + 3 * len(X) * width) * first.element_size()
        budget = CHUNK_BYTES.get(self.device.type, CHUNK_BYTES["cuda"])
        self.chunk = int(max(1, min(1024, budget // per_point)))  # weights + live activations
        self._plain = plain_forward(model)
        self._score = vmap(lambda z: losses.compute(self.loss, z, self.y))

    def logits(self, flat: torch.Tensor, buffers=None) -> torch.Tensor:
        """``(G, N, C)`` logits of the ``(G, P)`` weight vectors."""
        p = self.layout.unflatten(flat)
        if self._plain is not None and buffers is None:
            return self._plain(p, self.buffers, self.X)
        b, dims = (self.buffers, None) if buffers is None else (buffers, 0)
        call = lambda q, bb: functional_call(self.model, (q, bb), (self.X,))  # noqa: E731
        return vmap(call, in_dims=(0, dims))(p, b)

    def __call__(
        self,
        points: torch.Tensor,
        buffers: Mapping[str, torch.Tensor] | None = None,
        progress: Progress | None = None,
    ) -> tuple[np.ndarray, np.ndarray, bool]:
        """``(loss (G,), accuracy (G,), stopped)`` at the ``(G, P)`` points, as float64 numpy.

        A stopped evaluation leaves NaN where it did not get to.
        """
        if points.ndim != 2 or points.shape[1] != self.layout.size:
            raise ValueError(
                _("Invalid points: {shape} (need (G, {size}))").format(
                    shape=tuple(points.shape), size=self.layout.size
                )
            )
        return self._run(len(points), lambda sl: points[sl], buffers, progress)

    def affine(
        self,
        center: torch.Tensor,
        dirs: torch.Tensor,
        coeffs: torch.Tensor,
        buffers: Mapping[str, torch.Tensor] | None = None,
        progress: Progress | None = None,
    ) -> tuple[np.ndarray, np.ndarray, bool]:
        """As :meth:`__call__` at ``center + coeffs @ dirs`` (``(P,)``, ``(D, P)``, ``(G, D)``):
        each chunk's weights are built when it is evaluated, so memory stays bounded however
        many points there are."""
        center, dirs = (v.to(self.device, self.dtype) for v in (center, dirs))
        coeffs = torch.as_tensor(coeffs, dtype=self.dtype, device=self.device)
        return self._run(
            len(coeffs), lambda sl: torch.addmm(center, coeffs[sl], dirs), buffers, progress
        )

    @torch.no_grad()
    def _run(self, G: int, make, buffers, progress) -> tuple[np.ndarray, np.ndarray, bool]:
        if G > MAX_POINTS:
            raise ValueError(
                _("Too many points: {g} (the limit is {max_points})").format(
                    g=G, max_points=MAX_POINTS
                )
            )
        loss = np.full(G, np.nan)
        acc = np.full(G, np.nan)
        for start in range(0, G, self.chunk):
            sl = slice(start, min(start + self.chunk, G))
            flat = make(sl).to(self.device, self.dtype)
            b = None if buffers is None else {k: v[sl].to(self.device) for k, v in buffers.items()}
            z = self.logits(flat, b)
            pred = z.argmax(-1) if z.shape[-1] > 1 else (z[..., 0] > 0).long()
            loss[sl] = self._score(z).double().cpu().numpy()
            acc[sl] = (pred == losses.labels(self.y)).double().mean(-1).cpu().numpy()
            if progress is not None and progress(sl.stop, G) is False:
                return loss, acc, sl.stop < G
        return loss, acc, False

    def at(self, flat: torch.Tensor) -> float:
        """The loss at one flat weight vector."""
        return float(self(flat.reshape(1, -1))[0][0])


class Grid(NamedTuple):
    """The landscape on a plane: ``loss[j, i]`` and ``acc[j, i]`` at ``(alphas[i], betas[j])``
    (rows are β, as a contour's ``z``). ``stopped``: NaN where the evaluation did not get to."""

    alphas: np.ndarray
    betas: np.ndarray
    loss: np.ndarray
    acc: np.ndarray
    stopped: bool


class Line(NamedTuple):
    """The landscape on a line: ``loss[i]`` and ``acc[i]`` at ``ts[i]``."""

    ts: np.ndarray
    loss: np.ndarray
    acc: np.ndarray
    stopped: bool


def plane(
    ev: Evaluator,
    center: torch.Tensor,
    d1: torch.Tensor,
    d2: torch.Tensor,
    alphas: np.ndarray,
    betas: np.ndarray,
    progress: Progress | None = None,
) -> Grid:
    """The loss at ``center + alphas[i] d1 + betas[j] d2`` (flat ``(P,)`` vectors)."""
    for coords in (alphas, betas):
        check_side(len(coords))
    a = torch.as_tensor(np.asarray(alphas), dtype=center.dtype, device=center.device)
    b = torch.as_tensor(np.asarray(betas), dtype=center.dtype, device=center.device)
    A, B = torch.meshgrid(a, b, indexing="xy")  # (len(b), len(a)): rows are beta
    coeffs = torch.stack([A.reshape(-1), B.reshape(-1)], 1)
    loss, acc, stopped = ev.affine(center, torch.stack([d1, d2]), coeffs, progress=progress)
    shape = (len(betas), len(alphas))
    return Grid(
        np.asarray(alphas), np.asarray(betas), loss.reshape(shape), acc.reshape(shape), stopped
    )


def line(
    ev: Evaluator,
    start: torch.Tensor,
    end: torch.Tensor,
    ts: np.ndarray,
    buffers: tuple[Mapping, Mapping] | None = None,
    progress: Progress | None = None,
) -> Line:
    """The loss at ``(1 - t) start + t end`` for each ``t`` (``t`` may leave [0, 1]).

    ``buffers``: the running statistics of each end, interpolated the same way (batch norm);
    past an end, that end's (extrapolated variances could turn negative).
    """
    check_side(len(ts))
    t = torch.as_tensor(np.asarray(ts), dtype=start.dtype, device=start.device)[:, None]
    per_point = None
    if buffers is not None:
        lo, hi = buffers
        per_point = {}
        for k, v in lo.items():
            if v.is_floating_point():
                tv = t.clamp(0, 1).reshape(-1, *([1] * v.ndim)).to(v.dtype)
                per_point[k] = (1 - tv) * v + tv * hi[k].to(v)
            else:  # batch counters: not used in eval mode
                per_point[k] = v.expand(len(ts), *v.shape)
    loss, acc, stopped = ev.affine(start, (end - start)[None], t, per_point, progress)
    return Line(np.asarray(ts), loss, acc, stopped)
