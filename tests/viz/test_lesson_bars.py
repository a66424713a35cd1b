"""viz.lesson_bars: one bar group per series, every bar labelled with its value (0 included)."""

import numpy as np

from viz.lesson_bars import layer_bars


def test_bars_carry_their_values_and_zero_is_labelled():
    fig = layer_bars(
        [("copies", "#000000", np.zeros(3)), ("random", "#0072B2", np.array([0.5, np.nan, 2.0]))],
        title="t",
        x_title="layer",
        y_title="gap",
    )
    copies, rand = fig.data
    assert list(copies.x) == [1, 2, 3] and list(copies.text) == ["0", "0", "0"]
    assert np.all(np.isfinite(rand.y)) and list(rand.text) == ["0.5", "0", "2"]
    assert fig.layout.barmode == "group" and fig.layout.title.text == "t"
