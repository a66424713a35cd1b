"""Batched trajectories against torch.optim loops doing the same work, in the same run.

5 optimizers (sgd, momentum, adagrad, rmsprop, adam) on Rosenbrock, 500 steps, 1/100/1000 starts.
The reference keeps one torch.optim optimizer per optimizer over an (S, 2) parameter and records
the same paths and losses. Run: `python -m bench.trajectories` from the repository root, or `make bench`.
Target (issue 12): the 1-start engine run >= 4x faster than torch.optim. The speed-up is given
by the wall clock and by CPU time (steadier on a machine shared with other work).
"""

from __future__ import annotations

import time

import numpy as np
import torch

from bench.common import best_of, table
from engine import optimizers, surfaces
from engine.surfaces import trajectories

STEPS = 500
SETUP = [
    ("sgd", {"lr": 1e-3}, lambda p, **h: torch.optim.SGD(p, **h)),
    ("momentum", {"lr": 1e-3}, lambda p, **h: torch.optim.SGD(p, momentum=0.9, **h)),
    ("adagrad", {"lr": 0.5}, lambda p, **h: torch.optim.Adagrad(p, **h)),
    ("rmsprop", {"lr": 0.01}, lambda p, **h: torch.optim.RMSprop(p, **h)),
    ("adam", {"lr": 0.05}, lambda p, **h: torch.optim.Adam(p, **h)),
]


def reference(surface, starts: np.ndarray) -> np.ndarray:
    paths = []
    for _, hyper, make in SETUP:
        param = torch.nn.Parameter(torch.tensor(starts, dtype=torch.float64))
        opt = make([param], **hyper)
        path, losses = [param.detach().clone()], []
        for _ in range(STEPS):
            opt.zero_grad()
            loss = surface.f(param)
            losses.append(loss.detach())
            loss.sum().backward()
            opt.step()
            path.append(param.detach().clone())
        losses.append(surface.f(param).detach())
        paths.append(torch.stack(path, dim=1))
    return torch.stack(paths).numpy()


def engine_run(surface, starts: np.ndarray) -> trajectories.Run:
    opts = [optimizers.create(name, **hyper) for name, hyper, _ in SETUP]
    # The reference records paths and losses; the engine records paths, losses and gradients
    # (its optimizer-state history, which the app's internals panel uses, is left out here).
    return trajectories.run(surface, opts, starts, STEPS, device="cpu", record_state=False)


def main() -> None:
    torch.manual_seed(0)
    surface = surfaces.get("rosenbrock")
    rng = np.random.default_rng(0)
    rows = []
    for n_starts in (1, 100, 1000):
        starts = np.column_stack([rng.uniform(-2, 2, n_starts), rng.uniform(-1, 3, n_starts)])
        t_ref, ref_paths = best_of(lambda s=starts: reference(surface, s))
        t_eng, run = best_of(lambda s=starts: engine_run(surface, s))
        c_ref, _ = best_of(lambda s=starts: reference(surface, s), clock=time.process_time)
        c_eng, _ = best_of(lambda s=starts: engine_run(surface, s), clock=time.process_time)
        # torch.optim lets a diverging path run on to inf/nan; the engine freezes it. Compare
        # the paths that stayed finite, and count the others.
        kept = run.diverged_at < 0
        gap = np.abs(ref_paths[kept] - run.paths[kept])
        diff, diff50 = float(gap.max()), float(gap[:, :51].max())
        rows.append(
            [n_starts, f"{t_ref * 1e3:.0f} ms", f"{t_eng * 1e3:.0f} ms", f"{t_ref / t_eng:.2f}x",
             f"{c_ref / c_eng:.2f}x", f"{diff50:.1e}", f"{diff:.1e}", int((~kept).sum())]
        )  # fmt: skip
    print(f"Trajectories: 5 optimizers, Rosenbrock, {STEPS} steps, float64, CPU, "
          f"{torch.get_num_threads()} threads")  # fmt: skip
    print(
        "(|diff|: largest coordinate gap between the two trajectories, over the paths that stayed "
        "finite; 1-ulp rounding differences grow on chaotic paths over many steps)"
    )
    print(
        table(
            [
                "starts",
                "torch.optim",
                "engine",
                "speed-up",
                "by CPU time",
                "max |diff| 50 steps",
                "max |diff| 500 steps",
                "diverged",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
