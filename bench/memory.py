"""Peak memory of one session that opens every page at its largest settings.

One fresh process plays the server with one visitor: Streamlit's AppTest runs each page's
script in this process with one session state across the pages, and the process-wide caches
(``st.cache_data``, ``st.cache_resource``, the shared run stores of pages/_common/jobs.py) fill
up as they would on the server; the pool's worker threads train in this process too. "Idle" is
the process with Streamlit, torch and the pages imported and the home page drawn once. Each
page's row reports its peak RSS above idle (the kernel's high-water mark, reset before the page)
and what stays resident after it; the verdict compares the session's overall peak above idle
with :data:`BUDGET_MB`.

Every size is at the page's maximum (steps, samples, layers, units, optimizers, grid, sweep).
Runs that wait for a press (Run, Train, Compute) are pressed. The one reduction: the networks
of the race, gradient flow, sequences and landscape pages train ``--net-steps`` steps (default
10) instead of 2000, which would take an hour on a small CPU. Their memory does not grow with
steps: a training step frees its activations before the next, and the recorded curves are
preallocated per step (2000 floats per quantity: kilobytes). The landscape is the exception:
it records its weights along the way, so it trains the steps that give its largest record
(:func:`landscape_steps`) whatever ``--net-steps`` says. ``--full``
trains all 2000. ``--side`` shrinks the landscape grid while developing: the grid goes through
in chunks of at most 8 MB (engine/nets/landscape.CHUNK_BYTES), so its side changes time only.

After the rows: every cache of the pages, with its entries now, its largest entry (at these
maxima, the largest the pages' limits allow), its count and byte bounds, and its worst case:
min(entries bound x largest entry, byte bound).

Run from the repository root (Linux: it reads /proc/self/status):
``python -m bench.memory [--net-steps 10] [--full] [--side 61] [--only race]``.
"""

from __future__ import annotations

import argparse
import math
import pickle
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MB = 1024.0  # one session, above the idle server
# What sets each page's peak at its maxima (the engine's and the page's limits), by row prefix.
BOUNDS = {
    "playground: many": "MAX_RECORDED positions x (path, loss, gradient) in float64",
    "playground": "optimizers x steps recorded (12 x 2001)",
    "activations": "25 curves of 2000 points, depth 50 (figures)",
    "gradient flow": "one network: depth x samples x width x ~5 float32 (heap.py)",
    "race": "networks x weights and optimizer state + 96 MB chunks of activations",
    "sequences": "layers x T x batch x hidden <= 400 MB (engine.sequences.training)",
    "landscape": "8 MB grid chunks + recorded weights (MAX_VALUES) + Hessian",
}
TIMEOUT_S = 3600
MiB = 2**20

Scenario = tuple[str, str, dict, dict, Callable | None]


