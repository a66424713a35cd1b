"""`python -m bench` (or `make bench`): every benchmark, one after another.

Each prints its figures against a reference measured in the same run on the same machine.
"""

import importlib
import time

BENCHMARKS = ["trajectories", "playground", "gradient_flow", "race"]

for name in BENCHMARKS:
    try:
        module = importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"bench.{name}":
            raise
        continue  # that page's benchmark has not been written yet
    print(f"\n== bench/{name}.py")
    started = time.perf_counter()
    module.main()
    print(f"({time.perf_counter() - started:.1f} s)")
