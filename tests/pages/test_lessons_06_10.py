"""Lessons 6-10: each lesson's figure data measured against the classic result (and, where there
is one, an independent formula), and its link reproducing the same figure data on the full page."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import figure_array
from tests.pages.lesson_links import figures, full_page, happened, lesson


def _fig(at, key_part: str) -> dict:
    """The figure of the chart whose element id mentions ``key_part`` (lsNN_name keys)."""
    charts = [c for c in at.get("plotly_chart") if key_part in c.proto.id]
    assert len(charts) == 1, [c.proto.id for c in at.get("plotly_chart")]
    import json

    return json.loads(charts[0].proto.spec)


def _named(fig: dict, name: str, field: str = "customdata") -> list[np.ndarray]:
    return [figure_array(t[field]) for t in fig["data"] if t.get("name") == name]


def _raw_profile(fig: dict) -> dict[str, np.ndarray]:
    """Weight-gradient norms per layer (left panel, raw values) of a gradient-profile figure."""
    return {t["name"]: figure_array(t["customdata"]) for t in fig["data"] if t["xaxis"] == "x"}


# ---------------------------------------------------------- lesson 6: vanishing and the cures
def test_l6_the_sigmoid_vanishes_and_every_cure_keeps_the_gradient():
    at = lesson(6, depth=20)
    profile = _raw_profile(figures(at)[0])
    assert len(profile) == 5
    ratios = {name: g[0] / g[-1] for name, g in profile.items()}
    plain = ratios.pop("Sigmoid (Xavier)")
    assert plain < 1e-9
    assert all(r > 1e-2 for r in ratios.values()), ratios
    assert f"{plain:.1e}" in happened(at)


def test_l6_deeper_is_worse_for_the_plain_net():
    shallow = _raw_profile(figures(lesson(6, depth=5))[0])["Sigmoid (Xavier)"]
    deep = _raw_profile(figures(lesson(6, depth=30))[0])["Sigmoid (Xavier)"]
    assert deep[0] / deep[-1] < 1e-6 * shallow[0] / shallow[-1]


def test_l6_link_reproduces_the_plain_net_and_the_cure_on_the_gradient_flow_page():
    at = lesson(6, depth=15, cure="selu")
    mine = _raw_profile(figures(at)[0])
    page = _raw_profile(_fig(full_page(at), "gf_grad_profile"))
    a, b = (v for k, v in page.items() if k.startswith("A")), (
        v for k, v in page.items() if k.startswith("B")
    )
    np.testing.assert_allclose(next(a), mine["Sigmoid (Xavier)"], rtol=1e-6)
    np.testing.assert_allclose(next(b), mine["SELU (LeCun)"], rtol=1e-6)


# ------------------------------------------------------------- lesson 7: zero initialisation
def _bars(fig: dict) -> list[np.ndarray]:
    return [figure_array(t["y"]) for t in fig["data"]]


@pytest.mark.parametrize("value", [0.0, 0.5])
def test_l7_units_stay_identical_after_training_from_a_constant(value):
    at = lesson(7, value=value, steps=100)
    const, rand = _bars(figures(at)[0])
    assert np.all(const == 0)  # every layer's units are exact copies after 100 steps
    assert np.all(rand > 1e-3)
    assert "**0**" in happened(at)


def test_l7_link_reproduces_the_training_curves_on_the_gradient_flow_page():
    at = lesson(7, value=0.3, steps=50)
    curves = figures(at)[1]["data"]
    page = _fig(full_page(at), "gf_curves")
    acc = [
        figure_array(t["customdata"]) / 100
        for t in page["data"]
        if t["xaxis"] == "x2" and t["name"].endswith("(train)")
    ]
    assert len(acc) == 2
    for mine, theirs in zip(curves, acc, strict=True):
        np.testing.assert_allclose(figure_array(mine["y"]) / 100, theirs, atol=1e-6)
