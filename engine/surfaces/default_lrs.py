"""Default learning rates per 2D surface, so a first look at any surface runs without diverging.

Each optimizer has one learning rate for the 2D surfaces (its metadata,
``optimizers.traits(name).lr["surface"]``); it suits most of them. Where it fails on a surface
(SGD on Rosenbrock's steep walls, every plain step on Goldstein-Price's 10⁵-high slopes), the
surface's default is the largest rate on the ladder ``base x LADDER`` that passes a quick
deterministic check: from the surface's own start, in ``DEFAULT_STEPS`` steps, in float64 on the
CPU, the path neither diverges nor ends higher than it began. All candidates run as one batched
call of ``trajectories.run``.

Some optimizers have step sizes besides η that η does not scale (``SCALED``): AdaBound ends as
SGD with its own rate η_final, and Rprop's steps grow to Δmax whatever η is. Those scale down
with η (:func:`default_hypers`), or no η could calm AdaBound on Goldstein-Price or keep Rprop on
the saddle.

>>> default_lr("sgd", "rosenbrock")  # base 0.01 explodes at step 5
0.002
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from engine import optimizers, surfaces
from engine.surfaces.catalog import Surface
from engine.surfaces.trajectories import run

#: Steps of the check: the playground's default run length.
DEFAULT_STEPS = 300
#: Multipliers of the base rate tried in order; 1-2-5 values, so the rates stay readable.
LADDER = tuple(m * 10.0**-e for e in range(6) for m in (1.0, 0.5, 0.2))
#: The settings, besides ``lr``, that are step sizes and scale with it down the ladder.
SCALED: dict[str, tuple[str, ...]] = {"adabound": ("final_lr",), "rprop": ("step_sizes",)}


def _readable(x: float) -> float:
    return float(f"{x:.3g}")


def scaled(name: str, factor: float) -> dict[str, Any]:
    """``name``'s rate for the 2D surfaces times ``factor``, and its ``SCALED`` settings too."""
    out: dict[str, Any] = {"lr": _readable(optimizers.traits(name).lr["surface"] * factor)}
    specs = {s.name: s for s in optimizers.hyper_specs(name)}
    for hyper in SCALED.get(name, ()):
        default = specs[hyper].default
        if isinstance(default, tuple):
            out[hyper] = tuple(_readable(x * factor) for x in default)
        else:
            out[hyper] = _readable(default * factor)
    return out


def _passes(losses: np.ndarray, diverged_at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(no divergence, no divergence and lower at the end than at the start) per path."""
    stable = diverged_at < 0
    return stable, stable & (losses[:, -1] < losses[:, 0])


@lru_cache(maxsize=64)
def _factors(surface: Surface, start: tuple[float, float], steps: int) -> tuple[float, ...]:
    """Per optimizer, the ladder factor of its defaults on ``surface`` from ``start``."""
    names = optimizers.names()
    candidates = [(k, f) for k in range(len(names)) for f in LADDER]
    try:
        result = run(
            surface,
            [optimizers.create(names[k], **scaled(names[k], f)) for k, f in candidates],
            [start],
            steps,
            device="cpu",
            record_state=False,
        )
    except ValueError:  # f undefined at the start: nothing to check, the run will say why
        return tuple(1.0 for _ in names)
    stable, good = _passes(result.losses[:, 0], result.diverged_at[:, 0])
    out = []
    for k in range(len(names)):
        rows = [i for i, (j, _) in enumerate(candidates) if j == k]
        # Largest rate that makes progress, else the largest that stays finite, else the least.
        pick = next((i for i in rows if good[i]), next((i for i in rows if stable[i]), rows[-1]))
        out.append(candidates[pick][1])
    return tuple(out)


def _start(surface: Surface, start: tuple[float, float] | None) -> tuple[float, float]:
    return surface.start if start is None else (float(start[0]), float(start[1]))


def default_hypers(
    surface: Surface | str,
    start: tuple[float, float] | None = None,
    steps: int = DEFAULT_STEPS,
) -> dict[str, dict[str, Any]]:
    """Every optimizer's default step sizes on ``surface``: ``lr`` and its ``SCALED`` settings.

    Pass them to ``optimizers.create(name, **hypers[name])``; the rest keep their defaults.
    """
    if isinstance(surface, str):
        surface = surfaces.get(surface)
    factors = _factors(surface, _start(surface, start), int(steps))
    return {n: scaled(n, f) for n, f in zip(optimizers.names(), factors, strict=True)}


def default_lrs(
    surface: Surface | str,
    start: tuple[float, float] | None = None,
    steps: int = DEFAULT_STEPS,
) -> dict[str, float]:
    """Every optimizer's default learning rate on ``surface`` (a name or a ``Surface``).

    ``start`` defaults to the surface's own start. Cached per surface, start and steps.
    """
    return {n: h["lr"] for n, h in default_hypers(surface, start, steps).items()}


def default_lr(name: str, surface: Surface | str) -> float:
    """The default learning rate of optimizer ``name`` on ``surface``; see :func:`default_lrs`."""
    if name not in optimizers.names():
        optimizers.hyper_specs(name)  # raises the registry's ValueError naming the known ones
    return default_lrs(surface)[name]
