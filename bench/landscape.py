"""The batched loss-landscape grid against one forward per grid point.

A 41 x 41 grid of theta* + alpha d1 + beta d2 (filter-normalised directions) for an MLP of about
20k parameters on 1000 spiral points, in eval mode, float32, on the CPU. The reference loop is the
plain way to draw a landscape: for each point, copy its weights into the network, run
``model(X)`` and the loss. The batched evaluator (``engine.nets.landscape``) runs chunks of grid
points as one forward. Both compute the same losses: the table shows the largest difference.

Both do the same arithmetic, so the batched grid wins by what the loop pays per small operation:
Python, dispatch, and with several torch threads OpenMP's fork and join around every one of the
loop's ~20 small kernels per point (on a busy 2-core machine that cost dominates). On one thread
the work is compute-bound either way: the loop already runs the 66 GFLOP of a 41 x 41 grid of the
target network at about 60 GFLOP/s, so no batching of the same arithmetic can be 5x faster on
this CPU (measured, quiet: 0.6-1.1x on one thread, 1.2x on two); the batching pays on a GPU,
where the loop is bound by kernel launches.
Both run as in the server, with its fixed 1 MiB mmap threshold (pages/_common/heap.py): there
the evaluator's former 8 MB chunks mapped every temporary anew and were 2.5-3.8x slower than
the loop (measured 2026-12-01); its chunks now stay under 1 MB.
Run: ``python -m bench.landscape`` from the repository root.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from bench.common import best_of, table
from engine.nets import datasets, landscape, networks
from pages._common import heap

SIDE = 41
TARGET = networks.MLPConfig(in_dim=2, out_dim=2, depth=4, width=80)  # 19,842 parameters
# (label, config, torch threads: None = the process default). The app evaluates on one thread
# (engine.core.threads.set_threads), so the other networks are timed that way.
CASES = [
    ("4 x 80 relu (the target)", TARGET, None),
    ("4 x 80 relu", TARGET, 1),
    ("20 x 32 relu", networks.MLPConfig(in_dim=2, out_dim=2, depth=20, width=32), 1),
    ("20 x 32 relu, batch norm", networks.MLPConfig(2, 2, 20, 32, batchnorm=True), 1),
]


def setup(config: networks.MLPConfig, X: torch.Tensor, y: torch.Tensor):
    model = networks.build(config, 0, "cpu").eval()
    params = {k: v.detach() for k, v in model.named_parameters()}
    ev = landscape.Evaluator(model, X, y, "ce", dict(model.named_buffers()))
    theta = ev.layout.flatten(params)
    d1, d2 = (ev.layout.flatten(landscape.direction(params, 0, "filter", i)) for i in (0, 1))
    return model, ev, theta, d1, d2


@torch.no_grad()
def loop(model, ev, theta, d1, d2, axis: np.ndarray) -> np.ndarray:
    """One forward per grid point, the weights copied into the module each time."""
    out = np.empty((len(axis), len(axis)))
    params = list(model.parameters())
    for j, b in enumerate(axis):
        for i, a in enumerate(axis):
            flat = theta + float(a) * d1 + float(b) * d2
            for p, part in zip(params, flat.split(ev.layout.sizes), strict=True):
                p.copy_(part.view_as(p))
            out[j, i] = float(F.cross_entropy(model(ev.X), ev.y))
    return out


def main(repeats: int = 1) -> None:
    # As the server runs it: blocks of 1 MiB or more mapped alone (pages/_common/heap.py), which
    # is what the evaluator's chunk size (engine/nets/landscape.CHUNK_BYTES) is chosen for.
    heap.bound_heap()
    X, y = datasets.make("spirals", n=1000, seed=0, device="cpu")
    axis = landscape.axis(SIDE, 1.0)
    default_threads = torch.get_num_threads()
    rows = []
    for label, config, threads in CASES:
        torch.set_num_threads(threads or default_threads)
        model, ev, theta, d1, d2 = setup(config, X, y)
        landscape.plane(ev, theta, d1, d2, axis[:3], axis[:3])  # warm-up: vmap's first call
        t_loop, t_grid = float("inf"), float("inf")
        for _ in range(repeats):  # interleaved: both see the same load on a shared machine
            seconds, ref = best_of(lambda: loop(model, ev, theta, d1, d2, axis), 1)  # noqa: B023
            t_loop = min(t_loop, seconds)
            seconds, grid = best_of(lambda: landscape.plane(ev, theta, d1, d2, axis, axis), 1)  # noqa: B023
            t_grid = min(t_grid, seconds)
        diff = np.abs(grid.loss - ref).max()
        rows.append(
            [label, ev.layout.size, torch.get_num_threads(), f"{t_loop:.2f} s",
             f"{t_grid:.2f} s", f"{t_loop / t_grid:.2f}x", f"{diff:.1e}"]
        )  # fmt: skip
    torch.set_num_threads(default_threads)
    print(
        f"Landscape grid: {SIDE}x{SIDE} points, 1000 spiral points, float32, CPU, best of {repeats}"
    )
    header = ["network", "parameters", "threads", "loop (1 forward/point)", "batched",
              "speed-up", "max |diff|"]  # fmt: skip
    print(table(header, rows))


if __name__ == "__main__":
    main()
