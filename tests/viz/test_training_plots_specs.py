"""The training figures (viz/training_plots.py) carry the same content as the graph-object
builders drew before they became plain dict specs.

``data/training_plots.json`` holds what the graph-object builders drew for fixed inputs (two
runs' curves, one without a test set; log, linear and percent heatmaps with and without a shared
range; a two-class and a three-class decision boundary): every property of every trace and of
the layout, the template checked and left out, each data array replaced by a fingerprint. Made by
``python -m tests.viz.test_training_plots_specs``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from tests.helpers import normal, same
from viz import training_plots as tpl
from viz.training_plots import Quantity, TrainingCurves

BEFORE = Path(__file__).parent / "data" / "training_plots.json"


def _cases() -> dict:
    rng = np.random.default_rng(7)
    steps = 40
    loss = np.exp(-np.linspace(0, 3, steps)).astype(np.float32)
    acc = np.linspace(0.4, 0.95, steps).astype(np.float32)
    runs = [
        TrainingCurves("A", "#1f77b4", loss, acc, loss * 1.1, acc * 0.9),
        TrainingCurves("B", "#ff7f0e", loss * 2, acc, np.zeros(0, np.float32), np.zeros(0, np.float32)),
    ]  # fmt: skip
    probe = np.arange(0, 200, 20)
    norms = (10.0 ** rng.uniform(-8, 1, size=(len(probe), 6))).astype(np.float32)
    norms[0, 0] = 0.0
    share = rng.uniform(0, 1, size=(len(probe), 6)).astype(np.float32)
    mean = rng.normal(size=(len(probe), 6)).astype(np.float32)
    grid = np.linspace(-2, 2, 9, dtype=np.float32)
    p1 = 1 / (1 + np.exp(-(grid[None, :] + grid[:, None])))
    two = np.stack((1 - p1, p1), -1).astype(np.float32)
    three = rng.dirichlet([1, 1, 1], size=(9, 9)).astype(np.float32)
    X = rng.normal(size=(30, 2)).astype(np.float32)
    return {
        "curves": lambda: tpl.training_curves(runs),
        "heatmap_log": lambda: tpl.layer_heatmap(probe, norms, Quantity("norm", True), "A: norm"),
        "heatmap_log_range": lambda: tpl.layer_heatmap(
            probe, norms, Quantity("norm", True), "B: norm", (-9.0, 2.0)
        ),
        "heatmap_share": lambda: tpl.layer_heatmap(
            probe, share, Quantity("dead", False, 100.0, " %"), "", (0.0, 100.0)
        ),
        "heatmap_mean": lambda: tpl.layer_heatmap(probe, mean, Quantity("mean", False)),
        "boundary_two": lambda: tpl.decision_boundary(
            grid, grid, two, X, (X[:, 0] > 0).astype(np.int64), "A: boundary"
        ),
        "boundary_three": lambda: tpl.decision_boundary(
            grid, grid, three, X, rng.integers(0, 3, size=30)
        ),
    }


def drawn(name: str) -> dict:
    """The figure ``name`` as JSON, normalised, after checking its template is plotly_white."""
    white = json.loads(pio.to_json(go.Figure(layout={"template": "plotly_white"})))
    fig = json.loads(pio.to_json(_cases()[name]()))
    assert fig["layout"].pop("template") == white["layout"]["template"]
    return normal(fig)


@pytest.mark.parametrize("name", sorted(_cases()))
def test_training_figures_carry_what_the_graph_object_builders_drew(name):
    same(drawn(name), json.loads(BEFORE.read_text())[name], name)


if __name__ == "__main__":  # rewrite the reference (only when a figure is meant to change)
    BEFORE.write_text(json.dumps({n: drawn(n) for n in sorted(_cases())}, indent=1))