def _status(field: str) -> float:
    """A VmRSS / VmHWM line of /proc/self/status, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} missing from /proc/self/status")


def _reset_peak() -> None:
    """Restart the high-water mark (VmHWM) at the current RSS (Linux >= 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


def press(key: str) -> Callable[[Any], str]:
    """An action that presses button ``key`` if the page shows it (a long run waits for it)."""

    def action(at: Any) -> str:
        buttons = [b for b in at.button if b.key == key]
        if not buttons:
            return "live"
        buttons[0].click().run(timeout=TIMEOUT_S)
        return "pressed"

    return action


def landscape_steps(depth: int, width: int) -> int:
    """Steps for the landscape at its largest record of weights.

    It records every ``record_every(steps, params)``-th weight vector (engine/nets/
    landscape_study): most vectors at ``2 x RECORDS - 1`` steps, and never more than
    ``MAX_VALUES`` recorded values (engine/nets/trajectory_pca), which a big network reaches
    with every vector of fewer steps than that.
    """
    from engine.nets import landscape_presets, landscape_study, networks, trajectory_pca

    spec = landscape_presets.NetSpec(depth=depth, width=width)
    params = sum(p.numel() for p in networks.build(spec.config(2, 2), 0, "cpu").parameters())
    return min(2 * landscape_study.RECORDS - 1, trajectory_pca.MAX_VALUES // params - 2)


def _scenarios(net_steps: int, side: int) -> list[Scenario]:
    """(row, page, URL query, session-state changes, action after the run): every page at its
    maxima, in one session."""
    from engine import activations, optimizers
    from engine.nets.race import MAX_MODELS
    from engine.sequences import models, tasks, training
    from engine.surfaces.trajectories import MAX_RECORDED
    from pages._common.keys import activations as ka
    from pages._common.keys import gradient_flow as kg
    from pages._common.keys import landscape as kl
    from pages._common.keys import playground as kp
    from pages._common.keys import race as kr
    from pages._common.keys import sequences as ks
    from pages._gradient_flow.runs import RUN_BUTTON

    names = optimizers.names()
    every_opt = ",".join(names)
    playground = {
        kp.STEPS.key: str(kp.MAX_STEPS),
        "pg_opts": every_opt,
        kp.SHOW_3D.key: "1",
        kp.GRID.key: str(kp.MAX_GRID),
        kp.SWEEP_N.key: str(kp.MAX_SWEEP),
    }
    # Many starts at the largest grid: the engine records at most MAX_RECORDED positions, so
    # this is the longest run it accepts (2000 steps would be refused).
    batch = len(names) * kp.MAX_GRID**2
    starts = {kp.MODE.key: "starts", kp.GRID.key: kp.MAX_GRID}
    starts[kp.STEPS.key] = min(kp.MAX_STEPS, MAX_RECORDED // batch - 1)
    act = {
        ka.SELECTED.key: ",".join(activations.names()),
        ka.SHOW_D2F.key: "1",
        ka.DEPTH.key: str(ka.DEPTH.high),
    }
    race = {
        kr.DATASET.key: "spirals",
        kr.N.key: str(kr.MAX_N),
        kr.CLASSES.key: str(kr.CLASSES.high),
        kr.DEPTH.key: str(kr.MAX_DEPTH),
        kr.WIDTH.key: str(kr.MAX_WIDTH),
        kr.BATCHNORM.key: "1",
        kr.STEPS.key: str(max(net_steps, kr.STEPS.low)),
        kr.BATCH.key: "0",
        kr.SWEEP_N.key: str(kr.MAX_SWEEP),
        "rc_opts": every_opt,
    }
    # The engine races at most MAX_MODELS networks: a full sweep takes 64 // 15 = 4 optimizers.
    sweep = {kr.MODE.key: "sweep", "rc_opts": names[: MAX_MODELS // kr.MAX_SWEEP]}
    big = {"depth": str(kg.A["depth"].high), "width": str(kg.A["width"].high)}
    gradient_flow = {
        kg.PRESET.key: kg.CUSTOM,
        kg.COMPARE.key: "1",
        kg.DATA["n"].key: str(kg.MAX_N),
        kg.DATA["steps"].key: str(net_steps),
        kg.DATA["batch_size"].key: "0",
        **{kg.A[k].key: v for k, v in big.items()},
        **{kg.B[k].key: v for k, v in big.items()},
        kg.B["batchnorm"].key: "1",
        kg.B["residual"].key: "1",
        kg.B["dropout"].key: "0.5",
    }
    # The largest batch the engine trains at these sizes (training.MAX_TRAIN_BYTES): the page
    # explains, and offers no Train button, above it.
    fit = min(training.largest_batch(models.SeqConfig(c, ks.MAX_HIDDEN, models.MAX_LAYERS),
                                     tasks.MAX_T) for c in models.CELLS)  # fmt: skip
    seq = {"T": tasks.MAX_T, "hidden": ks.MAX_HIDDEN, "layers": models.MAX_LAYERS,
           "batch": min(ks.MAX_BATCH, fit), "steps": net_steps}  # fmt: skip
    sequences = {ks.PRESET.key: ks.CUSTOM, ks.SETTINGS["cells"].key: ",".join(models.CELLS)}
    sequences |= {ks.SETTINGS[k].key: str(v) for k, v in seq.items()}
    net = {"depth": kl.A["depth"].high, "width": kl.A["width"].high, "batchnorm": 1}
    landscape = {
        kl.PRESET.key: kl.CUSTOM,
        kl.COMPARE.key: "1",
        kl.SHOW_3D.key: "1",
        kl.DATA["n"].key: str(kl.DATA["n"].high),
        kl.DATA["steps"].key: str(landscape_steps(kl.A["depth"].high, kl.A["width"].high)),
        kl.VIEW["side"].key: str(side),
        kl.VIEW["plane"].key: "pca",  # records weights along the path: the larger plane
        **{kl.A[k].key: str(v) for k, v in net.items()},
        **{kl.B[k].key: str(v) for k, v in net.items()},
        kl.B["residual"].key: "1",
    }
    # The first visit of a page reads its URL; later rows on the same page change the session's
    # widget values, as a visitor does.
    return [
        ("playground: trajectories", "playground", playground, {}, None),
        ("playground: many starts", "playground", {}, starts, None),
        ("playground: lr sweep", "playground", {}, {kp.MODE.key: "sweep"}, None),
        ("activations: all, f, f', f''", "activations", act, {}, None),
        ("gradient flow: A vs B", "gradient_flow", gradient_flow, {}, press(RUN_BUTTON)),
        ("race: every optimizer", "race", race, {}, press("rc_run")),
        ("race: lr sweep", "race", {}, sweep, press("rc_run")),
        ("sequences: 4 cells", "sequences", sequences, {}, press("sq_train")),
        ("landscape: A vs B", "landscape", landscape, {}, press("ls_compute")),
    ]


def _pickled_size(value: object) -> int:
    """Bytes of ``value`` pickled; 0 for an object that cannot be pickled (a registry)."""
    try:
        return len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001 - any pickling failure just means "not sized"
        return 0


def _row(name: str, sizes: list[int], entries: float, limit: float | None) -> list[str]:
    """One cache: entries/bound, MiB now, largest entry, bounds, worst case."""
    largest = max(sizes, default=0)
    worst = max(min(entries * largest, limit or math.inf), largest)  # the newest always stays
    return [
        name,
        f"{len(sizes)}/{entries:g}",
        f"{sum(sizes) / MiB:.1f}",
        f"{largest / MiB:.2f}",
        "-" if not limit else f"{limit / MiB:.0f}",
        f"{worst / MiB:.0f}",
    ]


def _stores() -> dict[str, Any]:
    """The shared run stores (jobs.LRU, bounded in entries and bytes), by name."""
    from pages._gradient_flow import runs as gf_runs
    from pages._landscape import compute as ls_compute
    from pages._race import runs as rc_runs

    return {
        "gradient flow runs (jobs.LRU)": gf_runs.store().results,
        "race runs (jobs.LRU)": rc_runs.shared().results,
        "landscape results (jobs.LRU)": ls_compute.store(),
    }


def cache_rows() -> list[list[str]]:
    """Every cache of the pages in this process, largest worst case first.

    ``st.cache_data`` holds pickled bytes (counted exactly); ``st.cache_resource`` holds live
    objects, sized here by pickling them (a figure's pickle is close to its arrays' bytes); the
    run stores count their arrays (pages/_common/jobs.nbytes).
    """
    from streamlit.runtime.caching import cache_data_api, cache_resource_api

    rows = []
    for kind, registry in (
        ("data", cache_data_api._data_caches),
        ("resource", cache_resource_api._resource_caches),
    ):
        for caches in registry._function_caches.values():
            for cache in caches.values():
                if kind == "data":
                    sizes = [len(b) for b in cache.storage._mem_cache.values()]
                    limit = getattr(cache, "max_size_bytes", None)
                else:
                    sizes = [_pickled_size(r.value) for r in cache._mem_cache.values()]
                    limit = None
                name = cache.display_name.rsplit(".", 1)[-1]
                module = cache.display_name.split(".")[1] if "." in cache.display_name else ""
                rows.append(_row(f"{module}.{name} ({kind})", sizes, cache.max_entries, limit))
    for name, lru in _stores().items():
        rows.append(_row(name, [size for _, size in lru.items.values()], lru.size, lru.max_bytes))
    return sorted(rows, key=lambda r: -float(r[-1]))


def measure(net_steps: int, side: int, only: str = "") -> bool:
    """Run every scenario in this process; print the tables; True when within the budget."""
    from bench.common import quiet_bare_mode, table

    quiet_bare_mode()
    import torch
    from streamlit.testing.v1 import AppTest

    from pages._common import heap

    torch.set_num_threads(1)  # as the pages' training does (engine.core.threads.set_threads)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)
    at.run()  # the home page: imports, caches' first entries
    idle = _status("VmRSS")
    rows, peak = [], idle
    for name, page, query, changes, action in _scenarios(net_steps, side):
        if only not in name:
            continue
        if query:
            at.query_params.clear()
            at.query_params.update(query)
        for key, value in changes.items():
            at.session_state[key] = value
        _reset_peak()
        started, cpu = time.perf_counter(), time.process_time()
        at.switch_page(f"pages/{page}.py").run(timeout=TIMEOUT_S)
        how = action(at) if action is not None else "live"
        seconds = time.perf_counter() - started
        # What app.py does after each script run; AppTest runs a switched-to page without
        # app.py (only its first run goes through it), so the bench does it here. The script's
        # CPU time is taken as the process's: nothing else computes in this process meanwhile.
        heap.release_memory(collect=time.process_time() - cpu >= heap.LONG_RUN_S)
        problems = [e.value for e in (*at.exception, *at.error, *at.warning)]
        page_peak, after = _status("VmHWM"), _status("VmRSS")
        peak = max(peak, page_peak)
        note = "; ".join(str(p).splitlines()[0][:60] for p in problems) or "ok"
        bound = next(text for key, text in BOUNDS.items() if name.startswith(key))
        mib = [f"{page_peak - idle:.0f}", f"{after - idle:.0f}"]
        rows.append([name, how, *mib, f"{seconds:.0f}", note, bound])
        print(" | ".join(rows[-1]), file=sys.stderr, flush=True)  # progress: a row takes minutes
    header = ["page at its maxima", "run", "peak MiB", "kept MiB", "s", "page says", "set by"]
    print(f"idle process (streamlit, torch, pages, home drawn): {idle:.0f} MiB RSS")
    print(f"network steps on the training pages: {net_steps}; landscape grid side: {side}")
    print("MiB above idle; 'kept' is resident after the page, caches and session included")
    print(table(header, rows))
    print()
    head = ["cache", "entries", "MiB now", "largest MiB", "byte bound MiB", "worst MiB"]
    print(table(head, cache_rows()))
    above = peak - idle
    verdict = "within" if above <= BUDGET_MB else "OVER"
    print(f"session peak: {above:.0f} MiB above idle, {verdict} the {BUDGET_MB:.0f} MiB budget")
    return above <= BUDGET_MB


def main() -> None:
    from pages._common.keys import landscape as kl

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--net-steps", type=int, default=10)
    parser.add_argument("--side", type=int, default=kl.MAX_SIDE, help="landscape grid side")
    parser.add_argument("--only", default="", help="only the rows whose name has this text")
    parser.add_argument("--full", action="store_true", help="train the networks 2000 steps")
    parser.add_argument("--here", action="store_true", help="measure in this process")
    args, _ = parser.parse_known_args()
    steps = 2000 if args.full else args.net_steps
    if not Path("/proc/self/clear_refs").exists():
        print("needs Linux's /proc/self (status, clear_refs): skipped")
        return
    if args.here:
        sys.exit(0 if measure(steps, args.side, args.only) else 1)
    # A fresh process: earlier benchmarks in `python -m bench` would blur the idle figure.
    cmd = [sys.executable, "-m", "bench.memory", "--here", "--net-steps", str(steps)]
    cmd += ["--side", str(args.side)] + (["--only", args.only] if args.only else [])
    done = subprocess.run(cmd, cwd=ROOT, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"bench.memory failed (exit {done.returncode})")


if __name__ == "__main__":
    main()
