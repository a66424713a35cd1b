"""How much do per-layer probes cost? The same training with probes every step and with none.

Depth 20, width 64, 1000 spiral points, 300 full-batch steps, Adam; both runs in one process,
alternating, best of ``--repeats``. Run from the repo root:

    .venv/bin/python bench/gradient_flow.py [--device cuda] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from engine import optimizers
from engine.core.device import resolve  # noqa: E402
from engine.nets import datasets, training  # noqa: E402
from engine.nets.history import History  # noqa: E402
from engine.nets.networks import MLPConfig  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    dev = resolve(args.device)
    X, y = datasets.make("spirals", n=1000, seed=0, device=dev)
    data = datasets.split(X, y, 0.25, seed=0)
    cfg = MLPConfig(2, 2, depth=20, width=64, activation="relu", init="kaiming_normal")

    def run(probe_every: int) -> History:
        opt = optimizers.create("adam", lr=1e-3)
        return training.train(cfg, data, opt, args.steps, probe_every=probe_every, device=dev)

    run(1), run(0)  # warm-up: first-call allocations, kernel caches
    best = {1: float("inf"), 0: float("inf")}
    for _ in range(args.repeats):
        for probe_every in (1, 0):
            h = run(probe_every)
            best[probe_every] = min(best[probe_every], h.seconds)
    on, off = best[1], best[0]
    print(f"device {dev}, torch {torch.__version__}, threads {torch.get_num_threads()}")
    print(f"depth 20, width 64, n=1000 (750 train), {args.steps} full-batch steps, adam")
    print(f"best of {args.repeats}:")
    print("| run            | seconds | ms/step |")
    print("|----------------|--------:|--------:|")
    print(f"| probes off     | {off:7.3f} | {1000 * off / args.steps:7.2f} |")
    print(f"| probes on (1)  | {on:7.3f} | {1000 * on / args.steps:7.2f} |")
    print(f"| overhead ratio | {on / off:7.2f} |         |")
    print(f"final train loss {h.train_loss[-1]:.4f}, test acc {h.test_acc[-1]:.3f}")


if __name__ == "__main__":
    main()
