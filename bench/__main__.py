"""`python -m bench` (or `make bench`): every benchmark, one after another.

Each prints its figures against a reference measured in the same run on the same machine.
"""

import importlib
import time

import torch

from engine.core.threads import set_threads

BENCHMARKS = [
    "trajectories", "playground", "gestures", "gradient_flow", "race", "landscape", "sequences",
    "e2e", "memory",
]  # fmt: skip
THREADS = torch.get_num_threads()  # a benchmark's imports may change it: reset before each

for name in BENCHMARKS:
    try:
        module = importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"bench.{name}":
            raise
        continue  # that page's benchmark has not been written yet
    print(f"\n== bench/{name}.py")
    started = time.perf_counter()
    with set_threads(THREADS):
        module.main()
    print(f"({time.perf_counter() - started:.1f} s)")
