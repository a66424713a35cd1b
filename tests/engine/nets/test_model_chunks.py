"""engine.nets.model_chunks: a race trained a few models at a time equals the one-batch race."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine import optimizers
from engine.nets import datasets, model_chunks, race
from engine.nets.networks import MLPConfig


@pytest.fixture(scope="module")
def split():
    X, y = datasets.make("moons", n=240, seed=0, device="cpu")
    return datasets.split(X, y, 0.25, seed=0)


def _race(split, cfg, chunk_bytes, monkeypatch):
    monkeypatch.setattr(model_chunks, "CHUNK_BYTES", chunk_bytes)
    opts = [optimizers.create(n, lr=lr) for n, lr in
            (("sgd", 0.1), ("momentum", 0.05), ("adam", 0.01), ("rmsprop", 0.003))]  # fmt: skip
    return race.race(cfg, split, opts, 6, batch_size=48, seed=1, device="cpu")


@pytest.mark.parametrize(
    "cfg",
    [
        MLPConfig(2, 2, 3, 16, "relu"),  # the hand-written step (race_fast)
        MLPConfig(2, 2, 3, 16, "tanh", batchnorm=True),  # vmap, running statistics in place
        MLPConfig(2, 2, 3, 16, "relu", dropout=0.3),  # vmap, the same masks in every chunk
    ],
    ids=["plain", "batchnorm", "dropout"],
)
def test_one_model_at_a_time_equals_one_batch(split, cfg, monkeypatch):
    whole = _race(split, cfg, 2**40, monkeypatch)
    one = _race(split, cfg, 1, monkeypatch)  # every chunk a single model
    assert model_chunks.models_per_chunk(cfg, 48, 4) == 1
    # Six steps: per-model arithmetic is the same, so the curves agree to float32 rounding of
    # differently blocked products (seen: equal, or within 1e-7).
    for field in ("train_loss", "train_acc", "test_loss", "test_acc"):
        np.testing.assert_allclose(getattr(one, field), getattr(whole, field), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(one.grad_norms, whole.grad_norms, rtol=1e-4, atol=1e-6)
    for name, value in whole.params.items():
        torch.testing.assert_close(one.params[name], value, rtol=1e-5, atol=1e-6)
    for name, value in whole.buffers.items():
        torch.testing.assert_close(one.buffers[name], value, rtol=1e-5, atol=1e-6)
    if cfg.batchnorm:  # the statistics moved, per model
        means = one.buffers["norms.0.running_mean"]
        assert not torch.allclose(means[0], torch.zeros_like(means[0]))
        assert not torch.allclose(means[0], means[2])


def test_the_largest_race_is_split_and_the_default_is_not():
    largest = MLPConfig(2, 6, 8, 128, "relu", batchnorm=True)
    size = model_chunks.models_per_chunk(largest, 1600, 60)
    assert 1 <= size < 60
    assert size * 1600 * 128 * 8 * 4 * model_chunks.SAVED_PER_UNIT <= model_chunks.CHUNK_BYTES
    default = MLPConfig(2, 3, 3, 32, "relu")
    assert model_chunks.models_per_chunk(default, 320, 12) == 12
    assert model_chunks.chunks(7, 3) == [slice(0, 3), slice(3, 6), slice(6, 7)]
