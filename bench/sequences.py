"""What do the probes through time cost? Training with the page's probe cadence against none.

The adding problem at T = 100, hidden 64, batch 32, Adam, 300 steps, for each cell type. The
page probes every ``presets.probe_every(steps)`` steps (5 here) and once at the end; each probe
is an unrolled forward and backward on the 32-sequence probe batch, one connectivity pass and
the recurrent matrix's eigenvalues. "every step" is the worst case. Both runs in one process,
alternating, best of ``--repeats``, on one thread as the page trains. Run from the repo root:

    .venv/bin/python -m bench.sequences [--device cuda] [--repeats 3] [--steps 300]
"""

from __future__ import annotations

import argparse

import torch

from bench.common import table
from engine import optimizers
from engine.core.device import resolve
from engine.sequences import SeqConfig, presets, training

T, HIDDEN, BATCH = 100, 64, 32


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--cells", default="rnn_tanh,lstm,gru")
    args, _ = parser.parse_known_args()
    dev = resolve(args.device)
    torch.set_num_threads(1)
    cadence = presets.probe_every(args.steps)
    print(f"device {dev}, torch {torch.__version__}, threads {torch.get_num_threads()}")
    print(f"adding problem, T = {T}, hidden {HIDDEN}, batch {BATCH}, {args.steps} steps, adam")
    rows = []
    for cell in args.cells.split(","):
        cfg = SeqConfig(cell, hidden=HIDDEN, forget_bias=1.0)

        def run(probe_every: int, cfg=cfg) -> float:
            opt = optimizers.create("adam", lr=1e-3)
            h = training.train(cfg, "adding", T, opt, args.steps, batch=BATCH,
                               probe_every=probe_every, device=dev)  # fmt: skip
            return h.seconds

        run(cadence), run(0)  # warm-up
        best = {0: float("inf"), cadence: float("inf"), 1: float("inf")}
        for _ in range(args.repeats):
            for every in best:
                best[every] = min(best[every], run(every))
        off = best[0]
        rows.append([
            cell, f"{1000 * off / args.steps:.2f}",
            f"{1000 * best[cadence] / args.steps:.2f}", f"{best[cadence] / off:.2f}",
            f"{best[1] / off:.2f}",
        ])  # fmt: skip
    header = ["cell", "ms/step off", f"ms/step every {cadence}", "ratio", "ratio every step"]
    print(f"best of {args.repeats}:")
    print(table(header, rows))
    print("target: ratio <= 1.5 at the page's cadence")


if __name__ == "__main__":
    main()
