"""The Activation explorer's figures carry the same content as before they became plain dicts.

The builders in viz/activation_plots.py once made plotly graph objects (``make_subplots``); they
now write plain dict specs (viz/spec_figure.py). ``data/activations_views.json`` holds what the
graph-object builders drew for three settings of the page: every property of every trace and of
the layout (the template aside), with each data array replaced by a fingerprint. Made by
``python -m tests.pages.test_activations_figures`` (only when a figure is meant to change).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import assert_no_exception, page_test, same, white_figures

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


def page_figures(settings: dict) -> list[dict]:
    """The page's figures, normalised, after checking that each is in the "plotly_white"
    template (as ``template="plotly_white"`` on a graph-object figure writes it)."""
    at = page_test("activations")
    for key, value in settings.items():
        at.session_state[key] = value
    at.run()
    assert_no_exception(at)
    return white_figures(at)


@pytest.mark.parametrize("name", list(SETTINGS))
def test_figures_carry_what_the_graph_object_builders_drew(name):
    before = json.loads(BEFORE.read_text())[name]
    same(page_figures(SETTINGS[name]), before, name)


if __name__ == "__main__":  # rewrite the reference (only when a figure is meant to change)
    BEFORE.write_text(json.dumps({n: page_figures(s) for n, s in SETTINGS.items()}, indent=1))
