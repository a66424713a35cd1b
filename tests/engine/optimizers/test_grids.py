"""engine.optimizers.grids: the sweep's learning rates and the log sliders' ladder."""

from __future__ import annotations

import numpy as np
import pytest

from engine.optimizers import grids


def test_lr_grid_is_log_spaced_with_exact_ends_and_validated():
    g = grids.lr_grid(1e-4, 10.0, 6)
    np.testing.assert_allclose(g, [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0])
    for lo, hi, n in [(1e-4, 1.0, 9), (3e-6, 7.0, 15), (1.5e-3, 2.0, 64)]:
        g = grids.lr_grid(lo, hi, n)
        assert g[0] == lo and g[-1] == hi  # exactly the rates a person picked
        np.testing.assert_allclose(np.diff(np.log(g)), np.log(hi / lo) / (n - 1))
    assert (grids.lr_grid(0.01, 0.01, 3) == 0.01).all()
    for bad in ((0.0, 1.0, 4), (1.0, 0.1, 4), (1e-3, 1.0, 1), (1e-3, np.inf, 4), (1e-3, 1.0, 2.5)):
        with pytest.raises(ValueError):
            grids.lr_grid(*bad)


def test_log_ladder_is_readable_inclusive_and_keeps_extra_values():
    ladder = grids.log_ladder(1e-3, 1.0)
    assert ladder[:7] == [0.001, 0.0015, 0.002, 0.003, 0.005, 0.007, 0.01] and ladder[-1] == 1.0
    assert ladder == sorted(set(ladder))
    assert 0.0042 in grids.log_ladder(1e-3, 1.0, 0.0042)  # a value from a link stays selectable
    assert 5.0 not in grids.log_ladder(1e-3, 1.0, 5.0)  # ... but only inside the range
    assert grids.log_ladder(1e-12, 1e3)[0] == 1e-12
