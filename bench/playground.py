"""The optimizer playground: server time of its gestures, figure payload, and how much a
64-point learning-rate sweep costs against a single run of the same length (Adam, Lion for the
sign-based, Muon for the matrix optimizers, and the default five together).

Run: `python -m bench.playground` from the repository root (or `make bench`).
Targets (issue 12): a learning rate changed <= 0.10 s of server time, and at most 1.5x the
engine run it triggers (drawing costs less than half of computing); the default view, warm,
<= 0.05 s; figures <= 1.0 MB together. Medians of several new values.
"""

from __future__ import annotations

import time

import numpy as np

from bench.common import (
    best_of,
    median_of,
    page_app,
    script_runs,
    table,
    timed_calls,
    verdict,
)
from engine import optimizers, surfaces
from engine.optimizers import grids
from engine.surfaces import trajectories

STEPS = 300
DEFAULT = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
LR_CHANGED_S = 0.10
RATIO = 1.5
WARM_S = 0.05
PAYLOAD_MB = 1.0


def _engine_run(names: tuple[str, ...] = DEFAULT) -> tuple[float, float]:
    """An engine call of the default view, state recorded: the five together (a new view), or
    Adam alone (what a change of Adam's learning rate reruns: each optimizer's run is cached)."""
    from engine.surfaces import default_lrs

    s = surfaces.get("beale")
    lrs = default_lrs.default_lrs(s)
    opts = [optimizers.create(n, lr=lrs[n]) for n in names]
    return median_of(lambda: trajectories.run(s, opts, [s.start], STEPS), 7)


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _payload(at) -> tuple[int, int]:
    """The bytes of every chart's figure in the last run, and how many charts: st.plotly_chart's
    spec, and a kept chart's (the map, the 3D view) arguments: the figure's JSON as bytes, its
    parts not sent before (pages/_common/kept_parts.py), and a few small JSON ones."""
    sizes = [len(e.proto.spec) for e in at.get("plotly_chart")]
    sizes += [
        len(e.proto.json_args) + sum(len(a.bytes) for a in e.proto.special_args)
        for e in at.get("component_instance")
    ]
    return sum(sizes), len(sizes)


def _page_timings() -> list[list[str]]:
    at = page_app("playground")
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    assert not at.exception, [e.value for e in at.exception]
    payload, count = _payload(at)  # the first view's: the large traces go with it
    warm, warm_cpu = median_of(lambda: at.run(), 7)

    # One hyperparameter changed: the trajectories and their figures are recomputed, the
    # contour grid is not. Every value is new, so nothing comes from a cache. Adam's panel is
    # opened first, as a person would to reach its slider (a closed panel draws no widgets).
    at.session_state["pg_panel_adam"] = True
    at.run()
    lrs = iter([0.05, 0.07, 0.03, 0.02, 0.15, 0.2, 0.3])
    walls, inside = [], []  # each change's rerun, and the engine's time within it

    def change_lr():
        before = len(calls)
        started = time.perf_counter()
        at.select_slider(key="pg_adam_lr").set_value(next(lrs)).run()
        walls.append(time.perf_counter() - started)
        inside.append(sum(calls[before:]))

    # The engine's share of each rerun, timed in the rerun itself.
    with script_runs() as scripts, timed_calls(trajectories, "run") as calls:
        changed, changed_cpu = median_of(change_lr, 7)
    assert not at.exception, [e.value for e in at.exception]
    assert all(inside), inside  # every change ran the engine: no value came from a cache
    script = _median(scripts)
    # The ratio of each change's own times: the machine's speed, which moves by half from one
    # minute to the next on a shared 2-core box, is the same for both.
    ratio = _median([w / e for w, e in zip(walls, inside, strict=True)])
    script_ratio = _median([w / e for w, e in zip(scripts, inside, strict=True)])
    change_bytes, _ = _payload(at)  # the last change's figures: the contour and surface not again
    engine, engine_cpu = _engine_run(("adam",))
    five, five_cpu = _engine_run()
    return [
        ["first run (cold caches, imports)", f"{first:.3f} s", "", "", ""],
        ["default view, warm script run", f"{warm:.3f} s", f"{warm_cpu:.3f} s", f"<= {WARM_S} s",
         verdict(warm, WARM_S)],
        ["one learning rate changed", f"{changed:.3f} s", f"{changed_cpu:.3f} s",
         f"<= {LR_CHANGED_S} s", verdict(changed, LR_CHANGED_S)],
        ["  the page script's own run", f"{script:.3f} s", "", "", ""],
        ["  its engine run (Adam alone), in the rerun", f"{_median(inside):.3f} s", "", "", ""],
        ["  the same, measured alone", f"{engine:.3f} s", f"{engine_cpu:.3f} s", "", ""],
        ["  the five optimizers' run, alone", f"{five:.3f} s", f"{five_cpu:.3f} s", "", ""],
        ["  rerun / engine run (each change's own)", f"{ratio:.2f}x", "", f"<= {RATIO}x",
         verdict(ratio, RATIO)],
        ["  script run / engine run (each change's own)", f"{script_ratio:.2f}x", "", "", ""],
        [f"figure payload ({count} charts)", f"{payload / 1e6:.3f} MB", "", f"<= {PAYLOAD_MB} MB",
         verdict(payload / 1e6, PAYLOAD_MB)],
        ["  figures sent per learning-rate change", f"{change_bytes / 1e6:.3f} MB", "", "", ""],
    ]  # fmt: skip


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
                "",
                f"ratio {t64 / t1:.2f}x for 64x the runs",
                "",
            ]
        )
    return rows


def main() -> None:
    np.random.seed(0)
    rows = _page_timings() + _sweep_timings()
    print("Playground, server time per gesture (AppTest; medians of 7 new values). The verdict")
    print("reads the wall clock; the CPU column is what the process spent (all threads).")
    print(table(["measure", "wall", "CPU", "target", "verdict"], rows))


if __name__ == "__main__":
    main()
