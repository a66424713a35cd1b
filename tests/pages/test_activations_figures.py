"""The Activation explorer's figures carry the same content as before they became plain dicts.

The builders in viz/activation_plots.py once made plotly graph objects (``make_subplots``); they
now write plain dict specs (viz/spec_figure.py). ``data/activations_views.json`` holds what the
graph-object builders drew for three settings of the page: every property of every trace and of
the layout (the template aside), with each data array replaced by a fingerprint. Made by
``python -m tests.pages.test_activations_figures`` (only when a figure is meant to change).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from tests.helpers import assert_no_exception, figures, page_test
from tests.helpers import figure_array as arr

BEFORE = Path(__file__).parent / "data" / "activations_views.json"

#: name -> the page's session state: the default, three derivative orders with a random band
#: (RReLU), a spiky f″ (hard sigmoid) and sigmoid's depth bound, and a single f″ curve.
SETTINGS: dict[str, dict] = {
    "default": {},
    "bands_and_spikes": {
        "act_sel": ["sigmoid", "rrelu", "hard_sigmoid", "relu"],
        "act_d2f": True,
        "act_depth": 12,
    },
    "one_second_derivative": {
        "act_sel": ["elu"],
        "act_f": False,
        "act_df": False,
        "act_d2f": True,
        "act_mu": 1.0,
        "act_sigma": 2.0,
        "act_depth": 5,
    },
}


def _fingerprint(value) -> list[float]:
    a = arr(value).ravel()
    if a.size == 0:
        return [0.0]
    w = np.linspace(1.0, 2.0, a.size)
    return [float(a.size), float(a.sum()), float(np.abs(a).sum()), float((a * w).sum()),
            float(a.min()), float(a.max()), float(a[0]), float(a[-1])]  # fmt: skip


def normal(node):
    """A figure's JSON with each data array as its fingerprint (lists of numbers included)."""
    if isinstance(node, dict):
        if "bdata" in node:
            return {"array": _fingerprint(node)}
        return {k: normal(v) for k, v in node.items()}
    numbers = isinstance(node, list) and all(isinstance(v, int | float) for v in node)
    if numbers and len(node) > 2:  # a data array; two numbers are a range or a domain
        return {"array": _fingerprint(node)}
    if isinstance(node, list):
        return [normal(v) for v in node]
    return node


def page_figures(settings: dict) -> list[dict]:
    """The page's figures, normalised, after checking that each is in the "plotly_white"
    template (as ``template="plotly_white"`` on a graph-object figure writes it)."""
    at = page_test("activations")
    for key, value in settings.items():
        at.session_state[key] = value
    at.run()
    assert_no_exception(at)
    white = json.loads(pio.to_json(go.Figure(layout={"template": "plotly_white"})))
    out = []
    for fig in figures(at):
        assert fig["layout"].pop("template") == white["layout"]["template"]
        out.append(normal(fig))
    return out


def same(got, want, where: str = "") -> None:
    """Equal structure and strings; numbers equal to 1e-6 relative (float32 data)."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), (where, got, want)
        for k in want:
            same(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), (where, got, want)
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            same(g, w, f"{where}[{i}]")
    elif isinstance(want, float) and not isinstance(got, bool):
        assert math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9), (where, got, want)
    else:
        assert got == want, (where, got, want)


@pytest.mark.parametrize("name", list(SETTINGS))
def test_figures_carry_what_the_graph_object_builders_drew(name):
    before = json.loads(BEFORE.read_text())[name]
    same(page_figures(SETTINGS[name]), before, name)


if __name__ == "__main__":  # rewrite the reference (only when a figure is meant to change)
    BEFORE.write_text(json.dumps({n: page_figures(s) for n, s in SETTINGS.items()}, indent=1))
