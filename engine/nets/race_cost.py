"""How long a race will take: a rough CPU time, so a page can decide whether it runs live or
waits for a button.
"""

from __future__ import annotations

from engine.nets import networks

# Calibrated on the 2-core development CPU with one torch thread, under load (best of 3): a
# fixed 6 ms per step (autograd, optimizer updates, divergence masks), 2e10 multiply-adds per
# second, 1e-8 s per unit activation (elementwise work, which dominates small layers); batch
# norm's vmap path costs about 1.6 times as much.
_STEP_S = 6e-3
_MACS_PER_S = 2e10
_UNIT_S = 1e-8
_BATCHNORM = 1.6


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
