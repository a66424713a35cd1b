"""How long a race will take: a rough CPU time, so a page can decide whether it runs live or
waits for a button.
"""

from __future__ import annotations

from engine.nets import networks

# Calibrated on the 2-core development CPU with one torch thread (best of 3, 2026-12-01), over
# seven sizes from 1 layer of 2 units to 8 layers of 128 on 2000 points: the bare race costs a
# fixed 0.6 ms per step (autograd, optimizer updates, divergence masks), 9e10 multiply-adds per
# second and 1.8e-9 s per unit activation (elementwise work, which dominates small layers),
# within 0.93-1.52 times on each size; batch norm's path about 2.7 times as much. The race page
# took 1.1-1.5 times the bare race on three sizes (0.6-3.7 s, from the press; its progress
# reports carry partial results, the rest is not pinned down), so the constants below are 1.4
# times those: the estimate is of what a visitor waits for. The constants before these were
# 4.5-12.6 times the bare race: the default race (0.45 s bare) was announced as "about 3 s".
_STEP_S = 8.4e-4
_MACS_PER_S = 6.4e10
_UNIT_S = 2.5e-9
_BATCHNORM = 2.7


def estimate_seconds(
    config: networks.MLPConfig,
    train_rows: int,
    test_rows: int,
    steps: int,
    models: int,
    batch_size: int | None = None,
) -> float:
    """A rough CPU time for :func:`engine.nets.race.race` of ``models`` networks, to decide whether it runs live.

    Per step, each model does a forward and backward pass over its batch of :math:`B` rows
    (three products per weight) and a test forward over :math:`T` rows:
    :math:`(3B + T)(d_{in} w + (L-1) w^2 + w C)` multiply-adds and :math:`(3B + T) L w` unit
    activations.
    """
    rows = min(batch_size, train_rows) if batch_size else train_rows
    w, depth = config.width, config.depth
    weights = config.in_dim * w + (depth - 1) * w * w + w * config.out_dim
    passes = 3 * rows + test_rows
    per_step = _STEP_S + models * passes * (weights / _MACS_PER_S + depth * w * _UNIT_S)
    return steps * per_step * (_BATCHNORM if config.batchnorm else 1.0)
