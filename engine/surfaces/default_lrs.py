"""Default learning rates per 2D surface, so a first look at any surface runs without diverging.

Each optimizer has one learning rate for the 2D surfaces (its metadata,
``optimizers.traits(name).lr["surface"]``); it suits most of them. Where it fails on a surface
(SGD on Rosenbrock's steep walls, every plain step on Goldstein-Price's 10⁵-high slopes), the
surface's default is the largest rate on the ladder ``base x LADDER`` that passes a quick
deterministic check: from the surface's own start, in ``DEFAULT_STEPS`` steps, in float64 on the
CPU, the path neither diverges nor ends higher than it began. All candidates run as one batched
call of ``trajectories.run``.

>>> default_lr("sgd", "rosenbrock")  # base 0.01 explodes at step 5
0.002
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from engine import optimizers, surfaces
from engine.surfaces.catalog import Surface
from engine.surfaces.trajectories import run

#: Steps of the check: the playground's default run length.
DEFAULT_STEPS = 300
#: Multipliers of the base rate tried in order; 1-2-5 values, so the rates stay readable.
LADDER = tuple(m * 10.0**-e for e in range(6) for m in (1.0, 0.5, 0.2))


def _passes(losses: np.ndarray, diverged_at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(no divergence, no divergence and lower at the end than at the start) per path."""
    stable = diverged_at < 0
    return stable, stable & (losses[:, -1] < losses[:, 0])


@lru_cache(maxsize=64)
def _defaults(surface: Surface, start: tuple[float, float], steps: int) -> tuple[float, ...]:
    names = optimizers.names()
    base = [optimizers.traits(n).lr["surface"] for n in names]
    candidates = [(k, b * f) for k, b in enumerate(base) for f in LADDER]
    try:
        result = run(
            surface,
            [optimizers.create(names[k], lr=lr) for k, lr in candidates],
            [start],
            steps,
            device="cpu",
            record_state=False,
        )
    except ValueError:  # f undefined at the start: nothing to check, the run will say why
        return tuple(base)
    stable, good = _passes(result.losses[:, 0], result.diverged_at[:, 0])
    out = []
    for k in range(len(names)):
        rows = [i for i, (j, _) in enumerate(candidates) if j == k]
        # Largest rate that makes progress, else the largest that stays finite, else the least.
        pick = next((i for i in rows if good[i]), next((i for i in rows if stable[i]), rows[-1]))
        out.append(float(f"{candidates[pick][1]:.3g}"))
    return tuple(out)


def default_lrs(
    surface: Surface | str,
    start: tuple[float, float] | None = None,
    steps: int = DEFAULT_STEPS,
) -> dict[str, float]:
    """Every optimizer's default learning rate on ``surface`` (a name or a ``Surface``).

    ``start`` defaults to the surface's own start. Cached per surface, start and steps.
    """
    if isinstance(surface, str):
        surface = surfaces.get(surface)
    xy = surface.start if start is None else (float(start[0]), float(start[1]))
    return dict(zip(optimizers.names(), _defaults(surface, xy, int(steps)), strict=True))


def default_lr(name: str, surface: Surface | str) -> float:
    """The default learning rate of optimizer ``name`` on ``surface``; see :func:`default_lrs`."""
    if name not in optimizers.names():
        optimizers.hyper_specs(name)  # raises the registry's ValueError naming the known ones
    return default_lrs(surface)[name]
