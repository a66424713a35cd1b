"""Gradient flow's "At initialisation" figures carry the same content as before they became
plain dicts.

The builders in viz/network_plots.py once made plotly graph objects (``make_subplots``); they now
write plain dict specs (viz/spec_figure.py). ``data/gradient_flow_views.json`` holds what the
graph-object builders drew after a click on each of four presets (training left out): every
property of every trace and of the layout (the template aside), each data array replaced by a
fingerprint. Made by ``python -m tests.pages.test_gradient_flow_figures``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pages._gradient_flow import runs
from tests.helpers import assert_no_exception, page_test, same, white_figures

BEFORE = Path(__file__).parent / "data" / "gradient_flow_views.json"
PRESETS = ("relu_he", "selu", "zero_init", "batchnorm")


def _untrained(data, nets):
    """Trains nothing: the page shows its "At initialisation" part only."""
    return runs._outcome(runs.Status.WAITING, [label for label, _ in nets], {})


def preset_figures(preset: str) -> list[dict]:
    """The figures after a click on ``preset``, normalised, each checked to be in the
    "plotly_white" template."""
    original, runs.train = runs.train, _untrained
    try:
        at = page_test("gradient_flow").run()
        at.button(key=f"gf_btn_{preset}").click().run()
    finally:
        runs.train = original
    assert_no_exception(at)
    return white_figures(at)


@pytest.mark.parametrize("preset", PRESETS)
def test_figures_carry_what_the_graph_object_builders_drew(preset):
    before = json.loads(BEFORE.read_text())[preset]
    same(preset_figures(preset), before, preset)


if __name__ == "__main__":  # rewrite the reference (only when a figure is meant to change)
    BEFORE.write_text(json.dumps({p: preset_figures(p) for p in PRESETS}, indent=1))
