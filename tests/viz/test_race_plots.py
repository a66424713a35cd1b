"""viz.race_plots: readable log axes (a few round ticks, never one per 1-2-5 of every decade)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from viz.race_plots import MAX_TICKS, curves_figure, log_ticks, sweep_figure, tick_label

# A digits sweep: final losses from 5e-7 (adam at 0.1) to 2.3 (sgd at 1e-4), two diverged.
LRS = np.geomspace(1e-4, 1.0, 9)
FINAL = np.array([
    [2.3, 2.2, 2.1, 2.0, 1.7, 0.6, 0.06, 0.005, 0.001],
    [2.0, 0.9, 0.05, 0.002, 8e-5, 1.5e-6, 5e-7, 2.0, np.nan],
])  # fmt: skip
DIVERGED = np.where(np.isfinite(FINAL), -1, 12)


def axis_ticks(axis: dict) -> list[float]:
    assert axis.get("tickmode") == "array", axis
    return [float(v) for v in axis["tickvals"]]


def test_the_digits_sweep_has_a_few_round_ticks_covering_its_losses():
    fig = sweep_figure(["sgd", "adam"], ["#000000", "#CC79A7"], LRS, FINAL, DIVERGED)
    axis = fig.to_plotly_json()["layout"]["yaxis"]
    ticks = axis_ticks(axis)
    assert 3 <= len(ticks) <= MAX_TICKS
    low, high = (10**v for v in axis["range"])
    finite = FINAL[np.isfinite(FINAL)]
    assert low <= finite.min() and finite.max() * 1.5 <= high  # the crosses sit at 1.5 x max
    assert all(low <= t <= high for t in ticks)
    # Round values (one significant digit), short labels.
    for t, text in zip(ticks, axis["ticktext"], strict=True):
        assert round(t / 10 ** math.floor(math.log10(t) + 1e-9), 6) in range(1, 10)
        assert len(text) <= 6, text


@pytest.mark.parametrize(
    ("low", "high"), [(5e-7, 10), (1e-12, 1e3), (0.05, 2.5), (0.3, 3), (2.28, 2.31), (0.5, 0.9)]
)
def test_log_ticks_stay_few_and_inside_any_span(low, high):
    ticks, labels = log_ticks(low, high)
    assert 2 <= len(ticks) <= MAX_TICKS
    assert all(low <= t <= high for t in ticks)
    assert ticks == sorted(set(ticks))
    assert len(set(labels)) == len(labels)


def test_tick_labels_are_plain_digits_or_powers_of_ten():
    assert [tick_label(v) for v in (0.001, 0.02, 2.0, 300.0, 5000.0)] == [
        "0.001", "0.02", "2", "300", "5000",
    ]  # fmt: skip
    assert tick_label(1e-5) == "10⁻⁵" and tick_label(2e-6) == "2·10⁻⁶"
    assert tick_label(1e5) == "10⁵"


def test_loss_curves_get_the_same_readable_axes():
    steps = np.arange(200)
    losses = [2.3 * np.exp(-steps / 12.0), 2.3 * np.exp(-steps / 40.0)]
    fig = curves_figure(["a", "b"], ["#000", "#111"], {"loss": losses}, [-1, -1], log_y=("loss",))
    ticks = axis_ticks(fig.to_plotly_json()["layout"]["yaxis"])
    assert 2 <= len(ticks) <= MAX_TICKS
