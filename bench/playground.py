"""The optimizer playground: script time of the default view, figure payload, and how much a
64-point learning-rate sweep costs against a single run of the same length (Adam, Lion for the
sign-based, Muon for the matrix optimizers, and the default five together).

Run: `python -m bench.playground` from the repository root (or `make bench`).
Targets (issue 3): warm default view <= 0.5 s, figures <= 1.5 MB together.
"""

from __future__ import annotations

import time

import numpy as np

from bench.common import best_of, page_app, table
from engine import optimizers, surfaces
from engine.optimizers import grids
from engine.surfaces import trajectories

STEPS = 300
DEFAULT = ("sgd", "momentum", "adagrad", "rmsprop", "adam")


def _page_timings() -> list[list[str]]:
    at = page_app("playground")
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    assert not at.exception, [e.value for e in at.exception]
    warm, _ = best_of(lambda: at.run(), repeats=5)
    payload = sum(len(chart.proto.spec) for chart in at.get("plotly_chart"))
    count = len(at.get("plotly_chart"))

    # One hyperparameter changed: the trajectories and their figures are recomputed, the
    # contour grid is not.
    lrs = iter([0.05, 0.07, 0.03, 0.02, 0.15, 0.2])

    def change_lr():
        at.select_slider(key="pg_adam_lr").set_value(next(lrs)).run()

    changed, _ = best_of(change_lr, repeats=5)
    return [
        ["first run (cold caches, imports)", f"{first:.3f} s", ""],
        ["default view, warm script run", f"{warm:.3f} s", "target <= 0.5 s"],
        ["one learning rate changed", f"{changed:.3f} s", "paths + figures rebuilt"],
        [f"figure payload ({count} charts)", f"{payload / 1e6:.3f} MB", "target <= 1.5 MB"],
    ]


def _sweep_timings() -> list[list[str]]:
    s = surfaces.get("beale")
    lrs = grids.lr_grid(1e-4, 10.0, 64)

    def single(names):
        opts = [optimizers.create(n, lr=optimizers.traits(n).lr["surface"]) for n in names]
        return trajectories.run(s, opts, [s.start], STEPS, record_state=False, device="cpu")

    def sweep(names):
        opts = [optimizers.create(n, lr=float(lr)) for n in names for lr in lrs]
        return trajectories.run(s, opts, [s.start], STEPS, record_state=False, device="cpu")

    rows = []
    # Adam, a sign-based (Lion) and a matrix optimizer (Muon: a normalised step on a 2D point),
    # then the default five together.
    for names in (("adam",), ("lion",), ("muon",), DEFAULT):
        t1, _ = best_of(lambda names=names: single(names))
        t64, run = best_of(lambda names=names: sweep(names))
        assert run.paths.shape[0] == 64 * len(names)
        label = names[0] if len(names) == 1 else f"{len(names)} optimizers"
        rows.append(
            [
                f"{label}: 1 lr vs 64 lrs, {STEPS} steps",
                f"{t1 * 1e3:.1f} ms vs {t64 * 1e3:.1f} ms",
                f"ratio {t64 / t1:.2f}x for 64x the runs",
            ]
        )
    return rows


def main() -> None:
    np.random.seed(0)
    rows = _page_timings() + _sweep_timings()
    print(table(["measure", "value", "note"], rows))


if __name__ == "__main__":
    main()
