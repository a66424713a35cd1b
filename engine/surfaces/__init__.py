"""2D loss surfaces and what optimizers do on them: the catalogue, custom formulas, batched
trajectories, divergence of a path, and the numbers the playground shows beside its pictures.

>>> from engine import optimizers, surfaces
>>> run = surfaces.trajectories.run(surfaces.get("beale"), [optimizers.create("adam")], [(1, 1)], 10)
"""

from engine.surfaces import analysis, default_lrs, divergence, domain, trajectories
from engine.surfaces.registry import MAX_GRID, ExpressionError, Surface, get, grid, names, parse

__all__ = [
    "MAX_GRID",
    "ExpressionError",
    "Surface",
    "analysis",
    "default_lrs",
    "divergence",
    "domain",
    "get",
    "grid",
    "names",
    "parse",
    "trajectories",
]
